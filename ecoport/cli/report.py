"""ecoport report: every stake matching the filters, with totals."""

from typing import TYPE_CHECKING, Annotated

import typer

from ecoport.cli.common import (
    DbOption,
    ExactOption,
    Format,
    FormatOption,
    InOption,
    location,
    parse_opt,
)
from ecoport.cli.listing import (
    AllOption,
    LimitOption,
    OffsetOption,
    StakeSortOption,
    WideOption,
)
from ecoport.cli.stakes import InvestorOpt, SectorOpt, SinceOpt, StartupOpt, UntilOpt

if TYPE_CHECKING:
    from ecoport.services.reports import ReportQuery


def report_query(
    sector: str | None,
    investor: str | None,
    startup: str | None,
    since: str | None,
    until: str | None,
) -> "ReportQuery":
    from ecoport.core.dates import parse_date
    from ecoport.core.sectors import normalize_sector
    from ecoport.services.reports import ReportQuery

    return ReportQuery(
        sector=parse_opt("--sector", normalize_sector, sector),
        investor=investor,
        startup=startup,
        since=parse_opt("--since", parse_date, since),
        until=parse_opt("--until", parse_date, until),
    )


def report(
    ctx: typer.Context,
    sector: SectorOpt = None,
    investor: InvestorOpt = None,
    startup: StartupOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="sector",
            help="A balance of the whole portfolio instead, every investor at once (filters "
            "apply): per sector, investors, companies, stakes, money in and out.",
            show_default=False,
        ),
    ] = None,
    depth: Annotated[
        int,
        typer.Option("--depth", metavar="N", help="With --by sector: sector levels (1 = iot)."),
    ] = 1,
    into: InOption = None,
    exact: ExactOption = False,
    sort: StakeSortOption = None,
    limit: LimitOption = None,
    offset: OffsetOption = 0,
    every: AllOption = False,
    wide: WideOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Stakes matching the filters, then totals.

    One row per stake, then totals per currency, distinct startups and what is undisclosed.
    On a terminal the table shows the first 50 stakes (the totals count every one); piped,
    or as CSV or JSON, every stake, streamed.

    --sector iot includes every sector under iot (iot/wearables, iot/smart-home...).

    \b
    Example:
      ecoport report --sector iot
      ecoport report --investor Xiaomi --since 2014-01 --until 2015-12 --format csv
      ecoport report --by sector
    """
    from dataclasses import replace

    from ecoport.cli.listing import page_of
    from ecoport.core.money import currency_code
    from ecoport.render import report as render
    from ecoport.services.listing import STAKE_SORTS
    from ecoport.services.reports import stream_report
    from ecoport.store.db import reading

    query = replace(
        report_query(sector, investor, startup, since, until),
        into=parse_opt("--in", currency_code, into),
    )
    if by is not None:
        from ecoport.emit import emit
        from ecoport.errors import InvalidInput
        from ecoport.services.reports import balance_by_sector

        if by.lower() != "sector":
            raise InvalidInput(f"must be sector (got {by!r})", where="--by")
        with reading(location(ctx, db)) as reader:
            emit(balance_by_sector(reader, query, depth), fmt.value, exact=exact, wide=wide)
        return
    page = page_of(fmt, limit=limit, offset=offset, every=every, sort=sort, fields=STAKE_SORTS)
    with reading(location(ctx, db)) as reader:
        render(stream_report(reader, query, page), fmt.value, exact=exact, wide=wide)
