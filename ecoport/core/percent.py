"""Exact percentages: parsing, range checks and storage as millionths of a percent."""

import re
from decimal import Decimal

from ecoport.core.text import brief
from ecoport.errors import InvalidInput

#: Stored as an integer count of millionths of a percent: 1.29 % -> 1_290_000.
SCALE = 6
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)$")


def parse_percent(text: str) -> Decimal:
    """Parse ``1.29`` or ``1.29%`` into an exact Decimal in (0, 100]."""
    cleaned = text.strip().removesuffix("%").strip()
    if not _NUMBER.match(cleaned):
        raise InvalidInput(f"{brief(text)!r} is not a percentage (expected a number like 1.29)")
    value = Decimal(cleaned)
    if not 0 < value <= 100:
        raise InvalidInput(f"must be greater than 0 and at most 100 (got {brief(cleaned)})")
    # counted on the text: Decimal.normalize() rounds to 28 digits and would hide a 29th
    decimals = cleaned.partition(".")[2].rstrip("0")
    if len(decimals) > SCALE:
        raise InvalidInput(f"at most {SCALE} decimal places (got {brief(cleaned)})")
    return value


def to_micro(value: Decimal) -> int:
    """Millionths of a percent, as stored."""
    return int(value.scaleb(SCALE))


def from_micro(micro: int) -> Decimal:
    """The exact percentage from its stored millionths."""
    return normalize(Decimal(micro).scaleb(-SCALE))


def normalize(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (100, not 1E+2)."""
    text = f"{value.normalize():f}"
    return Decimal(text)


def format_percent(value: Decimal) -> str:
    """``1.29%``."""
    return f"{normalize(value):f}%"
