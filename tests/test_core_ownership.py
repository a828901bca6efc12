"""Kinds of events, and pace (positions and look-through: tests/test_positions.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from ecoport.core.ownership import Kind, parse_kind
from ecoport.core.pace import add_months, project, quarter
from ecoport.errors import InvalidInput

D = Decimal


def test_parse_kind() -> None:
    assert parse_kind("Write off") is Kind.WRITE_OFF
    assert parse_kind("ACQUISITION") is Kind.ACQUISITION
    with pytest.raises(InvalidInput, match="unknown kind"):
        parse_kind("gift")


def test_projection_in_whole_days_and_the_horizon() -> None:
    day = dt.date
    entries = [day(2020, 1, 1), day(2020, 7, 1), day(2021, 1, 1)]
    # 3 entries in 366 days (2020-01-01 to 2021-01-01); 2 more to 5: 2 x 366 / 3 = 244 days
    p = project(entries, since=day(2020, 1, 1), as_of=day(2021, 1, 1), held=3, target=5)
    assert p.companies == 3 and p.falls == day(2021, 9, 2) and not p.beyond_horizon
    assert quarter(p.falls) == "2021-Q3"
    far = project(entries, since=day(2020, 1, 1), as_of=day(2021, 1, 1), held=3, target=100)
    assert far.falls is None and far.beyond_horizon  # 97 x 122 days: beyond 20 years
    none = project(entries, since=day(2021, 6, 1), as_of=day(2022, 6, 1), held=3, target=5)
    assert none.companies == 0 and none.per_month == 0 and none.beyond_horizon
    done = project(entries, since=day(2020, 1, 1), as_of=day(2021, 1, 1), held=5, target=5)
    assert done.falls is None and not done.beyond_horizon
    assert add_months(day(2024, 3, 31), -1) == day(2024, 2, 29)
