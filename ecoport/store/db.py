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
REVISIONS = ("0001", "0002", "0003", "0004", "0005")
SCHEMA_REVISION = REVISIONS[-1]
BUSY_TIMEOUT_MS = 10_000


#: A key for PostgreSQL's transaction-level advisory lock: ecoport's writers take it, so they
#: write one at a time, as SQLite's writers do ("ecoport" in ASCII).
WRITE_LOCK_KEY = 0x65636F706F7274


@dataclass(frozen=True, slots=True)
class Location:
    """A resolved database: a SQLite file or a PostgreSQL URL, and where the choice came from."""

    path: Path
    """The SQLite file; for PostgreSQL, the URL as a relative path (unused)."""
    origin: str
    """``--db``, ``ECOPORT_DB``, ``ECOPORT_DATABASE_URL`` or ``default``."""
    server_url: str | None = None
    """The SQLAlchemy URL of a PostgreSQL database (``postgresql+psycopg://...``)."""

    @property
    def is_sqlite(self) -> bool:
        return self.server_url is None

    @property
    def url(self) -> str:
        return self.server_url or f"sqlite:///{self.path}"

    @property
    def conninfo(self) -> str:
        """The libpq connection string of a PostgreSQL database."""
        assert self.server_url is not None
        return "postgresql://" + self.server_url.partition("://")[2]

    def __str__(self) -> str:
        if self.server_url is None:
            return str(self.path)
        return _hide_password(self.server_url)


def _hide_password(url: str) -> str:
    scheme, _, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if at and ":" in userinfo:
        userinfo = userinfo.split(":", 1)[0] + ":***"
    return f"{scheme}://{userinfo}{at}{host}"


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
            return _location_of(value, origin)
    return Location(default_path(), "default")


def _location_of(value: str, origin: str) -> Location:
    if "://" not in value:
        return Location(Path(value).expanduser().absolute(), origin)
    scheme, _, rest = value.partition("://")
    dialect, _, driver = scheme.partition("+")
    if dialect in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise StoreError(
                f"unsupported PostgreSQL driver {driver!r}: ecoport talks to PostgreSQL "
                "through psycopg (postgresql+psycopg://user@host/db)",
                where=origin,
            )
        if not rest or rest.startswith("/") and len(rest) == 1:
            raise StoreError(f"expected postgresql://user@host/db, got {value!r}", where=origin)
        return Location(Path(rest), origin, server_url=f"postgresql+psycopg://{rest}")
    if dialect != "sqlite":
        raise StoreError(
            f"unsupported database URL scheme {scheme!r}: ecoport stores to SQLite "
            "(sqlite:///path/to/file.db) or PostgreSQL (postgresql+psycopg://user@host/db)",
            where=origin,
        )
    if not rest.startswith("/") or rest in ("/", "/:memory:"):
        raise StoreError(f"expected sqlite:///path/to/file.db, got {value!r}", where=origin)
    return Location(Path(rest[1:]).expanduser().absolute(), origin)


class State(Enum):
    MISSING = "missing"
    EMPTY = "empty"
    BEHIND = "behind"
    CURRENT = "current"


def sqlite_uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path))}?mode={mode}"


def check(location: Location) -> State:
    """Is there an ecoport database of this version at *location*? Raise StoreError if it
    cannot be used. Cheap: plain sqlite3 (or psycopg), no SQLAlchemy, no Alembic."""
    return status(location)[0]


def status(location: Location) -> tuple[State, str | None]:
    """check(), with the schema revision stored (None when there is no ecoport schema)."""
    if not location.is_sqlite:
        return _check_server(location)
    path = location.path
    if not path.exists():
        _check_parent(location)
        return State.MISSING, None
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file", where=location.origin)
    try:
        conn = sqlite3.connect(sqlite_uri(path, "ro"), uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}", where=location.origin) from None
    try:
        tables = _tables(conn, "SELECT name FROM sqlite_master WHERE type='table'", location)
        return _state(conn, tables, location)
    finally:
        conn.close()


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "PostgreSQL needs the psycopg driver: pip install 'ecoport[postgresql]'"
        ) from None
    return psycopg


def server_connection(location: Location) -> Any:
    """A psycopg connection to the PostgreSQL database at *location* (StoreError if none)."""
    psycopg = _psycopg()
    try:
        return psycopg.connect(location.conninfo, connect_timeout=10, options="-c timezone=UTC")
    except psycopg.Error as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = lines[-1] if lines else type(exc).__name__
        raise StoreError(f"cannot connect to {location}: {reason}", where=location.origin) from None


def _check_server(location: Location) -> tuple[State, str | None]:
    conn = server_connection(location)
    try:
        tables = _tables(
            conn,
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()",
            location,
        )
        return _state(conn, tables, location)
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


def _tables(conn: Any, sql: str, location: Location) -> set[str]:
    try:
        return {r[0] for r in conn.execute(sql)}
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{location} is not an ecoport database ({exc})", where=location.origin
        ) from None


def _state(conn: Any, tables: set[str], location: Location) -> tuple[State, str | None]:
    tables.discard("sqlite_sequence")
    if not tables:
        return State.EMPTY, None
    if "alembic_version" not in tables or not {"company", "stake"} <= tables:
        raise StoreError(
            f"{location} is not an ecoport database (it has other tables)",
            where=location.origin,
        )
    versions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
    if versions == [SCHEMA_REVISION]:
        return State.CURRENT, SCHEMA_REVISION
    if len(versions) == 1 and versions[0] in REVISIONS:
        return State.BEHIND, versions[0]
    raise StoreError(
        f"{location} has schema revision {', '.join(versions) or 'none'}; this version "
        f"of ecoport reads revision {SCHEMA_REVISION} (is it from a newer ecoport?)",
        where=location.origin,
    )


class Reader(Protocol):
    """Runs read-only SQL with named parameters (``:name``) and returns rows as tuples."""

    def rows(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> Sequence[Sequence[Any]]: ...

    def stream(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]: ...


class SqliteReader:
    """A Reader over a plain sqlite3 connection: the fast path for reports."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params or {}).fetchall()

    def stream(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """The rows one at a time, for results too big to hold (an export)."""
        return iter(self.conn.execute(sql, params or {}))


class ConnectionReader:
    """A Reader over a SQLAlchemy connection (PostgreSQL), or a session's (inside a write)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        return [tuple(r) for r in self.conn.execute(text(sql), params or {})]

    def stream(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        from sqlalchemy import text

        result = self.conn.execution_options(stream_results=True, yield_per=5000).execute(
            text(sql), params or {}
        )
        return (tuple(r) for r in result)


class SessionReader(ConnectionReader):
    """A Reader inside a write session, so a service can read back what it just wrote."""

    def __init__(self, session: "Session") -> None:
        super().__init__(session)
        self.session = session


def _ensure_current(location: Location) -> None:
    state = check(location)
    if state is State.BEHIND:
        create(location)
        state = State.CURRENT
    if state is not State.CURRENT:
        raise StoreError(
            f"no ecoport database at {location}; create one with `ecoport init --seed` "
            "or choose another with --db",
            where=None if location.origin == "default" else location.origin,
        )


@contextmanager
def reading(location: Location) -> Iterator[Reader]:
    """Open an existing database read-only for reports (one consistent snapshot)."""
    _ensure_current(location)
    if not location.is_sqlite:
        engine = engine_for(location)
        try:
            with engine.connect() as conn:
                snapshot = conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
                with snapshot.begin():
                    yield ConnectionReader(snapshot)
        except driver_errors() as exc:
            raise StoreError(f"reading {location} failed: {reason_of(exc)}") from None
        finally:
            engine.dispose()
        return
    file = sqlite3.connect(sqlite_uri(location.path, "ro"), uri=True)
    file.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        yield SqliteReader(file)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"reading {location.path} failed: {exc}") from None
    finally:
        file.close()


def engine_for(location: Location) -> "Engine":
    """A SQLAlchemy engine with ecoport's settings on every connection.

    SQLite: foreign keys on, a busy timeout, and every transaction begun IMMEDIATE, so a
    writer takes the write lock at its start and waits its turn rather than failing
    halfway with "database is locked". PostgreSQL: UTC, and every transaction takes
    ecoport's advisory write lock, so writers also take turns.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    if not location.is_sqlite:
        _psycopg()
        engine = create_engine(
            location.url,
            poolclass=NullPool,
            connect_args={"connect_timeout": 10, "options": "-c timezone=UTC"},
        )

        @event.listens_for(engine, "begin")
        def _lock(conn: Any) -> None:
            if not conn.get_execution_options().get("postgresql_readonly"):
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

        return engine

    engine = create_engine(location.url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # ecoport says BEGIN itself (below)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def driver_errors() -> tuple[type[BaseException], ...]:
    """The DB-API errors of the drivers in use (raw driver calls are not wrapped)."""
    import sys

    from sqlalchemy.exc import DBAPIError

    errors: list[type[BaseException]] = [DBAPIError, sqlite3.Error]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        errors.append(psycopg.Error)
    return tuple(errors)


def reason_of(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def backup_path(location: Location, revision: str) -> Path:
    return location.path.with_name(f"{location.path.name}.before-{SCHEMA_REVISION}.from-{revision}")


def _backup(location: Location) -> Path:
    """Copy the database (consistently, with SQLite's online backup) before upgrading it."""
    conn = sqlite3.connect(sqlite_uri(location.path, "ro"), uri=True)
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


def upgrade(location: Location) -> str | None:
    """Bring an older database to this version's schema, in place and with its data.

    A SQLite file is copied first; the copy's path is returned. PostgreSQL upgrades in one
    transaction per migration (take a pg_dump first if you want a copy)."""
    import sys

    saved = _backup(location) if location.is_sqlite else None
    _migrate(location, "upgrading {} failed")
    kept = f" (a copy of the old one is in {saved})" if saved else ""
    sys.stderr.write(f"Upgraded {location} to schema revision {SCHEMA_REVISION}{kept}\n")
    return str(saved) if saved else None


def create(location: Location) -> bool:
    """Make sure an ecoport database of this version exists at *location*: create it, or
    upgrade an older one in place after writing a backup copy. True when just created."""
    state = check(location)
    if state is State.CURRENT:
        return False
    if state is State.BEHIND:
        upgrade(location)
        return False
    if location.is_sqlite:
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
    _migrate(location, "cannot create the schema in {}")
    return True


def _migrate(location: Location, failure: str) -> None:
    """Run the migrations up to head; *failure* ({} is the database) says what failed."""
    from ecoport.store.migrate import upgrade as upgrade_schema

    engine = engine_for(location)
    try:
        upgrade_schema(engine)
    except driver_errors() as exc:
        raise StoreError(f"{failure.format(location)}: {reason_of(exc)}") from None
    finally:
        engine.dispose()


@contextmanager
def writing(
    location: Location, *, commit: bool = True, change: "Change | None" = None
) -> "Iterator[Session]":
    """A session in one transaction: committed when the block ends, rolled back on any error
    (or always, when *commit* is False: a dry run). Creates the database when there is none.

    What the block changes is written to the audit trail in the same transaction, as one
    change made by *change*'s actor and command."""
    from sqlmodel import Session

    from ecoport.store import audit

    create(location)
    engine = engine_for(location)
    try:
        with Session(engine) as session:
            audit.watch(session)
            try:
                yield session
                if commit:
                    audit.record(session, change or Change())
                    session.commit()
                else:
                    session.rollback()
            except BaseException:
                session.rollback()
                raise
    except driver_errors() as exc:
        raise StoreError(
            f"writing to {location} failed: {reason_of(exc)}; nothing was changed"
        ) from None
    finally:
        engine.dispose()


@dataclass(frozen=True, slots=True)
class Change:
    """Who makes a change and with which command, for the audit trail."""

    command: str = "(library call)"
    actor: str | None = None
    """None: ECOPORT_ACTOR, else the operating-system user."""

    def who(self) -> str:
        if self.actor:
            return self.actor
        env = os.environ.get("ECOPORT_ACTOR")
        if env:
            return env
        import getpass

        try:
            return getpass.getuser()
        except (OSError, KeyError):
            return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


class Raw:
    """The DB-API connection under a session, for bulk work, with ``?`` parameters on both
    backends. Inside the session's transaction (so inside its write lock)."""

    def __init__(self, session: "Session") -> None:
        self.conn: Any = session.connection().connection.driver_connection
        self.sqlite = isinstance(self.conn, sqlite3.Connection)

    def _sql(self, sql: str) -> str:
        return sql if self.sqlite else sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if self.sqlite:
            self.conn.executemany(sql, rows)
        else:
            with self.conn.cursor() as cursor:
                cursor.executemany(self._sql(sql), rows)

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        """Run an INSERT of one row; its new id."""
        if self.sqlite:
            rowid = self.conn.execute(sql, params).lastrowid
            assert rowid is not None
            return int(rowid)
        return int(self.conn.execute(self._sql(sql) + " RETURNING id", params).fetchone()[0])

    def indexes(self, table: str) -> list[tuple[str, str]]:
        """The table's own indexes (not its primary key): name and the SQL that makes it."""
        if self.sqlite:
            sql = (
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL"
            )
        else:
            sql = (
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = ? AND indexname NOT LIKE '%%_pkey'"
            )
        return [(r[0], r[1]) for r in self.execute(sql, (table,))]
