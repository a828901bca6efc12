"""All output: rich tables and bars for people, JSON and CSV for scripts. The only rich importer."""

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ecoport.core.text import printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

STAKE_FIELDS = (
    "id",
    "date",
    "investor",
    "startup",
    "sector",
    "kind",
    "round",
    "amount",
    "currency",
    "percent",
    "source",
    "note",
    "round_total",
    "round_valuation",
    "round_currency",
    "ref",
)


def console(stderr: bool = False) -> "Console":
    import os

    from rich.console import Console

    class SafeConsole(Console):
        """Every text from data is shown with its control characters escaped (a name
        stored with ESC [31m by an older version cannot colour the terminal)."""

        def render_str(self, text: str, **kwargs: Any) -> Any:
            return super().render_str(printable(text), **kwargs)

    # Piped output is not folded to 80 columns: lines stay whole for grep and less -S.
    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 200
    # markup off: names such as "[bold] Ltd" are shown exactly as stored
    return SafeConsole(stderr=stderr, highlight=False, soft_wrap=True, markup=False, width=width)


def write(text: str) -> None:
    text = printable(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def error(message: str) -> None:
    """One line on stderr (and any detail lines after it)."""
    sys.stderr.write(printable(message.rstrip("\n")) + "\n")


def info(message: str, *, quiet: bool = False) -> None:
    """A note for people, on stderr so that stdout stays clean for scripts."""
    if not quiet:
        sys.stderr.write(printable(message) + "\n")


def as_json(data: Any) -> None:
    write(json.dumps(data, indent=2, ensure_ascii=False))


def as_csv(rows: Iterable[dict[str, Any]], fields: Sequence[str]) -> None:
    buffer = io.StringIO()
    out = csv.DictWriter(
        buffer, fieldnames=list(fields), lineterminator="\n", extrasaction="ignore"
    )
    out.writeheader()
    for row in rows:
        out.writerow({k: ("" if v is None else v) for k, v in row.items()})
    sys.stdout.write(printable(buffer.getvalue()))


def money(amount: str | None, currency: str | None, *, exact: bool = True) -> str:
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


# --- stakes -------------------------------------------------------------------------------


def stake_detail(stake: dict[str, Any], heading: str) -> None:
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for field in STAKE_FIELDS:
        value = stake[field]
        if field == "amount":
            value = money(stake["amount"], stake["currency"])
        elif field in ("round_total", "round_valuation"):
            if value is None:
                continue
            value = money(value, stake["round_currency"])
        elif field in ("currency", "round_currency"):
            continue
        elif field == "percent":
            value = percent(value)
        elif value is None:
            continue
        _add(grid, field, str(value))
    out = console()
    out.print(heading, style="bold")
    out.print(grid)


def _domain(source: str | None) -> str:
    """A source's host (``techcrunch.com``), short enough for a table; documents as they are."""
    if not source:
        return ""
    from urllib.parse import urlsplit

    host = urlsplit(source).hostname if "://" in source else None
    return (host or source).removeprefix("www.")


def stakes_table(
    stakes: list[dict[str, Any]], title: str | None = None, *, exact: bool = False
) -> "Table":
    # The source's host only on a wide screen; the full URL is in the JSON and CSV.
    wide = console().width >= 130
    into = next((s["converted"]["currency"] for s in stakes if s.get("converted")), None)
    columns = ["ID", "Date", "Investor", "Startup", "Sector", "Kind", "Amount"]
    columns += [f"In {into}"] if into else []
    columns += ["%"] + (["Source"] if wide else [])
    table = _table(title, *columns, right=("ID", "Amount", f"In {into}", "%"))
    for column in table.columns:
        if column.header in ("ID", "Date", "Kind", "Amount", f"In {into}", "%", "Source"):
            column.no_wrap = True
        if column.header == "Source":
            column.overflow, column.max_width = "ellipsis", 22
        if column.header in ("Investor", "Startup", "Sector"):
            column.min_width = 10
    for s in stakes:
        amount = "n/d" if s["amount"] is None else money(s["amount"], s["currency"], exact=exact)
        cells = [
            str(s["id"]),
            s["date"],
            s["investor"],
            s["startup"],
            s["sector"] or "",
            s["kind"],
            amount,
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
        _add(table, *cells, *([_domain(s["source"])] if wide else []))
    if stakes:
        table.caption = "n/d: not disclosed. Sources: --format json or csv."
        table.caption_justify = "left"
    return table


def stakes(stakes_: list[dict[str, Any]], fmt: str, *, exact: bool = False) -> None:
    if fmt == "json":
        as_json({"stakes": stakes_})
    elif fmt == "csv":
        as_csv(stakes_, STAKE_FIELDS)
    elif not stakes_:
        info("no stakes match")
    else:
        console().print(stakes_table(stakes_, exact=exact))


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


def _report_rows(data: dict[str, Any]) -> Iterable[dict[str, Any]]:
    into = data["totals"]["in"]["currency"]
    for s in data["stakes"]:
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


def report(data: dict[str, Any], fmt: str, *, exact: bool = False) -> None:
    if fmt == "json":
        return as_json(data)
    if fmt == "csv":
        return as_csv(_report_rows(data), REPORT_FIELDS)
    out = console()
    filters = ", ".join(f"{k} {v}" for k, v in data["filters"].items() if v)
    if not data["stakes"]:
        info(f"No stakes match{' (' + filters + ')' if filters else ''}.")
        return
    out.print(
        stakes_table(
            data["stakes"], title=f"Stakes{' (' + filters + ')' if filters else ''}", exact=exact
        )
    )
    valuations = [s for s in data["stakes"] if s["implied_valuation"]]
    if valuations:
        table = _table(
            "Implied post-money valuations (amount / percent)",
            "Date",
            "Startup",
            "Valuation",
            f"In {data['totals']['in']['currency']}",
            right=("Valuation", f"In {data['totals']['in']['currency']}"),
        )
        for s in valuations:
            v = s["implied_valuation"]
            _add(
                table,
                s["date"],
                s["startup"],
                money(v["amount"], v["currency"], exact=exact),
                money(v["converted"], data["totals"]["in"]["currency"], exact=exact)
                if v["converted"]
                else "not converted",
            )
        out.print(table)
    t = data["totals"]
    totals = _table(
        "Totals of disclosed amounts",
        "Currency",
        "Invested",
        "Realised",
        right=("Invested", "Realised"),
    )
    for row in t["by_currency"]:
        _add(
            totals,
            row["currency"],
            money(row["invested"], row["currency"], exact=exact),
            money(row["realised"], row["currency"], exact=exact),
        )
    conv = t["in"]
    if t["by_currency"]:
        _add(
            totals,
            f"all, in {conv['currency']}",
            money(conv["invested"], conv["currency"], exact=exact),
            money(conv["realised"], conv["currency"], exact=exact),
        )
        out.print(totals)
    out.print(
        f"{t['stakes']} stakes in {t['startups']} distinct startups by {t['investors']} "
        f"investor{'' if t['investors'] == 1 else 's'}; amounts undisclosed for "
        f"{t['undisclosed_amounts']} of {t['transactions']} "
        f"transactions, percentages undisclosed for {t['undisclosed_percents']} of "
        f"{t['stakes']} stakes."
    )
    line = rounds_line(t["in_rounds"], exact=exact)
    if line:
        out.print(line)
    _conversion_footer(conv)


def rounds_line(in_rounds: dict[str, Any], *, exact: bool = False) -> str | None:
    """``In 3 rounds, 2 totalling USD 150.0m; own share undisclosed in 3 stakes ...``
    Round totals are the whole rounds' money, never added to an investor's."""
    n = in_rounds["rounds"]
    if not n:
        return None
    totals = " + ".join(money(t["amount"], t["currency"], exact=exact) for t in in_rounds["totals"])
    known = in_rounds["with_total"]
    text = f"In {n} round{'s' * (n != 1)}"
    if not totals:
        text += " of undisclosed totals"
    elif known == n:
        text += f" totalling {totals}"
    else:
        text += f", {known} of them totalling {totals}"
    own = in_rounds["own_share_undisclosed"]
    if own:
        text += f"; own share undisclosed in {own} stake{'s' * (own != 1)} (round totals are "
        text += "not counted as anyone's money)"
    return text + "."


def _conversion_footer(conv: dict[str, Any]) -> None:
    out = console()
    out.print(f"Conversion to {conv['currency']}: {conv['rule']}.", style="dim")
    for why in conv["why_not"]:
        out.print(f"Not converted ({why['amounts']}): {why['reason']}.")


# --- progress -----------------------------------------------------------------------------

PROGRESS_FIELDS = (
    "investor",
    "target",
    "companies",
    "percent_of_target",
    "pace_per_month",
    "target_date",
    "sector",
    "sector_companies",
    "currency",
    "invested",
)


def _progress_rows(data: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for inv in data["investors"]:
        head = {k: inv[k] for k in PROGRESS_FIELDS[:6]}
        for sector in inv["sectors"]:
            base = {**head, "sector": sector["sector"], "sector_companies": sector["companies"]}
            if not sector["invested"]:
                yield base
            for amount in sector["invested"]:
                yield {**base, "currency": amount["currency"], "invested": amount["amount"]}


def progress(data: dict[str, Any], fmt: str, *, exact: bool = False) -> None:
    if fmt == "json":
        return as_json(data)
    if fmt == "csv":
        return as_csv(_progress_rows(data), PROGRESS_FIELDS)
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    out = console()
    for inv in data["investors"]:
        line = Table.grid(padding=(0, 2))
        line.add_row(
            Text.assemble(
                (printable(inv["investor"]), "bold"),
                f": {inv['companies']} of {inv['target']} companies",
            ),
            ProgressBar(
                total=inv["target"], completed=min(inv["companies"], inv["target"]), width=40
            ),
            f"{inv['percent_of_target']}%",
        )
        out.print(line)
        out.print(f"Counted: {inv['counted']}.")
        if inv["target_note"]:
            out.print(f"Target: {inv['target_note']}", style="dim")
        if inv["through_portfolio"]:
            names = ", ".join(inv["through_portfolio"][:5])
            more = len(inv["through_portfolio"]) - 5
            out.print(
                f"Not counted: {len(inv['through_portfolio'])} more reached only through "
                f"portfolio companies ({names}{f' and {more} more' if more > 0 else ''})."
            )
        if inv["first_stake"]:
            out.print(
                f"First stake {inv['first_stake']['date']} ({inv['first_stake']['startup']}), "
                f"latest {inv['latest_stake']['date']} ({inv['latest_stake']['startup']})."
            )
        out.print(_pace_line(inv, data["as_of"]))
        into = inv["invested_in"]
        invested = "; ".join(
            money(a["amount"], a["currency"], exact=exact) for a in inv["invested"]
        )
        total = money(into["amount"], into["currency"], exact=exact)
        out.print(
            f"Invested (disclosed): {total} ({invested or 'nothing disclosed'}); amounts "
            f"undisclosed for {inv['undisclosed_amounts']} of {inv['transactions']} transactions."
        )
        taken = rounds_line(inv["in_rounds"], exact=exact)
        if taken:
            out.print(taken)
        table = _table(
            None,
            "Sector",
            "Companies",
            "Share",
            "Invested (disclosed)",
            f"In {into['currency']}",
            "Undisclosed",
            right=("Companies", "Share", f"In {into['currency']}", "Undisclosed"),
        )
        for s in inv["sectors"]:
            share = Decimal(s["companies"] * 100) / Decimal(inv["companies"] or 1)
            _add(
                table,
                s["sector"],
                str(s["companies"]),
                f"{share:.0f}%",
                "\n".join(money(a["amount"], a["currency"], exact=exact) for a in s["invested"])
                or "-",
                money(s["invested_in"], into["currency"], exact=exact) if s["invested"] else "-",
                f"{s['undisclosed_amounts']} of {s['transactions']}",
            )
        out.print(table)
        _conversion_footer(into)


def _pace_line(inv: dict[str, Any], as_of: str) -> str:
    if inv["pace_per_month"] is None:
        return "Pace: not enough time elapsed to measure."
    pace = f"{Decimal(inv['pace_per_month']):.2f}"
    since = f"Pace: {pace} companies a month from {inv['pace_since']} to {as_of}"
    if inv["target_reached"]:
        return f"{since}; target reached on {inv['target_date']}."
    if inv["target_date"] is None:
        return f"{since}; at that pace the target is out of reach."
    return f"{since}; at that pace the target of {inv['target']} falls on {inv['target_date']}."


# --- companies ----------------------------------------------------------------------------

COMPANY_FIELDS = ("name", "sector", "aliases", "holders", "holdings", "stakes")
HOLDING_FIELDS = ("relation", "company", "holding", "percent", "first", "latest", "events")


def companies(rows: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        return as_json({"companies": rows})
    if fmt == "csv":
        return as_csv(({**r, "aliases": "; ".join(r["aliases"])} for r in rows), COMPANY_FIELDS)
    table = _table(
        None,
        "Company",
        "Sector",
        "Aliases",
        "Holders",
        "Holdings",
        "Stakes",
        right=("Holders", "Holdings", "Stakes"),
    )
    for r in rows:
        _add(
            table,
            r["name"],
            r["sector"] or "",
            ", ".join(r["aliases"]),
            str(r["holders"]),
            str(r["holdings"]),
            str(r["stakes"]),
        )
    console().print(table)


def company(data: dict[str, Any], fmt: str, *, exact: bool = False) -> None:
    if fmt == "json":
        return as_json(data)
    if fmt == "csv":
        rows = [{**h, "relation": "holder"} for h in data["holders"]]
        rows += [{**h, "relation": "holding"} for h in data["holdings"]]
        return as_csv(rows, HOLDING_FIELDS)
    from rich.text import Text

    out = console()
    out.print(
        Text.assemble((printable(data["name"]), "bold"), f"  sector: {data['sector'] or '-'}")
    )
    if data["aliases"]:
        out.print(f"Also known as: {', '.join(data['aliases'])}")
    if data["note"]:
        out.print(f"Note: {data['note']}")
    if data["source"]:
        out.print(f"Source: {data['source']}")
    for key, title in (("holders", "Held by"), ("holdings", "Holds")):
        if data[key]:
            table = _table(
                title, "Company", "Holding", "First", "Latest", "Events", right=("Events",)
            )
            for h in data[key]:
                _add(table, h["company"], h["holding"], h["first"], h["latest"], str(h["events"]))
            out.print(table)
    for key, title in (
        ("held_through", "Held through others"),
        ("holds_through", "Holds through others"),
    ):
        if data[key]:
            table = _table(title, "Chain", "Look-through", right=("Look-through",))
            for chain in data[key]:
                _add(table, " → ".join(chain["path"]), percent(chain["percent"]))
            out.print(table)
    if data["valuations"]:
        into = data["currency"]
        table = _table(
            "Implied post-money valuations",
            "Date",
            "Investor",
            "Valuation",
            f"In {into}",
            right=("Valuation", f"In {into}"),
        )
        for v in data["valuations"]:
            _add(
                table,
                v["date"],
                v["investor"],
                money(v["amount"], v["currency"], exact=exact),
                money(v["converted"], into, exact=exact) if v["converted"] else "not converted",
            )
        out.print(table)
    if data["stakes"]:
        out.print(stakes_table(data["stakes"], title="Stakes", exact=exact))


def settings_table(rows: list[dict[str, str]]) -> None:
    table = _table(None, "Setting", "Value", "Default", "Meaning")
    for r in rows:
        _add(table, r["key"], r["value"], r["default"], r["meaning"])
    console().print(table)


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
    head = f"{verb} {summary['file']} ({summary['format']}): {summary['rows_read']:,} rows read"
    if records != summary["rows_read"]:
        head += f", {records:,} stake records"
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
    """``stake 32 changed: amount_minor 100 -> 200`` (or added / removed, with the row)."""
    before, after = record["before"], record["after"]
    head = f"{record['table']} {record['key']}"
    if before is None or after is None:
        verb, row = ("added", after) if before is None else ("removed", before)
        shown = ", ".join(f"{k}={v}" for k, v in row.items() if v is not None and k != "id")
        return f"{head} {verb}: {shown}"
    changed = [f"{k} {before.get(k)} -> {after.get(k)}" for k in after if before.get(k) != after[k]]
    return f"{head} changed: " + ("; ".join(changed) or "nothing")


def change_log(changes: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        return as_json({"changes": changes})
    if fmt == "csv":
        return as_csv(changes, CHANGE_FIELDS)
    if not changes:
        info("No changes recorded.")
        return
    table = _table(None, "Change", "When (UTC)", "Who", "Command", "What", right=("Change",))
    for c in changes:
        what = c["summary"]
        if c["undoes"] is not None:
            what += f" (undoes change {c['undoes']})"
        if c["undone_by"] is not None:
            what += f" [undone by change {c['undone_by']}]"
        for record in c.get("records", []):
            what += "\n  " + _diff(record)
        _add(table, str(c["id"]), c["at"][:19].replace("T", " "), c["actor"], c["command"], what)
    console().print(table)


# --- the database -------------------------------------------------------------------------


def status(data: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        return as_json(data)
    if fmt == "csv":
        return as_csv([data], list(data))
    state = {
        "current": "current",
        "behind": f"behind: `ecoport db upgrade` brings it to {data['head']}",
        "empty": "no ecoport schema yet: `ecoport db upgrade` creates it",
        "missing": "no database yet: `ecoport init` creates it",
    }[data["state"]]
    write(f"Database: {data['database']} (from {data['origin']})")
    write(f"Backend:  {data['backend']}")
    write(f"Schema:   revision {data['revision'] or '-'} ({state})")


def check_result(data: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        return as_json(data)
    if fmt == "csv":
        return as_csv(({"problem": p} for p in data["problems"]), ["problem"])
    for problem in data["problems"]:
        write(problem)
    n = len(data["problems"])
    info(
        f"{data['database']}: {data['stakes']} stakes checked, "
        + ("no problems" if not n else f"{n} problem{'s' if n != 1 else ''}")
    )


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


def rounds_table(rows: list[dict[str, Any]], fmt: str, *, exact: bool = False) -> None:
    if fmt == "json":
        return as_json(rows)
    if fmt == "csv":
        return as_csv(rows, ROUND_FIELDS)
    if not rows:
        info("No rounds match.")
        return
    table = _table(
        None,
        "ID",
        "Date",
        "Startup",
        "Round",
        "Total",
        "Valuation",
        "Investors",
        right=("ID", "Total", "Valuation", "Investors"),
    )
    for r in rows:
        _add(
            table,
            str(r["id"]),
            r["date"],
            r["startup"],
            r["round"] or "-",
            money(r["total"], r["currency"], exact=exact) if r["total"] else "n/d",
            money(r["valuation"], r["currency"], exact=exact) if r["valuation"] else "n/d",
            str(r["participants"]),
        )
    out = console()
    out.print(table)
    out.print("n/d: not disclosed. Investors: participants recorded. Details: rounds show ID.")


def round_detail(data: dict[str, Any], fmt: str, *, exact: bool = False) -> None:
    if fmt == "json":
        return as_json(data)
    if fmt == "csv":
        return as_csv(
            ({**p, "round_id": data["id"]} for p in data["participants"]),
            ("round_id", "stake_id", "investor", "kind", "amount", "currency", "percent"),
        )
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    cur = data["currency"]
    valuation = money(data["valuation"], cur, exact=exact) if data["valuation"] else None
    implied = ", ".join(
        f"{money(v['amount'], v['currency'], exact=exact)} (stake {v['stake_id']})"
        for v in data["implied_valuations"]
    )
    for label, value in (
        ("startup", data["startup"]),
        ("date", data["date"]),
        ("round", data["round"] or "(unnamed)"),
        ("total", money(data["total"], cur, exact=exact) if data["total"] else "undisclosed"),
        ("valuation", valuation or (f"implied {implied}" if implied else "undisclosed")),
        ("source", data["source"]),
        ("note", data["note"]),
    ):
        if value:
            _add(grid, label, str(value))
    out = console()
    out.print(f"Round {data['id']}", style="bold")
    out.print(grid)
    table = _table(
        "Participants (each one's own cheque)",
        "Stake",
        "Investor",
        "Kind",
        "Amount",
        "Percent",
        right=("Stake", "Amount", "Percent"),
    )
    for p in data["participants"]:
        _add(
            table,
            str(p["stake_id"]),
            p["investor"],
            p["kind"],
            money(p["amount"], p["currency"], exact=exact) if p["amount"] else "n/d",
            percent(p["percent"]) if p["percent"] else "n/d",
        )
    out.print(table)
    out.print("n/d: not disclosed.")


def records_table(
    rows: Iterable[Sequence[str]], columns: Sequence[str], *, right: Iterable[str] = ()
) -> None:
    """A plain table of text cells, one row a record (target list, fx list)."""
    table = _table(None, *columns, right=right)
    for row in rows:
        _add(table, *row)
    console().print(table)
