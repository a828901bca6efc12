"""ecoport extract: draft stakes from a press article, to review, import or apply."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ecoport.cli.common import DbOption, change_of, confirmed, globals_of, location, parse_opt


class ExtractFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    yaml = "yaml"


def extract(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="The article: plain text or HTML; - for standard input."
        ),
    ],
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            help="Date of deals whose sentence and article state none (YYYY, YYYY-MM, YYYY-MM-DD).",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="URL",
            help="The article's URL, kept as each draft's source (default: the file's name).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        ExtractFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="A table, JSON, CSV, or YAML (the import shape: `ecoport import` reads it).",
        ),
    ] = ExtractFormat.table,
    apply: Annotated[
        bool,
        typer.Option("--apply", help="Add the drafts, as one change, once confirmed (or --yes)."),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --apply: add them without asking.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Draft stakes from a press article (English or Chinese), for a person to confirm.

    Finds each deal (investor, company, kind, percent, amount, date, the sentence it came
    from), the investors' targets and milestones, and holdings stated in passing; resolves
    names against the database's companies and aliases. Nothing is invented: a figure not
    stated is undisclosed. The JSON and YAML are the import shape: review the file, then
    import it. Exit code 0 also when the article reports no deal.

    \b
    Example:
      ecoport extract article.txt --date 2014-12 --source https://example.com/a
      ecoport extract article.html -f yaml > drafts.yaml
      ecoport import drafts.yaml
      ecoport extract article.txt --apply --yes
    """
    import sys

    from ecoport.core.dates import parse_date
    from ecoport.emit import emit
    from ecoport.errors import InvalidInput
    from ecoport.render import info, write
    from ecoport.services.extract import (
        apply_drafts,
        extract_article,
        known_companies,
        read_article,
    )
    from ecoport.store.db import writing
    from ecoport.tables.extract import note
    from ecoport.words import plural

    quiet = globals_of(ctx).quiet
    when = parse_opt("--date", parse_date, date)
    if file == Path("-"):
        data, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        try:
            data, name = file.read_bytes(), str(file)
        except FileNotFoundError:
            raise InvalidInput(f"{file}: no such file", where="FILE") from None
        except IsADirectoryError:
            raise InvalidInput(f"{file}: is a folder, not a file", where="FILE") from None
        except OSError as exc:
            raise InvalidInput(f"{file}: cannot read ({exc.strerror})", where="FILE") from None
    text = read_article(data, name)
    loc = location(ctx, db)
    result = extract_article(
        text,
        article=name,
        directory=known_companies(loc),
        date=when,
        source=source or (None if file == Path("-") else file.name),
    )
    if fmt is ExtractFormat.yaml:
        _yaml(result.import_shape())
        for line in result.notes:
            note(f"note: {line}", quiet=quiet)
    elif fmt is ExtractFormat.table:
        emit(result, "table", quiet=quiet)
    elif fmt is ExtractFormat.json:
        for piece in result.json_pieces():  # render.stream_json's text, quicker
            write(piece)
        for line in result.notes:
            note(f"note: {line}", quiet=quiet)
    else:
        emit(result, fmt.value)
        for line in result.notes:
            note(f"note: {line}", quiet=quiet)
    if not apply:
        return
    if not result.drafts and not result.company_entries():
        info("Nothing to add.", quiet=quiet)
        return
    count = plural(len(result.drafts), "draft stake")
    if not confirmed(
        f"Add {count}?", yes=yes, refusal=f"pass --yes to add {count}; nothing was written"
    ):
        info("Nothing added.")
        raise typer.Exit(1)
    with writing(loc, change=change_of(ctx)) as session:
        summary = apply_drafts(session=session, result=result)
    note(
        f"Added {plural(summary.stakes_added, 'stake')} as one change "
        f"({summary.matched:,} matched, {summary.already_present:,} already present, "
        f"{plural(summary.companies_created, 'company')} created, "
        f"{plural(summary.targets_set, 'target')} set); `ecoport log` shows it",
        quiet=quiet,
    )


def _yaml(shape: dict[str, object]) -> None:
    """The import shape as YAML, exact figures as quoted text."""
    import yaml

    from ecoport.render import write

    write(yaml.safe_dump(shape, sort_keys=False, allow_unicode=True, width=100).rstrip("\n"))
