"""Options shared by commands, and the glue from option values to checked domain values."""

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ecoport.errors import EcoportError, InvalidInput

T = TypeVar("T")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass(slots=True)
class Globals:
    """The global options, given before the command (``ecoport --db x.db progress``) or
    after it (``ecoport progress --db x.db``)."""

    db: str | None = None
    quiet: bool = False
    actor: str | None = None
    wait: float = 600.0
    """How long a write waits for another ecoport write to finish (``--wait``), seconds."""


#: Key of ``ctx.meta`` holding the command line as given, with every password in a URL
#: masked (it goes to the audit trail: see masked).
COMMAND_LINE = "ecoport.command_line"
WAITING = "waiting for another ecoport write to finish…"


#: The global options: given before the command (``ecoport -q stakes list``) or after it
#: (``ecoport stakes list -q``); after it wins.
GLOBAL_OPTIONS = ("--db", "--quiet", "--actor", "--wait")
DB_HELP = (
    "Database file, sqlite:/// or postgresql:// URL (else ECOPORT_DB, ECOPORT_DATABASE_URL, "
    "or the user data folder)."
)
QUIET_HELP = "Print only results, no notes."
ACTOR_HELP = (
    "Who makes the changes, for the audit log (else ECOPORT_ACTOR, else the operating-system user)."
)
WAIT_HELP = (
    "How long a write waits for another ecoport write to finish before giving up, changing "
    "nothing (else ECOPORT_WAIT, else 600)."
)


DbOption = Annotated[
    str | None, typer.Option("--db", metavar="PATH", help=DB_HELP, show_default=False)
]
FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", case_sensitive=False, help="Output as a table, JSON or CSV."),
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


def _set_global(ctx: typer.Context, param: typer.CallbackParam, value: object) -> None:
    """A global option given after the command: it overrides the one given before."""
    if value is None or value is False or ctx.resilient_parsing:
        return
    assert param.name is not None
    setattr(globals_of(ctx), param.name.removeprefix("global_"), value)


def _global_options(
    global_db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help=DB_HELP,
            show_default=False,
            callback=_set_global,
            expose_value=False,
        ),
    ] = None,
    global_quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help=QUIET_HELP, callback=_set_global, expose_value=False),
    ] = False,
    global_actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            metavar="NAME",
            help=ACTOR_HELP,
            show_default=False,
            callback=_set_global,
            expose_value=False,
        ),
    ] = None,
    global_wait: Annotated[
        float | None,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            min=0,
            help=WAIT_HELP,
            show_default=False,
            callback=_set_global,
            expose_value=False,
        ),
    ] = None,
) -> None:
    """The global options as a command declares them (see with_global_options)."""


def with_global_options(command: Callable[..., None]) -> Callable[..., None]:
    """*command* accepting the global options after its name too (``ecoport stakes list
    -q``), each one it does not declare itself; their values go to Globals, not to it."""
    import functools
    import inspect

    own = inspect.signature(command, eval_str=True)
    declared = {_flag_of(p.annotation) for p in own.parameters.values()}
    shared = [
        p
        for p in inspect.signature(_global_options, eval_str=True).parameters.values()
        if _flag_of(p.annotation) not in declared
    ]
    names = {p.name for p in shared}

    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> None:
        return command(*args, **{k: v for k, v in kwargs.items() if k not in names})

    run.__signature__ = own.replace(  # type: ignore[attr-defined]
        parameters=[*own.parameters.values(), *shared]
    )
    run.__annotations__ = {
        **command.__annotations__,
        **{p.name: p.annotation for p in shared},
    }
    return run


def _flag_of(annotation: object) -> str | None:
    """The long option an ``Annotated[..., typer.Option("--db", ...)]`` declares."""
    for meta in getattr(annotation, "__metadata__", ()):
        decls = [getattr(meta, "default", None), *(getattr(meta, "param_decls", None) or ())]
        for decl in decls:
            if isinstance(decl, str) and decl.startswith("--"):
                return decl
    return None


def globals_of(ctx: typer.Context) -> Globals:
    root = ctx.find_root()
    if not isinstance(root.obj, Globals):
        root.obj = Globals()
    return root.obj


def location(ctx: typer.Context, db: str | None):  # type: ignore[no-untyped-def]
    """The database for this command: its own --db over the global one over the environment;
    a write on it waits --wait seconds for another's, and says so on a terminal."""
    from dataclasses import replace

    from ecoport.errors import StoreError
    from ecoport.store.db import locate

    options = globals_of(ctx)
    try:
        found = locate(db or options.db)
    except StoreError as exc:  # a URL ecoport cannot use: a bad value, not a failure
        raise InvalidInput(exc.message, where=exc.where) from None
    folder = found.path.parent
    if found.is_sqlite and found.origin != "default" and not folder.is_dir():
        why = "is not a folder" if folder.exists() else "does not exist"
        raise InvalidInput(f"folder {folder} {why}", where=found.origin)
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
    """The command-line option for a field (``startup`` -> ``--startup``): the one place a
    field's name becomes a flag."""
    return "--" + field.replace("_", "-")


_NAMED = re.compile(r"\{(option):([a-z_]+)\}|\{(command):([a-z][^{}]*)\}")


def spelled(text: str) -> str:
    """Text from below the CLI with its option and command names spelled as a user types
    them: ``{option:new_company}`` -> ``--new-company``, ``{command:fx set}`` ->
    `` `ecoport fx set` `` (services, core and store never spell a flag: see errors.py)."""
    if "{" not in text:
        return text
    return _NAMED.sub(lambda m: option_name(m[2]) if m[1] else f"`ecoport {m[4]}`", text)


def interactive() -> bool:
    """Whether someone at a terminal can answer a question."""
    return sys.stdin.isatty()


def confirmed(question: str, *, yes: bool, refusal: str) -> bool:
    """gh's convention for a question: --yes answers it; else it is asked on a terminal, and
    refused (exit 2, with *refusal*) when nobody is there to answer."""
    if yes:
        return True
    if not interactive():
        raise InvalidInput(f"not on a terminal: {refusal}", where="--yes")
    return typer.confirm(question, default=False, err=True)


def emit(
    ctx: typer.Context,
    fmt: Format,
    record: dict[str, Any],
    line: str,
    fields: Sequence[str] | None = None,
) -> None:
    """What a command did: the record for scripts (-f json, -f csv: one row of *fields*),
    else *line* for people, on stderr (a note: --quiet silences it). Written by the one
    emitter, as every result is."""
    from ecoport import emit as emitter

    done = emitter.Done(record, line, None if fields is None else tuple(fields))
    emitter.emit(done, fmt.value, quiet=globals_of(ctx).quiet)


#: Advice written below the CLI that names options, fitted to the command showing it:
#: (pattern, the options the advice needs, what to say instead when the command lacks
#: them; None: always). A stopgap while services still name options (DESIGN.md, 5).
_ADVICE: tuple[tuple[str, frozenset[str] | None, str], ...] = (
    (
        r"\? Pass --dayfirst \(dd/mm/yyyy\) or --monthfirst \(mm/dd/yyyy\), or write YYYY-MM-DD",
        frozenset({"--dayfirst", "--monthfirst"}),
        "? Write it as YYYY-MM-DD",
    ),
    (
        r"none has a target; choose one of (.+)$",
        None,
        r"none has a target; choose one of \1, or give them targets with `ecoport target set`",
    ),
)


def fit_to_command(exc: EcoportError, options: set[str]) -> None:
    """Make *exc* speak to the command that raised it (with these *options*): a field of a
    record named as the option that gave it, and no advice to use an option it lacks."""
    if exc.where is None and exc.field is not None:
        option = option_name(exc.field)
        exc.where = option if option in options else exc.field
    exc.message = spelled(exc.message)
    exc.details = [spelled(d) for d in exc.details]
    for pattern, needs, instead in _ADVICE:
        if needs is None or not needs <= options:
            exc.message = re.sub(pattern, instead, exc.message)
    exc.args = (exc.message,)


def light_coercion() -> None:
    """Coerce the common option values without pydantic (60 ms to import, more than the rest
    of a reading command). typer coerces every value through a pydantic ``TypeAdapter``;
    text, whole and decimal numbers, paths, choices and lists of text are coerced here as
    that adapter coerces them. Any other annotation, and any value these would refuse, goes
    to typer's own coercion, so its messages stay as they are."""
    import typer.core
    from typer._coercion import build_runtime_param
    from typer._param_types import choice_coercion_annotation, coerce_cli_choice, coerce_cli_path

    whole = re.compile(r"[+-]?\d+")
    decimal = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")

    def light(param: Any, value: Any, ctx: Any) -> Any:
        """The value coerced, or *param* itself when typer's own coercion must decide."""
        descriptor = param.type_descriptor
        annotation, info = descriptor.annotation, descriptor.parameter_info
        if info.parser is not None or descriptor.file_annotation is not None:
            return param
        if annotation is str:
            return value if isinstance(value, str) else param
        if annotation is list[str]:
            ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
            return list(value) if ok else param
        if annotation in (int, float) and not info.clamp:
            if type(value) is annotation or (annotation is float and type(value) is int):
                number = annotation(value)
            elif isinstance(value, str) and (whole if annotation is int else decimal).fullmatch(
                value
            ):
                number = annotation(value)
            else:
                return param
            low, high = info.min, info.max
            if (low is not None and number < low) or (high is not None and number > high):
                return param
            return number
        choice = choice_coercion_annotation(annotation, info)
        if choice is not None:
            try:
                return coerce_cli_choice(
                    value, choices=choice[0], case_sensitive=choice[1], ctx=ctx
                )
            except ValueError:
                return param
        if (
            isinstance(annotation, type)
            and issubclass(annotation, Path)
            and info.path_type is None
            and isinstance(value, str | Path)
            and str(value)
        ):
            path = value if isinstance(value, annotation) else annotation(value)
            return coerce_cli_path(path, info, path_type=annotation, param=param, ctx=ctx)
        return param

    class Light:
        """typer's runtime parameter, light where it can be."""

        def __init__(self, param: Any) -> None:
            self.param = param
            self.full: Any = None

        def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
            if value is None:  # as typer's: no value, or none of a list
                return () if param.multiple or param.nargs == -1 else None
            coerced = light(param, value, ctx)
            if coerced is not param:
                return coerced
            if self.full is None:
                self.full = build_runtime_param(param.type_descriptor)
            return self.full.coerce(value, param=param, ctx=ctx)

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None:
            self._runtime_param = Light(self)
        return self._runtime_param

    typer.core._TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]
