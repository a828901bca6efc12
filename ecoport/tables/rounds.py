"""rounds show on a terminal: the round's figures, then its participants' own cheques."""

from ecoport.emit import Style, table_for
from ecoport.layout import Column
from ecoport.render import blank, details, money, percent, say, table
from ecoport.services.rounds import RoundView


@table_for(RoundView)
def round_detail(view: RoundView, style: Style) -> None:
    exact = style.exact
    data = view.record
    cur = data["currency"]
    valuation = money(data["valuation"], cur, exact=exact) if data["valuation"] else None
    implied = ", ".join(
        f"{money(m.amount, m.currency, exact=exact)} (stake {sid})" for sid, m in view.implied
    )
    pairs = [
        (label, str(value))
        for label, value in (
            ("startup", data["startup"]),
            ("date", data["date"]),
            ("round", data["round"] or "(unnamed)"),
            ("total", money(data["total"], cur, exact=exact) if data["total"] else "undisclosed"),
            ("valuation", valuation or (f"implied {implied}" if implied else "undisclosed")),
            ("source", data["source"]),
            ("note", data["note"]),
        )
        if value
    ]
    details(pairs, heading=f"Round {view.id}")
    blank()
    table(
        (
            [
                str(p.stake_id),
                p.investor,
                p.kind,
                "n/d"
                if p.amount is None
                else money(p.amount.amount, p.amount.currency, exact=exact),
                "n/d" if p.percent is None else percent(f"{p.percent:f}"),
            ]
            for p in view.participants
        ),
        [
            Column("Stake", right=True, keep=True),
            Column("Investor", least=12),
            Column("Kind", priority=2, keep=True),
            Column("Amount", priority=1, right=True, keep=True),
            Column("Percent", priority=3, right=True, keep=True),
        ],
        title="Participants (each one's own cheque)",
        hint=None,
        wide=style.wide,
    )
    say("n/d: not disclosed.")
