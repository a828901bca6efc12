"""fx show on a terminal: one line, the rate and where it comes from."""

from ecoport.emit import Style, table_for
from ecoport.render import write
from ecoport.services.fx import RateShown


@table_for(RateShown)
def rate_shown(result: RateShown, _style: Style) -> None:
    rate = result.rate
    write(f"1 {result.base} = {rate.value:.6f} {result.quote} on {rate.day} ({rate.source})")
