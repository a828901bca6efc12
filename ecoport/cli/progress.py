"""ecoport progress: how far each investor is toward its target, by sector, at what pace."""

from typing import Annotated

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
from ecoport.cli.listing import WideOption
from ecoport.cli.stakes import InvestorOpt


def progress(
    ctx: typer.Context,
    investor: InvestorOpt = None,
    target: Annotated[
        int | None,
        typer.Option(
            "--target",
            metavar="N",
            help="Count toward this target instead of the stored one (100 when none is set).",
        ),
    ] = None,
    depth: Annotated[
        int,
        typer.Option(
            "--depth", metavar="N", help="Sector levels to show: 1 = iot, 2 = iot/wearables."
        ),
    ] = 1,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="Progress as it stood on this date (default: today)."
        ),
    ] = None,
    associates: Annotated[
        bool,
        typer.Option(
            "--with-associates",
            help="Count as reached through the ecosystem what associates (held at 20% or "
            "more) hold too, not only subsidiaries (held at more than 50%).",
        ),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="PERIOD",
            help="History instead: for each year, quarter or month, new companies, the "
            "cumulative count, exits and money in.",
            show_default=False,
        ),
    ] = None,
    window: Annotated[
        int,
        typer.Option(
            "--window",
            metavar="MONTHS",
            help="Months of the recent pace, shown beside the pace over the whole period.",
        ),
    ] = 12,
    value: Annotated[
        bool,
        typer.Option(
            "--value",
            help="Also what the positions are worth and their multiple, as `ecoport returns` "
            "values them (positions x latest marks; slower on large portfolios).",
        ),
    ] = False,
    chart: Annotated[
        bool,
        typer.Option(
            "--chart",
            help="Draw the burn-up chart under the report: companies over time, the target, "
            "the projection at both paces, the milestones (plain characters into a pipe or "
            "with NO_COLOR).",
        ),
    ] = False,
    into: InOption = None,
    exact: ExactOption = False,
    wide: WideOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Progress toward the target: companies, sectors, money, pace.

    Counts the distinct companies an investor holds or held stakes in, and names the
    companies it reaches only through its subsidiaries (--with-associates: associates too).
    Without --investor: the investors that have a target, else the only investor.
    Shows the count by sector, the money disclosed, the first and latest stakes, the
    pace so far and when the target falls at that pace.

    Counts every company ever held (held now and no longer held are shown beside); a
    company known only from a reported holding counts, with its entry date unknown, and
    stays out of the pace. The pace over the whole period and over the last --window
    months each project when the target falls, as a quarter, or "not at the current
    pace" beyond 20 years. Milestones (`ecoport target milestone add`) and sector
    targets (`ecoport target set --sector`) are shown against what is held.

    \b
    Example:
      ecoport progress
      ecoport progress --investor Xiaomi --depth 2 --format json
      ecoport progress --by year
      ecoport progress --chart
      ecoport progress --value
    """
    from ecoport.core.dates import parse_date
    from ecoport.emit import emit
    from ecoport.errors import InvalidInput
    from ecoport.services.progress import ProgressQuery
    from ecoport.services.progress import progress as build
    from ecoport.store.db import reading

    when = parse_opt("--as-of", parse_date, as_of)
    from ecoport.core.money import currency_code

    query = ProgressQuery(
        into=parse_opt("--in", currency_code, into),
        investor=investor,
        target=target,
        depth=depth,
        as_of=None if when is None else when.end,
        associates=associates,
        window=window,
        value=value,
    )
    if window < 1:
        raise InvalidInput(f"must be 1 or more (got {window})", where="--window")
    if chart and (fmt is not Format.table or by is not None):
        raise InvalidInput(
            "draws with the table report only; leave out --format and --by", where="--chart"
        )
    if by is not None:
        from ecoport.services.progress import progress_history

        with reading(location(ctx, db)) as reader:
            history = progress_history(reader, query, by.lower())
        emit(history, fmt.value, exact=exact, wide=wide)
        return
    with reading(location(ctx, db)) as reader:
        result = build(reader, query)
    emit(result, fmt.value, exact=exact, wide=wide)
    if chart:
        from ecoport.charts import show_burn_ups

        show_burn_ups(result)
