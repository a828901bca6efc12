"""The command line, as a user runs it: exit codes, stdout, stderr, and the database after."""

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest
import typer

from ecoport.cli.app import app
from tests.conftest import Run, dump, query

BOTH_BACKENDS = True

MIDEA = [
    "add-stake",
    "--investor",
    "Xiaomi",
    "--startup",
    "Midea Group",
    "--sector",
    "home/appliances",
    "--amount",
    "1,266,000,000",
    "--currency",
    "CNY",
    "--percent",
    "1.29",
    "--date",
    "2014-12-14",
    "--source",
    "https://example.com/midea",
]


def with_options(args: list[str], changes: dict[str, str | None]) -> list[str]:
    """*args* with each option's value replaced (None: the option removed, new ones appended)."""
    out = list(args)
    for flag, value in changes.items():
        if flag not in out:
            out += [flag, ""]
        i = out.index(flag)
        if value is None:
            del out[i : i + 2]
        else:
            out[i + 1] = value
    return out


def one_error_line(result: object, *needles: str) -> str:
    """Assert the result failed with exactly one line on stderr mentioning every needle."""
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code != 0, result.stdout  # type: ignore[attr-defined]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def all_commands() -> list[tuple[str, object]]:
    root = typer.main.get_command(app)
    found = []

    def walk(prefix: str, cmd: object) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found.append((prefix, cmd))

    walk("", root)
    return found


def test_every_command_has_help_with_an_example(run: Run) -> None:
    commands = all_commands()
    assert {name for name, _ in commands} >= {
        "init",
        "add-stake",
        "progress",
        "report",
        "stakes list",
        "stakes show",
        "stakes edit",
        "stakes remove",
        "companies list",
        "companies show",
        "target set",
        "db path",
    }
    for name, _ in commands:
        result = run(*name.split(), "--help")
        assert result.exit_code == 0, name
        assert "Example:" in result.stdout and f"ecoport {name}" in result.stdout, name


def test_version_and_bare_command(run: Run) -> None:
    assert run("--version").stdout.startswith("ecoport ")
    bare = run()
    assert "add-stake" in bare.stdout + bare.stderr


@pytest.mark.sqlite_only
def test_init_seed_twice_and_db_path(run: Run, isolated: Path) -> None:
    first = run("init", "--seed")
    assert first.exit_code == 0
    assert "Created database" in first.stderr and "32 stakes added" in first.stderr
    second = run("init", "--seed")
    assert "0 stakes added, 32 already present" in second.stderr
    assert run("db", "path").stdout.strip() == str(isolated)
    other = isolated.parent / "other.db"
    assert run("--db", str(other), "db", "path").stdout.strip() == str(other)
    assert run("db", "path", "--db", str(other)).stdout.strip() == str(other)


def test_add_stake_prints_the_stake_as_stored(run: Run) -> None:
    result = run(*MIDEA)
    assert result.exit_code == 0, result.stderr
    assert "CNY 1,266,000,000.00" in result.stdout
    assert "1.29%" in result.stdout and "2014-12-14" in result.stdout
    assert "New company created: Xiaomi" in result.stderr
    assert "New company created: Midea Group" in result.stderr
    shown = json.loads(run("stakes", "show", "1", "--format", "json").stdout)
    assert shown["amount"] == "1266000000.00" and shown["currency"] == "CNY"
    assert shown["percent"] == "1.29" and shown["source"] == "https://example.com/midea"


def test_add_stake_json_output(run: Run) -> None:
    result = run(*MIDEA, "--format", "json")
    data = json.loads(result.stdout)
    assert data["created"] == ["Xiaomi", "Midea Group"]
    assert data["stake"]["startup"] == "Midea Group"


@pytest.mark.parametrize(
    "name",
    ["小米生态链", 'O\'Brien "Quoted" Ltd', "Robert'); DROP TABLE stake;--", "50% [bold]Off[/]"],
)
def test_odd_names_are_stored_and_shown_exactly(run: Run, name: str) -> None:
    result = run(
        "add-stake",
        "--investor",
        "Xiaomi",
        "--startup",
        name,
        "--sector",
        "iot",
        "--date",
        "2015",
        "--new-company",
    )
    assert result.exit_code == 0, result.stderr
    assert name in result.stdout
    listed = json.loads(run("stakes", "list", "--format", "json").stdout)["stakes"]
    assert [s["startup"] for s in listed] == [name]
    assert name in run("companies", "show", name).stdout


@pytest.mark.parametrize(
    ("change", "option"),
    [
        ({"--amount": "-5"}, "--amount"),
        ({"--amount": "0"}, "--amount"),
        ({"--amount": "abc"}, "--amount"),
        ({"--amount": "1.2e9"}, "--amount"),
        ({"--currency": None}, "--currency"),
        ({"--currency": "XYZ"}, "--currency"),
        ({"--percent": "0"}, "--percent"),
        ({"--percent": "-3"}, "--percent"),
        ({"--percent": "140"}, "--percent"),
        ({"--date": "2014-13-01"}, "--date"),
        ({"--date": "next week"}, "--date"),
        ({"--date": "2999-01-01"}, "--date"),
        ({"--startup": "Xiaomi"}, "--startup"),
        ({"--kind": "gift"}, "--kind"),
        ({"--sector": "///"}, "--sector"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    run: Run, seeded: Path, change: dict[str, str | None], option: str
) -> None:
    before = dump(seeded)
    result = run(*with_options(MIDEA, change))
    one_error_line(result, option)
    assert result.exit_code == 2
    assert dump(seeded) == before


def test_missing_required_option_is_one_line(run: Run) -> None:
    result = run("add-stake", "--investor", "Xiaomi", "--date", "2014")
    one_error_line(result, "--startup")
    assert result.exit_code == 2


def test_typo_of_an_existing_company_is_refused_with_a_suggestion(run: Run, seeded: Path) -> None:
    before = dump(seeded)
    args = [*MIDEA]
    args[args.index("Xiaomi")] = "Xiaomii"  # a typo, not another spelling
    args[args.index("Midea Group")] = "Mideaa Group"
    result = run(*args)
    line = one_error_line(result, "--investor", "'Xiaomi'", "--new-company")
    assert "Xiaomii" in line
    assert dump(seeded) == before
    created = run(*args, "--new-company")
    assert created.exit_code == 0
    assert "New company created: Mideaa Group" in created.stderr


def test_sector_conflict_and_change(run: Run, seeded: Path) -> None:
    args = ["add-stake", "--investor", "Xiaomi", "--startup", "zimi", "--date", "2022"]
    one_error_line(run(*args, "--sector", "mobility"), "--sector", "--change-sector")
    moved = run(*args, "--sector", "mobility", "--change-sector")
    assert moved.exit_code == 0 and "moved from sector iot/accessories" in moved.stderr
    del seeded


def test_stakes_list_show_edit_remove(run: Run, seeded: Path) -> None:
    listed = json.loads(run("stakes", "list", "--startup", "Midea", "--format", "json").stdout)
    (midea,) = listed["stakes"]
    sid = str(midea["id"])
    edited = run("stakes", "edit", sid, "--percent", "1.288", "--note", "Midea said 1.288%")
    assert edited.exit_code == 0, edited.stderr
    assert "1.288%" in edited.stdout
    again = json.loads(run("stakes", "show", sid, "--format", "json").stdout)
    assert again["percent"] == "1.288" and again["note"] == "Midea said 1.288%"
    assert again["amount"] == "1266000000.00"
    rewritten = run("-q", "stakes", "edit", sid, "--amount", "1.27bn")  # the stake's currency
    assert rewritten.exit_code == 0, rewritten.stderr
    assert "CNY 1,270,000,000.00" in rewritten.stdout
    dollars = json.loads(
        run("stakes", "edit", sid, "--amount", "$205m")
        and run("stakes", "show", sid, "--format", "json").stdout
    )
    assert (dollars["amount"], dollars["currency"]) == ("205000000.00", "USD")
    one_error_line(run("stakes", "edit", sid, "--amount", "61,5"), "--amount", "decimal comma")

    cleared = json.loads(
        run("stakes", "edit", sid, "--amount", "undisclosed", "--clear", "note")
        and run("stakes", "show", sid, "--format", "json").stdout
    )
    assert cleared["amount"] is None and cleared["currency"] is None and cleared["note"] is None

    before = dump(seeded)
    refused = run("stakes", "remove", sid)  # CliRunner's stdin is not a terminal
    one_error_line(refused, "--yes")
    assert dump(seeded) == before
    removed = run("stakes", "remove", sid, "--yes")
    assert removed.exit_code == 0 and "Removed stake" in removed.stderr
    one_error_line(run("stakes", "show", sid), f"no stake with ID {sid}")


@pytest.mark.parametrize(
    "args",
    [
        ("stakes", "show", "999"),
        ("stakes", "edit", "999", "--note", "x"),
        ("stakes", "remove", "999", "--yes"),
    ],
)
def test_unknown_stake_id(run: Run, seeded: Path, args: tuple[str, ...]) -> None:
    before = dump(seeded)
    result = run(*args)
    one_error_line(result, "no stake with ID 999")
    assert result.exit_code == 1
    assert dump(seeded) == before


def test_edit_refuses_bad_values_and_no_change(run: Run, seeded: Path) -> None:
    before = dump(seeded)
    one_error_line(run("stakes", "edit", "1", "--percent", "101"), "--percent")
    one_error_line(run("stakes", "edit", "1", "--date", "2014-02-30"), "--date")
    one_error_line(run("stakes", "edit", "1", "--clear", "investor"), "--clear")
    one_error_line(run("stakes", "edit", "1"), "nothing to change")
    one_error_line(run("stakes", "edit", "1", "--startup", "Xiaomi"), "itself")
    assert dump(seeded) == before


def test_companies_list_and_show(run: Run, seeded: Path) -> None:
    listed = json.loads(run("companies", "list", "--sector", "iot", "--format", "json").stdout)
    names = {c["name"] for c in listed["companies"]}
    assert {"Huami", "Zimi", "Roborock"} <= names and "Midea Group" not in names
    shown = json.loads(run("companies", "show", "Segway", "--format", "json").stdout)
    assert shown["holders"][0]["company"] == "Ninebot"
    assert shown["holders"][0]["percent"] == "100"
    assert ["Xiaomi", "Ninebot", "Segway"] in [c["path"] for c in shown["held_through"]]
    zimi = json.loads(run("companies", "show", "ZMI", "--format", "json").stdout)
    assert zimi["name"] == "Zimi" and zimi["holders"][0]["holding"] == "100%"
    table = run("companies", "show", "Xiaomi").stdout
    assert "Holds" in table and "Xiaomi → Ninebot → Segway" in table
    one_error_line(run("companies", "show", "Xiaomy"), "no company named 'Xiaomy'", "Xiaomi")
    del seeded


def test_progress_table_json_and_csv(run: Run, seeded: Path) -> None:
    table = run("progress")
    assert table.exit_code == 0, table.stderr
    assert "Xiaomi: 15 of 100 companies" in table.stdout
    assert "Counted: every company Xiaomi ever held a direct stake in (15); 15 held now" in (
        " ".join(table.stdout.split())
    )
    assert "iot" in table.stdout and "CNY 1.27bn" in table.stdout
    assert "Invested (disclosed): USD 56" in table.stdout  # converted at each stake's date
    assert "CNY 1,266,000,000.00" in run("progress", "--exact").stdout
    data = json.loads(run("progress", "--format", "json", "--depth", "2").stdout)
    (xiaomi,) = data["investors"]
    assert set(xiaomi) >= {
        "investor",
        "target",
        "companies",
        "percent_of_target",
        "counted",
        "first_stake",
        "latest_stake",
        "pace_per_month",
        "target_date",
        "invested",
        "sectors",
    }
    sectors = {s["sector"]: s["companies"] for s in xiaomi["sectors"]}
    assert sectors["iot/smart-home"] == 6 and sectors["iot/wearables"] == 2
    rows = list(csv.DictReader(io.StringIO(run("progress", "--format", "csv").stdout)))
    assert {r["sector"] for r in rows} == {"iot", "media", "cloud", "home", "mobility"}
    assert all(r["companies"] == "15" for r in rows)
    reached = run("progress", "--target", "10", "--format", "json").stdout
    assert '"target_reached": true' in reached
    del seeded


def test_target_set_changes_progress(run: Run, seeded: Path) -> None:
    result = run("target", "set", "--investor", "xiaomi", "150")
    assert result.exit_code == 0 and "was 100" in result.stderr
    data = json.loads(run("progress", "--format", "json").stdout)
    assert data["investors"][0]["target"] == 150
    one_error_line(run("target", "set", "--investor", "Xiaomi", "0"), "TARGET")
    one_error_line(run("target", "set", "--investor", "Nobody Here", "5"), "--investor")
    del seeded


def test_progress_needs_a_choice_among_several_investors(run: Run) -> None:
    for investor, startup in (("Fund A", "Alpha Robotics"), ("Fund Zed", "Beta Foods")):
        assert (
            run(
                "add-stake",
                "--investor",
                investor,
                "--startup",
                startup,
                "--sector",
                "iot",
                "--date",
                "2015",
            ).exit_code
            == 0
        )
    line = one_error_line(run("progress"), "--investor", "Fund A", "Fund Zed")
    assert "several investors" in line
    assert (
        json.loads(run("progress", "--investor", "Fund A", "-f", "json").stdout)["investors"][0][
            "companies"
        ]
        == 1
    )


def test_report_filters_json_and_csv(run: Run, seeded: Path) -> None:
    data = json.loads(run("report", "--sector", "iot", "--format", "json").stdout)
    assert set(data) == {"filters", "stakes", "totals"}
    assert all(s["sector"].startswith("iot/") for s in data["stakes"])
    assert data["totals"]["startups"] == 9
    rows = list(csv.DictReader(io.StringIO(run("report", "--sector", "iot", "-f", "csv").stdout)))
    assert len(rows) == len(data["stakes"]) and rows[0]["sector"].startswith("iot")
    window = json.loads(
        run(
            "report",
            "--investor",
            "Xiaomi",
            "--since",
            "2014-01",
            "--until",
            "2015-12",
            "--format",
            "json",
        ).stdout
    )
    assert {s["date"][:4] for s in window["stakes"]} == {"2014", "2015"}
    table = run("report", "--sector", "iot").stdout
    assert "USD 307.8m" in table and "distinct startups" in table
    assert "USD 307,840,000.00" in run("report", "--sector", "iot", "--exact").stdout
    empty = run("report", "--sector", "nothing-here")
    assert empty.exit_code == 0 and empty.stdout == ""
    assert "No stakes match (sector nothing-here)" in empty.stderr
    one_error_line(run("report", "--since", "2015", "--until", "2014-06"), "--until")
    one_error_line(run("report", "--since", "yesterday"), "--since")
    del seeded


def test_reads_need_a_database(run: Run) -> None:
    one_error_line(run("progress"), "no ecoport database", "ecoport init")


@pytest.mark.sqlite_only
def test_database_in_a_missing_folder(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "nope" / "x.db"
    one_error_line(run("--db", str(bad), *MIDEA), "--db", "does not exist")
    assert not bad.parent.exists()


@pytest.mark.sqlite_only
def test_database_in_a_folder_that_cannot_be_written(run: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    one_error_line(run("--db", str(blocker / "x.db"), *MIDEA), "--db", "not a folder")
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:
        target = readonly / "x.db"
        try:
            (readonly / "probe").touch()
        except PermissionError:
            pass
        else:  # root writes through permissions: use a folder no one can create files in
            if not Path("/proc/self").is_dir():
                pytest.skip("running as root on a system without /proc")
            target = Path("/proc/ecoport-test.db")
        one_error_line(run("--db", str(target), *MIDEA), "--db", "cannot create")
        assert not target.exists()
    finally:
        readonly.chmod(0o700)


@pytest.mark.sqlite_only
def test_files_that_are_not_ecoport_databases(run: Run, tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("this is a text file, not a database\n" * 20)
    before = text.read_bytes()
    one_error_line(run("--db", str(text), *MIDEA), "not an ecoport database")
    one_error_line(run("--db", str(text), "progress"), "not an ecoport database")
    assert text.read_bytes() == before
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    one_error_line(run("--db", str(other), "init", "--seed"), "not an ecoport database")
    assert dump(other) == ["BEGIN TRANSACTION;", "CREATE TABLE t (x);", "COMMIT;"]


def test_seed_file_errors_are_reported_all_at_once(run: Run, tmp_path: Path) -> None:
    seed = tmp_path / "bad.yaml"
    seed.write_text(
        "companies:\n  - name: Xiaomi\n  - name: Acme\n    sector: iot\n"
        "stakes:\n"
        "  - investor: Xiaomi\n    startup: Acme\n    date: '2014-13'\n"
        "  - investor: Xiaomi\n    startup: Acme\n    date: '2014'\n    percent: '140'\n"
        "  - investor: Xiaomi\n    startup: Nobody\n    date: '2014'\n",
        encoding="utf-8",
    )
    result = run("init", "--seed-file", str(seed))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines.pop(0).startswith("Created database")
    assert "3 of 3 rows have problems; nothing was imported" in lines[0]
    assert f"{seed}:6: date" in lines[1]
    assert f"{seed}:9: percent" in lines[2]
    assert f"{seed}:13: startup" in lines[3]
    assert query(os.environ["ECOPORT_DB"], "SELECT COUNT(*) FROM company") == [(0,)]
