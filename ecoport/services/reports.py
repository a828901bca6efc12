"""Progress toward the target and stake reports, aggregated in SQL."""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from ecoport.core.dates import PartialDate
from ecoport.core.fx import (
    RULE,
    conversion_day,
    convert,
    convert_minor,
    implied_valuation,
    minor_rate,
)
from ecoport.core.money import exponent, from_minor, plain
from ecoport.core.ownership import MONEY_IN, MONEY_OUT
from ecoport.core.sectors import at_depth
from ecoport.errors import InvalidInput
from ecoport.services.fx import FxError, Rate, Rates
from ecoport.services.listing import Listing, Page
from ecoport.services.lookup import (
    count_stakes,
    require_company,
    stake_dict,
    stake_listing_sql,
)
from ecoport.services.settings import get_settings
from ecoport.store.db import Reader


class Converter:
    """Converts amounts into the reporting currency at their stake's date, and counts
    what it could not convert (never dropped silently)."""

    def __init__(self, reader: Reader, into: str, rates: Rates | None = None) -> None:
        self.into = into
        self.rates = rates or Rates.from_db(reader)
        self.failures: dict[str, int] = defaultdict(int)
        self._stored: dict[tuple[str, str, str], tuple[int, int] | str] = {}

    def __call__(
        self, amount: Decimal, currency: str, date: PartialDate, *, count: int = 1
    ) -> tuple[Decimal, Rate] | None:
        try:
            return self.rates.convert(amount, currency, self.into, conversion_day(date))
        except FxError as exc:
            self.failures[exc.message] += count
            return None

    def stored_minor(
        self, minor: int, currency: str, date: str, precision: str, count: int
    ) -> int | None:
        """stored in minor units of the reporting currency, in integers: each currency and
        day's rate worked out once as a fraction (see core.fx.minor_rate), so that reports
        converting tens of thousands of amounts add whole numbers."""
        rate = self._stored.get((currency, date, precision)) or self.stored_rate(
            currency, date, precision
        )
        if isinstance(rate, str):
            self.failures[rate] += count
            return None
        return convert_minor(minor, rate)

    def prepare(self, keys: Iterable[tuple[str, str, str]]) -> None:
        """Works out at once the minor_rate of every (currency, date, precision) in *keys*
        not known yet, as stored_rate would: each distinct day once, its rate read from the
        ECB tables by index (Rates.ecb_values) rather than a lookup a day. Reports that
        convert at tens of thousands of days call it with the keys of their rows first."""
        known = self._stored
        days: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for key in set(keys):
            if key in known:
                continue
            currency, date, precision = key
            if precision == "day":
                try:
                    days[currency].append((date, dt.date.fromisoformat(date).toordinal()))
                    continue
                except ValueError:
                    pass
            self.stored_rate(currency, date, precision)
        into = self.into
        for currency, wanted in days.items():
            values = self.rates.ecb_values(currency, into, [o for _d, o in wanted])
            places = exponent(currency)
            for (date, _o), value in zip(wanted, values, strict=True):
                if value is None:  # the one-by-one lookup tells why, or finds the user's
                    self.stored_rate(currency, date, "day")
                else:
                    known[currency, date, "day"] = minor_rate(value, places, into)

    def stored_rate(self, currency: str, date: str, precision: str) -> tuple[int, int] | str:
        """The minor_rate that converts stored amounts of *currency* dated *date*, or why
        there is none (looked up once, then kept)."""
        key = (currency, date, precision)
        rate = self._stored.get(key)
        if rate is None:
            try:
                day = (
                    dt.date.fromisoformat(date)  # a day converts at its own rate
                    if precision == "day"
                    else conversion_day(PartialDate.from_stored(date, precision))
                )
                found = self.rates.rate(currency, self.into, day).value
                rate = minor_rate(found, exponent(currency), self.into)
            except FxError as exc:
                rate = exc.message
            self._stored[key] = rate
        return rate

    def summary(self) -> dict[str, Any]:
        return {
            "currency": self.into,
            "rule": RULE,
            "not_converted": sum(self.failures.values()),
            "why_not": [{"reason": r, "amounts": n} for r, n in sorted(self.failures.items())],
        }


UNSECTORED = "(no sector)"
IN_SQL = ", ".join(f"'{k.value}'" for k in MONEY_IN)
OUT_SQL = ", ".join(f"'{k.value}'" for k in MONEY_OUT)
MONEY_SQL = f"{IN_SQL}, {OUT_SQL}"


@dataclass(frozen=True, slots=True)
class ReportQuery:
    sector: str | None = None
    investor: str | None = None
    startup: str | None = None
    since: PartialDate | None = None
    until: PartialDate | None = None
    into: str | None = None


def _where(reader: Reader, query: ReportQuery) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if query.since and query.until and query.until.end < query.since.start:
        raise InvalidInput(f"{query.until} is before {{option:since}} {query.since}", field="until")
    if query.investor is not None:
        params["investor"] = require_company(reader, query.investor, field="investor").id
        clauses.append("s.investor_id = :investor")
    if query.startup is not None:
        params["startup"] = require_company(reader, query.startup, field="startup").id
        clauses.append("s.company_id = :startup")
    if query.sector is not None:
        params["sector"], params["sector_under"] = query.sector, query.sector + "/%"
        clauses.append("(c.sector = :sector OR c.sector LIKE :sector_under)")
    if query.since is not None:
        params["since"] = query.since.start.isoformat()
        clauses.append("s.date >= :since")
    if query.until is not None:
        params["until"] = query.until.end.isoformat()
        clauses.append("s.date <= :until")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_stakes(reader: Reader, query: ReportQuery, page: Page | None = None) -> Listing[Any]:
    """The matching stakes, one page of them, streamed (see README: JSON output)."""
    page = page or Page()
    where, params = _where(reader, query)
    sql = stake_listing_sql(where, params, page)
    rows = (stake_dict(r) for r in reader.stream(sql, params))
    return Listing(rows, page, "stakes", lambda: count_stakes(reader, where, params))


@dataclass(slots=True)
class _Converted:
    """The stakes' money in the reporting currency, added up as they stream by."""

    invested: Decimal = Decimal(0)
    realised: Decimal = Decimal(0)
    whole: bool = False
    """Every matching stake went by (so these are the report's totals)."""

    def add(self, stake: dict[str, Any]) -> None:
        conv = stake["converted"]
        if conv is None:
            return
        if stake["kind"] in MONEY_IN:
            self.invested += Decimal(conv["amount"])
        elif stake["kind"] in MONEY_OUT:
            self.realised += Decimal(conv["amount"])


@dataclass(slots=True)
class Report:
    """A report: its filters, its stakes (one page, streamed, each with its money in the
    reporting currency), and the totals of every matching stake (asked for after the rows:
    a report of every stake adds them up as they go by, instead of reading them twice)."""

    filters: dict[str, Any]
    into: str
    """The reporting currency."""
    stakes: Listing[Any]
    totals: Callable[[], dict[str, Any]]
    valuations: Callable[[], Iterator[dict[str, Any]]]
    """Every matching stake whose amount and percent imply a valuation, streamed."""


def report(reader: Reader, query: ReportQuery) -> dict[str, Any]:
    """Every matching stake, then totals, in memory (see README: JSON output); for many
    stakes, stream_report."""
    built = stream_report(reader, query)
    stakes = list(built.stakes.rows)
    return {"filters": built.filters, "stakes": stakes, "totals": built.totals()}


def stream_report(reader: Reader, query: ReportQuery, page: Page | None = None) -> Report:
    """The report's stakes (every one, or a page), streamed; then its totals."""
    page = page or Page()
    where, params = _where(reader, query)
    into = query.into or get_settings(reader)["currency"]
    rates = Rates.from_db(reader)
    converter = Converter(reader, into, rates)
    added = _Converted()
    sql = stake_listing_sql(where, params, page)

    def stakes() -> Iterator[dict[str, Any]]:
        for row in reader.stream(sql, params):
            stake = stake_dict(row)
            add_money_views(stake, converter)
            added.add(stake)
            yield stake
        added.whole = page.whole

    def valuations() -> Iterator[dict[str, Any]]:
        implied = Converter(reader, into, rates)
        both = " AND s.amount_minor IS NOT NULL AND s.percent_micro IS NOT NULL"
        sql = stake_listing_sql((where + both) if where else " WHERE" + both[4:], params, Page())
        for row in reader.stream(sql, params):
            stake = stake_dict(row)
            add_money_views(stake, implied)
            yield stake

    def totals() -> dict[str, Any]:
        if added.whole:
            in_total = {"invested": added.invested, "realised": added.realised}
            summary = converter.summary()
        else:
            in_total, summary = _converted_totals(
                reader, where, params, Converter(reader, into, rates)
            )
        return _totals(reader, where, params, in_total, summary, into)

    listing = Listing(stakes(), page, "stakes", lambda: count_stakes(reader, where, params))
    filters = {
        "sector": query.sector,
        "investor": query.investor,
        "startup": query.startup,
        "since": None if query.since is None else str(query.since),
        "until": None if query.until is None else str(query.until),
    }
    return Report(filters, into, listing, totals, valuations)


def _converted_totals(
    reader: Reader, where: str, params: dict[str, Any], converter: Converter
) -> tuple[dict[str, Decimal], dict[str, Any]]:
    """The money put in and realised in the reporting currency, from the database: every
    amount converted at its day's rate (looked up once a day) and rounded as the stake's
    own conversion is, so the sums are those of the stakes converted one by one. The rows
    stream unsorted, over the stake table alone unless a filter needs its company."""
    in_total = {"invested": 0, "": 0, "realised": 0}  # minor units of the reporting currency
    rows = reader.stream(
        f"""
        SELECT CASE WHEN s.kind IN ({IN_SQL}) THEN 'invested'
                    WHEN s.kind IN ({OUT_SQL}) THEN 'realised' ELSE '' END,
               s.currency, s.date, s.date_precision, s.amount_minor
        FROM stake s{_company_join(where)}
        {where} {"AND" if where else "WHERE"} s.amount_minor IS NOT NULL
        """,
        params,
    )
    stored = converter.stored_minor
    for side, currency, date, precision, minor in rows:
        value = stored(minor, currency, date, precision, 1)
        if value is not None:
            in_total[side] += value
    del in_total[""]
    return {k: from_minor(v, converter.into) for k, v in in_total.items()}, converter.summary()


def _company_join(where: str) -> str:
    """The join to the stake's company, when *where* filters by it (its sector)."""
    return " JOIN company c ON c.id = s.company_id" if re.search(r"\bc\.", where) else ""


def _totals(
    reader: Reader,
    where: str,
    params: dict[str, Any],
    in_total: dict[str, Decimal],
    summary: dict[str, Any],
    into: str,
) -> dict[str, Any]:
    base = f"FROM stake s{_company_join(where)}{where}"
    totals = reader.rows(
        f"""
        SELECT s.currency,
               CAST(SUM(CASE WHEN s.kind IN ({IN_SQL}) THEN s.amount_minor ELSE 0 END) AS BIGINT),
               CAST(SUM(CASE WHEN s.kind IN ({OUT_SQL}) THEN s.amount_minor ELSE 0 END) AS BIGINT)
        {base} {"AND" if where else "WHERE"} s.amount_minor IS NOT NULL
        GROUP BY s.currency ORDER BY s.currency
        """,
        params,
    )
    counts = reader.rows(
        f"""
        SELECT COUNT(*), COUNT(DISTINCT s.company_id), COUNT(DISTINCT s.investor_id),
               COUNT(CASE WHEN s.kind IN ({MONEY_SQL}) THEN 1 END),
               COUNT(CASE WHEN s.kind IN ({MONEY_SQL}) AND s.amount_minor IS NULL THEN 1 END),
               COUNT(CASE WHEN s.percent_micro IS NULL THEN 1 END)
        {base}
        """,
        params,
    )[0]
    from ecoport.services.rounds import rounds_taken

    return {
        "stakes": counts[0],
        "startups": counts[1],
        "investors": counts[2],
        "by_currency": [
            {
                "currency": cur,
                "invested": f"{from_minor(i, cur):f}",
                "realised": f"{from_minor(o, cur):f}",
            }
            for cur, i, o in totals
        ],
        "transactions": counts[3],
        "undisclosed_amounts": counts[4],
        "undisclosed_percents": counts[5],
        "in": {
            "invested": plain(in_total["invested"], into),
            "realised": plain(in_total["realised"], into),
            **summary,
        },
        "in_rounds": rounds_taken(reader, where, params).to_json(),
    }


def add_money_views(stake: dict[str, Any], converter: Converter) -> None:
    """Add to a stake: its amount in the reporting currency (``converted``, with the rate and
    where it came from, or ``conversion_error``), and the post-money valuation its amount and
    percent imply (``implied_valuation``, also converted)."""
    stake["converted"] = stake["conversion_error"] = None
    stake["implied_valuation"] = None
    if stake["amount"] is None:
        return
    amount, currency = Decimal(stake["amount"]), stake["currency"]
    date = PartialDate.from_stored(*_stored_date(stake["date"]))
    failed_before = dict(converter.failures)
    done = converter(amount, currency, date)
    if done is None:
        stake["conversion_error"] = next(
            r for r, n in converter.failures.items() if n != failed_before.get(r, 0)
        )
    else:
        value, rate = done
        stake["converted"] = {
            "currency": converter.into,
            "amount": f"{value:f}",
            "rate": f"{rate.value.quantize(Decimal('1e-10')).normalize():f}",
            "rate_date": rate.day.isoformat(),
            "rate_source": rate.source,
        }
    if stake["percent"] is not None:
        valuation = implied_valuation(amount, Decimal(stake["percent"]), currency)
        stake["implied_valuation"] = {
            "currency": currency,
            "amount": f"{valuation:f}",
            "converted": None
            if done is None
            else f"{convert(valuation, done[1].value, converter.into):f}",
        }


def _stored_date(text: str) -> tuple[str, str]:
    """A public date string ("2014-12") back to its stored (start, precision)."""
    precision = {4: "year", 7: "month", 10: "day"}[len(text)]
    start = text + {4: "-01-01", 7: "-01", 10: ""}[len(text)]
    return start, precision


# -- a balance by sector: every investor at once ---------------------------------------

BALANCE_FIELDS = (
    "sector",
    "investors",
    "companies",
    "stakes",
    "invested",
    "realised",
    "currency",
    "not_converted",
)


@dataclass(frozen=True, slots=True)
class SectorBalance:
    sector: str
    investors: int
    companies: int
    stakes: int
    invested: Decimal
    """Money put in (investments, acquisitions), in the reporting currency."""
    realised: Decimal
    """Money out (sales, exits), in the reporting currency."""
    not_converted: int

    def row(self, currency: str) -> dict[str, Any]:
        return {
            "sector": self.sector,
            "investors": self.investors,
            "companies": self.companies,
            "stakes": self.stakes,
            "invested": plain(self.invested, currency),
            "realised": plain(self.realised, currency),
            "currency": currency,
            "not_converted": self.not_converted,
        }


@dataclass(frozen=True, slots=True)
class Balance:
    """The whole portfolio by sector, every investor at once (`report --by sector`): each
    sector's investors, companies, stakes and money in and out in the reporting currency
    (each amount at its day's rate), then the total."""

    currency: str
    depth: int
    sectors: tuple[SectorBalance, ...]
    total: SectorBalance
    why_not: tuple[tuple[str, int], ...]

    csv_fields: ClassVar[tuple[str, ...]] = BALANCE_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {
            "by": "sector",
            "depth": self.depth,
            "currency": self.currency,
            "conversion_rule": RULE,
            "sectors": [s.row(self.currency) for s in self.sectors],
            "total": self.total.row(self.currency),
            "why_not": [{"reason": r, "amounts": n} for r, n in self.why_not],
        }

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        for s in self.sectors:
            yield s.row(self.currency)
        yield self.total.row(self.currency)


def balance_by_sector(reader: Reader, query: ReportQuery, depth: int = 1) -> Balance:
    """Every matching stake's money by sector (at *depth*) in one pass over the database:
    sums per sector, currency and day in SQL, each day's rate looked up once."""
    if depth < 1:
        raise InvalidInput(f"must be 1 or more (got {depth})", field="depth")
    where, params = _where(reader, query)
    into = query.into or get_settings(reader)["currency"]
    converter = Converter(reader, into)
    sql_where = where or " WHERE 1 = 1"
    key_of: dict[str | None, str] = {}

    def key(sector: str | None) -> str:
        found = key_of.get(sector)
        if found is None:
            found = key_of[sector] = UNSECTORED if sector is None else at_depth(sector, depth)
        return found

    money: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # minor units of into
    missed: dict[str, int] = defaultdict(int)
    day_rows = reader.rows(
        f"""
        SELECT c.sector, CASE WHEN s.kind IN ({IN_SQL}) THEN 0 ELSE 1 END, s.currency,
               s.date, s.date_precision, CAST(SUM(s.amount_minor) AS BIGINT), COUNT(*)
        FROM stake s JOIN company c ON c.id = s.company_id
        {sql_where} AND s.amount_minor IS NOT NULL AND s.kind IN ({MONEY_SQL})
        GROUP BY c.sector, 2, s.currency, s.date, s.date_precision
        """,
        params,
    )
    converter.prepare((r[2], r[3], r[4]) for r in day_rows)
    for sector, side, currency, date, precision, minor, n in day_rows:
        done = converter.stored_minor(minor, currency, date, precision, n)
        if done is None:
            missed[key(sector)] += n
        else:
            money[key(sector)][side] += done
    # Investors per sector read as (sector, investor) pairs with their stakes: a depth may
    # merge sectors, whose investors do not add up. A company has one sector: companies are
    # counted per sector in SQL, as those with a matching stake.
    base = f"FROM stake s JOIN company c ON c.id = s.company_id {sql_where}"
    seen: dict[str, set[int]] = defaultdict(set)
    stakes: dict[str, int] = defaultdict(int)
    for sector, investor, n in reader.rows(
        f"SELECT c.sector, s.investor_id, COUNT(*) {base} GROUP BY c.sector, s.investor_id",
        params,
    ):
        k = key(sector)
        seen[k].add(investor)
        stakes[k] += n
    investors = {k: len(ids) for k, ids in seen.items()}
    companies: dict[str, int] = defaultdict(int)
    for sector, n in reader.rows(
        "SELECT c.sector, COUNT(*) FROM company c WHERE EXISTS (SELECT 1 FROM stake s "
        f"WHERE s.company_id = c.id AND {sql_where.removeprefix(' WHERE ')}) GROUP BY c.sector",
        params,
    ):
        companies[key(sector)] += n
    everyone = len({i for ids in seen.values() for i in ids})
    rows = tuple(
        SectorBalance(
            sector=k,
            investors=investors[k],
            companies=companies[k],
            stakes=stakes[k],
            invested=from_minor(money[k][0], into),
            realised=from_minor(money[k][1], into),
            not_converted=missed[k],
        )
        for k in sorted(stakes, key=lambda k: (-money[k][0], k))
    )
    total = SectorBalance(
        sector="(all)",
        investors=everyone,
        companies=sum(companies.values()),
        stakes=sum(stakes.values()),
        invested=sum((r.invested for r in rows), Decimal(0)),
        realised=sum((r.realised for r in rows), Decimal(0)),
        not_converted=sum(missed.values()),
    )
    return Balance(into, depth, rows, total, tuple(sorted(converter.failures.items())))
