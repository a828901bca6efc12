"""All output: tables that fit the terminal, bars and prose for people, JSON and CSV for
scripts, streamed row by row. The only rich importer (rich draws bars; tables are laid out
by ecoport.layout, which streams a million rows in bounded memory)."""

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from ecoport.core.text import printable as _escaped
from ecoport.layout import Column, cell_len, header_lines, pad, plan, row_formatter, wrap
from ecoport.services.shapes import STAKE_FIELDS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from ecoport.services.listing import Listing
    from ecoport.services.reports import Report

#: The width of output that goes to a pipe or a file, when COLUMNS does not say: fixed, so
#: that what a script reads does not depend on the terminal it was started from.
PIPE_WIDTH = 200
#: Rows a streamed table lays out its columns by (later rows are fitted to those widths).
SAMPLE_ROWS = 1000


def printable(text: str) -> str:
    """*text* as ecoport prints it: option and command names from below the CLI spelled
    (``{option:force}`` -> ``--force``: cli.common.spelled) and control characters from data
    escaped (core.text.printable)."""
    if "{" in text:
        from ecoport.cli.common import spelled

        text = spelled(text)
    return _escaped(text)


def terminal() -> bool:
    """Whether stdout is a person's terminal (listings then show a page, not every row).
    ECOPORT_TERMINAL=1 or 0 says so instead (tests and benchmarks)."""
    forced = os.environ.get("ECOPORT_TERMINAL", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return sys.stdout.isatty()


def width() -> int:
    """The width output is fitted to: COLUMNS when set, else the terminal's, else (piped)
    PIPE_WIDTH."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if terminal():
        import shutil

        return shutil.get_terminal_size((80, 24)).columns
    return PIPE_WIDTH


def _styled() -> bool:
    """Bold and dim only on a real terminal that takes them."""
    return (
        sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM", "") != "dumb"
    )


def console(stderr: bool = False) -> "Console":
    from rich.console import Console

    class SafeConsole(Console):
        """Every text from data is shown with its control characters escaped (a name
        stored with ESC [31m by an older version cannot colour the terminal)."""

        def render_str(self, text: str, **kwargs: Any) -> Any:
            return super().render_str(printable(text), **kwargs)

    # markup off: names such as "[bold] Ltd" are shown exactly as stored
    return SafeConsole(
        stderr=stderr,
        highlight=False,
        soft_wrap=True,
        markup=False,
        width=None if stderr else width(),
    )


def _emit(text: str) -> None:
    """Write text that is already printable; a reader that went away (``| head``) ends the
    command quietly."""
    try:
        sys.stdout.write(text)
    except BrokenPipeError:
        _reader_gone()


def blank() -> None:
    """An empty line on stdout, between blocks of a report."""
    _emit("\n")


def _reader_gone() -> None:
    # point stdout at nothing, so that the flush at exit does not fail a second time
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
    raise SystemExit(0)


def write(text: str) -> None:
    text = printable(text)
    _emit(text if text.endswith("\n") else text + "\n")


def say(text: str, *, style: str | None = None) -> None:
    """Prose for people: wrapped at word boundaries to the output's width (a word longer
    than a line, such as a URL, on a line of its own, never cut)."""
    lines = "\n".join(wrap(printable(text), width()))
    if style and _styled():
        lines = f"\x1b[{'1' if style == 'bold' else '2'}m{lines}\x1b[0m"
    _emit(lines + "\n")


def error(message: str) -> None:
    """One line on stderr (and any detail lines after it)."""
    sys.stderr.write(printable(message.rstrip("\n")) + "\n")


def info(message: str, *, quiet: bool = False) -> None:
    """A note for people, on stderr so that stdout stays clean for scripts."""
    if not quiet:
        sys.stderr.write(printable(message) + "\n")


def as_json(data: Any) -> None:
    write(json.dumps(data, indent=2, ensure_ascii=False))


def stream_json(data: Any) -> None:
    """*data* as JSON, indented as as_json does, written as it is made: an iterator in it
    becomes an array written item by item (each item on one line), and a callable is called
    when its turn comes (totals that are known once the rows went by)."""
    buffer: list[str] = []
    for chunk in _json_chunks(data, 0):
        buffer.append(chunk)
        if len(buffer) >= 2000:
            _emit(printable("".join(buffer)))
            buffer.clear()
    buffer.append("\n")
    _emit(printable("".join(buffer)))


def _json_chunks(value: Any, level: int) -> Iterator[str]:
    inner = "  " * (level + 1)
    if callable(value):
        value = value()
    if isinstance(value, dict) and any(
        callable(v) or isinstance(v, Iterator) for v in value.values()
    ):
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield ("," if n else "") + f"\n{inner}{json.dumps(key, ensure_ascii=False)}: "
            yield from _json_chunks(item, level + 1)
        yield "\n" + "  " * level + "}"
    elif isinstance(value, Iterator):
        first = True
        for item in value:
            yield ("[\n" if first else ",\n") + inner + json.dumps(item, ensure_ascii=False)
            first = False
        yield "[]" if first else "\n" + "  " * level + "]"
    else:
        yield json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)


def as_csv(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> None:
    """One row a record, written a thousand rows at a time (None is an empty cell)."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(fields)
    for n, row in enumerate(rows, 1):
        out.writerow([row.get(f) for f in fields])
        if n % 1000 == 0:
            _emit(printable(buffer.getvalue()))
            buffer.seek(0)
            buffer.truncate()
    _emit(printable(buffer.getvalue()))


def money(amount: str | Decimal | None, currency: str | None, *, exact: bool = True) -> str:
    """``CNY 1,266,000,000.00`` (exact) or ``CNY 1.27bn``; "undisclosed" for None."""
    if amount is None or currency is None:
        return "undisclosed"
    from ecoport.core.money import compact, format_money

    return (format_money if exact else compact)(Decimal(amount), currency)


def percent(value: str | None) -> str:
    return "undisclosed" if value is None else f"{value}%"


def _add(table: "Table", *cells: str) -> None:
    from rich.text import Text

    table.add_row(*(Text(printable(c)) for c in cells))


def _table(title: str | None, *columns: str, right: Iterable[str] = ()) -> "Table":
    from rich import box
    from rich.table import Table

    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        title_style="bold",
        pad_edge=False,
        padding=(0, 1),
    )
    right = set(right)
    for col in columns:
        table.add_column(col, justify="right" if col in right else "left", overflow="fold")
    return table


# --- tables that fit ----------------------------------------------------------------------


def table(
    rows: Iterable[Sequence[str]],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    wide: bool = False,
    hint: str | None = "--wide shows every column",
) -> int:
    """Write a table fitted to the output's width and return how many rows it had (nothing
    is written for none). The columns are laid out by the first SAMPLE_ROWS rows, then
    every row streams through the same layout, a chunk at a time: a million rows take the
    memory of a thousand. Columns left out to fit are named under the table, with *hint*."""
    it = iter(rows)
    first = [_printable_row(row) for row in islice(it, SAMPLE_ROWS)]
    if not first:
        return 0
    lengths = [sorted(_longest_line(row[i], c) for row in first) for i, c in enumerate(columns)]
    natural = [
        max(cell_len(c.header), sizes[-1]) for c, sizes in zip(columns, lengths, strict=True)
    ]
    fitted = plan(columns, natural, width(), wide=wide, lengths=lengths)
    if title:
        say(title, style="bold")
    head, rule = header_lines(columns, fitted.widths)
    _emit((f"\x1b[1m{head}\x1b[0m" if _styled() else head) + "\n" + rule + "\n")
    count = 0
    lines: list[str] = []
    format_row = row_formatter(columns, fitted.widths, cut=not wide)
    for row in chain(first, (_printable_row(r) for r in it)):
        lines.extend(format_row(row))
        count += 1
        if len(lines) >= 1000:
            lines.append("")
            _emit("\n".join(lines))
            lines.clear()
    if lines:
        lines.append("")
        _emit("\n".join(lines))
    if fitted.left_out:
        left = ", ".join(fitted.left_out)
        say(f"Left out to fit {width()} columns: {left}" + (f"; {hint}." if hint else "."))
    return count


def _printable_row(row: Sequence[str]) -> Sequence[str]:
    """The row's cells with control characters escaped (most rows have none: one check)."""
    joined = "".join(row)
    if joined.isascii() and joined.isprintable() and "{" not in joined:
        return row
    return [printable(c) for c in row]


def _longest_line(text: str, column: Column) -> int:
    if column.prose and "\n" in text:
        return max(cell_len(line) for line in text.split("\n"))
    return cell_len(text)


def details(pairs: Sequence[tuple[str, str]], *, heading: str | None = None) -> None:
    """Labelled values, one under the other, each wrapped at word boundaries beside its
    label; a URL (any word too long for the room beside the label) on a line of its own,
    whole, so that it can be copied."""
    if heading:
        say(heading, style="bold")
    label_width = max((cell_len(label) for label, _ in pairs), default=0)
    room = max(20, width() - label_width - 2)
    lines: list[str] = []
    for label, value in pairs:
        shown = pad(label, label_width)
        if _styled():
            shown = f"\x1b[1m{shown}\x1b[0m"
        for n, line in enumerate(wrap(printable(value), room)):
            if cell_len(line) > room:
                if n == 0:
                    lines.append(shown.rstrip())
                lines.append(line)
            else:
                lines.append(f"{shown if n == 0 else ' ' * label_width}  {line}".rstrip())
    _emit("\n".join(lines) + "\n")


def page_note(listing: "Listing[Any]", shown: int) -> None:
    """Under a page of a listing (*shown* rows of it, at least one): which rows of how many,
    and how to see more."""
    page = listing.page
    if page.whole:
        return
    total = listing.count()
    if page.offset == 0 and shown >= total:
        return
    noun = listing.noun
    which = (
        f"{page.offset + 1:,}–{page.offset + shown:,} of {total:,} {noun}"
        if page.offset
        else f"{shown:,} of {total:,} {noun}"
    )
    say(f"{which} shown; --all for every one, --limit/--offset to page.")


# --- stakes -------------------------------------------------------------------------------


def _short_source(source: str | None) -> str:
    """A source for a table cell: a URL without its scheme and ``www.`` (the full one is in
    stakes show, JSON and CSV); a document's name as it is."""
    if not source:
        return ""
    if "://" in source and " " not in source:
        source = source.split("://", 1)[1].removeprefix("www.")
    return source


def _stake_columns(into: str | None, *, investor: bool, sources: bool) -> list[Column]:
    """The stake table's columns: ID, date and startup always; the rest leave, least
    important first (the source, then the converted amount, the sector...), when the
    terminal is too narrow. The investor goes first when a filter names it."""
    columns = [
        Column("ID", right=True, keep=True),
        Column("Date", keep=True),
        Column("Investor", priority=1 if investor else 9, least=10),
        Column("Startup", least=12),
        Column("Sector", priority=5, least=15),
        Column("Kind", priority=3, keep=True),
        Column("Amount", priority=2, right=True, keep=True),
    ]
    if into:
        columns.append(Column(f"In {into}", priority=6, right=True, keep=True))
    columns.append(Column("%", priority=4, right=True, keep=True))
    if sources:
        columns.append(Column("Source", priority=8, least=24))
    return columns


def _stake_cells(s: dict[str, Any], into: str | None, *, exact: bool, sources: bool) -> list[str]:
    cells = [
        str(s["id"]),
        s["date"],
        s["investor"],
        s["startup"],
        s["sector"] or "",
        s["kind"],
        "n/d" if s["amount"] is None else money(s["amount"], s["currency"], exact=exact),
    ]
    if into:
        conv = s.get("converted")
        cells.append(
            money(conv["amount"], into, exact=exact)
            if conv
            else "n/d"
            if s["amount"] is None
            else "not converted"
        )
    cells.append("n/d" if s["percent"] is None else s["percent"])
    if sources:
        cells.append(_short_source(s["source"]))
    return cells


def stakes_table(
    stakes_: Iterable[dict[str, Any]],
    title: str | None = None,
    *,
    into: str | None = None,
    exact: bool = False,
    wide: bool = False,
    investor_named: bool = False,
    sources: bool = True,
) -> int:
    """Stakes as a table fitted to the width, streamed; how many there were."""
    columns = _stake_columns(into, investor=not investor_named, sources=sources)
    cells = (_stake_cells(s, into, exact=exact, sources=sources) for s in stakes_)
    shown = table(cells, columns, title=title, wide=wide)
    if shown:
        say(
            "n/d: not disclosed."
            + (" Sources in full: stakes show ID, or --format csv or json." if sources else "")
        )
    return shown


def stakes(
    listing: "Listing[Any]",
    fmt: str,
    *,
    exact: bool = False,
    wide: bool = False,
    investor_named: bool = False,
) -> None:
    """A listing of stakes: JSON ``{"stakes": [...]}`` and CSV with every field, streamed;
    or a table."""
    if fmt == "json":
        return stream_json({"stakes": listing.rows})
    if fmt == "csv":
        return as_csv(listing.rows, STAKE_FIELDS)
    shown = stakes_table(listing.rows, exact=exact, wide=wide, investor_named=investor_named)
    _listed(listing, shown, "no stakes match")


def _listed(listing: "Listing[Any]", shown: int, empty: str) -> None:
    """After a listing's table: what was not shown, or that nothing matched."""
    if shown == 0 and listing.page.offset == 0:
        info(empty)
    elif shown == 0:
        info(f"no {listing.noun} after the first {listing.page.offset:,}")
    else:
        page_note(listing, shown)


# --- report -------------------------------------------------------------------------------

REPORT_FIELDS = (
    *STAKE_FIELDS,
    "amount_in",
    "currency_in",
    "rate",
    "rate_date",
    "rate_source",
    "implied_valuation",
    "implied_valuation_in",
)


def _report_rows(stakes_: Iterable[dict[str, Any]], into: str) -> Iterator[dict[str, Any]]:
    for s in stakes_:
        conv, val = s["converted"] or {}, s["implied_valuation"] or {}
        yield {
            **s,
            "amount_in": conv.get("amount"),
            "currency_in": into if conv else None,
            "rate": conv.get("rate"),
            "rate_date": conv.get("rate_date"),
            "rate_source": conv.get("rate_source") or s["conversion_error"],
            "implied_valuation": val.get("amount"),
            "implied_valuation_in": val.get("converted"),
        }


def report(built: "Report", fmt: str, *, exact: bool = False, wide: bool = False) -> None:
    """A report: its stakes (streamed), then its totals; as JSON ``{"filters", "stakes",
    "totals"}``, CSV rows, or tables."""
    listing = built.stakes
    if fmt == "json":
        return stream_json(
            {"filters": built.filters, "stakes": listing.rows, "totals": built.totals}
        )
    if fmt == "csv":
        return as_csv(_report_rows(listing.rows, built.into), REPORT_FIELDS)
    filters = ", ".join(f"{k} {v}" for k, v in built.filters.items() if v)
    page_valuations: list[dict[str, Any]] = []

    def rows() -> Iterator[dict[str, Any]]:
        for s in listing.rows:
            if s["implied_valuation"] and not listing.page.whole:
                page_valuations.append(s)
            yield s

    shown = stakes_table(
        rows(),
        title=f"Stakes{' (' + filters + ')' if filters else ''}",
        into=built.into,
        exact=exact,
        wide=wide,
        investor_named=built.filters["investor"] is not None,
    )
    if not shown and listing.page.offset == 0:
        from ecoport.words import no_match

        info(no_match("stakes", filters))
        return
    _listed(listing, shown, "")
    valuations = built.valuations() if listing.page.whole else iter(page_valuations)
    _emit("\n")
    if _valuations_table(valuations, built.into, exact=exact, wide=wide):
        _emit("\n")
    t = built.totals()
    conv = t["in"]
    if t["by_currency"]:
        money_rows = [
            (
                row["currency"],
                money(row["invested"], row["currency"], exact=exact),
                money(row["realised"], row["currency"], exact=exact),
            )
            for row in t["by_currency"]
        ]
        money_rows.append(
            (
                f"all, in {conv['currency']}",
                money(conv["invested"], conv["currency"], exact=exact),
                money(conv["realised"], conv["currency"], exact=exact),
            )
        )
        table(
            money_rows,
            [
                Column("Currency", least=8),
                Column("Invested", right=True, keep=True),
                Column("Realised", right=True, keep=True),
            ],
            title="Totals of disclosed amounts",
        )
        _emit("\n")
    say(
        f"{t['stakes']:,} stakes in {t['startups']:,} distinct startups by {t['investors']:,} "
        f"investor{'' if t['investors'] == 1 else 's'}; amounts undisclosed for "
        f"{t['undisclosed_amounts']:,} of {t['transactions']:,} "
        f"transactions, percentages undisclosed for {t['undisclosed_percents']:,} of "
        f"{t['stakes']:,} stakes."
    )
    line = rounds_line(t["in_rounds"], exact=exact)
    if line:
        say(line)
    conversion_footer(conv)


def _valuations_table(
    stakes_: Iterable[dict[str, Any]], into: str, *, exact: bool, wide: bool
) -> int:
    """The post-money valuations the stakes' amounts and percents imply."""

    def rows() -> Iterator[list[str]]:
        for s in stakes_:
            v = s["implied_valuation"]
            yield [
                s["date"],
                s["startup"],
                money(v["amount"], v["currency"], exact=exact),
                money(v["converted"], into, exact=exact) if v["converted"] else "not converted",
            ]

    return table(
        rows(),
        [
            Column("Date", keep=True),
            Column("Startup", least=12),
            Column("Valuation", priority=1, right=True, keep=True),
            Column(f"In {into}", priority=2, right=True, keep=True),
        ],
        title="Implied post-money valuations (amount / percent)",
        wide=wide,
    )


def rounds_line(in_rounds: dict[str, Any], *, exact: bool = False) -> str | None:
    """``In 3 rounds, 2 totalling USD 150.0m; own share undisclosed in 3 stakes ...``
    Round totals are the whole rounds' money, never added to an investor's."""
    n = in_rounds["rounds"]
    if not n:
        return None
    totals = " + ".join(money(t["amount"], t["currency"], exact=exact) for t in in_rounds["totals"])
    known = in_rounds["with_total"]
    text = f"In {n:,} round{'s' * (n != 1)}"
    if not totals:
        text += " of undisclosed totals"
    elif known == n:
        text += f" totalling {totals}"
    else:
        text += f", {known:,} of them totalling {totals}"
    own = in_rounds["own_share_undisclosed"]
    if own:
        text += f"; own share undisclosed in {own:,} stake{'s' * (own != 1)} (round totals are "
        text += "not counted as anyone's money)"
    return text + "."


def conversion_footer(conv: dict[str, Any]) -> None:
    say(f"Conversion to {conv['currency']}: {conv['rule']}.", style="dim")
    for why in conv["why_not"]:
        say(f"Not converted ({why['amounts']:,}): {why['reason']}.")


# --- companies ----------------------------------------------------------------------------

COMPANY_FIELDS = ("name", "sector", "aliases", "holders", "holdings", "stakes")


def companies(listing: "Listing[Any]", fmt: str, *, wide: bool = False) -> None:
    """A listing of companies: JSON ``{"companies": [...]}``, CSV (aliases joined by
    ``; ``), or a table; streamed."""
    if fmt == "json":
        return stream_json({"companies": listing.rows})
    if fmt == "csv":
        return as_csv(
            ({**r, "aliases": "; ".join(r["aliases"])} for r in listing.rows), COMPANY_FIELDS
        )
    rows = (
        [
            r["name"],
            r["sector"] or "",
            ", ".join(r["aliases"]),
            str(r["holders"]),
            str(r["holdings"]),
            str(r["stakes"]),
        ]
        for r in listing.rows
    )
    shown = table(
        rows,
        [
            Column("Company", least=12),
            Column("Sector", priority=2, least=12),
            Column("Aliases", priority=5, least=16),
            Column("Holders", priority=3, right=True, keep=True),
            Column("Holdings", priority=4, right=True, keep=True),
            Column("Stakes", priority=1, right=True, keep=True),
        ],
        wide=wide,
    )
    _listed(listing, shown, "no companies match")


def sources(stakes_: Sequence[dict[str, Any]]) -> None:
    """The stakes' sources in full, each once, with the stakes that cite it (a URL is never
    cut: one too long for a line has a line of its own)."""
    cited: dict[str, list[str]] = {}
    for s in stakes_:
        if s["source"]:
            cited.setdefault(s["source"], []).append(str(s["id"]))
    if not cited:
        return
    _emit("\n")
    say("Sources", style="bold")
    for source, ids in cited.items():
        say(f"{'Stakes' if len(ids) > 1 else 'Stake'} {', '.join(ids)}: {source}")


@contextmanager
def file_progress(label: str, total: int, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, by bytes read, when stderr is a terminal and *enabled*;
    otherwise a no-op. Yields the function to call with the bytes read so far."""
    if not (enabled and sys.stderr.isatty()):
        yield lambda _done: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def import_summary(summary: dict[str, Any], fmt: str) -> None:
    """What an import did: every record read is added, matched, already present, or rejected."""
    if fmt == "json":
        return as_json({k: v for k, v in summary.items() if k not in ("warnings", "problems")})
    import shlex

    verb = "Would import" if summary["dry_run"] else "Imported"
    repeated = summary["repeated_in_file"]
    records = summary["records"]
    from ecoport.words import plural

    rows_read = plural(summary["rows_read"], "row")
    head = f"{verb} {summary['file']} ({summary['format']}): {rows_read} read"
    if records != summary["rows_read"]:
        head += f", {plural(records, 'stake record')}"
    lines = [
        head,
        f"  stakes added       {summary['stakes_added']:>12,}",
        f"  matched            {summary['matched']:>12,}"
        + ("  (the same deal, stored less precisely: filled in)" if summary["matched"] else ""),
        f"  already present    {summary['already_present']:>12,}"
        + (f"  ({repeated:,} repeat an earlier record of the file)" if repeated else ""),
        f"  rejected           {summary['rejected']:>12,}",
    ]
    for key, label in (
        ("rows_skipped", "blank rows skipped"),
        ("companies_created", "companies created"),
        ("companies_resolved", "names resolved"),
        ("rounds_created", "rounds recorded"),
        ("rounds_matched", "rounds matched"),
        ("sector_conflicts", "sector conflicts"),
        ("sectors_set", "sectors set"),
        ("aliases_added", "aliases added"),
        ("targets_set", "targets set"),
        ("milestones_added", "milestones added"),
        ("marks_added", "marks added"),
    ):
        if summary[key] or key == "companies_created":
            lines.append(f"  {label:<18} {summary[key]:>12,}")
    if summary["companies_resolved"]:
        lines.append(
            "  (names resolved: other spellings of known companies, such as Inc. or Corp.)"
        )
    if summary["sector_conflicts"]:
        lines.append(
            "  (sector conflicts: a row gave a known company another sector; see --sector-conflict)"
        )
    dupes = summary["possible_duplicates"]
    if dupes:
        count = f"{len(dupes):,}"
        if summary["more_possible_duplicates"]:
            count = "first " + count
        lines.append(f"Possible duplicate companies ({count}); merge those that are one:")
        for d in dupes[:20]:
            # the command on a line of its own, so a narrow terminal does not break it
            lines.append(f"  {d['name']!r} looks like {d['like']!r}:")
            lines.append(
                f"    ecoport companies merge {shlex.quote(d['name'])} "
                f"--into {shlex.quote(d['like'])}"
            )
        if len(dupes) > 20:
            lines.append(f"  ... and {len(dupes) - 20:,} more (--json lists them all)")
    if summary["dry_run"]:
        lines.append("Dry run: nothing was written.")
    write("\n".join(lines))


# --- the audit log ------------------------------------------------------------------------

CHANGE_FIELDS = ("id", "at", "actor", "command", "summary", "undoes", "undone_by")


def _diff(record: dict[str, Any]) -> str:
    """``stake 32 (Xiaomi in Midea Group) changed: amount CNY 1.27bn → undisclosed`` (or
    added / removed, with its fields), from the record's readable ``label`` and ``diff``."""
    before, after = record["before"], record["after"]
    verb = "added" if before is None else "removed" if after is None else "changed"
    label = record.get("label") or f"{record['table']} {record['key']}"
    parts = []
    for d in record.get("diff", []):
        if verb == "changed":
            old = "(none)" if d["before"] is None else d["before"]
            new = "(none)" if d["after"] is None else d["after"]
            parts.append(f"{d['field']} {old} → {new}")
        else:
            value = d["after"] if verb == "added" else d["before"]
            if str(value) not in label:  # the label names it already
                parts.append(f"{d['field']} {value}")
    return f"{label} {verb}: " + ("; ".join(parts) or "nothing")


def change_log(changes: list[dict[str, Any]], fmt: str, *, quiet: bool = False) -> None:
    """The audit log: a table of changes; with their records, each change as a block (as
    ``git log``), its records under it. In JSON each record keeps its raw rows (``before``,
    ``after``) beside its readable ``label`` and ``diff``."""
    if fmt == "json":
        return as_json({"changes": changes})
    if fmt == "csv":
        return as_csv(changes, CHANGE_FIELDS)
    if not changes:
        from ecoport.words import no_match

        info(no_match("changes"), quiet=quiet)
        return
    if any("records" in c for c in changes):
        return _change_blocks(changes)
    table(
        (
            [str(c["id"]), c["at"][:19].replace("T", " "), c["actor"], c["command"], _what(c)]
            for c in changes
        ),
        [
            Column("Change", right=True, keep=True),
            Column("When (UTC)", keep=True),
            Column("Who", priority=3, least=6),
            Column("Command", priority=2, least=20),
            Column("What", prose=True, least=20),
        ],
        hint="--format json shows every field",
    )


def _what(change: dict[str, Any]) -> str:
    """``1 stake changed (undoes change 3) [undone by change 5]``"""
    what = str(change["summary"])
    if change["undoes"] is not None:
        what += f" (undoes change {change['undoes']})"
    if change["undone_by"] is not None:
        what += f" [undone by change {change['undone_by']}]"
    return what


def _change_blocks(changes: list[dict[str, Any]]) -> None:
    """Each change as a few lines, its records indented under it, wrapped to the width."""
    import textwrap

    wide = max(width(), 40)
    lines: list[str] = []
    for c in changes:
        when = c["at"][:19].replace("T", " ")
        lines.append(f"Change {c['id']}  {when} UTC  {c['actor']}")
        lines.append(
            textwrap.fill(c["command"], wide, initial_indent="  ", subsequent_indent="    ")
        )
        lines.append(textwrap.fill(_what(c), wide, initial_indent="  ", subsequent_indent="  "))
        for record in c["records"]:
            lines.append(
                textwrap.fill(
                    _diff(record),
                    wide,
                    initial_indent="    ",
                    subsequent_indent="      ",
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
        lines.append("")
    write("\n".join(lines).rstrip("\n"))


# --- the database -------------------------------------------------------------------------


# --- funding rounds -----------------------------------------------------------------------

ROUND_FIELDS = (
    "id",
    "date",
    "startup",
    "sector",
    "round",
    "total",
    "valuation",
    "currency",
    "participants",
    "source",
    "note",
)


def rounds_table(
    listing: "Listing[Any]", fmt: str, *, exact: bool = False, wide: bool = False
) -> None:
    """A listing of rounds: JSON (an array, streamed), CSV or a table."""
    if fmt == "json":
        return stream_json(listing.rows)
    if fmt == "csv":
        return as_csv(listing.rows, ROUND_FIELDS)
    rows = (
        [
            str(r["id"]),
            r["date"],
            r["startup"],
            r["round"] or "-",
            money(r["total"], r["currency"], exact=exact) if r["total"] else "n/d",
            money(r["valuation"], r["currency"], exact=exact) if r["valuation"] else "n/d",
            str(r["participants"]),
        ]
        for r in listing.rows
    )
    shown = table(
        rows,
        [
            Column("ID", right=True, keep=True),
            Column("Date", keep=True),
            Column("Startup", least=12),
            Column("Round", priority=3, least=8),
            Column("Total", priority=1, right=True, keep=True),
            Column("Valuation", priority=4, right=True, keep=True),
            Column("Investors", priority=2, right=True, keep=True),
        ],
        wide=wide,
    )
    if shown:
        say("n/d: not disclosed. Investors: participants recorded. Details: rounds show ID.")
    from ecoport.words import no_match

    _listed(listing, shown, no_match("rounds"))


def records_table(
    rows: Iterable[Sequence[str]], columns: Sequence[str], *, right: Iterable[str] = ()
) -> None:
    """A plain table of text cells, one row a record (target list, fx list), fitted to the
    width: numbers (the *right* columns) whole, text shortened."""
    numbers = set(right)
    table(
        rows,
        [Column(c, right=c in numbers, keep=c in numbers) for c in columns],
        hint="--format json shows every field",
    )
