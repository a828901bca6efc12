"""The dashboard: everything a shared report shows, gathered in one read of the database —
each investor's progress toward its target, its ownership tree, its returns where marks
value its positions, and its stakes with their sources; then when, and from which database,
it was made. Rendered as one self-contained HTML file by ecoport.dashboard_html."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ecoport.core.dates import PartialDate, Precision
from ecoport.services.ownership import Node, Tree
from ecoport.services.progress import InvestorProgress
from ecoport.services.returns import ReturnsRow
from ecoport.store.db import Reader

#: At most this many stakes, and tree nodes, per investor: the page stays small (under
#: 2 MB) and quick to open whatever the database holds; the page says what it left out.
MAX_STAKES = 2000
MAX_NODES = 1500
MAX_POSITIONS = 1000


@dataclass(frozen=True, slots=True)
class DashboardQuery:
    database: str
    """The database as shown on the page: a file, or a URL with its password masked."""
    investor: str | None = None
    """None: the investors progress shows (those with a target, else the only one)."""
    as_of: dt.date | None = None
    max_stakes: int = MAX_STAKES
    max_nodes: int = MAX_NODES
    max_positions: int = MAX_POSITIONS


@dataclass(frozen=True, slots=True)
class StakeLine:
    """A stake as the dashboard lists it."""

    id: int
    date: str
    startup: str
    sector: str | None
    kind: str
    amount: str | None
    currency: str | None
    percent: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class InvestorReturns:
    """An investor's returns in the reporting currency: its total and its positions."""

    total: ReturnsRow
    positions: tuple[ReturnsRow, ...]
    positions_left_out: int
    """Positions beyond MAX_POSITIONS, not listed (their figures are in the total)."""
    valued: int
    """Positions with a mark (given or implied) to value them."""


@dataclass(frozen=True, slots=True)
class InvestorPage:
    progress: InvestorProgress
    tree: Tree
    tree_shown: int
    """Nodes listed (the tree is cut after MAX_NODES)."""
    tree_nodes: int
    returns: InvestorReturns | None
    """None when no position has a mark to value it."""
    stakes: tuple[StakeLine, ...]
    stakes_total: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    made_at: dt.datetime
    """When it was made, in UTC."""
    database: str
    as_of: dt.date
    currency: str
    investors: tuple[InvestorPage, ...]
    marks: int
    """Marks given in the database (ecoport mark add); returns use implied ones too."""
    returns_notes: tuple[str, ...]
    returns_rule: str
    version: str


def dashboard(reader: Reader, query: DashboardQuery) -> Dashboard:
    """Gather the dashboard of the chosen investors as of the date (default: today)."""
    from ecoport import __version__
    from ecoport.services.progress import ProgressQuery, progress

    made_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    as_of = query.as_of or dt.date.today()
    result = progress(reader, ProgressQuery(investor=query.investor, as_of=as_of))
    marks = int(reader.rows("SELECT COUNT(*) FROM mark")[0][0])
    pages = []
    notes: set[str] = set()
    rule = ""
    for inv in result.investors:
        tree = _tree(reader, inv.investor, as_of)
        found, rule, more_notes = _returns(reader, inv.investor, as_of, result.currency, query)
        notes.update(more_notes)
        stakes, total = _stakes(reader, inv.investor, as_of, query.max_stakes)
        nodes = _count(tree.nodes)
        pages.append(
            InvestorPage(
                progress=inv,
                tree=_cut(tree, query.max_nodes),
                tree_shown=min(nodes, query.max_nodes),
                tree_nodes=nodes,
                returns=found,
                stakes=stakes,
                stakes_total=total,
            )
        )
    return Dashboard(
        made_at=made_at,
        database=query.database,
        as_of=result.as_of,
        currency=result.currency,
        investors=tuple(pages),
        marks=marks,
        returns_notes=tuple(sorted(notes)),
        returns_rule=rule,
        version=__version__,
    )


def _tree(reader: Reader, investor: str, as_of: dt.date) -> Tree:
    from ecoport.services.ownership import TreeQuery, ownership_tree

    return ownership_tree(reader, TreeQuery(investor=investor, as_of=as_of))


def _count(nodes: "tuple[Node, ...]") -> int:
    return sum(1 + _count(n.children) for n in nodes)


def _cut(tree: Tree, most: int) -> Tree:
    """*tree* with at most *most* nodes, depth first (as it reads)."""
    from dataclasses import replace

    left = [most]

    def keep(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
        kept = []
        for node in nodes:
            if left[0] <= 0:
                break
            left[0] -= 1
            kept.append(replace(node, children=keep(node.children)))
        return tuple(kept)

    return replace(tree, nodes=keep(tree.nodes))


def _returns(
    reader: Reader, investor: str, as_of: dt.date, into: str, query: DashboardQuery
) -> tuple[InvestorReturns | None, str, tuple[str, ...]]:
    from ecoport.services.returns import ReturnsQuery, returns

    found = returns(reader, ReturnsQuery(investor=investor, by="company", as_of=as_of, into=into))
    valued = sum(1 for r in found.rows if r.mark is not None)
    if not found.investors or valued == 0:
        return None, found.rule, found.notes
    rows = sorted(found.rows, key=_by_value)
    shown = tuple(rows[: query.max_positions])
    return (
        InvestorReturns(
            total=found.investors[0],
            positions=shown,
            positions_left_out=len(rows) - len(shown),
            valued=valued,
        ),
        found.rule,
        found.notes,
    )


def _by_value(row: ReturnsRow) -> tuple[int, Decimal, str]:
    """Valued positions first, the largest unrealised value (its upper end) first."""
    from ecoport.core.returns import Unknown

    value = row.figures.unrealised
    if isinstance(value, Unknown):
        return (1, Decimal(0), (row.group or "").lower())
    return (0, -value.high, (row.group or "").lower())


def _stakes(
    reader: Reader, investor: str, as_of: dt.date, most: int
) -> tuple[tuple[StakeLine, ...], int]:
    from ecoport.services.listing import Page
    from ecoport.services.reports import ReportQuery, list_stakes

    query = ReportQuery(investor=investor, until=PartialDate(as_of, Precision.DAY))
    listing = list_stakes(reader, query, Page())
    kept: list[StakeLine] = []
    total = 0
    for s in listing.rows:
        total += 1
        if total <= most:
            kept.append(
                StakeLine(
                    id=s["id"],
                    date=s["date"],
                    startup=s["startup"],
                    sector=s["sector"],
                    kind=s["kind"],
                    amount=s["amount"],
                    currency=s["currency"],
                    percent=s["percent"],
                    source=s["source"],
                )
            )
    return tuple(kept), total


def check_target(path: Path, *, force: bool, marker: str) -> None:
    """Refuse to write over *path* unless it is a dashboard made before (its first bytes
    hold *marker*) or *force*; checked before anything is read."""
    from ecoport.errors import Conflict, InvalidInput
    from ecoport.services.sources import check_output

    try:
        check_output(path, where="output")
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="output") from None
    if path.exists() and not force:
        with path.open("rb") as f:
            head = f.read(2048)
        if marker.encode() not in head:
            raise Conflict(
                f"{path} exists and is not a dashboard; choose another file or pass "
                "{option:force} to replace it",
                field="output",
            )


def write_page(path: Path, text: str) -> int:
    """Write *text* to *path* whole or not at all (beside it, then renamed); its size in
    bytes."""
    import os
    import tempfile

    data = text.encode("utf-8")
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise
    return len(data)
