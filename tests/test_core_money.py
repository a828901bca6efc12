"""Money: parsing plain amounts, currencies and minor units, exactly."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoport.core.money import (
    MAX_MINOR,
    currency_code,
    exponent,
    format_money,
    from_minor,
    max_amount,
    parse_money,
    plain,
    plain_money,
    to_minor,
)
from ecoport.errors import InvalidInput


def parse_amount(text: str) -> Decimal:
    """A plain number, through the one amount parser ecoport has."""
    return parse_money(text, currency="USD").amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1270000000", Decimal("1270000000")),
        ("1,266,000,000", Decimal("1266000000")),
        ("61.5", Decimal("61.5")),
        (" 0.01 ", Decimal("0.01")),
        ("1_000", Decimal("1000")),
    ],
)
def test_plain_numbers(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text", ["-5", "0", "0.00", "1.2e9", "61,5", "12,34,5", "abc", "", "1,266,000,000+", "NaN"]
)
def test_plain_numbers_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_amount(text)


def test_currency_codes_come_from_iso_4217() -> None:
    assert currency_code("cny") == "CNY"
    assert exponent("JPY") == 0
    assert exponent("USD") == 2
    assert exponent("KWD") == 3
    for bad in ("XYZ", "US", "dollars", "XAU"):  # XAU (gold) has no minor unit: not money here
        with pytest.raises(InvalidInput):
            currency_code(bad)


def test_minor_units_are_exact_and_refuse_extra_digits() -> None:
    assert to_minor(Decimal("1266000000"), "CNY") == 126_600_000_000
    assert from_minor(126_600_000_000, "CNY") == Decimal("1266000000.00")
    assert to_minor(Decimal("500"), "JPY") == 500
    with pytest.raises(InvalidInput, match="JPY amounts have 0 decimal places"):
        to_minor(Decimal("500.5"), "JPY")
    with pytest.raises(InvalidInput):
        to_minor(Decimal("0.001"), "USD")


def test_formatting() -> None:
    assert format_money(Decimal("1266000000"), "CNY") == "CNY 1,266,000,000.00"
    assert format_money(Decimal("1500"), "JPY") == "JPY 1,500"
    assert plain(Decimal("50000000"), "USD") == "50000000.00"


@given(st.integers(min_value=1, max_value=MAX_MINOR), st.sampled_from(["USD", "CNY", "JPY", "KWD"]))
def test_minor_units_round_trip(minor: int, currency: str) -> None:
    amount = from_minor(minor, currency)
    assert to_minor(amount, currency) == minor
    assert parse_money(plain(amount, currency), currency=currency).amount == amount
    assert parse_money(format_money(amount, currency).split(" ")[1], currency=currency).amount == (
        amount
    )


@given(st.text(max_size=30))
def test_plain_numbers_never_crash(text: str) -> None:
    try:
        value = parse_amount(text)
    except InvalidInput:
        return
    assert value > 0


@given(
    st.integers(min_value=MAX_MINOR + 1, max_value=10**5000),
    st.sampled_from(["USD", "CNY", "JPY", "KWD", "CLF"]),
)
def test_amounts_beyond_what_ecoport_holds_are_refused(minor: int, currency: str) -> None:
    with pytest.raises(InvalidInput, match="more than ecoport holds"):
        parse_money(f"{from_minor(minor, currency):f}", currency=currency)


def test_digits_beyond_28_are_not_rounded_away() -> None:
    # Decimal's default context keeps 28 digits: the 29th must still be refused, not dropped
    with pytest.raises(InvalidInput, match="decimal places"):
        parse_money("1.0000000000000000000000000000001", currency="USD")
    with pytest.raises(InvalidInput, match="decimal places"):
        parse_money("1.2345678901234567890123456789012bn USD")
    assert to_minor(max_amount("USD"), "USD") == MAX_MINOR


@given(
    st.from_regex(r"[0-9]{1,20}(\.[0-9]{0,6})?|\.[0-9]{1,6}|[0-9 ,.$a-z]{0,8}", fullmatch=True),
    st.sampled_from(["USD", "JPY", "KWD"]),
)
def test_plain_money_is_what_parse_money_makes_of_digits(text: str, currency: str) -> None:
    """The importer reads digits alone with plain_money: the same Money as parse_money, its
    minor units as to_minor gives them, the same refusals; anything else is left to it."""
    try:
        found = plain_money(text, currency)
    except InvalidInput as exc:
        with pytest.raises(InvalidInput) as parsed:
            parse_money(text, currency=currency)
        assert parsed.value.message == exc.message
        return
    if found is None:  # not digits alone, or not above zero: parse_money decides
        assert not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", text) or Decimal(text) == 0
        return
    money, minor = found
    assert money == parse_money(text, currency=currency)
    assert minor == to_minor(money.amount, currency)


def test_plain_money_examples() -> None:
    assert plain_money("1551000", "USD") == (parse_money("1551000 USD"), 155100000)
    assert plain_money("2500.50", "USD") == (parse_money("USD 2500.50"), 250050)
    for other in ("1,551,000", "$300m", " 12", "0", "0.00", "1e6", ""):
        assert plain_money(other, "USD") is None
    with pytest.raises(InvalidInput, match="decimal places"):
        plain_money("2500.50", "JPY")
