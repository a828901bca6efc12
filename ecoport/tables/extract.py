"""extract on a terminal: the drafts in a table that fits, the milestones, the notes on stderr
(wrapped to the width too: a note quotes a sentence of the article)."""

import sys
from pathlib import PurePath

from ecoport.emit import Style, table_for
from ecoport.layout import Column, shorten, wrap
from ecoport.render import money, printable, say, table, width
from ecoport.services.extract import ExtractResult, milestone_text
from ecoport.words import plural

_COLUMNS = (
    Column("investor"),
    Column("startup"),
    Column("kind", keep=True),
    Column("date", keep=True),
    Column("amount", right=True, keep=True),
    Column("percent", right=True, keep=True, priority=1),
    Column("confidence", right=True, keep=True, priority=2),
    Column("unclear", prose=True, priority=3),
)


def note(message: str, *, quiet: bool = False) -> None:
    """A note for people on stderr, as render.info writes it, wrapped at word boundaries to
    the output's width (a word longer than a line stays whole on a line of its own)."""
    if not quiet:
        sys.stderr.write("\n".join(wrap(printable(message), width())) + "\n")


@table_for(ExtractResult)
def drafts(result: ExtractResult, style: Style) -> None:
    rows = []
    for d in result.drafts:
        new = [f"{n} is new" for n in d.new]
        figure = d.amount or d.round_total
        amount = (
            "undisclosed"
            if figure is None
            else money(figure.amount, figure.currency, exact=style.exact)
        )
        if d.round_total is not None:
            amount += " (round)"
        rows.append(
            [
                d.investor,
                d.startup,
                d.kind.value,
                "no date" if d.date is None else str(d.date),
                amount,
                "undisclosed" if d.percent is None else f"{d.percent}%",
                f"{d.confidence:.2f}",
                "; ".join([*new, *d.unclear]) or "-",
            ]
        )
    title = shorten(f"Drafts from {PurePath(result.article).name}", width())
    shown = table(rows, _COLUMNS, title=title, wide=style.wide)
    if result.milestones:
        say("Milestones", style="bold")
        for m in result.milestones:
            say(f"  {m.investor} {milestone_text(m)}")
    for line in result.notes:
        note(f"note: {line}", quiet=style.quiet)
    if shown or result.milestones:
        note(
            f"{plural(shown, 'draft')}, {plural(len(result.milestones), 'milestone')}: "
            "review them, then add them with {option:apply}, or write them with "
            "{option:format} yaml and {command:import} the file",
            quiet=style.quiet,
        )
