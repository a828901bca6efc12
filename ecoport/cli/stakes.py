"""ecoport add-stake and ecoport stakes list/show/edit/remove."""

from typing import Annotated, Any

import typer

from ecoport.cli.common import (
    DbOption,
    Format,
    FormatOption,
    change_of,
    confirmed,
    globals_of,
    interactive,
    location,
    option_name,
    writing_for,
)
from ecoport.cli.listing import (
    AllOption,
    LimitOption,
    OffsetOption,
    StakeSortOption,
    WideOption,
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
RoundTotalOpt = Annotated[
    str | None,
    typer.Option(
        "--round-total",
        metavar="AMOUNT",
        help="The whole round's total, all investors together (not this investor's cheque).",
    ),
]
ValuationOpt = Annotated[
    str | None,
    typer.Option("--valuation", metavar="AMOUNT", help="The round's post-money valuation."),
]
RefOpt = Annotated[
    str | None,
    typer.Option("--ref", metavar="KEY", help="A stable reference of your own, unique."),
]
SourceOpt = Annotated[
    str | None, typer.Option("--source", metavar="URL", help="URL or document of the fact.")
]
NoteOpt = Annotated[str | None, typer.Option("--note", metavar="TEXT", help="Free-text note.")]


ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Store it even when holders would add up to more than 100% or the investor "
        "holds nothing to sell (the source says so); the reason is kept in the note.",
    ),
]


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
    round_total: RoundTotalOpt = None,
    valuation: ValuationOpt = None,
    source: SourceOpt = None,
    note: NoteOpt = None,
    ref: RefOpt = None,
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
    allow_duplicate: Annotated[
        bool,
        typer.Option(
            "--allow-duplicate", help="Store it even when a stored stake records the same deal."
        ),
    ] = False,
    force: ForceOpt = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Record a stake and print it as stored.

    --amount is the investor's own cheque; a round's total (all investors together) goes
    in --round-total. Companies that do not exist yet are created; a name that is another
    spelling of a company (Xiaomi Corp, SMART MI) resolves to it, and one that looks like a
    typo of another is refused unless --new-company is given. A stake that records the same
    deal as a stored one is refused unless --allow-duplicate is given, and so is one that
    takes the company's holders over 100% or sells what the investor does not hold, unless
    --force is given (the reason is then kept in the note).

    \b
    Example:
      ecoport add-stake --investor Xiaomi --startup "Misfit Wearables" \\
        --sector iot/wearables --round C --round-total "USD 40m" --date 2014-12-02
    """
    from ecoport.errors import InvalidInput
    from ecoport.services.fields import parse_stake, plain_parsers
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
        "round_total": round_total,
        "valuation": valuation,
        "source": source,
        "note": note,
        "ref": ref,
    }
    for name in ("amount", "percent", "round_total", "valuation"):
        value = fields[name]
        if value is not None and not value.strip():
            raise InvalidInput(
                "is empty; leave the option out when undisclosed", where=option_name(name)
            )
    from ecoport.services.settings import settings_at, symbols

    loc = location(ctx, db)
    stake_in, errors = parse_stake(fields, parsers=plain_parsers(symbols=symbols(settings_at(loc))))
    if stake_in is None:
        raise errors[0]
    with writing(loc, change=change_of(ctx)) as session:
        result = add(
            session=session,
            stake_in=stake_in,
            options=AddOptions(
                new_company=new_company,
                change_sector=change_sector,
                allow_duplicate=allow_duplicate,
                force=force,
            ),
        )
    from ecoport.emit import emit

    emit(result, fmt.value, quiet=globals_of(ctx).quiet)


def stakes_list(
    ctx: typer.Context,
    investor: InvestorOpt = None,
    startup: StartupOpt = None,
    sector: SectorOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    sort: StakeSortOption = None,
    limit: LimitOption = None,
    offset: OffsetOption = 0,
    every: AllOption = False,
    wide: WideOption = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List stakes, oldest first, optionally filtered.

    A table on a terminal shows the first 50 and says how many there are; piped, or as
    CSV or JSON, every stake, streamed.

    \b
    Example:
      ecoport stakes list --investor Xiaomi --sector iot
      ecoport stakes list --sort amount:desc --limit 10
    """
    from ecoport.cli.listing import page_of
    from ecoport.cli.report import report_query
    from ecoport.render import stakes
    from ecoport.services.listing import STAKE_SORTS
    from ecoport.services.reports import list_stakes
    from ecoport.store.db import reading

    query = report_query(sector, investor, startup, since, until)
    page = page_of(fmt, limit=limit, offset=offset, every=every, sort=sort, fields=STAKE_SORTS)
    with reading(location(ctx, db)) as reader:
        listing = list_stakes(reader, query, page)
        stakes(listing, fmt.value, wide=wide, investor_named=investor is not None)


def stakes_show(
    ctx: typer.Context,
    stake_id: Annotated[int, typer.Argument(metavar="ID", help="The stake's ID.")],
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show one stake, every field in full (its source URL too).

    \b
    Example:
      ecoport stakes show 3
    """
    from ecoport.emit import emit
    from ecoport.services.lookup import show_stake
    from ecoport.store.db import reading

    with reading(location(ctx, db)) as reader:
        view = show_stake(reader, stake_id)
    emit(view, fmt.value)


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
    round_total: RoundTotalOpt = None,
    valuation: ValuationOpt = None,
    source: SourceOpt = None,
    note: NoteOpt = None,
    ref: RefOpt = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(
            "--clear",
            metavar="FIELD",
            help="Empty a field: amount, percent, round, source, note or ref. Repeatable.",
        ),
    ] = None,
    force: ForceOpt = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Change fields of a stake and print it as stored.

    --round moves the stake into that round of its company (recorded when new);
    --round-total and --valuation set its round's figures.

    \b
    Example:
      ecoport stakes edit 1 --percent 1.288
      ecoport stakes edit 1 --clear note
    """
    from ecoport.errors import InvalidInput
    from ecoport.services.fields import UNDISCLOSED
    from ecoport.services.settings import settings_at, symbols
    from ecoport.services.stakes import edit_stake

    raw = {
        "investor": investor,
        "startup": startup,
        "date": date,
        "kind": kind,
        "amount": amount,
        "currency": currency,
        "percent": percent,
        "round": round_,
        "round_total": round_total,
        "valuation": valuation,
        "source": source,
        "note": note,
        "ref": ref,
    }
    cleared = set(clear or [])
    for field in ("amount", "percent"):
        value = raw[field]
        if value is not None and value.strip().lower() in UNDISCLOSED:
            cleared.add(field)
            raw[field] = None
    if all(v is None or not v.strip() for v in raw.values()) and not cleared:
        raise InvalidInput("nothing to change; give at least one option (see --help)")
    loc = location(ctx, db)
    with writing_for(ctx, db) as session:
        stake = edit_stake(
            session=session,
            stake_id=stake_id,
            raw=raw,
            clear=frozenset(cleared),
            symbols=symbols(settings_at(loc)),
            force=force,
        )
    _stake_out(stake, fmt, f"Stake {stake_id} updated")


def _stake_out(stake: dict[str, Any], fmt: Format, heading: str) -> None:
    """One stake, as `stakes show` prints it."""
    from ecoport.emit import emit
    from ecoport.services.lookup import StakeView

    emit(StakeView(stake, heading), fmt.value)


def stakes_remove(
    ctx: typer.Context,
    stake_id: Annotated[int, typer.Argument(metavar="ID", help="The stake's ID.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Remove a stake (asks first on a terminal; --yes to skip, as scripts must).

    Prints the stake removed; `ecoport undo` brings it back with its ID.

    \b
    Example:
      ecoport stakes remove 7 --yes
    """
    from ecoport.render import info
    from ecoport.services.lookup import get_stake
    from ecoport.services.stakes import remove_stake
    from ecoport.store.db import reading, writing
    from ecoport.tables.lookup import stake_detail

    loc = location(ctx, db)
    if not yes:
        refusal = "pass --yes to remove without asking"
        if interactive():
            with reading(loc) as reader:
                stake_detail(get_stake(reader, stake_id), f"Stake {stake_id}")
        if not confirmed("Remove this stake?", yes=yes, refusal=refusal):
            info("Nothing removed.")
            raise typer.Exit(1)
    with writing(loc, change=change_of(ctx)) as session:
        before = remove_stake(session=session, stake_id=stake_id)
    if fmt is not Format.table:
        _stake_out(before, fmt, f"Stake {stake_id} removed")
        return
    info(
        f"Removed stake {stake_id}: {before['investor']} in {before['startup']}, "
        f"{before['kind']} of {before['date']}",
        quiet=globals_of(ctx).quiet,
    )
