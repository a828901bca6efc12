"""The burn-up chart in the terminal: fits 80 columns, plain characters without colour, the
target, the paces and the milestones drawn and named; from the seed's progress too."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from ecoport.charts import (
    Milestone,
    PaceLine,
    burn_up,
    burn_up_data,
    count_ticks,
    draw,
    year_ticks,
)
from ecoport.services.progress import ProgressQuery, progress
from ecoport.store.db import locate, reading
from tests.conftest import Run

ANSI = re.compile(r"\x1b\[")
AS_OF = dt.date(2026, 11, 21)


def seed_like() -> list[dt.date]:
    return [dt.date(2014, 11, 1) + dt.timedelta(days=d) for d in (0, 18, 29, 30, 31, 43, 165)] + [
        dt.date(2016, 3, 29),
        dt.date(2018, 2, 8),
        dt.date(2020, 5, 21),
    ]


def chart(width: int = 80, colour: bool = False) -> str:
    data = burn_up_data(
        seed_like(),
        target=100,
        as_of=AS_OF,
        companies=12,
        paces=[
            PaceLine(Decimal("0.08"), "the whole period"),
            PaceLine(Decimal("0.5"), "the last 12 months"),
        ],
        milestones=[
            Milestone(dt.date(2014, 12, 31), 25, "2014-12: about 25 companies reported; 7 held"),
            Milestone(dt.date(2015, 4, 30), 20, "2015-04: about 20 startups reported; 8 held"),
        ],
        title="Xiaomi: 12 of 100 companies",
    )
    return draw(data, width=width, colour=colour)


@pytest.mark.parametrize("width", [80, 60, 120])
def test_the_chart_fits_the_width_in_plain_characters(width: int) -> None:
    text = chart(width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width, text
    assert not ANSI.search(text)
    assert 12 <= len(lines) <= 40


def test_colour_codes_only_when_asked() -> None:
    assert ANSI.search(chart(colour=True))
    assert not ANSI.search(chart(colour=False))


def test_target_paces_and_milestones_are_drawn_and_named() -> None:
    text = chart()
    assert "Xiaomi: 12 of 100 companies" in text
    assert "target 100" in text
    assert "100┤" in text  # the target is a tick of the y axis
    assert "pace over the whole period, 0.08/month" in text
    assert "pace over the last 12 months, 0.50/month" in text
    assert "◆1 2014-12: about 25 companies reported; 7 held" in text
    assert "◆2 2015-04" in text
    assert text.count("◆") >= 3  # the points, the key, the notes
    assert "2 companies with no known entry date drawn at 2026-11-21." in text
    for year in ("2015", "2020", "2025"):
        assert year in text


def test_a_pace_that_reaches_the_target_stops_there() -> None:
    entries = [dt.date(2024, 1, 1) + dt.timedelta(days=10 * i) for i in range(30)]
    data = burn_up_data(
        entries,
        target=40,
        as_of=dt.date(2024, 12, 31),
        paces=[PaceLine(Decimal("2"), "the whole period"), PaceLine(Decimal("1"), "12 months")],
    )
    fast, slow = data.projections
    assert fast.reaches == dt.date(2025, 6, 1) and fast.end == fast.reaches
    assert round(fast.end_count) == 40
    assert slow.reaches == dt.date(2025, 10, 31) and data.end == slow.reaches
    assert data.top > 40 and data.start < entries[0]


def test_no_projection_at_the_target_or_without_a_pace() -> None:
    entries = [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(5)]
    done = burn_up_data(
        entries, target=5, as_of=dt.date(2021, 1, 1), paces=[PaceLine(Decimal(1), "x")]
    )
    assert done.projections == () and done.count == 5
    none = burn_up_data([], target=100, as_of=dt.date(2021, 1, 1))
    assert none.steps == () and "companies (0)" in draw(none)
    flat = burn_up_data(entries, target=50, as_of=dt.date(2021, 1, 1), paces=[PaceLine(0, "y")])
    assert flat.projections[0].end_count == 5
    assert "At the pace over y (none) the target is not reached." in flat.notes


def test_ticks() -> None:
    assert year_ticks(dt.date(2014, 11, 1), dt.date(2038, 12, 1), 8) == [
        (float(y), str(y)) for y in (2015, 2020, 2025, 2030, 2035)
    ]
    months = year_ticks(dt.date(2024, 1, 1), dt.date(2025, 1, 15), 8)
    assert [label for _, label in months][:2] == ["2024-01", "2024-03"]
    assert count_ticks(109, 100) == [0, 25, 50, 75, 100]
    assert count_ticks(55, 50) == [0, 20, 40, 50]
    assert count_ticks(64_000, 100) == [0, 20_000, 40_000, 60_000]


def test_the_seed_s_burn_up(seeded: Path) -> None:
    with reading(locate(str(seeded))) as reader:
        result = progress(reader, ProgressQuery(as_of=AS_OF))
    (inv,) = result.investors
    text = burn_up(inv, result.as_of, 80, False)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert not ANSI.search(text)
    assert f"{inv.investor}: {inv.companies} of {inv.target} companies" in text
    assert f"target {inv.target}" in text
    assert "pace over the whole period" in text
    for n, m in enumerate(inv.milestones, start=1):
        assert f"◆{n} {m.by}" in text


def test_progress_chart_through_the_cli(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecoport.cli.progress import progress as command

    if "chart" not in command.__code__.co_varnames:
        pytest.skip("ecoport progress has no --chart option yet")
    monkeypatch.setenv("COLUMNS", "80")
    result = run("progress", "--chart", "--as-of", "2026-11-21")
    assert result.exit_code == 0, result.stderr
    assert "▄ companies" in result.stdout and "target 100" in result.stdout
    assert not ANSI.search(result.stdout)  # into a pipe: plain characters
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    del seeded
