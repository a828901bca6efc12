"""Investors' targets: how many distinct companies each one aims to hold stakes in."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ecoport.core.dates import PartialDate
from ecoport.core.text import brief
from ecoport.errors import Conflict, InvalidInput, NotFound
from ecoport.services.lookup import require_company
from ecoport.store.db import Reader, SessionReader

if TYPE_CHECKING:
    from sqlmodel import Session

#: The largest target: more companies than any portfolio holds, and within every backend's
#: integer.
MAX_TARGET = 1_000_000
#: What progress counts toward when an investor has no target.
DEFAULT_TARGET = 100


@dataclass(frozen=True, slots=True)
class TargetRow:
    investor: str
    target: int
    note: str | None
    source: str | None
    sector: str | None = None
    """None for the investor's whole portfolio; else the sector (and its sub-sectors)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "investor": self.investor,
            "sector": self.sector,
            "target": self.target,
            "note": self.note,
            "source": self.source,
        }


TARGET_FIELDS = ("investor", "sector", "target", "note", "source")


@dataclass(frozen=True, slots=True)
class Targets:
    """The targets set: each investor's, then its sectors' (`target list`)."""

    rows: tuple[TargetRow, ...]

    csv_fields: ClassVar[tuple[str, ...]] = TARGET_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {"targets": [row.as_dict() for row in self.rows]}

    def csv_rows(self) -> Iterator[dict[str, object]]:
        return (row.as_dict() for row in self.rows)


def list_targets(reader: Reader, *, investor: str | None = None) -> Targets:
    """The targets set, by investor name (one investor's when *investor* is given), each
    investor's whole-portfolio target before its sectors'."""
    where, params = "", {}
    if investor is not None:
        where = " WHERE t.investor_id = :id"
        params["id"] = require_company(reader, investor, field="investor").id
    rows = reader.rows(
        "SELECT c.name, c.id, NULL, t.target, t.note, t.source FROM target t "
        f"JOIN company c ON c.id = t.investor_id{where} "
        "UNION ALL "
        "SELECT c.name, c.id, t.sector, t.target, NULL, NULL FROM sector_target t "
        f"JOIN company c ON c.id = t.investor_id{where} ",
        params,
    )
    rows = sorted(rows, key=lambda r: (r[0], r[1], r[2] is not None, r[2] or ""))
    return Targets(
        tuple(
            TargetRow(name, int(target), note, source, sector)
            for name, _id, sector, target, note, source in rows
        )
    )


def sector_targets(reader: Reader, investor_id: int) -> dict[str, int]:
    """An investor's targets per sector: sector -> companies aimed for."""
    return {
        str(sector): int(target)
        for sector, target in reader.rows(
            "SELECT sector, target FROM sector_target WHERE investor_id = :id ORDER BY sector",
            {"id": investor_id},
        )
    }


def set_target(
    *, session: "Session", investor: str, target: int, sector: str | None = None
) -> tuple[str, int | None]:
    """Set an investor's target count (of one sector and its sub-sectors, when *sector* is
    given); returns the investor's name and the previous target."""
    from ecoport.store.models import SectorTarget, Target

    if not 0 < target <= MAX_TARGET:
        raise InvalidInput(
            f"must be a whole number from 1 to {MAX_TARGET:,} (got {brief(str(target))})",
            where="TARGET",
        )
    company = require_company(SessionReader(session), investor, field="investor")
    if sector is not None:
        path = _sector(sector)
        found = session.get(SectorTarget, (company.id, path))
        before = None if found is None else found.target
        found = found or SectorTarget(investor_id=company.id, sector=path, target=target)
        found.target = target
        session.add(found)
        return company.name, before
    row = session.get(Target, company.id)
    previous = None if row is None else row.target
    if row is None:
        row = Target(investor_id=company.id, target=target)
    row.target = target
    session.add(row)
    return company.name, previous


def _sector(text: str) -> str:
    from ecoport.core.sectors import normalize_sector

    try:
        return normalize_sector(text)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="sector") from None


def unset_target(
    *, session: "Session", investor: str, sector: str | None = None
) -> tuple[str, int]:
    """Remove an investor's target (progress counts toward 100 again), or one sector's;
    returns the investor's name and the target removed."""
    from ecoport.store.models import SectorTarget, Target

    company = require_company(SessionReader(session), investor, field="investor")
    if sector is not None:
        path = _sector(sector)
        found = session.get(SectorTarget, (company.id, path))
        if found is None:
            raise NotFound(f"{company.name} has no target for sector {path}", field="sector")
        session.delete(found)
        session.flush()
        return company.name, found.target
    row = session.get(Target, company.id)
    if row is None:
        raise NotFound(f"{company.name} has no target (progress counts toward {DEFAULT_TARGET})")
    session.delete(row)
    session.flush()
    return company.name, row.target


# -- milestones ---------------------------------------------------------------------------

#: The longest description of what a milestone counted.
MAX_WHAT = 200


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    """A count an investor reported toward its target by a date."""

    id: int
    investor: str
    by: PartialDate
    reported: int
    what: str
    source: str | None
    note: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "investor": self.investor,
            "by": str(self.by),
            "reported": self.reported,
            "what": self.what,
            "source": self.source,
            "note": self.note,
        }


MILESTONE_FIELDS = ("id", "investor", "by", "reported", "what", "source", "note")


@dataclass(frozen=True, slots=True)
class Milestones:
    """The milestones recorded (`target milestone list`)."""

    rows: tuple[MilestoneRow, ...]

    csv_fields: ClassVar[tuple[str, ...]] = MILESTONE_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {"milestones": [row.as_dict() for row in self.rows]}

    def csv_rows(self) -> Iterator[dict[str, object]]:
        return (row.as_dict() for row in self.rows)


def list_milestones(reader: Reader, *, investor: str | None = None) -> Milestones:
    """The milestones, by investor and date (one investor's when *investor* is given)."""
    where, params = "", {}
    if investor is not None:
        where = " WHERE m.investor_id = :id"
        params["id"] = require_company(reader, investor, field="investor").id
    rows = reader.rows(
        "SELECT m.id, c.name, m.date, m.date_precision, m.reported, m.what, m.source, m.note "
        f"FROM milestone m JOIN company c ON c.id = m.investor_id{where} "
        "ORDER BY c.name, c.id, m.date, m.date_precision, m.id",
        params,
    )
    return Milestones(
        tuple(
            MilestoneRow(mid, name, PartialDate.from_stored(d, p), int(n), what, source, note)
            for mid, name, d, p, n, what, source, note in rows
        )
    )


def add_milestone(
    *,
    session: "Session",
    investor: str,
    by: PartialDate,
    reported: int,
    what: str,
    source: str | None = None,
    note: str | None = None,
) -> MilestoneRow:
    """Record that *investor* reported *reported* companies (*what*) by the date *by*."""
    from ecoport.core.text import clean_text
    from ecoport.store.models import Milestone

    if not 0 < reported <= MAX_TARGET:
        raise InvalidInput(
            f"must be a whole number from 1 to {MAX_TARGET:,} (got {reported})", field="count"
        )
    what = clean_text(what)
    if not what:
        raise InvalidInput("is empty; say what was counted (startups, companies...)", field="what")
    if len(what) > MAX_WHAT:
        raise InvalidInput(f"has at most {MAX_WHAT} characters (got {len(what)})", field="what")
    company = require_company(SessionReader(session), investor, field="investor")
    date, precision = by.start.isoformat(), by.precision.value
    reader = SessionReader(session)
    if reader.rows(
        "SELECT 1 FROM milestone WHERE investor_id = :i AND date = :d AND date_precision = :p "
        "AND what = :w",
        {"i": company.id, "d": date, "p": precision, "w": what},
    ):
        raise Conflict(f"{company.name} already has a milestone of {what} by {by}")
    row = Milestone(
        investor_id=company.id,
        date=date,
        date_precision=precision,
        reported=reported,
        what=what,
        source=source,
        note=note,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return MilestoneRow(row.id, company.name, by, reported, what, source, note)


def remove_milestone(*, session: "Session", milestone_id: int) -> MilestoneRow:
    from ecoport.store.models import Milestone

    row = session.get(Milestone, milestone_id)
    if row is None:
        raise NotFound(f"no milestone with ID {milestone_id}", where="ID")
    (name,) = SessionReader(session).rows(
        "SELECT name FROM company WHERE id = :id", {"id": row.investor_id}
    )[0]
    removed = MilestoneRow(
        milestone_id,
        name,
        PartialDate.from_stored(row.date, row.date_precision),
        row.reported,
        row.what,
        row.source,
        row.note,
    )
    session.delete(row)
    session.flush()
    return removed
