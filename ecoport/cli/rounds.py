"""ecoport rounds list/show: funding rounds, their totals and their participants."""

from typing import Annotated

import typer

from ecoport.cli.common import DbOption, ExactOption, Format, FormatOption, location, parse_opt
from ecoport.cli.listing import (
    AllOption,
    LimitOption,
    OffsetOption,
    RoundSortOption,
    WideOption,
)
from ecoport.cli.stakes import InvestorOpt, SinceOpt, StartupOpt, UntilOpt


def rounds_list(
    ctx: typer.Context,
    startup: StartupOpt = None,
    investor: InvestorOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    exact: ExactOption = False,
    sort: RoundSortOption = None,
    limit: LimitOption = None,
    offset: OffsetOption = 0,
    every: AllOption = False,
    wide: WideOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List funding rounds, oldest first: total, valuation, participants recorded.

    A table on a terminal shows the first 50 and says how many there are; piped, or as
    CSV or JSON, every round, streamed.

    \b
    Example:
      ecoport rounds list --startup "Misfit Wearables"
      ecoport rounds list --investor Xiaomi --format csv
      ecoport rounds list --sort total:desc --limit 10
    """
    from ecoport.cli.listing import page_of
    from ecoport.core.dates import parse_date
    from ecoport.render import rounds_table
    from ecoport.services.listing import ROUND_SORTS
    from ecoport.services.rounds import RoundQuery, list_rounds
    from ecoport.store.db import reading

    query = RoundQuery(
        startup=startup,
        investor=investor,
        since=parse_opt("--since", parse_date, since),
        until=parse_opt("--until", parse_date, until),
    )
    page = page_of(fmt, limit=limit, offset=offset, every=every, sort=sort, fields=ROUND_SORTS)
    with reading(location(ctx, db)) as reader:
        rounds_table(list_rounds(reader, query, page), fmt.value, exact=exact, wide=wide)


def rounds_show(
    ctx: typer.Context,
    round_id: Annotated[int, typer.Argument(metavar="ID", help="The round's ID.")],
    exact: ExactOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show a round: its total and valuation (given, or implied by a participant's amount
    and percent) and every participant with its own cheque.

    \b
    Example:
      ecoport rounds show 3
    """
    from ecoport.emit import emit
    from ecoport.services.rounds import show_round
    from ecoport.store.db import reading

    with reading(location(ctx, db)) as reader:
        view = show_round(reader, round_id)
    emit(view, fmt.value, exact=exact)
