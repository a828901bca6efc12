"""All SQLModel tables of ecoport, in one module."""

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def stored_now() -> str:
    """``created_at`` as SQLite stores it, for rows written without the ORM."""
    return _now().strftime("%Y-%m-%d %H:%M:%S.%f")


class Company(SQLModel, table=True):
    """A company: an investor, a startup, or both."""

    __tablename__ = "company"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    #: casefolded name; unique, so "xiaomi" and "Xiaomi" are one company
    name_key: str = Field(max_length=200, unique=True)
    #: normalised name (no case, punctuation, spaces or legal suffix); resolves spellings
    match_key: str = Field(max_length=200, index=True)
    #: sector path such as "iot/wearables"; None for a pure investor
    sector: str | None = Field(default=None, max_length=200, index=True)
    note: str | None = None
    source: str | None = None
    created_at: dt.datetime = Field(default_factory=_now)


class CompanyAlias(SQLModel, table=True):
    """Another spelling of a company's name ("ZMI" for Zimi)."""

    __tablename__ = "company_alias"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    alias: str = Field(max_length=200)
    alias_key: str = Field(max_length=200, unique=True)
    match_key: str = Field(max_length=200, index=True)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK that *column* holds one of *values*, written as comparisons joined by OR: SQLite
    builds the list of an IN afresh each time a statement runs, about 3.5 µs for every row
    a bulk insert writes (revision 0011)."""
    return " OR ".join(f"{column} = '{value}'" for value in values)


_PRECISIONS = ("year", "month", "day")
_STAKE_KINDS = ("investment", "acquisition", "holding", "sale", "exit", "write-off")
_MARK_KINDS = ("valuation", "price", "write-down", "write-off")
_DILUTING = "total_minor IS NOT NULL AND valuation_minor IS NOT NULL"
_HAS_REF = "ref IS NOT NULL"
_WHOLE = "kind = 'acquisition' AND (percent_micro IS NULL OR percent_micro >= 100000000)"


class FundingRound(SQLModel, table=True):
    """A company's financing event: its date, name, total and valuation; stakes take part."""

    __tablename__ = "funding_round"
    __table_args__ = (
        CheckConstraint(_one_of("date_precision", _PRECISIONS), name="ck_round_precision"),
        CheckConstraint("total_minor IS NULL OR total_minor > 0", name="ck_round_total"),
        CheckConstraint(
            "valuation_minor IS NULL OR valuation_minor > 0", name="ck_round_valuation"
        ),
        CheckConstraint(
            "(currency IS NULL) = (total_minor IS NULL AND valuation_minor IS NULL)",
            name="ck_round_currency",
        ),
        # the few rounds that dilute, apart from the many that do not (revision 0010)
        Index(
            "ix_funding_round_diluting",
            "company_id",
            "date",
            sqlite_where=text(_DILUTING),
            postgresql_where=text(_DILUTING),
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id"), nullable=False, index=True)
    )
    #: first day of the period, ISO "YYYY-MM-DD"; with date_precision it is a partial date
    date: str = Field(max_length=10)
    date_precision: str = Field(max_length=5)
    #: seed, A, B, strategic...; None when the source names none
    name: str | None = Field(default=None, max_length=100)
    #: the round's total in minor units of `currency`; None when undisclosed
    total_minor: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: post-money valuation as given by the source, minor units of `currency`
    valuation_minor: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    currency: str | None = Field(default=None, max_length=3)
    source: str | None = None
    note: str | None = None
    created_at: dt.datetime = Field(default_factory=_now)


class Stake(SQLModel, table=True):
    """A dated event from an investor into a company: investment, acquisition, sale, exit..."""

    __tablename__ = "stake"
    __table_args__ = (
        CheckConstraint("investor_id <> company_id", name="ck_stake_not_self"),
        CheckConstraint(_one_of("kind", _STAKE_KINDS), name="ck_stake_kind"),
        CheckConstraint(_one_of("date_precision", _PRECISIONS), name="ck_stake_precision"),
        CheckConstraint("amount_minor IS NULL OR amount_minor > 0", name="ck_stake_amount"),
        CheckConstraint(
            "(amount_minor IS NULL) = (currency IS NULL)", name="ck_stake_amount_currency"
        ),
        CheckConstraint(
            "percent_micro IS NULL OR (percent_micro > 0 AND percent_micro <= 100000000)",
            name="ck_stake_percent",
        ),
        # covers what progress reads of an investor's stakes, by company (revision 0010)
        Index(
            "ix_stake_investor_covering",
            "investor_id",
            "company_id",
            "date",
            "kind",
            "percent_micro",
            "currency",
            "amount_minor",
            "date_precision",
            "round_id",
        ),
        # unique where given: the many stakes without one are not in it (revision 0012)
        Index(
            "ix_stake_ref",
            "ref",
            unique=True,
            sqlite_where=text(_HAS_REF),
            postgresql_where=text(_HAS_REF),
        ),
        # the few acquisitions of a whole company (they end the others' positions), covering
        Index(
            "ix_stake_whole_acquisition",
            "company_id",
            "investor_id",
            "date",
            "kind",
            "percent_micro",
            sqlite_where=text(_WHOLE),
            postgresql_where=text(_WHOLE),
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    investor_id: int = Field(sa_column=Column(Integer, ForeignKey("company.id"), nullable=False))
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id"), nullable=False, index=True)
    )
    kind: str = Field(max_length=20)
    #: first day of the period, ISO "YYYY-MM-DD"; with date_precision it is a partial date
    date: str = Field(max_length=10)
    date_precision: str = Field(max_length=5)
    #: integer minor units (cents, fen) of `currency`; None when undisclosed
    amount_minor: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    currency: str | None = Field(default=None, max_length=3)
    #: millionths of a percent (1.29 % -> 1290000); None when undisclosed
    percent_micro: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: the funding round the stake was part of, if known
    round_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("funding_round.id"), nullable=True, index=True),
    )
    #: a stable reference given by the stake's source (the seed's keys), unique
    ref: str | None = Field(default=None, max_length=200)
    source: str | None = None
    note: str | None = None
    created_at: dt.datetime = Field(default_factory=_now)


class Mark(SQLModel, table=True):
    """A dated value of a company given by the user: a valuation, a price per share times
    the share count, a write-down, or a write-off (worth nothing)."""

    __tablename__ = "mark"
    __table_args__ = (
        UniqueConstraint("company_id", "date", "date_precision", name="uq_mark_company_date"),
        CheckConstraint(_one_of("kind", _MARK_KINDS), name="ck_mark_kind"),
        CheckConstraint(_one_of("date_precision", _PRECISIONS), name="ck_mark_precision"),
        CheckConstraint("valuation_minor IS NULL OR valuation_minor > 0", name="ck_mark_valuation"),
        CheckConstraint("price_minor IS NULL OR price_minor > 0", name="ck_mark_price"),
        CheckConstraint("shares IS NULL OR shares > 0", name="ck_mark_shares"),
        CheckConstraint("(price_minor IS NULL) = (shares IS NULL)", name="ck_mark_price_shares"),
        CheckConstraint(
            "(kind = 'write-off') = (valuation_minor IS NULL AND currency IS NULL)",
            name="ck_mark_write_off",
        ),
        CheckConstraint("(kind = 'price') = (price_minor IS NOT NULL)", name="ck_mark_price_kind"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(sa_column=Column(Integer, ForeignKey("company.id"), nullable=False))
    #: first day of the period, ISO "YYYY-MM-DD"; with date_precision it is a partial date
    date: str = Field(max_length=10)
    date_precision: str = Field(max_length=5)
    #: valuation, price, write-down or write-off
    kind: str = Field(max_length=20)
    #: the company's whole value in minor units of `currency` (a price's: price x shares);
    #: None for a write-off
    valuation_minor: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    currency: str | None = Field(default=None, max_length=3)
    #: price per share in minor units of `currency`, with the number of shares it values
    price_minor: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    shares: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    source: str | None = None
    note: str | None = None
    created_at: dt.datetime = Field(default_factory=_now)


class Target(SQLModel, table=True):
    """How many distinct companies an investor aims to hold stakes in."""

    __tablename__ = "target"
    __table_args__ = (CheckConstraint("target > 0", name="ck_target_positive"),)

    investor_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    )
    target: int
    note: str | None = None
    source: str | None = None


class Milestone(SQLModel, table=True):
    """A count an investor reported toward its target by a date, with its source."""

    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint(
            "investor_id", "date", "date_precision", "what", name="uq_milestone_investor_date"
        ),
        CheckConstraint("reported > 0", name="ck_milestone_reported"),
        CheckConstraint(
            "date_precision = 'year' OR date_precision = 'month' OR date_precision = 'day'",
            name="ck_milestone_precision",
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    investor_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False)
    )
    #: first day of the period, ISO "YYYY-MM-DD"; with date_precision it is a partial date
    date: str = Field(max_length=10)
    date_precision: str = Field(max_length=5)
    reported: int
    what: str = Field(max_length=200)
    source: str | None = None
    note: str | None = None


class SectorTarget(SQLModel, table=True):
    """How many companies of a sector (and its sub-sectors) an investor aims for."""

    __tablename__ = "sector_target"
    __table_args__ = (CheckConstraint("target > 0", name="ck_sector_target_positive"),)

    investor_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    )
    sector: str = Field(primary_key=True, max_length=200)
    target: int


class Setting(SQLModel, table=True):
    """A setting of this database: the reporting currency, what "$" and "¥" mean..."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=200)


class FxRate(SQLModel, table=True):
    """An exchange rate of the user's own; wins over the ECB's for its pair and date."""

    __tablename__ = "fx_rate"
    __table_args__ = (
        UniqueConstraint("base", "quote", "date", name="uq_fx_rate_pair_date"),
        CheckConstraint("base <> quote", name="ck_fx_rate_pair"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    base: str = Field(max_length=3)
    quote: str = Field(max_length=3)
    #: ISO day the rate applies to
    date: str = Field(max_length=10)
    #: units of quote per unit of base, as exact decimal text ("0.1628")
    rate: str = Field(max_length=40)
    source: str | None = None
    created_at: dt.datetime = Field(default_factory=_now)


class AuditChange(SQLModel, table=True):
    """One change to the database: when, who, which command (the audit trail)."""

    __tablename__ = "change"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    #: UTC, ISO 8601 with microseconds ("2026-11-21T10:38:14.123456Z")
    at: str = Field(max_length=32, index=True)
    actor: str = Field(max_length=200)
    command: str
    summary: str
    #: the change this one reverted (``ecoport undo``)
    undoes: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("change.id"), nullable=True, index=True),
    )


class AuditRecord(SQLModel, table=True):
    """One record a change touched: its table, key, and the row before and after (JSON)."""

    __tablename__ = "change_record"
    __table_args__ = (
        Index("ix_change_record_row", "table_name", "row_key"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("change.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    table_name: str = Field(max_length=30)
    row_key: str = Field(max_length=200)
    #: the row as JSON before the change; None when the change created it
    before: str | None = None
    #: the row as JSON after the change; None when the change deleted it
    after: str | None = None
