"""Kinds of events, and pace (positions and look-through: tests/test_positions.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from ecoport.core.ownership import Kind, parse_kind
from ecoport.core.pace import pace
from ecoport.errors import InvalidInput

D = Decimal


def test_parse_kind() -> None:
    assert parse_kind("Write off") is Kind.WRITE_OFF
    assert parse_kind("ACQUISITION") is Kind.ACQUISITION
    with pytest.raises(InvalidInput, match="unknown kind"):
        parse_kind("gift")


def test_pace_projects_the_target_date() -> None:
    first = [dt.date(2020, 1, 1)] * 12  # 12 companies in 12 months -> ~1 a month
    result = pace(first, target=24, as_of=dt.date(2021, 1, 1))
    assert result.per_month is not None
    assert D("0.98") < result.per_month < D("1.0")
    assert result.target_date is not None
    assert dt.date(2021, 12, 25) < result.target_date < dt.date(2022, 1, 15)
    assert not result.reached


def test_pace_when_reached_and_when_empty() -> None:
    dates = [dt.date(2014, 1, 1), dt.date(2014, 6, 1), dt.date(2015, 1, 1)]
    reached = pace(dates, target=2, as_of=dt.date(2016, 1, 1))
    assert reached.reached and reached.target_date == dt.date(2014, 6, 1)
    assert pace([], target=100, as_of=dt.date(2016, 1, 1)).per_month is None
    same_day = pace([dt.date(2016, 1, 1)], target=5, as_of=dt.date(2016, 1, 1))
    assert same_day.per_month is None and same_day.target_date is None
