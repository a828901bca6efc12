"""ecoport companies list/show."""

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
from ecoport.cli.stakes import SectorOpt


def companies_list(
    ctx: typer.Context,
    sector: SectorOpt = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List companies: sector, aliases, holders and holdings.

    \b
    Example:
      ecoport companies list --sector iot
    """
    from ecoport.core.sectors import normalize_sector
    from ecoport.render import companies
    from ecoport.services.companies import list_companies
    from ecoport.store.db import reading

    wanted = parse_opt("--sector", normalize_sector, sector)
    with reading(location(ctx, db)) as reader:
        rows = list_companies(reader, sector=wanted)
    companies(rows, fmt.value)


def companies_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Company name or alias.")],
    into: InOption = None,
    exact: ExactOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show a company: holders, holdings (direct and through others), stakes.

    \b
    Example:
      ecoport companies show Ninebot
    """
    from ecoport.core.money import currency_code
    from ecoport.render import company
    from ecoport.services.companies import show_company
    from ecoport.store.db import reading

    currency = parse_opt("--in", currency_code, into)
    with reading(location(ctx, db)) as reader:
        data = show_company(reader, name, into=currency)
    company(data, fmt.value, exact=exact)
