"""ecoport log and ecoport undo: the audit trail, and reverting a change."""

from typing import Annotated

import typer

from ecoport.cli.common import (
    DbOption,
    Format,
    FormatOption,
    change_of,
    confirmed,
    globals_of,
    interactive,
    location,
    writing_for,
)


def log(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="Changes on or after this day (UTC)."),
    ] = None,
    stake: Annotated[
        int | None,
        typer.Option("--stake", metavar="ID", help="Changes to this stake, before and after."),
    ] = None,
    change: Annotated[
        int | None,
        typer.Option("--change", metavar="ID", help="This change, with every record it touched."),
    ] = None,
    records: Annotated[
        bool, typer.Option("--records", help="Show each change's records before and after.")
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", metavar="N", min=1, help="Only the latest N changes."),
    ] = None,
    offset: Annotated[
        int,
        typer.Option(
            "--offset", metavar="N", min=0, help="Skip the latest N changes first (page back)."
        ),
    ] = 0,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show the audit log: every change, when, who, the command, what it touched.

    \b
    Example:
      ecoport log --since 2026-11-01
      ecoport log --stake 32 --format json
    """
    from ecoport.render import change_log
    from ecoport.services.changes import describe
    from ecoport.services.history import LogQuery, since_of
    from ecoport.services.history import change_log as read_log
    from ecoport.store.db import reading

    query = LogQuery(
        since=None if since is None else since_of(since),
        stake=stake,
        change=change,
        records=records,
        limit=limit,
        offset=offset,
    )
    with reading(location(ctx, db)) as reader:
        changes = read_log(reader, query)
        describe(reader, changes)
    change_log(changes, fmt.value, quiet=globals_of(ctx).quiet)


#: An undo that writes back more records than this asks first (or wants --yes).
ASK_ABOVE = 10


def undo(
    ctx: typer.Context,
    change_id: Annotated[
        int | None,
        typer.Argument(
            metavar="[CHANGE_ID]",
            help="The change to revert (see `ecoport log`); else the latest not yet undone.",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            "-y",
            help=f"Do not ask, even when the undo touches more than {ASK_ABOVE} records.",
        ),
    ] = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Revert a change: the latest one, or CHANGE_ID. The undo is a change itself (in the log).

    A removed stake comes back with its ID; an import's stakes and new companies go.
    A change that later changes built on is refused: undo those first. An undo of more
    than 10 records shows the change and asks first; --yes answers for scripts (without
    it, such an undo is refused when not on a terminal).

    \b
    Example:
      ecoport undo
      ecoport undo 12 --yes
    """
    from ecoport.render import as_csv, as_json, info
    from ecoport.services.changes import undo_preview
    from ecoport.services.history import undo_change
    from ecoport.store.db import reading
    from ecoport.words import plural

    quiet = globals_of(ctx).quiet
    with reading(location(ctx, db)) as reader:
        preview = undo_preview(reader, change_id)
    if preview.records > ASK_ABOVE and not yes:
        records = plural(preview.records, "record")
        if interactive():  # what the question is about
            info(
                f"Change {preview.change}, {preview.at[:19].replace('T', ' ')} UTC by "
                f"{preview.actor}: {preview.command}\n  {preview.summary}\n"
                f"Undoing it writes back {records}."
            )
        question = f"Undo change {preview.change}?"
        refusal = f"pass --yes to undo change {preview.change} ({records})"
        if not confirmed(question, yes=yes, refusal=refusal):
            info("Nothing undone.")
            raise typer.Exit(1)
    with writing_for(ctx, db) as session:
        done = undo_change(session=session, change_id=preview.change, change=change_of(ctx))
    if fmt is Format.json:
        as_json(done)
    elif fmt is Format.csv:
        as_csv([done], ("undone", "change", "summary"))
    else:
        info(
            f"Undid change {done['undone']} as change {done['change']}: {done['summary']}",
            quiet=quiet,
        )
