"""ecoport import and export, as a user runs them: every row accounted for, bad files
refused with file:line and nothing written, exports that import back identically."""

import json
from pathlib import Path

import pytest

from ecoport.core.dates import Precision, parse_date
from ecoport.errors import InvalidInput
from ecoport.services.sources import Mapping, open_source, parse_map
from tests.conftest import Run, dump, query

BOTH_BACKENDS = True

HEADER = "investor,startup,sector,date,amount,currency,percent,round\n"
GOOD = (
    "Xiaomi,Midea Group,home/appliances,2014-12-14,1266000000,CNY,1.29,strategic\n"
    "Xiaomi,Huami,iot/wearables,2013,N/A,,,A\n"
    "Shunwei Capital,Huami,iot/wearables,2014-07,undisclosed,,,B\n"
)
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def stakes(db: Path) -> list[tuple[object, ...]]:
    return query(
        db,
        "SELECT i.name, c.name, c.sector, s.date, s.date_precision, s.amount_minor, "
        "s.currency, s.percent_micro, r.name FROM stake s "
        "JOIN company i ON i.id = s.investor_id JOIN company c ON c.id = s.company_id "
        "LEFT JOIN funding_round r ON r.id = s.round_id "
        "ORDER BY s.id",
    )


def summary(result: object) -> dict[str, int]:
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    data: dict[str, int] = json.loads(result.stdout)  # type: ignore[attr-defined]
    accounted = data["stakes_added"] + data["matched"] + data["already_present"] + data["rejected"]
    assert accounted == data["records"]
    return data


def test_import_csv_then_again_adds_nothing(run: Run, tmp_path: Path, isolated: Path) -> None:
    file = write(tmp_path / "stakes.csv", HEADER + GOOD)
    first = summary(run("import", str(file), "--json"))
    assert (first["rows_read"], first["stakes_added"], first["companies_created"]) == (3, 3, 4)
    assert stakes(isolated) == [
        (
            "Xiaomi",
            "Midea Group",
            "home/appliances",
            "2014-12-14",
            "day",
            126600000000,
            "CNY",
            1290000,
            "strategic",
        ),
        ("Xiaomi", "Huami", "iot/wearables", "2013-01-01", "year", None, None, None, "A"),
        ("Shunwei Capital", "Huami", "iot/wearables", "2014-07-01", "month", None, None, None, "B"),
    ]
    before = dump(isolated)
    again = summary(run("import", str(file), "--json"))
    assert (again["stakes_added"], again["already_present"], again["companies_created"]) == (
        0,
        3,
        0,
    )
    assert dump(isolated) == before


def test_table_summary_counts_every_row(run: Run, tmp_path: Path) -> None:
    file = write(tmp_path / "s.csv", HEADER + GOOD + GOOD.splitlines()[0] + "\n")
    result = run("import", str(file))
    assert result.exit_code == 0, result.stderr
    assert "4 rows read" in result.stdout
    assert "stakes added                  3" in result.stdout
    assert "1 repeat an earlier record of the file" in result.stdout


def test_same_investor_two_rounds_in_a_year_are_two_stakes(run: Run, tmp_path: Path) -> None:
    file = write(
        tmp_path / "r.csv",
        "investor,startup,date,round\nAccel,Flock,2005,a\nAccel,Flock,2005,b\nAccel,Flock,2005,a\n",
    )
    data = summary(run("import", str(file), "--json"))
    assert (data["stakes_added"], data["already_present"]) == (2, 1)


def test_map_mapping_file_and_columns(run: Run, tmp_path: Path, isolated: Path) -> None:
    mapped = write(
        tmp_path / "cb.csv",
        "company_name,investor_name,funded_when,amount_usd\nDigg,Greylock Partners,2006-12-01,"
        "8500000\n",
    )
    data = summary(
        run(
            "import",
            str(mapped),
            "--json",
            "--currency",
            "USD",
            "--map",
            "company_name=startup",
            "--map",
            "investor_name=investor",
            "--map",
            "funded_when=date",
            "--map",
            "amount_usd=amount",
        )
    )
    assert data["stakes_added"] == 1
    headerless = write(tmp_path / "tc.csv", "Facebook,2005.0,12700000.0,USD,a,Accel Partners\n")
    data = summary(
        run("import", str(headerless), "--json", "--mapping", "techcrunch-2013-investments")
    )
    assert data["stakes_added"] == 1
    own = write(tmp_path / "m.yaml", "map: {name: startup, who: investor, when: date}\n")
    third = write(tmp_path / "x.csv", "name,who,when\nSegway,Ninebot,2015-04\n")
    assert summary(run("import", str(third), "--json", "--mapping", str(own)))["stakes_added"] == 1
    assert [s[:2] for s in stakes(isolated)] == [
        ("Greylock Partners", "Digg"),
        ("Accel Partners", "Facebook"),
        ("Ninebot", "Segway"),
    ]
    # the techcrunch mapping reads the amount as the round's total, not Accel's cheque
    assert stakes(isolated)[1][3:9] == ("2005-01-01", "year", None, None, None, "a")
    assert query(isolated, "SELECT name, total_minor, currency FROM funding_round") == [
        ("a", 1270000000, "USD")
    ]


def test_investor_option_fills_a_file_without_investors(run: Run, tmp_path: Path) -> None:
    file = write(tmp_path / "x.csv", "startup,date,amount\nSmartmi,2014-12,CNY 20m\n")
    data = summary(run("import", str(file), "--json", "--investor", "Xiaomi"))
    assert data["stakes_added"] == 1


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("startup,date\nAcme,2014\n", ":1: no column gives 'investor'"),
        ("investor,startup\nX,Acme\n", ":1: no column gives 'date'"),
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
    ],
)
def test_unusable_files_are_refused(
    run: Run, tmp_path: Path, isolated: Path, content: str, needle: str
) -> None:
    run("init")
    before = dump(isolated)
    file = write(tmp_path / "bad.csv", content)
    result = run("import", str(file))
    assert result.exit_code == 2
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert dump(isolated) == before


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("book.xlsx", b"PK\x03\x04" + b"\x00" * 40, "spreadsheet workbook"),
        ("blob.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary data"),
        ("list.json", b'[{"investor": "X", "startup": "Y", "date": "2014"},', "not valid JSON"),
        ("seed.yaml", b"stakes:\n  - investor: [unclosed\n", "not valid YAML"),
    ],
)
def test_files_that_are_not_csv_json_or_yaml(
    run: Run, tmp_path: Path, isolated: Path, name: str, data: bytes, needle: str
) -> None:
    run("init")
    before = dump(isolated)
    file = tmp_path / name
    file.write_bytes(data)
    result = run("import", str(file))
    assert result.exit_code == 2 and needle in result.stderr, result.stderr
    assert dump(isolated) == before


def test_unknown_column_warns_and_imports(run: Run, tmp_path: Path) -> None:
    file = write(tmp_path / "x.csv", "investor,startup,date,colour\nX,Acme,2014,blue\n")
    result = run("import", str(file), "--json")
    assert summary(result)["stakes_added"] == 1
    assert f"{file}:1: column 'colour' is not a field of ecoport" in result.stderr


def test_every_bad_row_reported_and_nothing_written(
    run: Run, tmp_path: Path, isolated: Path
) -> None:
    run("init", "--seed")
    before = dump(isolated)
    file = write(
        tmp_path / "bad.csv",
        HEADER
        + 'Xiaomi,Acme,iot,2014,"14,342,000+",USD,,\n'  # line 2
        + 'Xiaomi,Acme,iot,2014,"61,5",USD,,\n'  # line 3
        + "Xiaomi,Acme,iot,05/072018,1000,USD,,\n"  # line 4
        + "Xiaomi,Acme,iot,1201-11-03,1000,USD,,\n"  # line 5
        + "Xiaomi,Acme,iot,2014,1000,USD,140,\n"  # line 6
        + "Xiaomi,Acme,iot,2014,1000,USD,1,A,extra\n"  # line 7
        + "Xiaomi,Acme,iot,2014,1000,USD,1,A\n",  # line 8: good
    )
    result = run("import", str(file))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"ecoport: error: {file}: 6 of 7 rows have problems; nothing was imported"
    expected = [
        f"{file}:2: amount: '14,342,000+' is not an amount",
        f"{file}:3: amount: '61,5' looks like a decimal comma",
        f"{file}:4: date: '05/072018' is not a date",
        f"{file}:5: date: 1201-11-03 is before 1800",
        f"{file}:6: percent: must be greater than 0 and at most 100 (got 140)",
        f"{file}:7: has 9 fields, the header has 8",
    ]
    for line, want in zip(lines[1:], expected, strict=True):
        assert line.strip().startswith(want), (line, want)
    assert dump(isolated) == before


def test_skip_imports_good_rows_and_writes_rejects_to_fix(
    run: Run, tmp_path: Path, isolated: Path
) -> None:
    file = write(
        tmp_path / "mixed.csv",
        HEADER + GOOD + "Xiaomi,Acme,iot,2014-13,1000,USD,,\nXiaomi,,iot,2014,,,,\n",
    )
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(file), "--on-error", "skip", "--rejects", str(rejects), "--json")
    data = summary(result)
    assert (data["stakes_added"], data["rejected"]) == (3, 2)
    assert "2 rows rejected; every one is in" in result.stderr
    text = rejects.read_text(encoding="utf-8").splitlines()
    assert text[0] == HEADER.strip() + ",ecoport_line,ecoport_error"
    assert text[1].startswith("Xiaomi,Acme,iot,2014-13,1000,USD,,,5,date: '2014-13' is not a valid")
    assert text[2].endswith(",6,startup: is required")
    # fix the rows in the rejects file and import it again with the same options
    fixed = (
        rejects.read_text(encoding="utf-8")
        .replace("2014-13", "2014-12")
        .replace("Xiaomi,,iot", "Xiaomi,Acme,iot")
    )
    write(rejects, fixed)
    again = summary(run("import", str(rejects), "--json"))
    # Acme's 2014 row, amount undisclosed, is the same deal as its 2014-12 row: one stake
    assert (again["stakes_added"], again["already_present"], again["rejected"]) == (1, 1, 0)
    assert len(stakes(isolated)) == 4


def test_dry_run_counts_and_writes_nothing(run: Run, tmp_path: Path, isolated: Path) -> None:
    run("init")
    before = dump(isolated)
    file = write(tmp_path / "s.csv", HEADER + GOOD)
    result = run("import", str(file), "--dry-run")
    assert result.exit_code == 0
    assert "Would import" in result.stdout and "Dry run: nothing was written." in result.stdout
    assert dump(isolated) == before


@pytest.mark.parametrize(
    ("text", "encoding", "options"),
    [
        (HEADER + GOOD, "utf-8-sig", []),  # UTF-8 with a byte order mark
        ((HEADER + GOOD).replace("\n", "\r\n"), "utf-8", []),
        ((HEADER + GOOD).replace("\n", "\r"), "utf-8", []),  # old Mac line endings
        ((HEADER + GOOD).replace(",", ";"), "utf-8", []),  # sniffed delimiter
        ((HEADER + GOOD).replace(",", "|"), "utf-8", ["--delimiter", "|"]),
        ((HEADER + GOOD).replace("Huami", "Hu\u00e9mi"), "cp1252", ["--encoding", "cp1252"]),
        ((HEADER + GOOD).replace("Huami", "Hu\u00e9mi"), "mac_roman", ["--encoding", "mac_roman"]),
    ],
)
def test_encodings_delimiters_and_line_endings(
    run: Run, tmp_path: Path, isolated: Path, text: str, encoding: str, options: list[str]
) -> None:
    file = write(tmp_path / "s.csv", text, encoding)
    assert summary(run("import", str(file), "--json", *options))["stakes_added"] == 3
    names = {s[1] for s in stakes(isolated)}
    assert names == {"Midea Group", "Huami"} or names == {"Midea Group", "Hu\u00e9mi"}


def test_wrong_encoding_names_the_byte_and_suggests_encoding(
    run: Run, tmp_path: Path, isolated: Path
) -> None:
    run("init")
    before = dump(isolated)
    file = write(tmp_path / "s.csv", HEADER + "Xiaomi,Caf\u00e9 Inc,iot,2014,,,,\n", "cp1252")
    result = run("import", str(file))
    assert result.exit_code == 2
    assert f"{file}:2: byte 0xe9 is not valid" in result.stderr
    assert "--encoding" in result.stderr
    assert dump(isolated) == before


def test_dates_as_years_floats_and_day_first(run: Run, tmp_path: Path, isolated: Path) -> None:
    file = write(
        tmp_path / "d.csv",
        "investor,startup,date\nX,A,2013.0\nX,B,2013-05\nX,C,05/07/2018\n",
    )
    ambiguous = run("import", str(file))
    assert ambiguous.exit_code == 2 and "--dayfirst" in ambiguous.stderr
    summary(run("import", str(file), "--json", "--dayfirst"))
    assert [s[3:5] for s in stakes(isolated)] == [
        ("2013-01-01", "year"),
        ("2013-05-01", "month"),
        ("2018-07-05", "day"),
    ]


def test_undisclosed_words(run: Run, tmp_path: Path, isolated: Path) -> None:
    rows = "".join(
        f"X,S{i},2014,{word},USD,{word}\n"
        for i, word in enumerate(["N/A", "undisclosed", "unknown", "-", ""])
    )
    file = write(tmp_path / "u.csv", "investor,startup,date,amount,currency,percent\n" + rows)
    assert summary(run("import", str(file), "--json"))["stakes_added"] == 5
    assert {s[5:8] for s in stakes(isolated)} == {(None, None, None)}


def test_sector_that_contradicts_the_stored_one_keeps_updates_or_rejects(
    run: Run, tmp_path: Path, seeded: Path
) -> None:
    file = write(tmp_path / "s.csv", "investor,startup,sector,date\nXiaomi,Huami,media,2015\n")
    result = run("import", str(file), "--on-error", "skip", "--sector-conflict", "reject", "--json")
    # every record rejected: the summary is printed, and the exit code says it failed
    assert result.exit_code == 1 and json.loads(result.stdout)["rejected"] == 1
    assert "sector: Huami is in sector iot/wearables, not media" in result.stderr
    kept = summary(run("import", str(file), "--json"))  # default: keep the stored sector
    assert (kept["stakes_added"], kept["sector_conflicts"]) == (1, 1)
    assert query(seeded, "SELECT sector FROM company WHERE name = 'Huami'") == [("iot/wearables",)]
    other = write(tmp_path / "t.csv", "investor,startup,sector,date\nXiaomi,Huami,media,2016\n")
    moved = summary(run("import", str(other), "--sector-conflict", "update", "--json"))
    assert (moved["stakes_added"], moved["sector_conflicts"]) == (1, 1)
    assert query(seeded, "SELECT sector FROM company WHERE name = 'Huami'") == [("media",)]


def test_json_list_and_yaml_with_lines(run: Run, tmp_path: Path, isolated: Path) -> None:
    listing = [
        {"investor": "Xiaomi", "startup": "Zimi", "sector": "iot/accessories", "date": "2014"},
        {"investor": "Xiaomi", "startup": "Zimi", "date": "2014-13"},
    ]
    file = write(tmp_path / "l.json", json.dumps(listing, indent=2))
    result = run("import", str(file))
    assert result.exit_code == 2
    assert f"{file}:8: date: '2014-13' is not a valid date" in result.stderr
    yaml_file = write(
        tmp_path / "s.yaml",
        "- investor: Xiaomi\n  startup: Zimi\n  date: 2014-12-01\n  amount: 25000000\n"
        "  currency: USD\n",
    )
    assert summary(run("import", str(yaml_file), "--json"))["stakes_added"] == 1
    assert stakes(isolated)[0][3:7] == ("2014-12-01", "day", 2500000000, "USD")


@pytest.mark.parametrize("fmt", ["csv", "json", "yaml"])
def test_export_import_export_is_identical(
    run: Run, tmp_path: Path, seeded: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run("export", "--format", fmt)
    assert first.exit_code == 0, first.stderr
    assert first.stdout.count("Midea Group") >= 1
    exported = write(tmp_path / f"export.{fmt}", first.stdout)
    monkeypatch.setenv("ECOPORT_DB", str(tmp_path / "empty.db"))
    data = summary(run("import", str(exported), "--json"))
    assert data["stakes_added"] == 32 and data["rejected"] == 0
    second = run("export", "--format", fmt)
    assert second.stdout == first.stdout
    del seeded


def test_export_filters_and_output_file(run: Run, tmp_path: Path, seeded: Path) -> None:
    out = tmp_path / "iot.csv"
    result = run("export", "--sector", "iot", "-o", str(out))
    assert result.exit_code == 0 and "stakes to" in result.stderr
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == (
        "investor,startup,sector,kind,date,amount,currency,percent,round,source,note,"
        "round_total,valuation,ref"
    )
    assert len(rows) > 1 and all(",iot/" in r for r in rows[1:])
    ninebot = run("export", "--investor", "Ninebot", "--format", "json")
    data = json.loads(ninebot.stdout)
    assert [(s["investor"], s["startup"]) for s in data["stakes"]] == [("Ninebot", "Segway")]
    assert {c["name"] for c in data["companies"]} == {"Ninebot", "Segway"}
    bad = run("export", "--investor", "Nobody")
    assert bad.exit_code != 0 and "no company named 'Nobody'" in bad.stderr
    del seeded


def test_interrupted_import_leaves_the_database_as_it_was(
    tmp_path: Path, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in the middle: the one transaction is rolled back."""
    from ecoport.services import importing

    before = dump(seeded)
    rows = "".join(f"Xiaomi,Startup {i},iot,2014,{i + 1}000,USD,,\n" for i in range(20_000))
    file = write(tmp_path / "big.csv", HEADER + rows)
    monkeypatch.setattr(importing, "BATCH", 1000)  # rows are written before the interrupt

    def interrupt(_done: int) -> None:
        raise KeyboardInterrupt

    source = open_source(file, Mapping())
    from ecoport.store.db import locate, writing

    with pytest.raises(KeyboardInterrupt), writing(locate()) as session:
        importing.import_source(session=session, source=source, progress=interrupt)
    assert dump(seeded) == before


def test_parse_map_and_dates() -> None:
    assert parse_map(["Company Name=startup", "when=DATE"]) == {
        "company name": "startup",
        "when": "date",
    }
    with pytest.raises(InvalidInput, match="not a field of ecoport"):
        parse_map(["x=colour"])
    with pytest.raises(InvalidInput, match="COLUMN=FIELD"):
        parse_map(["startup"])
    assert parse_date("2013.0").precision is Precision.YEAR
    assert str(parse_date("5.7.2018", dayfirst=False)) == "2018-05-07"
    with pytest.raises(InvalidInput, match="not a date"):
        parse_date("2013.5")


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference is not present")
@pytest.mark.parametrize(
    ("path", "mapping", "read", "reasons"),
    [
        (
            "crunchbase-2013/investments.csv",
            "crunchbase-2013-investments",
            80_245,
            {
                "funded_when (date): is required",
                "investor_name (investor): is required",
                "company_name (startup): is required",
                "cannot hold a stake in itself",
            },
        ),
        (
            "techcrunch-2013/investments.csv",
            "techcrunch-2013-investments",
            13_109,
            {"year (date): is required", "year (date): 1000 is before 1800"},
        ),
    ],
)
def test_reference_datasets_import_whole(
    run: Run,
    tmp_path: Path,
    isolated: Path,
    path: str,
    mapping: str,
    read: int,
    reasons: set[str],
) -> None:
    """Data from CrunchBase (crunchbase.com), 2013, CC-BY."""
    import csv

    rejects = tmp_path / "rejects.csv"
    result = run(
        "import",
        str(REFERENCE / path),
        "--mapping",
        mapping,
        "--on-error",
        "skip",
        "--rejects",
        str(rejects),
        "--json",
    )
    data = summary(result)
    assert data["rows_read"] == read and data["stakes_added"] > 0.99 * read
    with rejects.open(encoding="utf-8", newline="") as fh:
        rejected = list(csv.DictReader(fh))
    assert len(rejected) == data["rejected"] > 0
    for row in rejected:
        assert any(r in row["ecoport_error"] for r in reasons), row
    assert query(isolated, "SELECT COUNT(*) FROM stake") == [(data["stakes_added"],)]
    again = summary(
        run("import", str(REFERENCE / path), "--mapping", mapping, "--on-error", "skip", "--json")
    )
    assert again["stakes_added"] == 0
    assert (
        again["already_present"] == data["stakes_added"] + data["matched"] + data["already_present"]
    )
