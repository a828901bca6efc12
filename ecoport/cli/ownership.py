"""ecoport tree and ecoport owners: who holds what as of a date, directly and through others."""

from typing import TYPE_CHECKING, Annotated

import typer

from ecoport.cli.common import DbOption, Format, FormatOption, location, parse_opt

if TYPE_CHECKING:
    import datetime as dt

    from ecoport.core.positions import Thresholds

AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Holdings as they stood at the end of this date: 2016, 2016-03 or 2016-03-29 "
        "(default: today).",
        show_default=False,
    ),
]
DepthOption = Annotated[
    int,
    typer.Option("--depth", metavar="N", help="Links of holdings to follow (1: direct only)."),
]
EveryOption = Annotated[
    bool,
    typer.Option("--all", help="Also holdings that ended: exited, written off, acquired."),
]
SubsidiaryOption = Annotated[
    str | None,
    typer.Option(
        "--subsidiary-over",
        metavar="P",
        help="A subsidiary is held at more than P %, directly or through subsidiaries "
        "(default 50).",
        show_default=False,
    ),
]
AssociateOption = Annotated[
    str | None,
    typer.Option(
        "--associate-from",
        metavar="P",
        help="An associate is held at P % or more, directly or through subsidiaries "
        "(default 20: IAS 28's significant influence).",
        show_default=False,
    ),
]


def tree(
    ctx: typer.Context,
    investor: Annotated[str, typer.Argument(metavar="INVESTOR", help="Investor name or alias.")],
    as_of: AsOfOption = None,
    depth: DepthOption = 6,
    min_percent: Annotated[
        str | None,
        typer.Option(
            "--min-percent",
            metavar="P",
            help="Leave out companies the investor cannot hold P % of, look-through (a "
            "range counts by its upper end), with all below them.",
            show_default=False,
        ),
    ] = None,
    every: EveryOption = False,
    subsidiary_over: SubsidiaryOption = None,
    associate_from: AssociateOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show an investor's ecosystem as a tree: what it holds, and what those hold.

    Each company with the holding above it (exact, or a range where a percentage is
    undisclosed), the investor's look-through interest (over every path of holdings), its
    class (subsidiary, associate or investment) and the date of the latest event.

    \b
    Example:
      ecoport tree Xiaomi
      ecoport tree Xiaomi --as-of 2016 --depth 2 --format json
    """
    from ecoport.core.percent import parse_percent
    from ecoport.emit import emit
    from ecoport.services.ownership import TreeQuery, ownership_tree
    from ecoport.store.db import reading

    query = TreeQuery(
        investor=investor,
        as_of=_as_of(as_of),
        depth=depth,
        min_percent=parse_opt("--min-percent", parse_percent, min_percent),
        every=every,
        thresholds=_thresholds(subsidiary_over, associate_from),
    )
    with reading(location(ctx, db)) as reader:
        result = ownership_tree(reader, query)
    emit(result, fmt.value)


def owners(
    ctx: typer.Context,
    company: Annotated[str, typer.Argument(metavar="COMPANY", help="Company name or alias.")],
    as_of: AsOfOption = None,
    depth: DepthOption = 6,
    every: EveryOption = False,
    subsidiary_over: SubsidiaryOption = None,
    associate_from: AssociateOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show who holds a company, directly and ultimately: the tree of holdings upward.

    Each holder with its holding in the company below it, its look-through interest in
    COMPANY and what COMPANY is to it (subsidiary, associate or investment); then the
    ultimate owners, at the top of the chains.

    \b
    Example:
      ecoport owners Segway
      ecoport owners Huami --as-of 2018 --format csv
    """
    from ecoport.emit import emit
    from ecoport.services.ownership import OwnersQuery
    from ecoport.services.ownership import owners as build
    from ecoport.store.db import reading

    query = OwnersQuery(
        company=company,
        as_of=_as_of(as_of),
        depth=depth,
        every=every,
        thresholds=_thresholds(subsidiary_over, associate_from),
    )
    with reading(location(ctx, db)) as reader:
        result = build(reader, query)
    emit(result, fmt.value)


# -- option values --------------------------------------------------------------------------


def _as_of(text: str | None) -> "dt.date | None":
    """--as-of as the last day of the period it names (2016: 2016-12-31)."""
    from ecoport.core.dates import parse_date

    when = parse_opt("--as-of", parse_date, text)
    return None if when is None else when.end


def _thresholds(subsidiary: str | None, associate: str | None) -> "Thresholds":
    from ecoport.core.percent import parse_percent
    from ecoport.core.positions import Thresholds

    default = Thresholds()
    return Thresholds(
        subsidiary=parse_opt("--subsidiary-over", parse_percent, subsidiary) or default.subsidiary,
        associate=parse_opt("--associate-from", parse_percent, associate) or default.associate,
    )
