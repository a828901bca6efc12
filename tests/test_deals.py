"""Deals as they really are: funding rounds, one stake per deal, one company per company,
and real files read as they come. Run on SQLite and on PostgreSQL."""

import json
from pathlib import Path

import pytest

from tests.conftest import Run, dump, query
from tests.test_cli import MIDEA, one_error_line, with_options

BOTH_BACKENDS = True

ROUND = (
    "company_name,investor_name,funded_when,amount_usd\n"
    "MongoDB Inc.,Sequoia Capital,2013-10-04,150000000\n"
    "MongoDB Inc.,Intel Capital,2013-10-04,150000000\n"
    "MongoDB Inc.,Red Hat,2013-10-04,150000000\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def imported(run: Run, *args: str) -> dict[str, object]:
    result = run("import", *args, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    accounted = (
        int(data["stakes_added"])  # type: ignore[call-overload]
        + int(data["matched"])  # type: ignore[call-overload]
        + int(data["already_present"])  # type: ignore[call-overload]
        + int(data["rejected"])  # type: ignore[call-overload]
    )
    assert accounted == data["records"]
    return data


# -- rounds --------------------------------------------------------------------------------


def test_a_round_total_is_never_an_investors_money(run: Run, tmp_path: Path) -> None:
    file = write(tmp_path / "cb.csv", ROUND)
    data = imported(run, str(file), "--mapping", "crunchbase-2013-investments")
    assert (data["stakes_added"], data["rounds_created"], data["rounds_matched"]) == (3, 1, 2)
    report = json.loads(run("report", "--investor", "Sequoia Capital", "-f", "json").stdout)
    totals = report["totals"]
    assert totals["by_currency"] == [] and totals["in"]["invested"] == "0.00"
    assert totals["in_rounds"] == {
        "rounds": 1,
        "with_total": 1,
        "totals": [{"currency": "USD", "rounds": 1, "amount": "150000000.00"}],
        "own_share_undisclosed": 1,
    }
    whole = json.loads(run("report", "--startup", "MongoDB", "-f", "json").stdout)["totals"]
    assert whole["stakes"] == 3 and whole["in_rounds"]["totals"][0]["amount"] == "150000000.00"
    table = run("report", "--startup", "MongoDB Inc.").stdout
    assert "In 1 round totalling USD 150.0m" in table and "own share undisclosed" in table
    progress = json.loads(run("progress", "--investor", "Red Hat", "-f", "json").stdout)
    assert progress["investors"][0]["invested"] == []
    assert progress["investors"][0]["in_rounds"]["rounds"] == 1
    listed = json.loads(run("rounds", "list", "-f", "json").stdout)
    assert [(r["startup"], r["total"], r["participants"]) for r in listed] == [
        ("MongoDB Inc.", "150000000.00", 3)
    ]
    shown = json.loads(run("rounds", "show", str(listed[0]["id"]), "-f", "json").stdout)
    assert sorted(p["investor"] for p in shown["participants"]) == [
        "Intel Capital",
        "Red Hat",
        "Sequoia Capital",
    ]
    assert "Participants" in run("rounds", "show", str(listed[0]["id"])).stdout
    assert run("rounds", "show", "999").exit_code == 1


def test_add_stake_round_total_valuation_and_a_total_below_a_cheque(run: Run, seeded: Path) -> None:
    args = [
        "add-stake",
        "--investor",
        "Xiaomi",
        "--startup",
        "Huami",
        "--date",
        "2016-03",
        "--round",
        "Series C",
        "--amount",
        "USD 10m",
        "--round-total",
        "USD 100m",
        "--valuation",
        "USD 1bn",
    ]
    stored = run(*args, "-f", "json")
    assert stored.exit_code == 0, stored.stderr
    stake = json.loads(stored.stdout)["stake"]
    assert (stake["amount"], stake["round"], stake["round_total"], stake["round_valuation"]) == (
        "10000000.00",
        "Series C",
        "100000000.00",
        "1000000000.00",
    )
    before = dump(seeded)
    too_big = with_options(args, {"--investor": "Shunwei Capital", "--amount": "USD 200m"})
    one_error_line(run(*too_big), "--round-total", "less than")
    # the same round by name: the stored total is checked against a new participant's cheque
    other = with_options(
        args, {"--investor": "Shunwei Capital", "--amount": "USD 200m", "--round-total": None}
    )
    one_error_line(run(*other), "--round-total", "less than")
    assert dump(seeded) == before
    joined = with_options(args, {"--investor": "Shunwei Capital", "--amount": "USD 20m"})
    assert run(*joined).exit_code == 0
    listed = json.loads(run("rounds", "list", "--startup", "Huami", "-f", "json").stdout)
    series_c = [r for r in listed if r["round"] == "Series C"]
    assert len(series_c) == 1 and series_c[0]["participants"] == 2


def test_one_parser_one_limit(run: Run, seeded: Path, tmp_path: Path) -> None:
    long_round = "r" * 101
    before = dump(seeded)
    one_error_line(run(*with_options(MIDEA, {"--round": long_round})), "--round", "100")
    file = write(
        tmp_path / "r.csv",
        f"investor,startup,date,round\nXiaomi,Midea Group,2015,{long_round}\n",
    )
    result = run("import", str(file))
    assert result.exit_code == 2
    assert f"{file}:2: round: has more than 100 characters" in result.stderr
    assert dump(seeded) == before


# -- one stake per deal ----------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
def test_add_stake_refuses_the_same_deal_and_names_it(run: Run) -> None:
    first = run(*MIDEA)
    assert first.exit_code == 1
    line = one_error_line(first, "stake 1", "--allow-duplicate")
    assert "already records this deal" in line
    coarser = with_options(MIDEA, {"--date": "2014-12", "--percent": None, "--source": None})
    one_error_line(run(*coarser), "stake 1")
    again = run(*MIDEA, "--allow-duplicate", "-f", "json")
    assert again.exit_code == 0 and json.loads(again.stdout)["stake"]["id"] > 32


def test_an_edited_seed_stake_is_not_seeded_again(run: Run, seeded: Path) -> None:
    assert run("stakes", "edit", "1", "--percent", "1.288").exit_code == 0
    count = query(seeded, "SELECT COUNT(*) FROM stake")
    again = run("init", "--seed")
    assert again.exit_code == 0 and "0 stakes added" in again.stderr
    assert query(seeded, "SELECT COUNT(*) FROM stake") == count
    assert query(seeded, "SELECT percent_micro FROM stake WHERE id = 1") == [(1288000,)]


def test_the_same_deal_less_precise_is_matched_and_filled_in(
    run: Run, tmp_path: Path, isolated: Path
) -> None:
    precise = write(
        tmp_path / "a.csv",
        "investor,startup,sector,date,round_total,currency\n"
        "Accel,Acme,iot,2013-06-12,10000000,USD\n"
        "Accel,Zeta,iot,2013-02,,\n",
    )
    imported(run, str(precise))
    coarse = write(
        tmp_path / "b.csv",
        "investor,startup,date,round_total,currency,round,source,amount\n"
        "Accel,Acme,2013,10000000,USD,a,https://example.com/acme,\n"
        "Accel,Zeta,2013,,,,,USD 2m\n"
        "Accel,Acme,2013,,,b,,\n",
    )
    data = imported(run, str(coarse))
    # Acme: the same round and deal, now named and sourced; Zeta: its amount disclosed;
    # Acme's round b is another round, so another deal
    assert (data["matched"], data["stakes_added"], data["already_present"]) == (2, 1, 0)
    rows = query(
        isolated,
        "SELECT c.name, s.date, s.date_precision, s.amount_minor, s.source, r.name "
        "FROM stake s JOIN company c ON c.id = s.company_id "
        "LEFT JOIN funding_round r ON r.id = s.round_id ORDER BY s.id",
    )
    assert rows[:2] == [
        ("Acme", "2013-06-12", "day", None, "https://example.com/acme", "a"),
        ("Zeta", "2013-02-01", "month", 200000000, None, None),
    ]
    assert rows[2][0] == "Acme" and rows[2][5] == "b"
    conflicting = write(
        tmp_path / "c.csv",
        "investor,startup,date,source\nAccel,Zeta,2013-02,https://example.com/other\n",
    )
    result = run("import", str(conflicting), "--json")
    assert json.loads(result.stdout)["matched"] == 1  # it brought a source
    assert query(isolated, "SELECT source FROM stake WHERE id = 2") == [
        ("https://example.com/other",)
    ]
    clash = write(
        tmp_path / "d.csv",
        "investor,startup,date,source\nAccel,Zeta,2013,https://example.com/third\n",
    )
    result = run("import", str(clash), "--json")
    assert json.loads(result.stdout)["conflicts"] == [
        f"{clash}:2: stake 2: source: kept 'https://example.com/other', "
        "the file says 'https://example.com/third'"
    ]
    # undo puts the stored stake back as it was
    assert run("undo").exit_code == 0


# -- one company per company ---------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
def test_other_spellings_resolve_and_look_alikes_are_listed(run: Run, tmp_path: Path) -> None:
    file = write(
        tmp_path / "n.csv",
        "investor,startup,sector,date\n"
        "Xiaomi Corp,Midea Group Co. Ltd.,home/appliances,2016\n"
        "XIAOMI,Roborock Inc,iot,2016\n"
        "Xiaomi,Smart Mi,iot,2016\n"
        "Xiaomi,Roborok Technology,iot,2017\n",
    )
    table = run("import", str(file), "--dry-run")
    assert "ecoport companies merge 'Roborok Technology' --into Roborock" in table.stdout
    data = imported(run, str(file))
    assert data["companies_created"] == 1 and data["companies_resolved"] >= 4
    dupes = data["possible_duplicates"]
    assert [(d["name"], d["like"]) for d in dupes] == [("Roborok Technology", "Roborock")]  # type: ignore[union-attr]
    assert dupes[0]["score"] > 80  # type: ignore[index]
    progress = json.loads(run("progress", "-f", "json").stdout)["investors"][0]
    assert progress["companies"] == 16  # 15 + Roborok Technology, until it is merged
    merged = run("companies", "merge", "Roborok Technology", "--into", "Roborock")
    assert merged.exit_code == 0, merged.stderr
    assert json.loads(run("progress", "-f", "json").stdout)["investors"][0]["companies"] == 15
    # the old name is an alias now, so the file imports without a new company
    assert imported(run, str(file))["companies_created"] == 0


def test_company_commands(run: Run, seeded: Path) -> None:
    renamed = run("companies", "rename", "Zimi", "Zimi Technology")
    assert renamed.exit_code == 0, renamed.stderr
    shown = json.loads(run("companies", "show", "Zimi", "-f", "json").stdout)
    assert shown["name"] == "Zimi Technology" and "Zimi" in shown["aliases"]
    assert run("companies", "alias", "add", "Zimi Technology", "紫米科技").exit_code == 0
    shown = json.loads(run("companies", "show", "紫米科技", "-f", "json").stdout)
    assert "紫米科技" in shown["aliases"]
    assert run("companies", "alias", "remove", "紫米科技").exit_code == 0
    edited = run("companies", "edit", "Zimi", "--sector", "IoT/Power Banks", "--note", "mobile")
    assert edited.exit_code == 0, edited.stderr
    assert query(seeded, "SELECT sector, note FROM company WHERE name = 'Zimi Technology'") == [
        ("iot/power-banks", "mobile")
    ]
    assert run(*with_options(MIDEA, {"--startup": "Acme", "--sector": "iot"})).exit_code == 0
    assert run("stakes", "remove", "33", "--yes").exit_code == 0
    assert run("companies", "remove", "Acme").exit_code == 0
    assert query(seeded, "SELECT COUNT(*) FROM company WHERE name = 'Acme'") == [(0,)]


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("companies", "merge", "Xiaomi", "--into", "小米"), ("--into", "one company already")),
        (("companies", "merge", "Ninebot", "--into", "Segway"), ("--into", "in itself")),
        (("companies", "rename", "Zimi", "Xiaomi Inc."), ("NEW", "merge")),
        (("companies", "alias", "add", "Zimi", "Midea"), ("ALIAS", "another company")),
        (("companies", "rename", "Zimi", "Zi\x07mi"), ("NEW", "control character")),
        (("companies", "alias", "add", "Zimi", " "), ("ALIAS", "cannot be empty")),
        (("companies", "remove", "Zimi"), ("NAME", "stake")),
        (("companies", "alias", "remove", "Nobody"), ("ALIAS", "not an alias")),
        (("companies", "merge", "Nobody", "--into", "Zimi"), ("SOURCE", "no company")),
    ],
)
def test_company_commands_refuse_bad_input(
    run: Run, seeded: Path, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    before = dump(seeded)
    one_error_line(run(*args), *needles)
    assert dump(seeded) == before


def test_merge_is_audited_and_undone(run: Run, seeded: Path) -> None:
    assert run(*with_options(MIDEA, {"--investor": "Xiaomii", "--new-company": ""})).exit_code
    added = run(*with_options(MIDEA, {"--investor": "Xiaomii"}), "--new-company")
    assert added.exit_code == 0, added.stderr
    before = dump(seeded)
    merged = run("companies", "merge", "Xiaomii", "--into", "Xiaomi")
    assert merged.exit_code == 0, merged.stderr
    assert query(seeded, "SELECT COUNT(*) FROM company WHERE name = 'Xiaomii'") == [(0,)]
    undone = run("undo")
    assert undone.exit_code == 0, undone.stderr

    def content(lines: list[str]) -> list[str]:
        return [x for x in lines if "change" not in x and "sqlite_sequence" not in x]

    assert content(dump(seeded)) == content(before)


# -- real files as they come -----------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
def test_messy_files(run: Run, tmp_path: Path, isolated: Path) -> None:
    excel = write(
        tmp_path / "excel.csv",
        "SNo,Date,StartupName,InvestorsName,AmountInUSD,\n"
        '1,01/08/2017,TouchKin,"Kae Capital, Accel Partners and Tiger Global","13,00,000",\n'
        ",,,,,\n"
        "2,02/08/2017,Ethinos,Triton Investment Advisors,—,\n"
        "3,03/08/2017,Zepo,Kunal Shah,nan,\n"
        "4,04/08/2017,Paytm,Alibaba,\u20b940000000,\n",
    )
    data = imported(
        run,
        str(excel),
        "--map",
        "StartupName=startup",
        "--map",
        "InvestorsName=investor",
        "--map",
        "Date=date",
        "--map",
        "AmountInUSD=round_total",
        "--map",
        "SNo=ref",
        "--dayfirst",
        "--currency",
        "USD",
        "--split-investors",
        ",",
        "--set",
        "sector=consumer-internet",
    )
    assert (data["rows_read"], data["rows_skipped"], data["records"]) == (4, 1, 6)
    assert (data["stakes_added"], data["rejected"]) == (6, 0)
    totals = dict(query(isolated, "SELECT currency, total_minor FROM funding_round"))
    assert totals == {"USD": 130000000, "INR": 4000000000, None: None} or totals == {
        "USD": 130000000,
        "INR": 4000000000,
    }
    touchkin = query(
        isolated,
        "SELECT COUNT(DISTINCT s.round_id), COUNT(*) FROM stake s "
        "JOIN company c ON c.id = s.company_id WHERE c.name = 'TouchKin'",
    )
    assert touchkin == [(1, 3)]
    utf16 = write(
        tmp_path / "u16.csv",
        "investor,startup,sector,date\nXiaomi,Ünicorn,iot,2019\n",
        encoding="utf-16",
    )
    assert imported(run, str(utf16), "--encoding", "utf-16")["stakes_added"] == 1
    acquisitions = write(tmp_path / "acq.csv", "acquirer,company,sector\nXiaomi,Zimi,x\n")
    data = imported(
        run,
        str(acquisitions),
        "--map",
        "acquirer=investor",
        "--map",
        "company=startup",
        "--set",
        "date=2015-04",
        "--set",
        "kind=acquisition",
    )
    assert (data["stakes_added"], data["sector_conflicts"]) == (1, 1)


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("--set", "colour=red"), ("--set", "not a field")),
        (("--set", "date"), ("--set", "FIELD=VALUE")),
        (("--split-investors", ""), ("--split-investors", "empty")),
        (("--sector-conflict", "merge"), ("--sector-conflict",)),
    ],
)
def test_import_options_refuse_bad_values(
    run: Run, seeded: Path, tmp_path: Path, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    file = write(tmp_path / "x.csv", "investor,startup,date\nXiaomi,Zimi,2019\n")
    before = dump(seeded)
    result = run("import", str(file), *args)
    assert result.exit_code == 2
    one_error_line(result, *needles)
    assert dump(seeded) == before


def test_skip_with_every_row_rejected_fails(run: Run, tmp_path: Path) -> None:
    file = write(tmp_path / "x.csv", "investor,startup,date\nXiaomi,,2019\n,Zimi,2019\n")
    result = run("import", str(file), "--on-error", "skip")
    assert result.exit_code == 1 and "2 rows rejected" in result.stderr


REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
INDIAN = REFERENCE / "indian-startup-funding" / "startup_funding_2015-2017.csv"


@pytest.mark.skipif(not INDIAN.exists(), reason="../shared/reference is not present")
def test_indian_startup_funding_with_a_mapping_from_the_readme(run: Run, tmp_path: Path) -> None:
    """A public dataset (Kaggle, via Sushanth-S-Rao/EDA-of-Startup-Funding)."""
    mapping = write(
        tmp_path / "indian.yaml",
        "map:\n"
        "  SNo: ref\n"
        "  Date: date\n"
        "  StartupName: startup\n"
        "  IndustryVertical: sector\n"
        "  InvestorsName: investor\n"
        "  InvestmentType: round\n"
        "  AmountInUSD: round_total\n"
        "  Remarks: note\n"
        "currency: USD\n"
        "dayfirst: true\n"
        "split_investors: ','\n",
    )
    rejects = tmp_path / "rejects.csv"
    result = run(
        "import",
        str(INDIAN),
        "--mapping",
        str(mapping),
        "--on-error",
        "skip",
        "--rejects",
        str(rejects),
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rows_read"] == 2372
    assert data["rows_rejected"] < 0.02 * data["rows_read"]
    assert data["records"] > data["rows_read"]  # several investors in one cell
    import csv

    with rejects.open(encoding="utf-8", newline="") as fh:
        reasons = [row["ecoport_error"] for row in csv.DictReader(fh)]
    assert len(reasons) == data["rows_rejected"]
    # no valid row lost to a sector label or to an undisclosed amount
    assert not [r for r in reasons if "sector" in r or "AmountInUSD" in r], reasons[:5]
    assert data["sector_conflicts"] > 0


def test_stakes_edit_rounds_refs_and_the_one_parser(run: Run, seeded: Path) -> None:
    # Misfit's Series C: stakes 7-10 share round 5 (USD 40m)
    shown = json.loads(run("stakes", "show", "8", "-f", "json").stdout)
    assert (shown["round"], shown["round_total"], shown["round_currency"]) == (
        "C",
        "40000000.00",
        "USD",
    )
    table = run("stakes", "show", "8").stdout
    assert "USD 40,000,000.00" in table
    # an amount without a currency is in the stake's own (here none: the round's is not it)
    before = dump(seeded)
    one_error_line(run("stakes", "edit", "8", "--amount", "5m"), "--amount", "no currency")
    one_error_line(run("stakes", "edit", "8", "--amount", "USD 50m"), "--round-total", "less")
    one_error_line(run("stakes", "edit", "8", "--round", "r" * 101), "--round", "100")
    one_error_line(run("stakes", "edit", "8", "--clear", "sector"), "--clear", "cannot clear")
    assert dump(seeded) == before
    assert run("stakes", "edit", "8", "--amount", "USD 5m", "--ref", "misfit-xiaomi").exit_code == 0
    edited = json.loads(run("stakes", "show", "8", "-f", "json").stdout)
    assert (edited["amount"], edited["ref"], edited["round_id"]) == (
        "5000000.00",
        "misfit-xiaomi",
        shown["round_id"],
    )
    # another round: the stake moves to a round of that name, recorded on its date
    assert run("stakes", "edit", "8", "--round", "C-2", "--round-total", "USD 9m").exit_code == 0
    moved = json.loads(run("stakes", "show", "8", "-f", "json").stdout)
    assert moved["round"] == "C-2" and moved["round_id"] != shown["round_id"]
    assert moved["round_total"] == "9000000.00"
    assert run("stakes", "edit", "8", "--clear", "round").exit_code == 0
    assert json.loads(run("stakes", "show", "8", "-f", "json").stdout)["round_id"] is None
    taken = run("add-stake", *MIDEA[1:], "--ref", "misfit-xiaomi", "--allow-duplicate")
    one_error_line(taken, "--ref", "stake 8")


@pytest.mark.usefixtures("seeded")
def test_a_stake_moved_to_another_startup_leaves_its_round(run: Run) -> None:
    assert run("stakes", "edit", "8", "--startup", "Huami").exit_code == 0
    moved = json.loads(run("stakes", "show", "8", "-f", "json").stdout)
    assert moved["startup"] == "Huami" and moved["round"] == "C"
    assert moved["round_total"] is None  # Misfit's USD 40m stays Misfit's
    check = run("db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr
    misfit = json.loads(run("rounds", "list", "--startup", "Misfit Wearables", "-f", "json").stdout)
    assert [(r["total"], r["participants"]) for r in misfit] == [("40000000.00", 3)]


@pytest.mark.usefixtures("seeded")
def test_one_round_stays_one_round(run: Run, tmp_path: Path) -> None:
    misfit = ["--startup", "Misfit Wearables", "--date", "2014-12-02", "--round", "C"]
    clash = run("add-stake", "--investor", "Kingsoft", *misfit, "--round-total", "USD 30m")
    one_error_line(clash, "--round-total", "round 5", "USD 40,000,000.00")
    file = write(
        tmp_path / "c.csv",
        "investor,startup,date,round,round_total,amount\n"
        "Kingsoft,Misfit Wearables,2014-12-02,C,USD 30m,\n"
        "IDG Capital,Misfit Wearables,2014-12-02,C,,USD 50m\n",
    )
    result = run("import", str(file), "--on-error", "skip", "--json")
    data = json.loads(result.stdout)
    assert data["conflicts"] == [
        f"{file}:2: round 5: round_total: kept USD 40,000,000.00, the file says USD 30,000,000.00"
    ]
    assert "USD 50,000,000.00 is more than the round's whole total (USD 40,000,000.00)" in (
        result.stderr
    )
    rounds = json.loads(run("rounds", "list", "--startup", "Misfit", "-f", "json").stdout)
    assert [(r["id"], r["total"], r["participants"]) for r in rounds] == [(5, "40000000.00", 5)]
    # the same round recorded under a duplicate company folds into the kept one on merge
    dupe = ["--startup", "Misfit Labs", "--sector", "iot/wearables", "--new-company"]
    added = run(
        "add-stake",
        "--investor",
        "IDG Capital",
        *dupe,
        "--date",
        "2014-12",
        "--round",
        "C",
        "--round-total",
        "USD 40m",
    )
    assert added.exit_code == 0, added.stderr
    assert run("companies", "merge", "Misfit Labs", "--into", "Misfit Wearables").exit_code == 0
    rounds = json.loads(run("rounds", "list", "--startup", "Misfit", "-f", "json").stdout)
    assert [(r["id"], r["total"], r["participants"]) for r in rounds] == [(5, "40000000.00", 6)]
    # a round's figures are edited through any of its stakes: one round, new total
    assert run("stakes", "edit", "8", "--round-total", "USD 41m").exit_code == 0
    rounds = json.loads(run("rounds", "list", "--startup", "Misfit", "-f", "json").stdout)
    assert [(r["id"], r["total"]) for r in rounds] == [(5, "41000000.00")]


@pytest.mark.usefixtures("seeded")
def test_stakes_edit_currency_alone_relabels_the_amount(run: Run) -> None:
    # 21Vianet: Xiaomi's USD 50m, entered in the wrong currency and put right
    assert run("stakes", "edit", "5", "--currency", "EUR").exit_code == 0
    stake = json.loads(run("stakes", "show", "5", "-f", "json").stdout)
    assert (stake["amount"], stake["currency"]) == ("50000000.00", "EUR")
    one_error_line(run("stakes", "edit", "5", "--currency", "XYZ"), "--currency")
    one_error_line(run("stakes", "edit", "2", "--currency", "USD"), "--currency", "no amount")
