"""Companies: the list, and one company's holders, holdings and stakes."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ecoport.core.dates import PartialDate
from ecoport.core.positions import HoldingClass, Range, State
from ecoport.services.listing import COMPANY_SORTS, Listing, Page, limit_offset, order_by
from ecoport.services.lookup import STAKE_COLUMNS, STAKE_ORDER, require_company, stake_dict
from ecoport.services.ownership import Node, bounds
from ecoport.store.db import Reader

if TYPE_CHECKING:
    from ecoport.core.returns import Between, Metric, Unknown
    from ecoport.services.returns import PositionReturns

#: How many hold the company, how many it holds, and the stakes it takes part in (a stake
#: is never in a company itself, so the last is two indexed counts).
_COMPANY_COUNTS = """
(SELECT COUNT(DISTINCT s.investor_id) FROM stake s WHERE s.company_id = c.id) AS holders,
(SELECT COUNT(DISTINCT s.company_id) FROM stake s WHERE s.investor_id = c.id) AS holdings,
(SELECT COUNT(*) FROM stake s WHERE s.company_id = c.id)
  + (SELECT COUNT(*) FROM stake s WHERE s.investor_id = c.id) AS stakes
"""
_ALIAS_BATCH = 500


def list_companies(
    reader: Reader, *, sector: str | None = None, page: Page | None = None
) -> Listing[dict[str, Any]]:
    """Companies by name (or a page's order) with their aliases and counts, streamed."""
    page = page or Page()
    where, params = "", dict[str, Any]()
    if sector is not None:
        where = " WHERE c.sector = :sector OR c.sector LIKE :under"
        params = {"sector": sector, "under": sector + "/%"}
    order = order_by(COMPANY_SORTS, page, "c.id")
    if page.whole:
        sql = f"SELECT c.id, c.name, c.sector, {_COMPANY_COUNTS} FROM company c{where}{order}"
    else:
        # the page's companies first; their counts only when the order needs them
        counted = page.sort in ("holders", "holdings", "stakes")
        inner = (
            f"SELECT c.id{', ' + _COMPANY_COUNTS if counted else ''} FROM company c{where}"
            f"{order}{limit_offset(page, params)}"
        )
        sql = (
            f"SELECT c.id, c.name, c.sector, {_COMPANY_COUNTS} "
            f"FROM ({inner}) AS page JOIN company c ON c.id = page.id{order}"
        )

    def rows() -> Iterator[dict[str, Any]]:
        batch: list[Any] = []
        for row in reader.stream(sql, params):
            batch.append(row)
            if len(batch) == _ALIAS_BATCH:
                yield from _company_rows(reader, batch)
                batch = []
        yield from _company_rows(reader, batch)

    def count() -> int:
        return int(reader.rows(f"SELECT COUNT(*) FROM company c{where}", params)[0][0])

    return Listing(rows(), page, "companies", count)


def _company_rows(reader: Reader, batch: list[Any]) -> Iterator[dict[str, Any]]:
    aliases = _aliases(reader, [r[0] for r in batch]) if batch else {}
    for cid, name, sector_, holders, holdings, stakes in batch:
        yield {
            "name": name,
            "sector": sector_,
            "aliases": aliases.get(cid, []),
            "holders": holders,
            "holdings": holdings,
            "stakes": stakes,
        }


def _aliases(reader: Reader, company_ids: list[int]) -> dict[int, list[str]]:
    marks = ", ".join(f":id{n}" for n in range(len(company_ids)))
    out: dict[int, list[str]] = defaultdict(list)
    for cid, alias in reader.rows(
        f"SELECT company_id, alias FROM company_alias WHERE company_id IN ({marks}) "
        "ORDER BY alias, id",
        {f"id{n}": i for n, i in enumerate(company_ids)},
    ):
        out[cid].append(alias)
    return out


#: The events between the company and its holders (or holdings), in order.
_FIRST = """
SELECT i.name, c.name, s.date, s.date_precision
FROM stake s JOIN company i ON i.id = s.investor_id JOIN company c ON c.id = s.company_id
WHERE {side} = :id AND s.date <= :as_of ORDER BY s.date, s.date_precision DESC, s.id
"""


@dataclass(frozen=True, slots=True)
class Holding:
    """A direct holding between the company shown and another, as of the date: its
    position (exact, or a range), where it stands, and its events."""

    company: str
    """The other company: a holder of the one shown, or one it holds."""
    position: Range
    state: State
    ended_by: str | None
    known: HoldingClass
    """What the held company is to the holder, by what is known."""
    first: str
    latest: str
    events: int
    value: "Between | Unknown | None" = None
    """The holding's value on the date in the reporting currency (position x latest mark):
    a range where the position is one; Unknown with the reason; None when not asked."""
    moic: "Metric | None" = None
    """(Realised + unrealised) / invested, or why it cannot be computed."""

    @property
    def active(self) -> bool:
        return self.state is State.HELD

    def describe(self) -> str:
        """``19.3%``, ``0–80.7%``, ``exited 2019``, ``acquired by Fossil on 2015-11``."""
        if self.state is State.ACQUIRED:
            return f"acquired by {self.ended_by} on {self.latest}"
        if self.state is not State.HELD:
            return f"{self.state.value.replace('-', ' ')} {self.latest}"
        return self.position.describe()

    def to_json(self, relation: str | None = None) -> dict[str, Any]:
        return {
            **({"relation": relation} if relation else {}),
            "company": self.company,
            "holding": self.describe(),
            **bounds("percent", self.position),
            "state": self.state.value,
            "ended_by": self.ended_by,
            "class": self.known.value,
            "active": self.active,
            "first": self.first,
            "latest": self.latest,
            "events": self.events,
            "value": _value_json(self.value),
            "moic": None if self.moic is None else _metric_json(self.moic),
        }


def _value_json(value: "Between | Unknown | None") -> dict[str, Any] | None:
    from ecoport.core.returns import Unknown

    if value is None:
        return None
    if isinstance(value, Unknown):
        return {"low": None, "high": None, "why": value.why}
    return {"low": f"{value.low:f}", "high": f"{value.high:f}", "why": None}


def _metric_json(m: "Metric") -> dict[str, Any]:
    if m.value is None:
        return {"low": None, "high": None, "why": m.why}
    return {"low": f"{m.value.low:.4f}", "high": f"{m.value.high:.4f}", "why": None}


@dataclass(frozen=True, slots=True)
class Chain:
    """A path of active holdings two links or more long, holder first, and the interest
    its first company has through it in its last: the product of the links' positions."""

    path: tuple[str, ...]
    share: Range

    def to_json(self) -> dict[str, Any]:
        return {"path": list(self.path), **bounds("percent", self.share)}


HOLDING_FIELDS = (
    "relation",
    "company",
    "holding",
    "percent",
    "percent_low",
    "percent_high",
    "state",
    "class",
    "first",
    "latest",
    "events",
)


@dataclass(frozen=True, slots=True)
class CompanyView:
    """One company as of a date: who holds it and what it holds (positions derived from
    the events, as `tree` and `owners` derive them), the chains it is held through and
    holds through, the valuations its stakes imply, and its stakes (the public stake
    records, each with its money in the reporting currency)."""

    name: str
    sector: str | None
    aliases: tuple[str, ...]
    note: str | None
    source: str | None
    as_of: dt.date
    holders: tuple[Holding, ...]
    holdings: tuple[Holding, ...]
    held_through: tuple[Chain, ...]
    holds_through: tuple[Chain, ...]
    valuations: tuple[dict[str, Any], ...]
    currency: str
    stakes: tuple[dict[str, Any], ...]

    csv_fields: ClassVar[tuple[str, ...]] = HOLDING_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sector": self.sector,
            "aliases": list(self.aliases),
            "note": self.note,
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "holders": [h.to_json() for h in self.holders],
            "holdings": [h.to_json() for h in self.holdings],
            "held_through": [c.to_json() for c in self.held_through],
            "holds_through": [c.to_json() for c in self.holds_through],
            "valuations": list(self.valuations),
            "currency": self.currency,
            "stakes": list(self.stakes),
        }

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        for h in self.holders:
            yield h.to_json("holder")
        for h in self.holdings:
            yield h.to_json("holding")


def _pairs(
    reader: Reader, side: str, company_id: int, as_of: str
) -> dict[tuple[str, str], tuple[str, str, int]]:
    """(holder, held) -> (first event, latest event, events) as written dates."""
    params = {"id": company_id, "as_of": as_of}
    first: dict[tuple[str, str], str] = {}
    latest: dict[tuple[str, str], str] = {}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for holder, held, date, precision in reader.rows(_FIRST.format(side=side), params):
        written = str(PartialDate.from_stored(date, precision))
        first.setdefault((holder, held), written)
        latest[(holder, held)] = written
        counts[(holder, held)] += 1
    return {pair: (first[pair], latest[pair], counts[pair]) for pair in first}


def _holdings(
    nodes: tuple[Node, ...],
    pairs: dict[tuple[str, str], tuple[str, str, int]],
    *,
    holders: bool,
    name: str,
    values: "dict[str, PositionReturns] | None" = None,
) -> tuple[Holding, ...]:
    out = []
    for node in nodes:
        pair = (node.company, name) if holders else (name, node.company)
        first, latest, events = pairs.get(pair, (node.date, node.date, 0))
        worth = (values or {}).get(node.company)
        out.append(
            Holding(
                company=node.company,
                position=node.direct,
                state=node.state,
                ended_by=node.ended_by,
                known=node.known,
                first=first,
                latest=latest,
                events=events,
                value=None if worth is None else worth.unrealised,
                moic=None if worth is None else worth.figures().moic,
            )
        )
    # holdings in the order of their first event, as the stakes are listed
    return tuple(sorted(out, key=lambda h: (_sortable(h.first), h.company)))


def _worth(
    reader: Reader, company_id: int, day: dt.date, into: str
) -> tuple[dict[str, "PositionReturns"], dict[str, "PositionReturns"]]:
    """The returns of the positions in the company (by holder) and of the company's own
    positions (by company held), as `ecoport returns` computes them."""
    from ecoport.services.returns import position_returns

    holder_ids = [
        int(r[0])
        for r in reader.rows(
            "SELECT DISTINCT investor_id FROM stake WHERE company_id = :c AND date <= :d",
            {"c": company_id, "d": day.isoformat()},
        )
    ]
    ids = {company_id, *holder_ids}
    marks = ", ".join(str(i) for i in ids)
    name_of: dict[int, str] = {
        int(r[0]): str(r[1])
        for r in reader.rows(f"SELECT id, name FROM company WHERE id IN ({marks})")
    }
    held_by: dict[str, PositionReturns] = {}
    if holder_ids:
        found = position_returns(reader, holder_ids, companies=[company_id], as_of=day, into=into)
        held_by = {name_of[inv]: p for (inv, _c), p in found.items()}
    own = position_returns(reader, [company_id], as_of=day, into=into)
    held_ids = {c for _i, c in own}
    if held_ids:
        more = ", ".join(str(i) for i in held_ids)
        for r in reader.rows(f"SELECT id, name FROM company WHERE id IN ({more})"):
            name_of[int(r[0])] = str(r[1])
    holds = {name_of[c]: p for (_i, c), p in own.items()}
    return held_by, holds


def _sortable(written: str) -> str:
    return written + "-00" * ((10 - len(written)) // 3)


def _chains(nodes: tuple[Node, ...], path: tuple[str, ...], share: Range | None) -> Iterator[Chain]:
    """Every path of active holdings below *path*, two links or more long."""
    for node in nodes:
        if node.state is not State.HELD:
            continue
        here = node.direct if share is None else share.through(node.direct)
        if share is not None:
            yield Chain((*path, node.company), here)
        yield from _chains(node.children, (*path, node.company), here)


def show_company(
    reader: Reader, name: str, *, into: str | None = None, as_of: dt.date | None = None
) -> CompanyView:
    """One company as of a date (default today): sector, aliases, holders and holdings
    (direct and through others), the valuations its stakes imply, its stakes."""
    from ecoport.services.ownership import OwnersQuery, TreeQuery, owners, ownership_tree
    from ecoport.services.reports import Converter, add_money_views
    from ecoport.services.settings import get_settings

    ref = require_company(reader, name, where="NAME")
    day = as_of or dt.date.today()
    sector, note, source = reader.rows(
        "SELECT sector, note, source FROM company WHERE id = :id", {"id": ref.id}
    )[0]
    down = ownership_tree(reader, TreeQuery(investor=ref.name, as_of=day, every=True))
    up = owners(reader, OwnersQuery(company=ref.name, as_of=day, every=True))
    stakes = reader.rows(
        STAKE_COLUMNS
        + " WHERE (s.company_id = :id OR s.investor_id = :id) AND s.date <= :as_of"
        + STAKE_ORDER,
        {"id": ref.id, "as_of": day.isoformat()},
    )
    converter = Converter(reader, into or get_settings(reader)["currency"])
    public = [stake_dict(r) for r in stakes]
    valuations = []
    for stake in public:
        # every stake with its amount converted (README: each stake has ``converted``)
        add_money_views(stake, converter)
        if stake["startup"] == ref.name and stake["implied_valuation"]:
            valuations.append(
                {
                    "date": stake["date"],
                    "investor": stake["investor"],
                    "stake_id": stake["id"],
                    **stake["implied_valuation"],
                }
            )
    iso = day.isoformat()
    held_by, holds = _worth(reader, ref.id, day, converter.into)
    return CompanyView(
        name=ref.name,
        sector=sector,
        aliases=tuple(_aliases(reader, [ref.id]).get(ref.id, [])),
        note=note,
        source=source,
        as_of=day,
        holders=_holdings(
            up.holders,
            _pairs(reader, "s.company_id", ref.id, iso),
            holders=True,
            name=ref.name,
            values=held_by,
        ),
        holdings=_holdings(
            down.nodes,
            _pairs(reader, "s.investor_id", ref.id, iso),
            holders=False,
            name=ref.name,
            values=holds,
        ),
        # upward paths read from the company to its holders: shown holder first
        held_through=tuple(
            Chain((*reversed(c.path[1:]), ref.name), c.share)
            for c in _chains(up.holders, (ref.name,), None)
        ),
        holds_through=tuple(
            Chain((ref.name, *c.path[1:]), c.share) for c in _chains(down.nodes, (ref.name,), None)
        ),
        valuations=tuple(valuations),
        currency=converter.into,
        stakes=tuple(public),
    )
