"""Marks: dated values of companies, given by the user (add, list, show, remove) or implied by
a round's post-money valuation or a stake's amount and percent; which one values a company on
a date, and which held positions have no recent one."""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ecoport.core.dates import PartialDate, parse_date
from ecoport.core.fx import implied_valuation
from ecoport.core.money import (
    MAX_MINOR,
    exponent,
    format_money,
    from_minor,
    max_amount,
    parse_money,
    to_minor,
)
from ecoport.core.percent import from_micro
from ecoport.core.returns import MarkKind, MarkRef, order_key
from ecoport.core.text import brief, clean_text
from ecoport.errors import Conflict, FieldError, InvalidInput, NotFound
from ecoport.services.lookup import require_company
from ecoport.store.db import Reader, SessionReader

if TYPE_CHECKING:
    from sqlmodel import Session

#: Companies read per query (an IN list of integers, far below what either backend takes).
BATCH = 2000
_KINDS = {k.value: k for k in MarkKind}

_GIVEN = """
SELECT company_id, id, date, date_precision, kind, valuation_minor, currency FROM mark
WHERE {only}date <= :as_of
"""
_ROUNDS = """
SELECT company_id, id, date, date_precision, valuation_minor, currency FROM funding_round
WHERE {only}date <= :as_of AND valuation_minor IS NOT NULL
"""
#: Stakes whose amount and percent imply a valuation: money in or out for a known share.
_STAKES = """
SELECT company_id, id, date, date_precision, amount_minor, currency, percent_micro FROM stake
WHERE {only}date <= :as_of AND amount_minor IS NOT NULL
AND percent_micro IS NOT NULL AND kind IN ('investment', 'acquisition', 'sale', 'exit')
"""
#: Read every mark and keep those of the companies asked for, rather than look each company
#: up, when they are at least this share of all companies (a scan reads a row in a fraction
#: of the time an index lookup per company takes: 0.05 s against 0.25 s for the stakes of
#: 57,000 of 60,000 companies).
WIDE_SHARE = 0.25


def _batches(ids: Collection[int]) -> Iterator[str]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        yield ",".join(str(int(i)) for i in ordered[start : start + BATCH])


def wide(reader: Reader, companies: Collection[int]) -> bool:
    """Whether *companies* are enough of all companies that reading every row (and keeping
    theirs) is quicker than looking each of them up (see WIDE_SHARE)."""
    if len(companies) < BATCH:
        return False
    ((top,),) = reader.rows("SELECT MAX(id) FROM company")
    return len(companies) >= WIDE_SHARE * (top or 0)


#: A mark as read, before its value is worked out: (company, order key, kind, ID, date,
#: precision, minor units, currency, percent_micro of an implied stake's).
_Raw = tuple[int, tuple[str, int, int, int], MarkKind, int, str, str, Any, Any, Any]


def _raw(
    reader: Reader,
    companies: Collection[int],
    as_of: str,
    implied: bool,
    scan: bool | None = None,
) -> Iterator[_Raw]:
    """The marks of *companies*: looked up by company, or (*scan*; by default when they are
    many, see wide) every mark read and theirs kept."""
    if scan is None:
        scan = wide(reader, companies)
    if scan:
        wanted = companies if isinstance(companies, set | frozenset | dict) else set(companies)
        yield from _read(reader, "", as_of, implied, wanted)
        return
    for ids in _batches(companies):
        yield from _read(reader, f"company_id IN ({ids}) AND ", as_of, implied, None)


def _read(
    reader: Reader, only: str, as_of: str, implied: bool, wanted: Collection[int] | None
) -> Iterator[_Raw]:
    params = {"as_of": as_of}
    kinds = _KINDS
    for company, mid, date, precision, kind, minor, currency in reader.rows(
        _GIVEN.format(only=only), params
    ):
        if wanted is not None and company not in wanted:
            continue
        k = kinds[kind]
        yield (
            company,
            order_key(date, precision, k, mid),
            k,
            mid,
            date,
            precision,
            minor,
            currency,
            None,
        )
    if not implied:
        return
    k = MarkKind.ROUND
    for company, rid, date, precision, minor, currency in reader.rows(
        _ROUNDS.format(only=only), params
    ):
        if wanted is not None and company not in wanted:
            continue
        yield (
            company,
            order_key(date, precision, k, rid),
            k,
            rid,
            date,
            precision,
            minor,
            currency,
            None,
        )
    k = MarkKind.STAKE
    for company, sid, date, precision, minor, currency, micro in reader.rows(
        _STAKES.format(only=only), params
    ):
        if wanted is not None and company not in wanted:
            continue
        yield (
            company,
            order_key(date, precision, k, sid),
            k,
            sid,
            date,
            precision,
            minor,
            currency,
            micro,
        )


def _mark(raw: _Raw) -> MarkRef:
    _company, _key, kind, ref, date, precision, minor, currency, micro = raw
    if minor is None:
        value = Decimal(0)
    elif micro is None:
        value = from_minor(minor, currency)
    else:
        value = implied_valuation(from_minor(minor, currency), from_micro(micro), currency)
    return MarkRef(date, precision, kind, value, currency, ref)


def marks_of(
    reader: Reader, companies: Collection[int], *, as_of: str, implied: bool = True
) -> dict[int, list[MarkRef]]:
    """Every mark of each of *companies* dated on or before the ISO day *as_of*: the given
    ones, and (with *implied*) those implied by rounds and stakes."""
    out: dict[int, list[MarkRef]] = defaultdict(list)
    for raw in _raw(reader, companies, as_of, implied):
        out[raw[0]].append(_mark(raw))
    return out


def latest_marks(
    reader: Reader, companies: Collection[int], *, as_of: str, scan: bool | None = None
) -> dict[int, MarkRef]:
    """The mark that values each of *companies* on the ISO day *as_of*: the latest on or
    before it, a given one winning over an implied one of the same date (see
    core.returns.order_key). A company without any is left out. *scan*: read every mark
    and keep those of *companies* (by default when they are many; see wide)."""
    best: dict[int, _Raw] = {}
    for raw in _raw(reader, companies, as_of, True, scan):
        held = best.get(raw[0])
        if held is None or raw[1] > held[1]:
            best[raw[0]] = raw
    return {c: _mark(raw) for c, raw in best.items()}


# -- adding a mark ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarkIn:
    """A mark as the user writes it (amounts as people write them)."""

    company: str
    date: str
    valuation: str | None = None
    price: str | None = None
    shares: int | None = None
    write_down: bool = False
    write_off: bool = False
    source: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class MarkRow:
    """A mark as stored, or implied (then *kind* is round or stake and *ref* its ID)."""

    id: int
    company: str
    date: PartialDate
    kind: MarkKind
    valuation: Decimal
    """0 for a write-off."""
    currency: str | None
    price: Decimal | None = None
    shares: int | None = None
    source: str | None = None
    note: str | None = None

    @property
    def origin(self) -> str:
        if self.kind.given:
            return f"given (mark {self.id})"
        return f"implied by {self.kind.value} {self.id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id if self.kind.given else None,
            "company": self.company,
            "date": str(self.date),
            "kind": self.kind.value,
            "valuation": f"{self.valuation:f}",
            "currency": self.currency,
            "price": None if self.price is None else f"{self.price:f}",
            "shares": self.shares,
            "source": self.source,
            "note": self.note,
            "origin": self.origin,
        }


MARK_FIELDS = (
    "id",
    "company",
    "date",
    "kind",
    "valuation",
    "currency",
    "price",
    "shares",
    "source",
    "note",
    "origin",
)


@dataclass(frozen=True, slots=True)
class MarkAdded:
    """A mark recorded, and what is worth knowing about it (nobody holds the company)."""

    mark: MarkRow
    warnings: tuple[str, ...] = ()

    csv_fields: ClassVar[tuple[str, ...]] = MARK_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {**self.mark.as_dict(), "warnings": list(self.warnings)}

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        yield self.mark.as_dict()


def _text(name: str, raw: str | None, *, multiline: bool = False) -> str | None:
    if raw is None:
        return None
    try:
        return clean_text(raw, multiline=multiline) or None
    except InvalidInput as exc:
        raise FieldError(name, exc.message) from None


def _money(name: str, raw: str, symbols: dict[str, str]) -> tuple[Decimal, str]:
    if raw.strip().startswith("-"):
        raise FieldError(
            name,
            f"must be greater than zero (got {brief(raw.strip())}); a company worth nothing is "
            "written off ({option:write_off})",
        )
    try:
        money = parse_money(raw, defaults=symbols)
    except InvalidInput as exc:
        raise FieldError(name, exc.message) from None
    return money.amount, money.currency


def _kind(mark: MarkIn) -> MarkKind:
    """The kind of mark the fields describe; one line for a contradiction."""
    if mark.write_off:
        if mark.valuation is not None or mark.price is not None or mark.write_down:
            given = "valuation" if mark.valuation is not None else "price"
            raise FieldError(
                "write_off" if mark.write_down else given,
                "a write-off values the company at nothing: give no valuation, price or "
                "write-down with it",
            )
        if mark.shares is not None:
            raise FieldError("shares", "a write-off takes no share count")
        return MarkKind.WRITE_OFF
    if mark.valuation is not None and mark.price is not None:
        raise FieldError("price", "give a valuation or a price per share, not both")
    if mark.price is not None:
        if mark.shares is None:
            raise FieldError(
                "price", "a price per share needs the share count it values ({option:shares})"
            )
        if mark.write_down:
            raise FieldError("write_down", "a write-down is a valuation ({option:valuation})")
        return MarkKind.PRICE
    if mark.shares is not None:
        raise FieldError("shares", "a share count goes with a price per share ({option:price})")
    if mark.valuation is None:
        raise FieldError(
            "valuation",
            "a mark needs a valuation, a price per share ({option:price}) with the share "
            "count, or {option:write_off}",
        )
    return MarkKind.WRITE_DOWN if mark.write_down else MarkKind.VALUATION


def _first_event(reader: Reader, company_id: int) -> PartialDate | None:
    rows = reader.rows(
        "SELECT date, date_precision FROM stake WHERE company_id = :c UNION ALL "
        "SELECT date, date_precision FROM funding_round WHERE company_id = :c",
        {"c": company_id},
    )
    return min((PartialDate.from_stored(d, p) for d, p in rows), default=None)


def add_mark(*, session: "Session", mark: MarkIn, today: dt.date | None = None) -> MarkAdded:
    """Record a mark of a company: refused (nothing written) for a valuation or price that is
    not above zero, a date in the future or before the company's first stake or round, a
    price without its share count; a second mark of the same company and date is a
    conflict. A mark of a company nobody holds is recorded with a warning."""
    from ecoport.services.ownership import positions_in
    from ecoport.services.settings import get_settings, symbols
    from ecoport.store.models import Mark

    reader = SessionReader(session)
    kind = _kind(mark)
    try:
        when = parse_date(mark.date, today=today)
    except InvalidInput as exc:
        raise FieldError("date", exc.message) from None
    if mark.shares is not None and mark.shares <= 0:
        raise FieldError("shares", f"must be a whole number above zero (got {mark.shares})")
    source = _text("source", mark.source)
    note = _text("note", mark.note, multiline=True)
    company = require_company(reader, mark.company, where="COMPANY")
    known = symbols(get_settings(reader))
    valuation: Decimal = Decimal(0)
    currency: str | None = None
    price: Decimal | None = None
    if kind is MarkKind.PRICE:
        assert mark.price is not None and mark.shares is not None
        price, currency = _money("price", mark.price, known)
        try:
            to_minor(price, currency)
        except InvalidInput as exc:
            raise FieldError("price", exc.message) from None
        valuation = price * mark.shares
        if valuation.scaleb(exponent(currency)) > MAX_MINOR:
            raise FieldError(
                "shares",
                f"{format_money(price, currency)} times {mark.shares:,} shares is more than "
                f"ecoport holds (at most {format_money(max_amount(currency), currency)})",
            )
    elif kind is not MarkKind.WRITE_OFF:
        assert mark.valuation is not None
        valuation, currency = _money("valuation", mark.valuation, known)
    first = _first_event(reader, company.id)
    if first is not None and when.end < first.start:
        raise FieldError(
            "date",
            f"{when} is before {company.name}'s first stake or round ({first}): a mark values "
            "a company someone holds",
        )
    clash = reader.rows(
        "SELECT id FROM mark WHERE company_id = :c AND date = :d AND date_precision = :p",
        {"c": company.id, "d": when.start.isoformat(), "p": when.precision.value},
    )
    if clash:
        raise Conflict(
            f"{company.name} has a mark on {when} already (mark {clash[0][0]}); remove it "
            f"first ({{command:marks remove {clash[0][0]}}})",
            field="date",
        )
    row = Mark(
        company_id=company.id,
        date=when.start.isoformat(),
        date_precision=when.precision.value,
        kind=kind.value,
        valuation_minor=None if currency is None else to_minor(valuation, currency),
        currency=currency,
        price_minor=None if price is None or currency is None else to_minor(price, currency),
        shares=mark.shares,
        source=source,
        note=note,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    if currency is not None:  # as it reads back: with the currency's decimal places
        valuation = from_minor(to_minor(valuation, currency), currency)
        price = None if price is None else from_minor(to_minor(price, currency), currency)
    warnings: list[str] = []
    held = positions_in(reader, [company.id], as_of=(today or dt.date.today()).isoformat())
    if not any(p.active for p in held.get(company.id, {}).values()):
        warnings.append(
            f"nobody holds {company.name} (no stake in it is held today): the mark is stored, "
            "and values nothing until someone does"
        )
    return MarkAdded(
        MarkRow(
            row.id,
            company.name,
            when,
            kind,
            valuation,
            currency,
            price,
            mark.shares,
            source,
            note,
        ),
        tuple(warnings),
    )


# -- listing, showing, removing -----------------------------------------------------------

_ROWS = """
SELECT m.id, c.name, m.date, m.date_precision, m.kind, m.valuation_minor, m.currency,
       m.price_minor, m.shares, m.source, m.note
FROM mark m JOIN company c ON c.id = m.company_id
"""


def _row(r: tuple[Any, ...] | Any) -> MarkRow:
    mid, company, date, precision, kind, minor, currency, price, shares, source, note = r
    return MarkRow(
        mid,
        company,
        PartialDate.from_stored(date, precision),
        _KINDS[kind],
        Decimal(0) if minor is None else from_minor(minor, currency),
        currency,
        None if price is None else from_minor(price, currency),
        shares,
        source,
        note,
    )


@dataclass(frozen=True, slots=True)
class MarkList:
    """Marks by company and date: the given ones, and the implied ones when asked."""

    marks: tuple[MarkRow, ...]
    company: str | None
    implied: bool

    csv_fields: ClassVar[tuple[str, ...]] = MARK_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {"marks": [m.as_dict() for m in self.marks]}

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        return (m.as_dict() for m in self.marks)


def list_marks(reader: Reader, *, company: str | None = None, implied: bool = False) -> MarkList:
    """The marks given (of one company when *company* is named), by company and date; with
    *implied*, also those implied by rounds and stakes (a given one of the same date wins)."""
    where, params = "", {}
    ref = None
    if company is not None:
        ref = require_company(reader, company, where="COMPANY")
        where, params = " WHERE m.company_id = :c", {"c": ref.id}
    rows = [_row(r) for r in reader.rows(_ROWS + where, params)]
    if implied:
        ids = (
            [ref.id]
            if ref is not None
            else [r[0] for r in reader.rows("SELECT DISTINCT company_id FROM stake")]
        )
        names: dict[int, str] = {}
        for cid, name in reader.rows("SELECT id, name FROM company") if ref is None else ():
            names[cid] = name
        if ref is not None:
            names[ref.id] = ref.name
        for cid, marks in marks_of(reader, ids, as_of="9999-12-31").items():
            rows += [
                MarkRow(
                    m.ref,
                    names[cid],
                    PartialDate.from_stored(m.date, m.precision),
                    m.kind,
                    m.valuation,
                    m.currency,
                )
                for m in marks
                if not m.kind.given
            ]
    order = {MarkKind.STAKE: 0, MarkKind.ROUND: 1}
    rows.sort(key=lambda m: (m.company.lower(), m.company, m.date, order.get(m.kind, 2), m.id))
    return MarkList(tuple(rows), None if ref is None else ref.name, implied)


@dataclass(frozen=True, slots=True)
class MarkShown:
    mark: MarkRow

    csv_fields: ClassVar[tuple[str, ...]] = MARK_FIELDS

    def to_json(self) -> dict[str, Any]:
        return self.mark.as_dict()

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        yield self.mark.as_dict()


def show_mark(reader: Reader, mark_id: int) -> MarkShown:
    rows = reader.rows(_ROWS + " WHERE m.id = :id", {"id": mark_id})
    if not rows:
        raise NotFound(f"no mark with ID {mark_id} (see {{command:marks list}})", where="ID")
    return MarkShown(_row(rows[0]))


def remove_mark(*, session: "Session", mark_id: int) -> MarkRow:
    """Remove a given mark (an implied one goes with its round or stake); the mark removed."""
    from ecoport.store.models import Mark

    found = show_mark(SessionReader(session), mark_id).mark
    row = session.get(Mark, mark_id)
    assert row is not None
    session.delete(row)
    session.flush()
    return found


# -- positions without a recent mark -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unmarked:
    """A position held with no mark on or before the date, or only one older than allowed."""

    investor: str
    company: str
    low: Decimal
    high: Decimal
    """The position, percent of the company (a range where undisclosed)."""
    mark: MarkRef | None
    months: int | None
    """Whole months from the mark's date (the end of its period) to the as-of date."""

    def as_dict(self) -> dict[str, Any]:
        from ecoport.core.positions import Range

        low, high = Range(self.low, self.high).text()
        m = self.mark
        return {
            "investor": self.investor,
            "company": self.company,
            "percent_low": low,
            "percent_high": high,
            "mark_date": None if m is None else m.label,
            "mark_kind": None if m is None else m.kind.value,
            "mark_origin": None if m is None else m.origin,
            "months_old": self.months,
        }


@dataclass(frozen=True, slots=True)
class MissingMarks:
    """Held positions with no mark, or only one older than *older_than* months."""

    as_of: dt.date
    older_than: int
    positions: tuple[Unmarked, ...]
    held: int
    """How many positions are held in all (the others have a recent mark)."""

    csv_fields: ClassVar[tuple[str, ...]] = (
        "investor",
        "company",
        "percent_low",
        "percent_high",
        "mark_date",
        "mark_kind",
        "mark_origin",
        "months_old",
    )

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "older_than_months": self.older_than,
            "held": self.held,
            "positions": [p.as_dict() for p in self.positions],
        }

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        return (p.as_dict() for p in self.positions)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from *earlier* to *later* (2020-12-31 to 2021-12-30: 11)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (later.day < earlier.day)


@dataclass(frozen=True, slots=True)
class MissingQuery:
    investor: str | None = None
    older_than: int = 12
    as_of: dt.date | None = None


def missing_marks(reader: Reader, query: MissingQuery) -> MissingMarks:
    """The chosen investors' held positions with no mark on or before the date, or only one
    more than *older_than* months old; by investor and company."""
    from ecoport.services.ownership import holdings_of
    from ecoport.services.returns import investors_of

    if query.older_than < 0:
        raise FieldError("older_than", f"must be 0 or more months (got {query.older_than})")
    as_of = query.as_of or dt.date.today()
    day = as_of.isoformat()
    investors = investors_of(reader, query.investor)
    held = holdings_of(reader, [i for i, _ in investors], as_of=day)
    active = {(i, c): p for i, ps in held.items() for c, p in ps.items() if p.active}
    marks = latest_marks(reader, {c for _, c in active}, as_of=day)
    names = dict(investors)
    found = []
    for (investor, company), pos in active.items():
        mark = marks.get(company)
        months = None
        if mark is not None:
            end = PartialDate.from_stored(mark.date, mark.precision).end
            months = max(0, months_between(end, as_of))
            if months <= query.older_than:
                continue
        found.append((investor, company, pos, mark, months))
    company_names = _names(reader, {c for _, c, *_ in found})
    out = [
        Unmarked(names[i], company_names[c], pos.low, pos.high, mark, months)
        for i, c, pos, mark, months in found
    ]
    out.sort(key=lambda u: (u.investor.lower(), u.company.lower(), u.company))
    return MissingMarks(as_of, query.older_than, tuple(out), len(active))


def _names(reader: Reader, ids: Collection[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for batch in _batches(ids):
        out.update(
            (i, n) for i, n in reader.rows(f"SELECT id, name FROM company WHERE id IN ({batch})")
        )
    return out
