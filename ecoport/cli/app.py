"""The root command: global options, the sub-commands, and the one error boundary."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from typer._click import Context, HelpFormatter
from typer.core import TyperCommand, TyperGroup, TyperOption

from ecoport import __version__
from ecoport.cli import (
    companies,
    config,
    db,
    fx,
    history,
    progress,
    report,
    rounds,
    stakes,
    targets,
    transfer,
)
from ecoport.cli.common import (
    ACTOR_HELP,
    COMMAND_LINE,
    DB_HELP,
    GLOBAL_OPTIONS,
    QUIET_HELP,
    WAIT_HELP,
    Globals,
    fit_to_command,
    globals_of,
    light_coercion,
    masked,
    with_global_options,
)
from ecoport.errors import EcoportError

light_coercion()

#: Options people reach for that ecoport calls otherwise: suggested when given.
SYNONYMS = {
    "--company": ("--startup", "--investor", "--into"),
    "--name": ("--startup", "--investor"),
    "--json": ("--format",),
    "--output-format": ("--format",),
    "--yes-i-am-sure": ("--yes",),
}


@contextmanager
def _whole_words() -> Iterator[None]:
    """Help wrapped between words only: an option such as --new-company is never cut at a
    hyphen (Click's wrapper breaks on hyphens, and offers no switch for it)."""
    from typer._click import _textwrap

    plain = _textwrap.TextWrapper

    class WholeWords(plain):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.break_on_hyphens = False

    _textwrap.TextWrapper = WholeWords  # type: ignore[misc]
    try:
        yield
    finally:
        _textwrap.TextWrapper = plain  # type: ignore[misc]


class EcoportFormatter(HelpFormatter):
    """Click's help layout, wrapped between words only."""

    def write_text(self, text: str) -> None:
        with _whole_words():
            super().write_text(text)

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        with _whole_words():
            super().write_dl(rows, col_max, col_spacing)


class EcoportContext(Context):
    formatter_class = EcoportFormatter


class EcoportSubgroup(TyperGroup):
    """A group of commands (ecoport stakes ...)."""

    context_class = EcoportContext


class EcoportGroup(TyperGroup):
    """Turns every failure a user can cause into one line on stderr and an exit code:
    2 for usage errors (a bad option or value), 1 for the rest, 130 when interrupted.
    No tracebacks."""

    context_class = EcoportContext

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        ctx = super().make_context(info_name, list(args), parent=parent, **extra)
        # the command line as given, for the audit trail: no password kept, even here
        ctx.meta.setdefault(COMMAND_LINE, masked([info_name or "ecoport", *args]))
        return ctx

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from typer import _click

        name = prog_name or "ecoport"
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
            if code == 130:  # typer turns Ctrl-C into Exit(130), silently
                _fail(f"{name}: interrupted, nothing changed")
        except EcoportError as exc:
            code = _report(name, exc)
        except _click.exceptions.NoArgsIsHelpError as exc:
            # a bare `ecoport` or `ecoport stakes`: the help, as --help would show it
            sys.stdout.write(exc.ctx.get_help() + "\n" if exc.ctx else "")
            code = 0
        except _click.exceptions.UsageError as exc:
            cmd = exc.ctx.command_path if exc.ctx else name
            if isinstance(exc, _click.exceptions.NoSuchOption):
                _suggest(exc)
            message = exc.format_message()
            _fail(f"{cmd}: error: {message} (see '{cmd} --help')")
            code = exc.exit_code
        except _click.exceptions.ClickException as exc:
            _fail(f"{name}: error: {exc.format_message()}")
            code = exc.exit_code
        except (typer.Abort, KeyboardInterrupt):
            # Ctrl-C (or end of input at a question): every write is one transaction
            _fail(f"{name}: interrupted, nothing changed")
            code = 130
        if standalone_mode:
            sys.exit(code)
        return code


class EcoportCommand(TyperCommand):
    """A command: its errors fitted to its own options; its help lists the global options
    apart (they may come before or after the command, as gh's inherited flags)."""

    context_class = EcoportContext

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EcoportError as exc:
            fit_to_command(exc, {opt for p in self.params for opt in p.opts})
            raise

    def format_options(self, ctx: Any, formatter: Any) -> None:
        order = {flag: i for i, flag in enumerate(GLOBAL_OPTIONS)}
        shared = sorted(
            (p for p in self.params if isinstance(p, TyperOption) and set(p.opts) & set(order)),
            key=lambda p: min(order.get(o, len(order)) for o in p.opts),
        )
        for param in shared:
            param.hidden = True
        try:
            super().format_options(ctx, formatter)
        finally:
            for param in shared:
                param.hidden = False
        records = [r for r in (p.get_help_record(ctx) for p in shared) if r]
        with formatter.section("Global options (before or after the command)"):
            formatter.write_dl(records)


def _suggest(exc: Any) -> None:
    """An unknown option: suggest the options it usually means here, not the closest spelling
    (--company is not --new-company)."""
    if exc.ctx is None or exc.option_name not in SYNONYMS:
        return
    known = {opt for p in exc.ctx.command.params for opt in p.opts}
    exc.possibilities = [o for o in SYNONYMS[exc.option_name] if o in known]


def _fail(line: str) -> None:
    from ecoport.render import error
    from ecoport.store.db import hide_password

    error(hide_password(line))


def _report(name: str, exc: EcoportError) -> int:
    """One line for *exc* (fitted to its command by EcoportCommand.invoke), and its details."""
    _fail(f"{name}: error: {exc.where}: {exc.message}" if exc.where else f"{name}: error: {exc}")
    for detail in exc.details:
        _fail(f"  {detail}")
    return exc.exit_code


app = typer.Typer(
    cls=EcoportGroup,
    name="ecoport",
    help="Track an ecosystem investment portfolio: stakes, progress toward a target, "
    "sectors, money, and who owns what.\n\n"
    "\b\nExample:\n  ecoport init --seed\n  ecoport progress",
    rich_markup_mode=None,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ecoport {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            show_default=False,
            help=DB_HELP,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=QUIET_HELP)] = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            metavar="NAME",
            envvar="ECOPORT_ACTOR",
            show_default=False,
            help=ACTOR_HELP,
        ),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            min=0,
            envvar="ECOPORT_WAIT",
            show_default=False,
            help=WAIT_HELP,
        ),
    ] = 600.0,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """The global options, given before the command (they may follow it too)."""
    ctx.obj = Globals(db=db, quiet=quiet, actor=actor, wait=wait)
    del version


def _sub(name: str, help_: str) -> typer.Typer:
    return typer.Typer(
        name=name, help=help_, rich_markup_mode=None, no_args_is_help=True, cls=EcoportSubgroup
    )


def _command(group: typer.Typer, name: str, function: Any) -> None:
    group.command(name, cls=EcoportCommand)(with_global_options(function))


_command(app, "init", db.init)
_command(app, "add-stake", stakes.add_stake)
_command(app, "progress", progress.progress)
_command(app, "report", report.report)
_command(app, "import", transfer.import_)
_command(app, "export", transfer.export)
_command(app, "log", history.log)
_command(app, "undo", history.undo)

stakes_app = _sub("stakes", "List, show, edit and remove stakes.")
_command(stakes_app, "list", stakes.stakes_list)
_command(stakes_app, "show", stakes.stakes_show)
_command(stakes_app, "edit", stakes.stakes_edit)
_command(stakes_app, "remove", stakes.stakes_remove)
app.add_typer(stakes_app)

companies_app = _sub(
    "companies", "List, show, rename, merge, edit and remove companies; their aliases."
)
_command(companies_app, "list", companies.companies_list)
_command(companies_app, "show", companies.companies_show)
_command(companies_app, "rename", companies.companies_rename)
_command(companies_app, "merge", companies.companies_merge)
_command(companies_app, "edit", companies.companies_edit)
_command(companies_app, "remove", companies.companies_remove)
alias_app = _sub("alias", "Add or remove another name of a company.")
_command(alias_app, "add", companies.companies_alias_add)
_command(alias_app, "remove", companies.companies_alias_remove)
companies_app.add_typer(alias_app)
app.add_typer(companies_app)

rounds_app = _sub("rounds", "Funding rounds: their totals, valuations and participants.")
_command(rounds_app, "list", rounds.rounds_list)
_command(rounds_app, "show", rounds.rounds_show)
app.add_typer(rounds_app)

target_app = _sub(
    "target", "Investors' target numbers of companies (in all, per sector) and milestones."
)
_command(target_app, "set", targets.target_set)
_command(target_app, "list", targets.target_list)
_command(target_app, "unset", targets.target_unset)
milestone_app = _sub("milestone", "Counts an investor reported toward its target by a date.")
_command(milestone_app, "add", targets.milestone_add)
_command(milestone_app, "list", targets.milestone_list)
_command(milestone_app, "remove", targets.milestone_remove)
target_app.add_typer(milestone_app)
app.add_typer(target_app)

fx_app = _sub("fx", "Exchange rates: your own (set, list, unset), and which one a conversion uses.")
_command(fx_app, "set", fx.fx_set)
_command(fx_app, "list", fx.fx_list)
_command(fx_app, "unset", fx.fx_unset)
_command(fx_app, "show", fx.fx_show)
app.add_typer(fx_app)

config_app = _sub("config", "Settings: the reporting currency, what $ and ¥ mean.")
_command(config_app, "show", config.config_show)
_command(config_app, "set", config.config_set)
app.add_typer(config_app)

db_app = _sub("db", "The database: where it is, its schema, backups and checks.")
_command(db_app, "path", db.db_path)
_command(db_app, "status", db.db_status)
_command(db_app, "upgrade", db.db_upgrade)
_command(db_app, "backup", db.db_backup)
_command(db_app, "restore", db.db_restore)
_command(db_app, "check", db.db_check)
app.add_typer(db_app)

__all__ = ["app", "main", "globals_of"]


def main() -> None:
    """Entry point of the ``ecoport`` command."""
    app(prog_name="ecoport")


from ecoport.cli import ownership  # noqa: E402  (issue 13: tree and owners)

_command(app, "tree", ownership.tree)
_command(app, "owners", ownership.owners)

from ecoport.cli import marks  # noqa: E402  (issue 14: marks and returns)

mark_app = _sub("mark", "Record a dated value of a company: a valuation, price or write-off.")
_command(mark_app, "add", marks.mark_add)
app.add_typer(mark_app)
marks_app = _sub("marks", "Marks: list, show and remove them; positions missing a recent one.")
_command(marks_app, "list", marks.marks_list)
_command(marks_app, "show", marks.marks_show)
_command(marks_app, "remove", marks.marks_remove)
_command(marks_app, "missing", marks.marks_missing)
app.add_typer(marks_app)
_command(app, "returns", marks.returns)

from ecoport.cli import extract  # noqa: E402  (issue 16: stakes from the news)

_command(app, "extract", extract.extract)

from ecoport.cli import dashboard  # noqa: E402  (issue 15: a dashboard to share)

_command(app, "dashboard", dashboard.dashboard)
