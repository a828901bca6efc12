"""Finding companies and stakes by what a user types, through any Reader."""

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from ecoport.core.dates import PartialDate
from ecoport.core.money import from_minor
from ecoport.core.names import match_key, name_key, near_duplicates
from ecoport.core.percent import from_micro
from ecoport.errors import InvalidInput, NotFound
from ecoport.services.listing import STAKE_SORTS, Page, limit_offset, order_by
from ecoport.services.shapes import STAKE_FIELDS
from ecoport.store.db import Reader

_FIND = """
SELECT id, name FROM company WHERE name_key = :key
UNION ALL
SELECT c.id, c.name FROM company_alias a JOIN company c ON c.id = a.company_id
WHERE a.alias_key = :key
"""
#: By the normalised key, when no name or alias is spelt so (the oldest company first).
_MATCH = """
SELECT id, name FROM (
    SELECT id, name FROM company WHERE match_key = :key
    UNION
    SELECT c.id, c.name FROM company_alias a JOIN company c ON c.id = a.company_id
    WHERE a.match_key = :key
) AS found ORDER BY id LIMIT 1
"""

_STAKE_SELECT = """
SELECT s.id, s.date, s.date_precision, i.name, c.name, c.sector, s.kind, r.name,
       s.amount_minor, s.currency, s.percent_micro, s.source, s.note,
       s.round_id, r.total_minor, r.valuation_minor, r.currency, s.ref
"""
#: The tables a stake's public fields come from, by their aliases in STAKE_COLUMNS.
_STAKE_JOINS = {
    "i": " JOIN company i ON i.id = s.investor_id",
    "c": " JOIN company c ON c.id = s.company_id",
    "r": " LEFT JOIN funding_round r ON r.id = s.round_id",
}
STAKE_COLUMNS = _STAKE_SELECT + "FROM stake s" + "".join(_STAKE_JOINS.values()) + "\n"
STAKE_ORDER = " ORDER BY s.date, s.date_precision DESC, s.id"


def stake_listing_sql(where: str, params: dict[str, Any], page: Page) -> str:
    """The stakes matching *where* (over STAKE_COLUMNS' aliases), one *page* of them in its
    order. A page's IDs are found first, over only the tables that its filter and order
    need, and only those rows are joined to their companies and rounds: the first 50 of a
    million stakes do not sort a million joined rows."""
    order = order_by(STAKE_SORTS, page, "s.id")
    if page.whole:
        return STAKE_COLUMNS + where + order
    needed = "".join(
        join for alias, join in _STAKE_JOINS.items() if re.search(rf"\b{alias}\.", where + order)
    )
    ids = f"SELECT s.id FROM stake s{needed}{where}{order}{limit_offset(page, params)}"
    return (
        f"{_STAKE_SELECT}FROM ({ids}) AS page JOIN stake s ON s.id = page.id"
        + "".join(_STAKE_JOINS.values())
        + order
    )


def count_stakes(reader: Reader, where: str, params: dict[str, Any]) -> int:
    """How many stakes match *where* (over STAKE_COLUMNS' aliases)."""
    needed = "".join(
        join for alias, join in _STAKE_JOINS.items() if re.search(rf"\b{alias}\.", where)
    )
    return int(reader.rows(f"SELECT COUNT(*) FROM stake s{needed}{where}", params)[0][0])


@dataclass(frozen=True, slots=True)
class CompanyRef:
    id: int
    name: str


def find_company(reader: Reader, name: str) -> CompanyRef | None:
    """The company called *name* or known by it as an alias, case-insensitively; else the
    one whose normalised name is the same (``Xiaomi Corp`` for Xiaomi)."""
    rows = reader.rows(_FIND, {"key": name_key(name)}) or reader.rows(
        _MATCH, {"key": match_key(name)}
    )
    return CompanyRef(rows[0][0], rows[0][1]) if rows else None


def all_spellings(reader: Reader) -> list[tuple[str, str]]:
    """Every name and alias with the canonical name it stands for."""
    rows = reader.rows(
        "SELECT name, name FROM company UNION ALL "
        "SELECT a.alias, c.name FROM company_alias a JOIN company c ON c.id = a.company_id"
    )
    return [(r[0], r[1]) for r in rows]


def require_company(
    reader: Reader, name: str, *, where: str | None = None, field: str | None = None
) -> CompanyRef:
    """Like find_company, but a clear NotFound (with suggestions) when there is none, and
    a name that cannot be one (empty, a control character) named by where it was given."""
    try:
        found = find_company(reader, name)
    except InvalidInput as exc:
        if exc.where or exc.field:
            raise
        raise InvalidInput(exc.message, where=where, field=field) from None
    if found is not None:
        return found
    close = near_duplicates(name, all_spellings(reader))
    hint = f"; did you mean {', '.join(repr(c) for c in close[:3])}?" if close else ""
    raise NotFound(f"no company named {name!r}{hint}", where=where, field=field)


def stake_dict(row: tuple[Any, ...] | Any) -> dict[str, Any]:
    """A stake row from STAKE_COLUMNS as the stable public shape (see README: JSON output)."""
    (
        sid,
        date,
        precision,
        investor,
        company,
        sector,
        kind,
        round_,
        minor,
        currency,
        micro,
        source,
        note,
        round_id,
        total,
        valuation,
        round_currency,
        ref,
    ) = row
    return {
        "id": sid,
        "date": str(PartialDate.from_stored(date, precision)),
        "investor": investor,
        "startup": company,
        "sector": sector,
        "kind": kind,
        "round": round_,
        "amount": None if minor is None else f"{from_minor(minor, currency):f}",
        "currency": currency,
        "percent": None if micro is None else f"{from_micro(micro):f}",
        "source": source,
        "note": note,
        "round_id": round_id,
        "round_total": None if total is None else f"{from_minor(total, round_currency):f}",
        "round_valuation": None
        if valuation is None
        else f"{from_minor(valuation, round_currency):f}",
        "round_currency": round_currency,
        "ref": ref,
    }


@dataclass(frozen=True, slots=True)
class StakeView:
    """One stake, every field (the public stake record: see README, JSON output)."""

    record: dict[str, Any]
    heading: str | None = None
    """What a person reads above it: ``Stake 7`` unless said (``Stake 7 updated``)."""

    csv_fields: ClassVar[tuple[str, ...]] = STAKE_FIELDS

    def to_json(self) -> dict[str, Any]:
        return dict(self.record)

    def csv_rows(self) -> list[dict[str, Any]]:
        return [self.record]


def show_stake(reader: Reader, stake_id: int) -> StakeView:
    return StakeView(get_stake(reader, stake_id))


def get_stake(reader: Reader, stake_id: int) -> dict[str, Any]:
    rows = reader.rows(STAKE_COLUMNS + " WHERE s.id = :id", {"id": stake_id})
    if not rows:
        raise NotFound(f"no stake with ID {stake_id}")
    return stake_dict(rows[0])
