"""ecoport companies list/show/rename/merge/edit/remove and companies alias add/remove."""

from typing import Annotated

import typer

from ecoport.cli.common import (
    DbOption,
    ExactOption,
    Format,
    FormatOption,
    InOption,
    emit,
    location,
    parse_opt,
    writing_for,
)
from ecoport.cli.listing import (
    AllOption,
    CompanySortOption,
    LimitOption,
    OffsetOption,
    WideOption,
)
from ecoport.cli.stakes import SectorOpt


def companies_list(
    ctx: typer.Context,
    sector: SectorOpt = None,
    sort: CompanySortOption = None,
    limit: LimitOption = None,
    offset: OffsetOption = 0,
    every: AllOption = False,
    wide: WideOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List companies: sector, aliases, holders and holdings.

    A table on a terminal shows the first 50 and says how many there are; piped, or as
    CSV or JSON, every company, streamed.

    \b
    Example:
      ecoport companies list --sector iot
      ecoport companies list --sort stakes:desc --limit 20
    """
    from ecoport.cli.listing import page_of
    from ecoport.core.sectors import normalize_sector
    from ecoport.render import companies
    from ecoport.services.companies import list_companies
    from ecoport.services.listing import COMPANY_SORTS
    from ecoport.store.db import reading

    wanted = parse_opt("--sector", normalize_sector, sector)
    page = page_of(fmt, limit=limit, offset=offset, every=every, sort=sort, fields=COMPANY_SORTS)
    with reading(location(ctx, db)) as reader:
        companies(list_companies(reader, sector=wanted, page=page), fmt.value, wide=wide)


def companies_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Company name or alias.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The company as it stood at the end of this date: holdings, chains and "
            "stakes up to it (default: today).",
            show_default=False,
        ),
    ] = None,
    into: InOption = None,
    exact: ExactOption = False,
    every: AllOption = False,
    wide: WideOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show a company: holders, holdings (direct and through others), stakes, and the
    stakes' sources in full.

    Holdings are positions derived from the events, as `ecoport tree` derives them:
    exact where known, a range where a percentage is undisclosed, ended by exits and
    acquisitions. On a terminal the stakes table shows the first 50 (--all for every one).

    \b
    Example:
      ecoport companies show Ninebot
    """
    from ecoport.cli.listing import TERMINAL_PAGE
    from ecoport.core.dates import parse_date
    from ecoport.core.money import currency_code
    from ecoport.emit import emit as write
    from ecoport.render import terminal
    from ecoport.services.companies import show_company
    from ecoport.store.db import reading

    currency = parse_opt("--in", currency_code, into)
    when = parse_opt("--as-of", parse_date, as_of)
    with reading(location(ctx, db)) as reader:
        view = show_company(reader, name, into=currency, as_of=None if when is None else when.end)
    limit = None if every or not terminal() else TERMINAL_PAGE
    write(view, fmt.value, exact=exact, wide=wide, limit=limit)


def companies_rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(metavar="OLD", help="The company's name or alias.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="Its new name.")],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Rename a company; its old name stays an alias.

    \b
    Example:
      ecoport companies rename "Segway-Ninebot" "Ninebot"
    """
    from ecoport.services.company_edits import rename_company

    with writing_for(ctx, db) as session:
        before, after = rename_company(session=session, old=old, new=new)
    emit(
        ctx,
        fmt,
        {"company": after, "was": before},
        f"Renamed {before} to {after} ({before!r} stays an alias)",
    )


def companies_merge(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="The company that is another's duplicate.")
    ],
    into: Annotated[
        str, typer.Option("--into", metavar="NAME", help="The company to keep.", show_default=False)
    ],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Merge a duplicate company into another: its stakes, rounds, aliases and target move,
    its name becomes an alias, and it is removed. Undo with `ecoport undo`.

    \b
    Example:
      ecoport companies merge "Xiaomi Inc" --into Xiaomi
    """
    from dataclasses import asdict

    from ecoport.services.company_edits import merge_companies
    from ecoport.words import plural

    with writing_for(ctx, db) as session:
        done = merge_companies(session=session, source=source, into=into)
    target = {"moved": "; its target moved", "kept": f"; {done.into}'s own target kept"}
    emit(
        ctx,
        fmt,
        asdict(done),
        f"Merged {done.source} into {done.into}: {plural(done.stakes, 'stake')}, "
        f"{plural(done.rounds, 'round')}, {plural(done.aliases, 'alias')} moved"
        f"{target.get(done.target, '')}; {done.source!r} is now an alias of {done.into}",
    )


def companies_alias_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The company.")],
    alias: Annotated[str, typer.Argument(metavar="ALIAS", help="Another name for it.")],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Let another name (a brand, a Chinese name, a spelling) stand for a company.

    \b
    Example:
      ecoport companies alias add Zimi ZMI
    """
    from ecoport.services.company_edits import add_alias

    with writing_for(ctx, db) as session:
        company, added = add_alias(session=session, company=name, alias=alias)
    emit(
        ctx,
        fmt,
        {"company": company, "alias": added},
        f"{added!r} is now an alias of {company}",
    )


def companies_alias_remove(
    ctx: typer.Context,
    alias: Annotated[str, typer.Argument(metavar="ALIAS", help="The alias to forget.")],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Forget an alias.

    \b
    Example:
      ecoport companies alias remove ZMI
    """
    from ecoport.services.company_edits import remove_alias

    with writing_for(ctx, db) as session:
        company, removed = remove_alias(session=session, alias=alias)
    emit(
        ctx,
        fmt,
        {"company": company, "alias": removed},
        f"{removed!r} no longer names {company}",
    )


def companies_edit(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Company name or alias.")],
    sector: SectorOpt = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A note.")] = None,
    source: Annotated[
        str | None, typer.Option("--source", metavar="URL", help="URL or document.")
    ] = None,
    clear: Annotated[
        list[str] | None,
        typer.Option("--clear", metavar="FIELD", help="Empty sector, note or source."),
    ] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Change a company's sector, note or source.

    \b
    Example:
      ecoport companies edit Zimi --sector iot/accessories --source https://example.com/zimi
    """
    from ecoport.errors import InvalidInput
    from ecoport.services.company_edits import edit_company

    if sector is None and note is None and source is None and not clear:
        raise InvalidInput("nothing to change; give --sector, --note, --source or --clear")
    with writing_for(ctx, db) as session:
        done = edit_company(
            session=session,
            name=name,
            sector=sector,
            note=note,
            source=source,
            clear=frozenset(clear or []),
        )
    emit(
        ctx,
        fmt,
        done,
        f"{done['name']}: sector {done['sector'] or '(none)'}, note {done['note'] or '(none)'}, "
        f"source {done['source'] or '(none)'}",
    )


def companies_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Company name or alias.")],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Remove a company that no stake and no round names (with its aliases and target).

    \b
    Example:
      ecoport companies remove "Acme Typo Inc"
    """
    from ecoport.services.company_edits import remove_company

    with writing_for(ctx, db) as session:
        removed = remove_company(session=session, name=name)
    emit(ctx, fmt, {"company": removed}, f"Removed {removed}")
