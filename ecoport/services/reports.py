"""Progress toward the target and stake reports, aggregated in SQL."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ecoport.core.dates import PartialDate
from ecoport.core.money import from_minor
from ecoport.core.ownership import MONEY_IN, MONEY_OUT
from ecoport.core.pace import pace
from ecoport.core.sectors import at_depth
from ecoport.errors import InvalidInput, NotFound
from ecoport.services.lookup import STAKE_COLUMNS, STAKE_ORDER, require_company, stake_dict
from ecoport.store.db import Reader

DEFAULT_TARGET = 100
UNSECTORED = "(no sector)"
_IN = ", ".join(f"'{k.value}'" for k in MONEY_IN)
_OUT = ", ".join(f"'{k.value}'" for k in MONEY_OUT)
_MONEY_KINDS = f"{_IN}, {_OUT}"


def _amounts(totals: dict[str, int]) -> list[dict[str, str]]:
    return [
        {"currency": cur, "amount": f"{from_minor(minor, cur):f}"}
        for cur, minor in sorted(totals.items())
    ]


def choose_investors(reader: Reader, investor: str | None) -> list[tuple[int, str]]:
    """The investor named, else those with a target, else the only investor."""
    if investor is not None:
        ref = require_company(reader, investor, where="--investor")
        return [(ref.id, ref.name)]
    with_target = reader.rows(
        "SELECT c.id, c.name FROM target t JOIN company c ON c.id = t.investor_id ORDER BY c.name"
    )
    if with_target:
        return [(r[0], r[1]) for r in with_target]
    investors = reader.rows(
        "SELECT DISTINCT c.id, c.name FROM stake s JOIN company c ON c.id = s.investor_id "
        "ORDER BY c.name"
    )
    if len(investors) == 1:
        return [(investors[0][0], investors[0][1])]
    if not investors:
        raise NotFound("no stakes recorded yet; add one with `ecoport add-stake`")
    names = ", ".join(r[1] for r in investors[:10])
    more = f" and {len(investors) - 10} more" if len(investors) > 10 else ""
    raise InvalidInput(
        f"several investors and none has a target; choose one of {names}{more}",
        where="--investor",
    )


@dataclass(frozen=True, slots=True)
class ProgressQuery:
    investor: str | None = None
    target: int | None = None
    depth: int = 1
    as_of: dt.date | None = None


def progress(reader: Reader, query: ProgressQuery) -> dict[str, Any]:
    """Progress of each chosen investor toward its target (see README: JSON output)."""
    if query.target is not None and query.target <= 0:
        raise InvalidInput(
            f"must be a positive whole number (got {query.target})", where="--target"
        )
    if query.depth < 1:
        raise InvalidInput(f"must be 1 or more (got {query.depth})", where="--depth")
    as_of = query.as_of or dt.date.today()
    investors = choose_investors(reader, query.investor)
    return {
        "as_of": as_of.isoformat(),
        "investors": [
            _investor_progress(reader, inv_id, name, query, as_of) for inv_id, name in investors
        ],
    }


def _investor_progress(
    reader: Reader, inv_id: int, name: str, query: ProgressQuery, as_of: dt.date
) -> dict[str, Any]:
    p = {"inv": inv_id, "as_of": as_of.isoformat()}
    stored = reader.rows("SELECT target, note, source FROM target WHERE investor_id = :inv", p)
    target = query.target or (stored[0][0] if stored else DEFAULT_TARGET)
    target_note, target_source = stored[0][1:] if stored and not query.target else (None, None)

    # One row per exact sector: distinct companies; sums of money put in, per currency.
    sector_rows = reader.rows(
        f"""
        SELECT c.sector, COUNT(DISTINCT s.company_id),
               COUNT(CASE WHEN s.kind IN ({_MONEY_KINDS}) THEN 1 END),
               COUNT(CASE WHEN s.kind IN ({_MONEY_KINDS}) AND s.amount_minor IS NULL THEN 1 END)
        FROM stake s JOIN company c ON c.id = s.company_id
        WHERE s.investor_id = :inv AND s.date <= :as_of GROUP BY c.sector
        """,
        p,
    )
    money_rows = reader.rows(
        f"""
        SELECT c.sector, s.currency, SUM(s.amount_minor)
        FROM stake s JOIN company c ON c.id = s.company_id
        WHERE s.investor_id = :inv AND s.date <= :as_of
          AND s.kind IN ({_IN}) AND s.amount_minor IS NOT NULL
        GROUP BY c.sector, s.currency
        """,
        p,
    )
    firsts = reader.rows(
        """
        SELECT MIN(s.date) AS first FROM stake s WHERE s.investor_id = :inv AND s.date <= :as_of
        GROUP BY s.company_id ORDER BY first
        """,
        p,
    )
    edges = reader.rows(
        f"""
        SELECT * FROM (SELECT s.date, s.date_precision, c.name FROM stake s
                       JOIN company c ON c.id = s.company_id
                       WHERE s.investor_id = :inv AND s.date <= :as_of
                       {STAKE_ORDER} LIMIT 1) AS first_stake
        UNION ALL
        SELECT * FROM (SELECT s.date, s.date_precision, c.name FROM stake s
                       JOIN company c ON c.id = s.company_id
                       WHERE s.investor_id = :inv AND s.date <= :as_of
                       ORDER BY s.date DESC, s.date_precision, s.id DESC LIMIT 1) AS last_stake
        """,
        p,
    )
    indirect = reader.rows(
        """
        WITH RECURSIVE reach(company_id, depth) AS (
            SELECT DISTINCT company_id, 1 FROM stake WHERE investor_id = :inv AND date <= :as_of
            UNION
            SELECT s.company_id, r.depth + 1 FROM stake s JOIN reach r
            ON s.investor_id = r.company_id WHERE r.depth < 6 AND s.date <= :as_of
        )
        SELECT c.name FROM company c WHERE c.id IN (SELECT company_id FROM reach)
        AND c.id <> :inv
        AND c.id NOT IN (SELECT company_id FROM stake WHERE investor_id = :inv AND date <= :as_of)
        ORDER BY c.name
        """,
        p,
    )

    count = sum(r[1] for r in sector_rows)
    sectors: dict[str, dict[str, Any]] = {}
    invested: dict[str, int] = defaultdict(int)
    money_by_sector: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sector, currency, minor in money_rows:
        key = UNSECTORED if sector is None else at_depth(sector, query.depth)
        money_by_sector[key][currency] += minor
        invested[currency] += minor
    transactions = undisclosed = 0
    for sector, companies, tx, undis in sector_rows:
        key = UNSECTORED if sector is None else at_depth(sector, query.depth)
        entry = sectors.setdefault(
            key, {"sector": key, "companies": 0, "transactions": 0, "undisclosed_amounts": 0}
        )
        entry["companies"] += companies
        entry["transactions"] += tx
        entry["undisclosed_amounts"] += undis
        transactions += tx
        undisclosed += undis
    sector_list = sorted(sectors.values(), key=lambda e: (-e["companies"], e["sector"]))
    for entry in sector_list:
        entry["invested"] = _amounts(money_by_sector.get(entry["sector"], {}))

    first_dates = [dt.date.fromisoformat(r[0]) for r in firsts]
    result = pace(first_dates, target=target, as_of=as_of)
    edge = [
        {"date": str(PartialDate.from_stored(d, prec)), "startup": company}
        for d, prec, company in edges
    ]
    return {
        "investor": name,
        "target": target,
        "target_note": target_note,
        "target_source": target_source,
        "companies": count,
        "percent_of_target": f"{Decimal(count * 100) / Decimal(target):.2f}",
        "counted": f"distinct companies in which {name} holds or held a direct stake",
        "through_portfolio": [r[0] for r in indirect],
        "first_stake": edge[0] if edge else None,
        "latest_stake": edge[1] if len(edge) > 1 else None,
        "pace_per_month": None if result.per_month is None else f"{result.per_month:.3f}",
        "pace_since": first_dates[0].isoformat() if first_dates else None,
        "target_date": None if result.target_date is None else result.target_date.isoformat(),
        "target_reached": result.reached,
        "invested": _amounts(invested),
        "transactions": transactions,
        "undisclosed_amounts": undisclosed,
        "sectors": sector_list,
    }


@dataclass(frozen=True, slots=True)
class ReportQuery:
    sector: str | None = None
    investor: str | None = None
    startup: str | None = None
    since: PartialDate | None = None
    until: PartialDate | None = None


def _where(reader: Reader, query: ReportQuery) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if query.since and query.until and query.until.end < query.since.start:
        raise InvalidInput(f"{query.until} is before --since {query.since}", where="--until")
    if query.investor is not None:
        params["investor"] = require_company(reader, query.investor, where="--investor").id
        clauses.append("s.investor_id = :investor")
    if query.startup is not None:
        params["startup"] = require_company(reader, query.startup, where="--startup").id
        clauses.append("s.company_id = :startup")
    if query.sector is not None:
        params["sector"], params["sector_under"] = query.sector, query.sector + "/%"
        clauses.append("(c.sector = :sector OR c.sector LIKE :sector_under)")
    if query.since is not None:
        params["since"] = query.since.start.isoformat()
        clauses.append("s.date >= :since")
    if query.until is not None:
        params["until"] = query.until.end.isoformat()
        clauses.append("s.date <= :until")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_stakes(reader: Reader, query: ReportQuery) -> list[dict[str, Any]]:
    where, params = _where(reader, query)
    return [stake_dict(r) for r in reader.rows(STAKE_COLUMNS + where + STAKE_ORDER, params)]


def report(reader: Reader, query: ReportQuery) -> dict[str, Any]:
    """Every matching stake, then totals (see README: JSON output)."""
    where, params = _where(reader, query)
    stakes = [stake_dict(r) for r in reader.rows(STAKE_COLUMNS + where + STAKE_ORDER, params)]
    base = "FROM stake s JOIN company c ON c.id = s.company_id" + where
    totals = reader.rows(
        f"""
        SELECT s.currency,
               SUM(CASE WHEN s.kind IN ({_IN}) THEN s.amount_minor ELSE 0 END),
               SUM(CASE WHEN s.kind IN ({_OUT}) THEN s.amount_minor ELSE 0 END)
        {base} {"AND" if where else "WHERE"} s.amount_minor IS NOT NULL
        GROUP BY s.currency ORDER BY s.currency
        """,
        params,
    )
    counts = reader.rows(
        f"""
        SELECT COUNT(*), COUNT(DISTINCT s.company_id), COUNT(DISTINCT s.investor_id),
               COUNT(CASE WHEN s.kind IN ({_MONEY_KINDS}) THEN 1 END),
               COUNT(CASE WHEN s.kind IN ({_MONEY_KINDS}) AND s.amount_minor IS NULL THEN 1 END),
               COUNT(CASE WHEN s.percent_micro IS NULL THEN 1 END)
        {base}
        """,
        params,
    )[0]
    return {
        "filters": {
            "sector": query.sector,
            "investor": query.investor,
            "startup": query.startup,
            "since": None if query.since is None else str(query.since),
            "until": None if query.until is None else str(query.until),
        },
        "stakes": stakes,
        "totals": {
            "stakes": counts[0],
            "startups": counts[1],
            "investors": counts[2],
            "by_currency": [
                {
                    "currency": cur,
                    "invested": f"{from_minor(i, cur):f}",
                    "realised": f"{from_minor(o, cur):f}",
                }
                for cur, i, o in totals
            ],
            "transactions": counts[3],
            "undisclosed_amounts": counts[4],
            "undisclosed_percents": counts[5],
        },
    }
