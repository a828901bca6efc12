"""report --by sector on a terminal: the whole portfolio's balance, one sector a row."""

from ecoport.core.fx import RULE
from ecoport.emit import Style, table_for
from ecoport.layout import Column
from ecoport.render import conversion_footer, money, say, table
from ecoport.services.reports import Balance, SectorBalance


@table_for(Balance)
def balance(result: Balance, style: Style) -> None:
    into = result.currency

    def cells(row: SectorBalance) -> list[str]:
        return [
            row.sector,
            f"{row.investors:,}",
            f"{row.companies:,}",
            f"{row.stakes:,}",
            money(row.invested, into, exact=style.exact) if row.invested else "-",
            money(row.realised, into, exact=style.exact) if row.realised else "-",
        ]

    table(
        [*(cells(r) for r in result.sectors), cells(result.total)],
        [
            Column("Sector", least=12),
            Column("Investors", priority=3, right=True, keep=True),
            Column("Companies", right=True, keep=True),
            Column("Stakes", priority=2, right=True, keep=True),
            Column(f"Invested ({into})", right=True, keep=True),
            Column(f"Realised ({into})", priority=1, right=True, keep=True),
        ],
        wide=style.wide,
    )
    missed = result.total.not_converted
    conversion_footer(
        {
            "currency": into,
            "rule": RULE,
            "why_not": [{"reason": r, "amounts": n} for r, n in result.why_not],
        }
    )
    if missed:
        say(f"{missed:,} amounts could not be converted and are not in the sums.")
