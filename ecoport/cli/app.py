"""The root command: global options, the sub-commands, and the one error boundary."""

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

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
from ecoport.cli.common import COMMAND_LINE, Globals, globals_of, masked
from ecoport.errors import EcoportError


class EcoportGroup(TyperGroup):
    """Turns every failure a user can cause into one line on stderr and an exit code:
    2 for usage errors (a bad option or value), 1 for the rest. No tracebacks."""

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
        except EcoportError as exc:
            code = _report(name, exc)
        except _click.exceptions.NoArgsIsHelpError as exc:
            # a bare `ecoport` or `ecoport stakes`: the help, as --help would show it
            sys.stdout.write(exc.ctx.get_help() + "\n" if exc.ctx else "")
            code = 0
        except _click.exceptions.UsageError as exc:
            cmd = exc.ctx.command_path if exc.ctx else name
            message = exc.format_message()
            _fail(f"{cmd}: error: {message} (see '{cmd} --help')")
            code = exc.exit_code
        except _click.exceptions.ClickException as exc:
            _fail(f"{name}: error: {exc.format_message()}")
            code = exc.exit_code
        except typer.Abort:
            _fail(f"{name}: aborted, nothing changed")
            code = 1
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(line: str) -> None:
    from ecoport.render import error
    from ecoport.store.db import hide_password

    error(hide_password(line))


def _report(name: str, exc: EcoportError) -> int:
    from ecoport.cli.common import option_name
    from ecoport.errors import FieldError

    if isinstance(exc, FieldError) and exc.where is None:
        # a field of a record given on the command line: name the option that gave it
        exc.where = option_name(exc.field)
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
    add_completion=False,
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
            help="Database file, sqlite:/// or postgresql:// URL (else ECOPORT_DB, "
            "ECOPORT_DATABASE_URL, or the user data folder).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only results, no notes.")
    ] = False,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            metavar="NAME",
            envvar="ECOPORT_ACTOR",
            show_default=False,
            help="Who makes the changes, for the audit log (else ECOPORT_ACTOR, else the "
            "operating-system user).",
        ),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            min=0,
            envvar="ECOPORT_WAIT",
            show_default="600",
            help="How long a write waits for another ecoport write to finish before giving "
            "up, changing nothing (else ECOPORT_WAIT).",
        ),
    ] = 600.0,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Global options come before the command; --db may also follow it."""
    ctx.obj = Globals(db=db, quiet=quiet, actor=actor, wait=wait)
    del version


def _sub(name: str, help_: str) -> typer.Typer:
    return typer.Typer(name=name, help=help_, rich_markup_mode=None, no_args_is_help=True)


app.command("init")(db.init)
app.command("add-stake")(stakes.add_stake)
app.command("progress")(progress.progress)
app.command("report")(report.report)
app.command("import")(transfer.import_)
app.command("export")(transfer.export)
app.command("log")(history.log)
app.command("undo")(history.undo)

stakes_app = _sub("stakes", "List, show, edit and remove stakes.")
stakes_app.command("list")(stakes.stakes_list)
stakes_app.command("show")(stakes.stakes_show)
stakes_app.command("edit")(stakes.stakes_edit)
stakes_app.command("remove")(stakes.stakes_remove)
app.add_typer(stakes_app)

companies_app = _sub(
    "companies", "List, show, rename, merge, edit and remove companies; their aliases."
)
companies_app.command("list")(companies.companies_list)
companies_app.command("show")(companies.companies_show)
companies_app.command("rename")(companies.companies_rename)
companies_app.command("merge")(companies.companies_merge)
companies_app.command("edit")(companies.companies_edit)
companies_app.command("remove")(companies.companies_remove)
alias_app = _sub("alias", "Add or remove another name of a company.")
alias_app.command("add")(companies.companies_alias_add)
alias_app.command("remove")(companies.companies_alias_remove)
companies_app.add_typer(alias_app)
app.add_typer(companies_app)

rounds_app = _sub("rounds", "Funding rounds: their totals, valuations and participants.")
rounds_app.command("list")(rounds.rounds_list)
rounds_app.command("show")(rounds.rounds_show)
app.add_typer(rounds_app)

target_app = _sub("target", "Set an investor's target number of companies.")
target_app.command("set")(targets.target_set)
app.add_typer(target_app)

fx_app = _sub("fx", "Exchange rates: your own, and which one a conversion uses.")
fx_app.command("set")(fx.fx_set)
fx_app.command("show")(fx.fx_show)
app.add_typer(fx_app)

config_app = _sub("config", "Settings: the reporting currency, what $ and ¥ mean.")
config_app.command("show")(config.config_show)
config_app.command("set")(config.config_set)
app.add_typer(config_app)

db_app = _sub("db", "The database: where it is, its schema, backups and checks.")
db_app.command("path")(db.db_path)
db_app.command("status")(db.db_status)
db_app.command("upgrade")(db.db_upgrade)
db_app.command("backup")(db.db_backup)
db_app.command("restore")(db.db_restore)
db_app.command("check")(db.db_check)
app.add_typer(db_app)

__all__ = ["app", "main", "globals_of"]


def main() -> None:
    """Entry point of the ``ecoport`` command."""
    app(prog_name="ecoport")
