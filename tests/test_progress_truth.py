"""Progress that tells the truth (issue 15, points 1-4): milestones beside what is held,
entries apart from reported holdings, held now and no longer held, the pace over the whole
period and the recent window projected as quarters (or "not at the current pace"), a default
target said to be one, sector targets, and the history by period. Hand-computed cases."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.conftest import Run

BOTH_BACKENDS = True

HEADER = "investor,startup,sector,date,kind,percent,amount,currency\n"
#: Six entries over two years, a company known only from a reported holding, and an exit.
ROWS = """\
Acme,A1,iot/a,2024-01-01,investment,,USD 1000000,
Acme,A2,iot/b,2024-07-01,investment,,,
Acme,A3,iot/a,2025-01-01,investment,,USD 2000000,
Acme,A4,media,2025-04-01,acquisition,,,
Acme,A5,iot/a,2025-07-01,investment,,EUR 500000,
Acme,A6,cloud,2025-10-01,investment,,,
Acme,H1,cloud,2025-03-15,holding,5,,
Acme,A2,iot/b,2025-11-01,exit,,,
"""
AS_OF = "2025-12-31"


def ok(result: object) -> str:
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    return str(result.stdout)  # type: ignore[attr-defined]


def load(run: Run, tmp_path: Path) -> None:
    ok(run("init"))
    path = tmp_path / "acme.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    ok(run("import", str(path)))
    ok(run("fx", "set", "EUR", "USD", "1.1", "--date", "2025-07-01"))


def acme(run: Run, *args: str) -> dict[str, Any]:
    data = json.loads(ok(run("progress", "--investor", "Acme", "--as-of", AS_OF, *args,
                             "-f", "json")))  # fmt: skip
    investor: dict[str, Any] = data["investors"][0]
    return investor


def test_counting_and_pace_computed_by_hand(run: Run, tmp_path: Path) -> None:
    load(run, tmp_path)
    ok(run("target", "set", "--investor", "Acme", "10"))
    inv = acme(run)
    # 7 companies ever held: 6 entered by investment or acquisition, H1 only reported
    assert inv["companies"] == 7 and inv["headline"] == "ever held"
    assert inv["held_now"] == 6 and inv["no_longer_held"] == 1  # A2 exited
    assert inv["entry_unknown"] == [{"company": "H1", "first_reported": "2025-03-15"}]
    whole, recent = inv["pace"]["whole_period"], inv["pace"]["trailing"]
    # whole period: 6 entries from 2024-01-01 to 2025-12-31 (730 days = 23.98 months):
    # 0.250 a month; 3 more to 10 take 3 x 730 / 6 = 365 days -> 2026-12-31
    assert whole["companies"] == 6 and whole["per_month"] == "0.250"
    assert whole["falls"] == "2026-12-31" and whole["falls_in"] == "2026-Q4"
    # the last 12 months (2024-12-31 to 2025-12-31, 365 days): 4 entries, 0.334 a month;
    # 3 more take 3 x 365 / 4 = 273.75, so 274 days -> 2026-10-01
    assert recent["companies"] == 4 and recent["per_month"] == "0.334"
    assert recent["falls"] == "2026-10-01" and recent["falls_in"] == "2026-Q4"
    text = " ".join(ok(run("progress", "--investor", "Acme", "--as-of", AS_OF)).split())
    assert (
        "Counted: every company Acme ever held a direct stake in (7); 6 held now, 1 no longer."
        in text
    )
    assert (
        "Entry date unknown for 1 company known only from a reported holding (H1, first "
        "reported 2025-03-15)" in text
    )
    assert "At these paces the target of 10 falls 2026-Q4." in text
    # a window of 6 months (from 2025-06-30: 184 days): 2 entries, 0.331 a month; 3 more
    # take 3 x 184 / 2 = 276 days -> 2026-10-03; the whole period still 2026-12-31
    six = acme(run, "--window", "6")["pace"]["trailing"]
    assert six["companies"] == 2 and six["per_month"] == "0.331"
    assert six["falls"] == "2026-10-03"
    # a target far off: 1,000 is not within 20 years at either pace
    far = " ".join(ok(run("progress", "--investor", "Acme", "--as-of", AS_OF,
                          "--target", "1000")).split())  # fmt: skip
    assert "Target of 1,000: not at the current pace (not within 20 years at either pace)." in far
    assert acme(run, "--target", "1000")["pace"]["whole_period"]["beyond_horizon"] is True


def test_a_default_target_is_said_to_be_one(run: Run, tmp_path: Path) -> None:
    load(run, tmp_path)
    inv = acme(run)
    assert inv["target"] == 100 and inv["target_default"] is True
    text = " ".join(ok(run("progress", "--investor", "Acme", "--as-of", AS_OF)).split())
    assert "Target: 100 (default; set one with `ecoport target set`)." in text
    ok(run("target", "set", "--investor", "Acme", "100"))
    assert acme(run)["target_default"] is False


def test_milestones_and_sector_targets_beside_what_is_held(run: Run, tmp_path: Path) -> None:
    load(run, tmp_path)
    ok(run("target", "milestone", "add", "--investor", "Acme", "--by", "2024", "--count", "5",
           "--what", "device makers"))  # fmt: skip
    ok(run("target", "milestone", "add", "--investor", "Acme", "--by", "2025-06", "--count",
           "4"))  # fmt: skip
    ok(run("target", "set", "--investor", "Acme", "--sector", "iot", "6"))
    inv = acme(run)
    # by the end of 2024: A1, A2 (2 of 5 reported); by 2025-06-30: A1-A4 and H1 (5 of 4)
    assert [(m["by"], m["reported"], m["held"]) for m in inv["milestones"]] == [
        ("2024", 5, 2),
        ("2025-06", 4, 5),
    ]
    assert inv["sector_targets"] == [
        {"sector": "iot", "target": 6, "companies": 4, "percent_of_target": "66.67"}
    ]
    text = " ".join(ok(run("progress", "--investor", "Acme", "--as-of", AS_OF)).split())
    assert (
        "Milestone 2024: reported 5 device makers; ecoport holds 2 by then (40%: the data "
        "covers only part of what was reported)." in text
    )
    assert (
        "Milestone 2025-06: reported 4 companies; ecoport holds 5 by then (the data covers "
        "what was reported)." in text
    )
    assert "Sector targets: iot 4 of 6 (66%)." in text


def test_history_by_period(run: Run, tmp_path: Path) -> None:
    load(run, tmp_path)
    data = json.loads(ok(run("progress", "--investor", "Acme", "--as-of", AS_OF,
                             "--by", "year", "-f", "json")))  # fmt: skip
    periods = {p["period"]: p for p in data["investors"][0]["periods"]}
    assert list(periods) == ["2024", "2025"]
    assert (periods["2024"]["new"], periods["2024"]["cumulative"]) == (2, 2)
    assert periods["2025"]["new"] == 4 and periods["2025"]["first_reported"] == 1
    assert periods["2025"]["cumulative"] == 7 and periods["2025"]["exits"] == 1
    # money in: USD 1m in 2024; USD 2m + EUR 500k at 1.1 = USD 2.55m in 2025
    assert periods["2024"]["money_in"] == "1000000.00"
    assert periods["2025"]["money_in"] == "2550000.00"
    quarterly = ok(run("progress", "--investor", "Acme", "--as-of", AS_OF, "--by", "QUARTER",
                       "-f", "csv"))  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(quarterly)))
    assert [r["period"] for r in rows] == [f"{y}-Q{q}" for y in (2024, 2025) for q in range(1, 5)]
    # 2025-Q1: A3 entered and H1 was first reported
    assert [r["cumulative"] for r in rows] == ["1", "1", "2", "2", "4", "5", "6", "7"]
    table = ok(run("progress", "--investor", "Acme", "--as-of", AS_OF, "--by", "month"))
    assert "2025-11" in table and "Cumulative" in table
    bad = run("progress", "--by", "week")
    assert bad.exit_code == 2 and "--by: must be one of year, quarter, month" in bad.stderr


def test_the_seed_says_what_its_data_covers(run: Run, seeded: Path) -> None:
    data = json.loads(ok(run("progress", "--as-of", "2026-11-21", "-f", "json")))
    xiaomi = data["investors"][0]
    assert [(m["by"], m["reported"], m["held"]) for m in xiaomi["milestones"]] == [
        ("2014-12", 25, 7),
        ("2015-04", 20, 8),
    ]
    assert [u["company"] for u in xiaomi["entry_unknown"]] == [
        "Huami",
        "Roborock",
        "Kingsoft Cloud",
    ]
    # no entry in the 12 months to 2026-11-21: the recent pace is zero
    assert xiaomi["pace"]["trailing"]["companies"] == 0
    text = " ".join(ok(run("progress", "--as-of", "2026-11-21")).split())
    assert "ecoport holds 7 by then (28%: the data covers only part of what was reported)" in text
    del seeded


def test_value_and_multiple_in_progress_and_companies_show(run: Run, tmp_path: Path) -> None:
    """USD 10m for 10% on 2015-01-01, marked at a USD 300m valuation on 2020-01-01: worth
    USD 30m, 3.0x; progress --value and companies show say so (returns' own figures)."""
    ok(run("init"))
    path = tmp_path / "one.csv"
    path.write_text(HEADER + "Fund,Co,iot/a,2015-01-01,investment,10,USD 10000000,\n")
    ok(run("import", str(path)))
    ok(run("mark", "add", "Co", "--date", "2020-01-01", "--valuation", "USD 300m"))
    plain = json.loads(ok(run("progress", "--investor", "Fund", "--as-of", "2020-06-30",
                              "-f", "json")))  # fmt: skip
    assert plain["investors"][0]["value"] is None  # asked for with --value only
    data = json.loads(ok(run("progress", "--investor", "Fund", "--as-of", "2020-06-30",
                             "--value", "-f", "json")))  # fmt: skip
    worth = data["investors"][0]["value"]
    assert (worth["positions"], worth["counted"]) == (1, 1)
    assert Decimal(worth["unrealised"]["low"]) == Decimal("30000000")
    assert Decimal(worth["moic"]["low"]) == Decimal(3)
    text = " ".join(ok(run("progress", "--investor", "Fund", "--as-of", "2020-06-30",
                           "--value")).split())  # fmt: skip
    assert (
        "Value (marked): USD 30.0m for 1 of 1 position whose cost and mark are known, 3.00x" in text
    )
    shown = json.loads(ok(run("companies", "show", "Co", "--as-of", "2020-06-30", "-f", "json")))
    (fund,) = shown["holders"]
    assert Decimal(fund["value"]["low"]) == Decimal("30000000") and fund["value"]["why"] is None
    assert Decimal(fund["moic"]["low"]) == Decimal(3)
    table = ok(run("companies", "show", "Fund", "--as-of", "2020-06-30", "--wide"))
    assert "USD 30.0m" in table and "3.00x" in table
