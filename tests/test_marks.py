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
