"""Services on a temporary database: adding stakes, the seed, progress and reports."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from ecoport.core.dates import parse_date
from ecoport.core.money import Money
from ecoport.errors import Conflict, InvalidInput
from ecoport.services.progress import ProgressQuery, StakeMark, progress
from ecoport.services.reports import ReportQuery, report
from ecoport.services.seed import bundled_seed, load_seed
from ecoport.services.stakes import AddOptions, StakeCreate, add_stake
from ecoport.store.db import Location, Reader, locate, reading, writing

BOTH_BACKENDS = True


@pytest.fixture
def loc(isolated: Path) -> Location:
    return locate(str(isolated))


@pytest.fixture
def seeded_loc(loc: Location) -> Location:
    with writing(loc) as session:
        load_seed(session=session, path=bundled_seed())
    return loc


@pytest.fixture
def reader(seeded_loc: Location) -> Iterator[Reader]:
    with reading(seeded_loc) as r:
        yield r


def stake(**kw: object) -> StakeCreate:
    base: dict[str, object] = {
        "investor": "Xiaomi",
        "startup": "Acme Robotics",
        "sector": "iot/robots",
        "date": parse_date("2015-06-01"),
    }
    base.update(kw)
    return StakeCreate(**base)  # type: ignore[arg-type]


def test_add_stake_creates_companies_and_stores_exact_values(loc: Location) -> None:
    with writing(loc) as session:
        result = add_stake(
            session=session,
            stake_in=stake(amount=Money(Decimal("1266000000.10"), "CNY"), percent=Decimal("1.288")),
        )
    assert result.created == ["Xiaomi", "Acme Robotics"]
    assert result.stake["amount"] == "1266000000.10"
    assert result.stake["percent"] == "1.288"
    assert result.stake["date"] == "2015-06-01"


def test_near_duplicate_is_refused_and_nothing_is_written(seeded_loc: Location) -> None:
    with pytest.raises(Conflict, match="looks like 'Xiaomi'"), writing(seeded_loc) as session:
        add_stake(session=session, stake_in=stake(investor="Xioami"))
    with reading(seeded_loc) as r:
        names = {row[0] for row in r.rows("SELECT name FROM company")}
    assert "Xioami" not in names and "Acme Robotics" not in names
    with writing(seeded_loc) as session:
        result = add_stake(
            session=session,
            stake_in=stake(investor="Xioami"),
            options=AddOptions(new_company=True),
        )
    assert "Xioami" in result.created


def test_another_spelling_resolves_and_real_different_names_are_not_refused(
    seeded_loc: Location,
) -> None:
    with writing(seeded_loc) as session:
        result = add_stake(session=session, stake_in=stake(investor="XIAOMI Corp."))
    assert result.resolved == {"XIAOMI Corp.": "Xiaomi"}
    assert "Xiaomi" not in result.created
    for name in ("GGV Capital II", "Sequoia Capital China Fund 2"):
        with writing(seeded_loc) as session:
            added = add_stake(
                session=session, stake_in=stake(investor=name, startup="Segway", sector=None)
            )
        assert added.created == [name]


def test_alias_resolves_to_the_company(seeded_loc: Location) -> None:
    with writing(seeded_loc) as session:
        result = add_stake(session=session, stake_in=stake(startup="ZMI", sector=None))
    assert result.stake["startup"] == "Zimi"
    assert result.resolved == {"ZMI": "Zimi"}
    assert result.created == []


def test_sector_must_agree_unless_changed(seeded_loc: Location) -> None:
    with pytest.raises(Conflict, match="in sector iot/accessories"), writing(seeded_loc) as session:
        add_stake(session=session, stake_in=stake(startup="Zimi", sector="mobility"))
    with writing(seeded_loc) as session:  # a parent of the stored sector agrees
        add_stake(
            session=session,
            stake_in=stake(startup="Zimi", sector="iot"),
            options=AddOptions(allow_duplicate=True),
        )
    with writing(seeded_loc) as session:
        result = add_stake(
            session=session,
            stake_in=stake(startup="Zimi", sector="mobility"),
            options=AddOptions(change_sector=True, allow_duplicate=True),
        )
    assert result.sector_changed == ("Zimi", "iot/accessories", "mobility")


def test_new_startup_needs_a_sector(loc: Location) -> None:
    with pytest.raises(InvalidInput, match="new company"), writing(loc) as session:
        add_stake(session=session, stake_in=stake(sector=None))


def test_seed_twice_adds_nothing(seeded_loc: Location) -> None:
    with reading(seeded_loc) as r:
        before = r.rows("SELECT COUNT(*) FROM stake")[0][0]
    with writing(seeded_loc) as session:
        again = load_seed(session=session, path=bundled_seed())
    assert again.stakes_added == 0 and again.already_present == before
    assert again.companies_created == 0 and again.targets_set == 0


def test_seed_covers_every_reference_fact(reader: Reader) -> None:
    """Each (investor, startup) pair of the reference facts is in the seed, with its URL."""
    import csv

    facts = Path(__file__).resolve().parents[2] / "shared/reference/xiaomi_ecosystem_facts.csv"
    if not facts.exists():
        pytest.skip("../shared/reference is not present")
    stored = {
        (i, c, s)
        for i, c, s in reader.rows(
            "SELECT i.name, c.name, s.source FROM stake s JOIN company i ON i.id = s.investor_id "
            "JOIN company c ON c.id = s.company_id"
        )
    }
    from ecoport.services.lookup import find_company

    with facts.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            startup_name = row["startup"].split(" (")[0]
            startup = find_company(reader, startup_name)
            assert startup is not None, row["startup"]
            for investor_name in row["investor"].split(";"):
                investor = find_company(reader, investor_name)
                assert investor is not None, investor_name
                assert (investor.name, startup.name, row["source_url"]) in stored, row


def test_progress_on_the_seed(reader: Reader) -> None:
    result = progress(reader, ProgressQuery(as_of=dt.date(2026, 11, 21)))
    (xiaomi,) = result.investors
    assert xiaomi.investor == "Xiaomi" and xiaomi.target == 100
    assert xiaomi.target_note and "more than 100 startups" in xiaomi.target_note
    assert xiaomi.target_source and "chinadaily" in xiaomi.target_source
    assert xiaomi.companies == 15
    assert xiaomi.percent_of_target == Decimal("15.00")
    # Segway is held by Ninebot, whose Xiaomi stake is of unknown size: not a subsidiary
    assert xiaomi.through_portfolio == ()
    assert xiaomi.first_stake == StakeMark(parse_date("2014-11"), "Youku Tudou")
    assert xiaomi.latest_stake == StakeMark(parse_date("2025-07-29"), "Kingsoft Cloud")
    assert {s.sector: s.companies for s in xiaomi.sectors} == {
        "iot": 9,
        "media": 2,
        "cloud": 2,
        "home": 1,
        "mobility": 1,
    }
    assert xiaomi.invested == (
        Money(Decimal("1266000000.00"), "CNY"),
        Money(Decimal("357840000.00"), "USD"),  # 21Vianet 50M + Zimi 102.84M + 205M
    )
    assert xiaomi.pace_since == dt.date(2014, 11, 1)
    # the JSON keeps its documented shape, exact amounts as strings
    data = result.to_json()["investors"][0]
    assert data["percent_of_target"] == "15.00"
    assert data["first_stake"] == {"date": "2014-11", "startup": "Youku Tudou"}
    assert data["invested"] == [
        {"currency": "CNY", "amount": "1266000000.00"},
        {"currency": "USD", "amount": "357840000.00"},
    ]
    assert data["pace_since"] == "2014-11-01"


def test_progress_as_of_a_past_date_counts_only_what_was_known(reader: Reader) -> None:
    result = progress(reader, ProgressQuery(investor="Xiaomi", as_of=dt.date(2014, 12, 31)))
    (xiaomi,) = result.investors
    # 2014: Youku, iQiyi, 21Vianet, Misfit, Midea, Smartmi, Yeelight
    assert xiaomi.companies == 7
    assert xiaomi.latest_stake is not None
    assert xiaomi.latest_stake.date.end <= dt.date(2014, 12, 31)


def test_report_sector_includes_sub_sectors(reader: Reader) -> None:
    data = report(reader, ReportQuery(sector="iot"))
    assert {s["sector"].split("/")[0] for s in data["stakes"]} == {"iot"}
    assert data["totals"]["startups"] == 9
    assert data["totals"]["by_currency"] == [
        {"currency": "USD", "invested": "307840000.00", "realised": "0.00"}
    ]


def test_report_until_before_since_is_refused(reader: Reader) -> None:
    with pytest.raises(InvalidInput, match="before {option:since}"):
        report(reader, ReportQuery(since=parse_date("2015"), until=parse_date("2014-06")))
