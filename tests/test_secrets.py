"""No password leaves ecoport: a database URL's password is shown as *** wherever a URL is
printed (db path, db status, errors), and never stored in the audit log (nor, therefore, in
its output or in backups); migration 0006 masks the ones stored before."""

import json
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Run, _free_port, query

BOTH_BACKENDS = True
SECRET = "Hunter2-s3cret"
NEW_STAKE = (
    "add-stake", "--investor", "Xiaomi", "--startup", "Robo Works", "--sector", "iot/robots",
    "--date", "2016-03", "--amount", "61.5m CNY",
)  # fmt: skip


@pytest.fixture
def secret_url(isolated: Path, db_backend: str) -> Iterator[str]:
    """For PostgreSQL: the test database's URL as a role of its own whose password is
    SECRET (a server that checks passwords, as CI's does, must accept it); the role is
    dropped afterwards. For SQLite: the database file's URL."""
    if db_backend != "postgresql":
        yield f"sqlite:///{isolated}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    admin_url = str(isolated).replace("+psycopg", "")
    role = f"ecoport_secret_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {role}")
        admin.execute(f"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{SECRET}'")
    try:
        url = make_url(str(isolated)).set(username=role, password=SECRET)
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
            admin.execute(f"DROP OWNED BY {role}")
            admin.execute(f"DROP ROLE {role}")


def no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and "s3cret" not in text, text


def ok(result: object) -> str:
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    return str(result.stdout) + str(result.stderr)  # type: ignore[attr-defined]


@pytest.mark.sqlite_only  # no database
@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql+psycopg://me:pw@db/p", "postgresql+psycopg://me:***@db/p"),
        ("--db=postgresql://me:pw@db:5432/p?sslmode=require", "--db=postgresql://me:***@db:5432/p?sslmode=require"),
        ("postgresql://me:p@ss@db/p", "postgresql://me:***@db/p"),
        ("postgresql://me:p w@db/p", "postgresql://me:***@db/p"),
        ("postgresql://:pw@db/p", "postgresql://:***@db/p"),
        ("postgresql://me@db/p?password=pw&sslpassword=x", "postgresql://me@db/p?password=***&sslpassword=***"),
        (
            "ecoport --db 'postgresql://me:p w@db/p' add --source https://a:b@n/ --note a@b",
            "ecoport --db 'postgresql://me:***@db/p' add --source https://a:***@n/ --note a@b",
        ),
        # nothing to hide
        ("postgresql://me@db/p", "postgresql://me@db/p"),
        ("sqlite:////tmp/ecoport.db", "sqlite:////tmp/ecoport.db"),
        ("https://medium.com/@someone/a-post", "https://medium.com/@someone/a-post"),
        ("ecoport add-stake --note me:you@home", "ecoport add-stake --note me:you@home"),
    ],
)  # fmt: skip
def test_hide_password(text: str, shown: str) -> None:
    from ecoport.store.db import hide_password

    assert hide_password(text) == shown
    assert hide_password(shown) == shown


def test_the_audit_log_keeps_no_password(
    run: Run, isolated: Path, db_backend: str, tmp_path: Path, secret_url: str
) -> None:
    """The command line is stored with every URL's password masked: ``--db URL``,
    ``--db=URL`` and any other word; `log` in each format shows no password."""
    given = secret_url
    ok(run("--db", given, "init", "--seed"))
    ok(run(*NEW_STAKE, f"--db={given}"))
    ok(run("--db", given, "config", "set", "currency", "EUR"))
    ok(run("fx", "set", "CNY", "USD", "0.16", "--date", "2016-03-01", "--db", given))
    commands = [str(r[0]) for r in query(isolated, "SELECT command FROM change ORDER BY id")]
    assert len(commands) == 4
    no_secret(*commands)
    if db_backend == "postgresql":
        assert all(":***@" in c for c in commands), commands
        assert f"--db={given.replace(SECRET, '***')}" in commands[1]
    for fmt in ("table", "json", "csv"):
        no_secret(ok(run("log", "--format", fmt, "--db", given)))
    no_secret(ok(run("log", "--records", "--format", "json")))
    # an undo records its own command line, masked as well
    ok(run("--db", given, "undo"))
    no_secret(*(str(r[0]) for r in query(isolated, "SELECT command FROM change")))
    # and a backup holds the log as stored
    copy = tmp_path / "copy.db"
    ok(run("--db", given, "db", "backup", str(copy)))
    assert SECRET.encode() not in copy.read_bytes()


def test_a_password_in_any_word_is_masked(run: Run, seeded: Path) -> None:
    """Not only --db: any word of the command line that is a URL with a password."""
    ok(run(*NEW_STAKE, "--source", f"https://reader:{SECRET}@news.example/robo"))
    (command,) = query(seeded, "SELECT command FROM change ORDER BY id DESC LIMIT 1")[0]
    no_secret(str(command))
    assert "--source https://reader:***@news.example/robo" in str(command).replace("'", "")
    result = run("log", "--format", "json", "-n", "1")
    assert result.exit_code == 0
    (change,) = json.loads(result.stdout)["changes"]
    assert change["command"] == command


def test_where_the_database_is_shown(run: Run, db_backend: str, secret_url: str) -> None:
    """db path, db status, init and db upgrade name the database with its password masked."""
    if db_backend == "sqlite":
        from ecoport.store.db import locate

        given = f"postgresql+psycopg://me:{SECRET}@db.example:5432/portfolio"
        found = locate(given)
        no_secret(str(found), repr(found), str(found.path))
        for args in (("--db", given, "db", "path"), ("db", "path", f"--db={given}")):
            out = ok(run(*args))
            no_secret(out)
            assert "postgresql+psycopg://me:***@db.example:5432/portfolio" in out
        return
    given = secret_url
    shown = given.replace(SECRET, "***")
    for args in (
        ("--db", given, "db", "path"),
        ("--db", given, "db", "status"),
        ("--db", given, "db", "status", "--format", "json"),
        ("--db", given, "db", "upgrade"),  # an empty database: creates the schema
        ("--db", given, "init", "--seed"),
        ("db", "status", "--format", "csv", f"--db={given}"),
        ("--db", given, "db", "upgrade"),
        ("--db", given, "db", "check"),
    ):
        out = ok(run(*args))
        no_secret(out)
    assert json.loads(ok(run("--db", given, "db", "status", "-f", "json")))["database"] == shown


@pytest.mark.sqlite_only  # no server: a closed port
def test_errors_from_an_unreachable_server_hide_the_password(run: Run) -> None:
    port = _free_port()
    for url in (
        f"postgresql+psycopg://me:{SECRET}@127.0.0.1:{port}/portfolio",
        f"postgresql://me@127.0.0.1:{port}/portfolio?password={SECRET}",
        # libpq quotes a password with a space in its error, outside any URL
        f"postgresql+psycopg://me:{SECRET} x@127.0.0.1:{port}/portfolio",
    ):
        for args in (
            ("--db", url, "db", "status"),
            ("--db", url, "progress"),
            ("--db", url, "log", "--format", "json"),
            ("--db", url, *NEW_STAKE),
            ("db", "upgrade", f"--db={url}"),
            ("--db", url, "db", "backup", "copy.db"),
        ):
            result = run(*args)
            assert result.exit_code == 1, (args, result.stdout, result.stderr)
            assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
            assert "cannot connect to postgresql" in result.stderr
            # the cause (with libpq's hint), after the URL
            assert re.search(r"/portfolio(\?password=\*\*\*)? — \w", result.stderr)
            if " x@" not in url:
                assert "Connection refused. Is the server running" in result.stderr
            no_secret(result.stdout, result.stderr)


def _old_database(isolated: Path) -> list[tuple[int, str]]:
    """A database at revision 0005 whose audit log holds passwords, as ecoport wrote them
    before 0006: 1,500 changes (two batches), one in seven with a password."""
    from sqlalchemy import text

    from ecoport.store.db import engine_for, locate
    from ecoport.store.migrate import upgrade

    engine = engine_for(locate(str(isolated)))
    upgrade(engine, "0005")
    forms = [
        f"ecoport --db 'postgresql+psycopg://me:{SECRET}@db.example/p' add-stake --investor X",
        f"ecoport progress --db=postgresql://me:{SECRET}@db.example/p",
        f"ecoport --db 'postgresql://me@db/p?password={SECRET}' init --seed",
        f"ecoport add-stake --source 'https://reader:{SECRET} x@news.example/'",
    ]
    commands = [
        (i, forms[i % len(forms)] if i % 7 == 0 else f"ecoport add-stake --note 'n° {i}' a:b@c")
        for i in range(1, 1501)
    ]
    commands[-1] = (1500, "(library call)")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO change (id, at, actor, command, summary) "
                "VALUES (:id, '2026-11-01T00:00:00.000000Z', 'me', :command, 'nothing')"
            ),
            [{"id": i, "command": c} for i, c in commands],
        )
    engine.dispose()
    return commands


def test_migration_0006_masks_the_passwords_stored(
    run: Run, isolated: Path, db_backend: str, tmp_path: Path
) -> None:
    from ecoport.store.db import hide_password

    before = _old_database(isolated)
    upgraded = run("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.stderr
    after = [(int(i), str(c)) for i, c in query(isolated, "SELECT id, command FROM change")]
    assert sorted(after) == [(i, hide_password(c)) for i, c in before]
    # the others are left as they were, byte for byte
    assert [c for i, c in sorted(after) if i % 7] == [c for i, c in before if i % 7]
    assert sum(":***@" in c or "password=***" in c for _, c in after) == 1500 // 7
    no_secret(*(c for _, c in after))
    for fmt in ("table", "json", "csv"):
        no_secret(ok(run("log", "--format", fmt)))
    copy = tmp_path / "copy.db"
    ok(run("db", "backup", str(copy)))
    assert SECRET.encode() not in copy.read_bytes()
    if db_backend == "sqlite":
        # nothing left in the file's free space either (the copy made before upgrading
        # keeps the old log, as it keeps everything else)
        files = [isolated, isolated.with_name(isolated.name + "-wal")]
        assert not any(SECRET.encode() in f.read_bytes() for f in files if f.exists())
        (kept,) = isolated.parent.glob("*.from-0005")
        assert sqlite3.connect(kept).execute("SELECT COUNT(*) FROM change").fetchone() == (1500,)
