"""ecoport import and ecoport export: stakes in bulk, from and to CSV, JSON and YAML."""

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import typer

from ecoport.cli.common import (
    DbOption,
    Format,
    change_of,
    globals_of,
    location,
    parse_opt,
    spelled,
)


class DataFormat(StrEnum):
    """The formats stakes are imported from and exported to."""

    csv = "csv"
    json = "json"
    yaml = "yaml"


class SummaryFormat(StrEnum):
    """The import summary's format (-f); yaml only as the deprecated spelling of
    --input-format yaml."""

    table = "table"
    json = "json"
    csv = "csv"
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
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV, JSON or YAML file; - for standard input (with --input-format).",
        ),
    ],
    input_format: Annotated[
        DataFormat | None,
        typer.Option(
            "--input-format",
            case_sensitive=False,
            help="The file's format (default: from its name, else from its content).",
            show_default=False,
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
    fmt: Annotated[
        SummaryFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="The summary as a table, JSON or CSV (default: table).",
            show_default=False,
        ),
    ] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Deprecated: the same as -f json.", hidden=True)
    ] = False,
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
      ecoport import export.yaml -f json
      zcat stakes.csv.gz | ecoport import - --input-format csv
    """
    from ecoport.errors import InvalidInput
    from ecoport.render import error, file_progress, import_summary, info
    from ecoport.services.importing import ImportOptions, RejectsFile, bulk_load, import_source
    from ecoport.services.settings import settings_at, symbols
    from ecoport.services.sources import (
        STDIN,
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
    from ecoport.words import noun, plural

    quiet = globals_of(ctx).quiet
    input_format, summary_format = _formats(file, input_format, fmt, json_, quiet=quiet)
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
    if rejects is not None and file != STDIN and rejects.resolve() == file.resolve():
        raise InvalidInput("would overwrite the file being imported", where="--rejects")
    source = open_source(
        file, chosen, format=FileFormat(input_format.value) if input_format else None
    )
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
    sink = RejectsFile(rejects, source, spell=spelled) if rejects is not None else None
    try:
        with (
            file_progress(
                f"Importing {source.path.name}",
                source.size,
                enabled=not quiet and source.size > PROGRESS_BYTES,
            ) as advance,
            writing(
                loc,
                commit=not dry_run,
                change=change_of(ctx),
                references_at_end=bulk_load(loc, source),
            ) as session,
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
        more = len(summary.conflicts) - SHOWN_REJECTS
        info(f"  ... and {more:,} more {noun(more, 'conflict')}", quiet=quiet)
    if summary.rejected:
        where = f"; every one is in {rejects}" if rejects else ""
        rows = summary.rows_rejected
        records = (
            f" ({plural(summary.rejected, 'stake record')})" if summary.rejected != rows else ""
        )
        error(f"{plural(rows, 'row')} rejected{records}{where}:")
        shown = summary.problems if rejects is None else summary.problems[:SHOWN_REJECTS]
        for line in shown:
            error(f"  {line}")
        if rejects is not None and len(summary.problems) > len(shown):
            error(f"  ... and the rest in {rejects}")
    if summary_format is Format.csv:
        _summary_csv(summary.as_dict())
    else:
        import_summary(summary.as_dict(), summary_format.value)
    if summary.records and summary.rejected == summary.records:
        raise typer.Exit(1)  # every record was rejected: nothing to show for the import


def _formats(
    file: Path,
    input_format: DataFormat | None,
    fmt: SummaryFormat | None,
    json_: bool,
    *,
    quiet: bool,
) -> tuple[DataFormat | None, Format]:
    """The input's format and the summary's, from --input-format, -f and --json.

    Until -f/--format was the summary's format, it was the input's: on a file whose name
    does not tell its format (data.txt), --format csv or json without --input-format keeps
    that meaning for this version, with a warning; so does --format yaml anywhere. Standard
    input and pipes could not be imported before: there -f is the summary's format."""
    from ecoport.errors import InvalidInput
    from ecoport.render import info
    from ecoport.services.sources import STDIN, format_of_name

    if fmt is not None and input_format is None:
        if fmt is SummaryFormat.yaml or (
            fmt is not SummaryFormat.table and file.is_file() and format_of_name(file) is None
        ):
            info(
                f"warning: --format {fmt.value} taken as the input's format, as before; "
                f"write --input-format {fmt.value} (-f/--format is the summary's format, as "
                "on every command)",
                quiet=quiet,
            )
            input_format, fmt = DataFormat(fmt.value), None
    if fmt is SummaryFormat.yaml:
        raise InvalidInput(
            "the summary is a table, JSON or CSV (the input's format: --input-format yaml)",
            where="--format",
        )
    if json_:
        if fmt not in (None, SummaryFormat.json):
            raise InvalidInput(f"give -f {fmt.value} or --json, not both", where="--json")
        info("warning: --json is deprecated; write -f json", quiet=quiet)
        fmt = SummaryFormat.json
    if file == STDIN and input_format is None:
        raise InvalidInput(
            "standard input has no name to tell its format: give --input-format csv, json or yaml",
            where="--input-format",
        )
    return input_format, Format((fmt or SummaryFormat.table).value)


def _summary_csv(summary: dict[str, object]) -> None:
    """The import summary as one CSV row of its counts (lists are in -f json)."""
    from ecoport.render import as_csv

    row = {k: v for k, v in summary.items() if isinstance(v, str | int | bool | None)}
    as_csv([row], list(row))


def export(
    ctx: typer.Context,
    format: Annotated[
        DataFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
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
    from ecoport.words import plural

    chosen = format
    if chosen is None and output is not None:
        suffix = output.suffix.lower().lstrip(".")
        chosen = (
            DataFormat("yaml" if suffix == "yml" else suffix)
            if suffix in ("csv", "json", "yaml", "yml")
            else None
        )
    chosen = chosen or DataFormat.csv
    from ecoport.core.sectors import normalize_sector

    query = ExportQuery(sector=parse_opt("--sector", normalize_sector, sector), investor=investor)
    with reading(location(ctx, db)) as reader, _output(output) as out:
        if chosen is DataFormat.csv:
            count = write_csv(stake_rows(reader, query), out)
        else:
            data = seed_shape(reader, query)
            count = (write_json if chosen is DataFormat.json else write_yaml)(data, out)
    if output is not None:
        info(
            f"Exported {plural(count, 'stake')} to {output} ({chosen.value})",
            quiet=globals_of(ctx).quiet,
        )


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
