"""Ownership arithmetic: what an investor holds after its events, directly and through others."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ecoport.core.text import brief
from ecoport.errors import InvalidInput

HUNDRED = Decimal(100)


class Kind(StrEnum):
    """What a stake event is. The percent given with it means:"""

    INVESTMENT = "investment"  # the percentage bought in this round (added to the holding)
    ACQUISITION = "acquisition"  # the percentage bought; afterwards the investor owns 100 %
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


@dataclass(frozen=True, slots=True)
class Position:
    """A holding derived from events."""

    percent: Decimal
    """The disclosed part of the holding."""
    complete: bool
    """False when an undisclosed percentage changed the holding since it was last known."""
    active: bool
    """False after an exit or write-off (or before any event)."""

    @property
    def exact(self) -> Decimal | None:
        """The holding when it is fully known, else None."""
        return self.percent if self.active and self.complete else None

    def describe(self) -> str:
        if not self.active:
            return "exited"
        shown = f"{self.percent.normalize():f}%"
        if self.complete:
            return shown
        return "undisclosed" if self.percent == 0 else f"{shown} + undisclosed"


def step(
    state: tuple[Decimal, bool, bool], kind: Kind, percent: Decimal | None
) -> tuple[Decimal, bool, bool]:
    """One event applied to a holding (percent disclosed, complete, active); not capped."""
    pct, complete, active = state
    if kind is Kind.INVESTMENT:
        return (pct, False, True) if percent is None else (pct + percent, complete, True)
    if kind is Kind.HOLDING:
        return (pct, False, True) if percent is None else (percent, True, True)
    if kind is Kind.ACQUISITION:
        return HUNDRED, True, True
    if kind is Kind.SALE:
        return (
            (pct, False, active)
            if percent is None
            else (max(pct - percent, Decimal(0)), complete, active)
        )
    return Decimal(0), True, False  # exit, write-off


NO_HOLDING = (Decimal(0), True, False)


def position(events: Iterable[tuple[Kind, Decimal | None]]) -> Position:
    """Fold events, already in date order, into the holding after the last one."""
    state = NO_HOLDING
    for kind, percent in events:
        state = step(state, kind, percent)
    pct, complete, active = state
    return Position(min(pct, HUNDRED), complete, active)


def overheld(
    events: Iterable[tuple[str, int, Kind, Decimal | None]],
) -> list[tuple[str, Decimal]]:
    """One company's events (date, holder, kind, percent) in date order: each date after
    which its holders' disclosed holdings add up to more than 100 %, with the sum. An
    acquisition (read, as everywhere, as the acquirer then holding 100 %) ends every other
    holder's position on its date."""
    holders: dict[int, tuple[Decimal, bool, bool]] = {}
    found: list[tuple[str, Decimal]] = []
    last_date: str | None = None

    def total() -> Decimal:
        return sum((p for p, _c, active in holders.values() if active), Decimal(0))

    for date, holder, kind, percent in events:
        if last_date is not None and date != last_date and (t := total()) > HUNDRED:
            found.append((last_date, t))
        if kind is Kind.ACQUISITION:
            holders.clear()  # the acquirer holds it all: every other position ends
        holders[holder] = step(holders.get(holder, NO_HOLDING), kind, percent)
        last_date = date
    if last_date is not None and (t := total()) > HUNDRED:
        found.append((last_date, t))
    return found


@dataclass(frozen=True, slots=True)
class Chain:
    """An indirect holding: the companies from holder to held, and the look-through percentage."""

    path: tuple[str, ...]
    percent: Decimal | None
    """Product of the links' holdings, or None when any link is not fully disclosed."""


def look_through(
    start: str, holdings: Mapping[str, list[tuple[str, Position]]], *, max_depth: int = 6
) -> list[Chain]:
    """Every company *start* holds through others (two links or more), with look-through percent.

    *holdings* maps a company to its active direct holdings. Cycles are cut.
    """
    chains: list[Chain] = []

    def walk(path: tuple[str, ...], factor: Decimal | None) -> None:
        if len(path) > max_depth:
            return
        for held, pos in holdings.get(path[-1], []):
            if held in path or not pos.active:
                continue
            share = pos.exact
            next_factor = None if factor is None or share is None else factor * share / HUNDRED
            new_path = (*path, held)
            if len(new_path) > 2:
                chains.append(
                    Chain(new_path, None if next_factor is None else next_factor * HUNDRED)
                )
            walk(new_path, next_factor)

    walk((start,), Decimal(1))
    return chains
