"""Importing stakes in bulk: every row checked, accounted for, and written in one transaction.

The rows come from ecoport.services.sources. Each field is parsed by the same core parsers
as ``add-stake`` uses, memoised on the raw text (a file repeats its dates, names and
currencies endlessly). Companies are resolved from one in-memory index of names and
aliases; stakes are written through the driver's ``executemany`` in batches, never as ORM
objects. A row identical to a stored stake (or to an earlier row of the file) is counted
as already present: a hash of the identity finds candidates, an indexed query confirms
them, so importing a file twice adds nothing and never drops a genuinely new stake.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import IO, TYPE_CHECKING, Any, Protocol

from ecoport.core.dates import parse_date
from ecoport.core.money import currency_code, parse_money, to_minor
from ecoport.core.names import clean_name
from ecoport.core.ownership import parse_kind
from ecoport.core.percent import parse_percent, to_micro
from ecoport.core.sectors import normalize_sector, within
from ecoport.errors import InvalidInput
from ecoport.services.fields import UNDISCLOSED, text
from ecoport.services.sources import FIELDS, REJECT_COLUMNS, FileFormat, Row, Source
from ecoport.store import audit
from ecoport.store.db import Raw
from ecoport.store.models import stored_now

if TYPE_CHECKING:
    from pathlib import Path

    from sqlmodel import Session

BATCH = 20_000
#: Above this size, an import into an empty stake table drops the stake indexes and
#: builds them once at the end (SQLite then sorts once instead of inserting at random).
BIG_FILE_BYTES = 4 * 1024 * 1024
#: At most this many problem lines are kept for the message; all of them go to --rejects.
KEPT_PROBLEMS = 10_000

_INV, _START, _SECTOR, _KIND, _DATE, _AMOUNT, _CUR, _PCT, _ROUND, _SOURCE, _NOTE = range(
    len(FIELDS)
)
#: What makes two stakes the same event. The round is part of it: two rounds of one year,
#: amounts undisclosed, are two stakes, not one stake seen twice.
_IDENTITY = (
    "investor_id, company_id, kind, date, date_precision, amount_minor, currency, "
    "percent_micro, round"
)
_INSERT_STAKE = (
    f"INSERT INTO stake ({_IDENTITY}, source, note, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_FIND_STAKE = (
    "SELECT 1 FROM stake WHERE investor_id = ? AND company_id = ? AND kind = ? AND date = ? "
    "AND date_precision = ? AND amount_minor IS NOT DISTINCT FROM ? "
    "AND currency IS NOT DISTINCT FROM ? AND percent_micro IS NOT DISTINCT FROM ? "
    "AND round IS NOT DISTINCT FROM ? LIMIT 1"
)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    skip_bad_rows: bool = False
    """``--on-error skip``: import the good rows, reject the bad. Else nothing on any error."""
    investor: str | None = None
    """The investor of rows that name none (``--investor``)."""
    currency: str | None = None
    """The currency of amounts that give none (``--currency``)."""
    dayfirst: bool | None = None
    today: dt.date | None = None
    symbols: dict[str, str] | None = None
    """What ``$`` and ``¥`` mean (the database's settings)."""
    listed_only: bool = False
    """Every company a stake names must be in the file's ``companies`` (seed files)."""


@dataclass(slots=True)
class ImportSummary:
    file: str
    format: str
    rows_read: int = 0
    stakes_added: int = 0
    already_present: int = 0
    """Rows identical to a stored stake, or to an earlier row of the file."""
    repeated_in_file: int = 0
    """Of those, the rows that repeat an earlier row of the same file."""
    rejected: int = 0
    companies_created: int = 0
    sectors_set: int = 0
    aliases_added: int = 0
    targets_set: int = 0
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """``file:line: column: reason`` of the rejected rows (the first KEPT_PROBLEMS)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RejectSink(Protocol):
    def write(self, row: Row, reasons: list[str]) -> None: ...


class _Bad:
    """A memoised parse failure."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class _Memo:
    """A parser memoised on its raw text; failures are remembered as _Bad."""

    __slots__ = ("fn", "cache", "limit")

    def __init__(self, fn: Callable[[Any], Any], limit: int = 200_000) -> None:
        self.fn, self.limit = fn, limit
        self.cache: dict[Any, Any] = {}

    def __call__(self, raw: Any) -> Any:
        try:
            return self.cache[raw]
        except KeyError:
            pass
        try:
            value = self.fn(raw)
        except InvalidInput as exc:
            value = _Bad(exc.message)
        if len(self.cache) >= self.limit:
            self.cache.clear()
        self.cache[raw] = value
        return value


class _Complaints:
    """Collects a row's problems as ``column: reason``."""

    __slots__ = ("reasons", "labels")

    def __init__(self, reasons: list[str], labels: list[str]) -> None:
        self.reasons, self.labels = reasons, labels

    def __call__(self, index: int, message: str) -> None:
        self.reasons.append(f"{self.labels[index]}: {message}")


class _Companies:
    """Every company by name key and alias key, with its sector; creates new ones."""

    def __init__(self, session: "Session", conn: Raw, now: str) -> None:
        self.session, self.conn, self.now = session, conn, now
        self.by_key: dict[str, int] = {}
        self.sector: dict[int, str | None] = {}
        self.name: dict[int, str] = {}
        for cid, name, key, sector in conn.execute(
            "SELECT id, name, name_key, sector FROM company"
        ):
            self.by_key[key] = cid
            self.sector[cid] = sector
            self.name[cid] = name
        for key, cid in conn.execute("SELECT alias_key, company_id FROM company_alias"):
            self.by_key[key] = cid
        self.created = 0
        self.sectors_set = 0

    def get_or_create(self, name: str, key: str, sector: str | None) -> int:
        cid = self.by_key.get(key)
        if cid is not None:
            if sector is not None and self.sector[cid] is None:
                self.conn.execute("UPDATE company SET sector = ? WHERE id = ?", (sector, cid))
                audit.note(
                    self.session,
                    audit.Record("company", str(cid), {"sector": None}, {"sector": sector}),
                )
                self.sector[cid] = sector
                self.sectors_set += 1
            return cid
        cid = self.conn.insert(
            "INSERT INTO company (name, name_key, sector, created_at) VALUES (?, ?, ?, ?)",
            (name, key, sector, self.now),
        )
        self.by_key[key], self.sector[cid], self.name[cid] = cid, sector, name
        self.created += 1
        return cid


def _name(raw: str) -> tuple[str, str]:
    cleaned = clean_name(raw)
    return cleaned, cleaned.casefold()


def _undisclosed_or(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def run(raw: str) -> Any:
        return None if raw.lower() in UNDISCLOSED else parse(raw)

    return run


def import_source(
    *,
    session: "Session",
    source: Source,
    options: ImportOptions = ImportOptions(),
    rejects: RejectSink | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import every row of *source* in the session's transaction.

    Without ``skip_bad_rows``, any bad row raises InvalidInput listing every bad row
    (``file:line: column: reason``) and the caller's transaction is rolled back.
    """
    conn = Raw(session)
    for table in ("company", "company_alias", "stake"):
        last = conn.execute(f"SELECT MAX(id) FROM {table}").fetchone()[0]
        audit.inserted_after(session, table, last or 0)
    now = stored_now()
    summary = ImportSummary(file=str(source.path), format=source.format.value)
    companies = _Companies(session, conn, now)
    problems = summary.problems
    _import_companies(session, conn, source, companies, summary, problems)

    path = source.path
    today = options.today or dt.date.today()
    labels = source.labels or list(FIELDS)
    default_currency = None
    if options.currency is not None:
        try:
            default_currency = currency_code(options.currency)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, where="--currency") from None
    symbols = options.symbols

    names = _Memo(_name)
    sectors = _Memo(normalize_sector)
    kinds = _Memo(lambda raw: parse_kind(raw).value)
    dates = _Memo(
        lambda raw: (lambda d: (d.start.isoformat(), d.precision.value))(
            parse_date(raw, today=today, dayfirst=options.dayfirst)
        )
    )
    currencies = _Memo(currency_code)
    percents = _Memo(_undisclosed_or(lambda raw: to_micro(parse_percent(raw))))

    def money(key: tuple[str, str | None]) -> int | tuple[int, str] | None:
        raw, cur = key
        if raw.lower() in UNDISCLOSED:
            return None
        parsed = parse_money(raw, currency=cur, defaults=symbols)
        return to_minor(parsed.amount, parsed.currency), parsed.currency

    amounts = _Memo(money, limit=20_000)  # amounts vary; a small memo keeps memory flat
    investor_default = options.investor

    existing = conn.execute("SELECT EXISTS (SELECT 1 FROM stake)").fetchone()[0]
    #: hashes of the stored stakes' identities, and of the rows read so far
    stored: set[int] = set()
    if existing:
        stored.update(map(hash, conn.execute(f"SELECT {_IDENTITY} FROM stake")))
    seen: set[int] = set()
    dropped = _drop_indexes(conn) if not existing and source.size > BIG_FILE_BYTES else []

    pending: list[tuple[Any, ...]] = []
    deferred: list[tuple[Any, ...]] = []
    listed = set(companies.by_key) if options.listed_only else None

    def flush() -> None:
        if pending:
            conn.executemany(_INSERT_STAKE, pending)
            summary.stakes_added += len(pending)
            pending.clear()

    def settle() -> None:
        """Confirm the deferred candidates against the stored stakes, exactly."""
        flush()
        for stake in deferred:
            if conn.execute(_FIND_STAKE, stake[:9]).fetchone():
                summary.already_present += 1
                if stake[-1]:
                    summary.repeated_in_file += 1
            else:
                conn.execute(_INSERT_STAKE, stake[:12])
                summary.stakes_added += 1
        deferred.clear()

    def reject(row: Row, reasons: list[str]) -> None:
        summary.rejected += 1
        if len(problems) < KEPT_PROBLEMS:
            problems.extend(f"{path}:{row.line}: {r}" for r in reasons)
        if rejects is not None:
            rejects.write(row, reasons)

    for row in source.rows:
        summary.rows_read += 1
        if progress is not None and summary.rows_read % 8192 == 0:
            progress(source.position())
        if row.problem is not None:
            reject(row, [row.problem])
            continue
        v = row.values
        reasons: list[str] = []
        bad = _Complaints(reasons, labels)

        inv_raw = v[_INV] or investor_default
        investor = names(inv_raw) if inv_raw else None
        if investor is None:
            bad(_INV, "is required")
        elif type(investor) is _Bad:
            bad(_INV, investor.message)
        startup = names(v[_START]) if v[_START] else None
        if startup is None:
            bad(_START, "is required")
        elif type(startup) is _Bad:
            bad(_START, startup.message)
        sector = sectors(v[_SECTOR]) if v[_SECTOR] else None
        if type(sector) is _Bad:
            bad(_SECTOR, sector.message)
        kind = kinds(v[_KIND]) if v[_KIND] else "investment"
        if type(kind) is _Bad:
            bad(_KIND, kind.message)
        date = dates(v[_DATE]) if v[_DATE] else None
        if date is None:
            bad(_DATE, "is required")
        elif type(date) is _Bad:
            bad(_DATE, date.message)
        currency = default_currency
        if v[_CUR]:
            currency = currencies(v[_CUR])
            if type(currency) is _Bad:
                bad(_CUR, currency.message)
                currency = None
        amount = amounts((v[_AMOUNT], currency)) if v[_AMOUNT] else None
        if type(amount) is _Bad:
            bad(_AMOUNT, amount.message)
        percent = percents(v[_PCT]) if v[_PCT] else None
        if type(percent) is _Bad:
            bad(_PCT, percent.message)
        round_ = v[_ROUND]
        if round_ is not None and len(round_) > 100:
            bad(_ROUND, "has more than 100 characters")

        if not reasons:
            assert isinstance(investor, tuple) and isinstance(startup, tuple)
            if investor[1] == startup[1] or (
                companies.by_key.get(investor[1], -1) == companies.by_key.get(startup[1], -2)
            ):
                bad(_START, f"{startup[0]} cannot hold a stake in itself")
            if listed is not None:
                for index, (name, key) in ((_INV, investor), (_START, startup)):
                    if key not in listed:
                        bad(index, f"{name!r} is not listed under companies")
            held = companies.by_key.get(startup[1])
            if held is not None and sector is not None:
                current = companies.sector[held]
                if current is not None and not within(current, sector):
                    bad(_SECTOR, f"{companies.name[held]} is in sector {current}, not {sector}")
        if reasons:
            reject(row, reasons)
            continue

        inv_id = companies.get_or_create(investor[0], investor[1], None)  # type: ignore[index]
        comp_id = companies.get_or_create(startup[0], startup[1], sector)  # type: ignore[index]
        minor, cur = amount if amount is not None else (None, None)
        day, precision = date  # type: ignore[misc]
        identity = (inv_id, comp_id, kind, day, precision, minor, cur, percent, round_)
        key = hash(identity)
        stake = (*identity, v[_SOURCE], v[_NOTE], now)
        if key in seen or key in stored:
            deferred.append((*stake, key in seen))
            seen.add(key)
            if not dropped and len(deferred) >= BATCH:
                settle()
            continue
        seen.add(key)
        pending.append(stake)
        if len(pending) >= BATCH:
            flush()

    flush()
    if dropped:
        for sql in dropped:
            conn.execute(sql)
    settle()
    if progress is not None:
        progress(source.position())
    summary.companies_created += companies.created
    summary.sectors_set += companies.sectors_set
    summary.warnings.extend(source.warnings)
    if problems and not options.skip_bad_rows:
        bad_rows = (
            f"{summary.rejected} of {summary.rows_read} rows have problems"
            if summary.rejected
            else f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        )
        raise InvalidInput(f"{path}: {bad_rows}; nothing was imported", details=problems)
    return summary


def _drop_indexes(conn: Raw) -> list[str]:
    """Drop the stake table's indexes; return the statements that make them again."""
    found = conn.indexes("stake")
    for name, _sql in found:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def _import_companies(
    session: "Session",
    conn: Raw,
    source: Source,
    companies: _Companies,
    summary: ImportSummary,
    problems: list[str],
) -> None:
    """Company entries of the seed/export shape: names, sectors, aliases, notes, targets."""
    path = source.path
    for line, entry in source.companies:
        where = f"{path}:{line}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a company with a name")
            continue
        try:
            name, key = _name(str(entry.get("name") or ""))
            raw_sector = entry.get("sector")
            sector = normalize_sector(str(raw_sector)) if raw_sector else None
        except InvalidInput as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        existed = key in companies.by_key
        cid = companies.get_or_create(name, key, sector)
        if not existed:
            conn.execute(
                "UPDATE company SET note = ?, source = ? WHERE id = ?",
                (text(entry.get("note")), text(entry.get("source")), cid),
            )
        elif sector is not None and companies.sector[cid] not in (None, sector):
            summary.warnings.append(
                f"{where}: {companies.name[cid]} stays in sector {companies.sector[cid]} "
                f"(the file says {sector})"
            )
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list):
            problems.append(f"{where}: aliases: must be a list of names")
            aliases = []
        for alias in aliases:
            try:
                alias_name, alias_key = _name(str(alias))
            except InvalidInput as exc:
                problems.append(f"{where}: aliases: {exc.message}")
                continue
            if alias_key not in companies.by_key:
                conn.execute(
                    "INSERT INTO company_alias (company_id, alias, alias_key) VALUES (?, ?, ?)",
                    (cid, alias_name, alias_key),
                )
                companies.by_key[alias_key] = cid
                summary.aliases_added += 1
        target = entry.get("target")
        if target is not None:
            if not isinstance(target, int) or isinstance(target, bool) or target <= 0:
                problems.append(f"{where}: target: must be a positive whole number")
            elif not conn.execute("SELECT 1 FROM target WHERE investor_id = ?", (cid,)).fetchone():
                row = {
                    "investor_id": cid,
                    "target": target,
                    "note": text(entry.get("target_note")),
                    "source": text(entry.get("target_source")),
                }
                conn.execute(
                    "INSERT INTO target (investor_id, target, note, source) VALUES (?, ?, ?, ?)",
                    tuple(row.values()),
                )
                audit.note(session, audit.Record("target", str(cid), None, row))
                summary.targets_set += 1


class RejectsFile:
    """Rejected rows with their line and reasons, in the source's own shape, ready to be
    fixed and imported again with the same options (ecoport ignores the two added columns)."""

    def __init__(self, path: "Path", source: Source) -> None:
        self.path, self.source, self.count = path, source, 0
        self.items: list[dict[str, Any]] = []
        self.out: IO[str] | None = None
        if source.format is FileFormat.csv:
            import csv

            self.out = path.open("w", encoding="utf-8", newline="")
            self.writer = csv.writer(self.out, lineterminator="\n")
            self.writer.writerow([*source.header, *REJECT_COLUMNS])

    def write(self, row: Row, reasons: list[str]) -> None:
        self.count += 1
        line, why = row.line, "; ".join(reasons)
        if self.out is not None:
            self.writer.writerow([*row.raw, line, why])
        elif isinstance(row.raw, dict):
            item = {k: v for k, v in row.raw.items() if k != "__line__"}
            self.items.append({**item, "ecoport_line": line, "ecoport_error": why})
        else:
            self.items.append({"value": row.raw, "ecoport_line": line, "ecoport_error": why})

    def close(self) -> None:
        if self.out is not None:
            self.out.close()
            return
        with self.path.open("w", encoding="utf-8") as out:
            if self.source.format is FileFormat.json:
                import json

                json.dump(self.items, out, indent=2, ensure_ascii=False, default=str)
                out.write("\n")
            else:
                import yaml

                yaml.safe_dump(self.items, out, sort_keys=False, allow_unicode=True)
