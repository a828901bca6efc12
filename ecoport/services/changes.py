"""The audit log as a user reads it: each record in the domain's terms (amount CNY 1.27bn ->
undisclosed, companies by name, not columns and IDs), and what an undo would revert."""

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ecoport.core.dates import PartialDate
from ecoport.core.money import compact, format_money, from_minor
from ecoport.core.percent import format_percent, from_micro
from ecoport.errors import Conflict, NotFound
from ecoport.store.audit import NOUNS, SPAN, span_of
from ecoport.store.db import Reader

#: Columns that only the database needs: keys derived from names, creation times, IDs.
_HIDDEN = {"id", "created_at", "name_key", "match_key", "alias_key", "date_precision"}
#: A row image's fields as a user names them, per table, in the order they are shown:
#: field -> the columns it is read from.
_FIELDS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "stake": (
        ("investor", ("investor_id",)),
        ("startup", ("company_id",)),
        ("kind", ("kind",)),
        ("date", ("date", "date_precision")),
        ("amount", ("amount_minor", "currency")),
        ("percent", ("percent_micro",)),
        ("round", ("round_id",)),
        ("source", ("source",)),
        ("note", ("note",)),
        ("ref", ("ref",)),
    ),
    "company": (
        ("name", ("name",)),
        ("sector", ("sector",)),
        ("note", ("note",)),
        ("source", ("source",)),
    ),
    "company_alias": (("company", ("company_id",)), ("alias", ("alias",))),
    "target": (
        ("investor", ("investor_id",)),
        ("target", ("target",)),
        ("note", ("note",)),
        ("source", ("source",)),
    ),
    "setting": (("setting", ("key",)), ("value", ("value",))),
    "fx_rate": (
        ("base", ("base",)),
        ("quote", ("quote",)),
        ("date", ("date",)),
        ("rate", ("rate",)),
        ("source", ("source",)),
    ),
    "funding_round": (
        ("startup", ("company_id",)),
        ("date", ("date", "date_precision")),
        ("round", ("name",)),
        ("total", ("total_minor", "currency")),
        ("valuation", ("valuation_minor", "currency")),
        ("source", ("source",)),
        ("note", ("note",)),
    ),
    "mark": (
        ("company", ("company_id",)),
        ("date", ("date", "date_precision")),
        ("kind", ("kind",)),
        ("value", ("valuation_minor", "currency")),
        ("price", ("price_minor", "currency")),
        ("shares", ("shares",)),
        ("source", ("source",)),
        ("note", ("note",)),
    ),
}
_COMPANY_COLUMNS = {"investor_id", "company_id"}
#: Fields that read as undisclosed, not as empty, when they have no value.
_UNDISCLOSED = {"amount", "percent", "total", "valuation"}


@dataclass(frozen=True, slots=True)
class Names:
    """Companies and rounds by ID, for reading records that refer to them."""

    companies: dict[int, str]
    rounds: dict[int, str]

    def company(self, company_id: Any) -> str:
        return self.companies.get(int(company_id), f"company #{company_id}")

    def round(self, round_id: Any) -> str:
        return self.rounds.get(int(round_id), f"round #{round_id}")


def describe(reader: Reader, changes: list[dict[str, Any]]) -> None:
    """Give every record of *changes* a ``label`` (``stake 32 (Xiaomi in Midea Group)``) and
    a ``diff``: the fields that changed (all of them for a row added or removed), each
    ``{"field", "before", "after"}`` as text a user reads. The raw rows stay as they are."""
    records = [r for change in changes for r in change.get("records", [])]
    if not records:
        return
    spans = [r for r in records if _span(r) is not None]
    records = [r for r in records if _span(r) is None]
    for record in spans:
        record["label"], record["diff"] = _span_text(record)
    if not records:
        return
    names = _names(reader, records)
    for record in records:
        before = _readable(record["table"], record["before"], names)
        after = _readable(record["table"], record["after"], names)
        record["label"] = _label(record, {**(before or {}), **(after or {})}, names)
        record["diff"] = _diff(before, after)


def _span(record: dict[str, Any]) -> tuple[int, int] | None:
    """The ids of the rows a bulk write added, when the record is such a span."""
    if record["before"] is not None:
        return None
    return span_of(record["key"])


def _span_text(record: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """``1,000 stakes`` and their ids (``ids 101 to 1100``): a span of rows an import added."""
    first, last = _span(record) or (0, 0)
    rows = int((record["after"] or {}).get("rows", last - first + 1))
    one, many = NOUNS.get(record["table"], (record["table"], record["table"]))
    label = f"{rows:,} {one if rows == 1 else many}"
    ids = f"id {first}" if first == last else f"ids {first} to {last}"
    return label, [{"field": "as", "before": None, "after": ids}]


def _names(reader: Reader, records: list[dict[str, Any]]) -> Names:
    """The names of the companies and rounds the records refer to: as they are now, else as
    the records themselves last showed them (a company removed since)."""
    company_ids: set[int] = set()
    round_ids: set[int] = set()
    shown: dict[int, str] = {}
    for record in records:
        if record["table"] in ("company", "target"):
            company_ids.add(int(record["key"]))
        for image in (record["before"], record["after"]):
            if not image:
                continue
            if record["table"] == "company" and image.get("name"):
                shown[int(record["key"])] = image["name"]
            company_ids.update(int(image[c]) for c in _COMPANY_COLUMNS if image.get(c))
            if record["table"] == "stake" and image.get("round_id"):
                round_ids.add(int(image["round_id"]))
    companies = {**shown, **_by_id(reader, "SELECT id, name FROM company", company_ids)}
    rounds: dict[int, str] = {}
    rows = _rows_by_id(
        reader,
        "SELECT r.id, r.name, r.date, r.date_precision, c.name FROM funding_round r "
        "JOIN company c ON c.id = r.company_id",
        round_ids,
        column="r.id",
    )
    for rid, name, date, precision, company in rows:
        day = PartialDate.from_stored(date, precision)
        rounds[int(rid)] = f"{name or 'unnamed'} of {company} ({day})"
    return Names(companies, rounds)


def _by_id(reader: Reader, sql: str, ids: set[int]) -> dict[int, str]:
    return {int(i): str(name) for i, name in _rows_by_id(reader, sql, ids, column="id")}


def _rows_by_id(reader: Reader, sql: str, ids: set[int], *, column: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        batch = ", ".join(str(int(i)) for i in wanted[start : start + 500])
        rows.extend(tuple(r) for r in reader.rows(f"{sql} WHERE {column} IN ({batch})"))
    return rows


def _readable(table: str, image: dict[str, Any] | None, names: Names) -> dict[str, Any] | None:
    """A row image as the fields a user knows: field -> (short text, exact text)."""
    if image is None:
        return None
    out: dict[str, Any] = {}
    used: set[str] = set()
    for field, columns in _FIELDS.get(table, ()):
        if columns[0] not in image:
            continue
        used.update(columns)
        out[field] = _value(field, columns, image, names)
    for column, value in image.items():  # a column added after this was written
        if column not in used and column not in _HIDDEN:
            out[column] = _text(value)
    return out


def _value(
    field: str, columns: tuple[str, ...], image: dict[str, Any], names: Names
) -> tuple[str | None, str | None]:
    first = image.get(columns[0])
    if first is None:
        none = "undisclosed" if field in _UNDISCLOSED else None
        return none, none
    if columns[0] in _COMPANY_COLUMNS:
        name = names.company(first)
        return name, name
    if columns[0] == "round_id":
        name = names.round(first)
        return name, name
    if columns == ("date", "date_precision"):
        text = str(PartialDate.from_stored(first, image.get("date_precision") or "day"))
        return text, text
    if len(columns) == 2 and columns[0].endswith("_minor"):
        currency = str(image.get(columns[1]))
        amount = from_minor(int(first), currency)
        return compact(amount, currency), format_money(amount, currency)
    if columns[0] == "percent_micro":
        text = format_percent(from_micro(int(first)))
        return text, text
    if columns[0] == "rate":
        text = f"{Decimal(str(first)).normalize():f}"
        return text, text
    text = _text(first)
    return text, text


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, int | str) else str(value)


def _label(record: dict[str, Any], fields: dict[str, Any], names: Names) -> str:
    """What the record is about: ``stake 32 (Xiaomi in Midea Group)``, ``company Zimi``
    (an image may hold only the columns that changed: then what the key tells)."""
    table, key = record["table"], record["key"]

    def known(*wanted: str) -> list[str] | None:
        values = [fields.get(f) for f in wanted]
        if any(v is None or _pair(v)[0] is None for v in values):
            return None
        return [str(_pair(v)[0]) for v in values]

    if table == "stake":
        pair = known("investor", "startup")
        return f"stake {key}" + (f" ({pair[0]} in {pair[1]})" if pair else "")
    if table == "company":
        return f"company {(known('name') or [names.company(key)])[0]}"
    if table == "company_alias":
        alias = known("alias", "company")
        return f"alias {alias[0]!r} of {alias[1]}" if alias else f"alias #{key}"
    if table == "target":
        return f"target of {(known('investor') or [names.company(key)])[0]}"
    if table == "setting":
        return f"setting {key}"
    if table == "fx_rate":
        rate = known("base", "quote", "date")
        return f"rate {rate[0]} to {rate[1]} on {rate[2]}" if rate else f"rate #{key}"
    if table == "funding_round":
        round_ = known("round", "startup")
        return f"round {key}" + (f" ({round_[0]} of {round_[1]})" if round_ else "")
    if table == "mark":
        mark = known("company", "date")
        return f"mark {key}" + (f" ({mark[0]}, {mark[1]})" if mark else "")
    return f"{table} {key}"


def _diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The fields that differ (every field with a value, for a row added or removed)."""
    keys = list(after or before or {})
    out = []
    for key in keys:
        old = _pair((before or {}).get(key))
        new = _pair((after or {}).get(key))
        if before is not None and after is not None and old[1] == new[1]:
            continue
        if (before is None or after is None) and (new if before is None else old)[1] is None:
            continue
        # the short form, unless it hides the change (CNY 1.27bn both ways)
        form = 0 if old[0] != new[0] or before is None or after is None else 1
        out.append({"field": key, "before": old[form], "after": new[form]})
    return out


def _pair(value: Any) -> tuple[Any, Any]:
    return value if isinstance(value, tuple) else (value, value)


# -- what an undo would revert ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UndoPreview:
    """The change an undo would revert, before it is reverted."""

    change: int
    at: str
    actor: str
    command: str
    summary: str
    records: int
    """How many records the undo writes back."""


def undo_preview(reader: Reader, change_id: int | None) -> UndoPreview:
    """The change ``undo`` would revert (else the latest not yet undone): refused as the undo
    itself would refuse it when it was undone already."""
    if change_id is None:
        latest = reader.rows(
            "SELECT c.id FROM change c WHERE c.undoes IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM change u WHERE u.undoes = c.id) ORDER BY c.id DESC LIMIT 1"
        )
        if not latest:
            raise NotFound("nothing to undo: no change is recorded that has not been undone")
        change_id = int(latest[0][0])
    found = reader.rows(
        "SELECT id, at, actor, command, summary FROM change WHERE id = :id", {"id": change_id}
    )
    if not found:
        raise NotFound(f"there is no change {change_id}", where="CHANGE_ID")
    undone = reader.rows("SELECT MIN(id) FROM change WHERE undoes = :id", {"id": change_id})
    if undone and undone[0][0] is not None:
        raise Conflict(f"change {change_id} was already undone by change {undone[0][0]}")
    (count,) = reader.rows(
        "SELECT COUNT(*) FROM change_record WHERE change_id = :id", {"id": change_id}
    )[0]
    # a span of rows an import added writes back a record for each of its rows
    for key, after in reader.rows(
        "SELECT row_key, after FROM change_record "
        "WHERE change_id = :id AND before IS NULL AND row_key LIKE :span",
        {"id": change_id, "span": f"%{SPAN}%"},
    ):
        if span_of(str(key)) is not None:
            count += int(json.loads(after)["rows"]) - 1
    cid, at, actor, command, summary = found[0]
    return UndoPreview(int(cid), str(at), str(actor), str(command), str(summary), int(count))
