"""The one stake parser: a record's raw text fields (options, seed entries, file rows) turned
into a checked StakeCreate, or a list of errors that each name their field.

add-stake, stakes edit, import and the seed all call ``parse_stake`` (edit with
``partial=True``); the importer passes memoised parsers, the rest the plain ones.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ecoport.core.dates import PartialDate, parse_date
from ecoport.core.money import Money, currency_code, parse_money
from ecoport.core.names import clean_name
from ecoport.core.ownership import Kind, parse_kind
from ecoport.core.percent import parse_percent
from ecoport.core.sectors import normalize_sector
from ecoport.core.text import clean_text, refusal
from ecoport.errors import FieldError, InvalidInput
from ecoport.services.stakes import StakeCreate, StakeFields

#: Every field of a stake record, in the order of an exported CSV.
FIELDS = (
    "investor",
    "startup",
    "sector",
    "kind",
    "date",
    "amount",
    "currency",
    "percent",
    "round",
    "source",
    "note",
    "round_total",
    "valuation",
    "ref",
)
REQUIRED = ("investor", "startup", "date")
#: Fields whose value may say "not disclosed".
MAYBE_UNDISCLOSED = frozenset({"amount", "percent", "round_total", "valuation"})
#: Words (and spreadsheet artefacts) that mean "not disclosed" where a figure is expected.
UNDISCLOSED = frozenset(
    {"", "undisclosed", "n/a", "na", "n.a.", "unknown", "-", "—", "–", "none", "nan", "null"}
)
#: The longest text each bounded field takes (the same on every backend).
MAX_TEXT = {"round": 100, "ref": 200}


def label_parser(name: str) -> Callable[[str], str | None]:
    """The parser of a free-text field: the normal form of core.text, within its limit."""
    limit = MAX_TEXT.get(name)
    multiline = name == "note"

    def parse(raw: str) -> str | None:
        value = clean_text(raw, multiline=multiline)
        if limit is not None and len(value) > limit:
            raise InvalidInput(f"has more than {limit} characters")
        return value or None

    return parse


def text(value: Any) -> str | None:
    """A field as stripped text; None when absent or blank."""
    if value is None:
        return None
    cleaned = str(value).strip()
    return cleaned or None


def disclosed(value: Any) -> str | None:
    """The field's text, or None when it says the value is undisclosed."""
    cleaned = text(value)
    return None if cleaned is None or cleaned.lower() in UNDISCLOSED else cleaned


@dataclass(frozen=True, slots=True)
class Parsers:
    """The parser of each kind of field; each raises InvalidInput with the reason."""

    name: Callable[[str], str]
    sector: Callable[[str], str]
    kind: Callable[[str], Kind]
    date: Callable[[str], PartialDate]
    currency: Callable[[str], str]
    money: Callable[[str, str | None, str | None], Money]
    """(text, the record's currency, the default currency of amounts that name none)"""
    percent: Callable[[str], Any]


def plain_parsers(
    *,
    today: dt.date | None = None,
    dayfirst: bool | None = None,
    symbols: dict[str, str] | None = None,
) -> Parsers:
    """The parsers as they are, for one record at a time."""

    def money(raw: str, currency: str | None, fallback: str | None) -> Money:
        return parse_money(raw, currency=currency, defaults=symbols, fallback=fallback)

    return Parsers(
        name=clean_name,
        sector=normalize_sector,
        kind=parse_kind,
        date=lambda raw: parse_date(raw, today=today, dayfirst=dayfirst),
        currency=currency_code,
        money=money,
        percent=parse_percent,
    )


def parse_stake(
    fields: Mapping[str, str | None],
    *,
    parsers: Parsers,
    default_currency: str | None = None,
    lone_currency: bool = False,
) -> tuple[StakeCreate | None, list[FieldError]]:
    """Check every field of a new stake; return it, or None with one FieldError per bad field.

    *default_currency* applies to amounts that name no currency (an import's ``--currency``).
    With *lone_currency*, a currency beside no amount is no error (a file's currency column
    on a row whose amount is undisclosed).
    """
    checked, errors = parse_fields(
        fields,
        parsers=parsers,
        default_currency=default_currency,
        partial=False,
        lone_currency=lone_currency,
    )
    if checked is None:
        return None, errors
    assert checked.investor and checked.startup and checked.date
    return (
        StakeCreate(
            investor=checked.investor,
            startup=checked.startup,
            date=checked.date,
            kind=checked.kind or Kind.INVESTMENT,
            sector=checked.sector,
            amount=checked.amount,
            percent=checked.percent,
            round=checked.round,
            round_total=checked.round_total,
            valuation=checked.valuation,
            source=checked.source,
            note=checked.note,
            ref=checked.ref,
        ),
        [],
    )


def check_field(
    name: str, raw: str | None, parse: Callable[[str], Any], *, partial: bool = False
) -> Any:
    """One field's checked value (None when absent or undisclosed), or the FieldError saying
    why it is refused. Depends on nothing but its arguments: the importer memoises it."""
    if raw is not None and (reason := refusal(raw)) is not None:
        return FieldError(name, reason)
    value = None if raw is None else disclosed(raw) if name in MAYBE_UNDISCLOSED else text(raw)
    if value is None:
        if name in REQUIRED and not partial:
            return FieldError(name, "is required")
        return None
    try:
        return parse(value)
    except InvalidInput as exc:
        return FieldError(name, exc.message)


def parse_fields(
    fields: Mapping[str, str | None],
    *,
    parsers: Parsers,
    default_currency: str | None = None,
    partial: bool = True,
    lone_currency: bool = False,
) -> tuple[StakeFields | None, list[FieldError]]:
    """Check the fields given; with *partial* (an edit) none is required."""
    errors: list[FieldError] = []

    def check(name: str, parse: Callable[[str], Any]) -> Any:
        found = check_field(name, fields.get(name), parse, partial=partial)
        if type(found) is FieldError:
            errors.append(found)
            return None
        return found

    investor = check("investor", parsers.name)
    startup = check("startup", parsers.name)
    sector = check("sector", parsers.sector)
    currency = check("currency", parsers.currency)
    currency_bad = currency is None and text(fields.get("currency")) is not None
    amounts: dict[str, Money | None] = {}

    def money(raw: str) -> Money:
        return parsers.money(raw, currency, default_currency)

    for name in ("amount", "round_total", "valuation"):
        amounts[name] = None if currency_bad else check(name, money)
    percent = check("percent", parsers.percent)
    date = check("date", parsers.date)
    kind = check("kind", parsers.kind)
    labels = {name: check(name, label_parser(name)) for name in ("round", "source", "note", "ref")}
    if (
        currency is not None
        and not (lone_currency or partial)
        and not any(disclosed(fields.get(n)) for n in ("amount", "round_total", "valuation"))
    ):
        errors.append(FieldError("amount", "a currency needs an amount"))
    amount, total = amounts["amount"], amounts["round_total"]
    if amount and total and amount.currency == total.currency and amount.amount > total.amount:
        errors.append(
            FieldError(
                "round_total",
                f"{total} is less than the investor's own {amount}; "
                "the round total is the whole round",
            )
        )
    if investor and startup and investor.lower() == startup.lower():
        errors.append(FieldError("startup", f"{startup} cannot hold a stake in itself"))
    if errors:
        return None, errors
    return (
        StakeFields(
            investor=investor,
            startup=startup,
            date=date,
            kind=kind,
            sector=sector,
            amount=amount,
            percent=percent,
            round=labels["round"],
            round_total=total,
            valuation=amounts["valuation"],
            source=labels["source"],
            note=labels["note"],
            ref=labels["ref"],
        ),
        [],
    )
