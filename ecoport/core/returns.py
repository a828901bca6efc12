"""Returns arithmetic: which mark values a company on a date, what a position is worth by it,
the multiples (MOIC, DPI, RVPI, TVPI) and the IRR of dated cash flows, each with the reason
when it cannot be computed (pure: Decimal in, Decimal out; the IRR's root is found by pyxirr)."""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

ZERO = Decimal(0)
HUNDRED = Decimal(100)
#: Multiples and rates are kept to this many decimal places (a rate of 0.245581 is 24.5581 %).
PLACES = Decimal("1e-6")
#: An IRR over fewer days than this annualises less than a year of history: flagged.
YEAR_DAYS = 365


class MarkKind(StrEnum):
    """Where a company's value on a date comes from."""

    VALUATION = "valuation"  # given: the company's whole value
    PRICE = "price"  # given: a price per share times the share count
    WRITE_DOWN = "write-down"  # given: a lower valuation
    WRITE_OFF = "write-off"  # given: worth nothing
    ROUND = "round"  # implied: a funding round's post-money valuation
    STAKE = "stake"  # implied: a stake's amount ÷ its percent

    @property
    def given(self) -> bool:
        return self not in (MarkKind.ROUND, MarkKind.STAKE)


#: Of marks of the same date, the one that wins: given over a round over a stake.
_WINS = {MarkKind.STAKE: 0, MarkKind.ROUND: 1}
_RANK = {"year": 0, "month": 1, "day": 2}


@dataclass(frozen=True, slots=True)
class MarkRef:
    """A value of a company on a date: a mark given by the user, or one implied by a round's
    post-money valuation or a stake's amount and percent."""

    date: str
    """First day of the period, ISO ``YYYY-MM-DD``."""
    precision: str
    kind: MarkKind
    valuation: Decimal
    """The company's whole value in *currency* (0 for a write-off)."""
    currency: str | None
    """None for a write-off (nothing in any currency)."""
    ref: int
    """The mark's, round's or stake's ID."""

    @property
    def label(self) -> str:
        """The date as written: ``2020``, ``2020-12``, ``2020-12-31``."""
        return self.date[: {"year": 4, "month": 7}.get(self.precision, 10)]

    @property
    def origin(self) -> str:
        """``given (mark 3)``, ``implied by round 7``, ``implied by stake 12``."""
        if self.kind.given:
            return f"given (mark {self.ref})"
        return f"implied by {self.kind.value} {self.ref}"


def order_key(date: str, precision: str, kind: MarkKind, ref: int) -> tuple[str, int, int, int]:
    """The order of marks: by date (a coarser date first), then given over implied (a
    round's over a stake's), then by ID."""
    return (date, _RANK[precision], _WINS.get(kind, 2), ref)


def wins(mark: MarkRef) -> tuple[str, int, int, int]:
    """A mark's place in the order of marks (see order_key)."""
    return order_key(mark.date, mark.precision, mark.kind, mark.ref)


def latest_mark(marks: Iterable[MarkRef]) -> MarkRef | None:
    """The mark that values a company: the latest, a given one winning over an implied one
    of the same date (and a round's over a stake's)."""
    return max(marks, key=wins, default=None)


@dataclass(frozen=True, slots=True)
class Between:
    """An amount known to lie between *low* and *high* (equal when it is exact)."""

    low: Decimal
    high: Decimal

    @property
    def exact(self) -> Decimal | None:
        return self.low if self.low == self.high else None

    def __add__(self, other: "Between") -> "Between":
        return Between(self.low + other.low, self.high + other.high)


NONE = Between(ZERO, ZERO)


def worth(valuation: Decimal, low: Decimal, high: Decimal) -> Between:
    """What *low* to *high* percent of a company valued at *valuation* is worth."""
    return Between(valuation * low / HUNDRED, valuation * high / HUNDRED)


@dataclass(frozen=True, slots=True)
class Unknown:
    """A figure that cannot be known, and why (``cost undisclosed``, ``no mark``)."""

    why: str


@dataclass(frozen=True, slots=True)
class Metric:
    """A multiple or a rate: its value (a range where the value is one), or why not."""

    value: Between | None
    why: str | None = None

    @classmethod
    def unknown(cls, why: str) -> "Metric":
        return cls(None, why)


@dataclass(frozen=True, slots=True)
class Flow:
    """Money on a day: negative when paid in (an investment), positive when it came back."""

    day: dt.date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Figures:
    """The returns of a position or a group of them as of a date."""

    invested: Decimal | Unknown
    realised: Decimal | Unknown
    unrealised: Between | Unknown
    moic: Metric
    dpi: Metric
    rvpi: Metric
    tvpi: Metric
    irr: Metric
    days: int | None
    """Days from the first cash flow to the as-of date (None without flows)."""

    @property
    def short(self) -> bool:
        """The IRR annualises less than a year of history."""
        return self.irr.value is not None and self.days is not None and self.days < YEAR_DAYS


def _ratio(top: Decimal, bottom: Decimal) -> Decimal:
    return (top / bottom).quantize(PLACES, ROUND_HALF_EVEN)


def _multiple(top: Between | Unknown, invested: Decimal | Unknown) -> Metric:
    if isinstance(invested, Unknown):
        return Metric.unknown(invested.why)
    if isinstance(top, Unknown):
        return Metric.unknown(top.why)
    if invested <= 0:
        return Metric.unknown("nothing paid in")
    low = _ratio(top.low, invested)
    # an exact value (the common case) divided once: quantized, equal values are one Decimal
    return Metric(Between(low, low if top.high == top.low else _ratio(top.high, invested)))


def measure(
    invested: Decimal | Unknown,
    realised: Decimal | Unknown,
    unrealised: Between | Unknown,
    flows: Sequence[Flow],
    as_of: dt.date,
) -> Figures:
    """The multiples and the IRR of money paid in (*invested*), back (*realised*) and still
    held (*unrealised*, as of *as_of*), with the dated *flows* they come from.

    MOIC = (realised + unrealised) ÷ invested; DPI = realised ÷ invested; RVPI = unrealised ÷
    invested; TVPI = DPI + RVPI; the IRR is the rate at which the flows, with the unrealised
    value as a last flow on *as_of*, are worth nothing today (XIRR: actual/365). A range of
    unrealised value gives a range of each (the IRR grows with the last flow)."""
    total: Between | Unknown
    if isinstance(realised, Unknown):
        total = realised
    elif isinstance(unrealised, Unknown):
        total = unrealised
    else:
        total = Between(realised, realised) + unrealised
    dpi = _multiple(
        realised if isinstance(realised, Unknown) else Between(realised, realised), invested
    )
    rvpi = _multiple(unrealised, invested)
    tvpi = _multiple(total, invested)
    first = min((f.day for f in flows), default=None)
    days = None if first is None else (as_of - first).days
    if isinstance(invested, Unknown):
        rate = Metric.unknown(invested.why)
    elif isinstance(total, Unknown):
        rate = Metric.unknown(total.why)
    else:
        assert not isinstance(unrealised, Unknown)
        rate = _irr_range(flows, unrealised, as_of)
    return Figures(invested, realised, unrealised, tvpi, dpi, rvpi, tvpi, rate, days)


def _irr_range(flows: Sequence[Flow], unrealised: Between, as_of: dt.date) -> Metric:
    daily = _daily(flows)  # summed once for both bounds
    low, why = _irr(daily, bool(flows), unrealised.low, as_of)
    if low is None:
        return Metric.unknown(why or "no rate found")
    if unrealised.high == unrealised.low:
        return Metric(Between(low, low))
    high, why = _irr(daily, bool(flows), unrealised.high, as_of)
    if high is None:
        return Metric.unknown(why or "no rate found")
    return Metric(Between(low, high))


def _signs(amounts: Iterable[Decimal]) -> int:
    """How many times the sign changes along *amounts* (zeros skipped)."""
    changes, last = 0, 0
    for amount in amounts:
        sign = (amount > 0) - (amount < 0)
        if sign and last and sign != last:
            changes += 1
        last = sign or last
    return changes


#: Starting points from which a second root is looked for when the flows change sign more
#: than once (Descartes: one change, one rate; several, possibly several rates).
_GUESSES = (-0.9, -0.5, 0.0, 0.1, 0.5, 1.0, 3.0, 10.0)


def irr(flows: Sequence[Flow], final: Decimal, as_of: dt.date) -> tuple[Decimal | None, str | None]:
    """The annual rate (0.25 for 25 %) that makes *flows* and *final* on *as_of* worth
    nothing (XIRR), or None and why: nothing paid in, every flow on one day, several rates
    that fit (flows that change sign more than once), no convergence. A total loss (nothing
    came back, nothing is left) is exactly -1."""
    return _irr(_daily(flows), bool(flows), final, as_of)


def _daily(flows: Sequence[Flow]) -> dict[dt.date, Decimal]:
    """The flows summed by day."""
    by_day: dict[dt.date, Decimal] = defaultdict(Decimal)
    for flow in flows:
        by_day[flow.day] += flow.amount
    return by_day


def _irr(
    daily: dict[dt.date, Decimal], any_flows: bool, final: Decimal, as_of: dt.date
) -> tuple[Decimal | None, str | None]:
    """irr() of the flows summed by day (*daily*, left as it is)."""
    by_day = dict(daily)
    by_day[as_of] = by_day.get(as_of, Decimal()) + final
    days = sorted(by_day)
    amounts = [by_day[d] for d in days]
    if not any_flows:
        return None, "nothing paid in"
    if len(days) < 2:
        return None, "every cash flow is on one day"
    if not any(a < 0 for a in amounts):
        return None, "nothing paid in"
    if not any(a > 0 for a in amounts):
        return Decimal(-1), None  # all of it lost
    import pyxirr

    # pyxirr finds the root in floats: the rate is an estimate, the amounts stay exact
    values = [float(a) for a in amounts]
    found = pyxirr.xirr(days, values, silent=True)
    if found is None or not math.isfinite(found):
        return None, "no convergence"
    if _signs(amounts) > 1:
        others = {
            round(r, 6)
            for g in _GUESSES
            if (r := pyxirr.xirr(days, values, guess=g, silent=True)) is not None
            and math.isfinite(r)
            and r > -1
        }
        if len(others | {round(found, 6)}) > 1:
            shown = " and ".join(f"{r:.1%}" for r in sorted(others | {round(found, 6)})[:2])
            return None, f"several sign changes: more than one rate fits ({shown})"
    rate = Decimal(repr(found))
    if rate.adjusted() >= 12:  # a thousand billion percent a year: a few days' flows
        return None, "too large to mean anything (flows only days apart?)"
    return rate.quantize(PLACES, ROUND_HALF_EVEN), None
