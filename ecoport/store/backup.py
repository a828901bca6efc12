"""Backups and restores: a consistent copy of a database in one SQLite file, and back.

A SQLite database is copied with SQLite's online backup API, which gives a consistent
copy while other processes write. A PostgreSQL database is copied, inside one read-only
REPEATABLE READ transaction (one snapshot), into a new SQLite file of the same schema:
the backup file is the same portable kind whatever the backend, and restores into either.
"""

import datetime as dt
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecoport.errors import Conflict, StoreError
from ecoport.store.db import (
    Location,
    State,
    check,
    create,
    driver_errors,
    engine_for,
    reason_of,
    sqlite_uri,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

BATCH = 10_000


@dataclass(frozen=True, slots=True)
class Copied:
    path: str
    rows: dict[str, int]
    """Rows per table."""


def _tables() -> list[Any]:
    from sqlmodel import SQLModel

    from ecoport.store import models  # noqa: F401  (registers the tables)

    return list(SQLModel.metadata.sorted_tables)


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL gives naive UTC datetimes; the models store aware ones."""
    for key, value in row.items():
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            row[key] = value.replace(tzinfo=dt.UTC)
    return row


def _copy(source: "Connection", target: "Connection") -> dict[str, int]:
    """Every row of every ecoport table from *source* into the empty tables of *target*."""
    from sqlalchemy import insert, select

    counts: dict[str, int] = {}
    for table in _tables():
        n = 0
        result = source.execution_options(stream_results=True, yield_per=BATCH).execute(
            select(table).order_by(*table.primary_key.columns)
        )
        for part in result.mappings().partitions(BATCH):
            target.execute(insert(table), [_aware(dict(r)) for r in part])
            n += len(part)
        counts[table.name] = n
    return counts


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t.name: conn.execute(f"SELECT COUNT(*) FROM {t.name}").fetchone()[0] for t in _tables()}


def backup(location: Location, file: Path, *, force: bool = False) -> Copied:
    """Write a consistent copy of the database at *location* to the SQLite file *file*."""
    if check(location) is not State.CURRENT:
        create(location)  # upgrade an older one first (SQLite keeps a copy of it)
    if file.exists() and not force:
        raise Conflict(f"{file} exists; choose another file or pass {{option:force}}", where="FILE")
    folder = file.parent
    if not folder.is_dir():
        raise StoreError(f"folder {folder} does not exist", where="FILE")
    fd, partial_name = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".partial", dir=folder)
    os.close(fd)
    partial = Path(partial_name)
    try:
        if location.is_sqlite:
            source = sqlite3.connect(sqlite_uri(location.path, "ro"), uri=True)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # consistent, while other processes write
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                rows = _counts(copy)
            finally:
                copy.close()
                source.close()
        else:
            partial.unlink()
            target = Location(partial, "FILE")
            create(target)
            src, dst = engine_for(location), engine_for(target)
            try:
                with src.connect() as read, dst.begin() as write:
                    snapshot = read.execution_options(
                        isolation_level="REPEATABLE READ", postgresql_readonly=True
                    )
                    with snapshot.begin():
                        rows = _copy(snapshot, write)
            finally:
                src.dispose()
                dst.dispose()
        partial.replace(file)
    except driver_errors() as exc:
        raise StoreError(f"backing up {location} failed: {reason_of(exc)}") from None
    except OSError as exc:
        raise StoreError(f"cannot write {file}: {exc.strerror}", where="FILE") from None
    finally:
        partial.unlink(missing_ok=True)
    return Copied(str(file), rows)


def restore(location: Location, file: Path, *, force: bool = False) -> Copied:
    """Replace the content of the database at *location* with the backup *file*.

    Refused when the database holds anything, unless *force*. One transaction: on any
    failure the database is as it was."""
    from sqlalchemy import delete, text

    source = Location(file.expanduser().absolute(), "FILE")
    if not source.path.is_file():
        raise StoreError(f"{file} is not a file", where="FILE")
    state = check(source)
    if state not in (State.CURRENT, State.BEHIND):
        raise StoreError(
            f"{file} is not an ecoport backup (it has no ecoport schema)", where="FILE"
        )
    with tempfile.TemporaryDirectory(prefix="ecoport-restore-") as scratch:
        if state is State.BEHIND:  # bring a copy of an older backup to this schema
            upgraded = Location(Path(scratch) / "backup.db", "FILE")
            conn = sqlite3.connect(sqlite_uri(source.path, "ro"), uri=True)
            copy = sqlite3.connect(upgraded.path)
            try:
                conn.backup(copy)
            finally:
                copy.close()
                conn.close()
            create(upgraded)
            source = upgraded
        create(location)
        src, dst = engine_for(source), engine_for(location)
        try:
            with src.connect() as read, dst.begin() as write:
                held = _held(write)
                if held and not force:
                    raise Conflict(
                        f"{location} is not empty ({held}); "
                        "{option:force} replaces everything in it"
                    )
                for table in reversed(_tables()):
                    write.execute(delete(table))
                rows = _copy(read, write)
                if not location.is_sqlite:
                    for table in _tables():
                        if "id" in table.c:
                            write.execute(
                                text(
                                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
                                )
                            )
        except driver_errors() as exc:
            raise StoreError(f"restoring into {location} failed: {reason_of(exc)}") from None
        finally:
            src.dispose()
            dst.dispose()
    return Copied(str(file), rows)


def _held(conn: "Connection") -> str:
    """What the database holds, as ``3 companies, 5 stakes``; empty when nothing."""
    from sqlalchemy import text

    parts = []
    for table, noun in (("company", "companies"), ("stake", "stakes"), ("change", "changes")):
        (n,) = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).one()
        if n:
            parts.append(f"{n} {noun}")
    return ", ".join(parts)
