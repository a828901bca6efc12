"""Marks on a terminal: a list of marks, one mark's details, the positions missing one."""

from ecoport.core.money import compact, format_money
from ecoport.emit import Style, table_for
from ecoport.services.marks import MarkList, MarkRow, MarkShown, MissingMarks


def value_text(mark: MarkRow, *, exact: bool = False) -> str:
    """``CNY 700.00bn``; ``nothing (written off)``; a price with its share count."""
    if mark.currency is None:
        return "nothing (written off)"
    shown = (format_money if exact else compact)(mark.valuation, mark.currency)
    if mark.price is not None and mark.shares is not None:
        price = format_money(mark.price, mark.currency)
        return f"{shown} ({price} x {mark.shares:,} shares)"
    return shown


def describe(mark: MarkRow) -> str:
    """``mark 3 of Midea Group on 2020-12-31: valuation CNY 700.00bn``."""
    what = "written off" if mark.currency is None else f"{mark.kind.value} {value_text(mark)}"
    return f"mark {mark.id} of {mark.company} on {mark.date}: {what}"


def added_line(mark: MarkRow) -> str:
    return f"Added {describe(mark)}"


@table_for(MarkList)
def mark_list(result: MarkList, style: Style) -> None:
    from ecoport.layout import Column
    from ecoport.render import info, table
    from ecoport.words import no_match

    if not result.marks:
        info(no_match("marks"), quiet=style.quiet)
        return
    columns = [
        Column("ID", right=True, keep=True),
        Column("Company"),
        Column("Date", keep=True),
        Column("Kind", keep=True),
        Column("Value", right=True, keep=True),
        Column("Source", priority=2),
    ]
    table(
        (
            [
                str(m.id) if m.kind.given else "",
                m.company,
                str(m.date),
                m.kind.value if m.kind.given else f"{m.kind.value} {m.id}",
                value_text(m, exact=style.exact),
                m.source or "",
            ]
            for m in result.marks
        ),
        columns,
        wide=style.wide,
    )


@table_for(MarkShown)
def mark_shown(result: MarkShown, style: Style) -> None:
    from ecoport.render import details

    m = result.mark
    details(
        [
            ("Company", m.company),
            ("Date", str(m.date)),
            ("Kind", m.kind.value),
            ("Value", value_text(m, exact=style.exact)),
            ("Source", m.source or ""),
            ("Note", m.note or ""),
        ],
        heading=f"Mark {m.id}",
    )


@table_for(MissingMarks)
def missing(result: MissingMarks, style: Style) -> None:
    from ecoport.core.positions import Range
    from ecoport.layout import Column
    from ecoport.render import info, table
    from ecoport.words import plural

    rows = [
        [
            u.investor,
            u.company,
            Range(u.low, u.high).describe(),
            "none" if u.mark is None else f"{u.mark.label} ({u.mark.kind.value})",
            "" if u.months is None else str(u.months),
        ]
        for u in result.positions
    ]
    table(
        rows,
        [
            Column("Investor", priority=3),
            Column("Company"),
            Column("Held", right=True, keep=True),
            Column("Latest mark", keep=True),
            Column("Months old", right=True, keep=True),
        ],
        wide=style.wide,
    )
    n = len(result.positions)
    info(
        f"{plural(n, 'position')} of {result.held:,} held as of {result.as_of} "
        f"{'has' if n == 1 else 'have'} no mark, or none in the last "
        f"{plural(result.older_than, 'month')}",
        quiet=style.quiet,
    )
