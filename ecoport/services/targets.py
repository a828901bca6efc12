"""Investors' targets: how many distinct companies each one aims to hold stakes in."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecoport.core.text import brief
from ecoport.errors import InvalidInput, NotFound
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

    def as_dict(self) -> dict[str, object]:
        return {
            "investor": self.investor,
            "target": self.target,
            "note": self.note,
            "source": self.source,
        }


def list_targets(reader: Reader, *, investor: str | None = None) -> list[TargetRow]:
    """The targets set, by investor name (one investor's when *investor* is given)."""
    where, params = "", {}
    if investor is not None:
        where = " WHERE t.investor_id = :id"
        params["id"] = require_company(reader, investor, field="investor").id
    rows = reader.rows(
        "SELECT c.name, t.target, t.note, t.source FROM target t "
        f"JOIN company c ON c.id = t.investor_id{where} ORDER BY c.name, c.id",
        params,
    )
    return [TargetRow(name, int(target), note, source) for name, target, note, source in rows]


def set_target(*, session: "Session", investor: str, target: int) -> tuple[str, int | None]:
    """Set an investor's target count; returns the investor's name and the previous target."""
    from ecoport.store.models import Target

    if not 0 < target <= MAX_TARGET:
        raise InvalidInput(
            f"must be a whole number from 1 to {MAX_TARGET:,} (got {brief(str(target))})",
            where="TARGET",
        )
    company = require_company(SessionReader(session), investor, field="investor")
    row = session.get(Target, company.id)
    previous = None if row is None else row.target
    if row is None:
        row = Target(investor_id=company.id, target=target)
    row.target = target
    session.add(row)
    return company.name, previous


def unset_target(*, session: "Session", investor: str) -> tuple[str, int]:
    """Remove an investor's target (progress counts toward 100 again); returns the investor's
    name and the target removed."""
    from ecoport.store.models import Target

    company = require_company(SessionReader(session), investor, field="investor")
    row = session.get(Target, company.id)
    if row is None:
        raise NotFound(f"{company.name} has no target (progress counts toward {DEFAULT_TARGET})")
    session.delete(row)
    session.flush()
    return company.name, row.target
