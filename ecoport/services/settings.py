"""Settings of a database: the reporting currency, and what "$" and "¥" mean."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ecoport.core.money import AMBIGUOUS, currency_code
from ecoport.errors import InvalidInput
from ecoport.store.db import Location, Reader, State, check, reading

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class Known:
    default: str
    help: str
    symbol: str | None = None


KNOWN: dict[str, Known] = {
    "currency": Known("USD", "reporting currency of every report ({option:in} overrides it)"),
    "dollar": Known("USD", 'what a bare "$" in an amount means', symbol="$"),
    "yen": Known("CNY", 'what a bare "¥" in an amount means', symbol="¥"),
}


def get_settings(reader: Reader) -> dict[str, str]:
    stored: dict[str, str] = {
        row[0]: row[1] for row in reader.rows("SELECT key, value FROM setting")
    }
    return {key: stored.get(key, known.default) for key, known in KNOWN.items()}


def settings_at(location: Location) -> dict[str, str]:
    """The settings of the database at *location*; the defaults when there is none yet."""
    if check(location) in (State.MISSING, State.EMPTY):
        return {key: known.default for key, known in KNOWN.items()}
    with reading(location) as reader:
        return get_settings(reader)


def symbols(settings: dict[str, str]) -> dict[str, str]:
    """The ambiguous symbols' meanings, for the money parser."""
    return {k.symbol: settings[key] for key, k in KNOWN.items() if k.symbol}


def set_setting(*, session: "Session", key: str, value: str) -> tuple[str, str]:
    """Store a setting; returns (old value, new value)."""
    from ecoport.store.db import SessionReader
    from ecoport.store.models import Setting

    if key not in KNOWN:
        raise InvalidInput(f"unknown setting {key!r} (choose from {', '.join(KNOWN)})", where="KEY")
    try:
        code = currency_code(value)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, where="VALUE") from None
    symbol = KNOWN[key].symbol
    if symbol is not None and code not in AMBIGUOUS[symbol][1]:
        choices = ", ".join(sorted(AMBIGUOUS[symbol][1]))
        raise InvalidInput(f'"{symbol}" cannot mean {code} (choose from {choices})', where="VALUE")
    old = get_settings(SessionReader(session))[key]
    row = session.get(Setting, key) or Setting(key=key, value=code)
    row.value = code
    session.add(row)
    return old, code


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of a database with its value, its default and what it means."""

    values: dict[str, str]

    csv_fields: ClassVar[tuple[str, ...]] = ("key", "value", "default", "meaning")

    def rows(self) -> Iterator[dict[str, str]]:
        for key, known in KNOWN.items():
            yield {"key": key, "value": self.values[key], "default": known.default,
                   "meaning": known.help}  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {"settings": list(self.rows())}

    def csv_rows(self) -> Iterator[dict[str, str]]:
        return self.rows()


def show_settings(location: Location) -> Settings:
    return Settings(settings_at(location))
