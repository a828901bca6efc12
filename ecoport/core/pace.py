"""Pace toward a target: companies per month so far, and when the target falls at that pace."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

#: Mean Gregorian month, in days.
DAYS_PER_MONTH = Decimal("30.436875")


@dataclass(frozen=True, slots=True)
class Pace:
    per_month: Decimal | None
    """Companies per month from the first stake to *as_of*; None with no elapsed time."""
    target_date: dt.date | None
    """When the target is (or was) reached; None when there is no pace to project."""
    reached: bool


def months_between(start: dt.date, end: dt.date) -> Decimal:
    return Decimal((end - start).days) / DAYS_PER_MONTH


def pace(first_dates: list[dt.date], *, target: int, as_of: dt.date) -> Pace:
    """Pace from each company's first stake date (sorted or not).

    At or past the target, ``target_date`` is the day the target-th company came in.
    """
    if not first_dates:
        return Pace(None, None, False)
    ordered = sorted(first_dates)
    if len(ordered) >= target:
        return Pace(_rate(len(ordered), ordered[0], as_of), ordered[target - 1], True)
    rate = _rate(len(ordered), ordered[0], as_of)
    if rate is None or rate == 0:
        return Pace(rate, None, False)
    remaining_days = (Decimal(target - len(ordered)) / rate * DAYS_PER_MONTH).to_integral_value(
        ROUND_CEILING
    )
    try:
        return Pace(rate, as_of + dt.timedelta(days=int(remaining_days)), False)
    except OverflowError:  # a pace so slow the date lies beyond year 9999
        return Pace(rate, None, False)


def _rate(count: int, first: dt.date, as_of: dt.date) -> Decimal | None:
    months = months_between(first, as_of)
    if months <= 0:
        return None
    return Decimal(count) / months
