"""A store a team can trust, on SQLite and on PostgreSQL: the same answers from both, the
audit trail and undo, backups, checks, concurrent writers, and faults (kills, full disks)."""

import json
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, dump, query, wipe

BOTH_BACKENDS = True
ROOT = Path(__file__).resolve().parents[1]
NEW_STAKE = (
    "add-stake", "--investor", "Xiaomi", "--startup", "Robo Works", "--sector",
    "iot/robots", "--date", "2016-03", "--amount", "61.5m CNY", "--percent", "12.5",
)  # fmt: skip


def ok(result: object) -> str:
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    return str(result.stdout)  # type: ignore[attr-defined]


def changes(run: Run, *args: str) -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads(ok(run("log", "--format", "json", *args)))["changes"]
    return data


def write_csv(path: Path, rows: int, *, investor: str = "Xiaomi") -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("investor,startup,sector,date,amount,currency\n")
        for i in range(rows):
            out.write(f"{investor},Startup {i},iot/s{i % 7},2015-{1 + i % 12:02d},{i + 1}000,USD\n")
    return path


def _connect(db: Path | str) -> Any:
    """A DB-API connection straight to the database, committed on leaving the block."""
    if isinstance(db, str):
        import psycopg

        return psycopg.connect(db.replace("+psycopg", "", 1))
    import sqlite3

    return sqlite3.connect(db)


# -- the same answers from both backends ----------------------------------------------------


def _may_2017(investor: str, startup: str, *args: str) -> tuple[str, ...]:
    """A stake added in May 2017, stored even when a stored stake records the same deal."""
    return ("add-stake", "--investor", investor, "--startup", startup, "--date", "2017-05",
            "--allow-duplicate", *args)  # fmt: skip


def _tie(*args: str) -> tuple[str, ...]:
    return _may_2017("Tie Capital", "Tie One", "--sector", "iot/ties", *args)


SCENARIO: list[tuple[str, ...]] = [
    ("init", "--seed"),
    NEW_STAKE,
    ("stakes", "edit", "32", "--amount", "62m CNY"),
    ("target", "set", "--investor", "Xiaomi", "120"),
    ("fx", "set", "CNY", "USD", "0.16", "--date", "2016-03-01"),
    ("config", "set", "currency", "EUR"),
    ("stakes", "remove", "5", "--yes"),
]
#: Data built to tie: stakes alike on the same day but for an undisclosed (NULL) amount,
#: percent, round, source, note or ref, and some alike in everything; rounds unnamed or
#: without a total; investors and sectors with as many companies.
TIES: list[tuple[str, ...]] = [
    _tie(),
    _tie("--source", "src-b"),
    _tie("--source", "src-a"),
    _tie(),
    _tie("--amount", "1000 USD"),
    _tie("--percent", "5"),
    _tie("--amount", "undisclosed", "--percent", "undisclosed"),
    _tie("--round", "A"),
    _tie("--note", "note z"),
    _tie("--ref", "tie-ref-2"),
    _tie("--ref", "tie-ref-1"),
    _tie("--kind", "sale"),
    _tie("--amount", "1000 USD", "--round", "A"),
    _tie("--amount", "2000 USD", "--round", "B", "--round-total", "9000 USD"),
    _may_2017("Other Fund", "Tie One", "--percent", "30"),
    _may_2017("Another Fund", "Tie One", "--percent", "25"),
    _may_2017("Tie Capital", "Tie Two", "--sector", "iot/ties", "--percent", "35"),
    _may_2017("Other Fund", "Tie Two", "--percent", "35"),
    _may_2017("Tie Capital", "Tie Three", "--sector", "ties", "--round-total", "1 EUR"),
    _may_2017("Tie Capital", "Tie Four", "--sector", "ties", "--amount", "5 EUR"),
    _may_2017("Tie Capital", "Other Fund", "--sector", "funds"),
    (
        "add-stake",
        "--investor",
        "Tie Capital",
        "--startup",
        "Tie Three",
        "--date",
        "2017",
        "--allow-duplicate",
    ),  # fmt: skip
    ("companies", "alias", "add", "Tie One", "T1"),
    ("companies", "alias", "add", "Tie One", "T0"),
    ("target", "set", "--investor", "Tie Capital", "3"),
    ("fx", "set", "USD", "CNY", "6.9", "--date", "2017-05-01"),
    ("fx", "set", "EUR", "CNY", "7.5", "--date", "2017-05-01"),
]
QUESTIONS: list[tuple[str, ...]] = [
    ("progress", "--format", "json"),
    ("progress", "--format", "json", "--in", "CNY", "--as-of", "2016-01-01"),
    ("progress", "--format", "json", "--investor", "Tie Capital", "--depth", "2"),
    ("report", "--sector", "iot", "--format", "json"),
    ("report", "--format", "json", "--since", "2014", "--until", "2016"),
    ("report", "--format", "json", "--in", "CNY"),
    ("report", "--format", "json", "--startup", "Tie One"),
    ("stakes", "list", "--format", "json"),
    ("stakes", "list", "--format", "json", "--investor", "Tie Capital"),
    ("stakes", "list", "--format", "csv", "--sector", "iot/ties"),
    ("stakes", "show", "32", "--format", "json"),
    ("companies", "list", "--format", "json"),
    ("companies", "list", "--format", "json", "--sector", "iot"),
    ("companies", "show", "Xiaomi", "--format", "json"),
    ("companies", "show", "Tie One", "--format", "json"),
    ("companies", "show", "Tie Capital", "--format", "json"),
    ("companies", "show", "Other Fund", "--format", "json"),
    ("rounds", "list", "--format", "json"),
    ("rounds", "list", "--format", "json", "--startup", "Tie One"),
    ("rounds", "show", "1", "--format", "json"),
    ("export", "--format", "json"),
    ("export", "--format", "csv"),
    ("export", "--format", "yaml"),
    ("export", "--format", "csv", "--sector", "iot"),
    ("export", "--format", "json", "--investor", "Tie Capital"),
    ("fx", "show", "CNY", "USD", "--date", "2016-03-01", "--format", "json"),
    ("fx", "show", "EUR", "USD", "--date", "2017-05-01", "--format", "json"),
    ("config", "show", "--format", "json"),
    ("log", "--format", "json", "--stake", "32"),
    ("log", "--format", "json", "--limit", "3"),
]
#: Damage only a hand-edit makes, so that `db check` has several problems of each kind to list.
DAMAGE = [
    "UPDATE stake SET percent_micro = 2 * percent_micro "
    "WHERE company_id IN (SELECT id FROM company WHERE name IN ('Tie One', 'Tie Two'))",
    "UPDATE stake SET round_id = (SELECT MIN(id) FROM funding_round) "
    "WHERE id IN (SELECT id FROM stake WHERE round_id IS NULL ORDER BY id DESC LIMIT 3)",
    "UPDATE funding_round SET total_minor = 1, currency = 'USD', valuation_minor = NULL "
    "WHERE name = 'B'",
]


def _answers(run: Run, db: str) -> list[str]:
    """The answer to every question, then the audit log and `db check`, from *db*."""
    outputs = [ok(run(*q)) for q in [*QUESTIONS, ("log", "--format", "json", "--records")]]
    # the times differ from run to run; their form does not
    outputs = [
        re.sub(r'"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\.\d{6}Z?"', '"TIME"', o) for o in outputs
    ]
    with _connect(db if db.startswith("postgresql") else Path(db)) as conn:
        for sql in DAMAGE:
            conn.execute(sql)
    checked = run("db", "check", "--format", "json")
    assert checked.exit_code == 1, checked.stderr
    # where the database is differs; what is found in it does not
    outputs.append(re.sub(r'"database": "[^"]*"', '"database": "DATABASE"', checked.stdout))
    return outputs


def _on_both(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    pg_database: str,
    answers_from: Callable[[str], list[str]],
) -> dict[str, list[str]]:
    """*answers_from* run on a new SQLite file, then on an emptied PostgreSQL database."""
    answers: dict[str, list[str]] = {}
    for name, db in (("sqlite", str(tmp_path / "same.db")), ("postgresql", pg_database)):
        if name == "postgresql":
            wipe(db)
        monkeypatch.setenv("ECOPORT_DB", db)
        answers[name] = answers_from(db)
    return answers


def _differing(asked: list[tuple[str, ...]], answers: dict[str, list[str]]) -> str:
    """The questions answered otherwise on PostgreSQL than on SQLite."""
    pairs = zip(asked, answers["sqlite"], answers["postgresql"], strict=True)
    return "; ".join(shlex.join(q) for q, on_sqlite, on_pg in pairs if on_sqlite != on_pg)


@pytest.mark.sqlite_only  # it runs both backends itself
def test_every_answer_is_the_same_on_sqlite_and_postgresql(
    run: Run, tmp_path: Path, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every listing has one order, ties broken by ID, whatever the backend: undisclosed
    figures (NULL) sort alike, and rows alike but for their ID come in the order of their IDs."""
    imported = write_csv(tmp_path / "more.csv", 40, investor="Ninebot")

    def answers_from(db: str) -> list[str]:
        for command in [*SCENARIO, ("import", str(imported)), *TIES]:
            ok(run(*command))
        return _answers(run, db)

    answers = _on_both(monkeypatch, tmp_path, pg_database, answers_from)
    differing = _differing([*QUESTIONS, ("log", "--records"), ("db", "check")], answers)
    assert not differing, f"answers differ: {differing}"
    assert json.loads(answers["sqlite"][0])["investors"][1]["target"] == 120
    # the ties are there to be broken: stakes alike, undisclosed figures, several problems
    exported = json.loads(answers["sqlite"][QUESTIONS.index(("export", "--format", "json"))])
    ties = [s for s in exported["stakes"] if s["startup"] == "Tie One"]
    assert len(ties) == 16 and sum("amount" not in s for s in ties) == 13
    plain = {"investor": "Tie Capital", "startup": "Tie One", "date": "2017-05"}
    assert ties.count({**plain, "kind": "investment"}) == 3  # alike in all but their IDs
    # an undisclosed amount (NULL) comes before the disclosed ones, on either backend
    invested = [s for s in ties if s["investor"] == "Tie Capital" and s["kind"] == "investment"]
    assert ["amount" in s for s in invested] == sorted("amount" in s for s in invested)
    problems = json.loads(answers["sqlite"][-1])["problems"]
    assert len(problems) == 6, problems


CRUNCHBASE = (
    Path(__file__).resolve().parents[2] / "shared/reference/crunchbase-2013/investments.csv"
)
REAL_QUESTIONS: list[tuple[str, ...]] = [
    ("export", "--format", "csv"),
    ("export", "--format", "json"),
    ("export", "--format", "yaml"),
    ("stakes", "list", "--format", "json"),
    ("companies", "list", "--format", "json"),
    ("rounds", "list", "--format", "json"),
    ("report", "--format", "json", "--since", "2007", "--until", "2008"),
]


@pytest.mark.sqlite_only  # it runs both backends itself
@pytest.mark.skipif(not CRUNCHBASE.exists(), reason="../shared/reference is not present")
def test_real_data_is_exported_byte_for_byte_alike_from_sqlite_and_postgresql(
    run: Run, tmp_path: Path, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first 2,000 rows of CrunchBase's 2013 investments (crunchbase.com, CC-BY), imported
    with the shipped mapping: rounds of several investors whose own amounts are undisclosed."""
    import csv
    from decimal import Decimal
    from itertools import islice, pairwise

    part = tmp_path / "investments.csv"
    with (
        CRUNCHBASE.open(encoding="utf-8", newline="") as whole,
        part.open("w", encoding="utf-8", newline="") as out,
    ):
        csv.writer(out, lineterminator="\n").writerows(islice(csv.reader(whole), 2001))
    mapping = ("--mapping", "crunchbase-2013-investments", "--on-error", "skip", "--json")

    def answers_from(db: str) -> list[str]:
        del db
        ok(run("init"))
        summary = ok(run("import", str(part), *mapping))
        return [summary, *(ok(run(*q)) for q in REAL_QUESTIONS)]

    answers = _on_both(monkeypatch, tmp_path, pg_database, answers_from)
    differing = _differing([("import",), *REAL_QUESTIONS], answers)
    assert not differing, f"answers differ: {differing}"
    rows = list(csv.DictReader(answers["sqlite"][1].splitlines()))
    assert len(rows) > 1900 and sum(r["amount"] == "" for r in rows) > 1900  # undisclosed
    # stakes alike in investor, startup, date and kind come in the order of their rounds' totals
    same = ("investor", "startup", "date", "kind")
    alike = [(a, b) for a, b in pairwise(rows) if all(a[k] == b[k] for k in same)]
    total = {r["round_total"]: Decimal((r["round_total"] or "0").split()[0]) for r in rows}
    assert len(alike) >= 10
    assert all(total[a["round_total"]] < total[b["round_total"]] for a, b in alike)


# -- the audit trail -----------------------------------------------------------------------


def test_every_change_is_logged_with_who_and_the_command(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    ok(run("init", "--seed"))
    ok(run("--actor", "alice", *NEW_STAKE))
    monkeypatch.setenv("ECOPORT_ACTOR", "bob")
    ok(run("stakes", "edit", "33", "--percent", "13"))
    monkeypatch.delenv("ECOPORT_ACTOR")
    ok(run("target", "set", "--investor", "Xiaomi", "150"))
    ok(run("fx", "set", "CNY", "USD", "0.16", "--date", "2016-03-01"))
    ok(run("config", "set", "currency", "CNY"))
    ok(run("import", str(write_csv(tmp_path / "s.csv", 3))))
    ok(run("stakes", "remove", "33", "--yes"))
    log = changes(run, "--records")
    assert [c["command"] for c in log] == [
        "ecoport init --seed",
        "ecoport --actor alice " + shlex.join(NEW_STAKE),
        "ecoport stakes edit 33 --percent 13",
        "ecoport target set --investor Xiaomi 150",
        "ecoport fx set CNY USD 0.16 --date 2016-03-01",
        "ecoport config set currency CNY",
        f"ecoport import {tmp_path / 's.csv'}",
        "ecoport stakes remove 33 --yes",
    ]
    import getpass

    assert [c["actor"] for c in log[:3]] == [getpass.getuser(), "alice", "bob"]
    assert (
        log[0]["summary"]
        == "32 stakes added, 7 rounds added, 2 milestones added, 1 target added, 30 aliases "
        "added, 26 companies added"
    )
    added, edited, target = log[1]["records"], log[2]["records"], log[3]["records"]
    assert [(r["table"], r["before"]) for r in added] == [("company", None), ("stake", None)]
    assert (
        added[1]["after"]["amount_minor"] == 6150000000 and added[1]["after"]["currency"] == "CNY"
    )
    assert edited[0]["before"]["percent_micro"] == 12500000
    assert edited[0]["after"]["percent_micro"] == 13000000
    assert target[0]["before"]["target"] == 100 and target[0]["after"]["target"] == 150
    assert log[6]["summary"] == "3 stakes added, 3 companies added"
    assert log[7]["records"][0]["after"] is None
    # one stake's history, and a date filter
    history = changes(run, "--stake", "33")
    assert [c["id"] for c in history] == [log[1]["id"], log[2]["id"], log[7]["id"]]
    with _connect(isolated) as conn:  # the seed, as if loaded years ago
        conn.execute("UPDATE change SET at = '2020-05-01T09:00:00.000000Z' WHERE id = 1")
    assert [c["id"] for c in changes(run, "--since", "2020-06")] == [c["id"] for c in log[1:]]
    assert len(changes(run, "--since", "2020")) == 8
    table = ok(run("log", "--stake", "33"))
    assert "percent 12.5% → 13%" in table and "percent_micro" not in table
    bad = run("log", "--since", "yesterday")
    assert bad.exit_code == 2 and "--since" in bad.stderr and bad.stdout == ""


def test_a_failed_command_logs_nothing(run: Run, seeded: Path) -> None:
    before = dump(seeded)
    assert run("stakes", "edit", "1", "--percent", "250").exit_code == 2
    assert run("add-stake", "--investor", "Xiaomi", "--startup", "Nobody").exit_code == 2
    assert dump(seeded) == before
    assert len(changes(run)) == 1


def test_undo_brings_a_removed_stake_back_and_is_itself_logged(run: Run, seeded: Path) -> None:
    del seeded
    shown = ok(run("stakes", "show", "7", "--format", "json"))
    ok(run("stakes", "remove", "7", "--yes"))
    assert run("stakes", "show", "7").exit_code == 1
    undone = run("undo")
    assert undone.exit_code == 0 and "Undid change 2 as change 3: 1 stake added" in undone.stderr
    assert ok(run("stakes", "show", "7", "--format", "json")) == shown
    log = changes(run)
    assert (log[1]["undone_by"], log[2]["undoes"]) == (3, 2)
    assert log[2]["command"] == "ecoport undo"
    again = run("undo", "2")
    assert again.exit_code == 1 and "already undone by change 3" in again.stderr
    # the undo is a change like any other: undoing it removes the stake again
    ok(run("undo", "3"))
    assert run("stakes", "show", "7").exit_code == 1
    missing = run("undo", "99")
    assert missing.exit_code == 1 and "there is no change 99" in missing.stderr


def test_undo_of_an_import_and_refusals(run: Run, seeded: Path, tmp_path: Path) -> None:
    before = dump(seeded)
    stakes_before = ok(run("stakes", "list", "--format", "json"))
    ok(run("import", str(write_csv(tmp_path / "s.csv", 50))))
    ok(run("stakes", "edit", "40", "--amount", "5000 USD"))
    refused = run("undo", "2", "--yes")
    assert refused.exit_code == 1
    assert "later change(s) 3 touched the same records; undo those first" in refused.stderr
    ok(run("undo"))  # the edit
    ok(run("undo", "--yes"))  # the import: its 50 stakes and 50 companies go
    assert ok(run("stakes", "list", "--format", "json")) == stakes_before
    assert [c["summary"] for c in changes(run)][-2:] == [
        "1 stake changed",
        "50 stakes removed, 50 companies removed",
    ]
    # a change that records made since depend on is refused, with nothing changed
    ok(run(*NEW_STAKE))
    after = dump(seeded)
    refused = run("undo", "1", "--yes")
    assert refused.exit_code == 1 and "depend on it" in refused.stderr
    assert dump(seeded) == after != before


# -- backup, restore, check ----------------------------------------------------------------


def test_backup_and_restore(run: Run, seeded: Path, tmp_path: Path) -> None:
    del seeded
    ok(run(*NEW_STAKE))
    stakes = ok(run("stakes", "list", "--format", "json"))
    log = changes(run)
    file = tmp_path / "backup.db"
    made = run("db", "backup", str(file))
    assert made.exit_code == 0 and "33 stakes, 27 companies and 2 logged changes" in made.stderr
    again = run("db", "backup", str(file))
    assert again.exit_code == 1 and "exists" in again.stderr
    # the backup is an ecoport database of its own
    assert ok(run("--db", str(file), "stakes", "list", "--format", "json")) == stakes
    ok(run("stakes", "remove", "33", "--yes"))
    refused = run("db", "restore", str(file))
    assert (
        refused.exit_code == 1 and "is not empty" in refused.stderr and "--force" in refused.stderr
    )
    ok(run("db", "restore", str(file), "--force"))
    assert ok(run("stakes", "list", "--format", "json")) == stakes
    assert changes(run) == log
    # new stakes after a restore get new IDs
    ok(run("add-stake", "--investor", "Xiaomi", "--startup", "Zimi", "--date", "2017"))
    assert max(s["id"] for s in json.loads(ok(run("stakes", "list", "-f", "json")))["stakes"]) == 34
    # a file that is not an ecoport backup
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all\n" * 50)
    bad = run("db", "restore", str(text), "--force")
    assert bad.exit_code == 1 and "notes.txt" in bad.stderr and "Traceback" not in bad.stderr


def test_backup_while_another_process_writes(run: Run, seeded: Path, tmp_path: Path) -> None:
    del seeded
    writer = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "writer.py"), "1", "60", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    copies = []
    for i in range(4):
        time.sleep(0.15)
        file = tmp_path / f"during-{i}.db"
        ok(run("db", "backup", str(file)))
        copies.append(file)
    out, _ = writer.communicate(timeout=120)
    assert json.loads(out)["errors"] == []
    for file in copies:  # each copy is whole: every stake has its logged change
        assert run("--db", str(file), "db", "check").exit_code == 0
        (n_stakes,) = query(file, "SELECT COUNT(*) FROM stake")[0]
        (n_changes,) = query(file, "SELECT COUNT(*) FROM change")[0]
        assert n_stakes - 32 == n_changes - 1


def test_check_lists_every_problem(run: Run, seeded: Path, db_backend: str) -> None:
    assert run("db", "check").exit_code == 0
    ok(run("add-stake", "--investor", "Ninebot", "--startup", "Acme", "--sector", "iot",
           "--date", "2016", "--percent", "60"))  # fmt: skip
    # holders over 100 %: add-stake refuses it unless --force (the source says so)
    assert run("add-stake", "--investor", "Xiaomi", "--startup", "Acme", "--date", "2016-05",
               "--percent", "45").exit_code == 1  # fmt: skip
    ok(run("add-stake", "--investor", "Xiaomi", "--startup", "Acme", "--date", "2016-05",
           "--percent", "45", "--force"))  # fmt: skip
    # damage that only a broken tool or a hand-edit makes: orphans and a self-holding
    if db_backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(seeded)
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE stake SET company_id = investor_id WHERE id = 3")
        conn.execute("UPDATE stake SET investor_id = 999 WHERE id = 4")
        conn.commit()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(str(seeded).replace("+psycopg", "")) as conn:
            conn.execute("ALTER TABLE stake DROP CONSTRAINT ck_stake_not_self")
            conn.execute("SET session_replication_role = replica")  # foreign keys off
            conn.execute("UPDATE stake SET company_id = investor_id WHERE id = 3")
            conn.execute("UPDATE stake SET investor_id = 999 WHERE id = 4")
    result = run("db", "check", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert "stake 4: investor 999 does not exist" in problems
    (holder,) = query(
        seeded, "SELECT c.name FROM stake s JOIN company c ON c.id = s.investor_id WHERE s.id = 3"
    )[0]
    assert f"stake 3: {holder} holds a stake in itself" in problems
    assert "Acme: its holders' stakes add up to 105% on 2016-05-01 (at most 100%)" in problems
    assert not any(p.startswith("Segway") for p in problems)
    if db_backend == "sqlite":
        assert "foreign key: stake row 4 points at a missing company" in problems
    table = run("db", "check")
    assert table.exit_code == 1 and f"{len(problems)} problems" in table.stderr


# -- schema revisions ----------------------------------------------------------------------


def test_status_and_upgrade_from_the_first_revision(run: Run, isolated: Path) -> None:
    from sqlalchemy import text

    from ecoport.store.db import SCHEMA_REVISION, engine_for, locate
    from ecoport.store.migrate import upgrade

    loc = locate(str(isolated))
    engine = engine_for(loc)
    if not loc.is_sqlite:
        status = json.loads(ok(run("db", "status", "--format", "json")))
        assert (status["state"], status["backend"]) == ("empty", "postgresql")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO company (id, name, name_key, sector, created_at) VALUES "
                "(1, 'Xiaomi', 'xiaomi', NULL, '2026-01-01'), "
                "(2, '美的集团', '美的集团', 'home/appliances', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO stake (investor_id, company_id, kind, date, date_precision, "
                "amount_minor, currency, percent_micro, created_at) VALUES (1, 2, 'investment', "
                "'2014-12-14', 'day', 126600000000, 'CNY', 1290000, '2026-01-01')"
            )
        )
    engine.dispose()
    status = json.loads(ok(run("db", "status", "--format", "json")))
    assert (status["revision"], status["state"], status["current"]) == ("0001", "behind", False)
    assert "db upgrade" in ok(run("db", "status"))
    upgraded = run("db", "upgrade")
    assert upgraded.exit_code == 0
    assert f"to schema revision {SCHEMA_REVISION}" in upgraded.stderr
    assert json.loads(ok(run("db", "status", "--format", "json")))["current"] is True
    stakes = json.loads(ok(run("stakes", "list", "--format", "json")))["stakes"]
    assert [(s["startup"], s["amount"], s["percent"]) for s in stakes] == [
        ("美的集团", "1266000000.00", "1.29")
    ]
    assert "already" in run("db", "upgrade").stderr


def test_migrated_schema_equals_the_models(isolated: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from ecoport.store.db import create, engine_for, locate

    loc = locate(str(isolated))
    create(loc)
    engine = engine_for(loc)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    engine.dispose()
    assert diff == []


# -- concurrent writers --------------------------------------------------------------------


def test_eight_writers_at_once(run: Run, seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    del seeded
    workers, each = 8, 100
    start_at = time.time() + 1.5  # every writer has imported ecoport by then
    began = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "writer.py"), str(w), str(each), str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
    wall = time.perf_counter() - began - max(0.0, start_at - time.time() + 0)
    errors = [e for r in reports for e in r["errors"]]
    ids = [i for r in reports for i in r["ids"]]
    assert errors == []
    assert len(ids) == len(set(ids)) == workers * each
    stored = json.loads(ok(run("stakes", "list", "--format", "json")))["stakes"]
    assert len(stored) == 32 + workers * each
    assert sorted(ids) == sorted(s["id"] for s in stored if s["id"] > 32)
    assert len(changes(run)) == 1 + workers * each
    with capsys.disabled():
        slowest = max(r["seconds"] for r in reports)
        sys.stdout.write(
            f"\n  concurrency: {len(ids)} stakes stored by {workers} writers, {len(errors)} "
            f"errors, slowest writer {slowest:.2f} s (wall {wall:.2f} s)\n"
        )


# -- faults --------------------------------------------------------------------------------


def test_killing_an_import_leaves_the_database_as_it_was(
    run: Run, seeded: Path, tmp_path: Path
) -> None:
    big = write_csv(tmp_path / "big.csv", 100_000)
    before = dump(seeded)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecoport", "-q", "import", str(big)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(random.uniform(0.8, 2.5))  # ecoport has started; the import is under way
    assert proc.poll() is None, "the import ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert dump(seeded) == before
    assert run("db", "check").exit_code == 0


@pytest.mark.sqlite_only
def test_a_read_only_database_gives_a_clear_error_and_no_write(run: Run, seeded: Path) -> None:
    ok(run("progress"))
    before = dump(seeded)
    paths = [str(p) for p in sorted(seeded.parent.glob("ecoport.db*"))] + [str(seeded.parent)]
    if os.geteuid() == 0:  # root ignores file modes: make the files immutable instead
        made = subprocess.run(["chattr", "+i", *paths], capture_output=True, text=True)
        if made.returncode:
            pytest.skip(f"running as root and chattr +i is refused here: {made.stderr.strip()}")
        undo = ["chattr", "-i", *paths]
    else:
        for path in paths:
            Path(path).chmod(0o555 if Path(path).is_dir() else 0o444)
        undo = ["chmod", "u+w", *paths]
    try:
        result = run(*NEW_STAKE)
    finally:
        subprocess.run(undo, check=True)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "readonly" in lines[0] or "read-only" in lines[0] or "unable to open" in lines[0]
    assert dump(seeded) == before


def _small_disk(limit: int) -> None:  # pragma: no cover - runs in the child
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.sqlite_only
def test_a_full_disk_gives_a_clear_error_and_no_partial_write(
    run: Run, seeded: Path, tmp_path: Path
) -> None:
    big = write_csv(tmp_path / "big.csv", 20_000)
    before = dump(seeded)
    limit = seeded.stat().st_size + 256 * 1024
    result = subprocess.run(
        [sys.executable, "-m", "ecoport", "import", str(big)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        preexec_fn=lambda: _small_disk(limit),
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "full" in lines[0] and "nothing was changed" in lines[0]
    assert dump(seeded) == before
    assert run("db", "check").exit_code == 0
