"""Burn-up charts: an investor's companies over time against its target, the projection at
each pace, and the milestones it reported.

What a chart shows is worked out once, from plain values (:func:`burn_up_data`: entry
dates, a target, paces, milestones), and drawn twice: in the terminal with plotext
(:func:`draw`, imported only when a chart is drawn) and as SVG in the dashboard
(ecoport.dashboard_html). :func:`burn_up` is the adapter from a progress result."""

import datetime as dt
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecoport.services.progress import InvestorProgress, Progress

#: Mean Gregorian month and year, in days.
DAYS_PER_MONTH = 30.436875
DAYS_PER_YEAR = 365.2425
#: How far right of the as-of date a projection is drawn, at most: the history's own span
#: (so history keeps at least half the width), and never less than this many years.
MIN_AHEAD_YEARS = 2

COMPANIES_MARK = "hd"
"""plotext's half-block marker: a staircase at twice the rows' resolution."""
COMPANIES_KEY = "▄"
PROJECTION_MARKS = ("·", "+", "x")
MILESTONE_MARK = "◆"
TARGET_MARK = "─"


@dataclass(frozen=True, slots=True)
class PaceLine:
    """A pace to project from the as-of date: companies a month, and what it is."""

    per_month: Decimal
    label: str
    """``whole period``, ``last 12 months``."""


@dataclass(frozen=True, slots=True)
class Milestone:
    """A count reported by a date, drawn as a marked point."""

    when: dt.date
    reported: int
    label: str
    """``about 25 connected-device companies reported by 2014-12; 7 held``."""


@dataclass(frozen=True, slots=True)
class Projection:
    """A straight line from (start, start_count) to (end, end_count) at a pace."""

    start: dt.date
    start_count: int
    end: dt.date
    end_count: float
    per_month: Decimal
    label: str
    reaches: dt.date | None
    """When it crosses the target; None beyond the chart's end (or at no pace)."""


@dataclass(frozen=True, slots=True)
class BurnUp:
    """What a burn-up chart draws, in plain values, for any renderer."""

    title: str
    target: int
    as_of: dt.date
    steps: tuple[tuple[dt.date, int], ...]
    """The cumulative count after each date on which companies entered, in date order; the
    last step may be the as-of date (companies whose entry date is unknown)."""
    projections: tuple[Projection, ...]
    milestones: tuple[Milestone, ...]
    start: dt.date
    end: dt.date
    top: int
    """The y axis runs from 0 to this."""
    notes: tuple[str, ...]
    """Lines to print under the chart: what is not drawn, and why."""

    @property
    def count(self) -> int:
        return self.steps[-1][1] if self.steps else 0


def year_of(day: dt.date) -> float:
    """*day* as a fractional year (2014-07-02 is about 2014.5): the charts' x coordinate."""
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def _plus_days(day: dt.date, days: float) -> dt.date:
    try:
        return day + dt.timedelta(days=round(days))
    except OverflowError:
        return dt.date.max


def burn_up_data(
    entries: Iterable[dt.date],
    *,
    target: int,
    as_of: dt.date,
    companies: int | None = None,
    paces: Sequence[PaceLine] = (),
    milestones: Sequence[Milestone] = (),
    title: str = "",
) -> BurnUp:
    """The chart of *entries* (each counted company's entry date) against *target* as of
    *as_of*: *companies* (the headline's count, when more than the entries) adds those
    whose entry date is unknown at the as-of date; each pace is projected from there."""
    dated = sorted(d for d in entries if d <= as_of)
    steps: list[tuple[dt.date, int]] = []
    for n, day in enumerate(dated, start=1):
        if steps and steps[-1][0] == day:
            steps[-1] = (day, n)
        else:
            steps.append((day, n))
    notes: list[str] = []
    count = len(dated)
    unknown = 0 if companies is None else companies - count
    if unknown > 0:
        count = companies or count
        steps.append((as_of, count))
        notes.append(
            f"{unknown} {'company' if unknown == 1 else 'companies'} with no known entry date "
            f"drawn at {as_of.isoformat()}."
        )
    first = dated[0] if dated else as_of
    span = max((as_of - first).days, round(MIN_AHEAD_YEARS * DAYS_PER_YEAR))
    horizon = _plus_days(as_of, span)
    if count >= target:
        paces = ()  # nothing left to project
    reach_of: list[dt.date | None] = []
    for pace in paces:
        rate = float(pace.per_month)
        reach = None
        if count < target and rate > 0:
            reach = _plus_days(as_of, (target - count) / rate * DAYS_PER_MONTH)
        reach_of.append(reach if reach is not None and reach <= horizon else None)
    # a pace that reaches the target stops there; the others run to the chart's end
    reached = [r for r in reach_of if r is not None]
    end = max(reached) if reached and len(reached) == len(reach_of) else horizon
    if not paces:
        end = as_of
    lines = [
        Projection(
            start=as_of,
            start_count=count,
            end=stop,
            end_count=count + float(pace.per_month) * (stop - as_of).days / DAYS_PER_MONTH,
            per_month=pace.per_month,
            label=pace.label,
            reaches=reach,
        )
        for pace, reach in zip(paces, reach_of, strict=True)
        for stop in [reach or end]
    ]
    for pace in paces:
        if float(pace.per_month) <= 0 and count < target:
            notes.append(f"At the pace over {pace.label} (none) the target is not reached.")
    for p in lines:
        if p.reaches is None and p.per_month > 0 and count < target:
            notes.append(
                f"At the pace over {p.label} the target falls after {end.isoformat()}, "
                "the chart's end."
            )
    early = [m for m in milestones if m.when < first]
    top = max([target, count, *(m.reported for m in milestones)])
    top = int(top * 1.08) + 1
    start = min([first, *(m.when for m in early)])
    start = _plus_days(start, -max(15, (end - start).days / 60))
    return BurnUp(
        title=title,
        target=target,
        as_of=as_of,
        steps=tuple(steps),
        projections=tuple(lines),
        milestones=tuple(milestones),
        start=start,
        end=end if end > as_of else _plus_days(as_of, 30),
        top=top,
        notes=tuple(notes),
    )


# -- ticks ---------------------------------------------------------------------------------


def year_ticks(start: dt.date, end: dt.date, most: int) -> list[tuple[float, str]]:
    """At most *most* ticks between *start* and *end*: whole years (every 1, 2, 5, 10 or
    more), or months over a short span; each (x as a fractional year, label)."""
    most = max(2, most)
    first, last = year_of(start), year_of(end)
    years = list(range(int(first) + 1, int(last) + 1))
    if len(years) >= 3:
        for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
            chosen = [y for y in years if y % step == 0]
            if len(chosen) <= most:
                return [(float(y), str(y)) for y in chosen]
    months: list[dt.date] = []
    day = dt.date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    for step in (1, 2, 3, 6):
        chosen_months = [m for m in months if (m.month - 1) % step == 0]
        if len(chosen_months) <= most:
            return [(year_of(m), m.strftime("%Y-%m")) for m in chosen_months]
    return [(year_of(m), m.strftime("%Y-%m")) for m in months[:: max(1, len(months) // most)]]


def count_ticks(top: int, target: int, most: int = 5) -> list[int]:
    """Round counts from 0 to at most *top* (0, 25, 50, 75, 100), and the target among them
    (those too close to it left out)."""
    ticks = _round_counts(top, most)
    near = max(1, top // (most * 2))
    if target < near:  # too close to 0 to be labelled apart: the key names it
        return ticks
    return sorted({0, target, *(t for t in ticks if abs(t - target) >= near)})


def _round_counts(top: int, most: int) -> list[int]:
    """0 to *top* in at most *most* steps of 1, 2, 2.5 or 5 times a power of ten."""
    scale = 1
    while True:
        for unit in (1, 2, 5, 10) if scale == 1 else (10, 20, 25, 50):
            step = unit * scale // (1 if scale == 1 else 10)
            if top // step + 1 <= most:
                return list(range(0, top + 1, step))
        scale *= 10


# -- the terminal --------------------------------------------------------------------------


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False) or [""]


def _packed(parts: list[str], width: int, gap: str = "   ") -> list[str]:
    """*parts* side by side, as many to a line as fit (a part is never split)."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(gap) + len(part) <= width:
            lines[-1] += gap + part
        else:
            lines.append(part)
    return lines


def legend(data: BurnUp) -> list[str]:
    """The key under the chart: each mark and what it stands for."""
    parts = [f"{COMPANIES_KEY} companies ({data.count})", f"{TARGET_MARK} target {data.target}"]
    for mark, p in zip(PROJECTION_MARKS, data.projections, strict=False):
        parts.append(f"{mark} pace over {p.label}, {float(p.per_month):.2f}/month")
    if data.milestones:
        parts.append(f"{MILESTONE_MARK} reported milestone")
    return parts


def _milestone_labels(data: BurnUp, columns: int, rows: int) -> list[tuple[float, int, str]]:
    """Each milestone's point and number (``1``); those that would share a cell's
    neighbourhood at this size are drawn once, numbered together (``1,2``)."""
    x0, x1 = year_of(data.start), year_of(data.end)
    placed: list[tuple[int, int, float, int, list[str]]] = []
    for n, m in enumerate(data.milestones, start=1):
        x = year_of(m.when)
        col = round((x - x0) / (x1 - x0 or 1) * columns)
        row = round(m.reported / data.top * rows)
        for c, r, _x, _y, names in placed:
            if abs(c - col) <= 3 and abs(r - row) <= 1:
                names.append(str(n))
                break
        else:
            placed.append((col, row, x, m.reported, [str(n)]))
    return [(x, y, ",".join(names)) for _c, _r, x, y, names in placed]


def draw(data: BurnUp, width: int = 80, colour: bool = False, height: int | None = None) -> str:
    """The chart as text *width* columns wide, with its key and notes under it; colour
    codes only when *colour*."""
    import plotext

    width = max(40, width)
    height = height or max(12, min(22, width // 4))
    fig: Any = plotext.figure
    fig.clear.all()
    fig.theme("simple" if colour else "colorless")
    fig.plot_size(width, height)
    fig.legend(False)
    x0, x1 = year_of(data.start), year_of(data.end)
    # the target first, so that everything else is drawn over it
    fig.draw(fig.segment((x0, x1), (data.target, data.target), marker=TARGET_MARK))
    xs: list[float] = []
    ys: list[float] = []
    previous = 0
    for day, n in data.steps:
        xs += [year_of(day), year_of(day)]
        ys += [previous, n]
        previous = n
    if xs:
        xs.append(year_of(data.as_of))
        ys.append(previous)
        fig.draw(fig.signal(xs, ys, marker=COMPANIES_MARK).lines(True))
    for mark, p in zip(PROJECTION_MARKS, data.projections, strict=False):
        fig.draw(
            fig.segment(
                (year_of(p.start), year_of(p.end)), (p.start_count, p.end_count), marker=mark
            )
        )
    cell = (x1 - x0) / max(1, width - 8)
    for x, y, label in _milestone_labels(data, width - 8, height - 4):
        fig.draw(fig.signal([x], [y], marker=MILESTONE_MARK))
        fig.draw(fig.text(x + 2 * cell, y, label))
    ticks = year_ticks(data.start, data.end, max(2, (width - 8) // 9))
    fig.ruler("x").ticks([t for t, _ in ticks], [label for _, label in ticks])
    fig.ruler("x").lim(x0, x1)
    counts = count_ticks(data.top, data.target)
    fig.ruler("y").ticks(counts, [str(c) for c in counts])
    fig.ruler("y").lim(0, data.top)
    if data.title:
        fig.title(data.title)
    chart = str(fig.build().string(colorless=not colour))
    fig.clear.all()
    lines = [line.rstrip() for line in chart.splitlines()]
    lines += _packed(legend(data), width)
    for n, m in enumerate(data.milestones, start=1):
        lines += _wrap(f"{MILESTONE_MARK}{n} {m.label}", width)
    for note in data.notes:
        lines += _wrap(note, width)
    return "\n".join(lines) + "\n"


# -- from a progress result ----------------------------------------------------------------


def from_progress(inv: "InvestorProgress", as_of: dt.date) -> BurnUp:
    """The burn-up of one investor's progress."""
    paces = []
    whole, trailing = inv.whole, inv.trailing
    if whole is not None and whole.per_month is not None:
        paces.append(PaceLine(whole.per_month, "the whole period"))
    elif inv.pace_per_month is not None:
        paces.append(PaceLine(inv.pace_per_month, "the whole period"))
    if (
        trailing is not None
        and trailing.per_month is not None
        and (whole is None or trailing.since != whole.since)
    ):
        paces.append(PaceLine(trailing.per_month, f"the last {trailing.months:.0f} months"))
    milestones = [
        Milestone(
            m.by.end,
            m.reported,
            f"{m.by}: about {m.reported} {m.what} reported; {m.held} held in ecoport by then.",
        )
        for m in inv.milestones
    ]
    return burn_up_data(
        inv.entries,
        target=inv.target,
        as_of=as_of,
        companies=inv.companies,
        paces=paces,
        milestones=milestones,
        title=f"{inv.investor}: {inv.companies} of {inv.target} companies",
    )


def burn_up(inv: "InvestorProgress", as_of: dt.date, width: int, colour: bool) -> str:
    """One investor's burn-up chart as text, *width* columns wide (see draw)."""
    return draw(from_progress(inv, as_of), width=width, colour=colour)


def colour_wanted() -> bool:
    """Colour on a terminal that takes it: not into a pipe, not with NO_COLOR set, not on a
    dumb terminal."""
    return (
        sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM", "") != "dumb"
    )


def show_burn_ups(result: "Progress") -> None:
    """Print each investor's burn-up chart, fitted to the output's width: coloured on a
    terminal, plain characters into a pipe or with NO_COLOR set."""
    from ecoport.render import blank, width

    colour = colour_wanted()
    for inv in result.investors:
        blank()
        text = burn_up(inv, result.as_of, min(width(), 120), colour)
        try:
            sys.stdout.write(text)
        except BrokenPipeError:
            raise SystemExit(0) from None
