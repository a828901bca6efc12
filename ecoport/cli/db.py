"""ecoport init and ecoport db: create the database, load the seed, say where it is."""

from pathlib import Path
from typing import Annotated, Any

import typer

from ecoport.cli.common import (
    DbOption,
    Format,
    FormatOption,
    change_of,
    emit,
    globals_of,
    location,
    spelled,
)


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
    fmt: FormatOption = Format.table,
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
    from ecoport.words import plural

    if seed_file is not None and not seed_file.is_file():
        from ecoport.errors import InvalidInput

        raise InvalidInput(f"{seed_file}: no such file", where="--seed-file")
    loc = location(ctx, db)
    created = create(loc)
    verb = "Created" if created else "Using existing"
    done: dict[str, Any] = {
        "database": str(loc),
        "created": created,
        "revision": SCHEMA_REVISION,
        "seed": None,
    }
    line = f"{verb} database {loc} (schema revision {SCHEMA_REVISION})"
    if seed or seed_file:
        from ecoport.services.seed import bundled_seed, load_seed

        if fmt is Format.table:
            info(line, quiet=globals_of(ctx).quiet)
        path = seed_file or bundled_seed()
        with writing(loc, change=change_of(ctx)) as session:
            result = load_seed(session=session, path=path)
        done["seed"] = {
            "file": str(path),
            "stakes_added": result.stakes_added,
            "already_present": result.already_present,
            "companies_created": result.companies_created,
            "aliases_added": result.aliases_added,
            "targets_set": result.targets_set,
            "milestones_added": result.milestones_added,
        }
        line = (
            f"Seed {path.name}: {plural(result.stakes_added, 'stake')} added, "
            f"{result.already_present:,} already present; "
            f"{plural(result.companies_created, 'company')} and "
            f"{plural(result.aliases_added, 'alias')} created; "
            f"{plural(result.targets_set, 'target')} set"
            + (
                f"; {plural(result.milestones_added, 'milestone')} added"
                if result.milestones_added
                else ""
            )
        )
    emit(ctx, fmt, done, line, fields=("database", "created", "revision"))


def db_path(ctx: typer.Context, fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """Print the database in use and where the choice came from.

    The order: --db, then ECOPORT_DB, then ECOPORT_DATABASE_URL, then the user data folder.

    \b
    Example:
      ecoport db path
    """
    from ecoport.render import as_csv, as_json, info, write

    loc = location(ctx, db)
    data = {"database": str(loc), "origin": spelled(loc.origin)}
    if fmt is Format.json:
        as_json(data)
    elif fmt is Format.csv:
        as_csv([data], list(data))
    else:
        write(str(loc))
        info(f"(from {spelled(loc.origin)})", quiet=globals_of(ctx).quiet)


def db_status(ctx: typer.Context, fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """Show the database, its backend and schema revision, and whether it is current.

    Cheap: reads the revision without loading the migrations. Exit code 0 either way.

    \b
    Example:
      ecoport db status
      ecoport db status --format json
    """
    from ecoport.emit import emit as write
    from ecoport.services.checks import database_status

    loc = location(ctx, db)
    write(database_status(loc, spelled(loc.origin)), fmt.value)


def db_upgrade(ctx: typer.Context, fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """Bring the database to this version's schema, in place, with its data.

    A SQLite file is copied first (NAME.before-REV.from-OLD). On an empty database
    (a new PostgreSQL database, say) this creates the schema.

    \b
    Example:
      ecoport db upgrade
      ecoport --db postgresql+psycopg://me@dbhost/portfolio db upgrade
    """
    from ecoport.errors import NotFound
    from ecoport.store.db import SCHEMA_REVISION, State, check, create, upgrade

    loc = location(ctx, db)
    state = check(loc)
    if state is State.MISSING:
        raise NotFound(f"no database at {loc}; `ecoport init` creates one")
    if state is State.CURRENT:
        line = f"{loc} is at schema revision {SCHEMA_REVISION} already"
    elif state is State.EMPTY:
        create(loc)
        line = f"Created the schema in {loc} (revision {SCHEMA_REVISION})"
    else:
        upgrade(loc)
        line = ""
    done = {"database": str(loc), "was": state.value, "revision": SCHEMA_REVISION}
    if line or fmt is not Format.table:
        emit(ctx, fmt, done, line)


FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="The backup file (SQLite).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite FILE / the database.")]


def db_backup(
    ctx: typer.Context,
    file: FileArg,
    force: ForceOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Write a consistent copy of the database to FILE, while others may be writing.

    FILE is a SQLite database whatever the backend (PostgreSQL is copied from one
    snapshot), so it restores into either; `ecoport --db FILE progress` reads it as is.

    \b
    Example:
      ecoport db backup portfolio-2026-11-21.db
    """
    from ecoport.services.sources import check_output
    from ecoport.store.backup import backup

    check_output(file, where="FILE")
    copied = backup(location(ctx, db), file, force=force)
    emit(
        ctx,
        fmt,
        _copied(copied.rows, file=str(file)),
        f"Backed up {_counts(copied.rows)} to {file}",
    )


def _copied(rows: dict[str, int], **where: str) -> dict[str, Any]:
    return {
        **where,
        "stakes": rows.get("stake", 0),
        "companies": rows.get("company", 0),
        "changes": rows.get("change", 0),
    }


def _counts(rows: dict[str, int]) -> str:
    """``32 stakes, 27 companies and 1 logged change``."""
    from ecoport.words import plural

    return (
        f"{plural(rows.get('stake', 0), 'stake')}, {plural(rows.get('company', 0), 'company')} "
        f"and {plural(rows.get('change', 0), 'logged change')}"
    )


def db_restore(
    ctx: typer.Context,
    file: FileArg,
    force: ForceOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Replace the database's content with the backup FILE (one transaction).

    Refused when the database holds anything, unless --force. The audit log comes back
    as it was in the backup.

    \b
    Example:
      ecoport --db restored.db db restore portfolio-2026-11-21.db
    """
    from ecoport.errors import InvalidInput
    from ecoport.store.backup import restore

    if not file.is_file():
        why = "is a folder, not a backup" if file.is_dir() else "no such file"
        raise InvalidInput(f"{file}: {why}", where="FILE")
    loc = location(ctx, db)
    copied = restore(loc, file, force=force)
    emit(
        ctx,
        fmt,
        _copied(copied.rows, database=str(loc), file=str(file)),
        f"Restored {_counts(copied.rows)} into {loc}",
    )


def db_check(ctx: typer.Context, fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """Check the database: SQLite's integrity and foreign keys, and ecoport's rules.

    The rules: no orphans, no company holding itself, and a company's holders holding
    at most 100% at any date. Lists every problem; exit code 1 when there is any.

    \b
    Example:
      ecoport db check
    """
    from ecoport.emit import emit
    from ecoport.services.checks import check_database

    result = check_database(location(ctx, db))
    emit(result, fmt.value)
    if result.problems:
        raise typer.Exit(1)
