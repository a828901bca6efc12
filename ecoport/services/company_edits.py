"""Changing companies: rename, merge one into another, aliases, sector/note/source, remove.

Every change goes through the ORM, so the audit trail records each row before and after and
``ecoport undo`` reverts it.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecoport.core.names import clean_name, match_key, name_key
from ecoport.core.text import clean_text
from ecoport.errors import Conflict, FieldError, InvalidInput, NotFound
from ecoport.services.lookup import CompanyRef, find_company, require_company
from ecoport.store.db import SessionReader

if TYPE_CHECKING:
    from sqlmodel import Session

    from ecoport.store.models import Company


def _company(session: "Session", name: str, *, field: str) -> "Company":
    from ecoport.store.models import Company

    ref = require_company(SessionReader(session), name, where=field)
    company = session.get(Company, ref.id)
    assert company is not None
    return company


def _holder_of(session: "Session", name: str) -> CompanyRef | None:
    """The company that *name* (a name, alias or other spelling) already stands for."""
    return find_company(SessionReader(session), name)


def _new_name(text: str, *, where: str) -> str:
    """clean_name's, its refusal naming the argument that gave the name."""
    try:
        return clean_name(text)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, where=where) from None


def rename_company(*, session: "Session", old: str, new: str) -> tuple[str, str]:
    """Give a company a new name; the old name stays an alias. Returns (old, new)."""
    from ecoport.store.models import CompanyAlias

    company = _company(session, old, field="OLD")
    cleaned = _new_name(new, where="NEW")
    taken = _holder_of(session, cleaned)
    if taken is not None and taken.id != company.id:
        raise Conflict(
            f"{cleaned!r} already names another company, {taken.name!r}; to make them one, merge: "
            f"ecoport companies merge {company.name!r} {{option:into}} {taken.name!r}",
            where="NEW",
        )
    before = company.name
    if name_key(before) == name_key(cleaned) and before == cleaned:
        raise InvalidInput(f"{before!r} is already called so", where="NEW")
    # the new name may have been an alias of this company: it is the name now
    for alias in _aliases(session, company.id):
        if alias.alias_key == name_key(cleaned):
            session.delete(alias)
    session.flush()
    company.name, company.name_key, company.match_key = (
        cleaned,
        name_key(cleaned),
        match_key(cleaned),
    )
    session.add(company)
    session.flush()
    if name_key(before) != name_key(cleaned):
        assert company.id is not None
        session.add(
            CompanyAlias(
                company_id=company.id,
                alias=before,
                alias_key=name_key(before),
                match_key=match_key(before),
            )
        )
        session.flush()
    return before, cleaned


def _aliases(session: "Session", company_id: int | None) -> list["CompanyAliasT"]:
    from sqlmodel import select

    from ecoport.store.models import CompanyAlias

    return list(session.exec(select(CompanyAlias).where(CompanyAlias.company_id == company_id)))


if TYPE_CHECKING:
    from ecoport.store.models import CompanyAlias as CompanyAliasT


@dataclass(frozen=True, slots=True)
class MergeResult:
    source: str
    into: str
    stakes: int
    rounds: int
    aliases: int
    target: str
    """"moved", "kept" (the company merged into had its own) or "none"."""
    marks: int = 0


def merge_companies(*, session: "Session", source: str, into: str) -> MergeResult:
    """Move everything of *source* to *into* (stakes on both sides, rounds, marks, aliases,
    its target), make *source*'s name an alias of *into*, and remove *source*. Refused when
    both have a mark of the same date (one must go first)."""
    from sqlmodel import col, or_, select

    from ecoport.store.models import CompanyAlias, FundingRound, Mark, Stake, Target

    src = _company(session, source, field="SOURCE")
    dst = _company(session, into, field="into")
    if src.id == dst.id:
        raise InvalidInput(f"{src.name!r} and {into!r} are one company already", field="into")
    stakes = list(
        session.exec(
            select(Stake).where(
                or_(col(Stake.investor_id) == src.id, col(Stake.company_id) == src.id)
            )
        )
    )
    for stake in stakes:
        other = stake.company_id if stake.investor_id == src.id else stake.investor_id
        if other == dst.id:
            raise Conflict(
                f"stake {stake.id} is between {src.name} and {dst.name}: merged, "
                f"{dst.name} would hold a stake in itself; remove or edit that stake first",
                field="into",
            )
    marks = list(session.exec(select(Mark).where(Mark.company_id == src.id)))
    _no_mark_clash(session, marks, src, dst)
    assert dst.id is not None and src.id is not None
    for mark in marks:
        mark.company_id = dst.id
        session.add(mark)
    for stake in stakes:
        if stake.investor_id == src.id:
            stake.investor_id = dst.id
        if stake.company_id == src.id:
            stake.company_id = dst.id
        session.add(stake)
    rounds = list(session.exec(select(FundingRound).where(FundingRound.company_id == src.id)))
    _merge_rounds(session, rounds, dst.id, stakes)
    aliases = _aliases(session, src.id)
    for alias in aliases:
        alias.company_id = dst.id
        session.add(alias)
    target_state = "none"
    target = session.get(Target, src.id)
    if target is not None:
        if session.get(Target, dst.id) is None:
            session.add(
                Target(
                    investor_id=dst.id, target=target.target, note=target.note, source=target.source
                )
            )
            target_state = "moved"
        else:
            target_state = "kept"
        session.delete(target)
    if dst.sector is None and src.sector is not None:
        dst.sector = src.sector
        session.add(dst)
    session.flush()
    name = src.name
    session.delete(src)
    session.flush()
    session.add(
        CompanyAlias(
            company_id=dst.id, alias=name, alias_key=name_key(name), match_key=match_key(name)
        )
    )
    session.flush()
    return MergeResult(
        name, dst.name, len(stakes), len(rounds), len(aliases), target_state, len(marks)
    )


def _no_mark_clash(
    session: "Session", marks: list["MarkT"], src: "Company", dst: "Company"
) -> None:
    """Refuse a merge that would give *dst* two marks of one date (and precision)."""
    from sqlmodel import select

    from ecoport.core.dates import PartialDate
    from ecoport.store.models import Mark

    if not marks:
        return
    own = {
        (m.date, m.date_precision): m.id
        for m in session.exec(select(Mark).where(Mark.company_id == dst.id))
    }
    for mark in sorted(marks, key=lambda m: (m.date, m.date_precision, m.id or 0)):
        other = own.get((mark.date, mark.date_precision))
        if other is not None:
            when = PartialDate.from_stored(mark.date, mark.date_precision)
            raise Conflict(
                f"{src.name} and {dst.name} both have a mark on {when} (marks {mark.id} and "
                f"{other}): merged, {dst.name} would have two; remove one first "
                f"({{command:marks remove {mark.id}}})",
                field="into",
            )


if TYPE_CHECKING:
    from ecoport.store.models import Mark as MarkT


def _merge_rounds(
    session: "Session", rounds: list["FundingRoundT"], into: int, stakes: list["StakeT"]
) -> None:
    """Move *rounds* to company *into*; one that is a round *into* has already (the same
    round reported under both names) is folded into it: its stakes join the kept round."""
    from ecoport.core.identity import RoundKey, best_round
    from ecoport.services.rounds import candidates
    from ecoport.store.models import FundingRound

    kept = [(rid, key) for rid, key, _ in candidates(SessionReader(session), into)]
    for round_ in rounds:
        key = RoundKey(
            into,
            round_.date,
            round_.date_precision,
            round_.name,
            round_.total_minor,
            round_.currency,
        )
        same = best_round(key, kept)
        if same is None:
            round_.company_id = into
            session.add(round_)
            continue
        target = session.get(FundingRound, same)
        assert target is not None
        rank = {"year": 0, "month": 1, "day": 2}
        if rank[round_.date_precision] > rank[target.date_precision]:
            target.date, target.date_precision = round_.date, round_.date_precision
        for field in ("name", "source", "note"):
            if getattr(target, field) is None:
                setattr(target, field, getattr(round_, field))
        if target.currency in (None, round_.currency):
            for field in ("total_minor", "valuation_minor"):
                if getattr(target, field) is None and getattr(round_, field) is not None:
                    setattr(target, field, getattr(round_, field))
                    target.currency = round_.currency
        session.add(target)
        for stake in stakes:
            if stake.round_id == round_.id:
                stake.round_id = same
                session.add(stake)
        session.flush()
        session.delete(round_)
    session.flush()


if TYPE_CHECKING:
    from ecoport.store.models import FundingRound as FundingRoundT
    from ecoport.store.models import Stake as StakeT


def add_alias(*, session: "Session", company: str, alias: str) -> tuple[str, str]:
    """Let *alias* name *company*. Returns (company, alias)."""
    from ecoport.store.models import CompanyAlias

    target = _company(session, company, field="NAME")
    cleaned = _new_name(alias, where="ALIAS")
    exact = SessionReader(session).rows(
        "SELECT c.name FROM company c WHERE c.name_key = :k UNION ALL "
        "SELECT c.name FROM company_alias a JOIN company c ON c.id = a.company_id "
        "WHERE a.alias_key = :k",
        {"k": name_key(cleaned)},
    )
    if exact:
        owner = exact[0][0]
        if owner == target.name:
            raise InvalidInput(f"{cleaned!r} already names {owner}", where="ALIAS")
        raise Conflict(
            f"{cleaned!r} already names another company, {owner!r}; "
            f"to make them one company, merge them",
            where="ALIAS",
        )
    assert target.id is not None
    session.add(
        CompanyAlias(
            company_id=target.id,
            alias=cleaned,
            alias_key=name_key(cleaned),
            match_key=match_key(cleaned),
        )
    )
    session.flush()
    return target.name, cleaned


def remove_alias(*, session: "Session", alias: str) -> tuple[str, str]:
    """Forget an alias. Returns (company, alias)."""
    from sqlmodel import select

    from ecoport.store.models import Company, CompanyAlias

    found = session.exec(
        select(CompanyAlias).where(CompanyAlias.alias_key == name_key(alias))
    ).first()
    if found is None:
        raise NotFound(f"{alias!r} is not an alias of any company", where="ALIAS")
    company = session.get(Company, found.company_id)
    assert company is not None
    name = found.alias
    session.delete(found)
    session.flush()
    return company.name, name


def edit_company(
    *,
    session: "Session",
    name: str,
    sector: str | None = None,
    note: str | None = None,
    source: str | None = None,
    clear: frozenset[str] = frozenset(),
) -> dict[str, str | None]:
    """Change a company's sector, note or source; returns them as stored."""
    from ecoport.core.sectors import normalize_sector

    company = _company(session, name, field="NAME")
    for field in clear:
        if field not in ("sector", "note", "source"):
            raise FieldError("clear", f"cannot clear {field!r} (choose from sector, note, source)")
        setattr(company, field, None)
    if sector is not None:
        try:
            company.sector = normalize_sector(sector)
        except InvalidInput as exc:
            raise FieldError("sector", exc.message) from None
    for field, value in (("note", note), ("source", source)):
        if value is not None:
            try:
                setattr(company, field, clean_text(value, multiline=field == "note") or None)
            except InvalidInput as exc:
                raise FieldError(field, exc.message) from None
    session.add(company)
    session.flush()
    return {
        "name": company.name,
        "sector": company.sector,
        "note": company.note,
        "source": company.source,
    }


def remove_company(*, session: "Session", name: str) -> str:
    """Remove a company that no stake, round or mark refers to (its aliases and target go
    too)."""
    from sqlmodel import select

    from ecoport.store.models import Target

    company = _company(session, name, field="NAME")
    used = SessionReader(session).rows(
        "SELECT (SELECT COUNT(*) FROM stake WHERE investor_id = :c OR company_id = :c), "
        "(SELECT COUNT(*) FROM funding_round WHERE company_id = :c)",
        {"c": company.id},
    )[0]
    if used[0] or used[1]:
        raise Conflict(
            f"{company.name} is named by {used[0]} stake{'s' * (used[0] != 1)} and "
            f"{used[1]} round{'s' * (used[1] != 1)}; remove those first, or merge it into "
            "another company",
            where="NAME",
        )
    marks = SessionReader(session).rows(
        "SELECT id FROM mark WHERE company_id = :c ORDER BY date, id", {"c": company.id}
    )
    if marks:
        ids, s = ", ".join(str(r[0]) for r in marks), "s" * (len(marks) != 1)
        raise Conflict(
            f"{company.name} has {len(marks)} mark{s} (ID{s} {ids}); remove "
            f"{'them' if len(marks) != 1 else 'it'} first ({{command:marks remove "
            f"{marks[0][0]}}}), or merge it into another company",
            where="NAME",
        )
    for alias in _aliases(session, company.id):
        session.delete(alias)
    for target in session.exec(select(Target).where(Target.investor_id == company.id)):
        session.delete(target)
    session.flush()
    removed = company.name
    session.delete(company)
    session.flush()
    return removed
