"""ecoport mark add, ecoport marks list/show/remove/missing, and ecoport returns: what the
portfolio is worth and what it made."""

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from ecoport.cli.common import (
    DbOption,
    ExactOption,
    Format,
    FormatOption,
    InOption,
    globals_of,
    location,
    parse_opt,
    writing_for,
)
from ecoport.cli.listing import WideOption

if TYPE_CHECKING:
    import datetime as dt

CompanyArg = Annotated[str, typer.Argument(metavar="COMPANY", help="Company name or alias.")]
InvestorOpt = Annotated[
    str | None,
    typer.Option(
        "--investor",
        metavar="NAME",
        help="Only this investor's positions (default: the investors with a target, else "
        "every investor).",
        show_default=False,
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="As things stood at the end of this date: 2020, 2020-06 or 2020-06-30 "
        "(default: today).",
        show_default=False,
    ),
]


class By(StrEnum):
    company = "company"
    sector = "sector"
    vintage = "vintage"


def _as_of(text: str | None) -> "dt.date | None":
    """--as-of as the last day of the period it names (2020: 2020-12-31)."""
    from ecoport.core.dates import parse_date

    when = parse_opt("--as-of", parse_date, text)
    return None if when is None else when.end


def mark_add(
    ctx: typer.Context,
    company: CompanyArg,
    date: Annotated[
        str,
        typer.Option(
            "--date", metavar="DATE", help="Date of the value: 2020, 2020-12 or 2020-12-31."
        ),
    ],
    valuation: Annotated[
        str | None,
        typer.Option(
            "--valuation",
            metavar="AMOUNT",
            help='The whole company\'s value, as people write it ("CNY 700bn", "$1.2bn").',
            show_default=False,
        ),
    ] = None,
    price: Annotated[
        str | None,
        typer.Option(
            "--price",
            metavar="AMOUNT",
            help="Price per share (a listed company), with --shares.",
            show_default=False,
        ),
    ] = None,
    shares: Annotated[
        int | None,
        typer.Option(
            "--shares",
            metavar="N",
            help="The company's share count that --price values.",
            show_default=False,
        ),
    ] = None,
    write_down: Annotated[
        bool, typer.Option("--write-down", help="The valuation is a write-down.")
    ] = False,
    write_off: Annotated[
        bool, typer.Option("--write-off", help="The company is worth nothing (no valuation).")
    ] = False,
    source: Annotated[
        str | None,
        typer.Option(
            "--source", metavar="URL", help="Where the value comes from.", show_default=False
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="A note.", show_default=False)
    ] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Record a dated value of a company: a valuation, a price per share with the share
    count, a write-down, or a write-off.

    A given mark wins over one implied by a round or a stake of the same date. Refused: a
    valuation not above zero, a date in the future or before the company's first stake or
    round, a price without --shares. `ecoport undo` reverts it.

    \b
    Example:
      ecoport mark add "Midea Group" --date 2020-12-31 --valuation "CNY 700bn" --source https://...
      ecoport mark add Xiaomi --date 2021-06-30 --price "HKD 27.50" --shares 25000000000
      ecoport mark add Misfit --date 2016 --write-off
    """
    from ecoport.render import info
    from ecoport.services.marks import MarkIn, add_mark

    mark = MarkIn(
        company=company,
        date=date,
        valuation=valuation,
        price=price,
        shares=shares,
        write_down=write_down,
        write_off=write_off,
        source=source,
        note=note,
    )
    with writing_for(ctx, db) as session:
        added = add_mark(session=session, mark=mark)
    quiet = globals_of(ctx).quiet
    for warning in added.warnings:
        info(f"warning: {warning}", quiet=quiet)
    if fmt is Format.table:
        from ecoport.tables.marks import added_line

        info(added_line(added.mark), quiet=quiet)
    else:
        from ecoport.emit import emit

        emit(added, fmt.value)


def marks_list(
    ctx: typer.Context,
    company: Annotated[
        str | None,
        typer.Argument(metavar="[COMPANY]", help="Only this company's marks.", show_default=False),
    ] = None,
    implied: Annotated[
        bool,
        typer.Option("--implied", help="Also the marks implied by rounds and stakes."),
    ] = False,
    exact: ExactOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List the marks given, by company and date (with --implied, those implied too).

    \b
    Example:
      ecoport marks list
      ecoport marks list "Midea Group" --implied --format json
    """
    from ecoport.emit import emit
    from ecoport.services.marks import list_marks
    from ecoport.store.db import reading

    with reading(location(ctx, db)) as reader:
        result = list_marks(reader, company=company, implied=implied)
    emit(result, fmt.value, exact=exact, quiet=globals_of(ctx).quiet)


def marks_show(
    ctx: typer.Context,
    mark_id: Annotated[int, typer.Argument(metavar="ID", help="The mark's ID.")],
    exact: ExactOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show one mark: its company, date, kind, value, source and note.

    \b
    Example:
      ecoport marks show 1
    """
    from ecoport.emit import emit
    from ecoport.services.marks import show_mark
    from ecoport.store.db import reading

    with reading(location(ctx, db)) as reader:
        result = show_mark(reader, mark_id)
    emit(result, fmt.value, exact=exact)


def marks_remove(
    ctx: typer.Context,
    mark_id: Annotated[int, typer.Argument(metavar="ID", help="The mark's ID.")],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Remove a mark given (an implied one goes with its round or stake).

    `ecoport undo` puts it back.

    \b
    Example:
      ecoport marks remove 1
    """
    from ecoport.cli.common import emit as done
    from ecoport.services.marks import MARK_FIELDS, remove_mark
    from ecoport.tables.marks import describe

    with writing_for(ctx, db) as session:
        removed = remove_mark(session=session, mark_id=mark_id)
    done(ctx, fmt, removed.as_dict(), f"Removed {describe(removed)}", MARK_FIELDS)


def marks_missing(
    ctx: typer.Context,
    investor: InvestorOpt = None,
    older_than: Annotated[
        int,
        typer.Option(
            "--older-than",
            metavar="MONTHS",
            help="A mark older than this many months counts as missing.",
        ),
    ] = 12,
    as_of: AsOfOpt = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List the positions held with no mark, or only one older than --older-than months.

    \b
    Example:
      ecoport marks missing
      ecoport marks missing --investor Xiaomi --older-than 6
    """
    from ecoport.emit import emit
    from ecoport.services.marks import MissingQuery, missing_marks
    from ecoport.store.db import reading

    query = MissingQuery(investor=investor, older_than=older_than, as_of=_as_of(as_of))
    with reading(location(ctx, db)) as reader:
        result = missing_marks(reader, query)
    emit(result, fmt.value, quiet=globals_of(ctx).quiet)


def returns(
    ctx: typer.Context,
    investor: InvestorOpt = None,
    by: Annotated[
        By | None,
        typer.Option(
            "--by",
            case_sensitive=False,
            help="A row per company, sector or vintage (year of first investment).",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOpt = None,
    into: InOption = None,
    exact: ExactOption = False,
    wide: WideOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """What the portfolio is worth and what it made: invested, realised, unrealised value,
    MOIC, DPI, RVPI, TVPI and IRR, as of a date in the reporting currency.

    Unrealised value is each position times its company's latest mark on or before the
    date (given with `ecoport mark add`, or implied by a round or a stake); a range where
    the position is one. What cannot be computed says n/a and why.

    \b
    Example:
      ecoport returns --investor Xiaomi
      ecoport returns --by company --as-of 2020 --in CNY --format csv
    """
    import gc

    from ecoport.emit import emit
    from ecoport.services.returns import ReturnsQuery
    from ecoport.services.returns import returns as build
    from ecoport.store.db import reading

    query = ReturnsQuery(
        investor=investor,
        by=None if by is None else by.value,
        as_of=_as_of(as_of),
        into=into,
    )
    with reading(location(ctx, db)) as reader:
        result = build(reader, query)
    # hundreds of thousands of objects that hold no cycle, kept until the process ends: out
    # of the collector's full passes while the result is written (0.3 s at 100k stakes)
    gc.freeze()
    emit(result, fmt.value, exact=exact, wide=wide, quiet=globals_of(ctx).quiet)
