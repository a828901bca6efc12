"""ecoport target set/list/unset: how many companies each investor aims for."""

from typing import Annotated

import typer

from ecoport.cli.common import (
    DbOption,
    Format,
    FormatOption,
    emit,
    globals_of,
    location,
    writing_for,
)

InvestorOpt = Annotated[
    str, typer.Option("--investor", metavar="NAME", help="The investor (name or alias).")
]


def target_set(
    ctx: typer.Context,
    target: Annotated[int, typer.Argument(metavar="TARGET", help="Number of companies.")],
    investor: InvestorOpt,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Set an investor's target number of companies (100 until set).

    `ecoport target unset` removes it; `ecoport undo` reverts the change.

    \b
    Example:
      ecoport target set --investor Xiaomi 100
    """
    from ecoport.services.targets import set_target
    from ecoport.words import plural

    with writing_for(ctx, db) as session:
        name, previous = set_target(session=session, investor=investor, target=target)
    was = "" if previous is None else f" (was {previous})"
    emit(
        ctx,
        fmt,
        {"investor": name, "target": target, "previous": previous},
        f"Target of {name}: {plural(target, 'company')}{was}",
    )


def target_unset(
    ctx: typer.Context,
    investor: InvestorOpt,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Remove an investor's target: progress counts toward 100 again.

    \b
    Example:
      ecoport target unset --investor Xiaomi
    """
    from ecoport.services.targets import DEFAULT_TARGET, unset_target

    with writing_for(ctx, db) as session:
        name, previous = unset_target(session=session, investor=investor)
    emit(
        ctx,
        fmt,
        {"investor": name, "target": None, "previous": previous},
        f"Target of {name} removed (was {previous}); progress counts toward {DEFAULT_TARGET}",
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
    from ecoport.render import as_csv, as_json, info, records_table
    from ecoport.services.targets import list_targets
    from ecoport.store.db import reading
    from ecoport.words import no_match

    with reading(location(ctx, db)) as reader:
        rows = list_targets(reader, investor=investor)
    if fmt is Format.json:
        as_json({"targets": [row.as_dict() for row in rows]})
    elif fmt is Format.csv:
        as_csv((row.as_dict() for row in rows), ("investor", "target", "note", "source"))
    elif not rows:
        info(no_match("targets"), quiet=globals_of(ctx).quiet)
    else:
        records_table(
            [[row.investor, f"{row.target:,}"] for row in rows],
            ("Investor", "Target"),
            right=("Target",),
        )
