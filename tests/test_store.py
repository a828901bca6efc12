"""The store: where the database is, its schema under migration, files that are not ours."""

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from ecoport.errors import StoreError
from ecoport.store import models  # noqa: F401
from ecoport.store.db import (
    REVISIONS,
    SCHEMA_REVISION,
    State,
    backup_path,
    check,
    create,
    locate,
    reading,
)
from ecoport.store.migrate import head, upgrade
from tests.conftest import query


def test_schema_revision_constants_match_the_migrations() -> None:
    from alembic.script import ScriptDirectory

    from ecoport.store.migrate import config

    history = [s.revision for s in ScriptDirectory.from_config(config()).walk_revisions()]
    assert tuple(reversed(history)) == REVISIONS
    assert head() == SCHEMA_REVISION == REVISIONS[-1]


def test_an_old_database_is_upgraded_in_place_with_its_data_and_a_backup(tmp_path: Path) -> None:
    loc = locate(str(tmp_path / "old.db"), {})
    upgrade(create_engine(loc.url), "0001")
    conn = sqlite3.connect(loc.path)
    conn.executescript(
        """
        INSERT INTO company (id, name, name_key, sector, created_at)
        VALUES (1, 'Xiaomi', 'xiaomi', NULL, '2026-01-01'),
               (2, '美的集团', '美的集团', 'home/appliances', '2026-01-01');
        INSERT INTO stake (investor_id, company_id, kind, date, date_precision, amount_minor,
                           currency, percent_micro, created_at)
        VALUES (1, 2, 'investment', '2014-12-14', 'day', 126600000000, 'CNY', 1290000,
                '2026-01-01');
        """
    )
    conn.commit()
    before = list(conn.iterdump())
    conn.close()
    assert check(loc) is State.BEHIND
    with reading(loc) as reader:
        rows = reader.rows("SELECT amount_minor, currency, percent_micro FROM stake")
        assert rows == [(126600000000, "CNY", 1290000)]
        assert reader.rows("SELECT version_num FROM alembic_version") == [(SCHEMA_REVISION,)]
    assert check(loc) is State.CURRENT
    saved = backup_path(loc, "0001")
    copy = sqlite3.connect(saved)
    assert list(copy.iterdump()) == before
    copy.close()
    after = sqlite3.connect(loc.path)
    names = [r[0] for r in after.execute("SELECT name FROM company ORDER BY id")]
    after.close()
    assert names == ["Xiaomi", "美的集团"]


def test_migrating_a_blank_database_gives_exactly_the_models_schema(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'blank.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    assert diff == []


def _checks(path: Path) -> dict[tuple[str, str], str]:
    """Each table's CHECK constraints as SQLite stores them: (table, name) -> expression."""
    import re

    conn = sqlite3.connect(path)
    tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    conn.close()
    found = re.compile(r"^\s*CONSTRAINT (\w+) CHECK \((.*)\),?\s*$", re.MULTILINE)
    return {(t, m[1]): m[2] for t, sql in tables for m in found.finditer(sql or "")}


def test_the_migrated_check_constraints_are_the_models_own(tmp_path: Path) -> None:
    """compare_metadata leaves CHECK constraints out: they are compared here, text for text;
    none builds an IN list for each row written (revision 0011)."""
    upgrade(create_engine(f"sqlite:///{tmp_path / 'blank.db'}"))
    migrated = _checks(tmp_path / "blank.db")
    expected = {
        (table.name, c.name): str(c.sqltext)
        for table in SQLModel.metadata.tables.values()
        for c in table.constraints
        if c.__class__.__name__ == "CheckConstraint"
    }
    assert migrated == expected
    assert len(migrated) > 20
    assert not [expr for expr in migrated.values() if " IN (" in expr.upper()]


def test_the_migrated_indexes_are_the_models_own(tmp_path: Path) -> None:
    """Index by index, the SQL that makes it (a partial index's WHERE included, which
    compare_metadata does not look at) is the same migrated as made from the models."""
    upgrade(create_engine(f"sqlite:///{tmp_path / 'migrated.db'}"))
    SQLModel.metadata.create_all(create_engine(f"sqlite:///{tmp_path / 'models.db'}"))
    sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    migrated = dict(query(tmp_path / "migrated.db", sql))
    assert migrated == dict(query(tmp_path / "models.db", sql))
    assert migrated["ix_stake_ref"] == (
        "CREATE UNIQUE INDEX ix_stake_ref ON stake (ref) WHERE ref IS NOT NULL"
    )


def test_revision_0011_rewrites_the_in_lists_in_place_and_back(tmp_path: Path) -> None:
    """An old database's constraints change text, not meaning; its rows stay, a bad kind is
    still refused; going back gives the old text exactly."""
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, "0010")
    before = _checks(path)
    assert before[("stake", "ck_stake_kind")].startswith("kind IN (")
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        INSERT INTO company (id, name, name_key, match_key, created_at)
        VALUES (1, 'Xiaomi', 'xiaomi', 'xiaomi', '2026-01-01'),
               (2, 'Ninebot', 'ninebot', 'ninebot', '2026-01-01');
        INSERT INTO stake (investor_id, company_id, kind, date, date_precision, created_at)
        VALUES (1, 2, 'write-off', '2015', 'year', '2026-01-01');
        """
    )
    conn.commit()
    conn.close()
    upgrade(engine)
    after = _checks(path)
    assert after[("stake", "ck_stake_kind")] == (
        "kind = 'investment' OR kind = 'acquisition' OR kind = 'holding' OR kind = 'sale' "
        "OR kind = 'exit' OR kind = 'write-off'"
    )
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {
        ("stake", "ck_stake_kind"),
        ("stake", "ck_stake_precision"),
        ("funding_round", "ck_round_precision"),
        ("mark", "ck_mark_kind"),
        ("mark", "ck_mark_precision"),
    }
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("SELECT kind, date_precision FROM stake").fetchall() == [
        ("write-off", "year")
    ]
    for kind, precision in (("grant", "day"), ("sale", "week")):
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            conn.execute(
                "INSERT INTO stake (investor_id, company_id, kind, date, date_precision, "
                "created_at) VALUES (1, 2, ?, '2016-01-01', ?, '2026-01-01')",
                (kind, precision),
            )
    conn.close()
    from alembic import command

    from ecoport.store.migrate import config

    cfg = config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0010")
    assert _checks(path) == before


def test_locate_precedence(tmp_path: Path) -> None:
    env = {
        "ECOPORT_DB": str(tmp_path / "env.db"),
        "ECOPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'url.db'}",
    }
    assert locate(str(tmp_path / "opt.db"), env).origin == "{option:db}"  # spelled by the CLI
    assert locate(None, env).path == tmp_path / "env.db"
    assert locate(None, {"ECOPORT_DATABASE_URL": env["ECOPORT_DATABASE_URL"]}).path == (
        tmp_path / "url.db"
    )
    default = locate(None, {})
    assert default.origin == "default" and default.path.name == "ecoport.db"
    with pytest.raises(StoreError, match="unsupported database URL"):
        locate("mysql://x/y", {})


def test_create_then_check(tmp_path: Path) -> None:
    loc = locate(str(tmp_path / "new.db"), {})
    assert check(loc) is State.MISSING
    assert create(loc) is True
    assert check(loc) is State.CURRENT
    assert create(loc) is False
    conn = sqlite3.connect(loc.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_files_that_are_not_ecoport_databases(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not SQLite at all" * 10)
    with pytest.raises(StoreError, match="not an ecoport database"):
        check(locate(str(text), {}))
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="other tables"):
        check(locate(str(other), {}))
    with pytest.raises(StoreError, match="does not exist"):
        check(locate(str(tmp_path / "missing" / "x.db"), {}))


def test_references_checked_at_the_end_refuse_a_broken_one_and_write_nothing(
    tmp_path: Path,
) -> None:
    """A bulk load writes with SQLite's foreign keys unchecked and checks them all before the
    commit: a row referring to no row fails the block, and nothing is written; a whole
    block of good rows is written. Checked row by row, the broken row fails at once."""
    from ecoport.store.db import Raw, writing

    loc = locate(str(tmp_path / "bulk.db"), {})
    create(loc)
    companies = (
        "INSERT INTO company (id, name, name_key, match_key, created_at) "
        "VALUES (1, 'Xiaomi', 'xiaomi', 'xiaomi', '2026-01-01'), "
        "(2, 'Ninebot', 'ninebot', 'ninebot', '2026-01-01')"
    )
    stake = (
        "INSERT INTO stake (investor_id, company_id, kind, date, date_precision, round_id, "
        "created_at) VALUES (1, 2, 'investment', '2015-01-01', 'day', ?, '2026-01-01')"
    )
    with pytest.raises(StoreError) as caught:
        with writing(loc, references_at_end=True) as session:
            raw = Raw(session)
            raw.execute(companies)
            raw.execute(stake, (77,))  # no round 77: not refused yet
            assert raw.execute("SELECT COUNT(*) FROM stake").fetchone() == (1,)
    assert str(caught.value) == (
        f"writing to {loc} failed: stake row 1 would refer to a row of funding_round that "
        "does not exist; nothing was changed"
    )
    assert query(loc.path, "SELECT COUNT(*) FROM company") == [(0,)]
    assert query(loc.path, "SELECT COUNT(*) FROM change") == [(0,)]
    with pytest.raises(Exception, match="FOREIGN KEY constraint failed"):
        with writing(loc) as session:
            raw = Raw(session)
            raw.execute(companies)
            raw.execute(stake, (77,))
    with writing(loc, references_at_end=True) as session:
        raw = Raw(session)
        raw.execute(companies)
        raw.execute(stake, (None,))
    assert query(loc.path, "SELECT investor_id, company_id FROM stake") == [(1, 2)]
    assert query(loc.path, "PRAGMA foreign_key_check") == []
    # a reference to a primary key it does not name is left to SQLite's own check
    with pytest.raises(StoreError, match="extra row 2 would refer to a row of company "):
        with writing(loc, references_at_end=True) as session:
            raw = Raw(session)
            raw.execute("CREATE TABLE extra (company INTEGER REFERENCES company)")
            raw.execute("INSERT INTO extra VALUES (1), (5)")
    assert query(loc.path, "SELECT name FROM sqlite_master WHERE name = 'extra'") == []
