"""config show on a terminal: each setting, its value, default and meaning."""

from ecoport.emit import Style, table_for
from ecoport.layout import Column
from ecoport.render import table
from ecoport.services.settings import Settings


@table_for(Settings)
def settings(result: Settings, style: Style) -> None:
    table(
        ([r["key"], r["value"], r["default"], r["meaning"]] for r in result.rows()),
        [
            Column("Setting", keep=True),
            Column("Value", least=8),
            Column("Default", priority=1, least=8),
            Column("Meaning", prose=True, least=20),
        ],
        hint=None,
        wide=style.wide,
    )
