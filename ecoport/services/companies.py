"""Companies: the list, and one company's holders, holdings and stakes."""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from ecoport.core.dates import PartialDate
from ecoport.core.ownership import Chain, Kind, Position, look_through, position
from ecoport.core.percent import from_micro
from ecoport.services.listing import COMPANY_SORTS, Listing, Page, limit_offset, order_by
from ecoport.services.lookup import STAKE_COLUMNS, STAKE_ORDER, require_company, stake_dict
from ecoport.store.db import Reader

MAX_DEPTH = 6


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


_EVENTS = """
SELECT i.name, c.name, s.kind, s.percent_micro, s.date, s.date_precision
FROM stake s JOIN company i ON i.id = s.investor_id JOIN company c ON c.id = s.company_id
WHERE {side} IN ({ids}) ORDER BY s.date, s.date_precision DESC, s.id
"""


def _positions(reader: Reader, ids: list[int], side: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Positions of every (holder, held) pair where *side* (investor or company) is in *ids*."""
    marks = ", ".join(f":id{n}" for n in range(len(ids)))
    events: dict[tuple[str, str], list[tuple[Kind, Any]]] = defaultdict(list)
    dates: dict[tuple[str, str], list[str]] = defaultdict(list)
    for holder, held, kind, micro, date, prec in reader.rows(
        _EVENTS.format(side=side, ids=marks), {f"id{n}": i for n, i in enumerate(ids)}
    ):
        pair = (holder, held)
        events[pair].append((Kind(kind), None if micro is None else from_micro(micro)))
        dates[pair].append(str(PartialDate.from_stored(date, prec)))
    return {
        pair: {
            "position": position(evts),
            "first": dates[pair][0],
            "latest": dates[pair][-1],
            "events": len(evts),
        }
        for pair, evts in events.items()
    }


def _graph(reader: Reader, start: int, side: str) -> dict[str, list[tuple[str, Position]]]:
    """Holdings reachable from *start*: downward (side="s.investor_id") or upward holders
    (side="s.company_id"), as name -> [(other, position)], walking at most MAX_DEPTH links."""
    graph: dict[str, list[tuple[str, Position]]] = defaultdict(list)
    frontier, seen = [start], {start}
    other = "s.company_id" if side == "s.investor_id" else "s.investor_id"
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        for (holder, held), info in _positions(reader, frontier, side).items():
            if side == "s.investor_id":
                graph[holder].append((held, info["position"]))
            else:
                graph[held].append((holder, info["position"]))
        marks = ", ".join(f":id{n}" for n in range(len(frontier)))
        nxt = reader.rows(
            f"SELECT DISTINCT {other} FROM stake s WHERE {side} IN ({marks}) ORDER BY 1",
            {f"id{n}": i for n, i in enumerate(frontier)},
        )
        frontier = [r[0] for r in nxt if r[0] not in seen]
        seen.update(frontier)
    return graph


def _chain(chain: Chain) -> dict[str, Any]:
    return {
        "path": list(chain.path),
        "percent": None if chain.percent is None else f"{chain.percent.normalize():f}",
    }


def _holding(name: str, info: dict[str, Any]) -> dict[str, Any]:
    pos: Position = info["position"]
    return {
        "company": name,
        "holding": pos.describe(),
        "percent": None if pos.exact is None else f"{pos.exact.normalize():f}",
        "active": pos.active,
        "first": info["first"],
        "latest": info["latest"],
        "events": info["events"],
    }


def show_company(reader: Reader, name: str, *, into: str | None = None) -> dict[str, Any]:
    """One company: sector, aliases, holders and holdings (direct and look-through), stakes."""
    ref = require_company(reader, name, where="NAME")
    sector, note, source = reader.rows(
        "SELECT sector, note, source FROM company WHERE id = :id", {"id": ref.id}
    )[0]
    holders = _positions(reader, [ref.id], "s.company_id")
    holdings = _positions(reader, [ref.id], "s.investor_id")
    down = look_through(ref.name, _graph(reader, ref.id, "s.investor_id"))
    up = look_through(ref.name, _graph(reader, ref.id, "s.company_id"))
    stakes = reader.rows(
        STAKE_COLUMNS + " WHERE s.company_id = :id OR s.investor_id = :id" + STAKE_ORDER,
        {"id": ref.id},
    )
    from ecoport.services.reports import Converter, add_money_views
    from ecoport.services.settings import get_settings

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
    return {
        "name": ref.name,
        "sector": sector,
        "aliases": _aliases(reader, [ref.id]).get(ref.id, []),
        "note": note,
        "source": source,
        "holders": [_holding(h, info) for (h, _), info in holders.items()],
        "holdings": [_holding(c, info) for (_, c), info in holdings.items()],
        # Upward chains read from the company to its ultimate holder; show them holder-first.
        "held_through": [_chain(Chain(tuple(reversed(c.path)), c.percent)) for c in up],
        "holds_through": [_chain(c) for c in down],
        "valuations": valuations,
        "currency": converter.into,
        "stakes": public,
    }
