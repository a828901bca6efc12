"""Pace toward a target: companies per month over a period, and when the target falls at that
pace (a date no more precise than its quarter, or none beyond the horizon)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

#: Mean Gregorian month, in days.
DAYS_PER_MONTH = Decimal("30.436875")


def months_between(start: dt.date, end: dt.date) -> Decimal:
    return Decimal((end - start).days) / DAYS_PER_MONTH


#: How far ahead a target date is worth projecting: beyond this, "not at the current pace".
HORIZON_YEARS = 20


def quarter(day: dt.date) -> str:
    """``2031-Q2``: a projected date is no more precise than its quarter."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def add_months(day: dt.date, months: int) -> dt.date:
    """*day* moved by whole calendar *months* (the last day of a shorter month)."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(
        year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1])
    )


@dataclass(frozen=True, slots=True)
class Projection:
    """A pace and where it leads: companies a month over a period, and when the target
    falls at that pace (None: no pace, or beyond the horizon)."""

    since: dt.date
    months: Decimal
    companies: int
    """Entries counted in the period."""
    per_month: Decimal | None
    falls: dt.date | None
    beyond_horizon: bool
    """The target falls, at this pace, more than HORIZON_YEARS ahead (or never)."""


def project(
    entries: list[dt.date],
    *,
    since: dt.date,
    as_of: dt.date,
    held: int,
    target: int,
    horizon_years: int = HORIZON_YEARS,
) -> Projection:
    """The pace of *entries* from *since* (exclusive of earlier ones) to *as_of*, and the
    date the target falls at it, counting on from *held* companies."""
    counted = sum(1 for d in entries if since <= d <= as_of)
    elapsed = (as_of - since).days
    months = months_between(since, as_of)
    if elapsed <= 0:
        return Projection(since, months, counted, None, None, False)
    rate = Decimal(counted) / months
    if held >= target:
        return Projection(since, months, counted, rate, None, False)
    if counted == 0:
        return Projection(since, months, counted, rate, None, True)
    # the remaining companies at *counted* per *elapsed* days, in whole days (exact)
    days = -(-(target - held) * elapsed // counted)
    if days > horizon_years * 365.2425:
        return Projection(since, months, counted, rate, None, True)
    return Projection(since, months, counted, rate, as_of + dt.timedelta(days=days), False)
