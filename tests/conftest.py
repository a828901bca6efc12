"""Fixtures: every test gets its own database folder; nothing touches a user's real data."""

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ecoport.cli.app import app


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the session: the ECB rate tables are built once, not per test."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_home: Path) -> Path:
    """Point ecoport at a temporary database; the platform data folder too, just in case."""
    db = tmp_path / "ecoport.db"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.setenv("ECOPORT_DB", str(db))
    monkeypatch.delenv("ECOPORT_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("COLUMNS", raising=False)
    return db


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


def dump(path: Path) -> list[str]:
    """The database's whole content as SQL, to check that a failed command changed nothing."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
