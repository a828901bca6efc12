"""Options of the listing commands (--limit, --offset, --all, --sort, --wide) and the page
they ask for: a table on a terminal shows its first 50 rows; piped, or as CSV or JSON,
every row (streamed)."""

from collections.abc import Iterable
from typing import Annotated, Any

import typer

from ecoport.cli.common import Format
from ecoport.errors import InvalidInput
from ecoport.services.listing import COMPANY_SORTS, ROUND_SORTS, STAKE_SORTS, Page

#: Rows a table shows on a terminal unless --limit or --all says otherwise.
TERMINAL_PAGE = 50

LimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit",
        "-n",
        metavar="N",
        min=1,
        show_default=False,
        help="At most N rows (a table on a terminal shows 50 unless --all is given).",
    ),
]
OffsetOption = Annotated[
    int, typer.Option("--offset", metavar="N", min=0, help="Skip the first N rows.")
]
AllOption = Annotated[bool, typer.Option("--all", help="Every row, also in a table on a terminal.")]
WideOption = Annotated[
    bool,
    typer.Option(
        "--wide", help="Every column in full, however narrow the terminal (lines may wrap)."
    ),
]


def _sort_option(fields: Iterable[str]) -> Any:
    return typer.Option(
        "--sort",
        metavar="FIELD[:desc]",
        show_default=False,
        help=f"Order by {', '.join(fields)} (then by date and ID); FIELD:desc reverses it.",
    )


StakeSortOption = Annotated[str | None, _sort_option(STAKE_SORTS)]
CompanySortOption = Annotated[str | None, _sort_option(COMPANY_SORTS)]
RoundSortOption = Annotated[str | None, _sort_option(ROUND_SORTS)]


def sort_of(text: str | None, fields: Iterable[str]) -> tuple[str | None, bool]:
    """``--sort date:desc`` as (field, descending); a field the listing does not have is a
    usage error naming the choices."""
    if text is None:
        return None, False
    name, _, direction = text.strip().lower().partition(":")
    choices = list(fields)
    if name not in choices:
        raise InvalidInput(
            f"cannot sort by {text!r}; choose one of {', '.join(choices)} (FIELD:desc reverses)",
            where="--sort",
        )
    if direction not in ("", "asc", "desc"):
        raise InvalidInput(
            f"cannot sort by {text!r}; the order after ':' is asc or desc", where="--sort"
        )
    return name, direction == "desc"


def page_of(
    fmt: Format,
    *,
    limit: int | None,
    offset: int,
    every: bool,
    sort: str | None,
    fields: Iterable[str],
) -> Page:
    """The rows a listing command asked for: --limit/--offset, or --all, or by default the
    first TERMINAL_PAGE when a table goes to a terminal and every row otherwise."""
    if every and limit is not None:
        raise InvalidInput("give --all or --limit, not both", where="--all")
    field, descending = sort_of(sort, fields)
    if limit is None and not every and fmt is Format.table:
        from ecoport.render import terminal

        if terminal():
            limit = TERMINAL_PAGE
    return Page(limit=limit, offset=offset, sort=field, descending=descending)
