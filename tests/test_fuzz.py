"""Hostile values, generated: add-stake, stakes edit and import never end in a traceback,
refuse a bad value with one line and exit code 2, change nothing when they refuse, and
never store a value that is not in ecoport's normal form. Run on SQLite and on PostgreSQL.

More examples: ``ECOPORT_FUZZ_EXAMPLES=2000``; the tallies (inputs tried, refused,
tracebacks, stored wrongly, changed on failure) go to the file ``ECOPORT_FUZZ_STATS`` names.
"""

import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Run, dump

BOTH_BACKENDS = True

EXAMPLES = int(os.environ.get("ECOPORT_FUZZ_EXAMPLES", "50"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

#: What ecoport must never store: controls, bidirectional overrides, lone surrogates.
FORBIDDEN = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

SAMPLES = [
    "",
    " ",
    "\u200b",
    "\ufeff",
    "\x1b[31mred",
    "a\x00b",
    "\ud800",
    "\u202eevil",
    "Stra\u00dfe",
    "STRASSE",
    "\ufb01nance",
    "Cafe\u0301",
    "99999999999999999999",
    "9223372036854775807",
    "92233720368547758.08",
    "1" + "0" * 500,
    "-1",
    "0",
    "1e9",
    "NaN",
    "Infinity",
    "1.0000000000000000000000000000001",
    "2015-02-30",
    "0000-00-00",
    "9999-12-31",
    "12:30:00",
    "no",
    "on",
    "true",
    "null",
    "$",
    "USD",
    "¥1.27bn",
    "1,27",
    "100.0000001",
    "x" * 301,
    "a/b/c/d/e/f",
    "'; DROP TABLE stake; --",
    "%s %(x)s ?",
    "[bold]markup[/]",
]

VALUES = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(max_size=40),
    st.text(
        alphabet=st.characters(min_codepoint=0, max_codepoint=0x3000, exclude_categories=()),
        max_size=20,
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.lists(st.sampled_from(SAMPLES), min_size=2, max_size=3).map("".join),
)

#: Options of add-stake and stakes edit that take a value, and the field each fills.
OPTIONS = {
    "--investor": "investor",
    "--startup": "startup",
    "--sector": "sector",
    "--kind": "kind",
    "--date": "date",
    "--amount": "amount",
    "--currency": "currency",
    "--percent": "percent",
    "--round": "round",
    "--round-total": "round_total",
    "--valuation": "valuation",
    "--source": "source",
    "--note": "note",
    "--ref": "ref",
}
TEXT_FIELDS = ("investor", "startup", "sector", "round", "source", "note", "ref")

TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def tallies() -> Iterator[None]:
    yield
    target = os.environ.get("ECOPORT_FUZZ_STATS")
    if target:
        Path(target).write_text(json.dumps(dict(TALLY), indent=2) + "\n")


def base_stake(n: int) -> list[str]:
    return [
        "add-stake",
        "--investor",
        "Fuzz Fund",
        "--startup",
        f"Fuzz Target {n}",
        "--sector",
        "iot",
        "--date",
        "2020-01-02",
        "--amount",
        "USD 1m",
    ]


def replaced(args: list[str], option: str, value: str) -> list[str]:
    out = list(args)
    if option in out:
        out[out.index(option) + 1] = value
    else:
        out += [option, value]
    return out


def check(result: object, db: Path | str, before: list[str], value: str, kind: str) -> bool:
    """The rules every run keeps; True when it was refused."""
    stderr: str = result.stderr  # type: ignore[attr-defined]
    code: int = result.exit_code  # type: ignore[attr-defined]
    TALLY[f"{kind}: inputs tried"] += 1
    if "Traceback" in stderr or code not in (0, 1, 2):
        TALLY[f"{kind}: tracebacks"] += 1
        raise AssertionError(f"{kind} {value!r}: exit {code}\n{stderr}")
    if code == 0:
        if FORBIDDEN.search(value):
            TALLY[f"{kind}: stored wrongly"] += 1
            raise AssertionError(f"{kind} stored {value!r}, which holds a forbidden character")
        return False
    TALLY[f"{kind}: refused cleanly"] += 1
    if dump(db) != before:
        TALLY[f"{kind}: database changed on failure"] += 1
        raise AssertionError(f"{kind} {value!r} failed but changed the database")
    if FORBIDDEN.search(value):
        assert code == 2, (value, stderr)
    return True


def stored_text_is_normal(stake: dict[str, object]) -> None:
    for field in TEXT_FIELDS:
        text = stake.get(field)
        if isinstance(text, str):
            assert not FORBIDDEN.search(text), (field, text)
            assert unicodedata.is_normalized("NFC", text), (field, text)
            assert text == text.strip(), (field, text)


@FUZZ
@given(option=st.sampled_from(sorted(OPTIONS)), value=VALUES)
def test_add_stake_survives_hostile_values(run: Run, seeded: Path, option: str, value: str) -> None:
    TALLY["n"] += 1
    before = dump(seeded)
    result = run(*replaced(base_stake(TALLY["n"]), option, value), "-f", "json")
    if not check(result, seeded, before, value, "add-stake"):
        stored_text_is_normal(json.loads(result.stdout)["stake"])
    else:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@FUZZ
@given(option=st.sampled_from(sorted(OPTIONS)), value=VALUES)
def test_stakes_edit_survives_hostile_values(
    run: Run, seeded: Path, option: str, value: str
) -> None:
    before = dump(seeded)
    result = run("stakes", "edit", "5", option, value)
    if not check(result, seeded, before, value, "stakes edit"):
        stored_text_is_normal(json.loads(run("stakes", "show", "5", "-f", "json").stdout))
    else:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@FUZZ
@given(
    field=st.sampled_from(sorted(OPTIONS.values())),
    value=st.one_of(VALUES, st.booleans(), st.integers(), st.floats(), st.none()),
    shape=st.sampled_from(["json", "yaml", "csv"]),
)
def test_import_survives_hostile_values(
    run: Run, seeded: Path, tmp_path: Path, field: str, value: object, shape: str
) -> None:
    import csv
    import io

    import yaml

    TALLY["n"] += 1
    row: dict[str, object] = {
        "investor": "Fuzz Fund",
        "startup": f"Fuzz Import {TALLY['n']}",
        "sector": "iot",
        "date": "2020-01-02",
    }
    row[field] = value
    file = tmp_path / f"fuzz.{shape}"
    try:
        if shape == "json":
            file.write_text(
                json.dumps([row], ensure_ascii=False), encoding="utf-8", errors="surrogatepass"
            )
        elif shape == "yaml":
            file.write_text(
                yaml.safe_dump([row], allow_unicode=True), encoding="utf-8", errors="surrogatepass"
            )
        else:
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
            file.write_text(out.getvalue(), encoding="utf-8", errors="surrogatepass")
    except (yaml.YAMLError, UnicodeEncodeError):
        return  # not a file anyone could write
    before = dump(seeded)
    result = run("import", str(file), "--json")
    text = value if isinstance(value, str) else ""
    if shape == "yaml" and text:
        # what the file says to any YAML reader (a raw U+0085 in a quoted scalar is a line
        # break, folded to a space), not what was meant
        text = str(yaml.safe_load(file.read_text(encoding="utf-8"))[0][field])
    if not check(result, seeded, before, text, "import"):
        added = json.loads(result.stdout)
        assert added["stakes_added"] + added["matched"] + added["already_present"] == 1
    else:
        lines = [x for x in result.stderr.strip().splitlines() if not x.startswith("warning:")]
        assert lines[0].startswith("ecoport: error:"), result.stderr
        assert all(file.name in line for line in lines), result.stderr
