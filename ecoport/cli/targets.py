"""ecoport target set/list/unset and target milestone add/list/remove: how many companies
each investor aims for (in all, and per sector), and the counts it reported on the way."""

from typing import Annotated

import typer

from ecoport.cli.common import (
    DbOption,
    Format,
    FormatOption,
    emit,
    globals_of,
    location,
    parse_opt,
    writing_for,
)

InvestorOpt = Annotated[
    str, typer.Option("--investor", metavar="NAME", help="The investor (name or alias).")
]
SectorOpt = Annotated[
    str | None,
    typer.Option(
        "--sector",
        metavar="SECTOR",
        help="A target for this sector and its sub-sectors (iot counts iot/wearables) "
        "instead of the whole portfolio.",
        show_default=False,
    ),
]


def target_set(
    ctx: typer.Context,
    target: Annotated[int, typer.Argument(metavar="TARGET", help="Number of companies.")],
    investor: InvestorOpt,
    sector: SectorOpt = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Set an investor's target number of companies (100 until set), or one sector's.

    `ecoport target unset` removes it; `ecoport undo` reverts the change.

    \b
    Example:
      ecoport target set --investor Xiaomi 100
      ecoport target set --investor Xiaomi --sector iot 50
    """
    from ecoport.services.targets import set_target
    from ecoport.words import plural

    with writing_for(ctx, db) as session:
        name, previous = set_target(
            session=session, investor=investor, target=target, sector=sector
        )
    if sector is not None:
        from ecoport.core.sectors import normalize_sector

        sector = normalize_sector(sector)  # as stored
    was = "" if previous is None else f" (was {previous})"
    of = name if sector is None else f"{name} in {sector}"
    emit(
        ctx,
        fmt,
        {"investor": name, "sector": sector, "target": target, "previous": previous},
        f"Target of {of}: {plural(target, 'company')}{was}",
    )


def target_unset(
    ctx: typer.Context,
    investor: InvestorOpt,
    sector: SectorOpt = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Remove an investor's target (progress counts toward 100 again), or one sector's.

    \b
    Example:
      ecoport target unset --investor Xiaomi
      ecoport target unset --investor Xiaomi --sector iot
    """
    from ecoport.services.targets import DEFAULT_TARGET, unset_target

    with writing_for(ctx, db) as session:
        name, previous = unset_target(session=session, investor=investor, sector=sector)
    if sector is not None:
        from ecoport.core.sectors import normalize_sector

        sector = normalize_sector(sector)  # as stored
    line = (
        f"Target of {name} removed (was {previous}); progress counts toward {DEFAULT_TARGET}"
        if sector is None
        else f"Target of {name} in {sector} removed (was {previous})"
    )
    emit(
        ctx,
        fmt,
        {"investor": name, "sector": sector, "target": None, "previous": previous},
        line,
    )


def target_list(
    ctx: typer.Context,
    investor: Annotated[
        str | None,
        typer.Option("--investor", metavar="NAME", help="Only this investor's target."),
    ] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List the targets set, by investor (an investor without one counts toward 100).

    \b
    Example:
      ecoport target list
      ecoport target list --format json
    """
    from ecoport.emit import emit as write
    from ecoport.services.targets import list_targets
    from ecoport.store.db import reading

    with reading(location(ctx, db)) as reader:
        result = list_targets(reader, investor=investor)
    write(result, fmt.value, quiet=globals_of(ctx).quiet)


def milestone_add(
    ctx: typer.Context,
    investor: InvestorOpt,
    by: Annotated[
        str,
        typer.Option(
            "--by", metavar="DATE", help="The date the count was reported for: 2014-12, 2015."
        ),
    ],
    count: Annotated[
        int, typer.Option("--count", metavar="N", help="The number reported (about 25: 25).")
    ],
    what: Annotated[
        str,
        typer.Option(
            "--what",
            metavar="TEXT",
            help='What was counted, in the source\'s words: "connected-device companies".',
        ),
    ] = "companies",
    source: Annotated[
        str | None, typer.Option("--source", metavar="URL", help="Where it was reported.")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="Free-text note.")
    ] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Record a milestone: a count the investor reported toward its target by a date.

    `ecoport progress` shows each one beside what ecoport holds for that date.

    \b
    Example:
      ecoport target milestone add --investor Xiaomi --by 2014-12 --count 25 \\
        --what "connected-device companies" --source https://example.com/article
    """
    from ecoport.core.dates import parse_date
    from ecoport.services.targets import add_milestone

    when = parse_opt("--by", parse_date, by)
    assert when is not None
    with writing_for(ctx, db) as session:
        row = add_milestone(
            session=session,
            investor=investor,
            by=when,
            reported=count,
            what=what,
            source=source,
            note=note,
        )
    emit(
        ctx,
        fmt,
        row.as_dict(),
        f"Milestone {row.id}: {row.investor} reported {row.reported:,} {row.what} by {row.by}",
    )


def milestone_list(
    ctx: typer.Context,
    investor: Annotated[
        str | None,
        typer.Option("--investor", metavar="NAME", help="Only this investor's milestones."),
    ] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List the milestones recorded, by investor and date.

    \b
    Example:
      ecoport target milestone list --investor Xiaomi
    """
    from ecoport.emit import emit as write
    from ecoport.services.targets import list_milestones
    from ecoport.store.db import reading

    with reading(location(ctx, db)) as reader:
        result = list_milestones(reader, investor=investor)
    write(result, fmt.value, quiet=globals_of(ctx).quiet)


def milestone_remove(
    ctx: typer.Context,
    milestone_id: Annotated[int, typer.Argument(metavar="ID", help="The milestone's ID.")],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Remove a milestone (`ecoport undo` brings it back).

    \b
    Example:
      ecoport target milestone remove 2
    """
    from ecoport.services.targets import remove_milestone

    with writing_for(ctx, db) as session:
        row = remove_milestone(session=session, milestone_id=milestone_id)
    emit(
        ctx,
        fmt,
        row.as_dict(),
        f"Milestone {row.id} removed: {row.investor}, {row.reported:,} {row.what} by {row.by}",
    )
