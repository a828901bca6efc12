"""The audit trail: every change a write session makes, recorded in the same transaction.

ORM changes are seen by an ``after_flush`` hook (each row before and after). Bulk writes
that bypass the ORM (imports) say which tables they inserted into, and each table's new rows,
when more than SPAN_ABOVE, are recorded as one *span* record: the range of their ids (key
``FIRST..LAST``, no before, an after of ``{"first_id", "last_id", "rows"}``), not a copy of
every row (fewer are copied, by one INSERT ... SELECT, to be read one by one in the log).
A bulk write holds the writer's lock, and ids are never reused (AUTOINCREMENT on SQLite,
sequences on PostgreSQL), so every row with an id in the span is one the change inserted.

``undo`` applies a change's records backwards, a batch of them at a time (memory bounded
however large the change), in one transaction. A span is undone by copying its rows, as
they are, into the undo's own records (one INSERT ... SELECT in the database, so that the
undo can be undone) and deleting them by id range. Databases written before spans hold a
record per inserted row; those undo as ever.
"""

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecoport.errors import Conflict, NotFound

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlmodel import Session

    from ecoport.store.db import Change

#: The tables whose changes are recorded, in the order their rows depend on each other.
AUDITED = (
    "company",
    "company_alias",
    "target",
    "sector_target",
    "milestone",
    "setting",
    "fx_rate",
    "funding_round",
    "stake",
    "mark",
)
#: How many of a change's records ``undo`` reads, applies and copies at a time.
UNDO_BATCH = 5000
#: How a time is written in a record: as SQLite stores it, UTC.
STORED_TIME = "%Y-%m-%d %H:%M:%S.%f"
NOUNS = {
    "company": ("company", "companies"),
    "company_alias": ("alias", "aliases"),
    "target": ("target", "targets"),
    "sector_target": ("sector target", "sector targets"),
    "milestone": ("milestone", "milestones"),
    "setting": ("setting", "settings"),
    "fx_rate": ("exchange rate", "exchange rates"),
    "funding_round": ("round", "rounds"),
    "stake": ("stake", "stakes"),
    "mark": ("mark", "marks"),
}
#: Between the first and last id of a span record's key.
SPAN = ".."
#: A bulk write's new rows of a table are recorded as a span when they are more than this
#: many; fewer are each recorded with their image, to be read one by one in the log.
SPAN_ABOVE = 1000
#: Columns added after a record may have been written, and how to fill them from the record.
_DERIVED = {
    ("company", "match_key"): "name",
    ("company_alias", "match_key"): "alias",
}


@dataclass(frozen=True, slots=True)
class Record:
    table: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def verb(self) -> str:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"


def _tables() -> "dict[str, Table]":
    from sqlmodel import SQLModel

    from ecoport.store import models  # noqa: F401  (registers the tables)

    return {name: SQLModel.metadata.tables[name] for name in AUDITED}


def span_of(key: str) -> tuple[int, int] | None:
    """The first and last id of a span record's key (``101..2000``), else None."""
    first, sep, last = key.partition(SPAN)
    if sep and first.isdigit() and last.isdigit():
        return int(first), int(last)
    return None


def span_record(table: str, first: int, last: int, rows: int) -> Record:
    """The record of *rows* rows of *table* inserted with ids *first* to *last*."""
    after = {"first_id": first, "last_id": last, "rows": rows}
    return Record(table, f"{first}{SPAN}{last}", None, after)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.strftime(STORED_TIME)
    return value


def _key(table: "Table", values: dict[str, Any]) -> str:
    return "/".join(str(values[c.name]) for c in table.primary_key.columns)


def watch(session: "Session") -> None:
    """Start recording what *session* flushes."""
    from sqlalchemy import event, inspect

    session.info["audit"] = []
    session.info["audit_bulk"] = []
    tables = _tables()

    def images(obj: Any) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        table = getattr(obj, "__table__", None)
        if table is None or table.name not in tables:
            return None
        state = inspect(obj)
        before, after = {}, {}
        for column in table.columns:
            history = state.attrs[column.key].history
            now = getattr(obj, column.key)
            after[column.name] = _plain(now)
            before[column.name] = _plain(history.deleted[0] if history.deleted else now)
        return table.name, before, after

    @event.listens_for(session, "after_flush")
    def _after_flush(flushed: "Session", _context: Any) -> None:
        # parents before children, so that undoing in reverse never breaks a foreign key
        order = {name: i for i, name in enumerate(AUDITED)}
        added, removed = [], []
        for obj in flushed.new:
            found = images(obj)
            if found:
                name, _, after = found
                added.append(Record(name, _key(tables[name], after), None, after))
        for obj in flushed.dirty:
            found = images(obj)
            if found and found[1] != found[2]:
                name, before, after = found
                added.append(Record(name, _key(tables[name], after), before, after))
        for obj in flushed.deleted:
            found = images(obj)
            if found:
                name, before, _ = found
                removed.append(Record(name, _key(tables[name], before), before, None))
        records: list[Record] = flushed.info["audit"]
        records.extend(sorted(removed, key=lambda r: -order[r.table]))
        records.extend(sorted(added, key=lambda r: order[r.table]))


def note(session: "Session", record: Record) -> None:
    """Record a change made without the ORM (a single row)."""
    session.info["audit"].append(record)


def inserted_after(session: "Session", table: str, last_id: int) -> None:
    """Record that every row of *table* with an id above *last_id* was inserted by this
    change (bulk writes hold the write lock, so no other writer's rows are among them)."""
    session.info["audit_bulk"].append((table, last_id))


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def record(session: "Session", change: "Change", *, undoes: int | None = None) -> int | None:
    """Write the change and its records, if the session changed anything; its id."""
    from sqlalchemy import func, insert, select

    from ecoport.store.models import AuditRecord

    records: list[Record] = session.info.get("audit", [])
    bulk: list[tuple[str, int]] = session.info.get("audit_bulk", [])
    session.flush()
    if not records and not bulk:
        return None
    counts: Counter[tuple[str, str]] = Counter((r.table, r.verb) for r in records)
    tables = _tables()
    spans: list[Record] = []
    copies: list[tuple[str, int, int]] = []
    for name, last_id in bulk:
        table = tables[name]
        first, last, n = session.execute(
            select(func.min(table.c.id), func.max(table.c.id), func.count()).where(
                table.c.id > last_id
            )
        ).one()
        if n:
            counts[(name, "added")] += n
            if n > SPAN_ABOVE:
                spans.append(span_record(name, int(first), int(last), int(n)))
            else:
                copies.append((name, int(first), int(last)))
    if not counts and undoes is None:
        return None
    change_id = _new_change(session, change, summarize(counts), undoes=undoes)
    # the rows added first: what the change did to rows stored before refers to them
    for name, first, last in copies:
        _copy_rows(session, change_id, tables[name], first, last, into="after")
    if spans or records:
        session.execute(
            insert(AuditRecord),
            [
                {
                    "change_id": change_id,
                    "table_name": r.table,
                    "row_key": r.key,
                    "before": _json(r.before),
                    "after": _json(r.after),
                }
                for r in (*spans, *records)
            ],
        )
    records.clear()
    bulk.clear()
    return change_id


def _new_change(
    session: "Session", change: "Change", summary: str, *, undoes: int | None = None
) -> int:
    """Write the change row (its records come after, under its id); its id."""
    from sqlalchemy import insert

    from ecoport.store.models import AuditChange

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    inserted: Any = session.execute(
        insert(AuditChange).values(
            at=now, actor=change.who(), command=change.command, summary=summary, undoes=undoes
        )
    )
    return int(inserted.inserted_primary_key[0])


def _image_of(column: Any, dialect: str) -> str:
    """A column as it goes into a record's JSON: times as SQLite stores them, on both."""
    from sqlalchemy import DateTime

    kind = getattr(column.type, "impl", column.type)
    if dialect == "postgresql" and isinstance(kind, DateTime):
        return f"to_char({column.name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    return str(column.name)


def summarize(counts: "Counter[tuple[str, str]]") -> str:
    """``3 stakes added, 1 company changed`` from counts of (table, verb)."""
    parts = []
    for name in reversed(AUDITED):
        for verb in ("added", "changed", "removed"):
            n = counts.get((name, verb), 0)
            if n:
                one, many = NOUNS[name]
                parts.append(f"{n} {one if n == 1 else many} {verb}")
    return ", ".join(parts) or "nothing changed"


# -- undo --------------------------------------------------------------------------------


def latest_undoable(session: "Session") -> int:
    from sqlalchemy import text

    row = session.execute(
        text(
            "SELECT c.id FROM change c WHERE c.undoes IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM change u WHERE u.undoes = c.id) ORDER BY c.id DESC LIMIT 1"
        )
    ).first()
    if row is None:
        raise NotFound("nothing to undo: no change is recorded that has not been undone")
    return int(row[0])


def undo(session: "Session", change_id: int | None, change: "Change") -> tuple[int, int, str]:
    """Revert change *change_id* (else the latest not yet undone) as a new change.

    Refused when a later change, not itself undone, touched the same records: undoing
    under it would overwrite that work. Returns (undone id, new change id, summary)."""
    from sqlalchemy import text

    target = latest_undoable(session) if change_id is None else change_id
    found = session.execute(text("SELECT id FROM change WHERE id = :id"), {"id": target}).first()
    if found is None:
        raise NotFound(f"there is no change {target} (see {{command:log}})", where="CHANGE_ID")
    undone_by = session.execute(
        text("SELECT id FROM change WHERE undoes = :id"), {"id": target}
    ).first()
    if undone_by is not None:
        raise Conflict(f"change {target} was already undone by change {undone_by[0]}")
    later = session.execute(
        text(
            """
            SELECT DISTINCT l.change_id FROM change_record m
            JOIN change_record l ON l.table_name = m.table_name AND l.row_key = m.row_key
            JOIN change lc ON lc.id = l.change_id
            WHERE m.change_id = :id AND l.change_id > :id
              AND NOT EXISTS (SELECT 1 FROM change u WHERE u.undoes = l.change_id)
              AND (lc.undoes IS NULL OR lc.undoes < :id)
            ORDER BY l.change_id
            """
        ),
        {"id": target},
    ).all()
    later_ids = sorted({int(r[0]) for r in later} | _later_in_spans(session, target))
    if later_ids:
        ids = ", ".join(str(i) for i in later_ids)
        raise Conflict(
            f"change {target} cannot be undone: later change(s) {ids} touched the same "
            "records; undo those first"
        )
    from sqlalchemy.exc import IntegrityError

    low, high = session.execute(
        text("SELECT MIN(id), MAX(id) FROM change_record WHERE change_id = :id"), {"id": target}
    ).one()
    new_id = _new_change(session, change, "", undoes=target)
    counts: Counter[tuple[str, str]] = Counter()
    try:
        # newest record first, a batch of ids at a time: memory stays bounded by the batch
        while high is not None and high >= low:
            first = max(low, high - UNDO_BATCH + 1)
            counts += _undo_batch(session, target, new_id, first, high)
            high = first - 1
    except IntegrityError as exc:
        raise Conflict(
            f"change {target} cannot be undone: records made since depend on it "
            f"({str(exc.orig).splitlines()[0]}); remove or undo those first"
        ) from None
    summary = summarize(counts)
    session.execute(
        text("UPDATE change SET summary = :summary WHERE id = :id"),
        {"summary": summary, "id": new_id},
    )
    return target, new_id, summary


#: A change after change :id that is still in force (neither undone nor undoing one older).
_IN_FORCE = """
    l.change_id > :id
    AND NOT EXISTS (SELECT 1 FROM change u WHERE u.undoes = l.change_id)
    AND (lc.undoes IS NULL OR lc.undoes < :id)
"""


def _later_in_spans(session: "Session", target: int) -> set[int]:
    """The changes in force after *target* with a record of a row in one of its spans.

    (A later span never holds a row *target* touched: its ids were new when it was made.)"""
    from sqlalchemy import text

    spans: dict[str, list[tuple[int, int]]] = {}
    for name, key in session.execute(
        text(
            "SELECT table_name, row_key FROM change_record "
            "WHERE change_id = :id AND before IS NULL AND row_key LIKE :span"
        ),
        {"id": target, "span": f"%{SPAN}%"},
    ):
        found = span_of(key)
        if found is not None:
            spans.setdefault(name, []).append(found)
    hits: set[int] = set()
    for name, ranges in spans.items():
        rows = session.execute(
            text(
                "SELECT DISTINCT l.change_id, l.row_key FROM change_record l "
                f"JOIN change lc ON lc.id = l.change_id WHERE l.table_name = :name AND {_IN_FORCE}"
            ),
            {"id": target, "name": name},
        )
        for change_id, key in rows:
            if change_id in hits:
                continue
            first, last = span_of(key) or ((int(key),) * 2 if key.isdigit() else (0, -1))
            if any(first <= high and low <= last for low, high in ranges):
                hits.add(int(change_id))
    return hits


def _undo_batch(
    session: "Session", target: int, new_id: int, first: int, last: int
) -> "Counter[tuple[str, str]]":
    """Revert the records of change *target* with ids *first* to *last*, newest first, and
    record each as the reverse record of change *new_id* (its before the other's after: the
    JSON copied as it is). The counts of (table, verb) of the records written."""
    from sqlalchemy import text

    span = {"id": target, "first": first, "last": last}
    rows = session.execute(
        text(
            "SELECT id, table_name, row_key, before, after IS NULL FROM change_record "
            "WHERE change_id = :id AND id BETWEEN :first AND :last ORDER BY id DESC"
        ),
        span,
    ).all()
    counts: Counter[tuple[str, str]] = Counter()
    tables = _tables()
    # a run of rows of one table that the change inserted (deleted together by id), or that
    # it deleted (inserted together); any other record is applied on its own
    run: tuple[str, str] = ("", "")
    keys: list[str] = []
    images: list[tuple[str, dict[str, Any]]] = []
    #: the records from here down to *first* are still to be copied reversed
    top = last
    for record_id, name, key, before_json, removed in rows:
        table = tables[name]
        ids = span_of(key) if before_json is None and "id" in table.c else None
        if ids is not None:
            _flush(session, tables.get(run[0]), keys, images)
            run = ("", "")
            _reverse(session, {**span, "first": record_id + 1, "last": top, "new": new_id})
            top = record_id - 1
            counts[(name, "removed")] += _undo_span(session, table, new_id, *ids)
            continue
        before = None if before_json is None else json.loads(before_json)
        counts[(name, "added" if removed else "removed" if before is None else "changed")] += 1
        kind = ""
        if "id" in table.c:
            kind = "delete" if before is None else "insert" if removed else ""
        if (name, kind) != run:
            _flush(session, tables.get(run[0]), keys, images)
            run = (name, kind)
        if kind == "delete":
            keys.append(key)
        elif kind == "insert" and before is not None:
            images.append((key, before))
        else:
            _apply(session, table, key, before)
    _flush(session, tables.get(run[0]), keys, images)
    _reverse(session, {**span, "last": top, "new": new_id})
    return counts


def _reverse(session: "Session", params: dict[str, Any]) -> None:
    """Copy the records of change *id* from *first* to *last* to change *new*, newest first,
    each reversed (its before the other's after: the JSON copied as it is)."""
    from sqlalchemy import text

    if params["first"] > params["last"]:
        return
    session.execute(
        text(
            "INSERT INTO change_record (change_id, table_name, row_key, before, after) "
            "SELECT :new, table_name, row_key, after, before FROM change_record "
            "WHERE change_id = :id AND id BETWEEN :first AND :last ORDER BY id DESC"
        ),
        params,
    )


def _undo_span(session: "Session", table: "Table", new_id: int, first: int, last: int) -> int:
    """Delete the rows of *table* with ids *first* to *last*, each recorded first as removed
    by change *new_id* with its image (newest first, as the records of a change undone one
    by one would be). How many there were."""
    from sqlalchemy import delete

    _copy_rows(session, new_id, table, first, last, into="before")
    deleted: Any = session.execute(delete(table).where(table.c.id.between(first, last)))
    return int(deleted.rowcount)


def _copy_rows(
    session: "Session", change_id: int, table: "Table", first: int, last: int, *, into: str
) -> None:
    """Record the rows of *table* with ids *first* to *last* as records of change
    *change_id*, each row's image (JSON made by the database) as the record's *into*: its
    ``after`` oldest first (rows added), or its ``before`` newest first (rows removed)."""
    from sqlalchemy import String, insert, literal, literal_column, select

    from ecoport.store.models import AuditRecord

    dialect = session.get_bind().dialect.name
    pairs = ", ".join(f"'{c.name}', {_image_of(c, dialect)}" for c in table.columns)
    image = f"json_object({pairs})" if dialect == "sqlite" else f"json_build_object({pairs})::text"
    order = table.c.id if into == "after" else table.c.id.desc()
    session.execute(
        insert(AuditRecord).from_select(
            ["change_id", "table_name", "row_key", into],
            select(
                literal(change_id),
                literal(table.name),
                table.c.id.cast(String()),
                literal_column(image),
            )
            .where(table.c.id.between(first, last))
            .order_by(order),
        )
    )


def _typed(table: "Table", values: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy import DateTime

    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in table.c:
            continue
        kind = table.c[name].type
        if isinstance(value, str) and isinstance(getattr(kind, "impl", kind), DateTime):
            value = dt.datetime.fromisoformat(value)
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)  # stored in UTC
        out[name] = value
    for (table_name, column), source in _DERIVED.items():
        if table.name == table_name and column not in out and source in out:
            from ecoport.core.names import match_key

            out[column] = match_key(out[source])
    return out


def _flush(
    session: "Session",
    table: "Table | None",
    keys: list[str],
    images: list[tuple[str, dict[str, Any]]],
) -> None:
    """Delete the rows of *table* with these ids (keys); insert these rows, (key, image), as
    they were: one by one, as ``_apply`` does, when any of them is there. Empties both."""
    from sqlalchemy import delete, insert, select

    if table is None:
        return
    for start in range(0, len(keys), 1000):
        ids = [int(k) for k in keys[start : start + 1000]]
        session.execute(delete(table).where(table.c.id.in_(ids)))
    keys.clear()
    if not images:
        return
    ids = [int(key) for key, _image in images]
    there = any(
        session.execute(
            select(table.c.id).where(table.c.id.in_(ids[start : start + 1000])).limit(1)
        ).first()
        for start in range(0, len(ids), 1000)
    )
    if there:
        for key, image in images:
            _apply(session, table, key, image)
    else:
        rows = [_typed(table, image) for _key, image in images]
        start = 0
        while start < len(rows):  # one statement per run of rows with the same columns
            end = start + 1
            while end < len(rows) and rows[end].keys() == rows[start].keys():
                end += 1
            session.execute(insert(table), rows[start:end])
            start = end
    images.clear()


def _apply(session: "Session", table: "Table", key: str, image: dict[str, Any] | None) -> None:
    """Make the row *key* of *table* be *image* again (None: the row must not exist)."""
    from sqlalchemy import and_, delete, insert, update

    pk = list(table.primary_key.columns)
    parts = key.split("/", len(pk) - 1)
    where = and_(
        *(c == (int(v) if c.type.python_type is int else v) for c, v in zip(pk, parts, strict=True))
    )
    if image is None:
        session.execute(delete(table).where(where))
        return
    values = _typed(table, image)
    exists = session.execute(table.select().where(where)).first()
    if exists is None:
        session.execute(insert(table).values(**{k: v for k, v in values.items() if k in table.c}))
    else:
        changes = {
            k: v for k, v in values.items() if k in table.c and k not in {c.name for c in pk}
        }
        session.execute(update(table).where(where).values(**changes))
