"""ecoport add-stake and ecoport stakes list/show/edit/remove."""

import sys
from typing import Annotated

import typer

from ecoport.cli.common import (
    DbOption,
    Format,
    FormatOption,
    change_of,
    globals_of,
    location,
    option_name,
    writing_for,
)

InvestorOpt = Annotated[
    str | None, typer.Option("--investor", metavar="NAME", help="Investor name or alias.")
]
StartupOpt = Annotated[
    str | None, typer.Option("--startup", metavar="NAME", help="Startup name or alias.")
]
SectorOpt = Annotated[
    str | None, typer.Option("--sector", metavar="PATH", help="Sector path such as iot/wearables.")
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", metavar="DATE", help="From this date (YYYY[-MM[-DD]]).")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", metavar="DATE", help="Up to this date, inclusive.")
]
AmountOpt = Annotated[
    str | None,
    typer.Option(
        "--amount",
        metavar="AMOUNT",
        help="Amount paid, such as 1270000000 or 1,270,000,000; 'undisclosed' when not known.",
    ),
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option("--currency", metavar="CODE", help="ISO 4217 code of the amount (CNY, USD...)."),
]
PercentOpt = Annotated[
    str | None,
    typer.Option(
        "--percent",
        metavar="PCT",
        help="Percentage of the company, 0 < p <= 100; 'undisclosed' when not known.",
    ),
]
DateOpt = Annotated[
    str | None, typer.Option("--date", metavar="DATE", help="When: YYYY, YYYY-MM or YYYY-MM-DD.")
]
KindOpt = Annotated[
    str | None,
    typer.Option(
        "--kind",
        metavar="KIND",
        help="investment (default), acquisition, holding, sale, exit or write-off.",
    ),
]
RoundOpt = Annotated[
    str | None, typer.Option("--round", metavar="ROUND", help="Round: seed, A, strategic...")
]
SourceOpt = Annotated[
    str | None, typer.Option("--source", metavar="URL", help="URL or document of the fact.")
]
NoteOpt = Annotated[str | None, typer.Option("--note", metavar="TEXT", help="Free-text note.")]


def add_stake(
    ctx: typer.Context,
    investor: Annotated[
        str, typer.Option("--investor", metavar="NAME", help="Who takes the stake.")
    ],
    startup: Annotated[
        str, typer.Option("--startup", metavar="NAME", help="The company invested in.")
    ],
    date: Annotated[
        str, typer.Option("--date", metavar="DATE", help="When: YYYY, YYYY-MM or YYYY-MM-DD.")
    ],
    sector: Annotated[
        str | None,
        typer.Option(
            "--sector",
            metavar="PATH",
            help="Sector path such as iot/wearables; required for a new startup.",
        ),
    ] = None,
    amount: AmountOpt = None,
    currency: CurrencyOpt = None,
    percent: PercentOpt = None,
    kind: KindOpt = None,
    round_: Annotated[
        str | None, typer.Option("--round", metavar="ROUND", help="seed, A, strategic...")
    ] = None,
    source: SourceOpt = None,
    note: NoteOpt = None,
    new_company: Annotated[
        bool,
        typer.Option(
            "--new-company",
            help="Create a new company even when its name is close to an existing one.",
        ),
    ] = False,
    change_sector: Annotated[
        bool, typer.Option("--change-sector", help="Move an existing startup to --sector.")
    ] = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Record a stake and print it as stored.

    Companies that do not exist yet are created; a name close to an existing one
    (a typo, a suffix like Inc.) is refused unless --new-company is given.

    \b
    Example:
      ecoport add-stake --investor Xiaomi --startup "Midea Group" \\
        --sector home/appliances --amount 1266000000 --currency CNY \\
        --percent 1.29 --date 2014-12-14 --source https://example.com/midea
    """
    from ecoport.errors import InvalidInput
    from ecoport.render import as_json, stake_detail
    from ecoport.services.fields import stake_from_fields
    from ecoport.services.stakes import AddOptions
    from ecoport.services.stakes import add_stake as add
    from ecoport.store.db import writing

    fields = {
        "investor": investor,
        "startup": startup,
        "date": date,
        "sector": sector,
        "amount": amount,
        "currency": currency,
        "percent": percent,
        "kind": kind,
        "round": round_,
        "source": source,
        "note": note,
    }
    for name in ("amount", "percent"):
        value = fields[name]
        if value is not None and not value.strip():
            raise InvalidInput(
                "is empty; leave the option out when undisclosed", where=option_name(name)
            )
    from ecoport.services.settings import settings_at, symbols

    loc = location(ctx, db)
    stake_in, errors = stake_from_fields(
        fields, where=option_name, symbols=symbols(settings_at(loc))
    )
    if stake_in is None:
        raise errors[0]
    with writing(loc, change=change_of(ctx)) as session:
        result = add(
            session=session,
            stake_in=stake_in,
            options=AddOptions(new_company=new_company, change_sector=change_sector),
        )
    if fmt is Format.json:
        as_json({"stake": result.stake, "created": result.created, "resolved": result.resolved})
        return
    if fmt is Format.csv:
        from ecoport.render import STAKE_FIELDS, as_csv

        as_csv([result.stake], STAKE_FIELDS)
        return
    stake_detail(result.stake, f"Stake {result.stake['id']} stored")
    quiet = globals_of(ctx).quiet
    from ecoport.render import info

    for name in result.created:
        info(f"New company created: {name}", quiet=quiet)
    for typed, name in result.resolved.items():
        info(f"{typed!r} is an alias of {name}", quiet=quiet)
    if result.sector_changed:
        who, old, new = result.sector_changed
        info(f"{who} moved from sector {old or '(none)'} to {new}", quiet=quiet)


def stakes_list(
    ctx: typer.Context,
    investor: InvestorOpt = None,
    startup: StartupOpt = None,
    sector: SectorOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List stakes, oldest first, optionally filtered.

    \b
    Example:
      ecoport stakes list --investor Xiaomi --sector iot
    """
    from ecoport.cli.report import report_query
    from ecoport.render import stakes
    from ecoport.services.reports import list_stakes
    from ecoport.store.db import reading

    query = report_query(sector, investor, startup, since, until)
    with reading(location(ctx, db)) as reader:
        rows = list_stakes(reader, query)
    stakes(rows, fmt.value)


def stakes_show(
    ctx: typer.Context,
    stake_id: Annotated[int, typer.Argument(metavar="ID", help="The stake's ID.")],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show one stake.

    \b
    Example:
      ecoport stakes show 3
    """
    from ecoport.render import STAKE_FIELDS, as_csv, as_json, stake_detail
    from ecoport.services.lookup import get_stake
    from ecoport.store.db import reading

    with reading(location(ctx, db)) as reader:
        stake = get_stake(reader, stake_id)
    if fmt is Format.json:
        as_json(stake)
    elif fmt is Format.csv:
        as_csv([stake], STAKE_FIELDS)
    else:
        stake_detail(stake, f"Stake {stake_id}")


def stakes_edit(
    ctx: typer.Context,
    stake_id: Annotated[int, typer.Argument(metavar="ID", help="The stake's ID.")],
    investor: InvestorOpt = None,
    startup: StartupOpt = None,
    date: DateOpt = None,
    kind: KindOpt = None,
    amount: AmountOpt = None,
    currency: CurrencyOpt = None,
    percent: PercentOpt = None,
    round_: RoundOpt = None,
    source: SourceOpt = None,
    note: NoteOpt = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(
            "--clear",
            metavar="FIELD",
            help="Empty a field: amount, percent, round, source or note. Repeatable.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Change fields of a stake and print it as stored.

    \b
    Example:
      ecoport stakes edit 1 --percent 1.288
      ecoport stakes edit 1 --clear note
    """
    from ecoport.cli.common import parse_opt
    from ecoport.core.dates import parse_date
    from ecoport.core.money import currency_code
    from ecoport.core.ownership import parse_kind
    from ecoport.core.percent import parse_percent
    from ecoport.errors import InvalidInput
    from ecoport.render import stake_detail
    from ecoport.services.fields import UNDISCLOSED, text
    from ecoport.services.settings import settings_at, symbols
    from ecoport.services.stakes import CLEARABLE, StakeUpdate, edit_stake

    cleared = set()
    for field in clear or []:
        if field not in CLEARABLE:
            raise InvalidInput(
                f"cannot clear {field!r} (choose from {', '.join(CLEARABLE)})", where="--clear"
            )
        cleared.add(field)
    for field, value in (("amount", amount), ("percent", percent)):
        if value is not None and value.strip().lower() in UNDISCLOSED:
            cleared.add(field)
    update = StakeUpdate(
        investor=text(investor),
        startup=text(startup),
        date=parse_opt("--date", parse_date, date),
        kind=parse_opt("--kind", parse_kind, kind),
        amount=None if "amount" in cleared else text(amount),
        currency=parse_opt("--currency", currency_code, currency),
        percent=None if "percent" in cleared else parse_opt("--percent", parse_percent, percent),
        round=text(round_),
        source=text(source),
        note=text(note),
        clear=frozenset(cleared),
        symbols=symbols(settings_at(location(ctx, db))),
    )
    if update == StakeUpdate(clear=frozenset(), symbols=update.symbols):
        raise InvalidInput("nothing to change; give at least one option (see --help)")
    with writing_for(ctx, db) as session:
        stake = edit_stake(session=session, stake_id=stake_id, update=update)
    stake_detail(stake, f"Stake {stake_id} updated")


def stakes_remove(
    ctx: typer.Context,
    stake_id: Annotated[int, typer.Argument(metavar="ID", help="The stake's ID.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Remove a stake (asks first on a terminal; --yes to skip).

    \b
    Example:
      ecoport stakes remove 7 --yes
    """
    from ecoport.errors import InvalidInput
    from ecoport.render import info, stake_detail
    from ecoport.services.lookup import get_stake
    from ecoport.services.stakes import remove_stake
    from ecoport.store.db import reading, writing

    loc = location(ctx, db)
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInput(
                "not on a terminal: pass --yes to remove without asking", where="--yes"
            )
        with reading(loc) as reader:
            stake_detail(get_stake(reader, stake_id), f"Stake {stake_id}")
        if not typer.confirm("Remove this stake?", default=False):
            info("Nothing removed.")
            raise typer.Exit(1)
    with writing(loc, change=change_of(ctx)) as session:
        before = remove_stake(session=session, stake_id=stake_id)
    info(
        f"Removed stake {stake_id}: {before['investor']} in {before['startup']}, "
        f"{before['kind']} of {before['date']}",
        quiet=globals_of(ctx).quiet,
    )
