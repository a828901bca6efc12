"""target list and target milestone list on a terminal: one record a row, fitted."""

from ecoport.emit import Style, table_for
from ecoport.render import info, records_table
from ecoport.services.targets import Milestones, Targets
from ecoport.words import no_match


@table_for(Targets)
def targets(result: Targets, style: Style) -> None:
    if not result.rows:
        info(no_match("targets"), quiet=style.quiet)
        return
    records_table(
        [
            [row.investor, row.sector or "(whole portfolio)", f"{row.target:,}"]
            for row in result.rows
        ],
        ("Investor", "Sector", "Target"),
        right=("Target",),
    )


@table_for(Milestones)
def milestones(result: Milestones, style: Style) -> None:
    if not result.rows:
        info(no_match("milestones"), quiet=style.quiet)
        return
    records_table(
        [
            [str(m.id), m.investor, str(m.by), f"{m.reported:,}", m.what, m.source or ""]
            for m in result.rows
        ],
        ("ID", "Investor", "By", "Reported", "What", "Source"),
        right=("ID", "Reported"),
    )
