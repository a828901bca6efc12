"""ecoport init and ecoport db: create the database, load the seed, say where it is."""

from pathlib import Path
from typing import Annotated

import typer

from ecoport.cli.common import DbOption, Format, FormatOption, change_of, globals_of, location


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


def db_status(ctx: typer.Context, fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """Show the database, its backend and schema revision, and whether it is current.

    Cheap: reads the revision without loading the migrations. Exit code 0 either way.

    \b
    Example:
      ecoport db status
      ecoport db status --format json
    """
    from ecoport.render import status
    from ecoport.store.db import SCHEMA_REVISION, State
    from ecoport.store.db import status as read_status

    loc = location(ctx, db)
    state, revision = read_status(loc)
    status(
        {
            "database": str(loc),
            "origin": loc.origin,
            "backend": "sqlite" if loc.is_sqlite else "postgresql",
            "revision": revision,
            "head": SCHEMA_REVISION,
            "state": state.value,
            "current": state is State.CURRENT,
        },
        fmt.value,
    )


def db_upgrade(ctx: typer.Context, db: DbOption = None) -> None:
    """Bring the database to this version's schema, in place, with its data.

    A SQLite file is copied first (NAME.before-REV.from-OLD). On an empty database
    (a new PostgreSQL database, say) this creates the schema.

    \b
    Example:
      ecoport db upgrade
      ecoport --db postgresql+psycopg://me@dbhost/portfolio db upgrade
    """
    from ecoport.errors import NotFound
    from ecoport.render import info
    from ecoport.store.db import SCHEMA_REVISION, State, check, create, upgrade

    loc = location(ctx, db)
    state = check(loc)
    quiet = globals_of(ctx).quiet
    if state is State.MISSING:
        raise NotFound(f"no database at {loc}; `ecoport init` creates one")
    if state is State.CURRENT:
        info(f"{loc} is at schema revision {SCHEMA_REVISION} already", quiet=quiet)
    elif state is State.EMPTY:
        create(loc)
        info(f"Created the schema in {loc} (revision {SCHEMA_REVISION})", quiet=quiet)
    else:
        upgrade(loc)


FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="The backup file (SQLite).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite FILE / the database.")]


def db_backup(
    ctx: typer.Context, file: FileArg, force: ForceOption = False, db: DbOption = None
) -> None:
    """Write a consistent copy of the database to FILE, while others may be writing.

    FILE is a SQLite database whatever the backend (PostgreSQL is copied from one
    snapshot), so it restores into either; `ecoport --db FILE progress` reads it as is.

    \b
    Example:
      ecoport db backup portfolio-2026-11-21.db
    """
    from ecoport.render import info
    from ecoport.store.backup import backup

    copied = backup(location(ctx, db), file, force=force)
    info(
        f"Backed up {copied.rows.get('stake', 0)} stakes, {copied.rows.get('company', 0)} "
        f"companies and {copied.rows.get('change', 0)} logged changes to {file}",
        quiet=globals_of(ctx).quiet,
    )


def db_restore(
    ctx: typer.Context, file: FileArg, force: ForceOption = False, db: DbOption = None
) -> None:
    """Replace the database's content with the backup FILE (one transaction).

    Refused when the database holds anything, unless --force. The audit log comes back
    as it was in the backup.

    \b
    Example:
      ecoport --db restored.db db restore portfolio-2026-11-21.db
    """
    from ecoport.render import info
    from ecoport.store.backup import restore

    loc = location(ctx, db)
    copied = restore(loc, file, force=force)
    info(
        f"Restored {copied.rows.get('stake', 0)} stakes, {copied.rows.get('company', 0)} "
        f"companies and {copied.rows.get('change', 0)} logged changes into {loc}",
        quiet=globals_of(ctx).quiet,
    )


def db_check(ctx: typer.Context, fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """Check the database: SQLite's integrity and foreign keys, and ecoport's rules.

    The rules: no orphans, no company holding itself, and a company's holders holding
    at most 100% at any date. Lists every problem; exit code 1 when there is any.

    \b
    Example:
      ecoport db check
    """
    from ecoport.render import check_result
    from ecoport.services.checks import check_database

    result = check_database(location(ctx, db))
    check_result(result, fmt.value)
    if result["problems"]:
        raise typer.Exit(1)
