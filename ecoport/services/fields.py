"""Turning a stake's text fields (options, seed entries, file rows) into checked values."""

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from ecoport.core.dates import parse_date
from ecoport.core.money import currency_code, parse_money
from ecoport.core.names import clean_name
from ecoport.core.ownership import Kind, parse_kind
from ecoport.core.percent import parse_percent
from ecoport.core.sectors import normalize_sector
from ecoport.errors import InvalidInput
from ecoport.services.stakes import StakeCreate

#: Words that mean "not disclosed" where an amount or a percent is expected.
UNDISCLOSED = frozenset({"", "undisclosed", "n/a", "na", "unknown", "-", "none"})


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


def stake_from_fields(
    fields: Mapping[str, Any],
    *,
    where: Callable[[str], str],
    today: dt.date | None = None,
    symbols: dict[str, str] | None = None,
) -> tuple[StakeCreate | None, list[InvalidInput]]:
    """Check every field; return the stake, or None with one error per bad field.

    *where* names a field for the user: ``--percent`` on the command line,
    ``seed.yaml:12: percent`` in a file. *symbols* says what ``$`` and ``¥`` mean.
    """
    errors: list[InvalidInput] = []

    def check(name: str, parse: Callable[[str], Any], *, required: bool = False) -> Any:
        raw = fields.get(name)
        value = disclosed(raw) if name in ("amount", "percent") else text(raw)
        if value is None:
            if required:
                errors.append(InvalidInput("is required", where=where(name)))
            return None
        try:
            return parse(value)
        except InvalidInput as exc:
            errors.append(InvalidInput(exc.message, where=where(name)))
            return None

    investor = check("investor", clean_name, required=True)
    startup = check("startup", clean_name, required=True)
    sector = check("sector", normalize_sector)
    currency = check("currency", currency_code)
    currency_bad = currency is None and text(fields.get("currency")) is not None
    money = (
        None
        if currency_bad
        else check("amount", lambda v: parse_money(v, currency=currency, defaults=symbols))
    )
    percent = check("percent", parse_percent)
    date = check("date", lambda v: parse_date(v, today=today), required=True)
    kind = check("kind", parse_kind) or Kind.INVESTMENT
    if currency is not None and disclosed(fields.get("amount")) is None:
        errors.append(InvalidInput("a currency needs an amount", where=where("amount")))
    if investor and startup and investor.casefold() == startup.casefold():
        errors.append(
            InvalidInput(f"{startup} cannot hold a stake in itself", where=where("startup"))
        )
    if errors:
        return None, errors
    return (
        StakeCreate(
            investor=investor,
            startup=startup,
            date=date,
            kind=kind,
            sector=sector,
            amount=money,
            percent=percent,
            round=text(fields.get("round")),
            source=text(fields.get("source")),
            note=text(fields.get("note")),
        ),
        [],
    )
