"""Returns on a terminal: a row per group (company, sector, vintage) or per investor, the
totals, then what "n/a" stood for and how amounts converted."""

from decimal import Decimal

from ecoport.core.money import compact, format_money
from ecoport.core.returns import Between, Metric, Unknown
from ecoport.emit import Style, table_for
from ecoport.layout import Column
from ecoport.services.returns import Returns, ReturnsRow

NA = "n/a"


def _amount(value: Decimal | Unknown, currency: str, exact: bool) -> str:
    if isinstance(value, Unknown):
        return NA
    return (format_money if exact else compact)(value, currency)


def _between(value: Between | Unknown, currency: str, exact: bool) -> str:
    if isinstance(value, Unknown):
        return NA
    low = _amount(value.low, currency, exact)
    if value.low == value.high:
        return low
    return f"{low}–{_amount(value.high, currency, exact).removeprefix(currency + ' ')}"


def multiple(m: Metric) -> str:
    """``3.00x``, ``0.00–3.00x``; n/a when it cannot be computed."""
    if m.value is None:
        return NA
    low, high = f"{m.value.low:.2f}", f"{m.value.high:.2f}"
    return f"{low}x" if low == high else f"{low}–{high}x"


def rate(m: Metric, short: bool) -> str:
    """``24.6%``, ``-100.0–24.6%``, ``31.2%*`` over less than a year; n/a when it cannot."""
    if m.value is None:
        return NA
    low, high = f"{m.value.low * 100:.1f}", f"{m.value.high * 100:.1f}"
    text = f"{low}%" if low == high else f"{low}–{high}%"
    return text + ("*" if short else "")


def _why(row: ReturnsRow) -> str:
    """What n/a stands for in the row, briefly (a group's reasons are listed under the
    table, with their counts)."""
    f = row.figures
    if row.state is not None:  # a company row: its own reason
        for m in (f.moic, f.dpi, f.rvpi, f.irr):
            if m.why is not None:
                return m.why.split(" (", 1)[0]
        return ""
    if row.counted == row.positions:
        return (f.irr.why or "").split(" (", 1)[0]
    return f"counts {row.counted} of {row.positions}"


def _mark(row: ReturnsRow) -> str:
    if row.state is not None:
        if row.state != "held":
            return row.state.replace("-", " ")
        m = row.mark
        if m is None:
            return "none"
        return f"{m.label} {m.kind.value}" + ("" if m.kind.given else f" {m.ref}")
    return "" if row.oldest_mark is None else f"oldest {row.oldest_mark}"


def _cells(row: ReturnsRow, label: str, currency: str, exact: bool) -> list[str]:
    f = row.figures
    return [
        label,
        _amount(f.invested, currency, exact),
        _amount(f.realised, currency, exact),
        _between(f.unrealised, currency, exact),
        multiple(f.moic),
        multiple(f.dpi),
        multiple(f.rvpi),
        multiple(f.tvpi),
        rate(f.irr, f.short),
        _mark(row),
        _why(row),
    ]


def _columns(first: str) -> list[Column]:
    return [
        Column(first),
        Column("Invested", right=True, keep=True),
        Column("Realised", right=True, keep=True, priority=3),
        Column("Unrealised", right=True, keep=True),
        Column("MOIC", right=True, keep=True),
        Column("DPI", right=True, keep=True, priority=4),
        Column("RVPI", right=True, keep=True, priority=4),
        Column("TVPI", right=True, keep=True, priority=4),
        Column("IRR", right=True, keep=True),
        Column("Mark", priority=2),
        Column("Why n/a", priority=1),
    ]


@table_for(Returns)
def returns(result: Returns, style: Style) -> None:
    from ecoport.render import say, table
    from ecoport.words import plural

    cur, exact = result.currency, style.exact
    many = len(result.investors) > 1
    if result.by is not None:
        heading = result.by.capitalize()
        rows = [
            _cells(r, f"{r.group}" + (f" ({r.investor})" if many else ""), cur, exact)
            for r in result.rows
        ]
        title = f"Returns by {result.by} as of {result.as_of}, in {cur}"
        if not table(rows, _columns(heading), title=title, wide=style.wide):
            say(f"No positions as of {result.as_of}.")
        say("")
    totals = [_cells(r, r.investor or "", cur, exact) for r in result.investors]
    if result.portfolio is not None:
        totals.append(_cells(result.portfolio, "all investors", cur, exact))
    title = f"Returns as of {result.as_of}, in {cur}"
    table(totals, _columns("Investor"), title=title, wide=style.wide)
    if style.quiet:
        return
    groups = [r for r in (*result.rows, *result.investors) if r.state is None]
    if result.portfolio is not None:
        groups.append(result.portfolio)
    for row in groups:
        if row.left_out:
            name = " ".join(x for x in (row.investor or "All investors", row.group) if x)
            left = "; ".join(f"{r} ({n})" for r, n in row.left_out)
            say(f"{name}: {plural(row.positions - row.counted, 'position')} of {row.positions} "
                f"left out of the figures: {left}.")  # fmt: skip
    figures = [*result.rows, *result.investors]
    if any(r.figures.short for r in figures):
        say("* over less than a year: an IRR annualises what may be a passing mark.")
    say(
        "n/a: cannot be computed (the reason is given), never shown as 0. Unrealised value: "
        "each position held times its company's latest mark on or before the date; a range "
        "where the position is one. MOIC = TVPI = (realised + unrealised) / invested; "
        "DPI = realised / invested; RVPI = unrealised / invested. A total counts the "
        "positions whose every figure is known."
    )
    say(f"Conversion to {cur}: {result.rule}.")
    for note in result.notes:
        say(f"Note: {note}.")
