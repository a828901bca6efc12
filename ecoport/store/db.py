"""Where the database is, and how to open it: a light DB-API reader, or a SQLModel session."""

import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, unquote

from ecoport.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

#: The Alembic revision this version of ecoport writes and reads. A test keeps it equal to
#: the migrations' head, so opening a database never needs to import Alembic.
REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
)
SCHEMA_REVISION = REVISIONS[-1]

#: How long a writer waits for another's transaction by default, in seconds (``--wait``).
DEFAULT_WAIT = 600.0
#: How long the first attempt at the write lock waits before ecoport looks at the clock
#: again; each next one waits twice as long, up to LOCK_SLICE_MAX (few attempts, so that a
#: PostgreSQL waiter seldom leaves the lock's queue and joins it again at the back).
LOCK_SLICE = 1.0
LOCK_SLICE_MAX = 16.0
#: After how long a waiting writer says so (once): after its first attempt, which may end
#: a little before LOCK_SLICE (a lock timeout's timer), not after an instant refusal.
NOTE_AFTER = 0.9
SQLITE_BUSY = 5


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
    server_url: str | None = field(default=None, repr=False)
    """The SQLAlchemy URL of a PostgreSQL database (``postgresql+psycopg://...``)."""
    wait: float = DEFAULT_WAIT
    """How long a writer waits for another ecoport write to finish, in seconds."""
    on_wait: Callable[[], None] | None = field(default=None, compare=False, repr=False)
    """Called once when a writer has waited for NOTE_AFTER seconds (the CLI says so)."""

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
        return hide_password(self.server_url)

    def __repr__(self) -> str:
        return f"Location({str(self)!r}, origin={self.origin!r})"

    def scrub(self, text: str) -> str:
        """*text* (a driver's message) without this database's password, even where the
        driver quotes it outside a URL (libpq: 'unexpected spaces found in "..."')."""
        text = hide_password(text)
        for secret in _secrets(self.server_url or ""):
            text = text.replace(secret, "***")
        return text


#: A URL's password: what follows ``scheme://user:`` up to the ``@`` before the host (the
#: last ``@`` of the word, and across spaces to a later ``@``, so that none of a password
#: is left showing); and a ``password=`` parameter (``?password=``, ``sslpassword=``).
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@]*):(?:\S|\s+(?=\S*@))*@"
)
_PARAM_PASSWORD = re.compile(r"(?P<head>\b\w*password\s*=\s*)(?:'[^']*'|[^\s&'\"]+)", re.IGNORECASE)


def hide_password(text: str) -> str:
    """*text* (a URL, a command line, a message) with every password in a URL shown as
    ``***``: ``postgresql://me:***@host/db``, ``...?password=***``."""
    text = _URL_PASSWORD.sub(r"\g<head>:***@", text)
    return _PARAM_PASSWORD.sub(r"\g<head>***", text)


def _secrets(url: str) -> list[str]:
    """The passwords in *url* as written and percent-decoded, longest first."""
    rest = url.partition("://")[2]
    found = set()
    for userinfo in (rest.partition("@")[0], rest.rpartition("@")[0]):
        if ":" in userinfo:
            found.add(userinfo.split(":", 1)[1])
    found.update(m.group(1) for m in re.finditer(r"password=([^&]*)", rest, re.IGNORECASE))
    found |= {unquote(secret) for secret in found}
    found.discard("")
    return sorted(found, key=len, reverse=True)


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("ecoport", appauthor=False) / "ecoport.db"


def locate(db: str | None = None, env: Mapping[str, str] | None = None) -> Location:
    """The database in use: ``--db`` over ``ECOPORT_DB`` over ``ECOPORT_DATABASE_URL``
    over the platform's user data directory."""
    env = os.environ if env is None else env
    for origin, value in (
        ("{option:db}", db),
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
            raise StoreError(
                f"expected postgresql://user@host/db, got {hide_password(value)!r}", where=origin
            )
        # the path is unused for PostgreSQL: keep no password in it
        shown = hide_password(f"postgresql://{rest}").partition("://")[2]
        return Location(Path(shown), origin, server_url=f"postgresql+psycopg://{rest}")
    if dialect != "sqlite":
        raise StoreError(
            f"unsupported database URL scheme {scheme!r}: ecoport stores to SQLite "
            "(sqlite:///path/to/file.db) or PostgreSQL (postgresql+psycopg://user@host/db)",
            where=origin,
        )
    if not rest.startswith("/") or rest in ("/", "/:memory:"):
        raise StoreError(
            f"expected sqlite:///path/to/file.db, got {hide_password(value)!r}", where=origin
        )
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
        # a file not in WAL mode is locked while a writer commits: wait, not "not ecoport"
        conn.execute(f"PRAGMA busy_timeout = {_busy_ms(location.wait)}")
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
        # libpq's cause, then its hint ("Is the server running ...?"), on one line
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = location.scrub(
            ". ".join(lines).removeprefix("connection failed: ") or type(exc).__name__
        )
        # a space after the URL: a ':' would read as part of a ?password= value, and hidden
        raise StoreError(
            f"cannot connect to {location} — {reason}", where=location.origin
        ) from None


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
            f"no ecoport database at {location}; create one with {{command:init --seed}} "
            "or choose another with {option:db}",
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
            raise StoreError(
                f"reading {location} failed: {location.scrub(reason_of(exc))}"
            ) from None
        finally:
            engine.dispose()
        return
    file = sqlite3.connect(sqlite_uri(location.path, "ro"), uri=True)
    # in WAL mode readers wait for no writer; a file in another journal mode may make them
    file.execute(f"PRAGMA busy_timeout = {_busy_ms(location.wait)}")
    try:
        yield SqliteReader(file)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"reading {location.path} failed: {exc}") from None
    finally:
        file.close()


def engine_for(location: Location, *, foreign_keys: bool = True) -> "Engine":
    """A SQLAlchemy engine with ecoport's settings on every connection.

    SQLite: foreign keys on (unless *foreign_keys* is False: see ``writing``'s
    ``references_at_end``), and every transaction begun IMMEDIATE, so a writer takes the
    write lock at its start, never failing halfway with "database is locked". PostgreSQL:
    UTC, and every transaction takes ecoport's advisory write lock, so writers also take
    turns. On both, a writer waits for the lock up to ``location.wait`` seconds (see
    take_turn), however long another's transaction lasts within that.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    if not location.is_sqlite:
        psycopg = _psycopg()
        engine = create_engine(
            location.url,
            poolclass=NullPool,
            connect_args={"connect_timeout": 10, "options": "-c timezone=UTC"},
        )

        @event.listens_for(engine, "begin")
        def _lock(conn: Any) -> None:
            if conn.get_execution_options().get("postgresql_readonly"):
                return
            server = conn.connection.driver_connection

            def attempt(seconds: float) -> bool:
                # a lock wait of at most *seconds* (lock_timeout 0 would mean no limit); a
                # timed-out attempt's transaction is rolled back before the next one
                try:
                    server.execute(f"SET LOCAL lock_timeout = {max(1, round(seconds * 1000))}")
                    server.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                except psycopg.errors.LockNotAvailable:
                    server.rollback()
                    return False
                server.execute("SET LOCAL lock_timeout TO DEFAULT")
                return True

            take_turn(location, attempt)

        return engine

    engine = create_engine(location.url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # ecoport says BEGIN itself (below)
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout = {_busy_ms(location.wait)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        file: sqlite3.Connection = conn.connection.driver_connection

        def attempt(seconds: float) -> bool:
            file.execute(f"PRAGMA busy_timeout = {_busy_ms(seconds)}")
            try:
                file.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != SQLITE_BUSY:
                    raise
                return False
            finally:
                # the statements inside the transaction (a commit that waits for readers,
                # on a file not in WAL mode) wait as long as the writer may
                file.execute(f"PRAGMA busy_timeout = {_busy_ms(location.wait)}")
            return True

        take_turn(location, attempt)

    return engine


def _busy_ms(seconds: float) -> int:
    return min(2**31 - 1, round(seconds * 1000))


def take_turn(location: Location, attempt: Callable[[float], bool]) -> None:
    """Take the write lock: call *attempt* (which waits for the lock at most the seconds it
    is given, and says whether it got it) until it succeeds or ``location.wait`` seconds
    have passed. Calls ``location.on_wait`` once, when the wait has lasted NOTE_AFTER.

    Attempts of 1, 2, 4... seconds, not one long wait: the waiting is said after the first,
    and no attempt outlives the deadline. StoreError when the time is up."""
    began = time.monotonic()
    deadline = began + location.wait
    noted = location.on_wait is None
    slice_ = LOCK_SLICE
    while True:
        tried = time.monotonic()
        if attempt(max(0.0, min(slice_, deadline - tried))):
            return
        slice_ = min(2 * slice_, LOCK_SLICE_MAX)
        now = time.monotonic()
        if now >= deadline:
            raise StoreError(
                f"another ecoport write has held the database for {location.wait:g} s; "
                "nothing was changed (wait longer with {option:wait} SECONDS)"
            )
        if not noted and now - began >= NOTE_AFTER:
            assert location.on_wait is not None
            location.on_wait()
            noted = True
        if now - tried < 0.01:  # refused without waiting: no busy loop
            time.sleep(min(0.05, deadline - now))


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
    """The first line of a driver error's message, with any password in it hidden."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return hide_password(lines[0]) if lines else type(orig).__name__


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
        reason = location.scrub(reason_of(exc))
        raise StoreError(f"{failure.format(location)}: {reason}") from None
    finally:
        engine.dispose()


@contextmanager
def writing(
    location: Location,
    *,
    commit: bool = True,
    change: "Change | None" = None,
    references_at_end: bool = False,
) -> "Iterator[Session]":
    """A session in one transaction: committed when the block ends, rolled back on any error
    (or always, when *commit* is False: a dry run). Creates the database when there is none.

    What the block changes is written to the audit trail in the same transaction, as one
    change made by *change*'s actor and command.

    *references_at_end* (SQLite; for a bulk load into a database that holds little): every
    reference is checked once, the whole database's, before the commit, instead of as each
    row is written (with a million rows, half the time of their inserts). A broken one
    fails the block like any other error, and nothing is written."""
    from sqlmodel import Session

    from ecoport.store import audit

    create(location)
    at_end = references_at_end and location.is_sqlite
    engine = engine_for(location, foreign_keys=not at_end)
    try:
        with Session(engine) as session:
            audit.watch(session)
            try:
                yield session
                if commit:
                    audit.record(session, change or Change())
                    if at_end:
                        _check_references(session, location)
                    session.commit()
                else:
                    session.rollback()
            except BaseException:
                session.rollback()
                raise
    except driver_errors() as exc:
        raise StoreError(
            f"writing to {location} failed: {location.scrub(reason_of(exc))}; nothing was changed"
        ) from None
    finally:
        engine.dispose()


def _check_references(session: "Session", location: Location) -> None:
    """Refuse the transaction if any row refers to one that does not exist.

    Each reference's distinct values are looked up once (through the index on the referring
    column, where there is one), not row by row as ``PRAGMA foreign_key_check`` does: a
    million stakes 0.25 s, not 1.5 s. A reference of several columns, or to a primary key
    not named, is left to the PRAGMA."""
    run = session.connection().exec_driver_sql
    tables = [
        r[0]
        for r in run(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        references: dict[int, list[tuple[str, str, str | None]]] = {}
        for fk, _seq, parent, column, key, *_ in run(f'PRAGMA foreign_key_list("{table}")'):
            references.setdefault(fk, []).append((parent, column, key))
        for columns in references.values():
            parent, column, key = columns[0]
            if len(columns) > 1 or key is None:
                found = run(f'PRAGMA foreign_key_check("{table}")').fetchmany(1)
                if found:
                    _, rowid, parent, _fk = found[0]
                    _broken(location, table, rowid, parent)
                continue
            value = run(
                f'SELECT v FROM (SELECT DISTINCT "{column}" AS v FROM "{table}" '
                f'WHERE "{column}" IS NOT NULL) WHERE NOT EXISTS '
                f'(SELECT 1 FROM "{parent}" WHERE "{key}" = v) LIMIT 1'
            ).first()
            if value is not None:
                rowid = run(
                    f'SELECT rowid FROM "{table}" WHERE "{column}" = ? LIMIT 1', (value[0],)
                ).scalar()
                _broken(location, table, rowid, parent)


def _broken(location: Location, table: str, rowid: object, parent: str) -> None:
    raise StoreError(
        f"writing to {location} failed: {table} row {rowid} would refer to a row of "
        f"{parent} that does not exist; nothing was changed"
    )


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
