"""Positions as of a date, look-through interests and classes: exact where disclosed, ranges
where not (pure arithmetic on Decimal percents, no I/O)."""

from collections import defaultdict
from collections.abc import (
    Callable,
    Collection,
    Hashable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Generic, NamedTuple, TypeVar

from ecoport.core.ownership import Kind

ZERO = Decimal(0)
HUNDRED = Decimal(100)
#: How many links a walk through holdings follows at most (a path of holdings this long is
#: far beyond any real ecosystem; it bounds the work on dense data).
MAX_DEPTH = 6

N = TypeVar("N", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Range:
    """A percentage known to lie between *low* and *high* (equal when it is exact)."""

    low: Decimal
    high: Decimal

    @property
    def exact(self) -> Decimal | None:
        return self.low if self.low == self.high else None

    def through(self, link: "Range") -> "Range":
        """This share of a holder that holds *link* of a company: the product of the two."""
        return Range(
            (self.low * link.low).scaleb(-2),
            (self.high * link.high).scaleb(-2),
        )

    def describe(self, places: int = 4) -> str:
        """``19.3%`` when exact, ``0–80.7%`` when not; at most *places* decimals, a range
        rounded outward so that it still holds the truth."""
        if self.low == self.high:
            return f"{_shown(self.low, places, ROUND_HALF_UP)}%"
        low = _shown(self.low, places, ROUND_FLOOR)
        return f"{low}–{_shown(self.high, places, ROUND_CEILING)}%"

    def text(self, places: int = 6) -> tuple[str, str]:
        """Both bounds as decimal strings for JSON and CSV (outward, at most *places*)."""
        if self.low == self.high:
            same = _shown(self.low, places, ROUND_HALF_UP)
            return same, same
        return _shown(self.low, places, ROUND_FLOOR), _shown(self.high, places, ROUND_CEILING)


NOTHING = Range(ZERO, ZERO)
WHOLE = Range(HUNDRED, HUNDRED)


def _shown(value: Decimal, places: int, rounding: str) -> str:
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=rounding)
    text = f"{rounded:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- positions of one company's holders ------------------------------------------------


class State(StrEnum):
    """Where a holding stands after its events."""

    HELD = "held"
    EXITED = "exited"  # an exit, or sales of all of it
    WRITTEN_OFF = "written-off"
    ACQUIRED = "acquired"  # another holder acquired the whole company


class Event(NamedTuple):
    """One stake event in a company, as stored (compact: no ORM object)."""

    date: str
    """First day of the period, ISO ``YYYY-MM-DD``."""
    precision: str
    """``year``, ``month`` or ``day``."""
    holder: int
    kind: Kind
    percent: Decimal | None
    round_id: int | None = None
    seq: int = 0
    """Breaks ties between events of the same date (the stake's id)."""


class Round(NamedTuple):
    """A funding round of the company with a disclosed total and post-money valuation, both
    in minor units of the round's one currency."""

    id: int
    date: str
    precision: str
    total: int
    valuation: int


@dataclass(frozen=True, slots=True)
class Position:
    """What a holder holds of a company after its events (see fold)."""

    low: Decimal
    high: Decimal
    state: State
    date: str
    """The latest event that shaped the holding (a stake, a dilution, the acquisition that
    ended it): first day of its period..."""
    precision: str
    """...and that period's precision."""
    by: int | None = None
    """The acquirer, when another's acquisition ended the holding."""

    @property
    def active(self) -> bool:
        return self.state is State.HELD

    @property
    def range(self) -> Range:
        return Range(self.low, self.high)


_RANK = {"year": 0, "month": 1, "day": 2}

#: An Event as a plain tuple, as a reader builds it from a row (the same fields in order).
EventRow = tuple[str, str, int, Kind, Decimal | None, int | None, int]


def _full(kind: Kind, percent: Decimal | None) -> bool:
    """An acquisition of the whole company (100 %, or a percent not given)."""
    return kind is Kind.ACQUISITION and (percent is None or percent >= HUNDRED)


def _adds(kind: Kind, percent: Decimal | None) -> bool:
    """An event that only adds to its holder's position, whenever it comes."""
    return kind is Kind.INVESTMENT or (
        kind is Kind.ACQUISITION and percent is not None and percent < HUNDRED
    )


class _Holding:
    """A holder's position while its company's events are folded: the least its disclosed
    events imply, and the most its own events allow (None: they do not bound it)."""

    __slots__ = ("by", "date", "high", "low", "precision", "state")

    def __init__(self, date: str, precision: str) -> None:
        self.low = ZERO
        self.high: Decimal | None = ZERO
        self.state = State.HELD
        self.date = date
        self.precision = precision
        self.by: int | None = None

    def end(self, state: State) -> None:
        self.low, self.high, self.state = ZERO, ZERO, state


def fold(
    events: Iterable[EventRow],
    rounds: Iterable[Round] = (),
    *,
    wanted: Collection[int] | None = None,
    others: Decimal = ZERO,
) -> dict[int, Position]:
    """Every holder's position in one company after *events* and *rounds* (in any order);
    only those of the *wanted* holders when given. *others* is the least held by holders
    whose events are not in *events* because they only add (summed by the reader).

    Events apply in date order (a coarser date first), a round before the stakes of its
    date, an acquisition of the whole company after them. An investment (or an
    acquisition of less than 100 %) adds its percent, a sale subtracts it, a holding
    replaces it; an exit or a write-off ends the position; an acquisition of 100 % (or of
    an undisclosed percent) ends every other holder's. A round with a total and a post-money
    valuation dilutes every earlier holder by total ÷ valuation, except those whose percent
    the round disclosed. Where a percent is undisclosed the position is a range: at least
    what the disclosed events imply, at most what the others' least leaves of 100 %.
    """
    rows = list(events)
    diluting = [r for r in rounds if 0 < r.total < r.valuation]  # else it dilutes no one
    if diluting or not all(_adds(row[3], row[4]) for row in rows):
        held = _in_order(rows, diluting)
    else:  # only additions: their order does not matter (the common case, kept fast)
        held = _summed(rows)
    return _bounded(held, wanted, others)


def fold_invested(events: Sequence[EventRow], others: Decimal = ZERO) -> Position | None:
    """``fold(events, others=others)`` for the commonest company: one holder whose events
    are all investments (no round given): its position, worked out as fold works it out
    (the same Decimal operations, so the same values to the last digit) without fold's
    bookkeeping; None for any other events (fold them)."""
    holder = events[0][2]
    low = ZERO
    high: Decimal | None = ZERO
    date, precision = events[0][0], events[0][1]
    rank = _RANK
    for when, prec, who, kind, percent, _round, _seq in events:
        if who != holder or kind is not Kind.INVESTMENT:
            return None
        if (when, rank[prec]) > (date, rank[precision]):
            date, precision = when, prec
        if percent is None:
            high = None
        else:
            low += percent
            if high is not None:
                high += percent
    least = others + (ZERO + low)  # as _bounded sums the holders' least
    room = HUNDRED - (least - low)
    top = min(HUNDRED if high is None else high, room)
    low = min(low, HUNDRED)
    return Position(low, max(top, low), State.HELD, date, precision)


def _summed(rows: list[EventRow]) -> dict[int, _Holding]:
    held: dict[int, _Holding] = {}
    for date, precision, holder, _kind, percent, _round, _seq in rows:
        h = held.get(holder)
        if h is None:
            h = held[holder] = _Holding(date, precision)
        elif (date, _RANK[precision]) > (h.date, _RANK[h.precision]):
            h.date, h.precision = date, precision
        if percent is None:
            h.high = None
        else:
            h.low += percent
            if h.high is not None:
                h.high += percent
    return held


def _in_order(rows: list[EventRow], rounds: list[Round]) -> dict[int, _Holding]:
    rank = _RANK

    def when(row: EventRow) -> tuple[str, int, int, int]:
        return (row[0], rank[row[1]], 2 if _full(row[3], row[4]) else 1, row[6])

    rows.sort(key=when)
    items: list[EventRow | Round] = list(rows)
    exempt: dict[int, set[int]] = defaultdict(set)
    if rounds:  # rare: merged in, each before the stakes of its date
        for _d, _p, holder, _k, percent, round_id, _s in rows:
            if round_id is not None and percent is not None:
                exempt[round_id].add(holder)
        items += rounds
        items.sort(
            key=lambda i: (i.date, rank[i.precision], 0, i.id) if isinstance(i, Round) else when(i)
        )

    held: dict[int, _Holding] = {}
    for item in items:
        if isinstance(item, Round):
            _dilute(held, item, exempt.get(item.id, set()))
            continue
        date, precision, holder, kind, percent, _round, _s = item
        h = held.get(holder)
        if h is None or h.state is not State.HELD:
            if kind in _ENDING:  # a sale, exit or write-off of nothing held
                if h is None:
                    h = held[holder] = _Holding(date, precision)
                    h.end(State.WRITTEN_OFF if kind is Kind.WRITE_OFF else State.EXITED)
                continue
            h = held[holder] = _Holding(date, precision)
        h.date, h.precision = date, precision
        if _full(kind, percent):
            for other, oh in held.items():
                if other != holder and oh.state is State.HELD:
                    oh.end(State.ACQUIRED)
                    oh.by, oh.date, oh.precision = holder, date, precision
            h.low, h.high = HUNDRED, HUNDRED
        else:
            _apply(h, kind, percent)
    return held


_ENDING = (Kind.SALE, Kind.EXIT, Kind.WRITE_OFF)


def _apply(h: _Holding, kind: Kind, percent: Decimal | None) -> None:
    if kind is Kind.INVESTMENT or kind is Kind.ACQUISITION:
        if percent is None:
            h.high = None
        else:
            h.low += percent
            h.high = None if h.high is None else h.high + percent
    elif kind is Kind.HOLDING:
        if percent is None:
            h.high = None  # it holds something; what it held before is the least known
        else:
            h.low = h.high = percent
    elif kind is Kind.SALE:
        if percent is None:
            h.low = ZERO  # any part may have gone; at most what it held
        else:
            h.low = max(h.low - percent, ZERO)
            if h.high is not None:
                h.high = max(h.high - percent, ZERO)
                if h.high == 0:
                    h.end(State.EXITED)
    else:
        h.end(State.WRITTEN_OFF if kind is Kind.WRITE_OFF else State.EXITED)


def _dilute(held: dict[int, _Holding], r: Round, exempt: set[int]) -> None:
    kept = 1 - Decimal(r.total) / Decimal(r.valuation)
    for holder, h in held.items():
        if h.state is State.HELD and holder not in exempt:
            h.low *= kept
            # whatever it held, the round's new shares leave it at most this much
            h.high = (HUNDRED if h.high is None else h.high) * kept
            h.date, h.precision = r.date, r.precision


def _bounded(
    held: dict[int, _Holding], wanted: Collection[int] | None, others: Decimal
) -> dict[int, Position]:
    least = others + sum((h.low for h in held.values() if h.state is State.HELD), ZERO)
    out: dict[int, Position] = {}
    for holder, h in held.items():
        if wanted is not None and holder not in wanted:
            continue
        if h.state is State.HELD:
            low = min(h.low, HUNDRED)
            room = HUNDRED - (least - h.low)  # what the others' least leaves
            high = min(HUNDRED if h.high is None else h.high, room)
            out[holder] = Position(low, max(high, low), h.state, h.date, h.precision)
        else:
            out[holder] = Position(ZERO, ZERO, h.state, h.date, h.precision, h.by)
    return out


# -- the rules a new event must keep ---------------------------------------------------


def overheld(events: Iterable[EventRow], rounds: Iterable[Round] = ()) -> list[tuple[str, Decimal]]:
    """One company's events: each date after which its holders' least positions (what
    their disclosed events imply, folded as `fold` folds them, dilution included) add up
    to more than 100 %, with that sum (not capped, so a single holder's 120 % shows)."""
    rows = sorted(events, key=lambda r: (r[0], _RANK[r[1]]))
    diluting = [r for r in rounds if 0 < r.total < r.valuation]
    found: list[tuple[str, Decimal]] = []
    for date in sorted({r[0] for r in rows}):
        held = _in_order([r for r in rows if r[0] <= date], [r for r in diluting if r.date <= date])
        total = sum((h.low for h in held.values() if h.state is State.HELD), ZERO)
        if total > HUNDRED:
            found.append((date, total))
    return found


def holding_before(
    events: Iterable[EventRow], holder: int, until: str, rounds: Iterable[Round] = ()
) -> Position | None:
    """What *holder* holds after the events dated up to *until* (inclusive), or None when
    it never held anything by then (its position ended, it has a state other than held)."""
    upto = [r for r in events if r[0] <= until]
    held = _in_order(upto, [r for r in rounds if r.date <= until and 0 < r.total < r.valuation])
    h = held.get(holder)
    if h is None:
        return None
    return _bounded(held, [holder], ZERO)[holder]


# -- look-through -----------------------------------------------------------------------

#: A holder's active direct holdings: holder -> [(held, range)].
Holdings = Mapping[N, Sequence[tuple[N, Range]]]


def paths(
    start: N, holdings: Holdings[N], *, max_depth: int = MAX_DEPTH
) -> Iterator[tuple[tuple[N, ...], Range]]:
    """Every path of holdings from *start*, depth-first in the holdings' order, with the
    product of its links' ranges. Cycle convention: a path never passes through a company
    twice (*start* included), so a cross-holding is counted once on each path and a cycle
    ends the path where it would close. A link held at 0 % at most ends the path too."""
    stack: list[tuple[tuple[N, ...], Range]] = [((start,), WHOLE)]
    while stack:
        path, share = stack.pop()
        if len(path) > 1:
            yield path, share
        if len(path) > max_depth:
            continue
        nexts = [
            ((*path, held), share.through(link))
            for held, link in holdings.get(path[-1], ())
            if held not in path and link.high != 0
        ]
        stack.extend(reversed(nexts))


def tops(start: N, holdings: Holdings[N], *, max_depth: int = MAX_DEPTH) -> set[N]:
    """Where the paths from *start* end: the last company of each path that cannot go on
    (nothing further, only companies already on it, or *max_depth* reached). Upward,
    these are the ultimate owners; in a cycle, the company at which it closes."""
    ends: set[N] = set()
    for path, _share in paths(start, holdings, max_depth=max_depth):
        onward = len(path) <= max_depth and any(
            held not in path and link.high != 0 for held, link in holdings.get(path[-1], ())
        )
        if not onward:
            ends.add(path[-1])
    return ends


def look_through(start: N, holdings: Holdings[N], *, max_depth: int = MAX_DEPTH) -> dict[N, Range]:
    """*start*'s effective interest in each company it reaches: the sum over every path
    (see paths) of the product of the percents along it, lower bounds with lower bounds,
    upper with upper (an upper bound is at most 100 %)."""
    low: dict[N, Decimal] = defaultdict(Decimal)
    high: dict[N, Decimal] = defaultdict(Decimal)
    for path, share in paths(start, holdings, max_depth=max_depth):
        low[path[-1]] += share.low
        high[path[-1]] += share.high
    return {c: Range(min(low[c], HUNDRED), min(high[c], HUNDRED)) for c in low}


# -- classes ----------------------------------------------------------------------------


class HoldingClass(StrEnum):
    """What a company is to an investor."""

    SUBSIDIARY = "subsidiary"
    ASSOCIATE = "associate"
    INVESTMENT = "investment"


@dataclass(frozen=True, slots=True)
class Thresholds:
    subsidiary: Decimal = Decimal(50)
    """A subsidiary is held at more than this, directly or through subsidiaries (control)."""
    associate: Decimal = Decimal(20)
    """An associate at this or more (IAS 28's presumption of significant influence)."""


@dataclass(frozen=True, slots=True)
class Classes(Generic[N]):
    """Each company's class for one investor: by what is known (the least of every range),
    and the most it could be (the greatest)."""

    known: dict[N, HoldingClass]
    at_most: dict[N, HoldingClass]
    group: dict[N, Range]
    """The group's holding: the investor's own plus its subsidiaries' (not multiplied)."""

    def of(self, company: N) -> tuple[HoldingClass, HoldingClass]:
        inv = HoldingClass.INVESTMENT
        return self.known.get(company, inv), self.at_most.get(company, inv)


def classify(start: N, holdings: Holdings[N], thresholds: Thresholds = Thresholds()) -> Classes[N]:
    """The class of every company *start* holds directly or through others.

    A company is a subsidiary when the investor and its subsidiaries together hold more
    than the subsidiary threshold of it (their whole holdings summed, as control is, not
    multiplied as interest is); an associate when they hold the associate threshold or
    more; else an investment. Known classes use the least of each range, the most-could-be
    the greatest."""
    lows, known = _group(start, holdings, thresholds, lambda r: r.low)
    highs, at_most = _group(start, holdings, thresholds, lambda r: r.high)
    return Classes(
        known=dict(known),
        at_most=dict(at_most),
        group={c: Range(lows.get(c, ZERO), highs[c]) for c in highs},
    )


def _group(
    start: N,
    holdings: Holdings[N],
    thresholds: Thresholds,
    bound: Callable[[Range], Decimal],
) -> tuple[dict[N, Decimal], dict[N, HoldingClass]]:
    group: dict[N, Decimal] = defaultdict(Decimal)
    subsidiaries = {start}
    todo = [start]
    while todo:  # each subsidiary's holdings join the group once, when it becomes one
        holder = todo.pop()
        for held, link in holdings.get(holder, ()):
            if held == start:
                continue  # the investor's own shares held by a subsidiary are no holding
            group[held] = min(group[held] + bound(link), HUNDRED)
            if held not in subsidiaries and group[held] > thresholds.subsidiary:
                subsidiaries.add(held)
                todo.append(held)
    classes = {
        c: HoldingClass.SUBSIDIARY
        if c in subsidiaries
        else HoldingClass.ASSOCIATE
        if share >= thresholds.associate
        else HoldingClass.INVESTMENT
        for c, share in group.items()
    }
    return dict(group), classes


def reached(
    start: N,
    holdings: Holdings[N],
    thresholds: Thresholds = Thresholds(),
    *,
    associates: bool = False,
) -> set[N]:
    """Companies *start* holds no stake in but reaches through its ecosystem: held by a
    company known to be its subsidiary (or, with *associates*, its associate), walking on
    through those that are such to it in turn. A chain through a stake of unknown size
    stops there: a minority stake is not the investor's ecosystem."""
    classes = classify(start, holdings, thresholds)
    allowed = (
        {HoldingClass.SUBSIDIARY, HoldingClass.ASSOCIATE}
        if associates
        else {HoldingClass.SUBSIDIARY}
    )
    direct = {held for held, _ in holdings.get(start, ())}
    found: set[N] = set()
    seen = {start}
    todo = [c for c in direct if classes.known.get(c) in allowed]
    seen.update(todo)
    while todo:
        holder = todo.pop()
        for held, _link in holdings.get(holder, ()):
            if held in seen:
                continue
            seen.add(held)
            if held not in direct:
                found.add(held)
            if classes.known.get(held) in allowed:
                todo.append(held)
    return found
