"""companies show on a terminal: the company, its holders and holdings, the chains through
which it is held or holds, the valuations its stakes imply, its stakes and their sources."""

from ecoport.emit import Style, table_for
from ecoport.layout import Column
from ecoport.render import blank, money, say, sources, stakes_table, table
from ecoport.services.companies import CompanyView, Holding
from ecoport.tables.returns import multiple
from ecoport.words import plural


@table_for(CompanyView)
def company(view: CompanyView, style: Style) -> None:
    """One company: its header, who holds it and what it holds (directly and through
    others), the valuations its stakes imply, its stakes (the first page on a terminal
    unless every one was asked for), and their sources in full."""
    exact, wide = style.exact, style.wide
    say(view.name, style="bold")
    say(f"Sector: {view.sector or '-'}")
    if view.aliases:
        say(f"Also known as: {', '.join(view.aliases)}")
    if view.note:
        say(f"Note: {view.note}")
    if view.source:
        say(f"Source: {view.source}")
    holding_columns = [
        Column("Company", least=12),
        Column("Holding", keep=True),
        Column("First", priority=4, keep=True),
        Column("Latest", priority=3, keep=True),
        Column("Events", priority=5, right=True, keep=True),
        Column(f"Value ({view.currency})", priority=2, right=True, keep=True),
        Column("MOIC", priority=1, right=True, keep=True),
    ]
    for holdings, title in ((view.holders, "Held by"), (view.holdings, "Holds")):
        if holdings:
            blank()
            table(
                (
                    [
                        h.company,
                        h.describe(),
                        h.first,
                        h.latest,
                        str(h.events),
                        _value(h, view.currency, exact),
                        "n/a" if h.moic is None else multiple(h.moic),
                    ]
                    for h in holdings
                ),
                holding_columns,
                title=title,
                wide=wide,
            )
    for chains, title in (
        (view.held_through, "Held through others"),
        (view.holds_through, "Holds through others"),
    ):
        if chains:
            blank()
            table(
                ([" → ".join(c.path), c.share.describe()] for c in chains),
                [Column("Chain", prose=True, least=20), Column("Look-through", right=True)],
                title=title,
                wide=wide,
            )
    into = view.currency
    if view.valuations:
        blank()
        table(
            (
                [
                    v["date"],
                    v["investor"],
                    money(v["amount"], v["currency"], exact=exact),
                    money(v["converted"], into, exact=exact) if v["converted"] else "not converted",
                ]
                for v in view.valuations
            ),
            [
                Column("Date", keep=True),
                Column("Investor", least=12),
                Column("Valuation", priority=1, right=True, keep=True),
                Column(f"In {into}", priority=2, right=True, keep=True),
            ],
            title="Implied post-money valuations",
            wide=wide,
        )
    stakes_ = view.stakes
    if stakes_:
        shown = stakes_[: style.limit] if style.limit is not None else stakes_
        blank()
        stakes_table(shown, title="Stakes", into=into, exact=exact, wide=wide, sources=False)
        if len(shown) < len(stakes_):
            say(f"{len(shown):,} of {plural(len(stakes_), 'stake')} shown; --all for every one.")
        sources(shown)


def _value(h: Holding, currency: str, exact: bool) -> str:
    """The holding's value on the date (a range where the position is one); n/a where it
    cannot be known (no mark, an undisclosed percent with no bound)."""
    from ecoport.core.returns import Unknown

    if h.value is None or isinstance(h.value, Unknown):
        return "n/a"
    low = money(h.value.low, currency, exact=exact)
    if h.value.low == h.value.high:
        return low
    return f"{low}–{money(h.value.high, currency, exact=exact).removeprefix(currency + ' ')}"
