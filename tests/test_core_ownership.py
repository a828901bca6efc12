"""Holdings derived from events, look-through percentages, and pace."""

import datetime as dt
from decimal import Decimal

import pytest

from ecoport.core.ownership import Kind, Position, look_through, parse_kind, position
from ecoport.core.pace import pace
from ecoport.errors import InvalidInput

D = Decimal


def test_position_adds_investments_and_subtracts_sales() -> None:
    pos = position([(Kind.INVESTMENT, D("10")), (Kind.INVESTMENT, D("5.5")), (Kind.SALE, D("3"))])
    assert pos == Position(D("12.5"), True, True)
    assert pos.describe() == "12.5%"


def test_undisclosed_percent_makes_the_holding_incomplete() -> None:
    pos = position([(Kind.INVESTMENT, None), (Kind.INVESTMENT, D("27.44"))])
    assert pos.exact is None
    assert pos.describe() == "27.44% + undisclosed"
    assert position([(Kind.INVESTMENT, None)]).describe() == "undisclosed"


def test_holding_replaces_and_acquisition_makes_100() -> None:
    assert position([(Kind.INVESTMENT, None), (Kind.HOLDING, D("19.3"))]).exact == D("19.3")
    zimi = [(Kind.INVESTMENT, D("27.44")), (Kind.ACQUISITION, D("50.09"))]
    assert position(zimi).exact == D(100)


def test_exit_and_write_off_end_the_holding() -> None:
    for kind in (Kind.EXIT, Kind.WRITE_OFF):
        pos = position([(Kind.INVESTMENT, D("10")), (kind, None)])
        assert not pos.active and pos.exact is None and pos.describe() == "exited"


def test_parse_kind() -> None:
    assert parse_kind("Write off") is Kind.WRITE_OFF
    assert parse_kind("ACQUISITION") is Kind.ACQUISITION
    with pytest.raises(InvalidInput, match="unknown kind"):
        parse_kind("gift")


def test_look_through_multiplies_known_links_and_cuts_cycles() -> None:
    full = Position(D(100), True, True)
    half = Position(D(50), True, True)
    unknown = Position(D(0), False, True)
    graph = {
        "A": [("B", half), ("C", unknown)],
        "B": [("D", full), ("A", half)],  # B holds A back: a cycle
        "C": [("E", full)],
    }
    chains = {c.path: c.percent for c in look_through("A", graph)}
    assert chains == {("A", "B", "D"): D(50), ("A", "C", "E"): None}


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
