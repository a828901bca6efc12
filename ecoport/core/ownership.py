"""What a stake event is (its kind) and which kinds move money; the arithmetic of positions
built from the events is in ecoport.core.positions."""

from enum import StrEnum

from ecoport.core.text import brief
from ecoport.errors import InvalidInput


class Kind(StrEnum):
    """What a stake event is. The percent given with it means:"""

    INVESTMENT = "investment"  # the percentage bought in this round (added to the holding)
    ACQUISITION = "acquisition"  # the percentage bought: the whole (100 % or not given) ends
    # every other holder's position; less adds to the holding as an investment does
    HOLDING = "holding"  # a reported holding on that date (replaces what was known)
    SALE = "sale"  # the percentage sold (a partial exit)
    EXIT = "exit"  # everything sold
    WRITE_OFF = "write-off"  # the stake is written off


#: Kinds whose amount is money put in; sales and exits bring money out.
MONEY_IN = (Kind.INVESTMENT, Kind.ACQUISITION)
MONEY_OUT = (Kind.SALE, Kind.EXIT)


def parse_kind(text: str) -> Kind:
    cleaned = text.strip().lower().replace("_", "-").replace(" ", "-")
    if cleaned == "writeoff":
        cleaned = "write-off"
    try:
        return Kind(cleaned)
    except ValueError:
        choices = ", ".join(k.value for k in Kind)
        raise InvalidInput(f"unknown kind {brief(text)!r} (choose from {choices})") from None
