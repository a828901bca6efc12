"""ecoport fx set/show: exchange rates of your own, and which rate a conversion uses."""

from typing import Annotated

import typer

from ecoport.cli.common import (
    DbOption,
    Format,
    FormatOption,
    globals_of,
    location,
    parse,
    writing_for,
)

BaseArg = Annotated[str, typer.Argument(metavar="BASE", help="Currency converted from.")]
QuoteArg = Annotated[str, typer.Argument(metavar="QUOTE", help="Currency converted to.")]
DateOpt = Annotated[str, typer.Option("--date", metavar="DATE", help="The day (YYYY-MM-DD).")]


def fx_set(
    ctx: typer.Context,
    base: BaseArg,
    quote: QuoteArg,
    rate: Annotated[str, typer.Argument(metavar="RATE", help="Units of QUOTE for one BASE.")],
    date: DateOpt,
    source: Annotated[
        str | None, typer.Option("--source", metavar="URL", help="Where the rate comes from.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Record a rate of your own; it wins over the ECB's for that pair and day.

    \b
    Example:
      ecoport fx set CNY USD 0.1628 --date 2014-12-14
    """
    from ecoport.core.dates import Precision, parse_date
    from ecoport.core.fx import parse_rate
    from ecoport.core.money import currency_code
    from ecoport.errors import InvalidInput
    from ecoport.render import info
    from ecoport.services.fx import set_rate

    day = parse("--date", parse_date, date)
    if day.precision is not Precision.DAY:
        raise InvalidInput("a rate is for one day: give YYYY-MM-DD", where="--date")
    pair = (parse("BASE", currency_code, base), parse("QUOTE", currency_code, quote))
    value = parse("RATE", parse_rate, rate)
    with writing_for(ctx, db) as session:
        previous = set_rate(
            session=session, base=pair[0], quote=pair[1], rate=value, day=day.start, source=source
        )
    was = "" if previous is None else f" (was {previous})"
    info(f"1 {pair[0]} = {value} {pair[1]} on {day}{was}", quiet=globals_of(ctx).quiet)


def fx_show(
    ctx: typer.Context,
    base: BaseArg,
    quote: QuoteArg,
    date: DateOpt,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Say which rate converts BASE to QUOTE on a date, and where it comes from.

    \b
    Example:
      ecoport fx show CNY USD --date 2014-12-14
    """
    from ecoport.core.dates import parse_date
    from ecoport.core.fx import conversion_day
    from ecoport.core.money import currency_code
    from ecoport.render import as_csv, as_json, write
    from ecoport.services.fx import Rates
    from ecoport.services.settings import settings_at
    from ecoport.store.db import State, check, reading

    when = parse("--date", parse_date, date)
    pair = (parse("BASE", currency_code, base), parse("QUOTE", currency_code, quote))
    loc = location(ctx, db)
    settings_at(loc)  # refuses a file that is not an ecoport database
    if check(loc) is State.CURRENT:
        with reading(loc) as reader:
            rates = Rates.from_db(reader)
    else:
        rates = Rates()
    day = conversion_day(when)
    rate = rates.rate(pair[0], pair[1], day)
    data = {
        "base": pair[0],
        "quote": pair[1],
        "date": str(when),
        "day": day.isoformat(),
        "rate": f"{rate.value.normalize():f}",
        "source": rate.source,
    }
    if fmt is Format.json:
        as_json(data)
    elif fmt is Format.csv:
        as_csv([data], list(data))
    else:
        write(f"1 {pair[0]} = {rate.value:.6f} {pair[1]} on {day} ({rate.source})")
