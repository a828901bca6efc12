"""Percentages, partial dates, sector paths and company names."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoport.core.dates import PartialDate, Precision, parse_date
from ecoport.core.names import clean_name, match_key, name_key, near_duplicates, similar
from ecoport.core.percent import format_percent, from_micro, parse_percent, to_micro
from ecoport.core.sectors import at_depth, normalize_sector, within
from ecoport.errors import InvalidInput

TODAY = dt.date(2026, 11, 21)


def test_percent_is_exact() -> None:
    assert parse_percent("1.29") == Decimal("1.29")
    assert parse_percent("1.288%") == Decimal("1.288")
    assert parse_percent("100") == Decimal(100)
    assert to_micro(Decimal("1.29")) == 1_290_000
    assert from_micro(1_290_000) == Decimal("1.29")
    assert format_percent(from_micro(100_000_000)) == "100%"


@pytest.mark.parametrize("text", ["0", "-1", "100.0001", "140", "abc", "", "1.1234567", "1e2"])
def test_percent_refuses(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_percent(text)


@given(st.integers(min_value=1, max_value=100_000_000))
def test_percent_round_trip(micro: int) -> None:
    value = from_micro(micro)
    assert to_micro(parse_percent(format_percent(value))) == micro


def test_partial_dates_keep_precision_and_sort() -> None:
    year = parse_date("2014", today=TODAY)
    month = parse_date("2014-12", today=TODAY)
    day = parse_date("2014-12-14", today=TODAY)
    assert (year.precision, month.precision, day.precision) == (
        Precision.YEAR,
        Precision.MONTH,
        Precision.DAY,
    )
    assert [str(d) for d in (year, month, day)] == ["2014", "2014-12", "2014-12-14"]
    assert month.start == dt.date(2014, 12, 1) and month.end == dt.date(2014, 12, 31)
    assert year.end == dt.date(2014, 12, 31)
    assert sorted([day, month, year]) == [year, month, day]
    assert PartialDate.from_stored("2014-12-01", "month") == month


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2014-13", "not a valid date"),
        ("2014-02-30", "not a valid date"),
        ("14/12/2014", "day or month first"),
        ("05/072018", "not a date"),
        ("2027-01-01", "in the future"),
        ("1201-11-03", "before 1800"),
        ("", "not a date"),
    ],
)
def test_bad_dates(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_date(text, today=TODAY)


def test_today_is_not_the_future() -> None:
    assert parse_date("2026-11-21", today=TODAY).start == TODAY
    assert parse_date("2026", today=TODAY).precision is Precision.YEAR


def test_sector_paths() -> None:
    assert normalize_sector("IoT / Smart Home") == "iot/smart-home"
    assert normalize_sector("iot/smart_home//air ") == "iot/smart-home/air"
    assert at_depth("iot/smart-home/air", 2) == "iot/smart-home"
    assert at_depth("iot", 2) == "iot"
    assert within("iot/wearables", "iot")
    assert within("iot", "iot")
    assert not within("iota", "iot")
    for bad in ("", "/", "%%%", "a/b/c/d/e/f"):
        with pytest.raises(InvalidInput):
            normalize_sector(bad)


def test_names() -> None:
    assert clean_name("  Midea   Group ") == "Midea Group"
    assert name_key("XIAOMI") == name_key("xiaomi ")
    assert match_key("Midea Group Co., Ltd.") == match_key("Midea Group")
    assert match_key("Xiaomi Corp") == match_key("XIAOMI") == match_key("Ｘｉａｏｍｉ")
    assert match_key("Smart Mi") == match_key("Smartmi")
    assert match_key("Roborock Inc") == match_key("roborock")
    assert match_key("Nestlé S.A.") == match_key("Nestlé")
    assert match_key("Johnson & Johnson") == match_key("Johnson and Johnson")
    assert match_key("小米") == "小米"
    # numbers, generations and places are part of the name
    assert match_key("Fund 1") != match_key("Fund 2")
    assert match_key("GGV Capital") != match_key("GGV Capital II")
    assert match_key("Sequoia Capital") != match_key("Sequoia Capital India")
    # a name that is nothing but legal words keeps them
    assert match_key("Company") == "company"
    assert clean_name("小米") == "小米"
    with pytest.raises(InvalidInput):
        clean_name("   ")


def test_different_names_are_not_near_duplicates() -> None:
    for a, b in [
        ("Fund 1", "Fund 2"),
        ("GGV Capital", "GGV Capital II"),
        ("Sequoia Capital", "Sequoia Capital India"),
        ("Kingsoft", "Kingsoft Cloud"),
        ("Accel Partners", "Accel Partners III"),
    ]:
        assert similar(a, b) == 0, (a, b)
        assert near_duplicates(a, [(b, b)]) == []
    assert similar("Roborock", "Roborok") > 80
    assert similar("Midea", "Midea Group") == 95


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Xiaomi Inc.", "Xiaomi"),
        ("xiaomi", "Xiaomi"),
        ("Xioami", "Xiaomi"),
        ("Midea", "Midea Group"),
        ("Mdea Group", "Midea Group"),
        ("ZMl", None),  # three letters: too short to call a typo
        ("Roborock", None),
        ("Yeelight", None),
    ],
)
def test_near_duplicates(typed: str, expected: str | None) -> None:
    existing = [
        ("Xiaomi", "Xiaomi"),
        ("Midea Group", "Midea Group"),
        ("ZMI", "Zimi"),
        ("Zimi", "Zimi"),
        ("Dreame", "Dreame"),
    ]
    found = near_duplicates(typed, existing)
    assert (found[0] if found else None) == expected
