"""Where the database is, and how to open it: a light DB-API reader, or a SQLModel session."""

import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from ecoport.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

#: The Alembic revision this version of ecoport writes and reads. A test keeps it equal to
#: the migrations' head, so opening a database never needs to import Alembic.
REVISIONS = ("0001", "0002", "0003")
SCHEMA_REVISION = REVISIONS[-1]
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True, slots=True)
class Location:
    """A resolved database: its SQLite file and where the choice came from."""

    path: Path
    origin: str
    """``--db``, ``ECOPORT_DB``, ``ECOPORT_DATABASE_URL`` or ``default``."""

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def __str__(self) -> str:
        return str(self.path)


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("ecoport", appauthor=False) / "ecoport.db"


def locate(db: str | None = None, env: Mapping[str, str] | None = None) -> Location:
    """The database in use: ``--db`` over ``ECOPORT_DB`` over ``ECOPORT_DATABASE_URL``
    over the platform's user data directory."""
    env = os.environ if env is None else env
    for origin, value in (
        ("--db", db),
        ("ECOPORT_DB", env.get("ECOPORT_DB")),
        ("ECOPORT_DATABASE_URL", env.get("ECOPORT_DATABASE_URL")),
    ):
        if value:
            return Location(_path_of(value, origin), origin)
    return Location(default_path(), "default")


def _path_of(value: str, origin: str) -> Path:
    if "://" not in value:
        return Path(value).expanduser().absolute()
    scheme, _, rest = value.partition("://")
    if scheme.split("+")[0] != "sqlite":
        raise StoreError(
            f"unsupported database URL scheme {scheme!r}: this version of ecoport stores to "
            "SQLite (sqlite:///path/to/file.db)",
            where=origin,
        )
    if not rest.startswith("/") or rest in ("/", "/:memory:"):
        raise StoreError(f"expected sqlite:///path/to/file.db, got {value!r}", where=origin)
    return Path(rest[1:]).expanduser().absolute()


class State(Enum):
    MISSING = "missing"
    EMPTY = "empty"
    BEHIND = "behind"
    CURRENT = "current"


def _sqlite_uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path))}?mode={mode}"


def check(location: Location) -> State:
    """Is there an ecoport database of this version at *location*? Raise StoreError if the
    file cannot be used. Cheap: plain sqlite3, no SQLAlchemy, no Alembic."""
    path = location.path
    if not path.exists():
        _check_parent(location)
        return State.MISSING
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file", where=location.origin)
    try:
        conn = sqlite3.connect(_sqlite_uri(path, "ro"), uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}", where=location.origin) from None
    try:
        return _state(conn, location)
    finally:
        conn.close()


def _check_parent(location: Location) -> None:
    parent = location.path.parent
    if location.origin == "default":
        return  # the platform data folder is created on first use
    if not parent.exists():
        raise StoreError(f"folder {parent} does not exist", where=location.origin)
    if not parent.is_dir():
        raise StoreError(f"{parent} is not a folder", where=location.origin)


def _state(conn: sqlite3.Connection, location: Location) -> State:
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{location.path} is not an ecoport database ({exc})", where=location.origin
        ) from None
    tables.discard("sqlite_sequence")
    if not tables:
        return State.EMPTY
    if "alembic_version" not in tables or not {"company", "stake"} <= tables:
        raise StoreError(
            f"{location.path} is not an ecoport database (it has other tables)",
            where=location.origin,
        )
    versions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
    if versions == [SCHEMA_REVISION]:
        return State.CURRENT
    if len(versions) == 1 and versions[0] in REVISIONS:
        return State.BEHIND
    raise StoreError(
        f"{location.path} has schema revision {', '.join(versions) or 'none'}; this version "
        f"of ecoport reads revision {SCHEMA_REVISION} (is it from a newer ecoport?)",
        where=location.origin,
    )


class Reader(Protocol):
    """Runs read-only SQL with named parameters (``:name``) and returns rows as tuples."""

    def rows(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> Sequence[Sequence[Any]]: ...


class SqliteReader:
    """A Reader over a plain sqlite3 connection: the fast path for reports."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params or {}).fetchall()

    def stream(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """The rows one at a time, for results too big to hold (an export)."""
        return iter(self.conn.execute(sql, params or {}))


class SessionReader:
    """A Reader inside a write session, so a service can read back what it just wrote."""

    def __init__(self, session: "Session") -> None:
        self.session = session

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        return [tuple(r) for r in self.session.execute(text(sql), params or {})]


@contextmanager
def reading(location: Location) -> Iterator[SqliteReader]:
    """Open an existing database read-only for reports."""
    state = check(location)
    if state is State.BEHIND:
        create(location)
        state = State.CURRENT
    if state is not State.CURRENT:
        raise StoreError(
            f"no ecoport database at {location.path}; create one with `ecoport init --seed` "
            "or choose another with --db",
            where=None if location.origin == "default" else location.origin,
        )
    conn = sqlite3.connect(_sqlite_uri(location.path, "ro"), uri=True)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        yield SqliteReader(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"reading {location.path} failed: {exc}") from None
    finally:
        conn.close()


def engine_for(location: Location) -> "Engine":
    """A SQLAlchemy engine with ecoport's SQLite settings on every connection."""
    from sqlalchemy import create_engine, event

    engine = create_engine(location.url)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.close()

    return engine


def backup_path(location: Location, revision: str) -> Path:
    return location.path.with_name(f"{location.path.name}.before-{SCHEMA_REVISION}.from-{revision}")


def _backup(location: Location) -> Path:
    """Copy the database (consistently, with SQLite's online backup) before upgrading it."""
    conn = sqlite3.connect(_sqlite_uri(location.path, "ro"), uri=True)
    try:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        target = backup_path(location, revision)
        copy = sqlite3.connect(target)
        try:
            conn.backup(copy)
        finally:
            copy.close()
    finally:
        conn.close()
    return target


def create(location: Location) -> bool:
    """Make sure an ecoport database of this version exists at *location*: create it, or
    upgrade an older one in place after writing a backup copy. True when just created."""
    state = check(location)
    if state is State.CURRENT:
        return False
    if state is State.BEHIND:
        import sys

        saved = _backup(location)
        from ecoport.store.migrate import upgrade as upgrade_schema

        upgrade_schema(engine_for(location))
        sys.stderr.write(
            f"Upgraded {location.path} to schema revision {SCHEMA_REVISION} "
            f"(a copy of the old one is in {saved})\n"
        )
        return False
    if location.origin == "default":
        location.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(location.path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
    except sqlite3.Error as exc:
        raise StoreError(
            f"cannot create a database at {location.path}: {exc}", where=location.origin
        ) from None
    from ecoport.store.migrate import upgrade

    upgrade(engine_for(location))
    return True


@contextmanager
def writing(location: Location, *, commit: bool = True) -> "Iterator[Session]":
    """A session in one transaction: committed when the block ends, rolled back on any error
    (or always, when *commit* is False: a dry run). Creates the database when there is none."""
    from sqlalchemy.exc import DBAPIError
    from sqlmodel import Session

    create(location)
    engine = engine_for(location)
    try:
        with Session(engine) as session:
            try:
                yield session
                if commit:
                    session.commit()
                else:
                    session.rollback()
            except BaseException:
                session.rollback()
                raise
    except DBAPIError as exc:
        raise StoreError(f"writing to {location.path} failed: {exc.orig}") from None
    finally:
        engine.dispose()
