"""An import's audit record: the id span of the rows it added, not a copy of each row
(above audit.SPAN_ABOVE rows of a table; a few here).

Undo deletes exactly the span's rows (copying them first into its own records, so that the
undo can be undone), refuses when a later change touched one of them, and a database written
before spans (a record per inserted row) undoes as it always did, to the same end."""

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, delete, insert, literal, literal_column, select, text

from ecoport.store import audit
from ecoport.store.db import Change, locate, writing
from ecoport.store.models import AuditRecord
from tests.conftest import Run, dump, query

BOTH_BACKENDS = True
AUDIT = ("change", "change_record", "sqlite_sequence")


@pytest.fixture(autouse=True)
def small_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spans from a few rows on (a real import makes them above a thousand)."""
    monkeypatch.setattr(audit, "SPAN_ABOVE", 3)


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def content(db: Path | str) -> list[str]:
    """Every row of every table but the audit trail's."""
    return [
        line
        for line in dump(db)
        if not any(
            line.startswith((f'INSERT INTO "{t}"', f"{t}: ", f'DELETE FROM "{t}"')) for t in AUDIT
        )
    ]


def write_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("investor,startup,sector,date,amount,currency,round\n")
        out.write("Xiaomi,Midea Group,home/appliances,2014-12-14,,,\n")  # already present
        for i in range(rows):
            investor = ("Xiaomi", "Shunwei Capital", f"Fund {i % 3}")[i % 3]
            out.write(f"{investor},Startup {i // 2},iot/s{i % 5},2015-03-{1 + i % 28},")
            out.write(f"{i + 1}000,USD,{'AB'[i % 2]}\n")
    return path


def changes(run: Run, *args: str) -> list[dict[str, Any]]:
    return list(json.loads(ok(run("log", "--format", "json", *args)))["changes"])


def records(run: Run, change: int) -> list[dict[str, Any]]:
    (found,) = changes(run, "--change", str(change))
    return [{k: r[k] for k in ("table", "key", "before", "after")} for r in found["records"]]


def per_row(db: Path | str, change_id: int) -> None:
    """Make change *change_id*'s spans what a database written before spans holds: a record
    of each row it added, with the row's image (as the import then copied them)."""
    tables = audit._tables()
    with writing(locate(str(db))) as session:
        dialect = session.get_bind().dialect.name
        spans = session.execute(
            select(AuditRecord.id, AuditRecord.table_name, AuditRecord.row_key)  # type: ignore[call-overload]
            .where(AuditRecord.change_id == change_id)
            .order_by(AuditRecord.id)
        ).all()
        others = session.execute(
            text(
                "SELECT table_name, row_key, before, after FROM change_record "
                "WHERE change_id = :id ORDER BY id"
            ),
            {"id": change_id},
        ).all()
        session.execute(delete(AuditRecord).where(AuditRecord.change_id == change_id))  # type: ignore[arg-type]
        for _id, name, key in spans:
            ids = audit.span_of(key)
            if ids is None:
                continue
            table = tables[name]
            pairs = ", ".join(f"'{c.name}', {audit._image_of(c, dialect)}" for c in table.columns)
            image = (
                f"json_object({pairs})"
                if dialect == "sqlite"
                else f"json_build_object({pairs})::text"
            )
            session.execute(
                insert(AuditRecord).from_select(
                    ["change_id", "table_name", "row_key", "after"],
                    select(
                        literal(change_id),
                        literal(name),
                        table.c.id.cast(String()),
                        literal_column(image),
                    )
                    .where(table.c.id.between(*ids))
                    .order_by(table.c.id),
                )
            )
        rest = [o for o in others if audit.span_of(o[1]) is None or o[2] is not None]
        if rest:
            session.execute(
                insert(AuditRecord),
                [
                    {
                        "change_id": change_id,
                        "table_name": name,
                        "row_key": key,
                        "before": before,
                        "after": after,
                    }
                    for name, key, before, after in rest
                ],
            )


def test_an_import_records_spans_not_rows(run: Run, seeded: Path | str, tmp_path: Path) -> None:
    ok(run("import", str(write_csv(tmp_path / "s.csv", 50))))
    (made,) = changes(run, "-n", "1")
    assert made["summary"].startswith("50 stakes added, ")
    made_records = records(run, made["id"])
    by_table = {r["table"]: r for r in made_records}
    assert set(by_table) == {"stake", "funding_round", "company"}
    assert len(made_records) == 3  # nothing else changed: one span a table
    stake = by_table["stake"]
    first, last = (int(x) for x in stake["key"].split(".."))
    assert stake["before"] is None
    assert stake["after"] == {"first_id": first, "last_id": last, "rows": 50}
    stored = query(seeded, "SELECT MIN(id), MAX(id), COUNT(*) FROM stake WHERE id >= ?", (first,))
    assert stored == [(first, last, 50)]
    # the log reads it as what was added, and finds it by any of its stakes
    (shown,) = changes(run, "--change", str(made["id"]))
    labels = {r["table"]: (r["label"], r["diff"]) for r in shown["records"]}
    assert labels["stake"] == (
        "50 stakes",
        [{"field": "as", "before": None, "after": f"ids {first} to {last}"}],
    )
    text_log = ok(run("log", "--change", str(made["id"])))
    assert f"50 stakes added: as ids {first} to {last}" in text_log
    (found,) = changes(run, "--stake", str(first + 7))
    assert found["id"] == made["id"] and [r["key"] for r in found["records"]] == [stake["key"]]
    assert [c["id"] for c in changes(run, "--stake", "3")] != [made["id"]]


def test_undo_of_spans_and_its_undo(run: Run, seeded: Path | str, tmp_path: Path) -> None:
    before = content(seeded)
    ok(run("import", str(write_csv(tmp_path / "s.csv", 30))))
    imported = content(seeded)
    import_id = changes(run)[-1]["id"]
    spans = records(run, import_id)
    rows = sum(r["after"]["rows"] for r in spans)
    asked = run("undo")  # asks first, or wants --yes: with the count of rows it writes back
    assert asked.exit_code != 0 and f"{rows:,} records" in asked.stderr
    ok(run("undo", "--yes"))
    assert content(seeded) == before
    undo = changes(run)[-1]
    assert undo["undoes"] == import_id
    assert changes(run)[-2]["undone_by"] == undo["id"]
    undo_records = records(run, undo["id"])
    # a record of each row removed, newest first, each with its image: an undoable undo
    stakes = [r for r in undo_records if r["table"] == "stake"]
    assert len(stakes) == 30 and all(r["after"] is None for r in stakes)
    assert [int(r["key"]) for r in stakes] == sorted((int(r["key"]) for r in stakes), reverse=True)
    assert undo["summary"].startswith("30 stakes removed")
    ok(run("undo", str(undo["id"]), "--yes"))
    assert content(seeded) == imported
    redo = changes(run)[-1]
    assert redo["summary"] == changes(run, "--change", str(import_id))[0]["summary"]


def test_an_old_database_with_a_record_per_row_undoes_alike(
    run: Run, seeded: Path | str, tmp_path: Path
) -> None:
    before = content(seeded)
    data = write_csv(tmp_path / "s.csv", 25)
    ok(run("import", str(data)))
    import_id = changes(run)[-1]["id"]
    ok(run("undo", "--yes"))
    new_style = records(run, import_id + 1)
    ok(run("undo", str(import_id + 1), "--yes"))  # the import back, ids and all
    ok(run("undo", str(import_id + 2), "--yes"))  # and gone again
    assert content(seeded) == before
    ok(run("import", str(data)))
    second = changes(run)[-1]["id"]
    per_row(seeded, second)
    made = records(run, second)
    assert len(made) > 25 and all(audit.span_of(r["key"]) is None for r in made)
    ok(run("undo", "--yes"))
    assert content(seeded) == before
    old_style = records(run, second + 1)
    assert old_style == [{**r, "before": r["after"], "after": r["before"]} for r in reversed(made)]
    # both undos removed the same rows, the same way (the second import's ids are its own)
    assert [(r["table"], r["after"]) for r in old_style] == [
        (r["table"], r["after"]) for r in new_style
    ]
    assert len(old_style) == len(new_style)


def test_a_later_change_to_a_row_of_a_span_refuses_the_undo(
    run: Run, seeded: Path | str, tmp_path: Path
) -> None:
    ok(run("import", str(write_csv(tmp_path / "s.csv", 20))))
    import_id = changes(run)[-1]["id"]
    (first,) = query(seeded, "SELECT MAX(id) FROM stake")[0]
    ok(run("stakes", "edit", str(first), "--note", "later"))
    ok(run("companies", "edit", "Startup 3", "--note", "later too"))
    whole = dump(seeded)
    refused = run("undo", str(import_id), "--yes")
    assert refused.exit_code == 1
    assert f"later change(s) {import_id + 1}, {import_id + 2}" in refused.stderr
    assert dump(seeded) == whole
    ok(run("undo", "--yes"))
    ok(run("undo", str(import_id + 1), "--yes"))
    ok(run("undo", str(import_id), "--yes"))  # nothing in force touches its rows now
    with writing(locate(str(seeded)), change=Change(command="test")) as session:
        left = session.execute(text("SELECT COUNT(*) FROM stake WHERE note = 'later'")).one()
    assert left == (0,)
