"""Targets per sector and milestones: set, listed, removed, audited, undone, exported and
imported again; bad values refused with one line and nothing changed."""

import json
from pathlib import Path

import pytest

from tests.conftest import Run, dump

BOTH_BACKENDS = True


def ok(result: object) -> str:
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    return str(result.stdout)  # type: ignore[attr-defined]


def listed(run: Run, *args: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(ok(run(*args, "-f", "json")))
    return data


@pytest.mark.usefixtures("seeded")
def test_sector_targets_set_listed_unset_and_undone(run: Run) -> None:
    done = run("target", "set", "--investor", "Xiaomi", "--sector", "IoT", "50")
    assert done.exit_code == 0 and "Target of Xiaomi in iot: 50 companies" in done.stderr
    again = listed(run, "target", "set", "--investor", "xiaomi", "--sector", "iot", "40")
    assert again == {"investor": "Xiaomi", "sector": "iot", "target": 40, "previous": 50}
    targets = listed(run, "target", "list")["targets"]
    assert [(t["investor"], t["sector"], t["target"]) for t in targets] == [  # type: ignore[union-attr,index]
        ("Xiaomi", None, 100),
        ("Xiaomi", "iot", 40),
    ]
    ok(run("target", "unset", "--investor", "Xiaomi", "--sector", "iot"))
    missing = run("target", "unset", "--investor", "Xiaomi", "--sector", "iot")
    assert missing.exit_code == 1 and missing.stderr.count("\n") == 1
    assert "Xiaomi has no target for sector iot" in missing.stderr
    ok(run("undo"))  # the unset undone: 40 again
    targets = listed(run, "target", "list")["targets"]
    assert ("Xiaomi", "iot", 40) in [(t["investor"], t["sector"], t["target"]) for t in targets]  # type: ignore[union-attr,index]


@pytest.mark.usefixtures("seeded")
def test_milestones_added_listed_removed_and_undone(run: Run) -> None:
    seeded_ones = listed(run, "target", "milestone", "list")["milestones"]
    assert [(m["by"], m["reported"], m["what"]) for m in seeded_ones] == [  # type: ignore[union-attr,index]
        ("2014-12", 25, "connected-device companies"),
        ("2015-04", 20, "startups"),
    ]
    added = listed(
        run, "target", "milestone", "add", "--investor", "Xiaomi", "--by", "2016",
        "--count", "55", "--what", "ecosystem companies", "--source", "https://example.com/a",
    )  # fmt: skip
    assert added["reported"] == 55 and added["by"] == "2016" and added["id"] == 3
    log = listed(run, "log", "-n", "1")["changes"][0]  # type: ignore[index]
    assert log["summary"] == "1 milestone added"  # type: ignore[index]
    ok(run("target", "milestone", "remove", "3"))
    assert len(listed(run, "target", "milestone", "list")["milestones"]) == 2  # type: ignore[arg-type]
    ok(run("undo"))
    back = listed(run, "target", "milestone", "list", "--investor", "Xiaomi")["milestones"]
    assert [m["id"] for m in back] == [1, 2, 3]  # type: ignore[union-attr,index]
    csv_out = ok(run("target", "milestone", "list", "-f", "csv"))
    assert csv_out.splitlines()[0] == "id,investor,by,reported,what,source,note"


@pytest.mark.usefixtures("seeded")
def test_export_and_import_carry_them(run: Run, tmp_path: Path) -> None:
    ok(run("target", "set", "--investor", "Xiaomi", "--sector", "iot", "50"))
    out = tmp_path / "all.yaml"
    ok(run("export", "-f", "yaml", "-o", str(out)))
    other = tmp_path / "other.db"
    ok(run("--db", str(other), "import", str(out)))
    targets = listed(run, "--db", str(other), "target", "list")["targets"]
    assert [(t["sector"], t["target"]) for t in targets] == [(None, 100), ("iot", 50)]  # type: ignore[union-attr,index]
    milestones = listed(run, "--db", str(other), "target", "milestone", "list")["milestones"]
    assert [m["reported"] for m in milestones] == [25, 20]  # type: ignore[union-attr,index]


@pytest.mark.usefixtures("seeded")
def test_bad_values_are_one_line_and_change_nothing(run: Run, isolated: Path) -> None:
    before = dump(isolated)
    for args, code, message in (
        (("target", "set", "--investor", "Xiaomi", "--sector", "///", "5"), 2, "--sector"),
        (("target", "set", "--investor", "Xiaomi", "--sector", "iot", "0"), 2, "TARGET"),
        (("target", "milestone", "add", "--investor", "Xiaomi", "--by", "2014-13",
          "--count", "5"), 2, "--by"),
        (("target", "milestone", "add", "--investor", "Xiaomi", "--by", "2014",
          "--count", "0"), 2, "--count: must be a whole number from 1"),
        (("target", "milestone", "add", "--investor", "Xiaomi", "--by", "2014-12",
          "--count", "25", "--what", "connected-device companies"), 1, "already has a milestone"),
        (("target", "milestone", "add", "--investor", "Nobody", "--by", "2014",
          "--count", "5"), 1, "no company named 'Nobody'"),
        (("target", "milestone", "remove", "99"), 1, "no milestone with ID 99"),
    ):  # fmt: skip
        result = run(*args)
        assert result.exit_code == code, (args, result.stderr)
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.stderr
        assert message in result.stderr, (args, result.stderr)
    assert dump(isolated) == before
