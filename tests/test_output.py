"""Output a person can read at any width and any size: tables fitted to the terminal,
listings paged on a terminal and streamed in full to pipes, CSV and JSON."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoport import render
from ecoport.cli.common import Format
from ecoport.cli.listing import TERMINAL_PAGE, page_of, sort_of
from ecoport.errors import InvalidInput
from ecoport.layout import ELLIPSIS, Column, cell_len, plan, row_lines, shorten, wrap
from ecoport.services.listing import STAKE_SORTS, Page
from ecoport.services.reports import ReportQuery, report, stream_report
from ecoport.store.db import locate, reading
from tests.conftest import Run

BOTH_BACKENDS = True

WIDTHS = (60, 80, 120, 200)


def ok(result: object) -> str:
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    return str(result.stdout)  # type: ignore[attr-defined]


def too_wide(text: str, width: int) -> list[str]:
    """The lines of *text* wider than *width*, but for a line that is one URL (a URL is
    never cut: it may take a line of its own, however long)."""
    return [
        line
        for line in text.splitlines()
        if cell_len(line) > width and not (" " not in line.strip() and "://" in line)
    ]


def ids(table: str) -> list[int]:
    """The IDs of a stake table's rows (an ID, then a date)."""
    return [int(m.group(1)) for m in re.finditer(r"(?m)^ *(\d+)  \d{4}", table)]


def stakes_of(run: Run, *args: str) -> list[dict[str, object]]:
    return list(json.loads(ok(run("stakes", "list", *args, "-f", "json")))["stakes"])


def more_stakes(run: Run, tmp_path: Path, n: int = 60) -> None:
    """*n* stakes more than the seed: amounts in CNY and USD (some undisclosed), a few
    percents, dates of every precision, so that sorts and conversions have ties and NULLs."""
    path = tmp_path / "more.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("investor,startup,sector,date,amount,currency,percent\n")
        for i in range(n):
            date = ("2016", f"2016-{1 + i % 12:02d}", f"2016-{1 + i % 12:02d}-{1 + i % 28:02d}")[
                i % 3
            ]
            amount, currency = ("", "") if i % 5 == 0 else (f"{(i % 7 + 1) * 1234567}.89", "")
            currency = "" if not amount else ("CNY" if i % 2 else "USD")
            percent = f"{i % 9 + 1}.5" if i % 4 == 0 else ""
            out.write(
                f"Fund {i % 4},Startup {i:03d} Robotics Laboratories,iot/robots/r{i % 3},"
                f"{date},{amount},{currency},{percent}\n"
            )
    ok(run("import", str(path)))


# -- the layout, pure ---------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_shorten_cuts_at_a_word_or_path_boundary_never_inside_a_word() -> None:
    assert shorten("iot/smart-home/cleaning", 17) == "iot/smart-home/…"
    assert shorten("iot/wearables", 10) == "iot/…"
    assert shorten("media/video", 10) == "media/…"
    assert shorten("Misfit Wearables", 12) == "Misfit…"
    assert shorten("Misfit Wearables", 16) == "Misfit Wearables"
    # a first word longer than the cell has no boundary to cut at: it is cut, visibly
    assert shorten("Supercalifragilistic", 8) == "Superca…"
    # wide characters take two cells each
    assert cell_len("小米科技") == 8
    assert shorten("小米 科技", 6) == "小米…"
    assert cell_len(shorten("小米科技有限公司", 7)) <= 7


@pytest.mark.sqlite_only
def test_wrap_breaks_at_spaces_and_keeps_a_long_url_whole() -> None:
    text = "Xiaomi set out to invest in more than 100 startups; see https://example.com/" + (
        "a" * 80
    )
    lines = wrap(text, 30)
    assert " ".join(lines) == text
    assert all(len(line) <= 30 for line in lines if "://" not in line)
    assert "https://example.com/" + "a" * 80 in lines
    assert wrap("one\ntwo three", 40) == ["one", "two three"]


@pytest.mark.sqlite_only
def test_plan_leaves_out_the_least_important_columns_and_never_cuts_numbers() -> None:
    columns = [
        Column("ID", right=True, keep=True),
        Column("Name", least=8),
        Column("Amount", priority=1, right=True, keep=True),
        Column("Sector", priority=5, least=12),
        Column("Source", priority=8, least=24),
    ]
    natural = [4, 20, 12, 25, 70]
    assert plan(columns, natural, 200).left_out == ()
    # the source goes first; it is not shortened to nothing while others are cut
    fitted = plan(columns, natural, 80)
    assert fitted.left_out == ("Source",) and fitted.widths[:4] == (4, 20, 12, 25)
    narrow = plan(columns, natural, 45)
    assert narrow.left_out == ("Sector", "Source")
    assert narrow.widths[0] == 4 and narrow.widths[2] == 12 and narrow.width <= 45
    # what must be shown stays, narrowed as far as it goes
    tiny = plan(columns, natural, 20)
    assert tiny.left_out == ("Amount", "Sector", "Source") and tiny.widths[0] == 4
    assert plan(columns, natural, 50, wide=True).widths == tuple(natural)


@pytest.mark.sqlite_only
@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**9),
            st.text(st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=40),
            st.sampled_from(["iot/wearables", "media/video", "iot/smart-home/cleaning", ""]),
            st.decimals(0, 10**6, places=2),
        ),
        min_size=1,
        max_size=20,
    ),
    st.integers(40, 220),
)
def test_every_row_fits_and_keeps_its_numbers_whole(
    rows: list[tuple[int, str, str, Decimal]], width: int
) -> None:
    columns = [
        Column("ID", right=True, keep=True),
        Column("Name", least=10),
        Column("Sector", priority=2, least=12),
        Column("Amount", priority=1, right=True, keep=True),
    ]
    cells = [
        [str(i), name.strip() or "x", sector, f"{amount:,}"] for i, name, sector, amount in rows
    ]
    natural = [
        max([len(c.header)] + [cell_len(r[k]) for r in cells]) for k, c in enumerate(columns)
    ]
    fitted = plan(columns, natural, width)
    for row in cells:
        lines = row_lines(row, columns, fitted.widths)
        assert all(cell_len(line) <= width for line in lines), lines
        assert row[0] in lines[0]  # the ID, whole
        if fitted.widths[3]:
            assert row[3] in lines[0]  # an amount is never shortened


@pytest.mark.sqlite_only
def test_a_table_streams_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A million rows take the memory of a chunk: the first lines are written long before
    the rows run out."""
    made = 0
    seen_at_first_write: list[int] = []

    def rows() -> Iterator[list[str]]:
        nonlocal made
        for i in range(20_000):
            made += 1
            yield [str(i), f"Startup {i}"]

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            seen_at_first_write.append(made)
            return super().write(text)

    out = Out()
    monkeypatch.setattr(sys, "stdout", out)
    shown = render.table(rows(), [Column("ID", right=True, keep=True), Column("Startup")])
    assert shown == 20_000 and out.getvalue().count("\n") == 20_002
    assert seen_at_first_write[0] <= render.SAMPLE_ROWS + 1


@pytest.mark.sqlite_only
def test_streamed_json_is_the_documented_shape() -> None:
    out = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, out
    try:
        render.stream_json({"stakes": iter([{"id": 1}, {"id": 2, "name": "小米"}])})
        render.stream_json({"stakes": iter([])})
        render.stream_json(
            {"filters": {"sector": None}, "stakes": iter([{"id": 3}]), "totals": lambda: {"n": 1}}
        )
    finally:
        sys.stdout = sys_stdout
    decoder, text, docs = json.JSONDecoder(), out.getvalue(), []
    at = 0
    while at < len(text.strip()):
        doc, at = decoder.raw_decode(text, at)
        docs.append(doc)
        at += 1
    assert docs == [
        {"stakes": [{"id": 1}, {"id": 2, "name": "小米"}]},
        {"stakes": []},
        {"filters": {"sector": None}, "stakes": [{"id": 3}], "totals": {"n": 1}},
    ]


@pytest.mark.sqlite_only
def test_sort_and_page_options_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sort_of("amount:desc", STAKE_SORTS) == ("amount", True)
    assert sort_of("Date", STAKE_SORTS) == ("date", False)
    with pytest.raises(InvalidInput, match="choose one of date, id, investor"):
        sort_of("colour", STAKE_SORTS)
    with pytest.raises(InvalidInput, match="asc or desc"):
        sort_of("date:sideways", STAKE_SORTS)
    with pytest.raises(InvalidInput, match="not both"):
        page_of(Format.table, limit=3, offset=0, every=True, sort=None, fields=STAKE_SORTS)
    monkeypatch.setenv("ECOPORT_TERMINAL", "1")
    page = page_of(Format.table, limit=None, offset=0, every=False, sort=None, fields=STAKE_SORTS)
    assert page.limit == TERMINAL_PAGE
    csv_page = page_of(Format.csv, limit=None, offset=0, every=False, sort=None, fields=())
    assert csv_page.whole
    monkeypatch.setenv("ECOPORT_TERMINAL", "0")
    assert page_of(Format.table, limit=None, offset=0, every=False, sort=None, fields=()).whole


@pytest.mark.sqlite_only
def test_width_is_fixed_for_pipes_unless_columns_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("ECOPORT_TERMINAL", raising=False)
    assert render.width() == render.PIPE_WIDTH == 200  # CliRunner's stdout is no terminal
    monkeypatch.setenv("COLUMNS", "73")
    assert render.width() == 73


# -- tables that fit, through the CLI --------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_every_table_fits_the_width(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    commands = [
        ("report", "--investor", "Xiaomi"),
        ("report", "--sector", "iot", "--exact"),
        ("stakes", "list"),
        ("stakes", "show", "1"),
        ("companies", "show", "Xiaomi"),
        ("companies", "show", "Segway"),
        ("companies", "list"),
        ("rounds", "list"),
        ("rounds", "show", "5"),
        ("progress",),
        ("config", "show"),
    ]
    for command in commands:
        out = ok(run(*command))
        assert out.strip(), command
        assert not too_wide(out, width), (command, too_wide(out, width))
    # every stake's ID, date and startup, whole, on its row
    for command, stakes in (
        (("stakes", "list"), stakes_of(run)),
        (("report", "--investor", "Xiaomi"), stakes_of(run, "--investor", "Xiaomi")),
    ):
        lines = ok(run(*command)).splitlines()
        for s in stakes:
            assert any(
                line.split()[:2] == [str(s["id"]), s["date"]] and str(s["startup"]) in line
                for line in lines
            ), (command, s["id"])
    del seeded


def test_cells_are_shortened_at_word_boundaries_and_what_is_left_out_is_named(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = ok(run("report", "--investor", "Xiaomi"))
    # no cell broken inside a word, as rich's folding did (media/vide|o, iot/wearab|les)
    for broken in ("media/vide\n", "iot/wearab\n", "tar\nget"):
        assert broken not in out
    assert "Left out to fit 80 columns: Investor, Sector, Source; --wide shows every column." in out
    header = out.splitlines()[1].split()
    assert header == ["ID", "Date", "Startup", "Kind", "Amount", "In", "USD", "%"]
    # prose wraps between words: the words, joined again, are the sentence
    summary = out[out.index("17 stakes in") :].split("\nIn 6 rounds")[0]
    assert " ".join(summary.split("\n")) == (
        "17 stakes in 15 distinct startups by 1 investor; amounts undisclosed for 9 of 13 "
        "transactions, percentages undisclosed for 11 of 17 stakes."
    )
    wide = ok(run("report", "--investor", "Xiaomi", "--wide"))
    assert wide.splitlines()[1].split()[-1] == "Source" and "Left out" not in wide
    assert "ibtimes.com/xiaomi-invest-205m-chinese-home-appliance-company-midea-1756828" in wide
    # at 200 columns the source is whole: nothing is cut
    monkeypatch.setenv("COLUMNS", "200")
    roomy = ok(run("stakes", "list"))
    assert "ibtimes.com/xiaomi-invest-205m-chinese-home-appliance-company-midea-1756828" in roomy
    assert "Left out" not in roomy
    for s in stakes_of(run):
        short = str(s["source"]).split("://", 1)[1].removeprefix("www.")
        if len(short) <= 80:  # only the few longest are shortened
            assert short in roomy, short
    del seeded


def test_detail_views_print_every_url_whole(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    sources = {s["id"]: s["source"] for s in stakes_of(run)}
    shown = ok(run("stakes", "show", "1")).splitlines()
    assert sources[1] in shown  # on a line of its own: too long to sit beside its label
    company = ok(run("companies", "show", "Xiaomi"))
    xiaomi = stakes_of(run, "--investor", "Xiaomi")
    for s in xiaomi:
        assert str(s["source"]) in company.splitlines() or f": {s['source']}" in company
    assert "Sources" in company and ELLIPSIS not in company.split("Sources")[1]
    del seeded


# -- lists that scale ------------------------------------------------------------------------


def test_a_terminal_shows_a_page_and_says_how_many_more(
    run: Run, seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    more_stakes(run, tmp_path)
    every = stakes_of(run)
    assert len(every) == 92
    monkeypatch.setenv("ECOPORT_TERMINAL", "1")
    monkeypatch.setenv("COLUMNS", "100")
    page = ok(run("stakes", "list"))
    assert ids(page) == [s["id"] for s in every[:TERMINAL_PAGE]]
    assert "50 of 92 stakes shown; --all for every one, --limit/--offset to page." in page
    second = ok(run("stakes", "list", "--limit", "20", "--offset", "50"))
    assert "51–70 of 92 stakes shown" in second
    assert ids(second) == [s["id"] for s in every[50:70]]
    whole = ok(run("stakes", "list", "--all"))
    assert "shown;" not in whole
    assert ids(whole) == [s["id"] for s in every]
    # CSV and JSON are every row, even on a terminal
    assert len(list(csv.DictReader(io.StringIO(ok(run("stakes", "list", "-f", "csv")))))) == 92
    assert len(stakes_of(run)) == 92
    assert len(stakes_of(run, "--limit", "7")) == 7
    listed = ok(run("companies", "list", "--limit", "5"))
    assert "5 of" in listed and "companies shown" in listed
    rounds = ok(run("rounds", "list", "--limit", "2"))
    assert "2 of 7 rounds shown" in rounds
    report_page = ok(run("report", "--limit", "10"))
    assert "10 of 92 stakes shown" in report_page
    assert "92 stakes in" in report_page  # the totals count every stake, not the page
    past = run("stakes", "list", "--offset", "500")
    assert past.exit_code == 0 and "no stakes after the first 500" in past.stderr
    del seeded


def test_piped_output_lists_every_row(
    run: Run, seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    more_stakes(run, tmp_path)
    # aliases are read a batch of companies at a time, while the companies stream
    monkeypatch.setattr("ecoport.services.companies._ALIAS_BATCH", 7)
    table = ok(run("stakes", "list"))
    assert len(ids(table)) == 92
    assert "shown;" not in table
    companies = json.loads(ok(run("companies", "list", "-f", "json")))
    assert set(companies) == {"companies"} and len(companies["companies"]) == 26 + 64
    assert set(companies["companies"][0]) == {
        "name",
        "sector",
        "aliases",
        "holders",
        "holdings",
        "stakes",
    }
    xiaomi = next(c for c in companies["companies"] if c["name"] == "Xiaomi")
    assert xiaomi["aliases"] == ["Xiaomi Corporation", "Xiaomi Inc.", "小米"]
    assert sum(len(c["aliases"]) for c in companies["companies"]) == 30
    rounds = json.loads(ok(run("rounds", "list", "-f", "json")))
    assert isinstance(rounds, list) and len(rounds) == 7
    empty = json.loads(
        ok(run("stakes", "list", "--startup", "Segway", "--until", "2001", "-f", "json"))
    )
    assert empty == {"stakes": []}
    del seeded


def test_sort_is_done_in_sql_the_same_on_both_backends(
    run: Run, seeded: Path, tmp_path: Path
) -> None:
    more_stakes(run, tmp_path)
    every = stakes_of(run)

    def amount_key(s: dict[str, object]) -> tuple[object, ...]:
        # undisclosed first, amounts within their currency, then date (less precise first)
        # and ID: a total order
        precision = {4: 0, 7: 1, 10: 2}[len(str(s["date"]))]
        start = str(s["date"]) + {4: "-01-01", 7: "-01", 10: ""}[len(str(s["date"]))]
        return (
            s["currency"] is not None,
            s["currency"] or "",
            s["amount"] is not None,
            Decimal(str(s["amount"] or 0)),
            start,
            precision,
            s["id"],
        )

    by_amount = stakes_of(run, "--sort", "amount")
    assert [s["id"] for s in by_amount] == [s["id"] for s in sorted(every, key=amount_key)]
    down = stakes_of(run, "--sort", "amount:desc")
    assert [s["id"] for s in down] == [s["id"] for s in reversed(by_amount)]
    by_startup = stakes_of(run, "--sort", "startup", "--limit", "5", "--offset", "3")
    assert [s["id"] for s in by_startup] == [s["id"] for s in stakes_of(run, "--sort", "startup")][
        3:8
    ]
    assert [s["percent"] for s in stakes_of(run, "--sort", "percent")][:3] == [None] * 3
    rounds = json.loads(ok(run("rounds", "list", "--sort", "participants:desc", "-f", "json")))
    assert [r["participants"] for r in rounds] == sorted(
        (r["participants"] for r in rounds), reverse=True
    )
    companies = json.loads(ok(run("companies", "list", "--sort", "stakes:desc", "-f", "json")))
    assert companies["companies"][0]["name"] == "Xiaomi"
    bad = run("stakes", "list", "--sort", "colour")
    assert bad.exit_code == 2 and bad.stdout == ""
    assert bad.stderr.strip().count("\n") == 0
    assert "--sort" in bad.stderr and "choose one of date, id, investor, startup" in bad.stderr
    both = run("stakes", "list", "--all", "--limit", "3")
    assert both.exit_code == 2 and "not both" in both.stderr
    del seeded


def test_a_page_of_a_report_has_the_totals_of_every_stake(
    run: Run, seeded: Path, tmp_path: Path, isolated: object
) -> None:
    """Totals read from the database (each distinct amount converted once) equal the sums
    of the stakes converted one by one, rounding and all."""
    more_stakes(run, tmp_path)
    with reading(locate(str(isolated))) as reader:
        whole = report(reader, ReportQuery(into="EUR"))
        built = stream_report(reader, ReportQuery(into="EUR"), Page(limit=3, offset=4))
        shown = list(built.stakes.rows)
        totals = built.totals()
        assert built.stakes.count() == len(whole["stakes"]) == 92
    assert [s["id"] for s in shown] == [s["id"] for s in whole["stakes"][4:7]]
    assert totals == whole["totals"]
    assert totals["in"]["not_converted"] == whole["totals"]["in"]["not_converted"]
    one_by_one = sum(
        Decimal(s["converted"]["amount"])
        for s in whole["stakes"]
        if s["converted"] and s["kind"] in ("investment", "acquisition")
    )
    assert Decimal(totals["in"]["invested"]) == one_by_one
    streamed = json.loads(ok(run("report", "--in", "EUR", "-f", "json")))
    # as printed, the rule's command is spelled (`ecoport fx set`) where the service says
    # {command:fx set}
    from ecoport.cli.common import spelled

    printed = json.loads(spelled(json.dumps(whole["totals"], ensure_ascii=False)))
    assert streamed["totals"] == printed and streamed["filters"] == whole["filters"]
    assert [s["id"] for s in streamed["stakes"]] == [s["id"] for s in whole["stakes"]]
    del seeded


@pytest.mark.sqlite_only
def test_a_reader_that_goes_away_ends_the_listing_quietly(
    run: Run, seeded: Path, tmp_path: Path
) -> None:
    more_stakes(run, tmp_path, 2000)  # far more than a pipe holds
    env = {**os.environ, "ECOPORT_DB": str(seeded)}
    env.pop("ECOPORT_TERMINAL", None)
    for args in (["stakes", "list"], ["stakes", "list", "-f", "json"], ["report", "-f", "csv"]):
        done = subprocess.run(
            f"{sys.executable} -m ecoport {' '.join(args)} | head -1",
            shell=True,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and done.stdout.count("\n") == 1
        assert done.stderr == "", done.stderr
