"""ecoport init and ecoport db: create the database, load the seed, say where it is."""

from pathlib import Path
from typing import Annotated

import typer

from ecoport.cli.common import DbOption, change_of, globals_of, location


def init(
    ctx: typer.Context,
    seed: Annotated[
        bool, typer.Option("--seed", help="Load the bundled seed: Xiaomi's ecosystem as reported.")
    ] = False,
    seed_file: Annotated[
        Path | None,
        typer.Option(
            "--seed-file",
            metavar="FILE",
            help="Load this seed file instead "
            "(the shape of data/seed_companies.yaml); implies --seed.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create the database; --seed loads the bundled seed.

    Loading the same seed again adds nothing: what is stored already is left alone.

    \b
    Example:
      ecoport init --seed
      ecoport --db team.db init
    """
    from ecoport.render import info
    from ecoport.store.db import SCHEMA_REVISION, create, writing

    loc = location(ctx, db)
    quiet = globals_of(ctx).quiet
    created = create(loc)
    verb = "Created" if created else "Using existing"
    info(f"{verb} database {loc} (schema revision {SCHEMA_REVISION})", quiet=quiet)
    if not (seed or seed_file):
        return
    from ecoport.services.seed import bundled_seed, load_seed

    path = seed_file or bundled_seed()
    with writing(loc, change=change_of(ctx)) as session:
        result = load_seed(session=session, path=path)
    info(
        f"Seed {path.name}: {result.stakes_added} stakes added, {result.already_present} already "
        f"present; {result.companies_created} companies and {result.aliases_added} aliases "
        f"created; {result.targets_set} targets set",
        quiet=quiet,
    )


def db_path(ctx: typer.Context, db: DbOption = None) -> None:
    """Print the database in use and where the choice came from.

    The order: --db, then ECOPORT_DB, then ECOPORT_DATABASE_URL, then the user data folder.

    \b
    Example:
      ecoport db path
    """
    from ecoport.render import info, write

    loc = location(ctx, db)
    write(str(loc))
    info(f"(from {loc.origin})", quiet=globals_of(ctx).quiet)
