"""extract on a terminal: the drafts in a table that fits, the milestones, the notes on stderr."""

from ecoport.emit import Style, table_for
from ecoport.layout import Column
from ecoport.render import info, money, say, table
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
    shown = table(rows, _COLUMNS, title=f"Drafts from {result.article}", wide=style.wide)
    if result.milestones:
        say("Milestones", style="bold")
        for m in result.milestones:
            say(f"  {m.investor} {milestone_text(m)}")
    for note in result.notes:
        info(f"note: {note}", quiet=style.quiet)
    if shown or result.milestones:
        info(
            f"{plural(shown, 'draft')}, {plural(len(result.milestones), 'milestone')}: "
            "review them, then add them with {option:apply}, or write them with "
            "{option:format} yaml "
            "and {command:import} the file",
            quiet=style.quiet,
        )
