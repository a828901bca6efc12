"""Exchange-rate arithmetic in Decimal: the day a partial date converts at, conversion,
implied valuation."""

import datetime as dt
import re
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from ecoport.core.dates import PartialDate, Precision
from ecoport.core.money import exponent
from ecoport.core.text import brief
from ecoport.errors import InvalidInput

#: How a partial date converts, said in every report that converts.
RULE = (
    "each amount converts at the ECB reference rate of its stake's date (the last published "
    "rate on weekends and holidays; your own rates from {command:fx set} win); a date known "
    "only to the month or year converts at the middle of that period"
)


def conversion_day(date: PartialDate, *, today: dt.date | None = None) -> dt.date:
    """The day whose rate converts an amount: the date itself, or the middle of its period
    (2014-12 -> 2014-12-16, 2021 -> 2021-07-02), never after today."""
    if date.precision is Precision.DAY:
        return date.start
    middle = date.start + (date.end - date.start) / 2
    return min(middle, today or dt.date.today())


#: Rates are below this (the largest real ones are in the hundreds of thousands).
MAX_RATE = 10**9


def parse_rate(text: str) -> Decimal:
    """A rate as a user gives it: a positive number below 10^9 with at most 12 decimals
    (any real rate; bounded so that a conversion of the largest amount stays exact)."""
    cleaned = text.strip()
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", cleaned):
        raise InvalidInput(
            f"{brief(text)!r} is not a rate (expected a positive number like 0.1628)"
        )
    value = Decimal(cleaned)
    if value <= 0:
        raise InvalidInput(f"a rate must be greater than zero (got {brief(cleaned)})")
    if value >= MAX_RATE or len(cleaned.partition(".")[2].rstrip("0")) > 12:
        raise InvalidInput(
            f"a rate is below {MAX_RATE:,} with at most 12 decimals (got {brief(cleaned)})"
        )
    return value


@cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def convert(amount: Decimal, rate: Decimal, quote: str) -> Decimal:
    """*amount* times *rate*, rounded half-even to the quote currency's minor unit."""
    return (amount * rate).quantize(_quantum(quote), ROUND_HALF_EVEN)


def minor_rate(rate: Decimal, places: int, quote: str) -> tuple[int, int]:
    """*rate* as a fraction (multiplier, divisor) of whole numbers that turns minor units
    with *places* decimals into minor units of *quote*: for converting many stored amounts
    in integers (see convert_minor), each rate worked out once."""
    if not rate.is_finite() or rate < 0:
        raise ValueError(f"not a rate: {rate}")
    numerator, denominator = rate.as_integer_ratio()
    return numerator * 10 ** exponent(quote), denominator * 10**places


def convert_minor(minor: int, rate: tuple[int, int]) -> int:
    """*minor* units times a minor_rate, rounded half-even to the quote's minor unit: the
    same as convert, in integers (and exact however many digits the product has)."""
    multiplier, divisor = rate
    whole, rest = divmod(minor * multiplier, divisor)
    twice = 2 * rest
    if twice > divisor or (twice == divisor and whole & 1):
        whole += 1
    return whole


def implied_valuation(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    """Post-money valuation implied by paying *amount* for *percent* of a company."""
    return convert(amount * 100 / percent, Decimal(1), currency)
