"""ecoport rounds list/show: funding rounds, their totals and their participants."""

from typing import Annotated

import typer

from ecoport.cli.common import DbOption, ExactOption, Format, FormatOption, location, parse_opt
from ecoport.cli.stakes import InvestorOpt, SinceOpt, StartupOpt, UntilOpt


def rounds_list(
    ctx: typer.Context,
    startup: StartupOpt = None,
    investor: InvestorOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    exact: ExactOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List funding rounds, oldest first: total, valuation, participants recorded.

    \b
    Example:
      ecoport rounds list --startup "Misfit Wearables"
      ecoport rounds list --investor Xiaomi --format csv
    """
    from ecoport.core.dates import parse_date
    from ecoport.render import rounds_table
    from ecoport.services.rounds import RoundQuery, list_rounds
    from ecoport.store.db import reading

    query = RoundQuery(
        startup=startup,
        investor=investor,
        since=parse_opt("--since", parse_date, since),
        until=parse_opt("--until", parse_date, until),
    )
    with reading(location(ctx, db)) as reader:
        rows = list_rounds(reader, query)
    rounds_table(rows, fmt.value, exact=exact)


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
    from ecoport.render import round_detail
    from ecoport.services.rounds import show_round
    from ecoport.store.db import reading

    with reading(location(ctx, db)) as reader:
        data = show_round(reader, round_id)
    round_detail(data, fmt.value, exact=exact)
