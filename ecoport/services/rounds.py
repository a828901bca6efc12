"""Funding rounds: find the round a stake took part in (or record it), list and show rounds."""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ecoport.core.dates import PartialDate
from ecoport.core.fx import implied_valuation
from ecoport.core.identity import RoundKey, best_round, clashing_round, round_name_key
from ecoport.core.money import Money, from_minor, to_minor
from ecoport.core.percent import from_micro
from ecoport.errors import Conflict, FieldError, NotFound
from ecoport.services.listing import ROUND_SORTS, Listing, Page, limit_offset, order_by
from ecoport.services.lookup import require_company
from ecoport.store.db import Reader

if TYPE_CHECKING:
    from sqlmodel import Session

_CANDIDATES = (
    "SELECT id, company_id, date, date_precision, name, total_minor, currency, valuation_minor "
    "FROM funding_round WHERE company_id = :c"
)


@dataclass(frozen=True, slots=True)
class RoundIn:
    """A round as a stake record describes it."""

    company_id: int
    date: PartialDate
    name: str | None = None
    total: Money | None = None
    valuation: Money | None = None
    source: str | None = None

    @property
    def given(self) -> bool:
        return self.name is not None or self.total is not None or self.valuation is not None

    def key(self) -> RoundKey:
        currency = self.total.currency if self.total else None
        return RoundKey(
            self.company_id,
            self.date.start.isoformat(),
            self.date.precision.value,
            self.name,
            None if self.total is None else to_minor(self.total.amount, self.total.currency),
            currency,
        )


def round_currency(round_in: RoundIn) -> str | None:
    """The one currency of a round's figures; the total and valuation must agree."""
    total, valuation = round_in.total, round_in.valuation
    if total and valuation and total.currency != valuation.currency:
        raise FieldError(
            "valuation", f"is in {valuation.currency}, the round total in {total.currency}"
        )
    figure = total or valuation
    return None if figure is None else figure.currency


def fill_round(stored: RoundKey, valuation: int | None, new: RoundIn) -> dict[str, Any]:
    """What *new* adds to a stored round: a finer date, a name, a total, a valuation."""
    changes: dict[str, Any] = {}
    rank = {"year": 0, "month": 1, "day": 2}
    key = new.key()
    if rank[key.date_precision] > rank[stored.date_precision]:
        changes.update(date=key.date, date_precision=key.date_precision)
    if stored.name is None and new.name is not None:
        changes["name"] = new.name
    currency = round_currency(new)
    if stored.total_minor is None and key.total_minor is not None:
        if stored.currency in (None, key.currency):
            changes.update(total_minor=key.total_minor, currency=key.currency)
    if valuation is None and new.valuation is not None:
        if (changes.get("currency") or stored.currency) in (None, currency):
            changes.update(
                valuation_minor=to_minor(new.valuation.amount, new.valuation.currency),
                currency=new.valuation.currency,
            )
    return changes


def candidates(reader: Reader, company_id: int) -> list[tuple[int, RoundKey, int | None]]:
    return [
        (r[0], RoundKey(r[1], r[2], r[3], r[4], r[5], r[6]), r[7])
        for r in reader.rows(_CANDIDATES, {"c": company_id})
    ]


def attach(session: "Session", round_in: RoundIn) -> tuple[int, bool]:
    """The id of the round *round_in* describes, recorded or completed; and whether it is new."""
    from ecoport.store.db import SessionReader
    from ecoport.store.models import FundingRound

    currency = round_currency(round_in)
    stored = candidates(SessionReader(session), round_in.company_id)
    keys = [(rid, key) for rid, key, _ in stored]
    found = best_round(round_in.key(), keys)
    clash = None if found is not None else clashing_round(round_in.key(), keys)
    if clash is not None:
        key = next(k for rid, k in keys if rid == clash)
        assert key.total_minor is not None and key.currency is not None
        raise Conflict(
            f"round {clash} ({describe(key.name)} of {key.date[:4]}) has the total "
            f"{key.currency} {from_minor(key.total_minor, key.currency):,f}, not {round_in.total}; "
            f"see {{command:rounds show {clash}}}",
            field="round_total",
        )
    if found is not None:
        key, valuation = next((k, v) for rid, k, v in stored if rid == found)
        changes = fill_round(key, valuation, round_in)
        if changes:
            row = session.get(FundingRound, found)
            assert row is not None
            for name, value in changes.items():
                setattr(row, name, value)
            session.add(row)
            session.flush()
        return found, False
    row = FundingRound(
        company_id=round_in.company_id,
        date=round_in.date.start.isoformat(),
        date_precision=round_in.date.precision.value,
        name=round_in.name,
        total_minor=None
        if round_in.total is None
        else to_minor(round_in.total.amount, round_in.total.currency),
        valuation_minor=None
        if round_in.valuation is None
        else to_minor(round_in.valuation.amount, round_in.valuation.currency),
        currency=currency,
        source=round_in.source,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id, True


def set_figures(session: "Session", round_id: int, round_in: RoundIn) -> None:
    """Give a stored round a total or valuation (``stakes edit --round-total``)."""
    from ecoport.store.models import FundingRound

    row = session.get(FundingRound, round_id)
    assert row is not None
    figure = round_in.total or round_in.valuation
    assert figure is not None
    # a round has one currency: the figure not being set must already be in this one
    untouched = row.valuation_minor if round_in.valuation is None else row.total_minor
    if round_in.total is not None and round_in.valuation is not None:
        untouched = None
    if untouched is not None and row.currency != figure.currency:
        raise FieldError(
            "round_total" if round_in.total else "valuation",
            f"the round's figures are in {row.currency}, not {figure.currency}",
        )
    if round_in.total is not None:
        row.total_minor = to_minor(round_in.total.amount, round_in.total.currency)
    if round_in.valuation is not None:
        row.valuation_minor = to_minor(round_in.valuation.amount, round_in.valuation.currency)
    row.currency = figure.currency
    session.add(row)
    session.flush()


def check_cheques(reader: Reader, round_id: int) -> None:
    """A round's total can be no less than any participant's disclosed cheque in it."""
    rows = reader.rows(
        "SELECT r.total_minor, r.currency, MAX(s.amount_minor), s.id FROM funding_round r "
        "JOIN stake s ON s.round_id = r.id AND s.currency = r.currency "
        "WHERE r.id = :r AND r.total_minor IS NOT NULL GROUP BY r.total_minor, r.currency, s.id "
        "ORDER BY 3 DESC NULLS LAST, 4",
        {"r": round_id},
    )
    if rows and rows[0][2] is not None and rows[0][2] > rows[0][0]:
        total, currency, cheque, stake_id = rows[0]
        raise FieldError(
            "round_total",
            f"the round's total {currency} {from_minor(total, currency):,f} is less than "
            f"stake {stake_id}'s own {currency} {from_minor(cheque, currency):,f}",
        )


# -- reading -------------------------------------------------------------------------------

_ROUND_SELECT = """
SELECT r.id, r.date, r.date_precision, c.name, c.sector, r.name, r.total_minor,
       r.valuation_minor, r.currency, r.source, r.note,
       (SELECT COUNT(*) FROM stake s WHERE s.round_id = r.id) AS participants
"""
_ROUND_COLUMNS = _ROUND_SELECT + "FROM funding_round r JOIN company c ON c.id = r.company_id\n"


def _money(minor: int | None, currency: str | None) -> str | None:
    return None if minor is None or currency is None else f"{from_minor(minor, currency):f}"


def _round_dict(row: Sequence[Any]) -> dict[str, Any]:
    rid, date, precision, company, sector, name, total, valuation, currency, source, note, n = row
    return {
        "id": rid,
        "date": str(PartialDate.from_stored(date, precision)),
        "startup": company,
        "sector": sector,
        "round": name,
        "total": _money(total, currency),
        "valuation": _money(valuation, currency),
        "currency": currency,
        "participants": n,
        "source": source,
        "note": note,
    }


@dataclass(frozen=True, slots=True)
class RoundQuery:
    startup: str | None = None
    investor: str | None = None
    since: PartialDate | None = None
    until: PartialDate | None = None


def list_rounds(
    reader: Reader, query: RoundQuery, page: Page | None = None
) -> Listing[dict[str, Any]]:
    """Rounds, oldest first (or in the page's order), with their totals and how many
    participants are recorded; streamed."""
    page = page or Page()
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if query.startup is not None:
        params["c"] = require_company(reader, query.startup, field="startup").id
        clauses.append("r.company_id = :c")
    if query.investor is not None:
        params["i"] = require_company(reader, query.investor, field="investor").id
        clauses.append("r.id IN (SELECT round_id FROM stake WHERE investor_id = :i)")
    if query.since is not None:
        params["since"] = query.since.start.isoformat()
        clauses.append("r.date >= :since")
    if query.until is not None:
        params["until"] = query.until.end.isoformat()
        clauses.append("r.date <= :until")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    order = order_by(ROUND_SORTS, page, "r.id")
    if page.whole:
        sql = _ROUND_COLUMNS + where + order
    else:
        # the page's rounds first, over what its order needs, then their columns
        company = " JOIN company c ON c.id = r.company_id" if re.search(r"\bc\.", order) else ""
        counted = (
            ", (SELECT COUNT(*) FROM stake s WHERE s.round_id = r.id) AS participants"
            if page.sort == "participants"
            else ""
        )
        inner = (
            f"SELECT r.id{counted} FROM funding_round r{company}{where}{order}"
            f"{limit_offset(page, params)}"
        )
        sql = (
            f"{_ROUND_SELECT}FROM ({inner}) AS page JOIN funding_round r ON r.id = page.id "
            f"JOIN company c ON c.id = r.company_id{order}"
        )

    def count() -> int:
        return int(reader.rows(f"SELECT COUNT(*) FROM funding_round r{where}", params)[0][0])

    rows = (_round_dict(r) for r in reader.stream(sql, params))
    return Listing(rows, page, "rounds", count)


@dataclass(frozen=True, slots=True)
class Participant:
    """A stake taken in a round: its investor's own cheque and percent, where disclosed."""

    stake_id: int
    investor: str
    kind: str
    amount: Money | None
    percent: Decimal | None

    def to_json(self) -> dict[str, Any]:
        return {
            "stake_id": self.stake_id,
            "investor": self.investor,
            "kind": self.kind,
            "amount": None if self.amount is None else f"{self.amount.amount:f}",
            "currency": None if self.amount is None else self.amount.currency,
            "percent": None if self.percent is None else f"{self.percent:f}",
        }


PARTICIPANT_FIELDS = ("round_id", "stake_id", "investor", "kind", "amount", "currency", "percent")


@dataclass(frozen=True, slots=True)
class RoundView:
    """One round: its figures as listed (the public round record), its participants, and
    the post-money valuations their disclosed amounts and percents imply."""

    record: dict[str, Any]
    participants: tuple[Participant, ...]
    implied: tuple[tuple[int, Money], ...]
    """(stake ID, the valuation its amount and percent imply)."""

    csv_fields: ClassVar[tuple[str, ...]] = PARTICIPANT_FIELDS

    @property
    def id(self) -> int:
        return int(self.record["id"])

    def to_json(self) -> dict[str, Any]:
        return {
            **self.record,
            "participants": [p.to_json() for p in self.participants],
            "implied_valuations": [
                {"stake_id": sid, "currency": m.currency, "amount": f"{m.amount:f}"}
                for sid, m in self.implied
            ],
            "disclosed_cheques": sum(p.amount is not None for p in self.participants),
        }

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        return ({**p.to_json(), "round_id": self.id} for p in self.participants)


def show_round(reader: Reader, round_id: int) -> RoundView:
    """One round: its figures, its participants and their cheques, the valuation given or
    implied by a participant's disclosed amount and percent."""
    rows = reader.rows(_ROUND_COLUMNS + " WHERE r.id = :r", {"r": round_id})
    if not rows:
        raise NotFound(f"no round with ID {round_id}")
    participants = []
    implied: list[tuple[int, Money]] = []
    for sid, investor, kind, minor, currency, micro in reader.rows(
        "SELECT s.id, i.name, s.kind, s.amount_minor, s.currency, s.percent_micro "
        "FROM stake s JOIN company i ON i.id = s.investor_id WHERE s.round_id = :r "
        "ORDER BY i.name, s.id",
        {"r": round_id},
    ):
        percent = None if micro is None else from_micro(micro)
        amount = None if minor is None else Money(from_minor(minor, currency), currency)
        participants.append(Participant(sid, investor, kind, amount, percent))
        if amount is not None and percent is not None:
            value = implied_valuation(amount.amount, percent, currency)
            implied.append((sid, Money(value, currency)))
    return RoundView(_round_dict(rows[0]), tuple(participants), tuple(implied))


def describe(name: str | None) -> str:
    """A round's name as shown (``Series A`` for ``a``; ``(unnamed)``)."""
    if name is None:
        return "(unnamed)"
    key = round_name_key(name) or name
    return f"Series {key.upper()}" if len(key) == 1 and key.isalpha() else name


@dataclass(frozen=True, slots=True)
class RoundsTaken:
    """The funding rounds some stakes took part in: how many, how many with a known total,
    those totals by currency (each round once, with how many rounds each adds up), and how
    many of the stakes keep the investor's own share undisclosed. A round's total is the
    whole round's money, never an investor's."""

    rounds: int
    with_total: int
    totals: tuple[tuple[Money, int], ...]
    own_share_undisclosed: int

    def to_json(self) -> dict[str, Any]:
        return {
            "rounds": self.rounds,
            "with_total": self.with_total,
            "totals": [
                {"currency": m.currency, "rounds": n, "amount": f"{m.amount:f}"}
                for m, n in self.totals
            ],
            "own_share_undisclosed": self.own_share_undisclosed,
        }


def rounds_taken(
    reader: Reader, where: str, params: dict[str, Any], *, by_company: bool = True
) -> RoundsTaken:
    """The rounds the stakes matching *where* (over ``stake s JOIN company c``, or ``stake s``
    alone without *by_company*) took part in (see RoundsTaken)."""
    join = "JOIN company c ON c.id = s.company_id" if by_company else ""
    base = f"FROM stake s {join} {where}"
    totals = reader.rows(
        f"""
        SELECT r.currency, COUNT(*), CAST(SUM(r.total_minor) AS BIGINT)
        FROM funding_round r
        WHERE r.id IN (SELECT s.round_id {base}) AND r.total_minor IS NOT NULL
        GROUP BY r.currency ORDER BY r.currency
        """,
        params,
    )
    counts = reader.rows(
        f"""
        SELECT COUNT(DISTINCT s.round_id),
               COUNT(CASE WHEN s.round_id IS NOT NULL AND s.amount_minor IS NULL THEN 1 END)
        {base}
        """,
        params,
    )[0]
    return RoundsTaken(
        rounds=counts[0],
        with_total=sum(n for _, n, _ in totals),
        totals=tuple((Money(from_minor(minor, cur), cur), n) for cur, n, minor in totals),
        own_share_undisclosed=counts[1],
    )
