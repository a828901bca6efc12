"""Every bad input gets one clear line and changes nothing; text is stored in one normal form
and printed without anything a terminal would obey. Run on SQLite and on PostgreSQL.

Each example here was a traceback or a value stored wrongly before (see issue 11)."""

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Run, dump, query
from tests.test_cli import MIDEA, one_error_line, with_options

BOTH_BACKENDS = True

ESC = "\x1b[31m"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def execute(db: Path | str, sql: str, params: tuple[object, ...]) -> None:
    """Change the database behind ecoport's back, as an older version could have."""
    if isinstance(db, Path):
        with sqlite3.connect(db) as conn:
            conn.execute(sql, params)
        conn.close()
    else:
        import psycopg

        with psycopg.connect(db.replace("+psycopg", "", 1)) as pg:  # committed on close
            pg.execute(sql.replace("?", "%s"), params)


def refused(run: Run, db: Path | str, *args: str, needles: tuple[str, ...] = ()) -> str:
    """Run *args*; assert one line on stderr, exit code 2, and the database unchanged."""
    before = dump(db)
    result = run(*args)
    line = one_error_line(result, *needles)
    assert result.exit_code == 2, (result.exit_code, line)
    assert dump(db) == before
    return line


# -- amounts and numbers beyond what the database holds -------------------------------------

HUGE = ["99999999999999999999", "9223372036854775807", "92233720368547758.08", "1" + "0" * 5000]


@pytest.mark.parametrize("amount", HUGE)
def test_amounts_beyond_the_largest_are_refused_by_add_stake_and_edit(
    run: Run, seeded: Path, amount: str
) -> None:
    line = refused(
        run, seeded, *with_options(MIDEA, {"--amount": amount}), needles=("--amount", "at most")
    )
    assert len(line) < 300  # a 5,000-digit value is not echoed whole
    refused(run, seeded, "stakes", "edit", "1", "--amount", amount, needles=("--amount",))
    refused(
        run, seeded, "stakes", "edit", "1", "--round-total", f"{amount} CNY", needles=("round",)
    )


def test_the_largest_amount_is_stored_exactly(run: Run, seeded: Path) -> None:
    from ecoport.core.money import MAX_MINOR

    top = f"{MAX_MINOR // 100}.{MAX_MINOR % 100:02d}"
    result = run(*with_options(MIDEA, {"--amount": top, "--currency": "USD", "--date": "2016"}))
    assert result.exit_code == 0, result.stderr
    assert query(seeded, "SELECT MAX(amount_minor) FROM stake") == [(MAX_MINOR,)]


def test_one_huge_amount_does_not_kill_a_skipping_import(run: Run, tmp_path: Path) -> None:
    rows = [
        {"investor": "A Fund", "startup": "Gizmo", "date": "2019", "amount": "USD 1m"},
        {"investor": "A Fund", "startup": "Widget", "date": "2019", "amount": "1" + "0" * 5000},
        {"investor": "A Fund", "startup": "Doohickey", "date": "2019", "amount": 10**30},
    ]
    file = write(tmp_path / "huge.json", json.dumps(rows))
    result = run("import", str(file), "--currency", "USD", "--on-error", "skip", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["stakes_added"] == 1
    assert "more than ecoport holds" in result.stderr and "Traceback" not in result.stderr


def test_json_numbers_keep_their_exact_value(run: Run, isolated: Path, tmp_path: Path) -> None:
    """A JSON number too long for Python to convert (past 4,300 digits) or for a float to
    hold is read as its digits: refused as too large per row, or stored exactly; never a
    traceback, never a rounded amount."""
    digits = "1" + "0" * 5000
    stakes = [
        f'{{"investor": "A Fund", "startup": "Widget", "date": "2019", "amount": {digits}}}',
        f'{{"investor": "A Fund", "startup": "Gadget", "date": "2019", "amount": {digits}.5}}',
        '{"investor": "A Fund", "startup": "Gizmo", "date": "2019", "amount": 100000000000000.01}',
    ]
    file = write(tmp_path / "numbers.json", "[" + ", ".join(stakes) + "]")
    args = ("--currency", "USD", "--set", "sector=x", "--on-error", "skip", "-f", "json")
    result = run("import", str(file), *args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["stakes_added"] == 1
    assert result.stderr.count("more than ecoport holds") == 2, result.stderr
    assert query(isolated, "SELECT amount_minor FROM stake") == [(10_000_000_000_000_001,)]


def test_targets_and_rates_are_bounded(run: Run, seeded: Path) -> None:
    refused(run, seeded, "target", "set", "--investor", "Xiaomi", "99999999999999999999")
    refused(
        run, seeded, "fx", "set", "USD", "CNY", "9" * 40, "--date", "2020-01-02", needles=("RATE",)
    )


# -- text: control characters, invisible characters, one normal form ----------------------

HOSTILE_TEXT = [
    "Fo\x01o",
    f"Mi{ESC}Evil",
    "Mi\x7f",
    "M\x85i",
    "Mi\u202eevil",
    "Mi\u2066x",
    "Mi\x00",
    "Mi\ud800",
]


@pytest.mark.parametrize("value", HOSTILE_TEXT)
@pytest.mark.parametrize("option", ["--startup", "--investor", "--round", "--source", "--note"])
def test_control_characters_are_refused_in_every_text(
    run: Run, seeded: Path, option: str, value: str
) -> None:
    args = with_options(MIDEA, {option: value, "--date": "2016"})
    refused(run, seeded, *args, needles=(option,))


@pytest.mark.parametrize("value", ["iot\x1b", "a" * 300, "io\u202et", "\x00"])
def test_a_sector_one_backend_would_refuse_is_refused_on_both(
    run: Run, seeded: Path, value: str
) -> None:
    args = with_options(MIDEA, {"--startup": "Newco", "--sector": value})
    refused(run, seeded, *args, needles=("--sector",))
    refused(run, seeded, "companies", "edit", "Xiaomi", "--sector", value, needles=("sector",))


@pytest.mark.parametrize("value", ["\u200b", "\ufeff", " \u2060 "])
def test_a_name_of_invisible_characters_is_empty(run: Run, seeded: Path, value: str) -> None:
    args = with_options(MIDEA, {"--startup": value})
    refused(run, seeded, *args, needles=("--startup", "empty"))


def test_text_is_stored_in_nfc_without_invisible_characters(run: Run, isolated: Path) -> None:
    decomposed = "Cafe\u0301 Bleu"  # e + combining acute
    args = ["add-stake", "--investor", "A Fund", "--sector", "food", "--date", "2020"]
    assert run(*args, "--startup", decomposed).exit_code == 0
    assert query(isolated, "SELECT name FROM company WHERE name <> 'A Fund'") == [("Café Bleu",)]
    # a zero-width space inside a name, or a byte-order mark before it, names the same company
    again = run(*args, "--startup", "Caf\u00e9\u200b Bleu", "--date", "2021", "-f", "json")
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["stake"]["startup"] == "Café Bleu"
    assert query(isolated, "SELECT COUNT(*) FROM company") == [(2,)]


def test_sharp_s_is_not_ss_but_a_ligature_is_its_letters(run: Run) -> None:
    """The normal form, chosen on purpose: names are keyed by lower case (not Unicode case
    folding, which makes ß and ss one); matching folds compatibility forms (ﬁ = fi)."""
    args = ["add-stake", "--investor", "A Fund", "--sector", "x", "--date", "2020"]
    assert run(*args, "--startup", "Straße Labs").exit_code == 0
    other = run(*args, "--startup", "STRASSE Labs", "--new-company", "-f", "json")
    assert other.exit_code == 0, other.stderr
    assert json.loads(other.stdout)["stake"]["startup"] == "STRASSE Labs"
    assert run(*args, "--startup", "ﬁnance Hub").exit_code == 0
    same = run(*args, "--startup", "finance hub", "--date", "2021", "-f", "json")
    assert same.exit_code == 0, same.stderr
    assert json.loads(same.stdout)["stake"]["startup"] == "ﬁnance Hub"


def test_data_stored_by_an_older_version_prints_escaped(run: Run, seeded: Path) -> None:
    execute(seeded, "UPDATE company SET name = ? WHERE name = 'Huami'", (f"Hu{ESC}ami\u202e",))
    execute(seeded, "UPDATE company SET note = ? WHERE name = 'Zimi'", (f"see {ESC}red",))
    execute(seeded, "UPDATE stake SET note = ? WHERE id = 1", (f"see {ESC}red",))
    outputs = [
        run("companies", "list"),
        run("companies", "show", "Zimi"),
        run("stakes", "list"),
        run("stakes", "list", "-f", "csv"),
        run("stakes", "show", "1"),
        run("report", "--investor", "Xiaomi"),
        run("report", "--investor", "Xiaomi", "-f", "json"),
        run("export"),
        run("export", "-f", "json"),
        run("export", "-f", "yaml"),
    ]
    for result in outputs:
        assert result.exit_code == 0, result.stderr
        for char in ("\x1b", "\u202e"):
            assert char not in result.stdout + result.stderr
    assert "Hu\\u001b[31mami\\u202e" in outputs[0].stdout
    # in JSON the escape is the same character: nothing is lost
    names = [c["name"] for c in json.loads(outputs[8].stdout)["companies"]]
    assert f"Hu{ESC}ami\u202e" in names


# -- files: every shape of bad input, one line with FILE:LINE -------------------------------


def test_import_options_are_checked_before_anything_is_read(
    run: Run, isolated: Path, tmp_path: Path
) -> None:
    file = write(tmp_path / "s.csv", "investor,startup,date,sector\nA,B,2020,x\n")
    run("init")
    for codec in ("rot13", "base64", "zlib", "no-such-codec"):
        refused(run, isolated, "import", str(file), "--encoding", codec, needles=("--encoding",))
    refused(run, isolated, "import", str(file), "--rejects", str(tmp_path), needles=("folder",))
    missing = tmp_path / "nope" / "r.csv"
    refused(run, isolated, "import", str(file), "--rejects", str(missing), needles=("--rejects",))
    refused(run, isolated, "import", str(file), "--dayfirst", "--monthfirst", needles=("both",))
    refused(run, isolated, "export", "-o", str(tmp_path), needles=("--output",))


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (
            "dup.json",
            '[{"investor": "A", "startup": "B", "startup": "C", "date": "2020"}]',
            "twice",
        ),
        ("top.json", '{"stakes": [], "stakes": []}', "twice"),
        ("five.json", '{"companies": 5, "stakes": []}', "must be a list"),
        ("dup.yaml", "- investor: A\n  startup: B\n  startup: C\n  date: '2020'\n", "twice"),
        ("five.yaml", "companies: 5\nstakes: []\n", "must be a list"),
    ],
)
def test_malformed_files_are_refused_whole(
    run: Run, isolated: Path, tmp_path: Path, name: str, content: str, needle: str
) -> None:
    run("init")
    file = write(tmp_path / name, content)
    line = refused(run, isolated, "import", str(file), "--on-error", "skip", needles=(needle,))
    assert f"{name}:" in line


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        (
            "surrogate.json",
            '[{"investor": "A", "startup": "\\ud800", "date": "2020"}]',
            "surrogate",
        ),
        ("true.json", '[{"investor": "A", "startup": true, "date": "2020"}]', "got true"),
        ("obj.json", '[{"investor": "A", "startup": {"name": "B"}, "date": "2020"}]', "object"),
        ("list.json", '[{"investor": "A", "startup": ["B"], "date": "2020"}]', "a list"),
        ("date.yaml", "- investor: A\n  startup: B\n  date: 2015-02-30\n", "2015-02-30"),
        ("esc.json", '[{"investor": "A", "startup": "B\\u001b[2J", "date": "2020"}]', "U+001B"),
        ("quote.csv", 'investor,startup,date\nA,"Xiaomi"x,2020\n', "not valid CSV"),
        (
            "nel.json",
            '[{"investor": "A", "startup": "B", "date": "2020", "amount": "\\u0085"}]',
            "U+0085",
        ),
        ("nel.csv", "investor,startup,date\nA\u0085,B,2020\n", "U+0085"),
    ],
)
def test_a_bad_value_in_a_file_is_a_row_error_with_its_line(
    run: Run, isolated: Path, tmp_path: Path, name: str, content: str, needle: str
) -> None:
    run("init")
    file = write(tmp_path / name, content)
    before = dump(isolated)
    result = run("import", str(file), "--set", "sector=x")
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert "nothing was imported" in lines[0] and "Traceback" not in result.stderr
    assert any(f"{name}:" in line and needle in line for line in lines[1:]), lines
    assert dump(isolated) == before


def test_yaml_reads_yaml_1_1_words_as_the_text_they_are(
    run: Run, isolated: Path, tmp_path: Path
) -> None:
    file = write(
        tmp_path / "words.yaml",
        "- investor: on\n  startup: no\n  sector: x\n  date: '2020'\n  round: 12:30:00\n",
    )
    result = run("import", str(file), "--json")
    assert result.exit_code == 0, result.stderr
    names = {r[0] for r in query(isolated, "SELECT name FROM company")}
    assert names == {"on", "no"}
    assert query(isolated, "SELECT name FROM funding_round") == [("12:30:00",)]


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ("  - name: Xiaomi\n    target: -5\n", "target"),
        ("  - name: Xiaomi\n    target: 'many'\n", "target"),
        (
            "  - name: Midea\n  - name: Xiaomi\n    aliases: [Midea]\n",
            "another company",
        ),
        ("  - name: true\n", "name"),
        ("  - name: Xiaomi\n    note: {a: 1}\n", "note"),
    ],
)
def test_seed_shaped_entries_are_checked(
    run: Run, isolated: Path, tmp_path: Path, entry: str, needle: str
) -> None:
    run("init")
    file = write(tmp_path / "seed.yaml", f"companies:\n{entry}stakes: []\n")
    before = dump(isolated)
    result = run("import", str(file))
    assert result.exit_code == 2, result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert dump(isolated) == before


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("marks.json", '{"stakes": [], "marks": 5}', "'marks' must be a list"),
        ("marks.yaml", "stakes: []\nmarks: 5\n", "'marks' must be a list"),
        (
            "mark.json",
            '{"stakes": [], "marks": [{"company": "Midea Group", "date": "2020-12-31", '
            '"valuation": 1' + "0" * 5000 + "}]}",
            "valuation",
        ),
        # a value of the wrong type, spelled as the file spells it (not Python's True)
        (
            "kind.json",
            '{"stakes": [], "marks": [{"company": "Midea Group", "date": "2020-12-31", '
            '"kind": true, "valuation": "1 USD"}]}',
            "kind: expected text, got true",
        ),
        ("list.yaml", "marks:\n  - [Midea Group, 2020]\n", 'a list ["Midea Group"'),
    ],
)
def test_marks_in_a_file_are_checked(
    run: Run, seeded: Path, tmp_path: Path, name: str, content: str, needle: str
) -> None:
    file = write(tmp_path / name, content)
    before = dump(seeded)
    result = run("import", str(file))
    assert result.exit_code == 2, result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert dump(seeded) == before


# -- holdings: what db check would flag is refused ------------------------------------------


def test_holders_over_100_percent_are_refused_with_the_figures(run: Run, seeded: Path) -> None:
    args = with_options(MIDEA, {"--percent": "99.5", "--date": "2016", "--amount": None})
    args = with_options(args, {"--currency": None})
    line = refused_conflict(run, seeded, *args)
    assert "100.79%" in line and "in 2016" in line and "--force" in line
    forced = run(*args, "--force", "-f", "json")
    assert forced.exit_code == 0, forced.stderr
    note = json.loads(forced.stdout)["stake"]["note"]
    assert "Stored although Midea Group's holders" in note and "(forced" in note
    check = run("db", "check")
    assert "100.79%" in check.stdout + check.stderr


def test_a_sale_of_nothing_is_refused(run: Run, seeded: Path) -> None:
    args = ["add-stake", "--investor", "Shunwei Capital", "--startup", "Midea Group"]
    line = refused_conflict(run, seeded, *args, "--kind", "sale", "--date", "2016")
    assert "holds nothing in Midea Group in 2016 to sell" in line
    # Xiaomi bought in 2014-12: a sale in 2014 (the year) or later is fine
    ok = run("add-stake", "--investor", "Xiaomi", "--startup", "Midea Group", "--kind", "sale")
    assert ok.exit_code == 2  # no date: a usage error, not a holdings one
    sold = run(
        "add-stake", "--investor", "Xiaomi", "--startup", "Midea Group", "--kind", "exit",
        "--date", "2014",
    )  # fmt: skip
    assert sold.exit_code == 0, sold.stderr


def refused_conflict(run: Run, db: Path | str, *args: str) -> str:
    before = dump(db)
    line = one_error_line(run(*args))
    assert dump(db) == before
    return line


def test_upgrade_rekeys_names_by_lower_case(run: Run, isolated: Path) -> None:
    """Revision 0007: keys made by case folding (Straße -> strasse) become lower case, so that
    STRASSE Labs can be another company; the match keys follow."""
    from sqlalchemy import text

    from ecoport.store.db import engine_for, locate
    from ecoport.store.migrate import upgrade

    engine = engine_for(locate(str(isolated)))
    upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO company (name, name_key, match_key, sector, created_at) VALUES "
                "('Straße Labs', 'strasse labs', 'strasselabs', NULL, '2026-01-01'), "
                "('Xiaomi', 'xiaomi', 'xiaomi', NULL, '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO company_alias (company_id, alias, alias_key, match_key) "
                "SELECT id, 'Große Labs', 'grosse labs', 'grosselabs' FROM company "
                "WHERE name = 'Straße Labs'"
            )
        )
    engine.dispose()
    assert run("db", "upgrade").exit_code == 0
    assert query(isolated, "SELECT name_key, match_key FROM company ORDER BY id") == [
        ("straße labs", "straßelabs"),
        ("xiaomi", "xiaomi"),
    ]
    assert query(isolated, "SELECT alias_key, match_key FROM company_alias") == [
        ("große labs", "großelabs")
    ]
    args = ["add-stake", "--investor", "Xiaomi", "--sector", "x", "--date", "2020", "-f", "json"]
    same = run(*args, "--startup", "straße labs")
    assert json.loads(same.stdout)["stake"]["startup"] == "Straße Labs"
    other = run(*args, "--startup", "STRASSE Labs", "--new-company")
    assert json.loads(other.stdout)["stake"]["startup"] == "STRASSE Labs"


@pytest.mark.parametrize("actor", [f"Mallory{ESC}", "x" * 201, " "])
def test_an_actor_the_audit_log_cannot_keep_is_refused(run: Run, seeded: Path, actor: str) -> None:
    args = with_options(MIDEA, {"--date": "2016", "--amount": None, "--currency": None})
    refused(run, seeded, "--actor", actor, *args, needles=("--actor",))


def test_every_text_column_sorts_byte_by_byte_on_postgresql(run: Run, isolated: Path) -> None:
    if not str(isolated).startswith("postgresql"):
        pytest.skip("a server's collations; a SQLite file always compares bytes")
    assert run("init").exit_code == 0
    left = query(
        isolated,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type IN ('character varying', 'text') "
        "AND table_name <> 'alembic_version' AND coalesce(collation_name, '') <> 'C'",
    )
    assert left == []


def test_an_edit_that_breaks_a_holdings_rule_is_refused(run: Run, seeded: Path) -> None:
    other = ["add-stake", "--investor", "Shunwei Capital", "--startup", "Midea Group"]
    assert run(*other, "--date", "2015", "--percent", "50").exit_code == 0
    line = refused_conflict(run, seeded, "stakes", "edit", "1", "--percent", "60")
    assert "holders would hold 110% in all in 2015" in line and "--force" in line
    forced = run("stakes", "edit", "1", "--percent", "60", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "Stored although" in json.loads(run("stakes", "show", "1", "-f", "json").stdout)["note"]
    # the stake breaks the rule already: editing its source is no new refusal
    assert run("stakes", "edit", "1", "--source", "https://example.com/x").exit_code == 0


def test_the_rejects_file_names_options_as_typed(run: Run, tmp_path: Path) -> None:
    """Reasons written below the CLI name options as {option:...}; the rejects file a user
    reads spells them (--columns), like stderr does."""
    file = tmp_path / "latin.csv"
    good = b"".join(b"A,Startup %d,2020\n" % n for n in range(8000))  # past the sniffed head
    file.write_bytes(b"investor,startup,date\n" + good + b"A,Caf\xe9,2020\n")  # a cp1252 byte
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(file), "--set", "sector=x", "--on-error", "skip",
                 "--rejects", str(rejects))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = rejects.read_bytes()
    assert b"A,Caf\xe9,2020," in data  # the row as it came, its byte kept, ready to fix
    text = data.decode("utf-8", errors="replace")
    assert "pass --encoding with the file's encoding" in text
    assert "{option:" not in text and "{option:" not in result.stderr


def test_a_lone_surrogate_goes_to_the_rejects_file_as_its_escape(run: Run, tmp_path: Path) -> None:
    file = write(
        tmp_path / "sur.json",
        '[{"investor": "A", "startup": "\\ud800", "date": "2020"},'
        ' {"investor": "A", "startup": "B", "sector": "x", "date": "2020"}]',
    )
    rejects = tmp_path / "rejects.json"
    result = run("import", str(file), "--on-error", "skip", "--rejects", str(rejects))
    assert result.exit_code == 0 and "Traceback" not in result.stderr, result.stderr
    assert json.loads(rejects.read_text(encoding="utf-8"))[0]["startup"] == "\ud800"
