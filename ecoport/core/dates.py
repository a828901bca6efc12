"""Partial dates (2014, 2014-12, 2014-12-14) that keep their precision."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from ecoport.errors import InvalidInput

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
EARLIEST_YEAR = 1800


class Precision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day.

    Ordered by the first day of the period, then coarser before finer.
    """

    start: dt.date
    precision: Precision

    @property
    def end(self) -> dt.date:
        """Last day of the period."""
        if self.precision is Precision.YEAR:
            return self.start.replace(month=12, day=31)
        if self.precision is Precision.MONTH:
            last = calendar.monthrange(self.start.year, self.start.month)[1]
            return self.start.replace(day=last)
        return self.start

    def __str__(self) -> str:
        iso = self.start.isoformat()
        return {Precision.YEAR: iso[:4], Precision.MONTH: iso[:7], Precision.DAY: iso}[
            self.precision
        ]

    @classmethod
    def from_stored(cls, start: str, precision: str) -> "PartialDate":
        """Rebuild from the database's ``date`` and ``date_precision`` columns."""
        return cls(dt.date.fromisoformat(start), Precision(precision))


def parse_date(text: str, *, today: dt.date | None = None) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; refuse the future and before 1800."""
    cleaned = text.strip()
    match = _PATTERN.match(cleaned)
    if not match:
        raise InvalidInput(f"{text!r} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        start = dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise InvalidInput(f"{cleaned!r} is not a valid date ({exc})") from None
    precision = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
    if year < EARLIEST_YEAR:
        raise InvalidInput(f"{cleaned} is before {EARLIEST_YEAR}")
    today = today or dt.date.today()
    if start > today:
        raise InvalidInput(f"{cleaned} is in the future (today is {today.isoformat()})")
    return PartialDate(start, precision)
