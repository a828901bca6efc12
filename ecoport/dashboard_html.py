"""The dashboard as one self-contained HTML page: no script, no external style, font or
image (it opens with no network, and nothing in it can run); the burn-up chart as inline
SVG drawn here, from the same values as the terminal's chart (ecoport.charts). Every text
from the database is escaped."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from html import escape

from ecoport.charts import BurnUp, count_ticks, from_progress, year_of, year_ticks
from ecoport.core.money import compact
from ecoport.core.returns import Between, Unknown
from ecoport.services.dashboard import Dashboard, InvestorPage, InvestorReturns, StakeLine
from ecoport.services.ownership import Node
from ecoport.services.progress import InvestorProgress
from ecoport.tables.returns import multiple, rate

#: Marks the file as a dashboard ecoport made (one it may write over).
GENERATOR = "ecoport dashboard"

STYLE = """
:root { color-scheme: light dark; --fg: #1d2430; --muted: #5f6b7a; --bg: #fbfbfc;
  --card: #ffffff; --line: #d9dde3; --accent: #2364aa; --target: #b23a48; --pace: #6c7a89;
  --pace2: #c17c00; --mile: #7b3fa0; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ee; --muted: #9aa5b4;
  --bg: #15181d; --card: #1d2128; --line: #353b45; --accent: #6ea8ff; --target: #ff7a85;
  --pace: #a3adba; --pace2: #f0b44c; --mile: #c89bea; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 32px 0 8px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
h3 { font-size: 1.05rem; margin: 20px 0 6px; }
p { margin: 6px 0; }
.muted, caption, footer { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr));
  gap: 12px; margin: 16px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 14px; }
.card .label { color: var(--muted); font-size: .85rem; }
.card .value { font-size: 1.5rem; font-weight: 600; }
.card .sub { color: var(--muted); font-size: .85rem; }
.bar { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden;
  margin-top: 6px; }
.bar span { display: block; height: 100%; background: var(--accent); }
figure { margin: 12px 0; background: var(--card); border: 1px solid var(--line);
  border-radius: 8px; padding: 8px; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .85rem; padding: 4px 6px; }
svg text { fill: var(--fg); font: 12px system-ui, sans-serif; }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .companies { stroke: var(--accent); stroke-width: 2.5; fill: none; }
svg .target { stroke: var(--target); stroke-width: 1.5; stroke-dasharray: 6 4; }
svg .pace0 { stroke: var(--pace); stroke-width: 2; stroke-dasharray: 2 4; fill: none; }
svg .pace1 { stroke: var(--pace2); stroke-width: 2; stroke-dasharray: 8 4; fill: none; }
svg .mile { fill: var(--mile); }
svg .key text { font-size: 12px; }
table { border-collapse: collapse; width: 100%; background: var(--card); font-size: .9rem; }
caption { text-align: left; padding: 4px 0; caption-side: bottom; font-size: .85rem; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { overflow-x: auto; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 20px; }
ul.tree { padding-left: 0; }
ul.tree li { margin: 2px 0; }
ul.tree li::before { content: "└ "; color: var(--muted); }
.tag { display: inline-block; font-size: .75rem; padding: 0 6px; border-radius: 8px;
  border: 1px solid var(--line); color: var(--muted); }
a { color: var(--accent); word-break: break-all; }
footer { margin-top: 40px; font-size: .85rem; border-top: 1px solid var(--line);
  padding-top: 8px; }
"""


def e(value: object) -> str:
    """Any value as HTML text, escaped (quotes too)."""
    return escape("" if value is None else str(value), quote=True)


def render(d: Dashboard) -> str:
    """The whole page."""
    names = ", ".join(p.progress.investor for p in d.investors) or "no investor"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{GENERATOR} {e(d.version)}">',
        # nothing may load from anywhere: no script, no fetch, no font, no image but inline
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{e(names)}: ecosystem progress as of {e(d.as_of.isoformat())}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<h1>{e(names)}: ecosystem progress</h1>",
        f'<p class="muted">As of {e(d.as_of.isoformat())}; money in {e(d.currency)}.</p>',
    ]
    for page in d.investors:
        parts.extend(_investor(page, d))
    if not d.investors:
        parts.append("<p>No investor to show.</p>")
    parts.append(_footer(d))
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _footer(d: Dashboard) -> str:
    made = d.made_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<footer>Made by ecoport {e(d.version)} on {e(made)}, as of "
        f"{e(d.as_of.isoformat())}, from the database <code>{e(d.database)}</code>."
        "</footer>"
    )


# -- one investor --------------------------------------------------------------------------


def _investor(page: InvestorPage, d: Dashboard) -> Iterator[str]:
    inv = page.progress
    many = len(d.investors) > 1
    if many:
        yield f"<h2>{e(inv.investor)}</h2>"
    yield from _headline(inv)
    yield _chart(inv, d.as_of)
    yield f"<h{3 if many else 2}>Sectors</h{3 if many else 2}>"
    yield _sectors(inv)
    yield f"<h{3 if many else 2}>Ownership</h{3 if many else 2}>"
    yield from _tree(page)
    yield f"<h{3 if many else 2}>Returns</h{3 if many else 2}>"
    yield from _returns(page.returns, d)
    yield f"<h{3 if many else 2}>Stakes</h{3 if many else 2}>"
    yield from _stakes(page)


def percent_text(value: Decimal) -> str:
    return f"{value.normalize():f}%" if value == value.to_integral() else f"{value:.2f}%"


def _headline(inv: InvestorProgress) -> Iterator[str]:
    done = min(Decimal(100), inv.percent_of_target)
    pace, when = _pace(inv)
    invested = inv.invested_in
    money = compact(invested.amount, invested.currency)
    undisclosed = (
        f"amounts undisclosed for {inv.undisclosed_amounts} of {inv.transactions} transactions"
    )
    yield '<div class="cards">'
    yield (
        f'<div class="card" id="headline-companies"><div class="label">Companies</div>'
        f'<div class="value">{inv.companies} of {inv.target}</div>'
        f'<div class="sub">{e(percent_text(inv.percent_of_target))} of the '
        f"{'default target' if inv.target_default else 'target'}; held now: "
        f"{inv.held_now}</div>"
        f'<div class="bar"><span style="width:{done:.2f}%"></span></div></div>'
    )
    yield (
        f'<div class="card" id="headline-pace"><div class="label">Pace</div>'
        f'<div class="value">{e(pace)}</div>'
        f'<div class="sub">{e(when)}</div></div>'
    )
    yield (
        f'<div class="card" id="headline-invested"><div class="label">Invested (disclosed)'
        f'</div><div class="value">{e(money)}</div><div class="sub">{e(undisclosed)}</div>'
        "</div>"
    )
    yield "</div>"
    yield f"<p>Counted: {e(inv.counted)}.</p>"
    if inv.target_note:
        source = ""
        if inv.target_source:
            source = f" ({_link(inv.target_source, 'source')})"
        yield f'<p class="muted">Target: {e(inv.target_note)}{source}</p>'
    if inv.first_stake and inv.latest_stake:
        yield (
            f'<p class="muted">First stake {e(inv.first_stake.date)} '
            f"({e(inv.first_stake.startup)}), latest {e(inv.latest_stake.date)} "
            f"({e(inv.latest_stake.startup)}).</p>"
        )
    if inv.through_portfolio:
        names = ", ".join(inv.through_portfolio)
        yield (
            f'<p class="muted">Not counted: reached only through {e(inv.through)}: {e(names)}.</p>'
        )
    for m in inv.milestones:
        source = f" ({_link(m.source, 'source')})" if m.source else ""
        yield (
            f'<p class="muted">Reported by {e(m.by)}: about {m.reported} {e(m.what)}'
            f"{source}; ecoport holds {m.held} by then.</p>"
        )


def _pace(inv: InvestorProgress) -> tuple[str, str]:
    """The pace card: the whole period's pace, and the trailing one and where they lead."""
    from ecoport.core.pace import quarter

    whole, trailing = inv.whole, inv.trailing
    if whole is None or whole.per_month is None:
        return "n/a", "not enough time elapsed to measure a pace"
    text = f"companies a month since {whole.since}"
    if trailing is not None and trailing.per_month is not None:
        text += f"; {trailing.per_month:.2f} in the last {trailing.months:.0f} months"
    if inv.target_reached:
        return f"{whole.per_month:.2f}", f"{text}; target reached"
    between = inv.falls_between
    if between is not None:
        low, high = (quarter(d) for d in between)
        where = f"in {low}" if low == high else f"between {low} and {high}"
        where = f"the target falls {where}"
    elif whole.falls is not None:
        where = f"the target falls in {quarter(whole.falls)} at the whole period's pace"
    elif trailing is not None and trailing.falls is not None:
        where = f"the target falls in {quarter(trailing.falls)} at the recent pace"
    else:
        where = (
            f"not at the current pace: the target is not reached within {inv.horizon_years} years"
        )
    return f"{whole.per_month:.2f}", f"{text}; {where}"


def _link(url: str, text: str | None = None) -> str:
    """A link to *url* when it is a web address; else the text itself."""
    if url.startswith(("http://", "https://")):
        return f'<a href="{e(url)}" rel="noopener noreferrer">{e(text or url)}</a>'
    return e(url)


def _sectors(inv: InvestorProgress) -> str:
    into = inv.invested_in.currency
    rows = [
        '<div class="scroll"><table id="sectors"><thead><tr><th>Sector</th>'
        '<th class="num">Companies</th><th class="num">Share</th>'
        '<th class="num">Invested (disclosed)</th>'
        f'<th class="num">In {e(into)}</th><th class="num">Undisclosed</th></tr></thead><tbody>'
    ]
    for s in inv.sectors:
        share = Decimal(s.companies * 100) / Decimal(inv.companies or 1)
        invested = "; ".join(compact(m.amount, m.currency) for m in s.invested) or "–"
        converted = compact(s.invested_in, into) if s.invested else "–"
        rows.append(
            f'<tr><td>{e(s.sector)}</td><td class="num">{s.companies}</td>'
            f'<td class="num">{share:.0f}%</td><td class="num">{e(invested)}</td>'
            f'<td class="num">{e(converted)}</td>'
            f'<td class="num">{s.undisclosed_amounts} of {s.transactions}</td></tr>'
        )
    if not inv.sectors:
        rows.append('<tr><td colspan="6">No companies yet.</td></tr>')
    rows.append("</tbody></table></div>")
    return "".join(rows)


# -- the ownership tree --------------------------------------------------------------------


def _tree(page: InvestorPage) -> Iterator[str]:
    tree = page.tree
    if not tree.nodes:
        yield "<p>No holdings as of this date.</p>"
        return
    yield (
        f"<p>{tree.companies} companies held directly or through others; each with its "
        "direct holding, the look-through (the percents multiplied along each path, a "
        "range where a percentage is undisclosed) and what it is to the investor.</p>"
    )
    yield '<ul class="tree" id="tree">' + "".join(_node(n) for n in tree.nodes) + "</ul>"
    if page.tree_shown < page.tree_nodes:
        yield (
            f'<p class="muted">The first {page.tree_shown} of {page.tree_nodes} entries are '
            "shown; <code>ecoport tree</code> shows all.</p>"
        )


def _node(node: Node) -> str:
    known = node.known.value
    if node.at_most != node.known:
        known += f" (up to {node.at_most.value})"
    state = "" if node.state.value == "held" else f' <span class="tag">{e(node.state)}</span>'
    look = node.look_through.describe()
    children = "".join(_node(c) for c in node.children)
    below = f"<ul>{children}</ul>" if children else ""
    repeated = ' <span class="tag">shown above</span>' if node.repeated else ""
    return (
        f"<li><strong>{e(node.company)}</strong> — {e(node.direct.describe())}, look-through "
        f'{e(look)}, {e(known)}{state}{repeated} <span class="muted">latest '
        f"{e(node.date)}</span>{below}</li>"
    )


# -- returns -------------------------------------------------------------------------------


def _amount(value: Decimal | Unknown, currency: str) -> str:
    return "n/a" if isinstance(value, Unknown) else compact(value, currency)


def _between(value: Between | Unknown, currency: str) -> str:
    if isinstance(value, Unknown):
        return "n/a"
    low = compact(value.low, currency)
    if value.low == value.high:
        return low
    return f"{low}–{compact(value.high, currency).removeprefix(currency + ' ')}"


def _returns(found: InvestorReturns | None, d: Dashboard) -> Iterator[str]:
    if found is None:
        given = "no marks are recorded" if d.marks == 0 else "no position has a mark"
        yield (
            f"<p>Returns cannot be shown: {given}, and no round or stake implies a value for "
            "the companies held (<code>ecoport mark add</code> records one).</p>"
        )
        return
    cur = d.currency
    head = (
        '<div class="scroll"><table id="returns"><thead><tr><th>Position</th>'
        '<th class="num">Invested</th><th class="num">Realised</th>'
        '<th class="num">Unrealised</th><th class="num">MOIC</th><th class="num">TVPI</th>'
        '<th class="num">IRR</th><th>Mark</th></tr></thead><tbody>'
    )
    rows = [head]
    t = found.total
    rows.append(_returns_row("<strong>All positions</strong>", t, cur, "", total=True))
    for r in found.positions:
        mark = "" if r.mark is None else f"{r.mark.label} {r.mark.origin}"
        if r.state and r.state != "held":
            mark = r.state.replace("-", " ")
        rows.append(_returns_row(e(r.group), r, cur, mark))
    rows.append("</tbody></table></div>")
    yield "".join(rows)
    counted = f"The total counts {t.counted} of {t.positions} positions"
    left = "; ".join(f"{reason} ({n})" for reason, n in t.left_out)
    yield f'<p class="muted">{e(counted)}{e(": left out, " + left) if left else ""}.</p>'
    if found.positions_left_out:
        yield (
            f'<p class="muted">{found.positions_left_out} more positions are not listed '
            "(the largest values are); <code>ecoport returns --by company</code> lists all.</p>"
        )
    yield (
        '<p class="muted">n/a: cannot be computed, never shown as 0. A range where a '
        "position is one. MOIC = TVPI = (realised + unrealised) / invested.</p>"
    )
    for note in d.returns_notes:
        yield f'<p class="muted">{e(note)}</p>'


def _returns_row(label: str, r: object, cur: str, mark: str, total: bool = False) -> str:
    f = r.figures  # type: ignore[attr-defined]
    cells = [
        _amount(f.invested, cur),
        _amount(f.realised, cur),
        _between(f.unrealised, cur),
        multiple(f.moic),
        multiple(f.tvpi),
        rate(f.irr, f.short),
    ]
    nums = "".join(f'<td class="num">{e(c)}</td>' for c in cells)
    row_id = ' id="returns-total"' if total else ""
    return f"<tr{row_id}><td>{label}</td>{nums}<td>{e(mark)}</td></tr>"


# -- stakes --------------------------------------------------------------------------------


def _stakes(page: InvestorPage) -> Iterator[str]:
    if not page.stakes:
        yield "<p>No stakes as of this date.</p>"
        return
    head = (
        '<div class="scroll"><table id="stakes"><thead><tr><th class="num">ID</th>'
        "<th>Date</th><th>Startup</th><th>Sector</th><th>Kind</th>"
        '<th class="num">Amount</th><th class="num">Percent</th><th>Source</th></tr></thead>'
        "<tbody>"
    )
    yield head + "".join(_stake(s) for s in page.stakes) + "</tbody></table></div>"
    if len(page.stakes) < page.stakes_total:
        yield (
            f'<p class="muted">The first {len(page.stakes)} of {page.stakes_total} stakes '
            "are listed; <code>ecoport report</code> lists all.</p>"
        )


def _stake(s: StakeLine) -> str:
    amount = "–" if s.amount is None else compact(Decimal(s.amount), s.currency or "")
    percent = "–" if s.percent is None else f"{s.percent}%"
    source = _link(s.source, _short(s.source)) if s.source else "–"
    return (
        f'<tr><td class="num">{s.id}</td><td>{e(s.date)}</td><td>{e(s.startup)}</td>'
        f'<td>{e(s.sector or "")}</td><td>{e(s.kind)}</td><td class="num">{e(amount)}</td>'
        f'<td class="num">{e(percent)}</td><td>{source}</td></tr>'
    )


def _short(url: str) -> str:
    """``technode.com/2018/02/09/…``: the host and the start of the path."""
    rest = url.split("://", 1)[-1]
    return rest if len(rest) <= 48 else rest[:47] + "…"


# -- the burn-up chart as SVG --------------------------------------------------------------

W, H = 900, 380
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 64


def _chart(inv: InvestorProgress, as_of: dt.date) -> str:
    data = from_progress(inv, as_of)
    notes = "".join(f"<br>{e(n)}" for n in data.notes)
    miles = "".join(f"<br>◆{n} {e(m.label)}" for n, m in enumerate(data.milestones, start=1))
    return (
        f'<figure id="burn-up">{svg(data)}<figcaption>Companies over time against the target '
        f"of {data.target}, and where each pace leads.{miles}{notes}</figcaption></figure>"
    )


def svg(data: BurnUp) -> str:
    """The burn-up chart as an SVG element, W × H user units (it scales to the page)."""
    x0, x1 = year_of(data.start), year_of(data.end)
    span = (x1 - x0) or 1.0

    def x(day: dt.date) -> float:
        return LEFT + (year_of(day) - x0) / span * (W - LEFT - RIGHT)

    def xf(year: float) -> float:
        return LEFT + (year - x0) / span * (W - LEFT - RIGHT)

    def y(count: float) -> float:
        return TOP + (1 - count / data.top) * (H - TOP - BOTTOM)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{e(data.title or "burn-up chart")}">'
    ]
    for c in count_ticks(data.top, data.target, most=6):
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{y(c):.1f}" y2="{y(c):.1f}"/>'
            f'<text x="{LEFT - 6}" y="{y(c) + 4:.1f}" text-anchor="end">{c}</text>'
        )
    base = H - BOTTOM
    for at, label in year_ticks(data.start, data.end, 12):
        out.append(
            f'<line class="axis" x1="{xf(at):.1f}" x2="{xf(at):.1f}" y1="{base}" '
            f'y2="{base + 5}"/><text x="{xf(at):.1f}" y="{base + 18}" '
            f'text-anchor="middle">{e(label)}</text>'
        )
    out.append(f'<line class="axis" x1="{LEFT}" x2="{W - RIGHT}" y1="{base}" y2="{base}"/>')
    out.append(
        f'<line class="target" x1="{LEFT}" x2="{W - RIGHT}" y1="{y(data.target):.1f}" '
        f'y2="{y(data.target):.1f}"/>'
    )
    if data.steps:
        points = []
        previous = 0
        for day, n in data.steps:
            points.append(f"{x(day):.1f},{y(previous):.1f} {x(day):.1f},{y(n):.1f}")
            previous = n
        points.append(f"{x(data.as_of):.1f},{y(previous):.1f}")
        out.append(f'<polyline class="companies" points="{" ".join(points)}"/>')
    for i, p in enumerate(data.projections[:2]):
        out.append(
            f'<line class="pace{i}" x1="{x(p.start):.1f}" y1="{y(p.start_count):.1f}" '
            f'x2="{x(p.end):.1f}" y2="{y(p.end_count):.1f}"/>'
        )
    for n, m in enumerate(data.milestones, start=1):
        cx, cy = x(m.when), y(m.reported)
        out.append(
            f'<path class="mile" d="M{cx:.1f},{cy - 6:.1f} l6,6 l-6,6 l-6,-6 z">'
            f"<title>{e(m.label)}</title></path>"
            f'<text x="{cx + 9:.1f}" y="{cy + 4:.1f}">{n}</text>'
        )
    out.append(_key(data))
    out.append("</svg>")
    return "".join(out)


def _key(data: BurnUp) -> str:
    """The key under the axis: each line and what it stands for."""
    items = [
        ("companies", f"companies ({data.count})"),
        ("target", f"target {data.target}"),
    ]
    for i, p in enumerate(data.projections[:2]):
        items.append((f"pace{i}", f"pace over {p.label}, {float(p.per_month):.2f}/month"))
    out = ['<g class="key">']
    at, row = LEFT, H - 22
    for cls, label in items:
        width = 34 + 7 * len(label)
        if at + width > W - RIGHT:
            at, row = LEFT, row + 16
        out.append(
            f'<line class="{cls}" x1="{at}" x2="{at + 24}" y1="{row - 4}" y2="{row - 4}"/>'
            f'<text x="{at + 30}" y="{row}">{e(label)}</text>'
        )
        at += width
    if data.milestones:
        out.append(
            f'<path class="mile" d="M{at + 12},{row - 10} l6,6 l-6,6 l-6,-6 z"/>'
            f'<text x="{at + 30}" y="{row}">reported milestone</text>'
        )
    out.append("</g>")
    return "".join(out)
