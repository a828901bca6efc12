"""ecoport fx set/list/unset/show: rates of your own, and which rate a conversion uses."""

from typing import TYPE_CHECKING, Annotated

import typer

from ecoport.cli.common import (
    DbOption,
    Format,
    FormatOption,
    emit,
    globals_of,
    location,
    parse,
    parse_opt,
    writing_for,
)

if TYPE_CHECKING:
    import datetime as dt

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
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Record a rate of your own; it wins over the ECB's for that pair and day.

    `ecoport fx unset` removes it; `ecoport undo` reverts the change.

    \b
    Example:
      ecoport fx set CNY USD 0.1628 --date 2014-12-14
    """
    from ecoport.core.fx import parse_rate
    from ecoport.services.fx import UserRate, set_rate

    pair, day = _pair(base, quote), _day(date)
    value = parse("RATE", parse_rate, rate)
    with writing_for(ctx, db) as session:
        previous = set_rate(
            session=session, base=pair[0], quote=pair[1], rate=value, day=day, source=source
        )
    was = "" if previous is None else f" (was {previous})"
    stored = UserRate(pair[0], pair[1], day, value, source).as_dict()
    previous_text = None if previous is None else f"{previous.normalize():f}"
    emit(
        ctx,
        fmt,
        {**stored, "previous": previous_text},
        f"1 {pair[0]} = {value} {pair[1]} on {day}{was}",
    )


def fx_unset(
    ctx: typer.Context,
    base: BaseArg,
    quote: QuoteArg,
    date: DateOpt,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Remove a rate of your own: the ECB's applies again for that pair and day.

    \b
    Example:
      ecoport fx unset CNY USD --date 2014-12-14
    """
    from ecoport.services.fx import unset_rate

    pair, day = _pair(base, quote), _day(date)
    with writing_for(ctx, db) as session:
        removed = unset_rate(session=session, base=pair[0], quote=pair[1], day=day)
    record = {**removed.as_dict(), "rate": None, "previous": removed.as_dict()["rate"]}
    emit(
        ctx,
        fmt,
        record,
        f"Your rate 1 {pair[0]} = {record['previous']} {pair[1]} on {day} removed",
    )


def fx_list(
    ctx: typer.Context,
    base: Annotated[
        str | None,
        typer.Argument(
            metavar="[BASE]", help="Only rates from or to this currency.", show_default=False
        ),
    ] = None,
    quote: Annotated[
        str | None,
        typer.Argument(
            metavar="[QUOTE]", help="Only rates between BASE and QUOTE.", show_default=False
        ),
    ] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List the rates of your own (the ECB's are not listed: `ecoport fx show` gives one).

    \b
    Example:
      ecoport fx list
      ecoport fx list CNY USD --format csv
    """
    from ecoport.core.money import currency_code
    from ecoport.render import as_csv, as_json, info, records_table
    from ecoport.services.fx import list_rates
    from ecoport.store.db import reading
    from ecoport.words import no_match

    one = parse_opt("BASE", currency_code, base)
    other = parse_opt("QUOTE", currency_code, quote)
    with reading(location(ctx, db)) as reader:
        rates = list_rates(reader, base=one, quote=other)
    if fmt is Format.json:
        as_json({"rates": [r.as_dict() for r in rates]})
    elif fmt is Format.csv:
        as_csv((r.as_dict() for r in rates), RATE_FIELDS)
    elif not rates:
        info(no_match("rates of your own"), quiet=globals_of(ctx).quiet)
    else:
        records_table(
            (
                [r.base, r.quote, r.day.isoformat(), f"{r.rate.normalize():f}", r.source or ""]
                for r in rates
            ),
            ("Base", "Quote", "Date", "Rate", "Source"),
            right=("Rate",),
        )


RATE_FIELDS = ("base", "quote", "date", "rate", "source")


def _pair(base: str, quote: str) -> tuple[str, str]:
    from ecoport.core.money import currency_code

    return parse("BASE", currency_code, base), parse("QUOTE", currency_code, quote)


def _day(date: str) -> "dt.date":
    """--date as one day: a rate is for one day, not a month or a year."""
    from ecoport.core.dates import Precision, parse_date
    from ecoport.errors import InvalidInput

    day = parse("--date", parse_date, date)
    if day.precision is not Precision.DAY:
        raise InvalidInput("a rate is for one day: give YYYY-MM-DD", where="--date")
    return day.start


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
    from ecoport.emit import emit as emit_result
    from ecoport.services.fx import Rates, RateShown
    from ecoport.services.settings import settings_at
    from ecoport.store.db import State, check, reading

    when = parse("--date", parse_date, date)
    pair = _pair(base, quote)
    loc = location(ctx, db)
    settings_at(loc)  # refuses a file that is not an ecoport database
    if check(loc) is State.CURRENT:
        with reading(loc) as reader:
            rates = Rates.from_db(reader)
    else:
        rates = Rates()
    day = conversion_day(when)
    rate = rates.rate(pair[0], pair[1], day)
    emit_result(RateShown(pair[0], pair[1], str(when), rate), fmt.value)
