"""Add, edit and remove stakes; find or create the companies they name."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ecoport.core.dates import PartialDate
from ecoport.core.money import Money, to_minor
from ecoport.core.names import clean_name, name_key, near_duplicates
from ecoport.core.ownership import Kind
from ecoport.core.percent import to_micro
from ecoport.core.sectors import within
from ecoport.errors import Conflict, InvalidInput, NotFound
from ecoport.services.lookup import all_spellings, find_company, get_stake, require_company
from ecoport.store.db import SessionReader

if TYPE_CHECKING:
    from sqlmodel import Session

    from ecoport.store.models import Company


@dataclass(frozen=True, slots=True)
class StakeCreate:
    """A new stake, its values already parsed and checked by ecoport.core."""

    investor: str
    startup: str
    date: PartialDate
    kind: Kind = Kind.INVESTMENT
    sector: str | None = None
    amount: Money | None = None
    percent: Decimal | None = None
    round: str | None = None
    source: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AddOptions:
    new_company: bool = False
    """Create a company even when its name is close to an existing one."""
    change_sector: bool = False
    """Move an existing startup to the given sector."""


@dataclass(slots=True)
class AddResult:
    stake: dict[str, Any]
    created: list[str] = field(default_factory=list)
    """Names of the companies created for this stake."""
    resolved: dict[str, str] = field(default_factory=dict)
    """Names typed that were aliases, mapped to the company they stand for."""
    sector_changed: tuple[str, str | None, str] | None = None


@dataclass(frozen=True, slots=True)
class StakeUpdate:
    """Changes to a stake; None leaves a field alone, ``clear`` empties optional fields."""

    investor: str | None = None
    startup: str | None = None
    date: PartialDate | None = None
    kind: Kind | None = None
    amount: str | None = None
    """As written (``1.27bn``, ``$300m``); without a currency, the stake's own applies."""
    currency: str | None = None
    symbols: dict[str, str] | None = None
    percent: Decimal | None = None
    round: str | None = None
    source: str | None = None
    note: str | None = None
    clear: frozenset[str] = frozenset()


CLEARABLE = ("amount", "percent", "round", "source", "note")


def resolve_or_create(
    session: "Session",
    name: str,
    *,
    option: str,
    sector: str | None,
    new_company: bool,
    result: AddResult,
) -> "Company":
    """The company called *name*; created when new unless it looks like a typo of another."""
    from ecoport.store.models import Company

    reader = SessionReader(session)
    found = find_company(reader, name)
    if found is not None:
        if name_key(found.name) != name_key(name):
            result.resolved[clean_name(name)] = found.name
        company = session.get(Company, found.id)
        assert company is not None
        return company
    cleaned = clean_name(name)
    if not new_company:
        close = near_duplicates(cleaned, all_spellings(reader))
        if close:
            raise Conflict(
                f"{cleaned!r} is not a company yet but looks like "
                f"{', '.join(repr(c) for c in close[:3])}; use the existing name, "
                "or pass --new-company to create it",
                where=option,
            )
    company = Company(name=cleaned, name_key=name_key(cleaned), sector=sector)
    session.add(company)
    session.flush()
    result.created.append(cleaned)
    return company


def add_stake(
    *, session: "Session", stake_in: StakeCreate, options: AddOptions = AddOptions()
) -> AddResult:
    """Store one stake, creating its investor and startup when new. One transaction."""
    from ecoport.store.models import Stake

    result = AddResult(stake={})
    investor = resolve_or_create(
        session,
        stake_in.investor,
        option="--investor",
        sector=None,
        new_company=options.new_company,
        result=result,
    )
    is_new_startup = find_company(SessionReader(session), stake_in.startup) is None
    if is_new_startup and stake_in.sector is None:
        raise InvalidInput(
            f"{clean_name(stake_in.startup)!r} is a new company: give its sector "
            "(for example --sector iot/wearables)",
            where="--sector",
        )
    startup = resolve_or_create(
        session,
        stake_in.startup,
        option="--startup",
        sector=stake_in.sector,
        new_company=options.new_company,
        result=result,
    )
    if startup.id == investor.id:
        raise InvalidInput(f"{startup.name} cannot hold a stake in itself", where="--startup")
    if not is_new_startup:
        _agree_sector(startup, stake_in.sector, options.change_sector, result)
    assert investor.id is not None and startup.id is not None
    stake = Stake(
        investor_id=investor.id,
        company_id=startup.id,
        kind=stake_in.kind.value,
        date=stake_in.date.start.isoformat(),
        date_precision=stake_in.date.precision.value,
        amount_minor=None
        if stake_in.amount is None
        else to_minor(stake_in.amount.amount, stake_in.amount.currency),
        currency=None if stake_in.amount is None else stake_in.amount.currency,
        percent_micro=None if stake_in.percent is None else to_micro(stake_in.percent),
        round=stake_in.round,
        source=stake_in.source,
        note=stake_in.note,
    )
    session.add(stake)
    session.flush()
    assert stake.id is not None
    result.stake = get_stake(SessionReader(session), stake.id)
    return result


def _agree_sector(company: "Company", sector: str | None, change: bool, result: AddResult) -> None:
    if sector is None or (company.sector is not None and within(company.sector, sector)):
        return
    if company.sector is not None and not change:
        raise Conflict(
            f"{company.name} is in sector {company.sector}, not {sector}; "
            "pass --change-sector to move it",
            where="--sector",
        )
    result.sector_changed = (company.name, company.sector, sector)
    company.sector = sector


def edit_stake(*, session: "Session", stake_id: int, update: StakeUpdate) -> dict[str, Any]:
    """Change a stake's fields; returns it as stored."""
    from ecoport.store.models import Stake

    stake = session.get(Stake, stake_id)
    if stake is None:
        raise NotFound(f"no stake with ID {stake_id}")
    reader = SessionReader(session)
    if update.investor is not None:
        stake.investor_id = require_company(reader, update.investor, where="--investor").id
    if update.startup is not None:
        stake.company_id = require_company(reader, update.startup, where="--startup").id
    if stake.investor_id == stake.company_id:
        raise InvalidInput("a company cannot hold a stake in itself", where="--startup")
    if update.date is not None:
        stake.date = update.date.start.isoformat()
        stake.date_precision = update.date.precision.value
    if update.kind is not None:
        stake.kind = update.kind.value
    _edit_amount(stake, update)
    if update.percent is not None:
        stake.percent_micro = to_micro(update.percent)
    for name in ("round", "source", "note"):
        value = getattr(update, name)
        if value is not None:
            setattr(stake, name, value)
    for name in update.clear:
        if name == "amount":
            stake.amount_minor, stake.currency = None, None
        elif name == "percent":
            stake.percent_micro = None
        else:
            setattr(stake, name, None)
    session.add(stake)
    session.flush()
    return get_stake(reader, stake_id)


def _edit_amount(stake: Any, update: StakeUpdate) -> None:
    from ecoport.core.money import from_minor, parse_money

    if update.amount is None and update.currency is None:
        return
    if update.amount is not None:
        try:
            try:
                money = parse_money(
                    update.amount, currency=update.currency, defaults=update.symbols
                )
            except InvalidInput as exc:
                if "has no currency" not in exc.message or stake.currency is None:
                    raise
                money = parse_money(update.amount, currency=stake.currency)
        except InvalidInput as exc:
            raise replace_where(exc, "--amount") from None
        amount, currency = money.amount, money.currency
    elif stake.amount_minor is not None and update.currency is not None:
        amount, currency = from_minor(stake.amount_minor, stake.currency), update.currency
    else:
        raise InvalidInput("this stake has no amount to give a currency to", where="--currency")
    try:
        stake.amount_minor = to_minor(amount, currency)
    except InvalidInput as exc:
        raise replace_where(exc, "--amount") from None
    stake.currency = currency


def replace_where(exc: InvalidInput, where: str) -> InvalidInput:
    return InvalidInput(exc.message, where=where)


def remove_stake(*, session: "Session", stake_id: int) -> dict[str, Any]:
    """Delete a stake; returns it as it was."""
    from ecoport.store.models import Stake

    stake = session.get(Stake, stake_id)
    if stake is None:
        raise NotFound(f"no stake with ID {stake_id}")
    before = get_stake(SessionReader(session), stake_id)
    session.delete(stake)
    session.flush()
    return before


def set_target(*, session: "Session", investor: str, target: int) -> tuple[str, int | None]:
    """Set an investor's target count; returns the investor's name and the previous target."""
    from ecoport.store.models import Target

    if target <= 0:
        raise InvalidInput(f"must be a positive whole number (got {target})", where="TARGET")
    company = require_company(SessionReader(session), investor, where="--investor")
    row = session.get(Target, company.id)
    previous = None if row is None else row.target
    if row is None:
        row = Target(investor_id=company.id, target=target)
    row.target = target
    session.add(row)
    return company.name, previous
