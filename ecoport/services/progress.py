"""Progress toward the target: how many companies an investor holds or held, by sector, for
how much money, at what pace, and what its ecosystem reaches through its subsidiaries."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from ecoport.core.dates import PartialDate
from ecoport.core.fx import RULE
from ecoport.core.money import Money, from_minor, plain
from ecoport.core.pace import pace
from ecoport.core.sectors import at_depth
from ecoport.errors import InvalidInput, NotFound
from ecoport.services.fx import Rates
from ecoport.services.lookup import STAKE_ORDER, require_company
from ecoport.services.reports import IN_SQL, MONEY_SQL, UNSECTORED, Converter
from ecoport.services.rounds import RoundsTaken, rounds_taken
from ecoport.services.settings import get_settings
from ecoport.services.targets import DEFAULT_TARGET
from ecoport.store.db import Reader


@dataclass(frozen=True, slots=True)
class ProgressQuery:
    investor: str | None = None
    target: int | None = None
    depth: int = 1
    as_of: dt.date | None = None
    into: str | None = None
    """Reporting currency; the database's setting when None."""
    associates: bool = False
    """Count as reached through the ecosystem what associates hold, not only subsidiaries."""


def amounts_json(amounts: tuple[Money, ...]) -> list[dict[str, str]]:
    """``[{"currency": "CNY", "amount": "1266000000.00"}, ...]``: exact, by currency."""
    return [{"currency": m.currency, "amount": plain(m.amount, m.currency)} for m in amounts]


@dataclass(frozen=True, slots=True)
class Conversion:
    """Money converted into the reporting currency: the total, the rule, and what could not
    be converted (how many amounts, and why), never dropped silently."""

    currency: str
    amount: Decimal
    why_not: tuple[tuple[str, int], ...] = ()
    rule: str = RULE

    @property
    def not_converted(self) -> int:
        return sum(n for _, n in self.why_not)

    def to_json(self) -> dict[str, Any]:
        return {
            "amount": plain(self.amount, self.currency),
            "currency": self.currency,
            "rule": self.rule,
            "not_converted": self.not_converted,
            "why_not": [{"reason": r, "amounts": n} for r, n in self.why_not],
        }


@dataclass(frozen=True, slots=True)
class SectorProgress:
    sector: str
    companies: int
    transactions: int
    undisclosed_amounts: int
    invested: tuple[Money, ...]
    invested_in: Decimal
    """The money invested, in the reporting currency."""

    def to_json(self, into: str) -> dict[str, Any]:
        return {
            "sector": self.sector,
            "companies": self.companies,
            "transactions": self.transactions,
            "undisclosed_amounts": self.undisclosed_amounts,
            "invested": amounts_json(self.invested),
            "invested_in": plain(self.invested_in, into),
        }


@dataclass(frozen=True, slots=True)
class StakeMark:
    """A stake named by its date and startup (the first, the latest)."""

    date: PartialDate
    startup: str

    def to_json(self) -> dict[str, str]:
        return {"date": str(self.date), "startup": self.startup}


@dataclass(frozen=True, slots=True)
class Milestone:
    """A count the investor reported by a date ("about 25 connected-device companies by
    2014-12"), beside what ecoport holds for that date."""

    by: PartialDate
    reported: int
    what: str
    """What was counted, in the source's words: "connected-device companies"."""
    source: str | None
    held: int
    """Companies ecoport records as entered by the end of *by*."""

    def to_json(self) -> dict[str, Any]:
        return {
            "by": str(self.by),
            "reported": self.reported,
            "what": self.what,
            "source": self.source,
            "held": self.held,
        }


@dataclass(frozen=True, slots=True)
class InvestorProgress:
    investor: str
    target: int
    target_note: str | None
    target_source: str | None
    companies: int
    through_portfolio: tuple[str, ...]
    """Companies it holds no stake in, reached through its subsidiaries (or associates)."""
    through: str
    """What was walked through: "subsidiaries" or "subsidiaries and associates"."""
    first_stake: StakeMark | None
    latest_stake: StakeMark | None
    pace_per_month: Decimal | None
    pace_since: dt.date | None
    target_date: dt.date | None
    target_reached: bool
    invested: tuple[Money, ...]
    invested_in: Conversion
    transactions: int
    undisclosed_amounts: int
    in_rounds: RoundsTaken
    sectors: tuple[SectorProgress, ...]
    entries: tuple[dt.date, ...] = ()
    """Each counted company's entry date (its first stake), in order: the burn-up's steps."""
    milestones: tuple[Milestone, ...] = ()

    @property
    def percent_of_target(self) -> Decimal:
        return (Decimal(self.companies * 100) / Decimal(self.target)).quantize(Decimal("0.01"))

    @property
    def counted(self) -> str:
        return f"distinct companies in which {self.investor} holds or held a direct stake"

    def to_json(self) -> dict[str, Any]:
        into = self.invested_in.currency
        return {
            "investor": self.investor,
            "target": self.target,
            "target_note": self.target_note,
            "target_source": self.target_source,
            "companies": self.companies,
            "percent_of_target": f"{self.percent_of_target:f}",
            "counted": self.counted,
            "through_portfolio": list(self.through_portfolio),
            "through_portfolio_via": self.through,
            "first_stake": None if self.first_stake is None else self.first_stake.to_json(),
            "latest_stake": None if self.latest_stake is None else self.latest_stake.to_json(),
            "pace_per_month": None if self.pace_per_month is None else f"{self.pace_per_month:.3f}",
            "pace_since": None if self.pace_since is None else self.pace_since.isoformat(),
            "target_date": None if self.target_date is None else self.target_date.isoformat(),
            "target_reached": self.target_reached,
            "invested": amounts_json(self.invested),
            "invested_in": self.invested_in.to_json(),
            "transactions": self.transactions,
            "undisclosed_amounts": self.undisclosed_amounts,
            "in_rounds": self.in_rounds.to_json(),
            "sectors": [s.to_json(into) for s in self.sectors],
        }


PROGRESS_FIELDS = (
    "investor",
    "target",
    "companies",
    "percent_of_target",
    "pace_per_month",
    "target_date",
    "sector",
    "sector_companies",
    "currency",
    "invested",
)


@dataclass(frozen=True, slots=True)
class Progress:
    """Progress of each chosen investor toward its target (see README: JSON output)."""

    as_of: dt.date
    currency: str
    investors: tuple[InvestorProgress, ...]

    csv_fields: ClassVar[tuple[str, ...]] = PROGRESS_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "conversion_rule": RULE,
            "investors": [inv.to_json() for inv in self.investors],
        }

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        """One row per investor, sector and currency invested in it."""
        for inv in self.investors:
            head = {
                "investor": inv.investor,
                "target": inv.target,
                "companies": inv.companies,
                "percent_of_target": f"{inv.percent_of_target:f}",
                "pace_per_month": None
                if inv.pace_per_month is None
                else f"{inv.pace_per_month:.3f}",
                "target_date": None if inv.target_date is None else inv.target_date.isoformat(),
            }
            for sector in inv.sectors:
                base = {**head, "sector": sector.sector, "sector_companies": sector.companies}
                if not sector.invested:
                    yield base
                for m in sector.invested:
                    yield {**base, "currency": m.currency, "invested": plain(m.amount, m.currency)}


def choose_investors(reader: Reader, investor: str | None) -> list[tuple[int, str]]:
    """The investor named, else those with a target, else the only investor."""
    if investor is not None:
        ref = require_company(reader, investor, field="investor")
        return [(ref.id, ref.name)]
    with_target = reader.rows(
        "SELECT c.id, c.name FROM target t JOIN company c ON c.id = t.investor_id "
        "ORDER BY c.name, c.id"
    )
    if with_target:
        return [(r[0], r[1]) for r in with_target]
    investors = reader.rows(
        "SELECT DISTINCT c.id, c.name FROM stake s JOIN company c ON c.id = s.investor_id "
        "ORDER BY c.name, c.id"
    )
    if len(investors) == 1:
        return [(investors[0][0], investors[0][1])]
    if not investors:
        raise NotFound("no stakes recorded yet; add one with {command:add-stake}")
    names = ", ".join(r[1] for r in investors[:10])
    more = f" and {len(investors) - 10} more" if len(investors) > 10 else ""
    raise InvalidInput(
        f"several investors and none has a target; choose one of {names}{more}",
        field="investor",
    )


def progress(reader: Reader, query: ProgressQuery) -> Progress:
    """Progress of each chosen investor toward its target (see README: JSON output)."""
    if query.target is not None and query.target <= 0:
        raise InvalidInput(f"must be a positive whole number (got {query.target})", field="target")
    if query.depth < 1:
        raise InvalidInput(f"must be 1 or more (got {query.depth})", field="depth")
    as_of = query.as_of or dt.date.today()
    investors = choose_investors(reader, query.investor)
    into = query.into or get_settings(reader)["currency"]
    rates = Rates.from_db(reader)
    return Progress(
        as_of=as_of,
        currency=into,
        investors=tuple(
            _investor_progress(reader, inv_id, name, query, as_of, Converter(reader, into, rates))
            for inv_id, name in investors
        ),
    )


def _money(totals: dict[str, int]) -> tuple[Money, ...]:
    return tuple(Money(from_minor(minor, cur), cur) for cur, minor in sorted(totals.items()))


def _investor_progress(
    reader: Reader,
    inv_id: int,
    name: str,
    query: ProgressQuery,
    as_of: dt.date,
    converter: Converter,
) -> InvestorProgress:
    from ecoport.services.ownership import reached_through

    p = {"inv": inv_id, "as_of": as_of.isoformat()}
    stored = reader.rows("SELECT target, note, source FROM target WHERE investor_id = :inv", p)
    target = query.target or (stored[0][0] if stored else DEFAULT_TARGET)
    target_note, target_source = stored[0][1:] if stored and not query.target else (None, None)

    # One row per company: its sector, its first stake, its transactions (one pass).
    company_rows = reader.rows(
        f"""
        SELECT c.sector, MIN(s.date),
               COUNT(CASE WHEN s.kind IN ({MONEY_SQL}) THEN 1 END),
               COUNT(CASE WHEN s.kind IN ({MONEY_SQL}) AND s.amount_minor IS NULL THEN 1 END)
        FROM stake s JOIN company c ON c.id = s.company_id
        WHERE s.investor_id = :inv AND s.date <= :as_of GROUP BY s.company_id, c.sector
        """,
        p,
    )
    # Sums of money put in per sector, currency and day (each day converts at its rate).
    money_rows = reader.rows(
        f"""
        SELECT c.sector, s.currency, s.date, s.date_precision,
               CAST(SUM(s.amount_minor) AS BIGINT), COUNT(*)
        FROM stake s JOIN company c ON c.id = s.company_id
        WHERE s.investor_id = :inv AND s.date <= :as_of
          AND s.kind IN ({IN_SQL}) AND s.amount_minor IS NOT NULL
        GROUP BY c.sector, s.currency, s.date, s.date_precision
        """,
        p,
    )
    edges = reader.rows(
        f"""
        SELECT * FROM (SELECT s.date, s.date_precision, c.name FROM stake s
                       JOIN company c ON c.id = s.company_id
                       WHERE s.investor_id = :inv AND s.date <= :as_of
                       {STAKE_ORDER} LIMIT 1) AS first_stake
        UNION ALL
        SELECT * FROM (SELECT s.date, s.date_precision, c.name FROM stake s
                       JOIN company c ON c.id = s.company_id
                       WHERE s.investor_id = :inv AND s.date <= :as_of
                       ORDER BY s.date DESC, s.date_precision, s.id DESC LIMIT 1) AS last_stake
        """,
        p,
    )
    through = reached_through(reader, inv_id, as_of=as_of, associates=query.associates)
    in_rounds = rounds_taken(reader, "WHERE s.investor_id = :inv AND s.date <= :as_of", dict(p))

    depth_of: dict[str | None, str] = {}

    def key_of(sector: str | None) -> str:
        key = depth_of.get(sector)
        if key is None:
            key = depth_of[sector] = UNSECTORED if sector is None else at_depth(sector, query.depth)
        return key

    invested: dict[str, int] = defaultdict(int)
    money_by_sector: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    converted_by_sector: dict[str, Decimal] = defaultdict(Decimal)
    for sector, currency, date, precision, minor, n in money_rows:
        key = key_of(sector)
        money_by_sector[key][currency] += minor
        invested[currency] += minor
        done = converter.stored(minor, currency, date, precision, n)
        if done is not None:
            converted_by_sector[key] += done
    tallies: dict[str, list[int]] = {}
    for sector, _first, tx, undis in company_rows:
        tally = tallies.setdefault(key_of(sector), [0, 0, 0])
        tally[0] += 1
        tally[1] += tx
        tally[2] += undis
    sectors = tuple(
        SectorProgress(
            sector=key,
            companies=n,
            transactions=tx,
            undisclosed_amounts=undis,
            invested=_money(money_by_sector.get(key, {})),
            invested_in=converted_by_sector.get(key, Decimal(0)),
        )
        for key, (n, tx, undis) in sorted(tallies.items(), key=lambda kv: (-kv[1][0], kv[0]))
    )
    first_dates = sorted(dt.date.fromisoformat(r[1]) for r in company_rows)
    result = pace(first_dates, target=target, as_of=as_of)
    marks = [StakeMark(PartialDate.from_stored(d, prec), company) for d, prec, company in edges]
    failures = converter.failures
    return InvestorProgress(
        investor=name,
        target=target,
        target_note=target_note,
        target_source=target_source,
        companies=len(company_rows),
        through_portfolio=tuple(through),
        through="subsidiaries and associates" if query.associates else "subsidiaries",
        first_stake=marks[0] if marks else None,
        latest_stake=marks[1] if len(marks) > 1 else None,
        pace_per_month=result.per_month,
        pace_since=first_dates[0] if first_dates else None,
        target_date=result.target_date,
        target_reached=result.reached,
        invested=_money(invested),
        invested_in=Conversion(
            currency=converter.into,
            amount=sum(converted_by_sector.values(), Decimal(0)),
            why_not=tuple(sorted(failures.items())),
        ),
        transactions=sum(s.transactions for s in sectors),
        undisclosed_amounts=sum(s.undisclosed_amounts for s in sectors),
        in_rounds=in_rounds,
        sectors=sectors,
        entries=tuple(first_dates),
    )
