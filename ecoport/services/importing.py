"""Importing stakes in bulk: every row checked, accounted for, and written in one transaction.

The rows come from ecoport.services.sources. Each row goes through a pipeline:

1. **parse**: the one stake parser (services.fields.parse_stake) with memoised field parsers
   (a file repeats its dates, names and currencies endlessly); a cell naming several
   investors becomes one record per investor;
2. **resolve companies**: by name, alias or normalised name, from one in-memory index;
3. **resolve the round** the record took part in (found, completed, or recorded);
4. **identify**: a record identical to a stored stake is already present; one that records
   the same deal less (or more) precisely is *matched* and fills in what the stored stake
   lacked (core.identity); the rest are new;
5. **write** new stakes through the driver's ``executemany`` in batches, never as ORM objects.

Stored stakes are only read back for the (investor, company, kind) triples a record shares
with them, so importing into an empty database reads nothing back.
"""

import datetime as dt
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol

from ecoport.core.identity import (
    RoundKey,
    StakeKey,
    best_match,
    best_round,
    changes,
    clashing_round,
    filled,
)
from ecoport.core.money import Money, currency_code, from_minor, plain_minor, to_minor
from ecoport.core.names import clean_name, match_key, match_key_uncached, similar_pairs
from ecoport.core.ownership import Kind
from ecoport.core.percent import to_micro
from ecoport.core.sectors import normalize_sector, within
from ecoport.core.text import clean_text
from ecoport.errors import FieldError, InvalidInput
from ecoport.services.fields import (
    FIELDS,
    Parsers,
    check_field,
    label_parser,
    parse_stake,
    plain_parsers,
)
from ecoport.services.rounds import RoundIn, fill_round, round_currency
from ecoport.services.sources import REJECT_COLUMNS, FileFormat, Row, Source, described
from ecoport.services.sources import trimmed as _trimmed
from ecoport.store import audit
from ecoport.store.db import Raw
from ecoport.store.models import stored_now

if TYPE_CHECKING:
    from pathlib import Path

    from sqlmodel import Session

    from ecoport.store.db import Location

BATCH = 20_000
#: Above this size, an import into an empty stake table drops the stake indexes and
#: builds them once at the end (SQLite then sorts once instead of inserting at random).
BIG_FILE_BYTES = 4 * 1024 * 1024
#: At most this many problem lines are kept for the message; all of them go to --rejects.
KEPT_PROBLEMS = 10_000
#: At most this many possible duplicate companies are listed in the summary.
KEPT_DUPLICATES = 200

_KEY_COLUMNS = (
    "investor_id, company_id, kind, date, date_precision, amount_minor, currency, "
    "percent_micro, round_id"
)
_INSERT_STAKE = (
    f"INSERT INTO stake ({_KEY_COLUMNS}, ref, source, note, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_ROUND_COLUMNS = (
    "company_id, date, date_precision, name, total_minor, valuation_minor, currency, source, "
    "created_at"
)
_INSERT_ROUND = f"INSERT INTO funding_round ({_ROUND_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_ROUND_WITH_ID = (
    f"INSERT INTO funding_round (id, {_ROUND_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CANDIDATES = (
    f"SELECT id, {_KEY_COLUMNS}, source, note FROM stake "
    "WHERE investor_id = ? AND company_id = ? AND kind = ?"
)

SectorConflict = Literal["keep", "update", "reject"]
#: The last of several names in a cell: "A, B and C", "A & B".
_AND = re.compile(r"\s+(?:and|&)\s+")
_LOOKUP_INDEX = "ix_stake_import_lookup"


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
    constants: dict[str, str] = field(default_factory=dict)
    """field -> value for rows that give none (``--set``)."""
    split_investors: str | None = None
    """Separator of several investors in one cell."""
    sector_conflict: SectorConflict = "keep"
    """When a row gives a known company another sector: keep the stored one (counted),
    update it to the row's, or reject the row."""


@dataclass(slots=True)
class ImportSummary:
    file: str
    format: str
    rows_read: int = 0
    rows_skipped: int = 0
    """Lines of nothing but delimiters."""
    records: int = 0
    """Stake records read: one a row, or one per investor of a split cell."""
    stakes_added: int = 0
    matched: int = 0
    """Records of a deal already stored less (or more) precisely; what they added was filled in."""
    already_present: int = 0
    """Records identical to a stored stake, or to an earlier record of the file."""
    repeated_in_file: int = 0
    """Of the already present, those that repeat an earlier record of the file."""
    rejected: int = 0
    """Records rejected (a rejected row with several investors counts each)."""
    rows_rejected: int = 0
    companies_created: int = 0
    companies_resolved: int = 0
    """Names that are another spelling of a known company (Xiaomi Corp for Xiaomi)."""
    sectors_set: int = 0
    sector_conflicts: int = 0
    """Rows that gave a known company another sector (kept, or updated)."""
    rounds_created: int = 0
    rounds_matched: int = 0
    aliases_added: int = 0
    targets_set: int = 0
    milestones_added: int = 0
    marks_added: int = 0
    dry_run: bool = False
    possible_duplicates: list[dict[str, Any]] = field(default_factory=list)
    """New companies whose names look like a typo of another's: name, like, score."""
    more_possible_duplicates: bool = False
    """True when the search stopped at KEPT_DUPLICATES: there are more to find."""
    conflicts: list[str] = field(default_factory=list)
    """``file:line: stake N: field: stored X, the file says Y`` (stored value kept)."""
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """``file:line: column: reason`` of the rejected rows (the first KEPT_PROBLEMS)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RejectSink(Protocol):
    def write(self, row: Row, reasons: list[str]) -> None: ...


class _Memo:
    """A parser memoised on its arguments; failures are remembered and raised again."""

    __slots__ = ("fn", "cache", "limit")

    def __init__(self, fn: Callable[..., Any], limit: int = 200_000) -> None:
        self.fn, self.limit = fn, limit
        self.cache: dict[Any, Any] = {}

    def __call__(self, *raw: Any) -> Any:
        try:
            value = self.cache[raw]
        except KeyError:
            try:
                value = self.fn(*raw)
            except InvalidInput as exc:
                value = exc
            if len(self.cache) >= self.limit:
                self.cache.clear()
            self.cache[raw] = value
        if type(value) is InvalidInput:
            raise InvalidInput(value.message)
        return value


def memo_parsers(options: ImportOptions) -> Parsers:
    """The stake parser's field parsers, each memoised on its raw text."""
    plain = plain_parsers(
        today=options.today or dt.date.today(),
        dayfirst=options.dayfirst,
        symbols=options.symbols,
    )
    return Parsers(
        name=_Memo(plain.name),
        sector=_Memo(plain.sector),
        kind=_Memo(plain.kind),
        date=_Memo(plain.date),
        currency=_Memo(plain.currency),
        money=_Memo(plain.money, limit=20_000),  # amounts vary; a small memo keeps memory flat
        percent=_Memo(plain.percent),
    )


class _Companies:
    """Every company by name key, alias key and normalised key, with its sector."""

    def __init__(self, session: "Session", conn: Raw, now: str, last_id: int) -> None:
        self.session, self.conn, self.now = session, conn, now
        #: companies up to this id were stored before the import (their changes are audited)
        self.last_id = last_id
        self.by_key: dict[str, int] = {}
        self.by_match: dict[str, int] = {}
        self.sector: dict[int, str | None] = {}
        self.name: dict[int, str] = {}
        for cid, name, key, match, sector in conn.execute(
            "SELECT id, name, name_key, match_key, sector FROM company ORDER BY id"
        ):
            self.by_key[key] = cid
            self.by_match.setdefault(match, cid)
            self.sector[cid] = sector
            self.name[cid] = name
        for key, match, cid in conn.execute(
            "SELECT alias_key, match_key, company_id FROM company_alias ORDER BY id"
        ):
            self.by_key[key] = cid
            self.by_match.setdefault(match, cid)
        self.existing = len(self.name)
        self.created: list[tuple[int, str]] = []
        self.resolved = 0
        self.sectors_set = 0
        #: a new name's keys are wanted twice in a row (find, then get_or_create); a row
        #: whose companies are known resolves from the fast path's caches: a small memo
        #: serves, where one of every name held 8 MB a million rows
        self.keys = _Memo(lambda name: (name.lower(), match_key_uncached(name)), limit=4096)
        #: called whenever a company's sector changes
        self.on_sector: Callable[[], None] = lambda: None

    def find(self, name: str) -> int | None:
        key, match = self.keys(name)
        cid = self.by_key.get(key)
        if cid is None:
            cid = self.by_match.get(match)
            if cid is not None:
                self.by_key[key] = cid  # counted once a spelling
                self.resolved += 1
        return cid

    def get_or_create(self, name: str, sector: str | None, found: int | None = None) -> int:
        cid = found if found is not None else self.find(name)
        if cid is not None:
            if sector is not None and self.sector[cid] is None:
                self.set_sector(cid, sector)
                self.sectors_set += 1
            return cid
        key, match = self.keys(name)
        cid = self.conn.insert(
            "INSERT INTO company (name, name_key, match_key, sector, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (name, key, match, sector, self.now),
        )
        self.by_key[key], self.sector[cid], self.name[cid] = cid, sector, name
        self.by_match.setdefault(match, cid)
        self.created.append((cid, name))
        return cid

    def set_sector(self, cid: int, sector: str) -> None:
        self.conn.execute("UPDATE company SET sector = ? WHERE id = ?", (sector, cid))
        if cid <= self.last_id:
            audit.note(
                self.session,
                audit.Record(
                    "company",
                    str(cid),
                    {"sector": self.sector[cid]},
                    {"sector": sector},
                ),
            )
        self.sector[cid] = sector
        self.on_sector()


#: A round's date precision as two bits of its packed form, and back.
_PRECISION = {"year": 0, "month": 1, "day": 2}
_PRECISIONS = ("year", "month", "day")
#: A packed round: its day (YYYYMMDD, 0 for an unusual stored date) above its precision
#: (2 bits), name (33 bits) and whether ``extra`` holds its whole key (1 bit).
_DAY_SHIFT = 36


def _day(date: str) -> int:
    """``2014-12-14`` -> 20141214; 0 for a date not written that way."""
    if len(date) == 10 and date[4] == date[7] == "-":
        digits = date[:4] + date[5:7] + date[8:]
        if digits.isdigit() and digits.isascii():
            return int(digits)
    return 0


def _agree(day: int, precision: int, other: int, other_precision: int) -> bool:
    """core.identity.dates_agree on packed days."""
    coarse = min(precision, other_precision)
    if coarse == 2:
        return day == other
    return day // (100, 1)[coarse] // 100 == other // (100, 1)[coarse] // 100


class _Rounds:
    """Funding rounds by company, read from the database the first time a company is seen.

    A million rounds must fit in a few megabytes: a company's rounds are two arrays, their
    packed keys (day, precision, name) in order and their ids beside them; only a round with
    a figure (a total, a valuation) or an unusual stored date keeps its whole key, in
    ``extra``. A record is compared only with the rounds whose dates agree with its own
    (core.identity: no other can be the same round), found by bisection."""

    def __init__(
        self, session: "Session", conn: Raw, now: str, last_id: int, last_company: int
    ) -> None:
        self.session, self.conn, self.now, self.last_id = session, conn, now, last_id
        self.last_company = last_company
        #: On SQLite, new rounds are written in batches (``flush``) with ids given here: the
        #: import holds the write lock, and AUTOINCREMENT's next id is known (SQLite moves
        #: its sequence past an id given). PostgreSQL's ids come from its sequence, a row
        #: at a time.
        self.batched = conn.sqlite
        self.pending: list[tuple[Any, ...]] = []
        self.next_id = 0
        self.by_company: dict[int, tuple[array[int], array[int]]] = {}
        self.extra: dict[int, tuple[RoundKey, int | None]] = {}
        self.names: list[str | None] = [None]
        self.name_ids: dict[str | None, int] = {None: 0}
        self.created = self.matched = 0
        #: rounds a record named with another total (the stored total is kept)
        self.clashes: list[str] = []

    def _pack(self, rid: int, key: RoundKey, valuation: int | None) -> int:
        day = _day(key.date)
        name_id = self.name_ids.get(key.name)
        if name_id is None:
            name_id = self.name_ids[key.name] = len(self.names)
            self.names.append(key.name)
        whole = (
            not day
            or key.total_minor is not None
            or key.currency is not None
            or valuation is not None
            or key.date_precision not in _PRECISION
        )
        if whole:
            self.extra[rid] = (key, valuation)
        else:
            self.extra.pop(rid, None)
        precision = _PRECISION.get(key.date_precision, 0)
        return (day << 2 | precision) << 34 | name_id << 1 | whole

    @staticmethod
    def _put(stored: "tuple[array[int], array[int]]", rid: int, packed: int) -> None:
        keys, ids = stored
        at = bisect_right(keys, packed)
        keys.insert(at, packed)
        ids.insert(at, rid)

    def _stored(self, company_id: int) -> "tuple[array[int], array[int]]":
        found = self.by_company.get(company_id)
        if found is None:
            found = self.by_company[company_id] = (array("q"), array("q"))
            if self.last_id and company_id <= self.last_company:
                # rounds were stored before, and the company is not new: read its rounds
                for r in self.conn.execute(
                    "SELECT id, date, date_precision, name, total_minor, currency, "
                    "valuation_minor FROM funding_round WHERE company_id = ?",
                    (company_id,),
                ):
                    packed = self._pack(r[0], RoundKey(company_id, *r[1:6]), r[6])
                    self._put(found, r[0], packed)
        return found

    def _insert(self, values: tuple[Any, ...]) -> int:
        """The id of a new round with these values (_ROUND_COLUMNS); on SQLite, written with
        the next batch."""
        if not self.batched:
            return self.conn.insert(_INSERT_ROUND, values)
        rid = self.next_id
        if not rid:
            (seq,) = self.conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'funding_round'"
            ).fetchone()
            rid = max(seq, self.last_id) + 1
        self.next_id = rid + 1
        self.pending.append((rid, *values))
        if len(self.pending) >= BATCH:
            self.flush()
        return rid

    def flush(self) -> None:
        """Write the rounds not written yet (before any stake that refers to one)."""
        if self.pending:
            self.conn.executemany(_INSERT_ROUND_WITH_ID, self.pending)
            self.pending.clear()

    def _near(
        self, stored: "tuple[array[int], array[int]]", day: int, precision: int
    ) -> list[tuple[int, int]]:
        """(id, packed) of the rounds whose dates may agree with *day*, in the order of their
        ids (the order they were recorded in)."""
        keys, ids = stored
        if not keys:
            return []
        year = day // 10000 * 10000
        lo = bisect_left(keys, year << _DAY_SHIFT)
        hi = bisect_left(keys, (year + 10000) << _DAY_SHIFT, lo)
        # unusual dates (day 0) sort first and are always compared
        odd = bisect_left(keys, 1 << _DAY_SHIFT) if keys[0] >> _DAY_SHIFT == 0 else 0
        if lo == hi and not odd:
            return []
        out = []
        for i in (*range(odd), *range(lo, hi)):
            packed = keys[i]
            other = packed >> _DAY_SHIFT
            if not other or _agree(day, precision, other, (packed >> 34) & 3):
                out.append((ids[i], packed))
        out.sort()
        return out

    def _key(self, company_id: int, rid: int, packed: int) -> tuple[RoundKey, int | None]:
        if packed & 1:
            return self.extra[rid]
        day = packed >> _DAY_SHIFT
        key = RoundKey(
            company_id,
            f"{day // 10000:04d}-{day // 100 % 100:02d}-{day % 100:02d}",
            _PRECISIONS[(packed >> 34) & 3],
            self.names[(packed >> 1) & 0x1FFFFFFFF],
            None,
            None,
        )
        return key, None

    def attach_named(
        self,
        company_id: int,
        date: tuple[Any, str, str, int, int],
        name: str,
        source: str | None,
        amount: tuple[Money | str | None, int | None, str | None],
    ) -> int:
        """attach() of a round known by its name and date alone, quicker when no round of
        the company has a date that agrees (then the round is new). *amount* is the record's,
        as _Fast.amount keeps it (its Money, or the text of one)."""
        stored = self.by_company.get(company_id)
        if stored is None:
            stored = self._stored(company_id)
        day, precision = date[3], date[4]
        keys = stored[0]
        if keys:
            # a round of the record's year, or of an unusual date, may be the same: _near says
            year = day // 10000 * 10000
            at = bisect_left(keys, year << _DAY_SHIFT)
            maybe = at < len(keys) and keys[at] >> _DAY_SHIFT < year + 10000
            if (maybe or not keys[0] >> _DAY_SHIFT) and self._near(stored, day, precision):
                given, _minor, currency = amount
                cheque = Money(Decimal(given), str(currency)) if isinstance(given, str) else given
                round_in = RoundIn(company_id, date[0], name, None, None, source)
                return self.attach(round_in, cheque)
        rid = self._insert((company_id, date[1], date[2], name, None, None, None, source, self.now))
        if day:  # what _pack makes of a round with a usual date and no figures, made here
            name_id = self.name_ids.get(name)
            if name_id is None:
                name_id = self.name_ids[name] = len(self.names)
                self.names.append(name)
            packed = (day << 2 | precision) << 34 | name_id << 1
        else:
            packed = self._pack(rid, RoundKey(company_id, date[1], date[2], name, None, None), None)
        self._put(stored, rid, packed)
        self.created += 1
        return rid

    def attach(self, round_in: RoundIn, cheque: Money | None) -> int:
        """The id of the round the record describes (found, completed, or recorded)."""
        currency = round_currency(round_in)
        stored = self._stored(round_in.company_id)
        key = round_in.key()
        near = {
            rid: self._key(key.company_id, rid, packed)
            for rid, packed in self._near(stored, _day(key.date), _PRECISION[key.date_precision])
        }
        keys = [(rid, k) for rid, (k, _) in near.items()]
        found = best_round(key, keys) if keys else None
        if found is None and key.total_minor is not None:  # no total, no clash
            clash = clashing_round(key, keys)
            if clash is not None:
                old = near[clash][0]
                assert old.total_minor is not None and old.currency is not None
                self.clashes.append(
                    f"round {clash}: round_total: kept {old.currency} "
                    f"{from_minor(old.total_minor, old.currency):,f}, "
                    f"the file says {round_in.total}"
                )
                found = clash
        if found is None:
            total = key.total_minor
            valuation = (
                None
                if round_in.valuation is None
                else to_minor(round_in.valuation.amount, round_in.valuation.currency)
            )
            rid = self._insert(
                (
                    round_in.company_id,
                    key.date,
                    key.date_precision,
                    round_in.name,
                    total,
                    valuation,
                    currency,
                    round_in.source,
                    self.now,
                )
            )
            new = RoundKey(*(round_in.company_id, *_tail(key)))
            self._put(stored, rid, self._pack(rid, new, valuation))
            self.created += 1
            return rid
        old, valuation = near[found]
        self._check_cheque(old, cheque)
        update = fill_round(old, valuation, round_in)
        if update:
            self.flush()  # the round may be one not written yet
            names = ", ".join(f"{k} = ?" for k in update)
            self.conn.execute(
                f"UPDATE funding_round SET {names} WHERE id = ?",
                (*update.values(), found),
            )
            if found <= self.last_id:
                before = {k: getattr(old, k, valuation) for k in update}
                audit.note(
                    self.session,
                    audit.Record("funding_round", str(found), before, update),
                )
            new_key = RoundKey(
                old.company_id,
                update.get("date", old.date),
                update.get("date_precision", old.date_precision),
                update.get("name", old.name),
                update.get("total_minor", old.total_minor),
                update.get("currency", old.currency),
            )
            keys_, ids = stored
            at = ids.index(found)
            del keys_[at], ids[at]
            self._put(
                stored,
                found,
                self._pack(found, new_key, update.get("valuation_minor", valuation)),
            )
        self.matched += 1
        return found

    @staticmethod
    def _check_cheque(stored: RoundKey, cheque: Money | None) -> None:
        if cheque is None or stored.total_minor is None or stored.currency != cheque.currency:
            return
        if to_minor(cheque.amount, cheque.currency) > stored.total_minor:
            raise FieldError(
                "amount",
                f"{cheque} is more than the round's whole total "
                f"({stored.currency} {from_minor(stored.total_minor, stored.currency):,f})",
            )


def _tail(key: RoundKey) -> tuple[Any, ...]:
    return (key.date, key.date_precision, key.name, key.total_minor, key.currency)


def split_names(cell: str, separator: str) -> list[str]:
    """``"A, B and C"`` -> ``["A", "B", "C"]`` (the separator, then a last "and" or "&")."""
    parts = [p.strip() for p in cell.split(separator)]
    names: list[str] = []
    for part in parts:
        names.extend(n.strip() for n in _AND.split(part))
    return [n for n in names if n]


#: A stake's identifying fields as stored, in StakeKey's order (a plain tuple: cheaper).
_Key = tuple[int, int, str, str, str, int | None, str | None, int | None, int | None]


@dataclass(slots=True)
class _Record:
    """One stake record of a row, parsed and resolved."""

    key: _Key
    ref: str | None
    source: str | None
    note: str | None


class _Seen:
    """The (investor, company, kind) triples that may have a stake: a Bloom filter, so that
    a million triples take a few megabytes. A triple never added is found only by chance
    (a false positive, about 1 in 200): it costs one look-up in the database, which finds
    nothing. A full filter gets a larger companion instead of growing."""

    __slots__ = ("filters", "count", "capacity")

    def __init__(self) -> None:
        self.filters: list[tuple[bytearray, int]] = []
        self.count = self.capacity = 0
        self._grow(1 << 17)

    def _grow(self, capacity: int) -> None:
        bits = capacity * 16  # 16 bits and 3 probes a triple: 0.5% false positives when full
        self.filters.append((bytearray(bits // 8), bits - 1))
        self.capacity, self.count = capacity, 0

    def add(self, triple: tuple[int, int, str]) -> bool:
        """Add *triple*; True when it may have been added before."""
        h = hash(triple) & 0xFFFFFFFFFFFFFFFF
        a, step = h & 0xFFFFFFFF, (h >> 32) | 1
        b, c = a + step, a + 2 * step
        for bits, mask in self.filters:
            x, y, z = a & mask, b & mask, c & mask
            if (
                bits[x >> 3] >> (x & 7) & 1
                and bits[y >> 3] >> (y & 7) & 1
                and bits[z >> 3] >> (z & 7) & 1
            ):
                return True
        bits, mask = self.filters[-1]
        x, y, z = a & mask, b & mask, c & mask
        bits[x >> 3] |= 1 << (x & 7)
        bits[y >> 3] |= 1 << (y & 7)
        bits[z >> 3] |= 1 << (z & 7)
        self.count += 1
        if self.count >= self.capacity:
            self._grow(self.capacity * 2)
        return False


class _Placed:
    """The ids of the stakes this import wrote, by a hash of their (investor, company, kind,
    year): while the stake table's indexes are dropped (a big file into an empty table), a
    record finds the stakes it may repeat by id, and no index is kept up to date row by row
    (that doubled the time of the writes). Only a stake of the same year can be the same deal
    (core.identity: their dates must agree), so the others are never read back. Twelve bytes
    a stake, and a bitmap of 2 MB that answers most questions without a bucket's scan (one
    bit for each of 2**24 values of the hash's low bits: with a million stakes, 94% unset)."""

    __slots__ = ("tags", "ids", "bits")
    BUCKETS = 1 << 14

    def __init__(self) -> None:
        self.tags: list[array[int] | None] = [None] * self.BUCKETS
        self.ids: list[array[int] | None] = [None] * self.BUCKETS
        self.bits = bytearray(1 << 21)

    def add(self, nears: list[int], first_id: int) -> None:
        """Keep the stakes written with ids from *first_id* on, one for each of *nears*."""
        bits, all_tags, all_ids, mask = self.bits, self.tags, self.ids, self.BUCKETS - 1
        for stake_id, near in enumerate(nears, start=first_id):
            h = near & 0x3FFFFFFFFFFF  # 14 bits of bucket, 32 of tag
            low = h & 0xFFFFFF
            bits[low >> 3] |= 1 << (low & 7)
            at = h & mask
            tags, ids = all_tags[at], all_ids[at]
            if tags is None or ids is None:
                tags, ids = all_tags[at], all_ids[at] = array("I"), array("q")
            tags.append(h >> 14)
            ids.append(stake_id)

    def has(self, near: int) -> bool:
        """False when no stake was written with *near*; True when one may have been."""
        h = near & 0x3FFFFFFFFFFF
        low = h & 0xFFFFFF
        if not self.bits[low >> 3] >> (low & 7) & 1:
            return False
        tags = self.tags[h & (self.BUCKETS - 1)]
        return tags is not None and h >> 14 in tags

    def find(self, near: int) -> list[int]:
        """The ids of the stakes written with *near* (and, rarely, of others)."""
        h = near & 0x3FFFFFFFFFFF  # 14 bits of bucket, 32 of tag
        at, tag = h & (self.BUCKETS - 1), h >> 14
        tags, ids = self.tags[at], self.ids[at]
        found: list[int] = []
        if tags is None or ids is None:
            return found
        i = -1
        try:
            while True:
                i = tags.index(tag, i + 1)
                found.append(ids[i])
        except ValueError:
            return found


#: The cache of a field's values seen: raw text -> stored form, or the FieldError.
_LIMIT = 100_000
#: Amounts vary most (a long tail of distinct figures): a smaller cache keeps memory flat.
_AMOUNTS = 20_000
_MISS = object()


class _Pairs:
    """A cache by two keys, as a dict of dicts: a look-up makes and hashes no tuple (a
    million rows look up their startup by name and sector, and their amount by currency).
    Forgotten whole when it holds *limit* values."""

    __slots__ = ("by", "count", "limit")

    def __init__(self, limit: int) -> None:
        self.by: dict[Any, dict[Any, Any]] = {}
        self.count, self.limit = 0, limit

    def keep(self, outer: Any, inner: Any, value: Any) -> Any:
        if self.count >= self.limit:
            self.clear()
        found = self.by.get(outer)
        if found is None:
            found = self.by[outer] = {}
        if inner not in found:
            self.count += 1
        found[inner] = value
        return value

    def clear(self) -> None:
        self.by.clear()
        self.count = 0


class _Fast:
    """Rows whose every field was seen before, resolved from caches of what the one stake
    parser (services.fields) made of each raw text; any other row (a field not yet seen, a
    bad value, round figures, several investors) takes the whole pipeline.

    The field caches hold what check_field made of each raw text it accepted (a refused one
    is not kept: its row takes the whole pipeline, which says why). A company id is cached
    for a raw name only once the whole pipeline resolved it (``ids``); a startup with its raw
    sector only when that pair changes nothing (no sector to set, no conflict to count), and
    the pairs are forgotten whenever a company's sector changes."""

    def __init__(self, parsers: Parsers, default_currency: str | None) -> None:
        self.parsers, self.default_currency = parsers, default_currency
        self.ids: dict[str, int] = {}
        self.startups = _Pairs(_LIMIT)  # by raw sector, then raw name
        self.kinds: dict[str | None, Any] = {}
        self.dates: dict[str | None, Any] = {}
        self.amounts = _Pairs(_AMOUNTS)  # by raw currency, then raw amount
        self.currencies: dict[str | None, Any] = {}
        self.percents: dict[str | None, Any] = {}
        self.labels: dict[str, dict[str | None, Any]] = {
            name: {} for name in ("round", "source", "note", "ref")
        }
        self.label_parsers = {name: label_parser(name) for name in self.labels}

    @staticmethod
    def _keep(cache: dict[Any, Any], raw: Any, value: Any, limit: int = _LIMIT) -> Any:
        if len(cache) >= limit:
            cache.clear()
        cache[raw] = value
        return value

    def kind(self, raw: str | None) -> Any:
        found = check_field("kind", _trimmed(raw), self.parsers.kind)
        if type(found) is FieldError:
            return found
        return self._keep(self.kinds, raw, (found or Kind.INVESTMENT).value)

    def date(self, raw: str | None) -> Any:
        found = check_field("date", _trimmed(raw), self.parsers.date)
        if type(found) is FieldError:
            return found
        iso, precision = found.start.isoformat(), found.precision.value
        kept = (found, iso, precision, _day(iso), _PRECISION[precision])
        return self._keep(self.dates, raw, kept)

    def amount(self, raw: str | None, raw_currency: str | None) -> Any:
        currency = self.currencies.get(raw_currency, _MISS)
        if currency is _MISS:
            currency = check_field("currency", _trimmed(raw_currency), self.parsers.currency)
            if type(currency) is FieldError:
                return currency
            self._keep(self.currencies, raw_currency, currency)
        default = self.default_currency
        code = default if currency is None else currency
        text = _trimmed(raw)
        if text is not None and code is not None:
            # digits alone: what check_field and parse_money make of them, without the detour
            # (a bad one, such as too many decimals, takes it: the message is the parser's);
            # kept as their text, which makes the same Money (plain_money) when one is needed
            try:
                minor = plain_minor(text, code)
            except InvalidInput:
                minor = None
            if minor is not None:
                return self.amounts.keep(raw_currency, raw, (text, minor, code))
        parse = self.parsers.money

        def money(text: str) -> Money:
            return parse(text, currency, default)

        found = check_field("amount", text, money)
        if type(found) is FieldError:
            return found
        if found is None:
            return self.amounts.keep(raw_currency, raw, (None, None, None))
        kept = (found, to_minor(found.amount, found.currency), found.currency)
        return self.amounts.keep(raw_currency, raw, kept)

    def percent(self, raw: str | None) -> Any:
        found = check_field("percent", _trimmed(raw), self.parsers.percent)
        if type(found) is FieldError:
            return found
        return self._keep(self.percents, raw, None if found is None else to_micro(found))

    def label(self, name: str, raw: str | None) -> Any:
        found = check_field(name, _trimmed(raw), self.label_parsers[name])
        if type(found) is FieldError:
            return found
        return self._keep(self.labels[name], raw, found)


class _Importer:
    """The pipeline of one import (see the module's docstring)."""

    def __init__(
        self,
        session: "Session",
        source: Source,
        options: ImportOptions,
        rejects: RejectSink | None,
    ) -> None:
        self.session, self.source, self.options, self.rejects = (
            session,
            source,
            options,
            rejects,
        )
        self.conn = conn = Raw(session)
        self.last: dict[str, int] = {}
        for table in ("company", "company_alias", "funding_round", "stake"):
            last = conn.execute(f"SELECT MAX(id) FROM {table}").fetchone()[0] or 0
            self.last[table] = last
            audit.inserted_after(session, table, last)
        self.now = stored_now()
        self.summary = ImportSummary(file=str(source.path), format=source.format.value)
        self.companies = _Companies(session, conn, self.now, self.last["company"])
        self.rounds = _Rounds(
            session, conn, self.now, self.last["funding_round"], self.last["company"]
        )
        self.parsers = memo_parsers(options)
        self.labels = source.labels or list(FIELDS)
        self.default_currency = None
        if options.currency is not None:
            try:
                self.default_currency = currency_code(options.currency)
            except InvalidInput as exc:
                raise InvalidInput(exc.message, field="currency") from None
        #: (investor, company, kind) of the stored stakes and of the records added so far
        self.seen = _Seen()
        stored = False
        for triple in conn.execute("SELECT DISTINCT investor_id, company_id, kind FROM stake"):
            self.seen.add(tuple(triple))
            stored = True
        self.refs: dict[str, int] = dict(
            conn.execute("SELECT ref, id FROM stake WHERE ref IS NOT NULL")
        )
        self.pending: list[tuple[Any, ...]] = []
        #: hash((investor, company, kind, year)) of each pending record, and as a set: only
        #: a record sharing one can be the same deal as one of them (its dates must agree)
        self.pending_near: list[int] = []
        self.pending_nears: set[int] = set()
        self.file_refs: set[str] = set()
        self.dropped: list[str] = []
        self.temporary_index = False
        self.line = 0
        if not stored and source.size > BIG_FILE_BYTES:
            self.dropped = _drop_indexes(conn, "stake")
            if not self.last["funding_round"]:
                # no round to look up either: its indexes are built once at the end too
                self.dropped += _drop_indexes(conn, "funding_round")
        #: on SQLite, with the indexes dropped, every stake a record can match is one this
        #: import wrote: their ids are kept here (a batch's ids follow each other: the import
        #: holds the write lock, and AUTOINCREMENT never reuses an id)
        self.placed = _Placed() if self.dropped and conn.sqlite else None
        self.placed_last = 0
        self.listed: set[str] | None = None
        #: where a row's empty fields take a constant (--set, then --investor)
        self.constant_at = [(FIELDS.index(k), v) for k, v in options.constants.items()]
        if options.investor:
            self.constant_at.append((FIELDS.index("investor"), options.investor))
        # the fast path's caches memoise the plain parsers themselves (no second copy)
        plain = plain_parsers(
            today=options.today or dt.date.today(),
            dayfirst=options.dayfirst,
            symbols=options.symbols,
        )
        self.fast = _Fast(plain, self.default_currency)
        self.fast_rejected = False
        self.companies.on_sector = self.fast.startups.clear

    # -- the steps --------------------------------------------------------------------

    def run(self, progress: Callable[[int], None] | None) -> ImportSummary:
        summary = self.summary
        fast = (
            self.source.format is FileFormat.csv
            and self.options.split_investors is None
            and self.listed is None
        )
        source = self.source
        raw_fields = source.raw_fields
        if fast and raw_fields is not None and source.cells is not None and not self.constant_at:
            self.run_cells(source.cells, raw_fields, progress)
        else:
            for row in source.rows:
                summary.rows_read += 1
                if progress is not None and summary.rows_read % 8192 == 0:
                    progress(source.position())
                if row.problem is not None:
                    self.reject(row, [row.problem], 1)
                    continue
                if not (fast and self.fast_row(row.line, row.values, row)):
                    self.row(row)
        self.flush()
        self.forget()
        self.restore_indexes()
        if progress is not None:
            progress(self.source.position())
        summary.rows_skipped += self.source.skipped
        summary.companies_created += len(self.companies.created)
        summary.companies_resolved += self.companies.resolved
        summary.sectors_set += self.companies.sectors_set
        summary.rounds_created, summary.rounds_matched = (
            self.rounds.created,
            self.rounds.matched,
        )
        summary.warnings.extend(self.source.warnings)
        self.look_for_duplicates()
        return summary

    def forget(self) -> None:
        """Free what only the rows needed, before the indexes are built and the names
        compared (the peak memory of a large import is the largest of those steps)."""
        self.fast = _Fast(self.fast.parsers, self.default_currency)
        self.companies.on_sector = self.fast.startups.clear
        self.rounds.by_company.clear()
        self.rounds.extra.clear()
        self.seen = _Seen()
        self.placed = None
        self.parsers = memo_parsers(self.options)

    def run_cells(
        self,
        cells: Iterator[tuple[int, list[str]] | Row],
        raw_fields: Callable[[list[str]], Sequence[str]],
        progress: Callable[[int], None] | None,
    ) -> None:
        """The rows of a CSV file: a usual row's fields go to fast_row as its cells were read
        (the caches take raw text, trimmed or not); its Row is made only when it must take
        the whole pipeline."""
        summary, source = self.summary, self.source
        values_of = source.values_of
        assert values_of is not None
        for item in cells:
            summary.rows_read += 1
            if progress is not None and summary.rows_read % 8192 == 0:
                progress(source.position())
            if type(item) is tuple:
                line, record = item
                if not self.fast_row(line, raw_fields(record), record):
                    self.row(Row(line, values_of(record), record))
                continue
            row: Row = item  # type: ignore[assignment]
            if row.problem is not None:
                self.reject(row, [row.problem], 1)
            elif not self.fast_row(row.line, row.values, row):
                self.row(row)

    def as_row(self, line: int, given: "Row | list[str]") -> Row:
        """The Row of a fast row (run_cells hands fast_row a usual row's cells alone)."""
        if isinstance(given, Row):
            return given
        values_of = self.source.values_of
        assert values_of is not None
        return Row(line, values_of(given), given)

    def fast_row(self, line: int, values: Sequence[Any], given: "Row | list[str]") -> bool:
        """Steps 1 to 3 of a row from the caches (see _Fast), then step 4; False, having
        changed nothing, when the row must take the whole pipeline. *values* are the row's
        fields aligned to FIELDS, as a Row has them (trimmed, None when blank) or as the
        file's cells gave them (untrimmed, "" when empty): the caches answer both alike.
        *given* is the Row, or the cells read (for a Row made only if one is needed)."""
        self.line = line
        if len(values) != len(FIELDS):
            return False
        if self.constant_at:
            values = list(values)
            for i, constant in self.constant_at:
                if values[i] is None:
                    values[i] = constant
        (
            investor, startup, sector, kind_, date_, amount_, currency_, percent_,
            round_, source_, note_, total_, valuation_, ref_,
        ) = values  # fmt: skip
        if total_ or valuation_:
            return False
        # a cache holds accepted values only: a miss that is refused sends the row on
        bad = FieldError
        fast = self.fast
        inv_id = fast.ids.get(investor)
        by_name = fast.startups.by.get(sector)
        comp_id = None if by_name is None else by_name.get(startup)
        kind = fast.kinds.get(kind_, _MISS)
        if kind is _MISS and type(kind := fast.kind(kind_)) is bad:
            return False
        date = fast.dates.get(date_, _MISS)
        if date is _MISS and type(date := fast.date(date_)) is bad:
            return False
        by_text = fast.amounts.by.get(currency_)
        amount: Any = _MISS if by_text is None else by_text.get(amount_, _MISS)
        if amount is _MISS and type(amount := fast.amount(amount_, currency_)) is bad:
            return False
        percent = fast.percents.get(percent_, _MISS)
        if percent is _MISS and type(percent := fast.percent(percent_)) is bad:
            return False
        labels = fast.labels
        name = source = note = ref = None
        if round_:
            name = labels["round"].get(round_, _MISS)
            if name is _MISS and type(name := fast.label("round", round_)) is bad:
                return False
        if source_:
            source = labels["source"].get(source_, _MISS)
            if source is _MISS and type(source := fast.label("source", source_)) is bad:
                return False
        if note_:
            note = labels["note"].get(note_, _MISS)
            if note is _MISS and type(note := fast.label("note", note_)) is bad:
                return False
        if ref_:
            ref = labels["ref"].get(ref_, _MISS)
            if ref is _MISS and type(ref := fast.label("ref", ref_)) is bad:
                return False
        if inv_id is None or comp_id is None or inv_id == comp_id:
            found = self.fast_companies(line, given, investor, startup, sector)
            if found is None:
                return self.fast_rejected
            inv_id, comp_id = found
        round_id = None
        if name is not None:
            try:
                round_id = self.rounds.attach_named(comp_id, date, name, source, amount)
            except FieldError as exc:
                reason = f"{self.label(exc.field)}: {exc.message}"
                self.reject(self.as_row(line, given), [reason], 1)
                return True
        self.summary.records += 1
        key = (
            inv_id,
            comp_id,
            kind,
            date[1],
            date[2],
            amount[1],
            amount[2],
            percent,
            round_id,
        )
        self.identify(key, ref, source, note, line)
        return True

    def fast_companies(
        self,
        line: int,
        given: "Row | list[str]",
        investor: str | None,
        startup: str | None,
        sector: str | None,
    ) -> tuple[int, int] | None:
        """Step 2 of a fast row whose companies are not cached yet: None with nothing changed
        when the row must take the whole pipeline (a bad or missing name, one company on both
        sides); or resolved as the pipeline resolves them (the row rejected when it must be:
        then None after self.reject, with ``self.fast_rejected`` set). The names are raw
        text, trimmed or not (fast_row); the caches learn them as given."""
        self.fast_rejected = False
        names = self.parsers.name
        inv_name = check_field("investor", _trimmed(investor), names)
        st_name = check_field("startup", _trimmed(startup), names)
        sector_ = check_field("sector", _trimmed(sector), self.parsers.sector)
        if (
            type(inv_name) is FieldError
            or type(st_name) is FieldError
            or type(sector_) is FieldError
            or inv_name.lower() == st_name.lower()
        ):
            return None
        reasons: list[str] = []
        found = self.resolve(inv_name, st_name, sector_, reasons)
        if found is None:
            self.reject(self.as_row(line, given), list(dict.fromkeys(reasons)), 1)
            self.fast_rejected = True
            return None
        self.learn({"investor": investor, "startup": startup, "sector": sector}, found)
        return found

    def fields_of(self, row: Row) -> dict[str, str | None]:
        fields = dict(zip(FIELDS, row.values, strict=False))
        for name, value in self.options.constants.items():
            if fields.get(name) is None:
                fields[name] = value
        if fields.get("investor") is None and self.options.investor:
            fields["investor"] = self.options.investor
        return fields

    def row(self, row: Row) -> None:
        self.line = row.line
        fields = self.fields_of(row)
        investors: list[str | None] = [fields.get("investor")]
        separator = self.options.split_investors
        if separator is not None and fields.get("investor"):
            investors = list(split_names(str(fields["investor"]), separator)) or [None]
        records: list[_Record] = []
        reasons: list[str] = []
        ref = fields.get("ref")
        for n, investor in enumerate(investors, start=1):
            one = {**fields, "investor": investor}
            if ref is not None and len(investors) > 1:
                one["ref"] = f"{ref}/{n}"  # one stake per investor of the row, each its own key
            record = self.parse(one, reasons)
            if record is not None:
                records.append(record)
        if reasons:
            self.reject(row, list(dict.fromkeys(reasons)), len(investors))
            return
        if len(investors) == 1 and records:
            self.learn(fields, records[0].key)
        self.summary.records += len(records)
        for record in records:
            self.identify(record.key, record.ref, record.source, record.note, row.line)

    def learn(self, fields: dict[str, str | None], key: tuple[Any, ...]) -> None:
        """Remember the companies of a row the whole pipeline took, for the fast path."""
        investor, startup = fields.get("investor"), fields.get("startup")
        sector = fields.get("sector")
        fast, companies = self.fast, self.companies
        if investor is not None:
            fast._keep(fast.ids, investor, key[0])
        if startup is None:
            return
        current = companies.sector[key[1]]
        wanted = check_field("sector", _trimmed(sector), self.parsers.sector)
        if wanted is None or (current is not None and within(current, wanted)):
            fast.startups.keep(sector, startup, key[1])

    def label(self, name: str) -> str:
        return self.labels[FIELDS.index(name)]

    def resolve(
        self, investor: str, startup: str, sector: str | None, reasons: list[str]
    ) -> tuple[int, int] | None:
        """Step 2: the investor's and the startup's ids, found or created; None with the
        reason when the row cannot be taken."""
        companies = self.companies
        inv_id, comp_id = companies.find(investor), companies.find(startup)
        if inv_id is not None and inv_id == comp_id:
            reasons.append(f"{self.label('startup')}: {startup} cannot hold a stake in itself")
            return None
        if self.listed is not None:
            for name, value in (
                ("investor", investor),
                ("startup", startup),
            ):
                if companies.keys(value)[0] not in self.listed:
                    reasons.append(f"{self.label(name)}: {value!r} is not listed under companies")
            if reasons:
                return None
        if comp_id is not None and sector is not None:
            current = companies.sector[comp_id]
            if current is not None and not within(current, sector):
                if self.options.sector_conflict == "reject":
                    reasons.append(
                        f"{self.label('sector')}: {companies.name[comp_id]} is in sector "
                        f"{current}, not {sector}"
                    )
                    return None
                self.summary.sector_conflicts += 1
                if self.options.sector_conflict == "update":
                    companies.set_sector(comp_id, sector)
        inv_id = companies.get_or_create(investor, None, inv_id)
        comp_id = companies.get_or_create(startup, sector, comp_id)
        if inv_id == comp_id:  # two spellings of one new company
            reasons.append(f"{self.label('startup')}: {startup} cannot hold a stake in itself")
            return None
        return inv_id, comp_id

    def parse(self, fields: dict[str, str | None], reasons: list[str]) -> _Record | None:
        """Steps 1 to 3: parse, resolve the companies and the round."""
        stake, errors = parse_stake(
            fields,
            parsers=self.parsers,
            default_currency=self.default_currency,
            lone_currency=True,
        )
        if stake is None:
            reasons.extend(f"{self.label(e.field)}: {e.message}" for e in errors)
            return None
        found = self.resolve(stake.investor, stake.startup, stake.sector, reasons)
        if found is None:
            return None
        inv_id, comp_id = found
        round_id = None
        round_in = RoundIn(
            comp_id,
            stake.date,
            stake.round,
            stake.round_total,
            stake.valuation,
            stake.source,
        )
        if round_in.given:
            try:
                round_id = self.rounds.attach(round_in, stake.amount)
            except FieldError as exc:
                reasons.append(f"{self.label(exc.field)}: {exc.message}")
                return None
            for clash in self.rounds.clashes:
                if len(self.summary.conflicts) < KEPT_PROBLEMS:
                    self.summary.conflicts.append(f"{self.source.path}:{self.line}: {clash}")
            self.rounds.clashes.clear()
        amount = stake.amount
        key = (
            inv_id,
            comp_id,
            stake.kind.value,
            stake.date.start.isoformat(),
            stake.date.precision.value,
            None if amount is None else to_minor(amount.amount, amount.currency),
            None if amount is None else amount.currency,
            None if stake.percent is None else to_micro(stake.percent),
            round_id,
        )
        return _Record(key, stake.ref, stake.source, stake.note)

    def identify(
        self, key: _Key, ref: str | None, source: str | None, note: str | None, line: int
    ) -> None:
        """Step 4: already present, the same deal (matched and filled in), or new; for the
        record of *key* and these labels (a _Record's fields, no object made per row)."""
        summary = self.summary
        if ref is not None:
            stored_id = self.refs.get(ref)
            if stored_id is not None:
                summary.already_present += 1
                if ref in self.file_refs:
                    summary.repeated_in_file += 1
                return
        near = hash((key[0], key[1], key[2], key[3][:4]))
        placed = self.placed
        if placed is None:
            maybe = self.seen.add(key[:3])
        else:  # every stake of the table is in placed or pending
            maybe = near in self.pending_nears or placed.has(near)
        if maybe:
            if near in self.pending_nears:
                self.flush()
            rows = self.candidates(key[:3], near)
            if rows:
                new = StakeKey(*key)
                candidates = {r[0]: (StakeKey(*r[1:10]), r[10], r[11]) for r in rows}
                found = best_match(new, [(sid, c[0]) for sid, c in candidates.items()])
                if found is not None:
                    stored, was_source, was_note = candidates[found]
                    record = _Record(key, ref, source, note)
                    self.fill(found, stored, was_source, was_note, new, record, line)
                    return
        self.pending_near.append(near)
        self.pending_nears.add(near)
        if ref is not None:
            self.file_refs.add(ref)
            self.refs[ref] = -1  # stored with the next batch
        self.pending.append((*key, ref, source, note, self.now))
        if len(self.pending) >= BATCH:
            self.flush()

    def fill(
        self,
        stake_id: int,
        stored: StakeKey,
        source: str | None,
        note: str | None,
        new: StakeKey,
        record: _Record,
        line: int,
    ) -> None:
        """The record is the same deal as stored stake *stake_id*: fill in what it lacked,
        report what it contradicts, never overwrite a disclosed value."""
        summary = self.summary
        update: dict[str, Any] = dict(changes(stored, filled(stored, new)))
        before: dict[str, Any] = {k: getattr(stored, k) for k in update}
        for name, old in (("source", source), ("note", note)):
            given = getattr(record, name)
            if given is None or given == old:
                continue
            if old is None:
                update[name], before[name] = given, None
            elif len(summary.conflicts) < KEPT_PROBLEMS:
                summary.conflicts.append(
                    f"{self.source.path}:{line}: stake {stake_id}: {name}: "
                    f"kept {old!r}, the file says {given!r}"
                )
        if not update:
            summary.already_present += 1
            if stake_id > self.last["stake"]:
                summary.repeated_in_file += 1
            return
        summary.matched += 1
        self.rounds.flush()  # the update may name a round not written yet
        names = ", ".join(f"{k} = ?" for k in update)
        self.conn.execute(f"UPDATE stake SET {names} WHERE id = ?", (*update.values(), stake_id))
        if stake_id <= self.last["stake"]:
            audit.note(self.session, audit.Record("stake", str(stake_id), before, update))

    def flush(self) -> None:
        """Step 5: write the new stakes (after the rounds they refer to)."""
        self.rounds.flush()
        if self.pending:
            self.conn.executemany(_INSERT_STAKE, self.pending)
            if self.placed is not None:
                self.place(self.pending)
            self.summary.stakes_added += len(self.pending)
            self.pending.clear()
            self.pending_near.clear()
            self.pending_nears.clear()

    def place(self, rows: list[tuple[Any, ...]]) -> None:
        """Keep the ids of the stakes just written (see _Placed), by their ``pending_near``;
        if they do not follow each other after all, look candidates up through an index
        instead."""
        assert self.placed is not None
        last = self.conn.execute("SELECT MAX(id) FROM stake").fetchone()[0]
        first = last - len(rows) + 1
        (count,) = self.conn.execute(
            "SELECT COUNT(*) FROM stake WHERE id BETWEEN ? AND ?", (first, last)
        ).fetchone()
        if count != len(rows) or first <= self.placed_last:
            self.placed = None
            # from now on the Bloom filter says which triples may be stored: all of them
            self.seen = _Seen()
            for triple in self.conn.execute(
                "SELECT DISTINCT investor_id, company_id, kind FROM stake"
            ):
                self.seen.add(tuple(triple))
            return
        self.placed.add(self.pending_near, first)
        self.placed_last = last

    def candidates(self, triple: tuple[Any, ...], near: int) -> list[Any]:
        """The stored stakes of *triple* (at least those of the year *near* hashes with it):
        their id, key fields, source and note."""
        if self.placed is None:
            self.lookup_index()
            return list(self.conn.execute(_CANDIDATES, triple).fetchall())
        ids = self.placed.find(near)
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        return list(
            self.conn.execute(f"{_CANDIDATES} AND id IN ({marks})", (*triple, *ids)).fetchall()
        )

    def lookup_index(self) -> None:
        """While the stake indexes are dropped, one narrow index serves the look-ups of
        records that share investor, company and kind with an earlier one."""
        if self.dropped and not self.temporary_index:
            self.conn.execute(
                f"CREATE INDEX {_LOOKUP_INDEX} ON stake (investor_id, company_id, kind)"
            )
            self.temporary_index = True

    def restore_indexes(self) -> None:
        if self.temporary_index:
            self.conn.execute(f"DROP INDEX {_LOOKUP_INDEX}")
            self.temporary_index = False
        self.line = 0
        for sql in self.dropped:
            self.conn.execute(sql)
        self.dropped = []

    def reject(self, row: Row, reasons: list[str], records: int) -> None:
        summary = self.summary
        summary.rejected += records
        summary.records += records
        summary.rows_rejected += 1
        if len(summary.problems) < KEPT_PROBLEMS:
            summary.problems.extend(f"{self.source.path}:{row.line}: {r}" for r in reasons)
        if self.rejects is not None:
            self.rejects.write(row, reasons)

    def look_for_duplicates(self) -> None:
        """New companies whose names look like typos of other companies' names."""
        created = self.companies.created
        if not created:
            return
        names = self.companies.name
        known = [(cid, name) for cid, name in names.items() if cid <= self.last["company"]]
        pairs = similar_pairs(created, known, limit=KEPT_DUPLICATES + 1)
        self.summary.more_possible_duplicates = len(pairs) > KEPT_DUPLICATES
        for new, other, score in pairs[:KEPT_DUPLICATES]:
            self.summary.possible_duplicates.append(
                {"name": names[new], "like": names[other], "score": score}
            )


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
    importer = _Importer(session, source, options, rejects)
    problems = importer.summary.problems
    _import_companies(session, importer.conn, source, importer.companies, importer.summary)
    if options.listed_only:
        importer.listed = set(importer.companies.by_key)
    summary = importer.run(progress)
    _marks(session, source, summary)
    if problems and not options.skip_bad_rows:
        bad_rows = (
            f"{summary.rows_rejected} of {summary.rows_read} rows have problems"
            if summary.rows_rejected
            else f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        )
        raise InvalidInput(f"{source.path}: {bad_rows}; nothing was imported", details=problems)
    return summary


def bulk_load(location: "Location", source: Source) -> bool:
    """Whether importing *source* is a bulk load: a big file (over BIG_FILE_BYTES) into an
    ecoport database on SQLite that holds no stake yet. The importer then builds the stake
    indexes once, at the end, and the write checks every reference once, at the end
    (store.db.writing's ``references_at_end``): both cost in proportion to the database,
    which is mostly what the file brings."""
    from ecoport.store.db import State, check, reading

    if not location.is_sqlite or source.size <= BIG_FILE_BYTES:
        return False
    if check(location) is State.MISSING:
        return True
    with reading(location) as reader:
        return not reader.rows("SELECT 1 FROM stake LIMIT 1")


def _drop_indexes(conn: Raw, table: str) -> list[str]:
    """Drop the table's indexes; return the statements that make them again."""
    found = conn.indexes(table)
    for name, _sql in found:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def _name(raw: str) -> tuple[str, str]:
    cleaned = clean_name(raw)
    return cleaned, cleaned.lower()


def _import_companies(
    session: "Session",
    conn: Raw,
    source: Source,
    companies: _Companies,
    summary: ImportSummary,
) -> None:
    """Company entries of the seed/export shape: names, sectors, aliases, notes, targets."""
    path = source.path
    problems = summary.problems
    for line, entry in source.companies:
        where = f"{path}:{line}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a company with a name")
            continue
        try:
            name, key = _name(_entry_text(entry, "name") or "")
            raw_sector = _entry_text(entry, "sector")
            sector = normalize_sector(raw_sector) if raw_sector else None
            note = _entry_text(entry, "note", multiline=True)
            company_source = _entry_text(entry, "source")
            target = _entry_target(entry)
            target_note = _entry_text(entry, "target_note", multiline=True)
            target_source = _entry_text(entry, "target_source")
        except InvalidInput as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        existed = key in companies.by_key
        cid = companies.get_or_create(name, sector)
        if not existed:
            conn.execute(
                "UPDATE company SET note = ?, source = ? WHERE id = ?",
                (note, company_source, cid),
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
                if not isinstance(alias, str | int | float) or isinstance(alias, bool):
                    raise InvalidInput(f"{alias!r} is not a name")
                alias_name, alias_key = _name(str(alias))
            except InvalidInput as exc:
                problems.append(f"{where}: aliases: {exc.message}")
                continue
            owner = companies.by_key.get(alias_key)
            if owner is not None and owner != cid:
                problems.append(
                    f"{where}: aliases: {alias_name} is already the name of another company "
                    f"({companies.name[owner]}); an alias names one company"
                )
            elif owner is None:
                alias_match = match_key(alias_name)
                conn.execute(
                    "INSERT INTO company_alias (company_id, alias, alias_key, match_key) "
                    "VALUES (?, ?, ?, ?)",
                    (cid, alias_name, alias_key, alias_match),
                )
                companies.by_key[alias_key] = cid
                companies.by_match.setdefault(alias_match, cid)
                summary.aliases_added += 1
        if (
            target is not None
            and not conn.execute("SELECT 1 FROM target WHERE investor_id = ?", (cid,)).fetchone()
        ):
            row = {
                "investor_id": cid,
                "target": target,
                "note": target_note,
                "source": target_source,
            }
            conn.execute(
                "INSERT INTO target (investor_id, target, note, source) VALUES (?, ?, ?, ?)",
                tuple(row.values()),
            )
            audit.note(session, audit.Record("target", str(cid), None, row))
            summary.targets_set += 1
        for problem in _entry_goals(session, conn, entry, cid, summary):
            problems.append(f"{where}: {problem}")


def _entry_goals(
    session: "Session",
    conn: Raw,
    entry: dict[str, Any],
    cid: int,
    summary: ImportSummary,
) -> Iterator[str]:
    """A company entry's sector targets (``sector_targets: {iot: 50}``) and milestones
    (``milestones: [{by: 2014-12, reported: 25, what: ..., source: ...}]``), added unless
    stored already; each problem as a sentence."""
    from ecoport.core.dates import parse_date

    goals = entry.get("sector_targets") or {}
    if not isinstance(goals, dict):
        yield "sector_targets: must map sectors to numbers (iot: 50)"
        goals = {}
    for raw_sector, raw_target in goals.items():
        if raw_sector == "__line__":  # where the YAML reader found the mapping
            continue
        try:
            sector = normalize_sector(str(raw_sector))
            target = _entry_target({"target": raw_target})
        except InvalidInput as exc:
            yield f"sector_targets: {exc.message}"
            continue
        if (
            target is None
            or conn.execute(
                "SELECT 1 FROM sector_target WHERE investor_id = ? AND sector = ?",
                (cid, sector),
            ).fetchone()
        ):
            continue
        row: dict[str, Any] = {"investor_id": cid, "sector": sector, "target": target}
        conn.execute(
            "INSERT INTO sector_target (investor_id, sector, target) VALUES (?, ?, ?)",
            tuple(row.values()),
        )
        audit.note(session, audit.Record("sector_target", f"{cid}/{sector}", None, row))
        summary.targets_set += 1
    milestones = entry.get("milestones") or []
    if not isinstance(milestones, list):
        yield "milestones: must be a list of {by, reported, what, source}"
        milestones = []
    for item in milestones:
        try:
            if not isinstance(item, dict):
                raise InvalidInput(f"{item!r} is not a milestone ({{by, reported, what}})")
            by = parse_date(_entry_text(item, "by") or "")
            reported = _entry_target({"target": item.get("reported")})
            if reported is None:
                raise InvalidInput("reported: a whole number above zero is needed")
            what = _entry_text(item, "what") or "companies"
            source = _entry_text(item, "source")
        except InvalidInput as exc:
            yield f"milestones: {exc.message}"
            continue
        date, precision = by.start.isoformat(), by.precision.value
        if conn.execute(
            "SELECT 1 FROM milestone WHERE investor_id = ? AND date = ? AND date_precision = ? "
            "AND what = ?",
            (cid, date, precision, what),
        ).fetchone():
            continue
        row = {
            "investor_id": cid,
            "date": date,
            "date_precision": precision,
            "reported": reported,
            "what": what,
            "source": source,
            "note": None,
        }
        new_id = conn.insert(
            "INSERT INTO milestone (investor_id, date, date_precision, reported, what, source, "
            "note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            tuple(row.values()),
        )
        audit.note(session, audit.Record("milestone", str(new_id), None, {"id": new_id, **row}))
        summary.milestones_added += 1


def _marks(session: "Session", source: Source, summary: ImportSummary) -> None:
    """The export shape's marks (``marks: [{company, date, kind, valuation | price and
    shares, source, note}]``), after the stakes (a mark values a company someone holds):
    added as ``ecoport mark add`` adds them; one already stored on the date is kept."""
    from ecoport.errors import Conflict, EcoportError
    from ecoport.services.marks import MarkIn, add_mark

    for line, item in _mark_items(source):
        where = f"{source.path}:{line}" if line else str(source.path)
        try:
            if not isinstance(item, dict):
                raise InvalidInput(
                    f"{described(item)} is not a mark ({{company, date, kind, valuation}})"
                )
            kind = _entry_text(item, "kind") or "valuation"
            if kind not in ("valuation", "price", "write-down", "write-off"):
                raise InvalidInput(
                    f"kind: {kind!r} is not a kind of mark (valuation, price, write-down, "
                    "write-off)"
                )
            shares = _entry_text(item, "shares")
            if shares is not None and not re.fullmatch(r"\d{1,18}", shares.replace(",", "")):
                raise InvalidInput(f"shares: must be a whole number above zero, got {shares!r}")
            added = add_mark(
                session=session,
                mark=MarkIn(
                    company=_entry_text(item, "company") or "",
                    date=_entry_text(item, "date") or "",
                    valuation=_entry_text(item, "valuation"),
                    price=_entry_text(item, "price"),
                    shares=None if shares is None else int(shares.replace(",", "")),
                    write_down=kind == "write-down",
                    write_off=kind == "write-off",
                    source=_entry_text(item, "source"),
                    note=_entry_text(item, "note", multiline=True),
                ),
            )
        except Conflict:
            continue  # a mark of that company and date is stored already: it is kept
        except EcoportError as exc:
            field = getattr(exc, "field", None)
            summary.problems.append(f"{where}: marks: {f'{field}: ' if field else ''}{exc.message}")
            continue
        summary.marks_added += 1
        summary.warnings += [f"{where}: {w}" for w in added.warnings]


def _mark_items(source: Source) -> list[tuple[int, Any]]:
    """The ``marks`` list of a JSON or YAML source in the export shape, with each entry's
    line (0 when unknown), as the source's reader parsed it with the rest of the file: a
    source of no marks (a CSV file, an article's drafts) has none."""
    return list(source.marks or ())


def _entry_text(entry: dict[str, Any], key: str, *, multiline: bool = False) -> str | None:
    """A company entry's text value in the normal form, None when absent; InvalidInput
    naming the key for a value that is not text (true, an object, a list) or cannot be
    stored (a control character)."""
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInput(f"{key}: expected text, got {described(value)}")
    try:
        return clean_text(str(value), multiline=multiline) or None
    except InvalidInput as exc:
        raise InvalidInput(f"{key}: {exc.message}") from None


def _entry_target(entry: dict[str, Any]) -> int | None:
    """A company entry's target: a whole number above zero (as a number or as text)."""
    value = entry.get("target")
    if value is None:
        return None
    text_ = str(value).strip() if isinstance(value, str | int) else ""
    if isinstance(value, bool) or not re.fullmatch(r"\+?\d{1,9}", text_) or int(text_) <= 0:
        raise InvalidInput(f"target: must be a whole number above zero, got {value!r}")
    return int(text_)


class RejectsFile:
    """Rejected rows with their line and reasons, in the source's own shape, ready to be
    fixed and imported again with the same options (ecoport ignores the two added columns)."""

    def __init__(self, path: "Path", source: Source, *, spell: Callable[[str], str] = str) -> None:
        """*spell* writes a reason's option names as the caller's users type them."""
        self.path, self.source, self.count, self.spell = path, source, 0, spell
        self.items: list[dict[str, Any]] = []
        self.out: IO[str] | None = None
        if source.format is FileFormat.csv:
            import csv

            # a byte the file's encoding could not read goes back out as it came in
            self.out = path.open("w", encoding="utf-8", newline="", errors="surrogateescape")
            self.writer = csv.writer(self.out, lineterminator="\n")
            self.writer.writerow([*source.header, *REJECT_COLUMNS])

    def write(self, row: Row, reasons: list[str]) -> None:
        self.count += 1
        line, why = row.line, self.spell("; ".join(reasons))
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
        # a lone surrogate (a JSON "\\ud800") is written as the escape it was read from
        with self.path.open("w", encoding="utf-8", errors="backslashreplace") as out:
            if self.source.format is FileFormat.json:
                import json

                json.dump(self.items, out, indent=2, ensure_ascii=False, default=str)
                out.write("\n")
            else:
                import yaml

                yaml.safe_dump(self.items, out, sort_keys=False, allow_unicode=True)
