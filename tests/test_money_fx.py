"""Issue 3: amounts as people write them, conversion at the rate of the day, valuations."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecoport.core.dates import parse_date
from ecoport.core.fx import (
    conversion_day,
    convert,
    convert_minor,
    implied_valuation,
    minor_rate,
    parse_rate,
)
from ecoport.core.money import Money, compact, format_money, from_minor, parse_money
from ecoport.errors import InvalidInput
from ecoport.services.fx import FxError, Rates
from tests.conftest import Run, dump
from tests.test_cli import MIDEA, one_error_line, with_options

BOTH_BACKENDS = True

D = Decimal


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("1.27bn CNY", None, Money(D("1270000000"), "CNY")),
        ("CNY 1.27 billion", None, Money(D("1270000000"), "CNY")),
        ("¥1.27bn", None, Money(D("1270000000"), "CNY")),
        ("$300m", None, Money(D("300000000"), "USD")),
        ("US$300 million", None, Money(D("300000000"), "USD")),
        ("£129m", None, Money(D("129000000"), "GBP")),
        ("EUR 61.5m", None, Money(D("61500000"), "EUR")),
        ("HK$2.5bn", None, Money(D("2500000000"), "HKD")),
        ("1,266,000,000", "CNY", Money(D("1266000000"), "CNY")),
        ("20,00,00,000", "INR", Money(D("200000000"), "INR")),
        ("300k", "USD", Money(D("300000"), "USD")),
        ("2.5 MN", "EUR", Money(D("2500000"), "EUR")),
        ("61.5 EUR", None, Money(D("61.5"), "EUR")),
        ("$300m", "HKD", Money(D("300000000"), "HKD")),  # "$" takes --currency
        ("¥3bn", "JPY", Money(D("3000000000"), "JPY")),
        ("CNY 1,266,000,000.00", None, Money(D("1266000000.00"), "CNY")),
    ],
)
def test_amounts_as_the_press_writes_them(text: str, currency: str | None, expected: Money) -> None:
    assert parse_money(text, currency=currency) == expected


def test_configurable_meaning_of_ambiguous_symbols() -> None:
    assert parse_money("¥500m", defaults={"¥": "JPY"}).currency == "JPY"
    assert parse_money("$5m", defaults={"$": "SGD"}).currency == "SGD"


@pytest.mark.parametrize(
    ("text", "currency", "reason"),
    [
        ("61,5", "EUR", "decimal comma"),
        ("1.2e9", "USD", "exponent"),
        ("$300m CNY", None, "two currencies"),
        ("EUR 5m USD", None, "two currencies"),
        ("£129m", "USD", "says GBP"),
        ("¥5m", "USD", "cannot be USD"),
        ("-5", "USD", "greater than zero"),
        ("0", "USD", "greater than zero"),
        ("lots", "USD", "not an amount"),
        ("14,342,000+", "USD", "not an amount"),
        ("5 zillion", "USD", "unknown multiplier"),
        ("300", None, "no currency"),
        ("XYZ 300", None, "unknown currency"),
        ("USD 1.234", None, "2 decimal places"),
        ("1,23,4", "USD", "commas"),
    ],
)
def test_refused_amounts(text: str, currency: str | None, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_money(text, currency=currency)


@given(st.integers(min_value=1, max_value=10**15), st.sampled_from(["USD", "CNY", "JPY", "KWD"]))
def test_format_then_parse_gives_the_same_amount(minor: int, currency: str) -> None:
    from ecoport.core.money import from_minor

    amount = from_minor(minor, currency)
    assert parse_money(format_money(amount, currency)) == Money(amount, currency)


@given(st.text(max_size=40), st.sampled_from([None, "USD", "CNY", "JPY"]))
def test_no_input_crashes_the_parser(text: str, currency: str | None) -> None:
    try:
        money = parse_money(text, currency=currency)
    except InvalidInput:
        return
    assert money.amount > 0


def test_compact_display() -> None:
    assert compact(D("1266000000"), "CNY") == "CNY 1.27bn"
    assert compact(D("300000000"), "USD") == "USD 300.0m"
    assert compact(D("950000"), "USD") == "USD 950.0k"
    assert compact(D("120.5"), "USD") == "USD 120.50"


def test_conversion_day_and_valuation() -> None:
    today = dt.date(2026, 11, 21)
    assert conversion_day(parse_date("2014-12-14", today=today)) == dt.date(2014, 12, 14)
    assert conversion_day(parse_date("2014-12", today=today)) == dt.date(2014, 12, 16)
    assert conversion_day(parse_date("2021", today=today)) == dt.date(2021, 7, 2)
    assert conversion_day(parse_date("2026", today=today), today=today) == dt.date(2026, 7, 2)
    assert implied_valuation(D("1266000000"), D("1.29"), "CNY") == D("98139534883.72")
    with pytest.raises(InvalidInput):
        parse_rate("0")
    with pytest.raises(InvalidInput):
        parse_rate("-1.5")


def test_ecb_rates_by_date_in_decimal() -> None:
    rates = Rates()
    friday = rates.rate("CNY", "USD", dt.date(2014, 12, 12))
    sunday = rates.rate("CNY", "USD", dt.date(2014, 12, 14))
    assert sunday.value == friday.value  # weekends take the last published rate
    # The ECB published, for one euro on 2014-12-12, USD 1.2450 and CNY 7.7049.
    assert friday.value == D("1.245") / D("7.7049")
    value, rate = rates.convert(D("1266000000"), "CNY", "USD", dt.date(2014, 12, 14))
    assert value == (D("1266000000") * rate.value).quantize(D("0.01"))
    assert rates.rate("EUR", "USD", dt.date(2014, 12, 12)).value == D("1.245")


def test_rates_outside_the_data_name_the_currency_and_first_date() -> None:
    with pytest.raises(FxError, match=r"no CNY rate before 2005-04-01"):
        Rates().rate("CNY", "USD", dt.date(2003, 1, 1))
    with pytest.raises(FxError, match="ECB publishes no rate for VND"):
        Rates().rate("VND", "USD", dt.date(2014, 1, 1))


def test_user_rates_win_and_invert() -> None:
    day = dt.date(2014, 12, 14)
    rates = Rates({("CNY", "USD", day): D("0.1628")})
    assert rates.rate("CNY", "USD", day).value == D("0.1628")
    assert rates.rate("USD", "CNY", day).value == 1 / D("0.1628")
    assert rates.rate("CNY", "USD", dt.date(2014, 12, 15)).source == "ECB reference rate"


# --- through the command line ----------------------------------------------------------


def test_add_stake_with_written_amounts(run: Run) -> None:
    result = run(
        "add-stake",
        "--investor",
        "Xiaomi",
        "--startup",
        "Midea Group",
        "--sector",
        "home",
        "--amount",
        "CNY 1.27 billion",
        "--date",
        "2014-12",
        "-f",
        "json",
    )
    assert json.loads(result.stdout)["stake"]["amount"] == "1270000000.00"
    run("config", "set", "yen", "JPY")
    yen = run(
        "add-stake",
        "--investor",
        "Xiaomi",
        "--startup",
        "Sony Robotics",
        "--sector",
        "iot",
        "--amount",
        "¥3bn",
        "--date",
        "2015",
        "-f",
        "json",
    )
    stake = json.loads(yen.stdout)["stake"]
    assert (stake["amount"], stake["currency"]) == ("3000000000", "JPY")


@pytest.mark.parametrize(
    ("amount", "currency", "option"),
    [
        ("61,5", "EUR", "decimal comma"),
        ("1.2e9", "USD", "exponent"),
        ("$300m CNY", None, "two currencies"),
        ("£129m", "USD", "says GBP"),
        ("-5m", "USD", "greater than zero"),
        ("some money", "USD", "not an amount"),
        ("5m", "XYZ", "--currency"),
    ],
)
def test_bad_amounts_change_nothing(
    run: Run, seeded: Path, amount: str, currency: str | None, option: str
) -> None:
    before = dump(seeded)
    args = with_options(MIDEA, {"--amount": amount, "--currency": currency})
    one_error_line(run(*args), option)
    assert dump(seeded) == before


def test_report_in_a_reporting_currency(run: Run, seeded: Path) -> None:
    data = json.loads(run("report", "--sector", "home", "--in", "USD", "-f", "json").stdout)
    (midea,) = data["stakes"]
    conv = midea["converted"]
    assert conv["currency"] == "USD" and conv["rate_date"] == "2014-12-14"
    assert conv["rate_source"] == "ECB reference rate"
    expected = (D("1266000000") * D("1.245") / D("7.7049")).quantize(D("0.01"))
    assert conv["amount"] == f"{expected:f}"
    assert midea["implied_valuation"] == {
        "currency": "CNY",
        "amount": "98139534883.72",
        "converted": f"{(D('98139534883.72') * D('1.245') / D('7.7049')).quantize(D('0.01')):f}",
    }
    assert data["totals"]["in"]["invested"] == f"{expected:f}"
    assert data["totals"]["in"]["not_converted"] == 0
    table = run("report", "--sector", "home", "--in", "USD").stdout
    assert "CNY 1.27bn" in table and "USD 204.6m" in table and "middle of that period" in table
    del seeded


def test_fx_set_wins_and_fx_show_says_where_a_rate_comes_from(run: Run, seeded: Path) -> None:
    shown = json.loads(run("fx", "show", "CNY", "USD", "--date", "2014-12-14", "-f", "json").stdout)
    assert shown["source"] == "ECB reference rate"
    assert run("fx", "set", "cny", "usd", "0.1628", "--date", "2014-12-14").exit_code == 0
    shown = json.loads(run("fx", "show", "CNY", "USD", "--date", "2014-12-14", "-f", "json").stdout)
    assert shown["rate"] == "0.1628" and "your rate" in shown["source"]
    data = json.loads(run("report", "--sector", "home", "-f", "json").stdout)
    assert data["stakes"][0]["converted"]["amount"] == "206104800.00"  # 1,266,000,000 x 0.1628
    progress = json.loads(run("progress", "-f", "json").stdout)["investors"][0]
    assert progress["invested_in"]["amount"] == f"{D('206104800.00') + D('357840000.00'):f}"
    del seeded


def test_amounts_that_cannot_be_converted_are_counted(run: Run) -> None:
    run(
        "add-stake",
        "--investor",
        "Fund",
        "--startup",
        "Old Co",
        "--sector",
        "iot",
        "--amount",
        "CNY 5m",
        "--date",
        "2003-06-01",
    )
    run(
        "add-stake",
        "--investor",
        "Fund",
        "--startup",
        "New Co",
        "--sector",
        "iot",
        "--amount",
        "USD 2m",
        "--date",
        "2015-06-01",
    )
    data = json.loads(run("report", "--in", "USD", "-f", "json").stdout)
    assert data["totals"]["in"]["invested"] == "2000000.00"
    assert data["totals"]["in"]["not_converted"] == 1
    assert "before 2005-04-01" in data["totals"]["in"]["why_not"][0]["reason"]
    assert data["stakes"][0]["conversion_error"].startswith("no CNY rate before 2005-04-01")
    table = run("report", "--in", "USD").stdout
    assert "Not converted (1): no CNY rate before 2005-04-01" in table
    # another day before the first rate: the same reason, counted twice (not a line a day)
    more = ("--investor", "Fund", "--startup", "Older Co", "--sector", "iot")
    assert run("add-stake", *more, "--amount", "CNY 1m", "--date", "2002-01-05").exit_code == 0
    data = json.loads(run("report", "--in", "USD", "-f", "json").stdout)
    assert [(w["reason"], w["amounts"]) for w in data["totals"]["in"]["why_not"]] == [
        (
            "no CNY rate before 2005-04-01 (the first ECB rate); earlier days need rates of "
            "your own (`ecoport fx set`)",
            2,
        )
    ]
    progress = json.loads(run("progress", "--in", "USD", "-f", "json").stdout)
    assert [w["amounts"] for w in progress["investors"][0]["invested_in"]["why_not"]] == [2]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("fx", "set", "CNY", "USD", "0", "--date", "2014-12-14"), "RATE"),
        (("fx", "set", "CNY", "USD", "abc", "--date", "2014-12-14"), "RATE"),
        (("fx", "set", "CNY", "XYZ", "0.16", "--date", "2014-12-14"), "QUOTE"),
        (("fx", "set", "CNY", "CNY", "1", "--date", "2014-12-14"), "QUOTE"),
        (("fx", "set", "CNY", "USD", "0.16", "--date", "2014-12"), "--date"),
        (("fx", "show", "CNY", "USD", "--date", "2001-01-01"), "before 2005-04-01"),
        (("report", "--in", "XYZ"), "--in"),
        (("config", "set", "currency", "XYZ"), "VALUE"),
        (("config", "set", "colour", "USD"), "KEY"),
        (("config", "set", "dollar", "EUR"), "VALUE"),
    ],
)
def test_bad_fx_and_config_input(
    run: Run, seeded: Path, args: tuple[str, ...], needle: str
) -> None:
    before = dump(seeded)
    one_error_line(run(*args), needle)
    assert dump(seeded) == before


def test_config_currency_is_the_default_for_reports(run: Run, seeded: Path) -> None:
    assert run("config", "set", "currency", "eur").exit_code == 0
    shown = json.loads(run("config", "show", "-f", "json").stdout)["settings"]
    assert {s["key"]: s["value"] for s in shown}["currency"] == "EUR"
    data = json.loads(run("progress", "-f", "json").stdout)
    assert data["currency"] == "EUR"
    assert data["investors"][0]["invested_in"]["currency"] == "EUR"
    company = json.loads(run("companies", "show", "Zimi", "-f", "json").stdout)
    assert [v["date"] for v in company["valuations"]] == ["2020-05-21", "2021"]
    assert company["valuations"][0]["amount"] == "374781341.11"  # 102.84m / 27.44 %
    assert company["currency"] == "EUR" and company["valuations"][0]["converted"]
    del seeded


@given(
    minor=st.integers(min_value=1, max_value=10**17),
    rate=st.decimals(min_value=Decimal("1e-12"), max_value=Decimal(10**9), places=12),
    frm=st.sampled_from(["USD", "JPY", "KWD", "CNY"]),
    into=st.sampled_from(["USD", "JPY", "KWD", "EUR"]),
)
def test_integer_conversion_is_convert_exactly(
    minor: int, rate: Decimal, frm: str, into: str
) -> None:
    """Reports convert stored minor units in integers; the result is the exact product
    rounded half-even to the quote's minor unit, as convert rounds it (here with digits
    enough that convert itself rounds only once)."""
    from decimal import localcontext

    from ecoport.core.money import exponent

    got = convert_minor(minor, minor_rate(rate, exponent(frm), into))
    with localcontext() as ctx:
        ctx.prec = 80
        expected = convert(from_minor(minor, frm), rate, into)
    assert from_minor(got, into) == expected


def test_integer_conversion_rounds_half_to_even() -> None:
    # 0.125 and 0.135 of a unit at rate 1 into a 2-place currency: the half goes to even
    assert convert_minor(125, minor_rate(Decimal(1), 3, "USD")) == 12
    assert convert_minor(135, minor_rate(Decimal(1), 3, "USD")) == 14
    assert convert_minor(126, minor_rate(Decimal(1), 3, "USD")) == 13


_CURRENCIES = ("USD", "CNY", "EUR", "JPY", "GBP", "HKD", "ISK", "TWD")


@settings(deadline=None)  # the first example reads the ECB tables
@given(
    keys=st.lists(
        st.tuples(
            st.sampled_from(_CURRENCIES),
            st.dates(dt.date(1995, 1, 1), dt.date(2035, 12, 31)),
            st.sampled_from(("day", "day", "day", "month", "year")),
        ),
        max_size=40,
    ),
    into=st.sampled_from(("USD", "EUR", "JPY", "CNY")),
)
def test_rates_worked_out_at_once_are_those_looked_up_one_by_one(
    keys: list[tuple[str, dt.date, str]], into: str
) -> None:
    """Converter.prepare (each day's rate read from the ECB tables by index) gives every
    stored amount the same rate, or the same reason for none, as stored_rate: before the
    first ECB rate, after the last, a currency the ECB does not publish, the user's own
    rate for a pair (which wins, and inverts), a month or a year, the same currency."""
    from ecoport.services.reports import Converter

    user = {
        ("CNY", "USD", dt.date(2015, 6, 1)): D("0.1611"),
        ("TWD", "EUR", dt.date(2020, 1, 2)): D("0.03"),
    }
    stored = [
        (c, (d.replace(day=1) if p == "month" else d.replace(1, 1) if p == "year" else d), p)
        for c, d, p in keys
    ]
    stored += [("CNY", "2015-06-01", "day"), ("TWD", "2020-01-02", "day")]  # the user's
    keyed = [(c, d if isinstance(d, str) else d.isoformat(), p) for c, d, p in stored]
    at_once = Converter(None, into, Rates(dict(user)))  # type: ignore[arg-type]
    at_once.prepare(keyed)
    one_by_one = Converter(None, into, Rates(dict(user)))  # type: ignore[arg-type]
    for key in keyed:
        assert at_once.stored_rate(*key) == one_by_one.stored_rate(*key), key
    assert len(at_once._stored) == len(set(keyed))  # every key worked out in prepare
