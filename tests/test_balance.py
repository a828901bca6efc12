"""report --by sector: the whole portfolio's balance, every investor at once, each amount
converted at its day's rate (hand-computed)."""

import csv
import io
import json
from pathlib import Path

from tests.conftest import Run

BOTH_BACKENDS = True

ROWS = """\
investor,startup,sector,date,kind,amount
Alpha,A1,iot/a,2024-01-02,investment,USD 1000000
Alpha,A2,iot/b,2024-02-01,investment,EUR 500000
Beta,A1,iot/a,2024-03-01,investment,
Beta,M1,media,2024-04-01,investment,USD 250000
Beta,M1,media,2025-01-02,sale,USD 400000
Gamma,X1,,2024-05-01,holding,
"""


def ok(result: object) -> str:
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    return str(result.stdout)  # type: ignore[attr-defined]


def test_balance_by_sector(run: Run, tmp_path: Path) -> None:
    ok(run("init"))
    path = tmp_path / "b.csv"
    path.write_text(ROWS, encoding="utf-8")
    ok(run("import", str(path)))
    ok(run("fx", "set", "EUR", "USD", "1.2", "--date", "2024-02-01"))
    data = json.loads(ok(run("report", "--by", "sector", "-f", "json")))
    rows = {r["sector"]: r for r in data["sectors"]}
    # iot: USD 1m + EUR 500k at 1.2 = USD 1.6m, from 2 investors in 2 companies, 3 stakes
    assert rows["iot"]["invested"] == "1600000.00" and rows["iot"]["investors"] == 2
    assert (rows["iot"]["companies"], rows["iot"]["stakes"]) == (2, 3)
    # media: 250k in, 400k out
    assert (rows["media"]["invested"], rows["media"]["realised"]) == ("250000.00", "400000.00")
    assert rows["(no sector)"]["stakes"] == 1
    assert data["total"] == {
        "sector": "(all)",
        "investors": 3,
        "companies": 4,
        "stakes": 6,
        "invested": "1850000.00",
        "realised": "400000.00",
        "currency": "USD",
        "not_converted": 0,
    }
    deeper = json.loads(ok(run("report", "--by", "sector", "--depth", "2", "-f", "json")))
    assert {r["sector"] for r in deeper["sectors"]} == {"iot/a", "iot/b", "media", "(no sector)"}
    # Alpha holds in iot/a and iot/b: once in iot above, in each of them here
    assert {r["sector"]: r["investors"] for r in deeper["sectors"]}["iot/a"] == 2
    assert {r["sector"]: r["investors"] for r in deeper["sectors"]}["iot/b"] == 1
    # a filter applies: one investor's balance
    alpha = list(csv.DictReader(io.StringIO(ok(run("report", "--by", "SECTOR", "--investor",
                                                   "Alpha", "-f", "csv")))))  # fmt: skip
    assert [(r["sector"], r["invested"]) for r in alpha] == [
        ("iot", "1600000.00"),
        ("(all)", "1600000.00"),
    ]
    # a date filter applies to the counts too: from March 2024, Beta and Gamma only
    since = json.loads(ok(run("report", "--by", "sector", "--since", "2024-03", "-f", "json")))
    counts = {r["sector"]: (r["investors"], r["companies"], r["stakes"]) for r in since["sectors"]}
    assert counts == {"iot": (1, 1, 1), "media": (1, 1, 2), "(no sector)": (1, 1, 1)}
    total = since["total"]
    assert (total["investors"], total["companies"], total["stakes"]) == (2, 3, 4)
    table = ok(run("report", "--by", "sector"))
    assert "USD 1.6m" in table and "(all)" in table
    bad = run("report", "--by", "investor")
    assert bad.exit_code == 2 and bad.stderr.strip().endswith(
        "--by: must be sector (got 'investor')"
    )
