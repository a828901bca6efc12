"""progress on a terminal: a bar toward the target, what was counted, the pace, the money,
and a table of sectors that fits the width."""

from decimal import Decimal

from ecoport.core.pace import Projection, quarter
from ecoport.emit import Style, table_for
from ecoport.layout import Column, cell_len
from ecoport.render import (
    blank,
    console,
    conversion_footer,
    money,
    printable,
    rounds_line,
    say,
    table,
    width,
)
from ecoport.services.progress import InvestorProgress, Milestone, Progress, ProgressHistory
from ecoport.words import plural

#: How many of the companies reached through the ecosystem are named on the terminal.
NAMED = 5


@table_for(Progress)
def progress(result: Progress, style: Style) -> None:
    for n, inv in enumerate(result.investors):
        if n:
            blank()
        _investor(inv, result, style)


def _investor(inv: InvestorProgress, result: Progress, style: Style) -> None:
    exact = style.exact
    into = inv.invested_in.currency
    _bar(inv)
    say(
        f"Counted: every company {inv.investor} ever held a direct stake in "
        f"({inv.companies:,}); {inv.held_now:,} held now, {inv.no_longer_held:,} no longer."
    )
    if inv.target_default:
        say(f"Target: {inv.target:,} (default; set one with `ecoport target set`).")
    elif inv.target_note:
        say(f"Target: {inv.target_note}", style="dim")
    for m in inv.milestones:
        say(_milestone_line(m))
    if inv.entry_unknown:
        shown = "; ".join(
            f"{u.company}, first reported {u.first_reported}" for u in inv.entry_unknown[:NAMED]
        )
        more = len(inv.entry_unknown) - NAMED
        shown += f"; and {more} more" if more > 0 else ""
        say(
            f"Entry date unknown for {plural(len(inv.entry_unknown), 'company')} known only "
            f"from a reported holding ({shown}): counted, left out of the pace."
        )
    if not inv.through_portfolio:
        say(
            f"Not counted: no company reached only through {inv.through} "
            f"(`ecoport tree {inv.investor}` shows every holding)."
        )
    else:
        names = ", ".join(inv.through_portfolio[:NAMED])
        more = len(inv.through_portfolio) - NAMED
        say(
            f"Not counted: {plural(len(inv.through_portfolio), 'more company', 'more companies')}"
            f" reached only through {inv.through} ({names}"
            f"{f' and {more} more' if more > 0 else ''})."
        )
    if inv.first_stake and inv.latest_stake:
        say(
            f"First stake {inv.first_stake.date} ({inv.first_stake.startup}), "
            f"latest {inv.latest_stake.date} ({inv.latest_stake.startup})."
        )
    for line in _pace_lines(inv, result):
        say(line)
    if inv.sector_goals:
        goals = "; ".join(
            f"{g.sector} {g.companies:,} of {g.target:,} ({g.companies * 100 // g.target}%)"
            for g in inv.sector_goals
        )
        say(f"Sector targets: {goals}.")
    invested = "; ".join(money(m.amount, m.currency, exact=exact) for m in inv.invested)
    total = money(inv.invested_in.amount, into, exact=exact)
    say(
        f"Invested (disclosed): {total} ({invested or 'nothing disclosed'}); amounts "
        f"undisclosed for {inv.undisclosed_amounts:,} of "
        f"{plural(inv.transactions, 'transaction')}."
    )
    if inv.worth is not None and inv.worth.counted:
        say(_worth_line(inv, into, exact))
    taken = rounds_line(inv.in_rounds.to_json(), exact=exact)
    if taken:
        say(taken)
    rows = []
    for s in inv.sectors:
        share = Decimal(s.companies * 100) / Decimal(inv.companies or 1)
        rows.append(
            [
                s.sector,
                f"{s.companies:,}",
                f"{share:.0f}%",
                "\n".join(money(m.amount, m.currency, exact=exact) for m in s.invested) or "-",
                money(s.invested_in, into, exact=exact) if s.invested else "-",
                f"{s.undisclosed_amounts:,} of {s.transactions:,}",
            ]
        )
    blank()
    table(
        rows,
        [
            Column("Sector", least=12),
            Column("Companies", right=True, keep=True),
            Column("Share", priority=3, right=True, keep=True),
            Column("Invested (disclosed)", priority=4, prose=True, least=12),
            Column(f"In {into}", priority=1, right=True, keep=True),
            Column("Undisclosed", priority=2, right=True, keep=True),
        ],
        wide=style.wide,
    )
    blank()
    conversion_footer(inv.invested_in.to_json())


def _bar(inv: InvestorProgress) -> None:
    """``Xiaomi: 15 of 100 companies  ━━━━━━      15.00%``: the bar as wide as the line
    leaves room for (at most 40), on a line of its own when the words take the line."""
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    label = Text.assemble(
        (printable(inv.investor), "bold"),
        f": {inv.companies:,} of {inv.target:,} companies",
    )
    share = f"{inv.percent_of_target}%"
    room = width() - cell_len(label.plain) - cell_len(share) - 4
    bar = ProgressBar(
        total=inv.target,
        completed=min(inv.companies, inv.target),
        width=min(40, max(room, width() - cell_len(share) - 2)),
    )
    out = console()
    grid = Table.grid(padding=(0, 2))
    if room >= 10:
        bar.width = min(40, room)
        grid.add_row(label, bar, share)
    else:
        out.print(label)
        grid.add_row(bar, share)
    out.print(grid)


def _milestone_line(m: Milestone) -> str:
    """``By 2014-12: reported 25 connected-device companies; ecoport holds 7 by then (28%:
    the data covers only part of what was reported).``"""
    share = m.held * 100 // m.reported
    cover = (
        f"{share}%: the data covers only part of what was reported"
        if m.held < m.reported
        else "the data covers what was reported"
    )
    return (
        f"Milestone {m.by}: reported {m.reported:,} {m.what}; ecoport holds "
        f"{m.held:,} by then ({cover})."
    )


def _per_month(p: Projection) -> str:
    rate = "-" if p.per_month is None else f"{p.per_month:.2f}"
    return f"{rate} a month ({plural(p.companies, 'entry', 'entries')})"


def _pace_lines(inv: InvestorProgress, result: Progress) -> list[str]:
    whole, trailing = inv.whole, inv.trailing
    if whole is None or whole.per_month is None:
        return ["Pace: not enough time elapsed to measure."]
    recent = ""
    if trailing is not None:
        recent = f"; {_per_month(trailing)} in the last {trailing.months:.0f} months"
    lines = [f"Pace: {_per_month(whole)} from {whole.since} to {result.as_of}{recent}."]
    if inv.target_reached:
        lines.append(f"Target of {inv.target:,} reached on {inv.target_date}.")
        return lines
    between = inv.falls_between
    horizon = f"{inv.horizon_years} years"
    if between is not None:
        low, high = (quarter(d) for d in between)
        when = low if low == high else f"between {low} and {high}"
        lines.append(f"At these paces the target of {inv.target:,} falls {when}.")
    elif whole.falls is not None:
        lines.append(
            f"At the whole-period pace the target of {inv.target:,} falls in "
            f"{quarter(whole.falls)}; not within {horizon} at the recent pace."
        )
    elif trailing is not None and trailing.falls is not None:
        lines.append(
            f"At the recent pace the target of {inv.target:,} falls in "
            f"{quarter(trailing.falls)}; not within {horizon} at the whole-period pace."
        )
    else:
        lines.append(
            f"Target of {inv.target:,}: not at the current pace (not within {horizon} at "
            "either pace)."
        )
    return lines


@table_for(ProgressHistory)
def history(result: ProgressHistory, style: Style) -> None:
    into = result.currency
    for n, inv in enumerate(result.investors):
        if n:
            blank()
        say(f"{inv.investor}: by {result.by}, to {result.as_of}", style="bold")
        table(
            (
                [
                    p.period,
                    f"{p.new:,}",
                    f"{p.first_reported:,}" if p.first_reported else "",
                    f"{p.cumulative:,}",
                    f"{p.exits:,}" if p.exits else "",
                    money(p.money_in, into, exact=style.exact) if p.money_in else "-",
                ]
                for p in inv.periods
            ),
            [
                Column("Period", keep=True),
                Column("New", right=True, keep=True),
                Column("Reported", priority=2, right=True, keep=True),
                Column("Cumulative", right=True, keep=True),
                Column("Exits", priority=1, right=True, keep=True),
                Column(f"Money in ({into})", priority=3, right=True, keep=True),
            ],
            wide=style.wide,
        )
    say(
        "New: a first investment or acquisition in the period; Reported: companies known "
        "only from a holding reported then; Exits: holdings that ended.",
        style="dim",
    )


def _worth_line(inv: InvestorProgress, into: str, exact: bool) -> str:
    """``Value (marked): USD 1.77bn for 3 of 15 positions, 2.92x what they cost (see
    `ecoport returns`).``"""
    from ecoport.core.returns import Unknown
    from ecoport.tables.returns import multiple

    row = inv.worth
    assert row is not None
    f = row.figures
    value = "n/a"
    if not isinstance(f.unrealised, Unknown):
        low = money(f.unrealised.low, into, exact=exact)
        high = money(f.unrealised.high, into, exact=exact).removeprefix(into + " ")
        value = low if f.unrealised.low == f.unrealised.high else f"{low}–{high}"
    return (
        f"Value (marked): {value} for {row.counted:,} of "
        f"{plural(row.positions, 'position')} whose cost and mark are known, "
        f"{multiple(f.moic)} what they cost (`ecoport returns` says why the others are not)."
    )
