"""ecoport import and ecoport export: stakes in bulk, from and to CSV, JSON and YAML."""

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import typer

from ecoport.cli.common import DbOption, change_of, globals_of, location, parse_opt


class DataFormat(StrEnum):
    """The formats stakes are imported from and exported to."""

    csv = "csv"
    json = "json"
    yaml = "yaml"


class OnError(StrEnum):
    abort = "abort"
    skip = "skip"


class SectorConflict(StrEnum):
    keep = "keep"
    update = "update"
    reject = "reject"


#: Above this size, an import shows a progress bar (on a terminal).
PROGRESS_BYTES = 512 * 1024
#: Rejected rows listed on stderr; all of them go to --rejects.
SHOWN_REJECTS = 20


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV, JSON or YAML file.")],
    format: Annotated[
        DataFormat | None,
        typer.Option(
            "--format", "-f", help="The file's format (default: from its name).", show_default=False
        ),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COLUMN=FIELD",
            help="Read a column as one of ecoport's fields (repeatable).",
            show_default=False,
        ),
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option(
            "--mapping",
            metavar="FILE|NAME",
            help="A mapping file, or the name of one shipped with ecoport "
            "(crunchbase-2013-investments, crunchbase-2013-acquisitions, "
            "techcrunch-2013-investments).",
            show_default=False,
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            metavar="A,B,C",
            help="Names of the columns of a CSV file without a header row.",
            show_default=False,
        ),
    ] = None,
    investor: Annotated[
        str | None,
        typer.Option(
            "--investor",
            metavar="NAME",
            help="Investor of the rows that name none.",
            show_default=False,
        ),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            metavar="CODE",
            help="Currency of the amounts that give none.",
            show_default=False,
        ),
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(
            "--delimiter",
            metavar="CHAR",
            help="CSV delimiter (default: sniffed).",
            show_default=False,
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            metavar="NAME",
            help="Text encoding (default UTF-8, with or without BOM).",
            show_default=False,
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="FIELD=VALUE",
            help="The value of a field for rows that give none, such as date=2019 or "
            "kind=acquisition (repeatable).",
            show_default=False,
        ),
    ] = None,
    split_investors: Annotated[
        str | None,
        typer.Option(
            "--split-investors",
            metavar="SEP",
            help="Investor cells list several investors separated by SEP (and a last "
            "'and' or '&'): one stake each, in the same round.",
            show_default=False,
        ),
    ] = None,
    sector_conflict: Annotated[
        SectorConflict,
        typer.Option(
            "--sector-conflict",
            help="When a row gives a known company another sector: keep the stored one "
            "(counted), update it, or reject the row.",
        ),
    ] = SectorConflict.keep,
    dayfirst: Annotated[
        bool,
        typer.Option("--dayfirst", help="Read 05/07/2018 as 5 July.", show_default=False),
    ] = False,
    monthfirst: Annotated[
        bool,
        typer.Option("--monthfirst", help="Read 05/07/2018 as May 7.", show_default=False),
    ] = False,
    on_error: Annotated[
        OnError,
        typer.Option(
            "--on-error",
            help="abort: import nothing if any row is bad. "
            "skip: import the good rows, reject the bad.",
        ),
    ] = OnError.abort,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            metavar="FILE",
            help="Write the rejected rows here, with their line and reason.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count everything; write nothing.")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Import stakes from a CSV, JSON or YAML file, in one transaction.

    Every stake record is accounted for: added, matched (the same deal as a stored stake,
    reported less or more precisely: what it adds is filled in), already present (identical),
    or rejected with its reason. Importing the same file twice adds nothing. Names that are
    another spelling of a known company resolve to it; names that only look alike are listed.

    \b
    Example:
      ecoport import stakes.csv --investor Xiaomi --currency CNY
      ecoport import investments.csv --mapping crunchbase-2013-investments \\
          --on-error skip --rejects rejects.csv
      ecoport import funding.csv --map InvestorsName=investor --split-investors , \\
          --set kind=investment --dayfirst --on-error skip
      ecoport import export.yaml
    """
    from ecoport.errors import InvalidInput
    from ecoport.render import error, file_progress, import_summary, info
    from ecoport.services.importing import ImportOptions, RejectsFile, import_source
    from ecoport.services.settings import settings_at, symbols
    from ecoport.services.sources import (
        FileFormat,
        Mapping,
        check_encoding,
        check_output,
        check_separator,
        open_source,
        parse_columns,
        parse_map,
        parse_set,
        read_mapping,
    )
    from ecoport.store.db import writing

    quiet = globals_of(ctx).quiet
    if dayfirst and monthfirst:
        raise InvalidInput("give --dayfirst or --monthfirst, not both", where="--dayfirst")
    if rejects is not None:
        check_output(rejects, where="--rejects")
    if encoding is not None:
        check_encoding(encoding)
    loc = location(ctx, db)
    given = Mapping(
        rename=parse_map(map_ or []),
        columns=parse_opt("--columns", parse_columns, columns),
        currency=currency,
        investor=investor,
        delimiter=delimiter,
        encoding=encoding,
        dayfirst=True if dayfirst else False if monthfirst else None,
        constants=parse_set(set_ or []),
        split_investors=check_separator(split_investors),
    )
    chosen = given.over(read_mapping(mapping)) if mapping else given
    if rejects is not None and rejects.resolve() == file.resolve():
        raise InvalidInput("would overwrite the file being imported", where="--rejects")
    source = open_source(file, chosen, format=FileFormat(format.value) if format else None)
    options = ImportOptions(
        skip_bad_rows=on_error is OnError.skip,
        investor=chosen.investor,
        currency=chosen.currency,
        dayfirst=chosen.dayfirst,
        symbols=symbols(settings_at(loc)),
        constants=chosen.constants,
        split_investors=chosen.split_investors,
        sector_conflict=sector_conflict.value,
    )
    sink = RejectsFile(rejects, source) if rejects is not None else None
    try:
        with (
            file_progress(
                f"Importing {file.name}",
                source.size,
                enabled=not quiet and source.size > PROGRESS_BYTES,
            ) as advance,
            writing(loc, commit=not dry_run, change=change_of(ctx)) as session,
        ):
            summary = import_source(
                session=session, source=source, options=options, rejects=sink, progress=advance
            )
    finally:
        if sink is not None:
            sink.close()
    summary.dry_run = dry_run
    for warning in summary.warnings:
        info(f"warning: {warning}", quiet=quiet)
    for conflict in summary.conflicts[:SHOWN_REJECTS]:
        info(f"conflict (stored value kept): {conflict}", quiet=quiet)
    if len(summary.conflicts) > SHOWN_REJECTS:
        info(f"  ... and {len(summary.conflicts) - SHOWN_REJECTS:,} more conflicts", quiet=quiet)
    if summary.rejected:
        where = f"; every one is in {rejects}" if rejects else ""
        rows = summary.rows_rejected
        records = f" ({summary.rejected:,} stake records)" if summary.rejected != rows else ""
        error(f"{rows:,} row{'s' * (rows != 1)} rejected{records}{where}:")
        shown = summary.problems if rejects is None else summary.problems[:SHOWN_REJECTS]
        for line in shown:
            error(f"  {line}")
        if rejects is not None and len(summary.problems) > len(shown):
            error(f"  ... and the rest in {rejects}")
    import_summary(summary.as_dict(), "json" if json_ else "table")
    if summary.records and summary.rejected == summary.records:
        raise typer.Exit(1)  # every record was rejected: nothing to show for the import


def export(
    ctx: typer.Context,
    format: Annotated[
        DataFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="csv, json or yaml (default: from -o, else csv).",
            show_default=False,
        ),
    ] = None,
    sector: Annotated[
        str | None,
        typer.Option(
            "--sector", help="Only startups in this sector (and below it).", show_default=False
        ),
    ] = None,
    investor: Annotated[
        str | None,
        typer.Option(
            "--investor",
            metavar="NAME",
            help="Only this investor's own stakes.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (whole or not at all) instead of stdout.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Export stakes with their companies and sectors; `ecoport import` reads it back.

    CSV has one row a stake in ecoport's own columns. JSON and YAML have the shape of the
    seed file: companies (sectors, aliases, targets), then stakes.

    \b
    Example:
      ecoport export -o portfolio.csv
      ecoport export --format yaml --sector iot > iot.yaml
    """
    from ecoport.render import info
    from ecoport.services.exporting import (
        ExportQuery,
        seed_shape,
        stake_rows,
        write_csv,
        write_json,
        write_yaml,
    )
    from ecoport.store.db import reading

    chosen = format
    if chosen is None and output is not None:
        suffix = output.suffix.lower().lstrip(".")
        chosen = (
            DataFormat("yaml" if suffix == "yml" else suffix)
            if suffix in ("csv", "json", "yaml", "yml")
            else None
        )
    chosen = chosen or DataFormat.csv
    query = ExportQuery(sector=sector, investor=investor)
    with reading(location(ctx, db)) as reader, _output(output) as out:
        if chosen is DataFormat.csv:
            count = write_csv(stake_rows(reader, query), out)
        else:
            data = seed_shape(reader, query)
            count = (write_json if chosen is DataFormat.json else write_yaml)(data, out)
    if output is not None:
        info(f"Exported {count:,} stakes to {output} ({chosen.value})", quiet=globals_of(ctx).quiet)


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file written beside its final place and renamed when complete."""
    import os
    import sys
    import tempfile

    if path is None:
        yield _Printable(sys.stdout)  # type: ignore[misc]
        return
    from ecoport.services.sources import check_output

    folder = check_output(path, where="--output").resolve().parent
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield _Printable(out)  # type: ignore[misc]
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


class _Printable:
    """A text stream that writes control characters from data as ``\\uXXXX`` escapes (a
    value stored by an older version, before they were refused; in JSON the same value)."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, text: str) -> int:
        from ecoport.core.text import printable

        return self.out.write(printable(text))
