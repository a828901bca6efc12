"""One stake on a terminal: field by field, its source in full (a URL is never cut)."""

from typing import Any

from ecoport.emit import Style, table_for
from ecoport.render import details, money, percent
from ecoport.services.lookup import StakeView
from ecoport.services.shapes import STAKE_FIELDS


@table_for(StakeView)
def stake(view: StakeView, _style: Style) -> None:
    stake_detail(view.record, view.heading or f"Stake {view.record['id']}")


def stake_detail(stake: dict[str, Any], heading: str) -> None:
    """One stake, field by field; its source in full (a URL is never cut)."""
    pairs = []
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
        pairs.append((field, str(value)))
    details(pairs, heading=heading)
