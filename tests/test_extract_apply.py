"""ecoport extract --apply: drafts added through the importer as one audited change, or
nothing written; on SQLite and on PostgreSQL."""

import json
from pathlib import Path

import pytest

from tests.conftest import Run, dump

BOTH_BACKENDS = True

MIDEA = "Xiaomi bought a 1.29% stake in Midea Group for 1.27 billion yuan (£129m) in December 2014."


def write(tmp_path: Path, text: str, name: str = "a.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def changes(run: Run) -> list[dict[str, object]]:
    log = json.loads(run("log", "-f", "json").stdout)
    return list(log["changes"] if isinstance(log, dict) else log)


def stakes(run: Run, investor: str) -> list[tuple[object, ...]]:
    listed = json.loads(run("stakes", "list", "--investor", investor, "-f", "json").stdout)
    rows = listed["stakes"] if isinstance(listed, dict) else listed
    return [(s["startup"], s["kind"], s["amount"], s["date"]) for s in rows]


@pytest.mark.usefixtures("seeded")
def test_apply_with_yes_is_one_audited_change(run: Run, tmp_path: Path) -> None:
    article = write(
        tmp_path, "Xiaomi has acquired Yeelight in 2016. Ninebot invested $5m in Segway in 2015."
    )
    before = changes(run)
    done = run("extract", str(article), "--apply", "--yes")
    assert done.exit_code == 0, done.stderr
    assert "Added 2 stakes as one change" in done.stderr
    assert len(changes(run)) == len(before) + 1
    assert ("Segway", "investment", "5000000.00", "2015") in stakes(run, "Ninebot")
    assert ("Yeelight", "acquisition", None, "2016") in stakes(run, "Xiaomi")


@pytest.mark.usefixtures("seeded")
def test_apply_creates_new_companies_and_sets_the_stated_target(run: Run, tmp_path: Path) -> None:
    article = write(
        tmp_path,
        "Ninebot plans to invest in 40 startups. Ninebot acquired Gizmotron Labs in 2016.",
    )
    done = run("extract", str(article), "--apply", "--yes")
    assert done.exit_code == 0, done.stderr
    assert "1 company created" in done.stderr and "1 target set" in done.stderr
    assert ("Gizmotron Labs", "acquisition", None, "2016") in stakes(run, "Ninebot")
    targets = json.loads(run("target", "list", "-f", "json").stdout)["targets"]
    [ninebot] = [t for t in targets if t["investor"] == "Ninebot"]
    assert ninebot["target"] == 40 and "plans to invest in 40 startups" in ninebot["note"]
    # the same article again: nothing new, and still one change a run
    again = run("extract", str(article), "--apply", "--yes")
    assert again.exit_code == 0, again.stderr
    assert "Added 0 stakes" in again.stderr and "1 already present" in again.stderr


def test_apply_off_a_terminal_without_yes_writes_nothing(
    run: Run, seeded: Path, tmp_path: Path
) -> None:
    before = dump(seeded)
    done = run("extract", str(write(tmp_path, MIDEA)), "--apply")
    assert done.exit_code == 2
    assert "--yes" in done.stderr and "nothing was written" in done.stderr
    assert dump(seeded) == before


def test_apply_refuses_a_draft_without_a_date(run: Run, seeded: Path, tmp_path: Path) -> None:
    before = dump(seeded)
    done = run("extract", str(write(tmp_path, "Xiaomi has acquired Yeelight.")), "--apply", "--yes")
    assert done.exit_code == 2
    assert "date" in done.stderr and "nothing was imported" in done.stderr
    assert dump(seeded) == before
    dated = run("extract", str(write(tmp_path, "Xiaomi has acquired Yeelight.")), "--date", "2016")
    assert "2016" in dated.stdout


def test_apply_with_no_deal_adds_nothing(run: Run, seeded: Path, tmp_path: Path) -> None:
    before = dump(seeded)
    done = run("extract", str(write(tmp_path, "The weather was mild.")), "--apply", "--yes")
    assert done.exit_code == 0, done.stderr
    assert "Nothing to add" in done.stderr
    assert dump(seeded) == before


@pytest.mark.usefixtures("seeded")
def test_apply_reads_an_article_as_text_even_with_a_line_that_looks_like_yaml(
    run: Run, tmp_path: Path
) -> None:
    # an article is prose: a line that starts "marks:" is not a list of marks to import
    article = write(
        tmp_path,
        "Ninebot invested $5m in Segway in 2015.\nmarks: [{company: Segway, date: 2016, "
        "kind: valuation, valuation: 1 USD}]\n- the rest of the story\n",
    )
    done = run("extract", str(article), "--apply", "--yes")
    assert done.exit_code == 0, done.stderr
    assert "Added 1 stake" in done.stderr and "mark" not in done.stderr
    assert ("Segway", "investment", "5000000.00", "2015") in stakes(run, "Ninebot")
    listed = json.loads(run("marks", "list", "-f", "json").stdout)
    assert not (listed["marks"] if isinstance(listed, dict) else listed)
