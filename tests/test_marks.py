"""Marks: adding one (valuation, price x shares, write-down, write-off), listing, showing,
removing, undoing; bad input refused with one line and nothing changed; implied marks and
which one wins; positions missing a recent mark. On SQLite and on PostgreSQL."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from ecoport.core.returns import MarkKind, MarkRef, latest_mark
from ecoport.services.marks import months_between
from tests.conftest import Run, dump

BOTH_BACKENDS = True


def ok(result: object) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    return str(result.stdout)  # type: ignore[attr-defined]


@pytest.fixture
def alpha(run: Run, isolated: Path) -> Path:
    """Fund paid USD 10m for 10 % of Alpha on 2015-01-01."""
    ok(run("init"))
    ok(
        run(
            "add-stake", "--investor", "Fund", "--startup", "Alpha", "--sector", "iot",
            "--date", "2015-01-01", "--amount", "USD 10m", "--percent", "10", "--new-company",
        )
    )  # fmt: skip
    return isolated


def one_line_exit_2(result: object, *needles: str) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0], lines[0]
    return str(lines[0])


@pytest.mark.usefixtures("alpha")
def test_a_valuation_is_added_listed_shown_removed_and_undone(run: Run) -> None:
    added = run(
        "mark", "add", "alpha", "--date", "2020-01-01", "--valuation", "USD 300m",
        "--source", "https://example.com/alpha", "-f", "json",
    )  # fmt: skip
    mark = json.loads(ok(added))
    assert mark["company"] == "Alpha" and mark["kind"] == "valuation"
    assert (mark["valuation"], mark["currency"]) == ("300000000.00", "USD")
    assert mark["warnings"] == [] and mark["origin"] == f"given (mark {mark['id']})"
    listed = json.loads(ok(run("marks", "list", "-f", "json")))["marks"]
    assert [(m["id"], m["date"]) for m in listed] == [(mark["id"], "2020-01-01")]
    shown = ok(run("marks", "show", str(mark["id"])))
    assert "USD 300.0m" in shown and "https://example.com/alpha" in shown
    log = ok(run("log", "--records"))
    assert f"mark {mark['id']} (Alpha, 2020-01-01) added" in log and "USD 300.0m" in log
    removed = run("marks", "remove", str(mark["id"]))
    assert removed.exit_code == 0 and "Removed mark" in removed.stderr
    assert json.loads(ok(run("marks", "list", "-f", "json")))["marks"] == []
    ok(run("undo", "--yes"))  # the removal undone: the mark is back
    back = json.loads(ok(run("marks", "list", "-f", "json")))["marks"]
    assert [m["id"] for m in back] == [mark["id"]]
    ok(run("undo", "--yes"))  # then the add itself
    assert json.loads(ok(run("marks", "list", "-f", "json")))["marks"] == []


@pytest.mark.usefixtures("alpha")
def test_the_add_itself_is_undone(run: Run) -> None:
    ok(run("mark", "add", "Alpha", "--date", "2019", "--valuation", "$200m"))
    ok(run("undo", "--yes"))
    assert json.loads(ok(run("marks", "list", "-f", "json")))["marks"] == []


@pytest.mark.usefixtures("alpha")
def test_price_times_shares_write_down_and_write_off(run: Run) -> None:
    price = json.loads(
        ok(
            run(
                "mark",
                "add",
                "Alpha",
                "--date",
                "2019-06-30",
                "--price",
                "USD 12.50",
                "--shares",
                "20000000",
                "-f",
                "json",
            )
        )  # fmt: skip
    )
    assert (price["kind"], price["valuation"], price["price"], price["shares"]) == (
        "price",
        "250000000.00",
        "12.50",
        20000000,
    )
    down = json.loads(
        ok(
            run(
                "mark",
                "add",
                "Alpha",
                "--date",
                "2020",
                "--valuation",
                "USD 50m",
                "--write-down",
                "-f",
                "json",
            )
        )  # fmt: skip
    )
    assert down["kind"] == "write-down"
    off = run("mark", "add", "Alpha", "--date", "2021-03", "--write-off")
    assert off.exit_code == 0 and "written off" in off.stderr
    table = ok(run("marks", "list"))
    assert "USD 250.0m (USD 12.50 x 20,000,000 shares)" in table
    assert "write-down" in table and "nothing (written off)" in table


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--date", "2020", "--valuation", "-5bn USD"], ["--valuation", "greater than zero"]),
        (["--date", "2020", "--valuation", "USD 0"], ["--valuation", "greater than zero"]),
        (["--date", "2099-01-01", "--valuation", "USD 5bn"], ["--date", "in the future"]),
        (["--date", "2014-12-31", "--valuation", "USD 5bn"], ["--date", "before Alpha's first"]),
        (["--date", "2020", "--price", "USD 5"], ["--price", "--shares"]),
        (["--date", "2020", "--shares", "100"], ["--shares", "--price"]),
        (["--date", "2020"], ["--valuation", "--write-off"]),
        (["--date", "2020", "--write-off", "--valuation", "USD 1m"], ["--valuation"]),
        (["--date", "2020", "--price", "USD 5", "--shares", "-3"], ["--shares", "above zero"]),
        (
            ["--date", "2020", "--valuation", "USD 1m", "--price", "USD 5", "--shares", "3"],
            ["--price", "not both"],
        ),
        (["--date", "2020", "--valuation", "lots"], ["--valuation", "not an amount"]),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    run: Run, alpha: Path, args: list[str], needles: list[str]
) -> None:
    before = dump(alpha)
    one_line_exit_2(run("mark", "add", "Alpha", *args), *needles)
    assert dump(alpha) == before


@pytest.mark.usefixtures("alpha")
def test_a_second_mark_on_the_same_date_conflicts(run: Run) -> None:
    ok(run("mark", "add", "Alpha", "--date", "2020", "--valuation", "USD 1bn"))
    again = run("mark", "add", "Alpha", "--date", "2020", "--valuation", "USD 2bn")
    assert again.exit_code == 1 and "has a mark on 2020 already" in again.stderr
    assert "`ecoport marks remove 1`" in again.stderr


@pytest.mark.usefixtures("alpha")
def test_a_mark_of_a_company_nobody_holds_is_stored_with_a_warning(run: Run) -> None:
    ok(run("add-stake", "--investor", "Fund", "--startup", "Alpha", "--kind", "exit",
           "--date", "2018", "--amount", "USD 20m"))  # fmt: skip
    added = run("mark", "add", "Alpha", "--date", "2019", "--valuation", "USD 1bn")
    assert added.exit_code == 0
    assert "warning: nobody holds Alpha" in added.stderr
    assert len(json.loads(ok(run("marks", "list", "-f", "json")))["marks"]) == 1


@pytest.mark.usefixtures("alpha")
def test_unknown_company_and_mark(run: Run) -> None:
    missing = run("mark", "add", "Nobody", "--date", "2020", "--valuation", "USD 1m")
    assert missing.exit_code == 1 and "no company named 'Nobody'" in missing.stderr
    assert run("marks", "show", "99").exit_code == 1
    assert run("marks", "remove", "99").exit_code == 1


@pytest.mark.usefixtures("alpha")
def test_implied_marks_listed_and_a_given_one_wins_on_its_date(run: Run) -> None:
    ok(run("mark", "add", "Alpha", "--date", "2015-01-01", "--valuation", "USD 300m"))
    listed = json.loads(ok(run("marks", "list", "Alpha", "--implied", "-f", "json")))["marks"]
    assert [(m["kind"], m["valuation"], m["origin"]) for m in listed] == [
        ("stake", "100000000.00", "implied by stake 1"),
        ("valuation", "300000000.00", "given (mark 1)"),
    ]
    worth = json.loads(
        ok(run("returns", "--by", "company", "--as-of", "2015-01-01", "-f", "json"))
    )["rows"][0]
    assert worth["unrealised"]["amount"] == "30000000.00"
    assert worth["mark"]["origin"] == "given (mark 1)"


def test_latest_mark_order() -> None:
    def ref(date: str, kind: MarkKind, n: int, precision: str = "day") -> MarkRef:
        return MarkRef(date, precision, kind, Decimal(n), "USD", n)

    stake = ref("2020-01-01", MarkKind.STAKE, 1)
    round_ = ref("2020-01-01", MarkKind.ROUND, 2)
    given = ref("2020-01-01", MarkKind.VALUATION, 3)
    older = ref("2019-06-30", MarkKind.VALUATION, 4)
    assert latest_mark([stake, given, round_, older]) == given
    assert latest_mark([stake, round_, older]) == round_
    year = ref("2020-01-01", MarkKind.VALUATION, 5, "year")
    assert latest_mark([year, stake]) == stake  # a finer date is later in its period
    assert latest_mark([]) is None


@pytest.mark.usefixtures("alpha")
def test_marks_missing(run: Run) -> None:
    ok(run("add-stake", "--investor", "Fund", "--startup", "Beta", "--sector", "iot",
           "--date", "2016", "--new-company"))  # fmt: skip
    found = json.loads(
        ok(run("marks", "missing", "--as-of", "2017-06-30", "--older-than", "24", "-f", "json"))
    )
    # Alpha has a mark implied by Fund's own stake (2015-01-01: 29 months old); Beta none
    assert [(p["company"], p["mark_date"], p["months_old"]) for p in found["positions"]] == [
        ("Alpha", "2015-01-01", 29),
        ("Beta", None, None),
    ]
    assert found["held"] == 2
    recent = json.loads(
        ok(run("marks", "missing", "--as-of", "2017-06-30", "--older-than", "30", "-f", "json"))
    )
    assert [p["company"] for p in recent["positions"]] == ["Beta"]
    table = run("marks", "missing", "--as-of", "2017-06-30")
    assert "Beta" in table.stdout and "none" in table.stdout
    assert "2 positions of 2 held" in table.stderr


def test_months_between() -> None:
    assert months_between(dt.date(2020, 12, 31), dt.date(2021, 12, 30)) == 11
    assert months_between(dt.date(2020, 12, 31), dt.date(2021, 12, 31)) == 12
    assert months_between(dt.date(2020, 1, 15), dt.date(2020, 1, 20)) == 0


# -- merging and removing a company with marks ---------------------------------------------


def _beta(run: Run) -> None:
    """Fund also paid USD 5m for 5 % of Beta, Alpha's duplicate, on 2016-01-01."""
    ok(
        run(
            "add-stake", "--investor", "Fund", "--startup", "Beta", "--sector", "iot",
            "--date", "2016-01-01", "--amount", "USD 5m", "--percent", "5", "--new-company",
        )
    )  # fmt: skip


def test_a_merge_moves_the_marks_and_is_undone(run: Run, alpha: Path) -> None:
    _beta(run)
    ok(run("mark", "add", "Alpha", "--date", "2020-01-01", "--valuation", "USD 300m"))
    ok(run("mark", "add", "Beta", "--date", "2021", "--valuation", "USD 400m"))
    ok(run("mark", "add", "Beta", "--date", "2020-01", "--write-down", "--valuation", "USD 9m"))
    before = dump(alpha)
    merged = run("companies", "merge", "Beta", "--into", "Alpha", "-f", "json")
    assert json.loads(ok(merged))["marks"] == 2
    listed = json.loads(ok(run("marks", "list", "-f", "json")))["marks"]
    assert sorted((m["company"], m["date"], m["kind"]) for m in listed) == [
        ("Alpha", "2020-01", "write-down"),
        ("Alpha", "2020-01-01", "valuation"),
        ("Alpha", "2021", "valuation"),
    ]
    beta = json.loads(ok(run("marks", "list", "Beta", "-f", "json")))["marks"]
    assert beta == listed  # Beta is an alias of Alpha now
    ok(run("undo", "--yes"))

    def content(lines: list[str]) -> list[str]:
        return [x for x in lines if "change" not in x and "sqlite_sequence" not in x]

    assert content(dump(alpha)) == content(before)


def test_a_merge_with_marks_of_the_same_date_is_refused(run: Run, alpha: Path) -> None:
    _beta(run)
    ok(run("mark", "add", "Alpha", "--date", "2020", "--valuation", "USD 300m"))
    ok(run("mark", "add", "Beta", "--date", "2020-06", "--valuation", "USD 350m"))
    ok(run("mark", "add", "Beta", "--date", "2020", "--valuation", "USD 400m"))
    before = dump(alpha)
    refused = run("companies", "merge", "Beta", "--into", "Alpha")
    assert refused.exit_code == 1, (refused.stdout, refused.stderr)
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Beta and Alpha both have a mark on 2020" in lines[0]
    assert "`ecoport marks remove 3`" in lines[0] and "--into" in lines[0]
    assert dump(alpha) == before
    ok(run("marks", "remove", "3"))  # the way out it names
    ok(run("companies", "merge", "Beta", "--into", "Alpha"))
    listed = json.loads(ok(run("marks", "list", "-f", "json")))["marks"]
    assert sorted((m["id"], m["company"], m["date"]) for m in listed) == [
        (1, "Alpha", "2020"),
        (2, "Alpha", "2020-06"),
    ]


def test_removing_a_company_with_marks_is_refused(run: Run, alpha: Path) -> None:
    _beta(run)
    ok(run("mark", "add", "Beta", "--date", "2020", "--valuation", "USD 300m"))
    ok(run("mark", "add", "Beta", "--date", "2021", "--write-off"))
    ok(run("stakes", "remove", "2", "--yes"))
    before = dump(alpha)
    refused = run("companies", "remove", "Beta")
    assert refused.exit_code == 1, (refused.stdout, refused.stderr)
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Beta has 2 marks (IDs 1, 2)" in lines[0] and "`ecoport marks remove 1`" in lines[0]
    assert dump(alpha) == before
    ok(run("marks", "remove", "1"))
    one = run("companies", "remove", "Beta")
    assert one.exit_code == 1 and "Beta has 1 mark (ID 2); remove it first" in one.stderr
    ok(run("marks", "remove", "2"))
    ok(run("companies", "remove", "Beta"))
    assert run("companies", "show", "Beta").exit_code == 1
    ok(run("undo", "--yes"))  # the removal undone: Beta is back
    ok(run("companies", "show", "Beta"))


# -- export and import ----------------------------------------------------------------------


@pytest.mark.usefixtures("alpha")
def test_export_and_import_carry_the_marks(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(run("mark", "add", "Alpha", "--date", "2020-01-01", "--valuation", "USD 300m",
           "--source", "https://example.com/alpha", "--note", "a round\nled by Beta"))  # fmt: skip
    ok(run("mark", "add", "Alpha", "--date", "2021-06", "--price", "USD 12.34",
           "--shares", "1000000"))  # fmt: skip
    ok(run("mark", "add", "Alpha", "--date", "2022", "--write-down", "--valuation", "€5m"))
    ok(run("mark", "add", "Alpha", "--date", "2023-03-31", "--write-off"))
    listed = json.loads(ok(run("marks", "list", "-f", "json")))["marks"]
    exported = {fmt: ok(run("export", "-f", fmt)) for fmt in ("yaml", "json")}
    assert "\nmarks:\n- company: Alpha\n  date: '2020-01-01'\n" in exported["yaml"]
    assert json.loads(exported["json"])["marks"][1] == {
        "company": "Alpha", "date": "2021-06", "kind": "price", "price": "12.34 USD",
        "shares": 1000000,
    }  # fmt: skip
    for fmt, text in exported.items():
        path = tmp_path / f"export.{fmt}"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("ECOPORT_DB", str(tmp_path / f"empty-{fmt}.db"))
        summary = json.loads(ok(run("import", str(path), "--json")))
        assert (summary["marks_added"], summary["rejected"]) == (4, 0)
        again = json.loads(ok(run("marks", "list", "-f", "json")))["marks"]
        assert again == listed, fmt
        assert ok(run("export", "-f", fmt)) == text  # and it exports the same again
        repeated = json.loads(ok(run("import", str(path), "--json")))  # marks kept, not doubled
        assert repeated["marks_added"] == 0
        assert json.loads(ok(run("marks", "list", "-f", "json")))["marks"] == listed
    ok(run("undo", "--yes"))  # the import undone, its marks with it
    assert json.loads(ok(run("marks", "list", "-f", "json")))["marks"] == []


def test_a_bad_mark_in_an_import_is_a_problem_and_nothing_is_imported(
    run: Run, alpha: Path, tmp_path: Path
) -> None:
    path = tmp_path / "marks.yaml"
    path.write_text(
        "stakes: []\nmarks:\n- company: Alpha\n  date: '2020'\n  valuation: '-5 USD'\n"
        "- company: Nobody\n  date: '2020'\n  valuation: 5 USD\n",
        encoding="utf-8",
    )
    before = dump(alpha)
    result = run("import", str(path))
    assert result.exit_code != 0
    assert f"{path}:3: marks: valuation: must be greater than zero" in result.stderr
    assert f"{path}:6: marks: no company named 'Nobody'" in result.stderr
    assert dump(alpha) == before


@pytest.mark.sqlite_only  # reading the file is the same for both; each import is a new file
@pytest.mark.usefixtures("alpha")
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_marks_piped_on_standard_input_are_imported_as_from_a_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    ok(run("mark", "add", "Alpha", "--date", "2020-01-01", "--valuation", "USD 300m"))
    ok(run("mark", "add", "Alpha", "--date", "2021-06", "--price", "USD 12.34",
           "--shares", "1000000"))  # fmt: skip
    ok(run("mark", "add", "Alpha", "--date", "2023-03-31", "--write-off"))
    listed = json.loads(ok(run("marks", "list", "-f", "json")))["marks"]
    text = ok(run("export", "-f", fmt))
    path = tmp_path / f"export.{fmt}"
    path.write_text(text, encoding="utf-8")
    summaries = {}
    for how, args, given in (
        ("file", [str(path)], None),
        ("stdin", ["-", "--input-format", fmt], text),
    ):
        monkeypatch.setenv("ECOPORT_DB", str(tmp_path / f"{how}.db"))
        ok(run("init"))
        result = run("import", *args, "-f", "json", input=given)
        summary = json.loads(ok(result))
        assert (summary["stakes_added"], summary["marks_added"]) == (1, 3), how
        assert json.loads(ok(run("marks", "list", "-f", "json")))["marks"] == listed, how
        summaries[how] = {k: v for k, v in summary.items() if k != "file"}
    assert summaries["stdin"] == summaries["file"]


@pytest.mark.parametrize(
    ("fmt", "text", "line"),
    [
        ("json", '{"stakes": [],\n "valuations": [{"company": "Alpha"}]}\n', 2),
        ("yaml", "stakes: []\n# the marks\nvaluations:\n- company: Alpha\n", 3),
        ("yaml", "stakes: []\n'colour': 5\n", 2),
    ],
)
def test_a_top_level_key_ecoport_does_not_read_is_refused_where_it_is(
    run: Run, alpha: Path, tmp_path: Path, fmt: str, text: str, line: int
) -> None:
    path = tmp_path / f"odd.{fmt}"
    path.write_text(text, encoding="utf-8")
    before = dump(alpha)
    for args, given, name in (
        ([str(path)], None, str(path)),
        (["-", "--input-format", fmt], text, "<stdin>"),
    ):
        result = run("import", *args, input=given)
        assert result.exit_code == 2, (result.stdout, result.stderr)
        (message,) = result.stderr.strip().splitlines()
        assert message.startswith(f"ecoport: error: {name}:{line}: key '")
        assert "is not one ecoport reads at the top level (companies, stakes, marks)" in message
        assert dump(alpha) == before
