"""The audit log: which changes were made, by whom, with which command; and undoing one."""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecoport.errors import InvalidInput, NotFound
from ecoport.store import audit

if TYPE_CHECKING:
    from sqlmodel import Session

    from ecoport.store.db import Change, Reader


@dataclass(frozen=True, slots=True)
class LogQuery:
    since: str | None = None
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD): changes made on or after it (UTC)."""
    stake: int | None = None
    """Only the changes that touched this stake, with its records."""
    change: int | None = None
    """Only this change, with all its records."""
    records: bool = False
    """Include each change's records (the rows before and after)."""
    limit: int | None = None
    """At most this many of the latest changes."""
    offset: int = 0
    """Skip this many of the latest changes first (a page further back)."""


def change_log(reader: "Reader", query: LogQuery) -> list[dict[str, Any]]:
    """The changes, oldest first (see README: the audit log)."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if query.since is not None:
        clauses.append("c.at >= :since")
        params["since"] = query.since
    if query.stake is not None:
        spans = ", ".join(str(i) for i in _spans_holding(reader, query.stake))
        clauses.append(
            "(c.id IN (SELECT change_id FROM change_record "
            "WHERE table_name = 'stake' AND row_key = :key)"
            + (f" OR c.id IN ({spans}))" if spans else ")")
        )
        params["key"] = str(query.stake)
    if query.change is not None:
        clauses.append("c.id = :change")
        params["change"] = query.change
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = reader.rows(
        f"""
        SELECT c.id, c.at, c.actor, c.command, c.summary, c.undoes,
               (SELECT MIN(u.id) FROM change u WHERE u.undoes = c.id)
        FROM change c{where} ORDER BY c.id DESC
        LIMIT :limit OFFSET :offset
        """,
        # SQLite wants a LIMIT before an OFFSET: every row is the largest 64-bit count
        {**params, "limit": query.limit or 2**63 - 1, "offset": query.offset},
    )
    if query.change is not None and not rows:
        raise NotFound(f"there is no change {query.change}", field="change")
    changes = [
        {
            "id": cid,
            "at": at,
            "actor": actor,
            "command": command,
            "summary": summary,
            "undoes": undoes,
            "undone_by": undone_by,
        }
        for cid, at, actor, command, summary, undoes, undone_by in reversed(rows)
    ]
    if query.records or query.stake is not None or query.change is not None:
        _attach_records(reader, changes, query.stake)
    return changes


def _spans_holding(reader: "Reader", stake: int) -> list[int]:
    """The changes that added stake *stake* in bulk (a span of ids that holds it)."""
    return [
        int(change_id)
        for change_id, key in reader.rows(
            "SELECT change_id, row_key FROM change_record "
            "WHERE table_name = 'stake' AND before IS NULL AND row_key LIKE :span",
            {"span": f"%{audit.SPAN}%"},
        )
        if _holds(key, stake)
    ]


def _holds(key: str, stake: int) -> bool:
    span = audit.span_of(key)
    return span is not None and span[0] <= stake <= span[1]


def _attach_records(reader: "Reader", changes: list[dict[str, Any]], stake: int | None) -> None:
    if not changes:
        return
    ids = ", ".join(str(int(c["id"])) for c in changes)
    only = (
        " AND table_name = 'stake' AND (row_key = :key OR before IS NULL AND row_key LIKE :span)"
        if stake is not None
        else ""
    )
    by_change: dict[int, list[dict[str, Any]]] = {c["id"]: [] for c in changes}
    for change_id, table, key, before, after in reader.rows(
        f"SELECT change_id, table_name, row_key, before, after FROM change_record "
        f"WHERE change_id IN ({ids}){only} ORDER BY id",
        {"key": str(stake), "span": f"%{audit.SPAN}%"} if stake is not None else {},
    ):
        if stake is not None and key != str(stake) and not _holds(key, stake):
            continue
        by_change[change_id].append(
            {
                "table": table,
                "key": key,
                "before": None if before is None else json.loads(before),
                "after": None if after is None else json.loads(after),
            }
        )
    for change in changes:
        change["records"] = by_change[change["id"]]


def since_of(text: str) -> str:
    """``--since`` as the start of its day, month or year (UTC)."""
    from ecoport.core.dates import parse_date

    try:
        return parse_date(text).start.isoformat()
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="since") from None


def undo_change(*, session: "Session", change_id: int | None, change: "Change") -> dict[str, Any]:
    """Revert a change (else the latest one not yet undone), recorded as a change itself."""
    undone, new_id, summary = audit.undo(session, change_id, change)
    return {"undone": undone, "change": new_id, "summary": summary}
