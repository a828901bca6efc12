"""Add, edit and remove stakes; find or create the companies they name."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ecoport.core.dates import PartialDate
from ecoport.core.identity import StakeKey, best_match
from ecoport.core.money import Money, currency_code, from_minor, to_minor
from ecoport.core.names import clean_name, match_key, name_key, near_duplicates
from ecoport.core.ownership import Kind
from ecoport.core.percent import to_micro
from ecoport.core.sectors import within
from ecoport.errors import Conflict, FieldError, InvalidInput, NotFound
from ecoport.services.lookup import (
    all_spellings,
    find_company,
    get_stake,
    require_company,
)
from ecoport.services.shapes import STAKE_FIELDS
from ecoport.store.db import SessionReader

if TYPE_CHECKING:
    from sqlmodel import Session

    from ecoport.store.db import Reader
    from ecoport.store.models import Company, Stake


@dataclass(frozen=True, slots=True)
class StakeCreate:
    """A new stake, its values already parsed and checked (services.fields.parse_stake)."""

    investor: str
    startup: str
    date: PartialDate
    kind: Kind = Kind.INVESTMENT
    sector: str | None = None
    amount: Money | None = None
    """The investor's own cheque; None when undisclosed."""
    percent: Decimal | None = None
    round: str | None = None
    round_total: Money | None = None
    """The whole round's total (all participants), not the investor's cheque."""
    valuation: Money | None = None
    """The round's post-money valuation, as reported."""
    source: str | None = None
    note: str | None = None
    ref: str | None = None
    """A stable reference from the stake's source (the seed's keys)."""


@dataclass(frozen=True, slots=True)
class StakeFields:
    """Checked values of the fields given (an edit), any of them None when not given."""

    investor: str | None = None
    startup: str | None = None
    date: PartialDate | None = None
    kind: Kind | None = None
    sector: str | None = None
    amount: Money | None = None
    percent: Decimal | None = None
    round: str | None = None
    round_total: Money | None = None
    valuation: Money | None = None
    source: str | None = None
    note: str | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class AddOptions:
    new_company: bool = False
    """Create a company even when its name is close to an existing one."""
    change_sector: bool = False
    """Move an existing startup to the given sector."""
    allow_duplicate: bool = False
    """Store the stake even when a stored one records the same deal."""
    force: bool = False
    """Store a stake that breaks a holdings rule (holders over 100 %, a sale of nothing)
    because the source reports it; the broken rule is kept in the stake's note."""


@dataclass(slots=True)
class AddResult:
    stake: dict[str, Any]
    created: list[str] = field(default_factory=list)
    """Names of the companies created for this stake."""
    resolved: dict[str, str] = field(default_factory=dict)
    """Names typed that were aliases, mapped to the company they stand for."""
    sector_changed: tuple[str, str | None, str] | None = None
    round_created: bool = False

    csv_fields: ClassVar[tuple[str, ...]] = STAKE_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {"stake": self.stake, "created": self.created, "resolved": self.resolved}

    def csv_rows(self) -> list[dict[str, Any]]:
        return [self.stake]


CLEARABLE = ("amount", "percent", "round", "source", "note", "ref")


def resolve_or_create(
    session: "Session",
    name: str,
    *,
    field_name: str,
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
                "or pass {option:new_company} to create it",
                where="--" + field_name,
            )
    company = Company(
        name=cleaned, name_key=name_key(cleaned), match_key=match_key(cleaned), sector=sector
    )
    session.add(company)
    session.flush()
    result.created.append(cleaned)
    return company


def stake_key(stake: "Stake") -> StakeKey:
    return StakeKey(
        stake.investor_id,
        stake.company_id,
        stake.kind,
        stake.date,
        stake.date_precision,
        stake.amount_minor,
        stake.currency,
        stake.percent_micro,
        stake.round_id,
    )


def same_deal_as(session: "Session", key: StakeKey, *, besides: int | None = None) -> int | None:
    """The id of a stored stake that records the same deal as *key* (core.identity)."""
    rows = SessionReader(session).rows(
        "SELECT id, investor_id, company_id, kind, date, date_precision, amount_minor, "
        "currency, percent_micro, round_id FROM stake "
        "WHERE investor_id = :i AND company_id = :c AND kind = :k",
        {"i": key.investor_id, "c": key.company_id, "k": key.kind},
    )
    return best_match(key, [(r[0], StakeKey(*r[1:])) for r in rows if r[0] != besides])


def add_stake(
    *, session: "Session", stake_in: StakeCreate, options: AddOptions = AddOptions()
) -> AddResult:
    """Store one stake, creating its investor and startup when new. One transaction."""
    from ecoport.services.rounds import RoundIn, attach, check_cheques
    from ecoport.store.models import Stake

    result = AddResult(stake={})
    investor = resolve_or_create(
        session,
        stake_in.investor,
        field_name="investor",
        sector=None,
        new_company=options.new_company,
        result=result,
    )
    is_new_startup = find_company(SessionReader(session), stake_in.startup) is None
    if is_new_startup and stake_in.sector is None:
        raise InvalidInput(
            f"{clean_name(stake_in.startup)!r} is a new company: give its sector "
            "(for example {option:sector} iot/wearables)",
            field="sector",
        )
    startup = resolve_or_create(
        session,
        stake_in.startup,
        field_name="startup",
        sector=stake_in.sector,
        new_company=options.new_company,
        result=result,
    )
    if startup.id == investor.id:
        raise InvalidInput(f"{startup.name} cannot hold a stake in itself", field="startup")
    if not is_new_startup:
        _agree_sector(startup, stake_in.sector, options.change_sector, result)
    assert investor.id is not None and startup.id is not None
    round_id = None
    round_in = RoundIn(
        startup.id,
        stake_in.date,
        stake_in.round,
        stake_in.round_total,
        stake_in.valuation,
        stake_in.source,
    )
    if round_in.given:
        round_id, result.round_created = attach(session, round_in)
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
        round_id=round_id,
        ref=stake_in.ref,
        source=stake_in.source,
        note=stake_in.note,
    )
    if stake_in.ref is not None:
        taken = SessionReader(session).rows(
            "SELECT id FROM stake WHERE ref = :ref", {"ref": stake_in.ref}
        )
        if taken:
            raise Conflict(f"stake {taken[0][0]} has the reference {stake_in.ref!r}", field="ref")
    if not options.allow_duplicate:
        same = same_deal_as(session, stake_key(stake))
        if same is not None:
            raise Conflict(
                f"stake {same} already records this deal "
                f"(see {{command:stakes show {same}}}; "
                f"change it with {{command:stakes edit {same}}}); "
                "pass {option:allow_duplicate} to store a second one"
            )
    session.add(stake)
    session.flush()
    assert stake.id is not None
    if round_id is not None:
        check_cheques(SessionReader(session), round_id)
    _refuse_or_force(
        session, stake, holdings_problem(SessionReader(session), stake.id), force=options.force
    )
    result.stake = get_stake(SessionReader(session), stake.id)
    return result


def _refuse_or_force(
    session: "Session", stake: "Stake", broken: str | None, *, force: bool
) -> None:
    """Refuse a stake that breaks a holdings rule; with *force*, keep the reason in its note."""
    if broken is None:
        return
    if not force:
        raise Conflict(
            f"{broken}; pass {{option:force}} if the source reports it "
            "(the reason is kept in the note)"
        )
    forced = f"Stored although {broken} (forced: the source reports it)."
    stake.note = forced if not stake.note else f"{stake.note}\n{forced}"
    session.add(stake)
    session.flush()


#: A company's rounds that dilute (a total and a post-money valuation), as core Rounds.
_DILUTING = (
    "SELECT id, date, date_precision, total_minor, valuation_minor FROM funding_round "
    "WHERE company_id = :company AND total_minor IS NOT NULL AND valuation_minor IS NOT NULL"
)


def holdings_problem(reader: "Reader", stake_id: int) -> str | None:
    """What stored stake *stake_id* breaks, if anything (the rules `db check` checks, with
    positions folded as everywhere: see core.positions.fold): a sale, exit or write-off
    by an investor that holds nothing in the company by the end of its date; a sale of
    more than the investor holds; holders that add up to more than 100 % on a date where
    they did not before it; an acquisition of the whole of a company that, through
    acquisitions of the whole, owns the acquirer."""
    from ecoport.core.percent import from_micro
    from ecoport.core.positions import Round, holding_before, overheld

    rows = reader.rows(
        "SELECT s.id, s.date, s.investor_id, s.kind, s.percent_micro, i.name, c.name, "
        "s.date_precision, s.company_id, s.round_id "
        "FROM stake s JOIN company i ON i.id = s.investor_id JOIN company c ON c.id = s.company_id "
        "WHERE s.company_id = (SELECT company_id FROM stake WHERE id = :id) "
        "ORDER BY s.date, s.date_precision DESC, s.id",
        {"id": stake_id},
    )
    new = next(r for r in rows if r[0] == stake_id)
    _sid, date, investor_id, kind_text, micro, investor, company, precision, company_id, _r = new
    kind, percent = Kind(kind_text), None if micro is None else from_micro(micro)
    rounds = [Round(*r) for r in reader.rows(_DILUTING, {"company": company_id})]
    # (date, precision, holder, kind, percent, round, order) as core.positions reads them
    events = [
        (d, prec, inv, Kind(k), None if m is None else from_micro(m), rnd, n)
        for n, (sid, d, inv, k, m, _i, _c, prec, _co, rnd) in enumerate(rows)
        if sid != stake_id
    ]
    if kind in (Kind.SALE, Kind.EXIT, Kind.WRITE_OFF):
        # what was held by the end of the event's period (a sale in 2015 may follow a
        # stake of 2015-06)
        last = date[:4] + "-12-31" if precision == "year" else date[:7] + "-31"
        last = date if precision == "day" else last
        held = holding_before(events, investor_id, last, rounds)
        if held is None or not held.active:
            return (
                f"{investor} holds nothing in {company} {_at(date, precision)} to "
                f"{_VERB[kind]} (no earlier investment, acquisition or reported holding)"
            )
        if kind is Kind.SALE and percent is not None and percent > held.high:
            most = held.range.describe()
            return (
                f"{investor} would sell {percent.normalize():f}% of {company} "
                f"{_at(date, precision)} but holds {most} then"
            )
    if kind is Kind.ACQUISITION and (percent is None or percent >= 100):
        cycle = _owned_by(reader, investor_id, company_id, date)
        if cycle:
            return (
                f"{investor} cannot acquire the whole of {company} {_at(date, precision)}: "
                f"{' → '.join(cycle)} already own it whole, so each would own itself"
            )
    everything = [
        (d, prec, inv, Kind(k), None if m is None else from_micro(m), rnd, n)
        for n, (_s, d, inv, k, m, _i, _c, prec, _co, rnd) in enumerate(rows)
    ]
    before = set(overheld(events, rounds))
    precisions = {r[1]: r[7] for r in rows}
    for when, total in overheld(everything, rounds):
        if (when, total) not in before:
            return (
                f"{company}'s holders would hold {total.normalize():f}% in all "
                f"{_at(when, precisions[when])} (at most 100%)"
            )
    return None


def _owned_by(reader: "Reader", acquirer: int, company: int, date: str) -> list[str]:
    """The chain of whole acquisitions by which *company* owns *acquirer* on *date*
    (company first, *acquirer* last), or [] when it does not."""
    chain, seen, at = [acquirer], {acquirer}, acquirer
    for _level in range(12):
        found = reader.rows(
            "SELECT investor_id FROM stake WHERE company_id = :at AND kind = 'acquisition' "
            "AND (percent_micro IS NULL OR percent_micro >= 100000000) AND date <= :date "
            "ORDER BY date DESC, id DESC LIMIT 1",
            {"at": at, "date": date},
        )
        if not found:
            return []
        at = found[0][0]
        if at == company:
            ids = ", ".join(str(int(i)) for i in (*chain, company))
            rows = reader.rows(f"SELECT id, name FROM company WHERE id IN ({ids})")
            names: dict[int, str] = {int(r[0]): str(r[1]) for r in rows}
            return [names[company], *(names[c] for c in reversed(chain))]
        if at in seen:
            return []
        seen.add(at)
        chain.append(at)
    return []


def _at(date: str, precision: str) -> str:
    """A stored date as given, for a sentence: ``in 2016``, ``in 2016-05``, ``on 2016-05-21``."""
    return (
        f"in {date[:4]}"
        if precision == "year"
        else f"in {date[:7]}"
        if precision == "month"
        else f"on {date}"
    )


_VERB = {Kind.SALE: "sell", Kind.EXIT: "exit", Kind.WRITE_OFF: "write off"}


def _agree_sector(company: "Company", sector: str | None, change: bool, result: AddResult) -> None:
    if sector is None or (company.sector is not None and within(company.sector, sector)):
        return
    if company.sector is not None and not change:
        raise Conflict(
            f"{company.name} is in sector {company.sector}, not {sector}; "
            "pass {option:change_sector} to move it",
            field="sector",
        )
    result.sector_changed = (company.name, company.sector, sector)
    company.sector = sector


def edit_stake(
    *,
    session: "Session",
    stake_id: int,
    raw: Mapping[str, str | None],
    clear: frozenset[str] = frozenset(),
    symbols: dict[str, str] | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Change a stake's fields, given as written (parsed by the one stake parser; an amount
    without a currency is in the stake's own); returns the stake as stored. An edit that
    breaks a holdings rule the stake did not already break is refused unless *force*."""
    from ecoport.services.fields import parse_fields, plain_parsers, text
    from ecoport.services.rounds import RoundIn, attach, check_cheques, set_figures
    from ecoport.store.models import Stake

    stake = session.get(Stake, stake_id)
    if stake is None:
        raise NotFound(f"no stake with ID {stake_id}")
    was_broken = holdings_problem(SessionReader(session), stake_id)
    for name in clear:
        if name not in CLEARABLE:
            raise FieldError("clear", f"cannot clear {name!r} (choose from {', '.join(CLEARABLE)})")
    given, errors = parse_fields(
        raw, parsers=plain_parsers(symbols=symbols), default_currency=stake.currency
    )
    if errors or given is None:
        raise errors[0]
    reader = SessionReader(session)
    if given.investor is not None:
        stake.investor_id = require_company(reader, given.investor, field="investor").id
    moved = False
    if given.startup is not None:
        company_id = require_company(reader, given.startup, field="startup").id
        moved = company_id != stake.company_id
        stake.company_id = company_id
    if stake.investor_id == stake.company_id:
        raise InvalidInput("a company cannot hold a stake in itself", field="startup")
    if given.date is not None:
        stake.date = given.date.start.isoformat()
        stake.date_precision = given.date.precision.value
    if given.kind is not None:
        stake.kind = given.kind.value
    if given.amount is not None:
        stake.amount_minor = to_minor(given.amount.amount, given.amount.currency)
        stake.currency = given.amount.currency
    elif text(raw.get("currency")) is not None and "amount" not in clear:
        # a currency alone re-labels the stored amount (a stake entered in the wrong currency)
        if stake.amount_minor is None or stake.currency is None:
            raise FieldError("currency", "this stake has no amount to give a currency to")
        currency = currency_code(str(raw["currency"]))
        try:
            stake.amount_minor = to_minor(from_minor(stake.amount_minor, stake.currency), currency)
        except InvalidInput as exc:
            raise FieldError("currency", exc.message) from None
        stake.currency = currency
    if given.percent is not None:
        stake.percent_micro = to_micro(given.percent)
    for name in ("source", "note", "ref"):
        value = getattr(given, name)
        if value is not None:
            setattr(stake, name, value)
    if moved and stake.round_id is not None and given.round is None:
        # a round is one company's: the stake joins the round of that name at its new company
        # (an unnamed round cannot be told at another company: the stake leaves it)
        label = _round_name(session, stake.round_id)
        stake.round_id = (
            None
            if label is None
            else attach(
                session,
                RoundIn(
                    stake.company_id,
                    PartialDate.from_stored(stake.date, stake.date_precision),
                    label,
                ),
            )[0]
        )
    date = PartialDate.from_stored(stake.date, stake.date_precision)
    if (
        given.round is None
        and stake.round_id is not None
        and (given.round_total or given.valuation)
    ):
        # the stake's own round gets the figures (every participant shares them)
        set_figures(
            session,
            stake.round_id,
            RoundIn(stake.company_id, date, None, given.round_total, given.valuation),
        )
    elif given.round is not None or given.round_total is not None or given.valuation is not None:
        current = _round_name(session, stake.round_id)
        stake.round_id, _ = attach(
            session,
            RoundIn(
                stake.company_id,
                PartialDate.from_stored(stake.date, stake.date_precision),
                given.round if given.round is not None else current,
                given.round_total,
                given.valuation,
            ),
        )
    for name in clear:
        if name == "amount":
            stake.amount_minor, stake.currency = None, None
        elif name == "percent":
            stake.percent_micro = None
        elif name == "round":
            stake.round_id = None
        else:
            setattr(stake, name, None)
    session.add(stake)
    session.flush()
    if stake.round_id is not None:
        check_cheques(reader, stake.round_id)
    broken = holdings_problem(reader, stake_id)
    if broken != was_broken:
        _refuse_or_force(session, stake, broken, force=force)
    return get_stake(reader, stake_id)


def _round_name(session: "Session", round_id: int | None) -> str | None:
    if round_id is None:
        return None
    rows = SessionReader(session).rows(
        "SELECT name FROM funding_round WHERE id = :r", {"r": round_id}
    )
    return rows[0][0] if rows else None


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
