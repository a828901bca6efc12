"""ecoport dashboard: one self-contained HTML page to share — progress, the burn-up chart,
sectors, ownership, returns, every stake with its source."""

from pathlib import Path
from typing import Annotated

import typer

from ecoport.cli.common import DbOption, Format, FormatOption, emit, location, parse_opt
from ecoport.cli.stakes import InvestorOpt
from ecoport.errors import InvalidInput


def dashboard(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="The HTML file to write (whole or not at all); - for stdout.",
            show_default=False,
        ),
    ],
    investor: InvestorOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The portfolio as it stood on this date (default: today).",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace FILE even if it is not a dashboard made before."),
    ] = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Write a dashboard to share: one HTML file that opens anywhere with no network.

    It holds the headline (companies of the target, the pace, the money invested), the
    burn-up chart, the sectors, the ownership tree, the returns where marks value the
    positions, every stake with its source link, and the date and database it was made
    from (a password in a URL shown as ***). No script, no outside style, font or image.
    A dashboard made before is replaced; any other file only with --force.
    Without --investor: the investors that have a target, else the only investor.

    \b
    Example:
      ecoport dashboard -o ecosystem.html
      ecoport dashboard -o xiaomi-2020.html --investor Xiaomi --as-of 2020-12-31
    """
    import sys

    from ecoport.core.dates import parse_date
    from ecoport.dashboard_html import GENERATOR, render
    from ecoport.services.dashboard import DashboardQuery, check_target, write_page
    from ecoport.services.dashboard import dashboard as gather
    from ecoport.store.db import reading

    when = parse_opt("--as-of", parse_date, as_of)
    if investor is not None and not investor.strip():
        raise InvalidInput("a company name cannot be empty", where="--investor")
    to_stdout = str(output) == "-"
    if not to_stdout:
        check_target(output, force=force, marker=GENERATOR)
    loc = location(ctx, db)
    query = DashboardQuery(
        database=str(loc), investor=investor, as_of=None if when is None else when.end
    )
    with reading(loc) as reader:
        built = gather(reader, query)
    page = render(built)
    if to_stdout:
        sys.stdout.write(page)
        return
    size = write_page(output, page)
    names = [p.progress.investor for p in built.investors]
    done = {
        "file": str(output),
        "bytes": size,
        "investors": ", ".join(names),
        "as_of": built.as_of.isoformat(),
        "database": built.database,
    }
    line = f"Wrote {output} ({size / 1000:.1f} kB): {', '.join(names)} as of {built.as_of}"
    emit(ctx, fmt, done, line)
