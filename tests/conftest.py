"""Fixtures: every test gets its own database (a SQLite file in a temporary folder, or a
fresh schema on a throw-away PostgreSQL server); nothing touches a user's real data."""

import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ecoport.cli.app import app


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the session: the ECB rate tables are built once, not per test."""
    return tmp_path_factory.mktemp("cache")


BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: a test of SQLite files, run on SQLite only")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module with ``BOTH_BACKENDS = True`` runs each test on SQLite and on PostgreSQL."""
    if getattr(
        metafunc.module, "BOTH_BACKENDS", False
    ) and not metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("db_backend", BACKENDS, indirect=True)


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(autouse=True)
def isolated(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cache_home: Path,
    db_backend: str,
) -> Path:
    """Point ecoport at a temporary database; the platform data folder too, just in case.

    The database is a SQLite file (its Path is returned), or, for a test run on PostgreSQL,
    a freshly emptied database on a throw-away server (its URL, a str, is returned)."""
    db = tmp_path / "ecoport.db"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.setenv("ECOPORT_DB", str(db))
    monkeypatch.delenv("ECOPORT_DATABASE_URL", raising=False)
    monkeypatch.delenv("ECOPORT_ACTOR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("COLUMNS", raising=False)
    if db_backend == "postgresql":
        url = str(request.getfixturevalue("pg_database"))
        wipe(url)
        monkeypatch.setenv("ECOPORT_DB", url)
        return url  # type: ignore[return-value]
    return db


# -- PostgreSQL --------------------------------------------------------------------------


def _server_binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A URL to a PostgreSQL server the tests may create databases on.

    ECOPORT_TEST_DATABASE_URL when set (CI starts Debian's server and sets it); else a
    throw-away server of our own: initdb + pg_ctl on a temporary folder (as the postgres
    user when we are root, since initdb refuses to run as root)."""
    given = os.environ.get("ECOPORT_TEST_DATABASE_URL")
    if given:
        yield given
        return
    bin_dir = _server_binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install '.[test]')")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="ecoport-pg-"))
    if os.geteuid() == 0:
        if (
            shutil.which("runuser") is None
            or subprocess.run(["id", "postgres"], capture_output=True).returncode
        ):
            pytest.skip("running as root and there is no postgres user to run initdb as")
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    data, port = folder / "data", _free_port()
    user = "postgres" if as_user else os.environ.get("USER", "postgres")

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, timeout=120)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "--no-sync")
    run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-w",
        "-l",
        str(folder / "log"),
        "-o",
        f"-p {port} -k {folder} -c listen_addresses='' -c fsync=off",
        "start",
    )
    try:
        yield f"postgresql://{user}@/postgres?host={folder}&port={port}"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_database(pg_server: str) -> Iterator[str]:
    """A database of this test session's own on the server, dropped at the end."""
    psycopg = pytest.importorskip("psycopg")
    name = f"ecoport_test_{os.getpid()}"
    base, _, query = pg_server.partition("?")
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    url = base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    yield url.replace("postgresql://", "postgresql+psycopg://", 1)
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def wipe(url: str) -> None:
    """Empty the PostgreSQL database at *url* (its public schema, dropped and made again)."""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, isolated: Path) -> str:
    """Run the test on each backend: ECOPORT_DB is a SQLite file, or an empty PostgreSQL
    database. Returns what ECOPORT_DB is set to."""
    if request.param == "sqlite":
        return str(isolated)
    url = str(request.getfixturevalue("pg_database"))
    wipe(url)
    monkeypatch.setenv("ECOPORT_DB", url)
    return url


Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """Invoke the CLI as a user would; stdout and stderr kept apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def seeded(run: Run, isolated: Path) -> Path:
    result = run("init", "--seed")
    assert result.exit_code == 0, result.stderr
    return isolated


def dump(db: Path | str) -> list[str]:
    """The database's whole content, to check that a failed command changed nothing: as
    SQL for a SQLite file; every row of every table for a PostgreSQL URL."""
    if isinstance(db, str) and db.startswith("postgresql"):
        tables = [
            r[0]
            for r in query(
                db,
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' ORDER BY 1",
            )
        ]
        return [
            f"{t}: {row!r}" for t in tables for row in query(db, f"SELECT * FROM {t} ORDER BY 1")
        ]
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def query(db: Path | str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows of *sql* (``?`` parameters) run straight on the database, SQLite or PostgreSQL."""
    if isinstance(db, str) and db.startswith("postgresql"):
        import psycopg

        with psycopg.connect(db.replace("+psycopg", "", 1)) as pg:
            return [tuple(r) for r in pg.execute(sql.replace("?", "%s"), params)]
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
