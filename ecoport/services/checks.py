"""ecoport db check: the database's own integrity, and ecoport's rules on the data."""

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any, ClassVar

from ecoport.core.ownership import Kind
from ecoport.core.percent import from_micro
from ecoport.store.db import Location, Reader

#: Rows that point at nothing: (what, query returning a description per orphan, in ID order).
ORPHANS = (
    (
        "stake {0}: investor {1} does not exist",
        "SELECT s.id, s.investor_id FROM stake s LEFT JOIN company c ON c.id = s.investor_id "
        "WHERE c.id IS NULL ORDER BY s.id",
    ),
    (
        "stake {0}: company {1} does not exist",
        "SELECT s.id, s.company_id FROM stake s LEFT JOIN company c ON c.id = s.company_id "
        "WHERE c.id IS NULL ORDER BY s.id",
    ),
    (
        "alias {0}: company {1} does not exist",
        "SELECT a.alias, a.company_id FROM company_alias a LEFT JOIN company c "
        "ON c.id = a.company_id WHERE c.id IS NULL ORDER BY a.id",
    ),
    (
        "target of investor {0}: the company does not exist",
        "SELECT t.investor_id, NULL FROM target t LEFT JOIN company c ON c.id = t.investor_id "
        "WHERE c.id IS NULL ORDER BY t.investor_id",
    ),
    (
        "stake {0}: round {1} does not exist",
        "SELECT s.id, s.round_id FROM stake s LEFT JOIN funding_round r ON r.id = s.round_id "
        "WHERE s.round_id IS NOT NULL AND r.id IS NULL ORDER BY s.id",
    ),
    (
        "round {0}: company {1} does not exist",
        "SELECT r.id, r.company_id FROM funding_round r LEFT JOIN company c "
        "ON c.id = r.company_id WHERE c.id IS NULL ORDER BY r.id",
    ),
    (
        "round {0}: its total is less than stake {1}'s own amount",
        "SELECT r.id, s.id FROM funding_round r JOIN stake s ON s.round_id = r.id "
        "AND s.currency = r.currency WHERE r.total_minor < s.amount_minor ORDER BY r.id, s.id",
    ),
    (
        "stake {0}: in round {1} of another company",
        "SELECT s.id, r.id FROM stake s JOIN funding_round r ON r.id = s.round_id "
        "WHERE r.company_id <> s.company_id ORDER BY s.id",
    ),
    (
        "audit record {0}: change {1} does not exist",
        "SELECT r.id, r.change_id FROM change_record r LEFT JOIN change c ON c.id = r.change_id "
        "WHERE c.id IS NULL ORDER BY r.id",
    ),
)


def storage_problems(location: Location) -> list[str]:
    """SQLite's own checks: the file's structure and its foreign keys."""
    if not location.is_sqlite:
        return []  # PostgreSQL enforces its foreign keys; the rules below still run
    import sqlite3

    from ecoport.store.db import sqlite_uri

    conn = sqlite3.connect(sqlite_uri(location.path, "ro"), uri=True)
    try:
        problems = [
            f"integrity: {r[0]}" for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"
        ]
        problems += [
            f"foreign key: {table} row {rowid} points at a missing {parent}"
            for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check")
        ]
        return problems
    except sqlite3.DatabaseError as exc:
        return [f"integrity: {exc}"]
    finally:
        conn.close()


def rule_problems(reader: Reader) -> list[str]:
    """ecoport's rules: no orphans, no company holding itself, holdings at most 100 %."""
    problems: list[str] = []
    for message, sql in ORPHANS:
        problems += [message.format(a, b) for a, b in reader.rows(sql)]
    problems += [
        f"stake {sid}: {name} holds a stake in itself"
        for sid, name in reader.rows(
            "SELECT s.id, c.name FROM stake s JOIN company c ON c.id = s.investor_id "
            "WHERE s.investor_id = s.company_id ORDER BY s.id"
        )
    ]
    problems += list(_overheld(reader))
    return problems


def _overheld(reader: Reader) -> Iterator[str]:
    """Companies whose holders' least positions add up to more than 100 % on a date."""
    from ecoport.core.positions import Round, overheld

    rows = reader.stream(
        "SELECT s.company_id, c.name, s.date, s.date_precision, s.investor_id, s.kind, "
        "s.percent_micro, s.round_id "
        "FROM stake s JOIN company c ON c.id = s.company_id "
        "WHERE s.company_id IN (SELECT company_id FROM stake "
        "    WHERE percent_micro IS NOT NULL OR kind IN ('acquisition', 'holding')) "
        "ORDER BY s.company_id, s.date, s.date_precision DESC, s.id"
    )
    rounds: dict[int, list[Round]] = {}
    for cid, *fields in reader.rows(
        "SELECT company_id, id, date, date_precision, total_minor, valuation_minor "
        "FROM funding_round WHERE total_minor IS NOT NULL AND valuation_minor IS NOT NULL"
    ):
        rounds.setdefault(cid, []).append(Round(*fields))
    for (cid, name), events in groupby(rows, key=lambda r: (r[0], r[1])):
        folded = [
            (d, prec, inv, Kind(kind), None if micro is None else from_micro(micro), rnd, n)
            for n, (_c, _n, d, prec, inv, kind, micro, rnd) in enumerate(events)
        ]
        for date, total in overheld(folded, rounds.get(cid, ())):
            shown = f"{total.normalize():f}" if total != total.to_integral() else f"{total:.0f}"
            yield f"{name}: its holders' stakes add up to {shown}% on {date} (at most 100%)"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What `db check` found: the database (its password masked), how many stakes it
    holds and every problem, one sentence each."""

    database: str
    stakes: int
    problems: tuple[str, ...]

    csv_fields: ClassVar[tuple[str, ...]] = ("problem",)

    def to_json(self) -> dict[str, Any]:
        return {"database": self.database, "stakes": self.stakes, "problems": list(self.problems)}

    def csv_rows(self) -> Iterator[dict[str, str]]:
        return ({"problem": p} for p in self.problems)


def check_database(location: Location) -> CheckResult:
    """Every problem found (see README: db check)."""
    from ecoport.store.db import reading

    problems = storage_problems(location)
    with reading(location) as reader:
        problems += rule_problems(reader)
        (stakes,) = reader.rows("SELECT COUNT(*) FROM stake")[0]
    return CheckResult(database=str(location), stakes=stakes, problems=tuple(problems))


STATUS_FIELDS = ("database", "origin", "backend", "revision", "head", "state", "current")


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    """Where the database is (its password masked), which backend, its schema revision
    against the one this version reads, and so whether it is current (`db status`)."""

    database: str
    origin: str
    """Where the location came from: an option or a variable (the CLI spells it)."""
    backend: str
    revision: str | None
    head: str
    state: str

    csv_fields: ClassVar[tuple[str, ...]] = STATUS_FIELDS

    @property
    def current(self) -> bool:
        return self.state == "current"

    def to_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "origin": self.origin,
            "backend": self.backend,
            "revision": self.revision,
            "head": self.head,
            "state": self.state,
            "current": self.current,
        }

    def csv_rows(self) -> list[dict[str, Any]]:
        return [self.to_json()]


def database_status(location: Location, origin: str) -> DatabaseStatus:
    """Cheap: reads the revision without loading the migrations."""
    from ecoport.store.db import SCHEMA_REVISION
    from ecoport.store.db import status as read_status

    state, revision = read_status(location)
    return DatabaseStatus(
        database=str(location),
        origin=origin,
        backend="sqlite" if location.is_sqlite else "postgresql",
        revision=revision,
        head=SCHEMA_REVISION,
        state=state.value,
    )
