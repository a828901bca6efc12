"""What add-stake stored, on a terminal: the stake, then the companies it created or
recognised by an alias and any sector it moved (notes on stderr)."""

from ecoport.emit import Style, table_for
from ecoport.render import info
from ecoport.services.stakes import AddResult
from ecoport.tables.lookup import stake_detail


@table_for(AddResult)
def added(result: AddResult, style: Style) -> None:
    stake_detail(result.stake, f"Stake {result.stake['id']} stored")
    for name in result.created:
        info(f"New company created: {name}", quiet=style.quiet)
    for typed, name in result.resolved.items():
        info(f"{typed!r} is an alias of {name}", quiet=style.quiet)
    if result.sector_changed:
        who, old, new = result.sector_changed
        info(f"{who} moved from sector {old or '(none)'} to {new}", quiet=style.quiet)
