"""ecoport target set."""

from typing import Annotated

import typer

from ecoport.cli.common import DbOption, globals_of, writing_for


def target_set(
    ctx: typer.Context,
    target: Annotated[int, typer.Argument(metavar="TARGET", help="Number of companies.")],
    investor: Annotated[str, typer.Option("--investor", help="The investor (name or alias).")],
    db: DbOption = None,
) -> None:
    """Set an investor's target number of companies (100 until set).

    \b
    Example:
      ecoport target set --investor Xiaomi 100
    """
    from ecoport.render import info
    from ecoport.services.stakes import set_target

    with writing_for(ctx, db) as session:
        name, previous = set_target(session=session, investor=investor, target=target)
    was = "" if previous is None else f" (was {previous})"
    info(f"Target of {name}: {target} companies{was}", quiet=globals_of(ctx).quiet)
