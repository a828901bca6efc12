"""Undo in batches: a change larger than one batch is undone exactly, in one transaction,
with the same records and summary as ever; so is the undo of the undo; a refused undo
changes nothing. The batch is made small (7 records) so that a few dozen rows span many."""

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ecoport.errors import Conflict
from ecoport.store import audit
from ecoport.store.audit import Record
from ecoport.store.db import Change, locate, writing
from tests.conftest import Run, dump
from tests.test_import_audit import content, ok, per_row

BOTH_BACKENDS = True


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "UNDO_BATCH", 7)
    monkeypatch.setattr(audit, "SPAN_ABOVE", 3)  # an import's rows recorded as spans


def write_csv(path: Path, rows: int) -> Path:
    """Stakes from seeded and new investors into new startups and seeded ones, two by two in
    one round, with percents: companies, rounds and stakes are created; and a seeded round's
    total and a seeded investor's sector filled in (records with a before and an after)."""
    with path.open("w", encoding="utf-8") as out:
        out.write("investor,startup,sector,date,amount,currency,percent,round,round_total\n")
        out.write("Xiaomi,Midea Group,home/appliances,2014-12-14,,,,strategic,80000000 USD\n")
        out.write("Xiaomi,Shunwei Capital,funds,2016-05,,,,,\n")
        for i in range(rows):
            investor = ("Xiaomi", "Shunwei Capital", f"Fund {i % 3}")[i % 3]
            startup = f"Startup {i // 2}" if i % 10 > 1 else "Misfit"
            amount = "" if i % 4 == 0 else f"{i + 1}000"
            out.write(
                f"{investor},{startup},iot/s{i // 2 % 7},2015-{1 + i // 2 % 12:02d},{amount},"
                f"{'USD' if amount else ''},{'' if i % 6 else '2.5'},{'AB'[i // 2 % 2]},\n"
            )
    return path


def changes(run: Run, *args: str) -> list[dict[str, Any]]:
    return list(json.loads(ok(run("log", "--format", "json", *args)))["changes"])


def records(run: Run, change: int) -> list[dict[str, Any]]:
    """A change's records as stored (their readable label and diff aside)."""
    (found,) = changes(run, "--change", str(change))
    return [{k: r[k] for k in ("table", "key", "before", "after")} for r in found["records"]]


def reversed_records(made: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records an undo of a change writes: its records backwards, before and after swapped."""
    return [{**r, "before": r["after"], "after": r["before"]} for r in reversed(made)]


def summary_of(made: list[dict[str, Any]]) -> str:
    verbs = Counter(
        (r["table"], Record(r["table"], r["key"], r["before"], r["after"]).verb) for r in made
    )
    return audit.summarize(verbs)


def test_undo_of_an_import_larger_than_a_batch_through_the_core_function(
    run: Run, seeded: Path | str, tmp_path: Path
) -> None:
    before = content(seeded)
    ok(run("import", str(write_csv(tmp_path / "s.csv", 60))))
    imported = content(seeded)
    (made,) = changes(run, "-n", "1")
    per_row(seeded, made["id"])  # as a database written before spans holds it
    made_records = records(run, made["id"])
    assert len(made_records) > 5 * audit.UNDO_BATCH
    with writing(locate(str(seeded)), change=Change(command="test undo")) as session:
        undone, new_id, summary = audit.undo(session, None, Change(command="test undo"))
    assert undone == made["id"] and new_id == made["id"] + 1
    assert content(seeded) == before
    # the undo is logged as ever: the import's records backwards, its summary reversed
    log = changes(run)
    assert (log[-2]["undone_by"], log[-1]["undoes"], log[-1]["summary"]) == (
        new_id,
        undone,
        summary,
    )
    assert summary == summary_of(reversed_records(made_records))
    assert records(run, new_id) == reversed_records(made_records)
    # undoing the undo brings every company, round and stake back, with its id and fields
    with writing(locate(str(seeded))) as session:
        audit.undo(session, new_id, Change(command="test undo"))
    assert content(seeded) == imported
    assert records(run, new_id + 1) == made_records
    assert changes(run, "-n", "1")[0]["summary"] == made["summary"]


def test_undo_and_its_undo_through_the_cli(run: Run, seeded: Path | str, tmp_path: Path) -> None:
    before = content(seeded)
    # a stake changed and one removed: records with a before and an after, and without after
    ok(run("stakes", "edit", "7", "--amount", "12345 USD", "--note", "checked"))
    ok(run("stakes", "remove", "9", "--yes"))
    ok(run("import", str(write_csv(tmp_path / "s.csv", 45))))
    imported = content(seeded)
    log = changes(run)
    import_id = log[-1]["id"]
    ok(run("undo", "--yes"))
    assert content(seeded) != before
    ok(run("undo", str(import_id - 1), "--yes"))  # the removal: stake 9 back
    ok(run("undo", str(import_id - 2), "--yes"))  # the edit
    assert content(seeded) == before
    undid = changes(run)[-3]
    assert undid["undoes"] == import_id
    ok(run("undo", str(undid["id"]), "--yes"))
    ok(run("undo", str(undid["id"] + 1), "--yes"))  # stake 9 gone again
    ok(run("undo", str(undid["id"] + 2), "--yes"))  # the edit again
    assert content(seeded) == imported


def test_a_refused_undo_changes_nothing(run: Run, seeded: Path | str, tmp_path: Path) -> None:
    ok(run("import", str(write_csv(tmp_path / "s.csv", 40))))
    import_id = changes(run)[-1]["id"]
    # a later change touched a stake of the import
    ok(run("stakes", "edit", "40", "--note", "later"))
    whole = dump(seeded)
    refused = run("undo", str(import_id), "--yes")
    assert refused.exit_code == 1 and "later change(s)" in refused.stderr
    assert dump(seeded) == whole
    with (
        pytest.raises(Conflict, match="later change"),
        writing(locate(str(seeded))) as session,
    ):
        audit.undo(session, import_id, Change())
    assert dump(seeded) == whole
    # records made since depend on a company of the import: refused halfway (its stakes
    # already deleted, in batches), and the whole undo rolled back
    ok(run("undo", "--yes"))
    ok(
        run(
            "add-stake",
            "--investor",
            "Fund 2",
            "--startup",
            "Acme",
            "--sector",
            "iot",
            "--date",
            "2016",
        )
    )
    whole = dump(seeded)
    refused = run("undo", str(import_id), "--yes")
    assert refused.exit_code == 1 and "depend on it" in refused.stderr
    assert dump(seeded) == whole
