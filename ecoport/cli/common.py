"""Options shared by commands, and the glue from option values to checked domain values."""

import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, TypeVar

import typer

from ecoport.errors import EcoportError, InvalidInput

T = TypeVar("T")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass(slots=True)
class Globals:
    """Options given before the command (``ecoport --db x.db progress``)."""

    db: str | None = None
    quiet: bool = False
    actor: str | None = None
    wait: float = 600.0
    """How long a write waits for another ecoport write to finish (``--wait``), seconds."""


#: Key of ``ctx.meta`` holding the command line as given, with every password in a URL
#: masked (it goes to the audit trail: see masked).
COMMAND_LINE = "ecoport.command_line"
WAITING = "waiting for another ecoport write to finish…"


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="PATH",
        help="Database file, sqlite:/// or postgresql:// URL; overrides ECOPORT_DB and "
        "ECOPORT_DATABASE_URL.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output as a table, JSON or CSV.")
]


InOption = Annotated[
    str | None,
    typer.Option(
        "--in",
        metavar="CODE",
        help="Reporting currency (default: `ecoport config set currency`, else USD).",
        show_default=False,
    ),
]
ExactOption = Annotated[
    bool, typer.Option("--exact", help="Show every digit of amounts (not 1.27bn).")
]


def globals_of(ctx: typer.Context) -> Globals:
    root = ctx.find_root()
    if not isinstance(root.obj, Globals):
        root.obj = Globals()
    return root.obj


def location(ctx: typer.Context, db: str | None):  # type: ignore[no-untyped-def]
    """The database for this command: its own --db over the global one over the environment;
    a write on it waits --wait seconds for another's, and says so on a terminal."""
    from dataclasses import replace

    from ecoport.store.db import locate

    options = globals_of(ctx)
    found = locate(db or options.db)
    note = None if options.quiet or not sys.stderr.isatty() else _say_waiting
    return replace(found, wait=options.wait, on_wait=note)


def _say_waiting() -> None:
    from ecoport.render import info

    info(WAITING)


def masked(words: list[str]) -> list[str]:
    """The command line's words with the password of every URL in them shown as ``***``
    (``--db postgresql://me:***@host/db``, ``--db=...``, a source's URL)."""
    from ecoport.store.db import hide_password

    return [hide_password(word) for word in words]


def change_of(ctx: typer.Context):  # type: ignore[no-untyped-def]
    """Who is changing the database, with which command line (for the audit trail)."""
    import shlex

    from ecoport.store.db import Change

    words = masked(ctx.meta.get(COMMAND_LINE) or [ctx.command_path])
    return Change(command=shlex.join(words), actor=_actor(globals_of(ctx).actor))


def _actor(name: str | None) -> str | None:
    """--actor (or ECOPORT_ACTOR) as the audit log stores it: text in the normal form, at
    most 200 characters."""
    if name is None:
        return None
    from ecoport.core.text import clean_text

    try:
        actor = clean_text(name)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, where="--actor") from None
    if not actor or len(actor) > 200:
        raise InvalidInput("a name of 1 to 200 characters is expected", where="--actor")
    return actor


def writing_for(ctx: typer.Context, db: str | None, *, commit: bool = True):  # type: ignore[no-untyped-def]
    """A write session on this command's database, audited as this command's change."""
    from ecoport.store.db import writing

    return writing(location(ctx, db), commit=commit, change=change_of(ctx))


def parse(option: str, fn: Callable[[str], T], value: str) -> T:
    """Run a core parser on an option's value; its errors name the option."""
    try:
        return fn(value)
    except EcoportError as exc:
        raise InvalidInput(exc.message, where=option) from None


def parse_opt(option: str, fn: Callable[[str], T], value: str | None) -> T | None:
    return None if value is None else parse(option, fn, value)


def option_name(field: str) -> str:
    """The command-line option for a stake field (``startup`` -> ``--startup``)."""
    return "--" + field.replace("_", "-")
