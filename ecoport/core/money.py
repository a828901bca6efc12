"""Money: exact Decimal amounts with an ISO 4217 currency, parsing and formatting."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from ecoport.errors import InvalidInput

# Plain numbers as people type them: digits with optional comma thousands groups
# ("1,266,000,000"), an optional decimal point. No sign, no exponent.
_PLAIN = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\.\d+$")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


@cache
def _exponents() -> dict[str, int]:
    # Imported here: the package parses its bundled ISO 4217 table at import time.
    from iso4217 import Currency

    return {c.code: c.exponent for c in Currency if c.exponent is not None}


def currency_code(text: str) -> str:
    """Return the ISO 4217 code for *text* (any case), or raise InvalidInput."""
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise InvalidInput(f"{text!r} is not a currency code (expected ISO 4217, like USD or CNY)")
    if code not in _exponents():
        raise InvalidInput(f"unknown currency code {code!r} (expected ISO 4217, like USD or CNY)")
    return code


def exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit (2 for CNY, 0 for JPY)."""
    return _exponents()[currency_code(currency)]


def parse_amount(text: str) -> Decimal:
    """Parse a positive plain amount such as ``1266000000``, ``1,266,000,000`` or ``61.5``."""
    cleaned = text.strip().replace("_", "")
    if not _PLAIN.match(cleaned):
        raise InvalidInput(
            f"{text!r} is not an amount "
            "(expected a positive number like 1270000000 or 1,270,000.50)"
        )
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
        raise InvalidInput(f"{text!r} is not an amount") from None
    if value <= 0:
        raise InvalidInput(f"amount must be greater than zero (got {text.strip()})")
    return value


def to_minor(amount: Decimal, currency: str) -> int:
    """Convert to an integer count of minor units, refusing digits the currency cannot hold."""
    places = exponent(currency)
    scaled = amount.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(f"{currency} amounts have {places} decimal places; {amount} has more")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """Exact Decimal amount from an integer count of minor units."""
    return Decimal(minor).scaleb(-exponent(currency))


def plain(amount: Decimal, currency: str) -> str:
    """The exact amount with the currency's decimal places and no grouping: ``1266000000.00``."""
    places = exponent(currency)
    return f"{amount.quantize(Decimal(1).scaleb(-places)):f}"


def format_money(amount: Decimal, currency: str) -> str:
    """The exact amount for people: ``CNY 1,266,000,000.00``."""
    places = exponent(currency)
    return f"{currency} {amount.quantize(Decimal(1).scaleb(-places)):,f}"
