"""Progress toward the target: how many companies an investor holds or held, by sector, for
how much money, at what pace, and what its ecosystem reaches through its subsidiaries."""

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ecoport.core.dates import PartialDate
from ecoport.core.fx import RULE
from ecoport.core.money import Money, from_minor, plain
from ecoport.core.pace import HORIZON_YEARS, Projection, add_months, project, quarter
from ecoport.core.sectors import at_depth
from ecoport.errors import InvalidInput, NotFound
from ecoport.services.fx import Rates
from ecoport.services.lookup import STAKE_ORDER, require_company
from ecoport.services.reports import IN_SQL, MONEY_SQL, UNSECTORED, Converter
from ecoport.services.rounds import RoundsTaken, rounds_taken
from ecoport.services.settings import get_settings
from ecoport.services.targets import DEFAULT_TARGET
from ecoport.store.db import Reader

if TYPE_CHECKING:
    from ecoport.services.returns import ReturnsRow


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
    window: int = 12
    """Months of the trailing pace (beside the pace over the whole period)."""
    value: bool = False
    """Also what the positions are worth (the returns' valuation: heavier on large
    portfolios, so asked for)."""


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
class SectorGoal:
    """A sector's target beside the companies held in it (and its sub-sectors)."""

    sector: str
    target: int
    companies: int

    def to_json(self) -> dict[str, Any]:
        return {
            "sector": self.sector,
            "target": self.target,
            "companies": self.companies,
            "percent_of_target": f"{_percent(self.companies, self.target):f}",
        }


@dataclass(frozen=True, slots=True)
class Unknown:
    """A company counted whose entry date is unknown: only a holding was reported."""

    company: str
    first_reported: PartialDate

    def to_json(self) -> dict[str, str]:
        return {"company": self.company, "first_reported": str(self.first_reported)}


def _projection_json(p: Projection | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "since": p.since.isoformat(),
        "months": f"{p.months:.1f}",
        "companies": p.companies,
        "per_month": None if p.per_month is None else f"{p.per_month:.3f}",
        "falls": None if p.falls is None else p.falls.isoformat(),
        "falls_in": None if p.falls is None else quarter(p.falls),
        "beyond_horizon": p.beyond_horizon,
    }


def _worth_json(row: "ReturnsRow | None") -> dict[str, Any] | None:
    """The value and multiple of the positions counted, or null when not computed."""
    if row is None:
        return None
    from ecoport.core.returns import Unknown

    f = row.figures
    value = None
    if not isinstance(f.unrealised, Unknown):
        value = {"low": f"{f.unrealised.low:f}", "high": f"{f.unrealised.high:f}"}
    moic = None
    if f.moic.value is not None:
        moic = {"low": f"{f.moic.value.low:.4f}", "high": f"{f.moic.value.high:.4f}"}
    return {
        "positions": row.positions,
        "counted": row.counted,
        "unrealised": value,
        "moic": moic,
        "why_not": [{"reason": r, "positions": n} for r, n in row.left_out],
    }


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.01"))


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
    """Each counted company's entry date (its first investment or acquisition), in order:
    the burn-up's steps. Companies known only from a reported holding are not in it."""
    milestones: tuple[Milestone, ...] = ()
    target_default: bool = False
    """No target was set: the default one is shown."""
    held_now: int = 0
    """Of the companies counted, those still held on the date (the others exited, were
    written off, or were acquired by another)."""
    entry_unknown: tuple[Unknown, ...] = ()
    whole: Projection | None = None
    """The pace from the first entry to the date, and where it leads."""
    trailing: Projection | None = None
    """The pace over the trailing window, and where it leads."""
    horizon_years: int = HORIZON_YEARS
    sector_goals: tuple[SectorGoal, ...] = ()
    worth: "ReturnsRow | None" = None
    """What the positions are worth as `ecoport returns` computes them: the value and
    multiple of those whose every figure is known, and how many those are."""

    @property
    def percent_of_target(self) -> Decimal:
        return _percent(self.companies, self.target)

    @property
    def no_longer_held(self) -> int:
        return self.companies - self.held_now

    @property
    def counted(self) -> str:
        return f"distinct companies in which {self.investor} holds or held a direct stake"

    @property
    def falls_between(self) -> tuple[dt.date, dt.date] | None:
        """The target date at the two paces, earlier first (None unless both project)."""
        dates = [p.falls for p in (self.whole, self.trailing) if p is not None and p.falls]
        if len(dates) < 2:
            return None
        return (min(dates), max(dates))

    def to_json(self) -> dict[str, Any]:
        into = self.invested_in.currency
        return {
            "investor": self.investor,
            "target": self.target,
            "target_default": self.target_default,
            "target_note": self.target_note,
            "target_source": self.target_source,
            "companies": self.companies,
            "percent_of_target": f"{self.percent_of_target:f}",
            "counted": self.counted,
            "headline": "ever held",
            "held_now": self.held_now,
            "no_longer_held": self.no_longer_held,
            "entry_unknown": [u.to_json() for u in self.entry_unknown],
            "through_portfolio": list(self.through_portfolio),
            "through_portfolio_via": self.through,
            "first_stake": None if self.first_stake is None else self.first_stake.to_json(),
            "latest_stake": None if self.latest_stake is None else self.latest_stake.to_json(),
            "pace_per_month": None if self.pace_per_month is None else f"{self.pace_per_month:.3f}",
            "pace_since": None if self.pace_since is None else self.pace_since.isoformat(),
            "target_date": None if self.target_date is None else self.target_date.isoformat(),
            "target_reached": self.target_reached,
            "pace": {
                "whole_period": _projection_json(self.whole),
                "trailing": _projection_json(self.trailing),
                "horizon_years": self.horizon_years,
            },
            "milestones": [m.to_json() for m in self.milestones],
            "sector_targets": [g.to_json() for g in self.sector_goals],
            "value": _worth_json(self.worth),
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
    from ecoport.services.ownership import STANDING_COLUMNS, ecosystem

    p = {"inv": inv_id, "as_of": as_of.isoformat()}
    stored = reader.rows("SELECT target, note, source FROM target WHERE investor_id = :inv", p)
    target = query.target or (stored[0][0] if stored else DEFAULT_TARGET)
    target_note, target_source = stored[0][1:] if stored and not query.target else (None, None)

    # One row per company: its sector, its transactions, the first event of any kind and
    # the first investment or acquisition (its entry), and the investor's standing in it
    # (see services.ownership), read in one pass over the investor's covering index.
    rows = reader.rows(
        f"""
        SELECT c.sector, g.tx, g.undisclosed, g.first, g.entry, c.name, c.id, g.*
        FROM (SELECT s.company_id,
                     COUNT(CASE WHEN s.kind IN ({MONEY_SQL}) THEN 1 END) AS tx,
                     COUNT(CASE WHEN s.kind IN ({MONEY_SQL}) AND s.amount_minor IS NULL
                           THEN 1 END) AS undisclosed,
                     MIN(s.date) AS first,
                     MIN(CASE WHEN s.kind IN ({IN_SQL}) THEN s.date END) AS entry,
                     {STANDING_COLUMNS}
              FROM stake s WHERE s.investor_id = :inv AND s.date <= :as_of
              GROUP BY s.company_id) g
        JOIN company c ON c.id = g.company_id
        """,
        p,
    )
    company_rows = [r[:7] for r in rows]
    standing = ((inv_id, r[6], *r[12:]) for r in rows)
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
    held_now, through = ecosystem(
        reader, inv_id, as_of=as_of, associates=query.associates, first=standing
    )
    in_rounds = rounds_taken(
        reader, "WHERE s.investor_id = :inv AND s.date <= :as_of", dict(p), by_company=False
    )

    depth_of: dict[str | None, str] = {}

    def key_of(sector: str | None) -> str:
        key = depth_of.get(sector)
        if key is None:
            key = depth_of[sector] = UNSECTORED if sector is None else at_depth(sector, query.depth)
        return key

    invested: dict[str, int] = defaultdict(int)
    money_by_sector: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    converted_minor: dict[str, int] = defaultdict(int)
    converter.prepare((r[1], r[2], r[3]) for r in money_rows)
    stored_minor = converter.stored_minor
    for sector, currency, date, precision, minor, n in money_rows:
        key = depth_of.get(sector) or key_of(sector)
        money_by_sector[key][currency] += minor
        invested[currency] += minor
        done = stored_minor(minor, currency, date, precision, n)
        if done is not None:
            converted_minor[key] += done
    converted_by_sector = {k: from_minor(m, converter.into) for k, m in converted_minor.items()}
    tallies: dict[str, list[int]] = {}
    for sector, tx, undis, *_rest in company_rows:
        tally = tallies.setdefault(depth_of.get(sector) or key_of(sector), [0, 0, 0])
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
    first_dates = sorted(dt.date.fromisoformat(r[4]) for r in company_rows if r[4] is not None)
    unknown = _entry_unknown(reader, inv_id, company_rows)
    reported = sorted(r[3] for r in company_rows)  # each company's first event
    reached = len(reported) >= target
    count = len(company_rows)
    whole = trailing = None
    if first_dates:
        whole = project(first_dates, since=first_dates[0], as_of=as_of, held=count, target=target)
        start = max(add_months(as_of, -query.window), first_dates[0])
        trailing = project(first_dates, since=start, as_of=as_of, held=count, target=target)

    marks = [StakeMark(PartialDate.from_stored(d, prec), company) for d, prec, company in edges]
    failures = converter.failures
    return InvestorProgress(
        investor=name,
        target=target,
        target_note=target_note,
        target_source=target_source,
        companies=count,
        through_portfolio=tuple(through),
        through="subsidiaries and associates" if query.associates else "subsidiaries",
        first_stake=marks[0] if marks else None,
        latest_stake=marks[1] if len(marks) > 1 else None,
        pace_per_month=None if whole is None else whole.per_month,
        pace_since=first_dates[0] if first_dates else None,
        target_date=dt.date.fromisoformat(reported[target - 1])
        if reached
        else (None if whole is None else whole.falls),
        target_reached=reached,
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
        milestones=_milestones(reader, inv_id, company_rows),
        target_default=not stored and query.target is None,
        held_now=held_now,
        entry_unknown=unknown,
        whole=whole,
        trailing=trailing,
        sector_goals=_sector_goals(reader, inv_id, company_rows),
        worth=_worth(reader, name, as_of, converter.into) if query.value else None,
    )


def _worth(reader: Reader, name: str, as_of: dt.date, into: str) -> "ReturnsRow | None":
    from ecoport.services.returns import ReturnsQuery, returns

    found = returns(reader, ReturnsQuery(investor=name, as_of=as_of, into=into)).investors
    return found[0] if found else None


def _entry_unknown(
    reader: Reader, inv_id: int, company_rows: Sequence[Sequence[Any]]
) -> tuple[Unknown, ...]:
    """The companies counted with no investment or acquisition: when each was first
    reported (its first event's date, with the finest precision given for that day)."""
    missing = {r[6]: (r[5], r[3]) for r in company_rows if r[4] is None}
    if not missing:
        return ()
    precision: dict[int, str] = {}
    ids = sorted(missing)
    for start in range(0, len(ids), 2000):
        batch = ",".join(str(int(i)) for i in ids[start : start + 2000])
        for cid, date, prec in reader.rows(
            "SELECT company_id, date, date_precision FROM stake "
            f"WHERE investor_id = {int(inv_id)} AND company_id IN ({batch})"
        ):
            if date == missing[cid][1] and _FINER.get(prec, 0) >= _FINER.get(
                precision.get(cid, ""), -1
            ):
                precision[cid] = prec
    return tuple(
        Unknown(name, PartialDate.from_stored(first, precision[cid]))
        for cid, (name, first) in sorted(missing.items(), key=lambda m: (m[1][1], m[1][0]))
    )


_FINER = {"year": 0, "month": 1, "day": 2}


def _milestones(
    reader: Reader, inv_id: int, company_rows: Sequence[Sequence[Any]]
) -> tuple[Milestone, ...]:
    """The investor's milestones, each beside the companies ecoport records as held (any
    event, a reported holding too) by the end of its date."""
    firsts = sorted(r[3] for r in company_rows)
    out = []
    for date, precision, reported, what, source in reader.rows(
        "SELECT date, date_precision, reported, what, source FROM milestone "
        "WHERE investor_id = :i ORDER BY date, date_precision, id",
        {"i": inv_id},
    ):
        by = PartialDate.from_stored(date, precision)
        held = bisect_right(firsts, by.end.isoformat())
        out.append(Milestone(by, int(reported), what, source, held))
    return tuple(out)


def _sector_goals(
    reader: Reader, inv_id: int, company_rows: Sequence[Sequence[Any]]
) -> tuple[SectorGoal, ...]:
    from ecoport.core.sectors import within
    from ecoport.services.targets import sector_targets

    return tuple(
        SectorGoal(sector, target, sum(1 for r in company_rows if r[0] and within(r[0], sector)))
        for sector, target in sector_targets(reader, inv_id).items()
    )


# -- history: what came in, period by period ---------------------------------------------

PERIODS = ("year", "quarter", "month")
HISTORY_FIELDS = (
    "investor",
    "period",
    "new",
    "first_reported",
    "cumulative",
    "exits",
    "money_in",
    "currency",
    "not_converted",
)


def period_of(day: dt.date, by: str) -> str:
    """``2014``, ``2014-Q4`` or ``2014-11``: the period of *by* that *day* falls in."""
    if by == "year":
        return f"{day.year}"
    if by == "quarter":
        return quarter(day)
    return f"{day.year}-{day.month:02d}"


def _periods(first: dt.date, last: dt.date, by: str) -> list[str]:
    """Every period from *first*'s to *last*'s, empty ones included, in order."""
    step = {"year": 12, "quarter": 3, "month": 1}[by]
    out, day = [], first.replace(day=1)
    if by != "month":
        day = day.replace(month=1 if by == "year" else (day.month - 1) // 3 * 3 + 1)
    while day <= last:
        out.append(period_of(day, by))
        day = add_months(day, step)
    return out


@dataclass(frozen=True, slots=True)
class Period:
    period: str
    new: int
    """Companies that entered (a first investment or acquisition) in the period."""
    first_reported: int
    """Companies known only from a reported holding, first reported in the period."""
    cumulative: int
    """Companies ever held by the end of the period."""
    exits: int
    """Holdings that ended in the period (sold, exited, written off, acquired by another)."""
    money_in: Decimal
    """Money put in during the period, in the reporting currency."""
    not_converted: int

    def row(self, investor: str, currency: str) -> dict[str, Any]:
        return {
            "investor": investor,
            "period": self.period,
            "new": self.new,
            "first_reported": self.first_reported,
            "cumulative": self.cumulative,
            "exits": self.exits,
            "money_in": plain(self.money_in, currency),
            "currency": currency,
            "not_converted": self.not_converted,
        }


@dataclass(frozen=True, slots=True)
class InvestorHistory:
    investor: str
    periods: tuple[Period, ...]


@dataclass(frozen=True, slots=True)
class ProgressHistory:
    """Each chosen investor's portfolio period by period (`progress --by`)."""

    as_of: dt.date
    by: str
    currency: str
    investors: tuple[InvestorHistory, ...]

    csv_fields: ClassVar[tuple[str, ...]] = HISTORY_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "by": self.by,
            "currency": self.currency,
            "conversion_rule": RULE,
            "investors": [
                {
                    "investor": inv.investor,
                    "periods": [
                        {
                            k: v
                            for k, v in p.row(inv.investor, self.currency).items()
                            if k not in ("investor", "currency")
                        }
                        for p in inv.periods
                    ],
                }
                for inv in self.investors
            ],
        }

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        for inv in self.investors:
            for p in inv.periods:
                yield p.row(inv.investor, self.currency)


def progress_history(reader: Reader, query: ProgressQuery, by: str) -> ProgressHistory:
    """For each period (year, quarter or month) from the first stake to the date: new
    companies, those first reported by a holding, the cumulative count, the holdings that
    ended, and the money put in (each amount converted at its day's rate)."""
    from ecoport.services.ownership import holdings_of

    if by not in PERIODS:
        raise InvalidInput(f"must be one of {', '.join(PERIODS)} (got {by!r})", field="by")
    as_of = query.as_of or dt.date.today()
    into = query.into or get_settings(reader)["currency"]
    rates = Rates.from_db(reader)
    out = []
    for inv_id, name in choose_investors(reader, query.investor):
        p = {"inv": inv_id, "as_of": as_of.isoformat()}
        rows = reader.rows(
            f"""
            SELECT MIN(s.date), MIN(CASE WHEN s.kind IN ({IN_SQL}) THEN s.date END)
            FROM stake s WHERE s.investor_id = :inv AND s.date <= :as_of GROUP BY s.company_id
            """,
            p,
        )
        if not rows:
            out.append(InvestorHistory(name, ()))
            continue
        new: dict[str, int] = defaultdict(int)
        reported: dict[str, int] = defaultdict(int)
        for first, entry in rows:
            if entry is None:
                reported[period_of(dt.date.fromisoformat(first), by)] += 1
            else:
                new[period_of(dt.date.fromisoformat(entry), by)] += 1
        exits: dict[str, int] = defaultdict(int)
        for pos in holdings_of(reader, {inv_id}, as_of=as_of.isoformat()).get(inv_id, {}).values():
            if not pos.active:
                exits[period_of(dt.date.fromisoformat(pos.date), by)] += 1
        converter = Converter(reader, into, rates)
        money: dict[str, int] = defaultdict(int)  # minor units of into
        missed: dict[str, int] = defaultdict(int)
        day_rows = reader.rows(
            f"""
            SELECT s.currency, s.date, s.date_precision, CAST(SUM(s.amount_minor) AS BIGINT),
                   COUNT(*)
            FROM stake s WHERE s.investor_id = :inv AND s.date <= :as_of
              AND s.kind IN ({IN_SQL}) AND s.amount_minor IS NOT NULL
            GROUP BY s.currency, s.date, s.date_precision
            """,
            p,
        )
        converter.prepare((r[0], r[1], r[2]) for r in day_rows)
        for currency, date, precision, minor, n in day_rows:
            key = period_of(dt.date.fromisoformat(date), by)
            done = converter.stored_minor(minor, currency, date, precision, n)
            if done is None:
                missed[key] += n
            else:
                money[key] += done
        first_day = min(dt.date.fromisoformat(r[0]) for r in rows)
        periods, total = [], 0
        for label in _periods(first_day, as_of, by):
            total += new[label] + reported[label]
            periods.append(
                Period(
                    label,
                    new[label],
                    reported[label],
                    total,
                    exits[label],
                    from_minor(money[label], into),
                    missed[label],
                )
            )
        out.append(InvestorHistory(name, tuple(periods)))
    return ProgressHistory(as_of, by, into, tuple(out))
