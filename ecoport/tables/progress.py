"""progress on a terminal: a bar toward the target, what was counted, the pace, the money,
and a table of sectors that fits the width."""

from decimal import Decimal

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
from ecoport.services.progress import InvestorProgress, Progress
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
    say(f"Counted: {inv.counted}.")
    if inv.target_note:
        say(f"Target: {inv.target_note}", style="dim")
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
    say(_pace_line(inv, result))
    invested = "; ".join(money(m.amount, m.currency, exact=exact) for m in inv.invested)
    total = money(inv.invested_in.amount, into, exact=exact)
    say(
        f"Invested (disclosed): {total} ({invested or 'nothing disclosed'}); amounts "
        f"undisclosed for {inv.undisclosed_amounts:,} of "
        f"{plural(inv.transactions, 'transaction')}."
    )
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


def _pace_line(inv: InvestorProgress, result: Progress) -> str:
    if inv.pace_per_month is None:
        return "Pace: not enough time elapsed to measure."
    since = (
        f"Pace: {inv.pace_per_month:.2f} companies a month from {inv.pace_since} to {result.as_of}"
    )
    if inv.target_reached:
        return f"{since}; target reached on {inv.target_date}."
    if inv.target_date is None:
        return f"{since}; at that pace the target is out of reach."
    return f"{since}; at that pace the target of {inv.target:,} falls on {inv.target_date}."
