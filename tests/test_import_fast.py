"""The importer's fast path (rows whose every field was seen before, resolved from caches) and
its bookkeeping for big files (indexes dropped, the ids of written stakes kept in memory)
store exactly what the whole pipeline stores, with the same summary, rejects and messages."""

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from ecoport.services import importing
from tests.conftest import Run, query

TABLES = {
    "company": "id, name, name_key, match_key, sector, note, source",
    "company_alias": "id, company_id, alias, alias_key",
    "funding_round": "id, company_id, date, date_precision, name, total_minor, valuation_minor, "
    "currency, source",
    "stake": "id, investor_id, company_id, kind, date, date_precision, amount_minor, currency, "
    "percent_micro, round_id, ref, source, note",
    "change_record": "id, change_id, table_name, row_key, before, after",
}


def rows(seed: int, n: int) -> list[list[str]]:
    """Messy rows: repeats, other spellings, coarser dates, undisclosed amounts, sectors that
    disagree, rounds met again, bad values, one company on both sides."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        investor = rng.choice(["Xiaomi", "XIAOMI", "Shunwei Capital", "Fund 1", "Fund 2"])
        startup = f"Startup {rng.randrange(40)}"
        if rng.random() < 0.1:
            startup = startup.replace(" ", "-") + " Inc."
        sector = rng.choice(["iot/wearables", "iot", "media/video", ""])
        date = f"201{rng.randrange(3)}-0{1 + rng.randrange(3)}-1{rng.randrange(3)}"
        if rng.random() < 0.2:
            date = date[:7]
        amount = rng.choice(["", "1000", "2500.50", "undisclosed", "1,000,000", "3m"])
        currency = rng.choice(["USD", "CNY", "JPY"]) if amount else rng.choice(["", "USD"])
        percent = rng.choice(["", "", "5", "12.5%"])
        round_ = rng.choice(["", "A", "Series A", "B", "seed"])
        total = rng.choice(["", "", "", "", "50000000"]) if round_ else ""
        source = rng.choice(["", "", "https://example.com/a", "https://example.com/b"])
        if i % 97 == 5:
            date = "2014-13-01"  # bad
        if i % 89 == 7:
            startup = investor  # one company on both sides
        if i % 83 == 3:
            amount, currency = "12.345", "JPY"  # more decimals than the currency has
        out.append(
            [investor, startup, sector, date, amount, currency, percent, round_, total, source]
        )
    return out


def write(path: Path, data: list[list[str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(
            [
                "investor",
                "startup",
                "sector",
                "date",
                "amount",
                "currency",
                "percent",
                "round",
                "round_total",
                "source",
            ]
        )
        out.writerows(data)
    return path


def stored(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows; the times rows were written at (in audit records too) left out."""
    when = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+")
    return {
        t: [
            tuple(when.sub("WHEN", v) if isinstance(v, str) else v for v in row)
            for row in query(db, f"SELECT {cols} FROM {t} ORDER BY id")
        ]
        for t, cols in TABLES.items()
    }


def imports(run: Run, db: Path, files: list[Path], *options: str) -> list[Any]:
    """Each file's summary (JSON) and messages; rejects files' content."""
    seen: list[Any] = []
    for n, file in enumerate(files):
        rejects = db.with_name(f"{db.stem}-rejects-{n}.csv")
        result = run(
            "--db", str(db), "import", str(file), "-f", "json", "--on-error", "skip",
            "--rejects", str(rejects), *options,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        summary = json.loads(result.stdout)
        seen.append(summary)
        seen.append(result.stderr.replace(str(rejects), "REJECTS"))
        seen.append(rejects.read_text(encoding="utf-8"))
    return seen


def whole_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing._Importer, "fast_row", lambda _self, *_given: False)


@pytest.mark.parametrize("conflict", ["keep", "update", "reject"])
def test_fast_rows_store_what_the_pipeline_stores(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, conflict: str
) -> None:
    files = [write(tmp_path / "a.csv", rows(1, 1500)), write(tmp_path / "b.csv", rows(2, 1500))]
    option = ("--sector-conflict", conflict)
    fast = imports(run, tmp_path / "fast.db", files, *option)
    with monkeypatch.context() as patch:
        whole_pipeline(patch)
        slow = imports(run, tmp_path / "slow.db", files, *option)
    assert fast == slow
    assert stored(tmp_path / "fast.db") == stored(tmp_path / "slow.db")
    first = fast[0]
    # the file is messy enough to exercise every branch the fast path must agree on
    assert first["stakes_added"] and first["rejected"] and first["rounds_matched"]
    assert fast[3]["matched"] and fast[3]["already_present"]


def test_a_big_file_into_an_empty_table_finds_its_repeats_by_id(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the indexes dropped (a big file), a record repeating an earlier one finds it
    through the ids kept in memory, batch after batch; the indexes come back."""
    files = [write(tmp_path / "a.csv", rows(3, 3000))]
    with monkeypatch.context() as patch:
        patch.setattr(importing, "BIG_FILE_BYTES", 0)
        patch.setattr(importing, "BATCH", 7)
        placed: list[int] = []
        keep = importing._Importer.place

        def counted(self: Any, batch: list[tuple[Any, ...]]) -> None:
            keep(self, batch)
            placed.append(len(batch) if self.placed is not None else -1)

        patch.setattr(importing._Importer, "place", counted)
        big = imports(run, tmp_path / "big.db", files)
    with monkeypatch.context() as patch:
        whole_pipeline(patch)
        small = imports(run, tmp_path / "small.db", files)
    assert big == small
    assert stored(tmp_path / "big.db") == stored(tmp_path / "small.db")
    assert len(placed) > 10 and -1 not in placed  # every batch's ids were kept
    assert big[0]["already_present"] and big[0]["matched"]
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    assert query(tmp_path / "big.db", indexes) == query(tmp_path / "small.db", indexes)


def test_ids_that_do_not_follow_each_other_fall_back_to_an_index(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [write(tmp_path / "a.csv", rows(4, 800))]
    with monkeypatch.context() as patch:
        patch.setattr(importing, "BIG_FILE_BYTES", 0)
        patch.setattr(importing, "BATCH", 5)
        original = importing._Importer.__init__

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            self.placed_last = 10**9  # as if ids had jumped: the kept ids cannot be trusted

        patch.setattr(importing._Importer, "__init__", init)
        fallback = imports(run, tmp_path / "fallback.db", files)
    plain = imports(run, tmp_path / "plain.db", files)
    assert fallback == plain
    assert stored(tmp_path / "fallback.db") == stored(tmp_path / "plain.db")
    assert plain[0]["already_present"]


def test_a_repeat_of_another_year_does_not_cut_a_batch(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records of one investor, company and kind in other years cannot be the same deal (their
    dates must agree): with the indexes dropped they go in one batch; a record of a year met
    before still finds its stake."""
    lines = ["investor,startup,date,amount,currency"]
    lines += [f"Fund 1,Startup A,{2000 + y}-01-01,1000,USD" for y in range(10)]
    lines += ["Fund 1,Startup A,2003,,"]  # 2003-01-01 told less precisely: already present
    file = tmp_path / "a.csv"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(importing, "BIG_FILE_BYTES", 0)
        patch.setattr(importing, "BATCH", 1000)
        placed: list[int] = []
        keep = importing._Importer.place

        def counted(self: Any, batch: list[tuple[Any, ...]]) -> None:
            placed.append(len(batch))
            keep(self, batch)

        patch.setattr(importing._Importer, "place", counted)
        big = imports(run, tmp_path / "big.db", [file])
    with monkeypatch.context() as patch:
        whole_pipeline(patch)
        small = imports(run, tmp_path / "small.db", [file])
    assert placed == [10]  # one batch, cut once, by the record of 2003
    assert big == small
    assert (big[0]["stakes_added"], big[0]["already_present"]) == (10, 1)
    assert stored(tmp_path / "big.db") == stored(tmp_path / "small.db")


def test_csv_columns_in_any_order_give_the_same_fields(run: Run, tmp_path: Path) -> None:
    """A file's columns in another order than ecoport's fields, with blank lines, lines of
    delimiters and cells padded with spaces, read as the same rows."""
    data = [[*r[:3], "investment" if n % 3 else "", *r[3:8]] for n, r in enumerate(rows(5, 300))]
    # ecoport's first nine fields in their order (read as a prefix), and shuffled
    header = ["investor", "startup", "sector", "kind", "date", "amount", "currency", "percent"]
    header.append("round")
    order = [8, 4, 0, 6, 3, 1, 7, 5, 2]

    def write_in(path: Path, columns: list[int]) -> Path:
        import csv

        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow([header[i] for i in columns])
            for n, row in enumerate(data):
                out.writerow([f" {row[i]} " if n % 7 == 0 else row[i] for i in columns])
                if n % 50 == 0:
                    out.writerow([])
                    out.writerow([""] * len(columns))
        return path

    given = imports(run, tmp_path / "given.db", [write_in(tmp_path / "given.csv", order)])
    plain = imports(run, tmp_path / "plain.db", [write_in(tmp_path / "plain.csv", list(range(9)))])
    assert given[0]["rows_skipped"] == 6 and given[0]["stakes_added"]
    assert given[0] == {**plain[0], "file": given[0]["file"]}
    assert stored(tmp_path / "given.db") == stored(tmp_path / "plain.db")


def test_rounds_written_in_batches_store_what_rounds_written_one_by_one_store(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite new rounds wait for the next batch, with ids given by the importer: a round
    completed by a later row of the file, or named by a stake matched later, is written
    first; the tables are those of rounds inserted a row at a time (as on PostgreSQL)."""
    data = rows(6, 1500)
    data[700:700] = [
        ["Fund 9", "Startup Z", "iot", "2016-05-01", "1000", "USD", "", "Series C", "", ""],
        ["Fund 8", "Startup Z", "iot", "2016-05-01", "2000", "USD", "", "Series C", "9000", ""],
        ["Fund 7", "Startup Y", "iot", "2016-06-01", "1000", "USD", "", "", "", ""],
        ["Fund 7", "Startup Y", "iot", "2016-06-01", "1000", "USD", "", "Series D", "", ""],
    ]
    files = [write(tmp_path / "a.csv", data), write(tmp_path / "b.csv", rows(7, 500))]
    batched = imports(run, tmp_path / "batched.db", files)
    with monkeypatch.context() as patch:
        patch.setattr(
            importing._Rounds,
            "_insert",
            lambda self, values: self.conn.insert(importing._INSERT_ROUND, values),
        )
        one_by_one = imports(run, tmp_path / "one.db", files)
    assert batched == one_by_one
    assert stored(tmp_path / "batched.db") == stored(tmp_path / "one.db")
    completed = query(
        tmp_path / "batched.db",
        "SELECT r.total_minor, r.currency, COUNT(s.id) FROM funding_round r "
        "JOIN stake s ON s.round_id = r.id WHERE r.name IN ('Series C', 'Series D') "
        "GROUP BY r.id ORDER BY r.name",
    )
    assert completed == [(900000, "USD", 2), (None, None, 1)]
    assert query(
        tmp_path / "batched.db", "SELECT seq FROM sqlite_sequence WHERE name = 'funding_round'"
    ) == query(tmp_path / "batched.db", "SELECT MAX(id) FROM funding_round")


def test_a_bulk_load_checks_references_once_at_the_end(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big file into a database with no stake yet is a bulk load: its references are
    checked once, before the commit; any other import checks them row by row. Both store
    the same."""
    from ecoport.store import db as store

    asked: list[bool] = []
    keep = store.writing

    def writing(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs.get("references_at_end", False))
        return keep(*args, **kwargs)

    files = [write(tmp_path / "a.csv", rows(8, 600)), write(tmp_path / "b.csv", rows(9, 600))]
    with monkeypatch.context() as patch:
        patch.setattr(store, "writing", writing)
        patch.setattr(importing, "BIG_FILE_BYTES", 0)
        bulk = imports(run, tmp_path / "bulk.db", files)
    assert asked == [True, False]  # the second file finds stakes stored
    plain = imports(run, tmp_path / "plain.db", files)
    assert bulk == plain
    assert stored(tmp_path / "bulk.db") == stored(tmp_path / "plain.db")
    assert query(tmp_path / "bulk.db", "PRAGMA foreign_key_check") == []


@pytest.mark.parametrize("order", ["fields", "shuffled"])
def test_cells_as_read_store_what_the_pipeline_stores(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    """A CSV file's usual rows reach the fast path as the cells were read (untrimmed, empty
    rather than None; picked in the fields' order when the columns come in another), and the
    caches keyed by that raw text must give what the pipeline makes of the trimmed text:
    padded cells, cells of spaces alone, a column not read, rows that are not ASCII."""
    header = [
        "investor", "startup", "sector", "kind", "date", "amount", "currency", "percent",
        "round", "source", "note", "round_total", "remark",
    ]  # fmt: skip
    rng = random.Random(6)
    data = []
    for n, r in enumerate(rows(6, 2000)):
        investor, startup, sector, date, amount, currency, percent, round_, total, source = r
        kind = rng.choice(["", "investment", " investment", "holding", "sale", "  "])
        note = rng.choice(["", "", "first cheque", " \t"])
        cells = [investor, startup, sector, kind, date, amount, currency, percent, round_]
        cells += [source, note, total, rng.choice(["", "not read"])]
        if n % 7 == 0:
            cells = [f" {c}\t" for c in cells]
        if n % 11 == 0:
            cells[rng.randrange(9)] = "   "
        if n % 41 == 0:
            cells[1] = f"Startup Ü{n % 5}"  # not ASCII: read as a Row
        data.append(cells)
    columns = list(range(len(header)))
    if order == "shuffled":
        random.Random(7).shuffle(columns)
    file = tmp_path / "fields.csv"
    with file.open("w", encoding="utf-8", newline="") as fh:
        import csv

        out = csv.writer(fh, lineterminator="\n")
        out.writerow([header[i] for i in columns])
        out.writerows([cells[i] for i in columns] for cells in data)
    given: list[str] = []
    with monkeypatch.context() as patch:
        keep = importing._Importer.fast_row

        def spied(self: Any, line: int, values: list[Any], row: Any) -> bool:
            given.append(type(row).__name__)
            return keep(self, line, values, row)

        patch.setattr(importing._Importer, "fast_row", spied)
        fast = imports(run, tmp_path / "fast.db", [file, file])
    with monkeypatch.context() as patch:
        whole_pipeline(patch)
        slow = imports(run, tmp_path / "slow.db", [file, file])
    assert fast == slow
    assert stored(tmp_path / "fast.db") == stored(tmp_path / "slow.db")
    assert given.count("list") > 3000 and given.count("Row") > 50  # both kinds were read
    assert fast[0]["stakes_added"] and fast[0]["rejected"] and fast[0]["rounds_matched"]
    assert fast[3]["already_present"]


def test_a_cheque_over_its_rounds_total_is_refused_alike(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path keeps a plain amount as its text and makes its Money only to compare it
    with a round's total: the refusal reads as the pipeline's, to the last decimal."""
    file = tmp_path / "a.csv"
    file.write_text(
        "investor,startup,sector,kind,date,amount,currency,percent,round,source,note,"
        "round_total\n"
        "Fund 1,Startup A,iot,investment,2015-01-10,1000,USD,,Series A,,,5000\n"
        "Fund 2,Startup A,iot,investment,2015-01-10,6000.50,USD,,Series A,,,\n"
        "Fund 3,Startup A,iot,investment,2015-01-10,4000,USD,,Series A,,,\n",
        encoding="utf-8",
    )
    fast = imports(run, tmp_path / "fast.db", [file])
    with monkeypatch.context() as patch:
        whole_pipeline(patch)
        slow = imports(run, tmp_path / "slow.db", [file])
    assert fast == slow
    assert (fast[0]["stakes_added"], fast[0]["rejected"]) == (2, 1)
    assert "USD 6,000.50 is more than the round's whole total (USD 5,000.00)" in fast[1]


def test_caches_that_forget_store_the_same(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path's caches are forgotten whole when full (memory stays flat on a big
    file); with room for a few values only, they forget all the time and store the same."""
    files = [write(tmp_path / "a.csv", rows(7, 1200)), write(tmp_path / "b.csv", rows(8, 600))]
    with monkeypatch.context() as patch:
        patch.setattr(importing, "_LIMIT", 3)
        patch.setattr(importing, "_AMOUNTS", 2)
        full: list[bool] = []
        keep = importing._Pairs.keep

        def kept(self: Any, outer: Any, inner: Any, value: Any) -> Any:
            full.append(self.count >= self.limit)
            return keep(self, outer, inner, value)

        patch.setattr(importing._Pairs, "keep", kept)
        forgetful = imports(run, tmp_path / "forgetful.db", files)
    plain = imports(run, tmp_path / "plain.db", files)
    assert forgetful == plain
    assert stored(tmp_path / "forgetful.db") == stored(tmp_path / "plain.db")
    assert full.count(True) > 50  # forgotten when full, many times over
