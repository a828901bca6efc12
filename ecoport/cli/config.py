"""ecoport config show/set: the reporting currency and what "$" and "¥" mean."""

from typing import Annotated

import typer

from ecoport.cli.common import DbOption, Format, FormatOption, emit, location, writing_for


def config_show(ctx: typer.Context, fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """Show the settings of this database, with their defaults.

    \b
    Example:
      ecoport config show
    """
    from ecoport.render import as_csv, as_json, settings_table
    from ecoport.services.settings import KNOWN, settings_at

    values = settings_at(location(ctx, db))
    rows = [
        {"key": key, "value": values[key], "default": k.default, "meaning": k.help}
        for key, k in KNOWN.items()
    ]
    if fmt is Format.json:
        as_json({"settings": rows})
    elif fmt is Format.csv:
        as_csv(rows, ("key", "value", "default", "meaning"))
    else:
        settings_table(rows)


def config_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="currency, dollar or yen.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="An ISO 4217 code.")],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Change a setting: the reporting currency, or what "$" and "¥" mean in amounts.

    \b
    Example:
      ecoport config set currency USD
      ecoport config set yen JPY
    """
    from ecoport.services.settings import set_setting

    with writing_for(ctx, db) as session:
        old, new = set_setting(session=session, key=key, value=value)
    emit(ctx, fmt, {"key": key, "value": new, "previous": old}, f"{key}: {new} (was {old})")
