"""Exporting stakes: CSV (one row a stake, ecoport's own columns), and JSON and YAML in the
shape of the seed file (companies with their sectors, aliases and targets; then stakes; then
the marks given, when there are any).

Whatever ecoport exports, it imports again: export, import into an empty database, export
again, and the two exports are identical.
"""

from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import IO, Any

from ecoport.core.dates import PartialDate
from ecoport.core.money import from_minor
from ecoport.core.percent import from_micro
from ecoport.core.sectors import normalize_sector
from ecoport.services.fields import FIELDS
from ecoport.services.lookup import require_company
from ecoport.store.db import Reader

#: Stakes in the order of what they say, then of their IDs, so that a re-imported export
#: matches; the same on SQLite and PostgreSQL: an undisclosed figure (NULL) comes first on both,
#: and only text that compares byte by byte on both is sorted on (source, note and ref have the
#: database's own collation on PostgreSQL, so the ID orders the stakes alike but for those).
_STAKES = """
SELECT i.name, c.name, c.sector, s.kind, s.date, s.date_precision, s.amount_minor, s.currency,
       s.percent_micro, r.name, s.source, s.note, r.total_minor, r.valuation_minor, r.currency,
       s.ref
FROM stake s JOIN company i ON i.id = s.investor_id JOIN company c ON c.id = s.company_id
LEFT JOIN funding_round r ON r.id = s.round_id
{where}
ORDER BY i.name_key, s.date, s.date_precision, c.name_key, s.kind, s.currency NULLS FIRST,
         s.amount_minor NULLS FIRST, s.percent_micro NULLS FIRST, r.name NULLS FIRST,
         r.currency NULLS FIRST, r.total_minor NULLS FIRST, r.valuation_minor NULLS FIRST, s.id
"""


#: The marks given (not those implied by rounds and stakes: they come back with them).
_MARKS = """
SELECT c.name, m.date, m.date_precision, m.kind, m.valuation_minor, m.price_minor, m.shares,
       m.currency, m.source, m.note
FROM mark m JOIN company c ON c.id = m.company_id
ORDER BY c.name_key, m.date, m.date_precision, m.id
"""


def _money(minor: int | None, currency: str | None) -> str | None:
    """An exact amount with its code (``150000000.00 USD``), as the importer reads it."""
    return (
        None if minor is None or currency is None else f"{from_minor(minor, currency):f} {currency}"
    )


@dataclass(frozen=True, slots=True)
class ExportQuery:
    sector: str | None = None
    investor: str | None = None


def _where(reader: Reader, query: ExportQuery) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if query.sector is not None:
        sector = normalize_sector(query.sector)
        params["sector"], params["under"] = sector, sector + "/%"
        clauses.append("(c.sector = :sector OR c.sector LIKE :under)")
    if query.investor is not None:
        params["inv"] = require_company(reader, query.investor, field="investor").id
        clauses.append("s.investor_id = :inv")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def stake_rows(reader: Reader, query: ExportQuery) -> Iterator[dict[str, str | None]]:
    """Every matching stake as ecoport's fields, exact text (``1266000000.00``, ``1.29``)."""
    where, params = _where(reader, query)
    sql = _STAKES.format(where=where)
    stream = getattr(reader, "stream", None)
    for row in stream(sql, params) if stream is not None else reader.rows(sql, params):
        (inv, startup, sector, kind, date, precision, minor, cur, micro, round_, source, note) = (
            row[:12]
        )
        total, valuation, round_currency, ref = row[12:]
        yield {
            "investor": inv,
            "startup": startup,
            "sector": sector,
            "kind": kind,
            "date": str(PartialDate.from_stored(date, precision)),
            "amount": None if minor is None else f"{from_minor(minor, cur):f}",
            "currency": cur,
            "percent": None if micro is None else f"{from_micro(micro):f}",
            "round": round_,
            "source": source,
            "note": note,
            "round_total": _money(total, round_currency),
            "valuation": _money(valuation, round_currency),
            "ref": ref,
        }


def seed_shape(reader: Reader, query: ExportQuery) -> dict[str, Any]:
    """Companies (those the stakes name, or all of them without a filter) and stakes."""
    stakes = list(stake_rows(reader, query))
    named = {s["investor"] for s in stakes} | {s["startup"] for s in stakes}
    filtered = query.sector is not None or query.investor is not None
    aliases: dict[int, list[str]] = {}
    for cid, alias in reader.rows(
        "SELECT company_id, alias FROM company_alias ORDER BY company_id, alias_key"
    ):
        aliases.setdefault(cid, []).append(alias)
    goals: dict[int, dict[str, int]] = {}
    for cid, sector_, target_ in reader.rows(
        "SELECT investor_id, sector, target FROM sector_target ORDER BY investor_id, sector"
    ):
        goals.setdefault(cid, {})[sector_] = target_
    milestones: dict[int, list[dict[str, Any]]] = {}
    for cid, date, precision, reported, what, m_source in reader.rows(
        "SELECT investor_id, date, date_precision, reported, what, source FROM milestone "
        "ORDER BY investor_id, date, date_precision, id"
    ):
        item = {
            "by": str(PartialDate.from_stored(date, precision)),
            "reported": reported,
            "what": what,
            "source": m_source,
        }
        milestones.setdefault(cid, []).append({k: v for k, v in item.items() if v is not None})
    companies = []
    for cid, name, sector, note, source, target, t_note, t_source in reader.rows(
        "SELECT c.id, c.name, c.sector, c.note, c.source, t.target, t.note, t.source "
        "FROM company c LEFT JOIN target t ON t.investor_id = c.id ORDER BY c.name_key, c.id"
    ):
        if filtered and name not in named:
            continue
        entry = {
            "name": name,
            "aliases": aliases.get(cid),
            "sector": sector,
            "note": note,
            "source": source,
            "target": target,
            "target_note": t_note,
            "target_source": t_source,
            "sector_targets": goals.get(cid),
            "milestones": milestones.get(cid),
        }
        companies.append({k: v for k, v in entry.items() if v is not None})
    order = (
        "investor",
        "startup",
        "date",
        "kind",
        "round",
        "round_total",
        "valuation",
        "amount",
        "currency",
        "percent",
        "ref",
    )
    shape: dict[str, Any] = {
        "companies": companies,
        "stakes": [
            {k: s[k] for k in (*order, "note", "source") if s[k] is not None} for s in stakes
        ],
    }
    marks = mark_entries(reader, named if filtered else None)
    if marks:
        shape["marks"] = marks
    return shape


def mark_entries(
    reader: Reader, companies: Container[str | None] | None = None
) -> list[dict[str, Any]]:
    """The marks given (of *companies*, by name, when given) as the importer reads them: a
    valuation or write-down with its exact amount and code, a price with the share count."""
    out = []
    for name, date, precision, kind, valuation, price, shares, cur, source, note in reader.rows(
        _MARKS
    ):
        if companies is not None and name not in companies:
            continue
        entry = {
            "company": name,
            "date": str(PartialDate.from_stored(date, precision)),
            "kind": kind,
            "valuation": None if price is not None else _money(valuation, cur),
            "price": _money(price, cur),
            "shares": shares,
            "source": source,
            "note": note,
        }
        out.append({k: v for k, v in entry.items() if v is not None})
    return out


def write_csv(rows: Iterator[dict[str, str | None]], out: IO[str]) -> int:
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    count = 0
    for row in rows:
        writer.writerow(["" if row[f] is None else row[f] for f in FIELDS])
        count += 1
    return count


def write_json(data: dict[str, Any], out: IO[str]) -> int:
    import json

    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return len(data["stakes"])


def write_yaml(data: dict[str, Any], out: IO[str]) -> int:
    import yaml

    out.write(
        "# ecoport export: companies, then stakes (the shape of data/seed_companies.yaml),\n"
        "# then the marks given, if any.\n"
        "# Amounts are exact, in the stake's currency; ecoport imports this file as it is.\n"
    )
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for key in ("companies", "stakes", "marks"):
        if key == "marks" and not data.get(key):
            continue
        out.write("\n")
        yaml.dump(
            {key: data[key]},
            out,
            Dumper=dumper,
            sort_keys=False,
            allow_unicode=True,
            width=100,
            default_flow_style=False,
        )
    return len(data["stakes"])
