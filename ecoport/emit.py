"""One way to emit a result: a service returns a typed, frozen result object, and `emit`
turns it into a table, JSON or CSV, so that each command reads "parse options -> call one
service -> emit".

A result is a frozen dataclass that keeps its values typed (Decimal, Money, dates, ints),
never pre-formatted strings, and knows two things about itself:

- ``to_json()``: its documented JSON shape (plain dicts, lists, strings and numbers; money
  and percents as exact decimal strings). An iterator in it is streamed item by item.
- ``csv_fields`` and ``csv_rows()``: its records as flat rows, for CSV.

How it looks on a terminal is the renderer's business, not the result's: a table renderer
registers for the result's type with ``@table_for(ResultType)``, in the module of
``ecoport.tables`` named as the result's service module (a result defined in
``ecoport.services.returns`` is drawn by ``ecoport.tables.returns``), imported only when a
table is asked for. Services never import rich; ``ecoport.render`` holds the primitives
(console, tables that fit, details, money and percent as people read them, JSON and CSV
streaming) that the table modules draw with.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

FORMATS = ("table", "json", "csv")


@runtime_checkable
class Result(Protocol):
    """What every service result offers to the emitter."""

    @property
    def csv_fields(self) -> tuple[str, ...]: ...

    def to_json(self) -> Any: ...

    def csv_rows(self) -> Iterable[Mapping[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class Style:
    """How a person asked to see a table: exact amounts, every column."""

    exact: bool = False
    wide: bool = False
    quiet: bool = False
    limit: int | None = None
    """Records to show of a result that holds them all (the first page on a terminal)."""


R = TypeVar("R")
TableRenderer = Callable[[Any, Style], None]
_TABLES: dict[type, TableRenderer] = {}


def table_for(kind: type[R]) -> Callable[[Callable[[R, Style], None]], Callable[[R, Style], None]]:
    """Register the function that draws a *kind* result as a table on a terminal."""

    def register(function: Callable[[R, Style], None]) -> Callable[[R, Style], None]:
        _TABLES[kind] = function
        return function

    return register


def _renderer(kind: type) -> TableRenderer:
    import importlib

    for base in kind.__mro__:
        if base not in _TABLES and base.__module__.startswith("ecoport.services."):
            importlib.import_module("ecoport.tables." + base.__module__.rsplit(".", 1)[1])
        if base in _TABLES:
            return _TABLES[base]
    raise TypeError(f"no table renderer for {kind.__name__}")  # a programming error


def emit(
    result: Result,
    fmt: str = "table",
    *,
    exact: bool = False,
    wide: bool = False,
    quiet: bool = False,
    limit: int | None = None,
) -> None:
    """Write *result* to stdout as a table, JSON or CSV (*fmt*, one of FORMATS)."""
    from ecoport import render

    if fmt == "json":
        render.stream_json(result.to_json())
    elif fmt == "csv":
        render.as_csv(result.csv_rows(), result.csv_fields)
    else:
        _renderer(type(result))(result, Style(exact=exact, wide=wide, quiet=quiet, limit=limit))


@dataclass(frozen=True, slots=True)
class Done:
    """What a writing command did: its record for scripts (JSON, or one CSV row of
    *fields*) and, for people, one line on stderr (a note, which --quiet silences)."""

    record: Mapping[str, Any]
    line: str
    fields: tuple[str, ...] | None = None

    @property
    def csv_fields(self) -> tuple[str, ...]:
        return self.fields or tuple(self.record)

    def to_json(self) -> dict[str, Any]:
        return dict(self.record)

    def csv_rows(self) -> list[Mapping[str, Any]]:
        return [self.record]


@table_for(Done)
def _done(result: Done, style: Style) -> None:
    from ecoport.render import info

    info(result.line, quiet=style.quiet)
