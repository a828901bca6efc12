"""Partial dates (2014, 2014-12, 2014-12-14) that keep their precision."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from ecoport.core.text import brief
from ecoport.errors import InvalidInput

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
#: a year written as a float by a spreadsheet or a data frame: ``2013.0``
_FLOAT_YEAR = re.compile(r"^(\d{4})\.0+$")
#: ``05/07/2018``, ``5.7.2018``: which number is the day depends on the writer
_NUMERIC = re.compile(r"^(\d{1,2})([/.])(\d{1,2})\2(\d{4})$")
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


def parse_date(
    text: str, *, today: dt.date | None = None, dayfirst: bool | None = None
) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (and ``2013.0``, a year written as a
    float); refuse the future and before 1800.

    ``05/07/2018`` is read day first when *dayfirst* is True, month first when it is False,
    and refused when it is None: guessing would silently swap days and months.
    """
    cleaned = text.strip()
    year: int | None
    month: int | None
    day: int | None
    if match := _PATTERN.match(cleaned):
        year, month, day = (int(g) if g else None for g in match.groups())
    elif match := _FLOAT_YEAR.match(cleaned):
        year, month, day = int(match.group(1)), None, None
    elif numeric := _NUMERIC.match(cleaned):
        if dayfirst is None:
            raise InvalidInput(
                f"{cleaned!r}: is it day or month first? Pass {{option:dayfirst}} (dd/mm/yyyy) or "
                "{option:monthfirst} (mm/dd/yyyy), or write YYYY-MM-DD"
            )
        first, _, second, year_text = numeric.groups()
        day, month = (int(first), int(second)) if dayfirst else (int(second), int(first))
        year = int(year_text)
    else:
        raise InvalidInput(f"{brief(text)!r} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
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
