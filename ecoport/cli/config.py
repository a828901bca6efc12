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
    from ecoport.emit import emit as write
    from ecoport.services.settings import show_settings

    write(show_settings(location(ctx, db)), fmt.value)


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
