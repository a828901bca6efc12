"""Pages of a listing: which rows (LIMIT/OFFSET), in which order (ORDER BY a total order
ending in the ID), and the fields each listing sorts by. Light: imported by the CLI."""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
NO_LIMIT = 2**62


@dataclass(frozen=True, slots=True)
class Page:
    """Which rows of a listing to give, in which order."""

    limit: int | None = None
    """At most this many rows; None: every row from *offset* on."""
    offset: int = 0
    sort: str | None = None
    """A field of the listing's SORTS; None: its default order."""
    descending: bool = False
    """The whole order reversed (ties too)."""

    @property
    def whole(self) -> bool:
        """Every row, from the first."""
        return self.limit is None and self.offset == 0


@dataclass(frozen=True, slots=True)
class Key:
    """One ORDER BY term in ascending order; *nulls_first* for a column that may be NULL
    (said explicitly: SQLite and PostgreSQL place NULLs differently by default)."""

    sql: str
    descending: bool = False
    nulls_first: bool | None = None

    def term(self, reverse: bool) -> str:
        down = self.descending != reverse
        text = f"{self.sql} {'DESC' if down else 'ASC'}"
        if self.nulls_first is not None:
            text += " NULLS FIRST" if self.nulls_first != reverse else " NULLS LAST"
        return text


#: The dates of a stake or round: by day, a less precise date ("2014") before the days in it.
def _dated(alias: str) -> tuple[Key, ...]:
    return (Key(f"{alias}.date"), Key(f"{alias}.date_precision", descending=True))


STAKE_SORTS: dict[str, tuple[Key, ...]] = {
    "date": _dated("s"),
    "id": (),
    "investor": (Key("i.name_key"),),
    "startup": (Key("c.name_key"),),
    "sector": (Key("c.sector", nulls_first=True),),
    "kind": (Key("s.kind"),),
    "round": (Key("r.name", nulls_first=True),),
    # amounts compare within their currency (undisclosed first)
    "amount": (Key("s.currency", nulls_first=True), Key("s.amount_minor", nulls_first=True)),
    "percent": (Key("s.percent_micro", nulls_first=True),),
}
COMPANY_SORTS: dict[str, tuple[Key, ...]] = {
    "name": (Key("c.name_key"),),
    "sector": (Key("c.sector", nulls_first=True),),
    "holders": (Key("holders"),),
    "holdings": (Key("holdings"),),
    "stakes": (Key("stakes"),),
}
ROUND_SORTS: dict[str, tuple[Key, ...]] = {
    "date": _dated("r"),
    "id": (),
    "startup": (Key("c.name_key"),),
    "round": (Key("r.name", nulls_first=True),),
    "total": (Key("r.currency", nulls_first=True), Key("r.total_minor", nulls_first=True)),
    "valuation": (
        Key("r.currency", nulls_first=True),
        Key("r.valuation_minor", nulls_first=True),
    ),
    "participants": (Key("participants"),),
}


def order_by(sorts: Mapping[str, Sequence[Key]], page: Page, id_column: str) -> str:
    """`` ORDER BY`` the page's field, then the listing's default order (its first field),
    then *id_column*: a total order, the same on SQLite and PostgreSQL."""
    default = next(iter(sorts))
    keys = list(sorts[page.sort or default])
    if page.sort not in (None, default):
        keys += sorts[default]
    keys.append(Key(id_column))
    return " ORDER BY " + ", ".join(k.term(page.descending) for k in keys)


def limit_offset(page: Page, params: dict[str, Any]) -> str:
    """`` LIMIT :limit OFFSET :offset`` for the page (its values put into *params*)."""
    if page.whole:
        return ""
    # "no limit" is LIMIT ALL on PostgreSQL and -1 on SQLite; a number past any table is both
    params["page_limit"] = NO_LIMIT if page.limit is None else page.limit
    params["page_offset"] = page.offset
    return " LIMIT :page_limit OFFSET :page_offset"


@dataclass(slots=True)
class Listing(Generic[T]):
    """One page of a listing: its rows, streamed from the database cursor (read them inside
    the reading block), and how many rows the whole listing has (counted when asked)."""

    rows: Iterator[T]
    page: Page
    noun: str
    """What a row is, in the plural (``stakes``)."""
    count: Callable[[], int] = field(repr=False, default=lambda: 0)
