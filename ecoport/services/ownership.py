"""Who owns what as of a date: an investor's ecosystem as a tree, a company's owners, and
the companies an investor reaches through its subsidiaries (positions read in SQL as compact
rows, folded and walked by ecoport.core.positions)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from typing import Any, ClassVar

from ecoport.core.ownership import Kind
from ecoport.core.positions import (
    HUNDRED,
    MAX_DEPTH,
    ZERO,
    EventRow,
    HoldingClass,
    Position,
    Range,
    Round,
    State,
    Thresholds,
    classify,
    fold,
    fold_invested,
    look_through,
    reached,
    tops,
)
from ecoport.errors import FieldError
from ecoport.services.lookup import require_company
from ecoport.store.db import Reader

#: Companies read per query: an IN list of this many integers is far below what either
#: backend accepts.
BATCH = 2000
_KINDS = {k.value: k for k in Kind}

#: The columns of an event (see _events), and the stakes they are read from.
_EVENT_ROWS = """
SELECT s.company_id, s.date, s.date_precision, s.investor_id, s.kind, s.percent_micro,
       s.round_id, s.id
FROM stake s WHERE """
#: The stakes in the companies {ids}.
_EVENTS = _EVENT_ROWS + "s.company_id IN ({ids}) AND s.date <= :as_of"
#: The stakes the holders {ids} took.
_TAKEN = _EVENT_ROWS + "s.investor_id IN ({ids}) AND s.date <= :as_of"
#: The stakes {ids} (by id).
_BY_ID = _EVENT_ROWS + "s.id IN ({ids})"
#: A stake that only adds to its holder's position, whenever it comes (see core fold).
_ADDS = (
    "(s.kind = 'investment' OR (s.kind = 'acquisition' AND s.percent_micro IS NOT NULL "
    "AND s.percent_micro < 100000000))"
)
#: Per company, its holders but {wanted}: what the adding stakes of those that only added
#: sum to, and how many stakes of theirs do anything else (sell, end, acquire everything).
_OTHERS = f"""
SELECT s.company_id,
       SUM(CASE WHEN s.investor_id IN ({{wanted}}) THEN NULL
                WHEN {_ADDS} THEN s.percent_micro END),
       SUM(CASE WHEN s.investor_id IN ({{wanted}}) OR {_ADDS} THEN 0 ELSE 1 END)
FROM stake s WHERE s.company_id IN ({{ids}}) AND s.date <= :as_of GROUP BY s.company_id
"""
#: Rounds that dilute: a total and a post-money valuation (one currency, by the schema).
_ROUNDS = """
SELECT r.company_id, r.id, r.date, r.date_precision, r.total_minor, r.valuation_minor
FROM funding_round r WHERE r.company_id IN ({ids}) AND r.date <= :as_of
AND r.total_minor IS NOT NULL AND r.valuation_minor IS NOT NULL
"""
_HELD = "SELECT DISTINCT company_id FROM stake WHERE investor_id IN ({ids}) AND date <= :as_of"
_HOLDING = "SELECT DISTINCT investor_id FROM stake WHERE investor_id IN ({ids}) AND date <= :as_of"


# -- reading positions --------------------------------------------------------------------


def _batches(ids: Collection[int]) -> Iterator[str]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        # integers from the database, written into the SQL as numbers
        yield ",".join(str(int(i)) for i in ordered[start : start + BATCH])


def _ids(reader: Reader, sql: str, ids: Collection[int], as_of: str) -> set[int]:
    out: set[int] = set()
    for batch in _batches(ids):
        out.update(r[0] for r in reader.rows(sql.format(ids=batch), {"as_of": as_of}))
    return out


def _events(rows: Iterable[Sequence[Any]]) -> dict[int, list[EventRow]]:
    """Rows of _EVENTS as each company's compact events."""
    events: dict[int, list[EventRow]] = defaultdict(list)
    kinds = _KINDS
    for company, date, precision, holder, kind, micro, round_id, sid in rows:
        pct = None if micro is None else Decimal(micro).scaleb(-6)
        events[company].append((date, precision, holder, kinds[kind], pct, round_id, sid))
    return events


def _rounds(reader: Reader, ids: str, as_of: str) -> dict[int, list[Round]]:
    rounds: dict[int, list[Round]] = defaultdict(list)
    for company, rid, date, precision, total, valuation in reader.rows(
        _ROUNDS.format(ids=ids), {"as_of": as_of}
    ):
        rounds[company].append(Round(rid, date, precision, total, valuation))
    return rounds


def positions_in(
    reader: Reader, companies: Collection[int], *, as_of: str
) -> dict[int, dict[int, Position]]:
    """Every holder's position in each of *companies* (by id) as of the ISO day *as_of*."""
    out: dict[int, dict[int, Position]] = {}
    for ids in _batches(companies):
        events = _events(reader.rows(_EVENTS.format(ids=ids), {"as_of": as_of}))
        rounds = _rounds(reader, ids, as_of)
        out.update((c, fold(evts, rounds.get(c, ()))) for c, evts in events.items())
    return out


def holdings_of(
    reader: Reader,
    holders: Collection[int],
    *,
    as_of: str,
    companies: Collection[int] | None = None,
) -> dict[int, dict[int, Position]]:
    """Each of *holders*' positions (holder -> company -> position), in every company it
    holds or held a stake in (or in those of *companies* only), as of the ISO day *as_of*.

    A position depends on the company's other holders (the least they hold bounds an
    undisclosed one; an acquisition of the whole company ends it). Those others are read
    in SQL, one row per company: what they added, summed, when all they did was add (the
    common case); the company's events are read and folded in order only where another
    holder did more (sold, exited, acquired it all) or a round diluted it."""
    wanted = set(holders)
    if companies is None:
        taken = _events(
            row
            for ids in _batches(wanted)
            for row in reader.rows(_TAKEN.format(ids=ids), {"as_of": as_of})
        )
    else:
        taken = _events(
            row
            for holder_ids in _batches(wanted)
            for ids in _batches(companies)
            for row in reader.rows(
                _TAKEN.format(ids=holder_ids) + f" AND s.company_id IN ({ids})", {"as_of": as_of}
            )
        )
    return holdings_from(reader, taken, wanted, as_of=as_of)


#: The stakes of every holder but {wanted}, for holdings_from's scan: whether each only
#: adds, and what it adds.
_OTHER_STAKES = "SELECT s.company_id, s.investor_id, s.kind, s.percent_micro FROM stake s WHERE "
_ALL_ROUNDS = """
SELECT r.company_id, r.id, r.date, r.date_precision, r.total_minor, r.valuation_minor
FROM funding_round r WHERE r.date <= :as_of
AND r.total_minor IS NOT NULL AND r.valuation_minor IS NOT NULL
"""


def holdings_from(
    reader: Reader,
    taken: Mapping[int, list[EventRow]],
    holders: Collection[int],
    *,
    as_of: str,
    scan: bool | None = None,
) -> dict[int, dict[int, Position]]:
    """*holders*' positions (holder -> company -> position) as of the ISO day *as_of* in the
    companies of *taken*: company -> the events of *holders* in it dated on or before
    *as_of* (as _events reads them; a caller that read them already passes them in).

    The other holders are read as holdings_of says: summed where all they did was add. The
    companies are looked up in batches, or (*scan*; by default when they are a good share
    of all companies: see services.marks.wide) every other holder's stake and every round
    is read once and those of *taken*'s companies kept: a lookup per company costs more
    than reading the rows of those that are not wanted."""
    from ecoport.services.marks import wide

    wanted: Collection[int] = holders if isinstance(holders, set | frozenset) else set(holders)
    if scan is None:
        scan = wide(reader, taken)
    out: dict[int, dict[int, Position]] = defaultdict(dict)
    if scan:
        others, rounds = _others_scanned(reader, taken, wanted, as_of)
        ordered = sorted(others)
        for start in range(0, len(ordered), BATCH):  # in the batches' order, as looked up
            chunk = {c: others[c] for c in ordered[start : start + BATCH]}
            _fold_holdings(reader, taken, wanted, as_of, chunk, rounds, out)
        return out
    marks = ",".join(str(int(i)) for i in sorted(wanted))
    for ids in _batches(taken):
        summed: dict[int, Decimal | None] = {}
        for company, micro, other_kinds in reader.rows(
            _OTHERS.format(wanted=marks, ids=ids), {"as_of": as_of}
        ):
            summed[company] = (
                None if other_kinds else ZERO if micro is None else Decimal(micro).scaleb(-6)
            )
        _fold_holdings(reader, taken, wanted, as_of, summed, _rounds(reader, ids, as_of), out)
    return out


def _others_scanned(
    reader: Reader, taken: Mapping[int, list[EventRow]], wanted: Collection[int], as_of: str
) -> tuple[dict[int, Decimal | None], dict[int, list[Round]]]:
    """What _OTHERS and _rounds give for the companies of *taken*, from one read of every
    stake of the other holders and of every diluting round."""
    micros: dict[int, int | None] = dict.fromkeys(taken)
    busy: set[int] = set()
    sql = _OTHER_STAKES
    if len(wanted) <= BATCH:
        sql += f"s.investor_id NOT IN ({','.join(str(int(i)) for i in sorted(wanted))}) AND "
    full = 100_000_000
    for company, holder, kind, micro in reader.rows(sql + "s.date <= :as_of", {"as_of": as_of}):
        if company not in micros or holder in wanted:
            continue
        if kind == "investment" or (kind == "acquisition" and micro is not None and micro < full):
            if micro is not None:
                held = micros[company]
                micros[company] = micro if held is None else held + micro
        else:
            busy.add(company)
    summed: dict[int, Decimal | None] = {
        c: None if c in busy else ZERO if m is None else Decimal(m).scaleb(-6)
        for c, m in micros.items()
    }
    rounds: dict[int, list[Round]] = defaultdict(list)
    for company, rid, date, precision, total, valuation in reader.rows(
        _ALL_ROUNDS, {"as_of": as_of}
    ):
        if company in micros:
            rounds[company].append(Round(rid, date, precision, total, valuation))
    return summed, rounds


def _fold_holdings(
    reader: Reader,
    taken: Mapping[int, list[EventRow]],
    wanted: Collection[int],
    as_of: str,
    summed: dict[int, Decimal | None],
    rounds: Mapping[int, list[Round]],
    out: dict[int, dict[int, Position]],
) -> None:
    """Folds the companies of *summed* (company -> what the other holders added, or None
    where one of them did more) into *out*: those others with their events in order, as
    those that a round diluted or that one of *wanted* acquired; the rest from *taken*."""
    # a round dilutes everyone, and one of them acquiring it all ends the others: in order
    acquisition = Kind.ACQUISITION
    ordered: list[int] = []
    alone: dict[int, Position | None] = {}  # one holder's investments, else None: fold them
    for company, others in summed.items():
        if others is None or company in rounds:
            ordered.append(company)
            continue
        evts = taken[company]
        one = fold_invested(evts, others) if evts[0][2] in wanted else None
        if one is None and any(e[3] is acquisition for e in evts):
            ordered.append(company)
        else:
            alone[company] = one
    events: dict[int, list[EventRow]] = {}
    for ids in _batches(ordered):
        events.update(_events(reader.rows(_EVENTS.format(ids=ids), {"as_of": as_of})))
    for company, evts in events.items():
        for holder, pos in fold(evts, rounds.get(company, ()), wanted=wanted).items():
            out[holder][company] = pos
    for company, one in alone.items():
        if one is not None:
            out[taken[company][0][2]][company] = one
            continue
        others = summed[company]
        assert others is not None  # those are in order
        for holder, pos in fold(taken[company], wanted=wanted, others=others).items():
            out[holder][company] = pos


@dataclass(slots=True)
class Graph:
    """Holdings read around one company: each expanded company's active links (for the
    arithmetic) and ended ones (shown on request), and each link's position."""

    active: dict[int, list[tuple[int, Range]]] = field(default_factory=dict)
    ended: dict[int, list[tuple[int, Position]]] = field(default_factory=dict)
    position: dict[tuple[int, int], Position] = field(default_factory=dict)
    """(holder, company) -> position."""


def _expandable(reader: Reader, root: int, as_of: str, depth: int) -> set[int]:
    """*root* and the companies it reaches through stakes (held or ended) in fewer than
    *depth* links that hold stakes themselves: those whose holdings a walk may need."""
    found, seen, frontier = {root}, {root}, {root}
    for _level in range(depth - 1):
        held = _ids(reader, _HELD, frontier, as_of) - seen
        seen |= held
        frontier = _ids(reader, _HOLDING, held, as_of) - found
        if not frontier:
            break
        found |= frontier
    return found


def _downward(reader: Reader, root: int, as_of: str, depth: int) -> Graph:
    """What *root* holds, and what those hold, *depth* links down: the holdings of every
    company that may be on a path, read in one pass (see holdings_of)."""
    graph = Graph()
    for holder, held in holdings_of(
        reader, _expandable(reader, root, as_of, depth), as_of=as_of
    ).items():
        active: list[tuple[int, Range]] = []
        ended: list[tuple[int, Position]] = []
        graph.active[holder], graph.ended[holder] = active, ended
        for company, pos in held.items():
            graph.position[holder, company] = pos
            if pos.active:
                active.append((company, pos.range))
            else:
                ended.append((company, pos))
    return graph


def _upward(reader: Reader, company: int, as_of: str, depth: int) -> Graph:
    """Who holds *company*, and who holds those, *depth* links up: ``active`` maps a
    company to its holders here."""
    graph = Graph()
    frontier, seen = {company}, {company}
    for _level in range(depth):
        if not frontier:
            break
        found = positions_in(reader, frontier, as_of=as_of)
        nxt: set[int] = set()
        for held in frontier:
            active: list[tuple[int, Range]] = []
            ended: list[tuple[int, Position]] = []
            graph.active[held], graph.ended[held] = active, ended
            for holder, pos in found.get(held, {}).items():
                graph.position[holder, held] = pos
                if pos.active:
                    active.append((holder, pos.range))
                    if holder not in seen:
                        seen.add(holder)
                        nxt.add(holder)
                else:
                    ended.append((holder, pos))
        frontier = nxt
    return graph


def _names(reader: Reader, ids: Collection[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for batch in _batches(ids):
        out.update(
            (i, n) for i, n in reader.rows(f"SELECT id, name FROM company WHERE id IN ({batch})")
        )
    return out


def _label(date: str, precision: str) -> str:
    """A stored partial date as written: ``2014``, ``2014-12``, ``2014-12-14``."""
    return date[: {"year": 4, "month": 7}.get(precision, 10)]


# -- results ------------------------------------------------------------------------------

TREE_FIELDS = (
    "depth",
    "path",
    "company",
    "percent",
    "percent_low",
    "percent_high",
    "look_through",
    "look_through_low",
    "look_through_high",
    "class",
    "class_at_most",
    "state",
    "ended_by",
    "latest",
    "repeated",
)
OWNERS_FIELDS = ("relation", *TREE_FIELDS)


def bounds(name: str, share: Range) -> dict[str, str | None]:
    """``{"percent": "19.3", "percent_low": "19.3", "percent_high": "19.3"}``; the exact
    figure is null where only a range is known."""
    low, high = share.text()
    return {name: low if low == high else None, f"{name}_low": low, f"{name}_high": high}


def _thresholds_json(thresholds: Thresholds) -> dict[str, str]:
    return {
        "subsidiary_over": f"{thresholds.subsidiary.normalize():f}",
        "associate_from": f"{thresholds.associate.normalize():f}",
    }


def _rows(nodes: tuple["Node", ...], path: tuple[str, ...], joint: str) -> Iterator[dict[str, Any]]:
    for node in nodes:
        here = (*path, node.company)
        row = node.to_json("children")
        del row["children"]
        row["repeated"] = "true" if node.repeated else "false"
        yield {"depth": len(path), "path": joint.join(here), **row}
        yield from _rows(node.children, here, joint)


@dataclass(frozen=True, slots=True)
class Node:
    """A company in a tree of holdings, under the company that holds it (or, in an owners
    tree, a holder above the company it holds)."""

    company: str
    direct: Range
    """The holding on this link: the parent's in the company (owners: this holder's in the
    company below it)."""
    state: State
    ended_by: str | None
    """The acquirer, when its acquisition ended the holding."""
    date: str
    """The latest event that shaped the holding (partial date)."""
    look_through: Range
    """The root investor's effective interest in this company (owners: this holder's in the
    company asked about), over every path."""
    known: HoldingClass
    """What this company is to the investor (owners: the company to this holder), by what
    is known."""
    at_most: HoldingClass
    """The most it could be, were every undisclosed stake as large as it can be."""
    children: tuple["Node", ...] = ()
    repeated: bool = False
    """Its holdings are shown at an earlier occurrence in the tree (a diamond): not
    repeated here."""

    def to_json(self, children: str) -> dict[str, Any]:
        """The node and, under the key *children*, the nodes below it."""
        return {
            "company": self.company,
            **bounds("percent", self.direct),
            **bounds("look_through", self.look_through),
            "class": self.known.value,
            "class_at_most": self.at_most.value,
            "state": self.state.value,
            "ended_by": self.ended_by,
            "latest": self.date,
            "repeated": self.repeated,
            children: [n.to_json(children) for n in self.children],
        }


@dataclass(frozen=True, slots=True)
class TreeQuery:
    investor: str
    as_of: dt.date | None = None
    depth: int = MAX_DEPTH
    min_percent: Decimal | None = None
    """Leave out companies whose look-through cannot reach this (a range counts by its
    upper end), with everything below them."""
    every: bool = False
    """Show exited, written-off and acquired holdings too (as leaves)."""
    thresholds: Thresholds = Thresholds()


@dataclass(frozen=True, slots=True)
class Tree:
    """An investor's ecosystem: what it holds, and what those hold, as of a date."""

    investor: str
    as_of: str
    depth: int
    min_percent: Decimal | None
    thresholds: Thresholds
    nodes: tuple[Node, ...]
    companies: int
    """Distinct companies it holds directly or through others (active holdings)."""
    left_out: int
    """Of those, how many are left out for being below min_percent."""

    csv_fields: ClassVar[tuple[str, ...]] = TREE_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {
            "investor": self.investor,
            "as_of": self.as_of,
            "depth": self.depth,
            "min_percent": None
            if self.min_percent is None
            else f"{self.min_percent.normalize():f}",
            "thresholds": _thresholds_json(self.thresholds),
            "companies": self.companies,
            "left_out": self.left_out,
            "holdings": [n.to_json("holdings") for n in self.nodes],
        }

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        return _rows(self.nodes, (self.investor,), " > ")


@dataclass(frozen=True, slots=True)
class Owner:
    """An ultimate owner: where a path of holders upward ends (no one holds it in turn, as
    read within the depth; in a cycle, the holder at which it closes)."""

    company: str
    look_through: Range
    known: HoldingClass
    at_most: HoldingClass

    def to_json(self) -> dict[str, Any]:
        return {
            "company": self.company,
            **bounds("look_through", self.look_through),
            "class": self.known.value,
            "class_at_most": self.at_most.value,
        }


@dataclass(frozen=True, slots=True)
class OwnersQuery:
    company: str
    as_of: dt.date | None = None
    depth: int = MAX_DEPTH
    every: bool = False
    thresholds: Thresholds = Thresholds()


@dataclass(frozen=True, slots=True)
class Owners:
    company: str
    as_of: str
    depth: int
    thresholds: Thresholds
    holders: tuple[Node, ...]
    """The tree upward: the company's holders, their holders, and so on."""
    ultimate: tuple[Owner, ...]

    csv_fields: ClassVar[tuple[str, ...]] = OWNERS_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "as_of": self.as_of,
            "depth": self.depth,
            "thresholds": _thresholds_json(self.thresholds),
            "holders": [n.to_json("holders") for n in self.holders],
            "ultimate": [o.to_json() for o in self.ultimate],
        }

    def csv_rows(self) -> Iterator[dict[str, Any]]:
        for row in _rows(self.holders, (self.company,), " < "):
            yield {"relation": "holder", **row}
        for owner in self.ultimate:
            yield {"relation": "ultimate", **owner.to_json()}


def _check(depth: int, thresholds: Thresholds, min_percent: Decimal | None = None) -> None:
    if depth < 1:
        raise FieldError("depth", f"must be 1 or more (got {depth})")
    for name, value in (
        ("subsidiary_over", thresholds.subsidiary),
        ("associate_from", thresholds.associate),
        ("min_percent", min_percent),
    ):
        if value is not None and not 0 <= value <= 100:
            raise FieldError(name, f"must be from 0 to 100 (got {value})")
    if thresholds.associate > thresholds.subsidiary:
        raise FieldError(
            "associate_from",
            f"must be at most the subsidiary threshold, {thresholds.subsidiary} "
            f"(got {thresholds.associate})",
        )


def _as_of(day: dt.date | None) -> str:
    return (day or dt.date.today()).isoformat()


# -- the tree ---------------------------------------------------------------------------


def ownership_tree(reader: Reader, query: TreeQuery) -> Tree:
    """The investor's holdings as of the date, each with what it holds in turn, down to
    *depth* links: direct percent (or range), look-through, class, latest event."""
    _check(query.depth, query.thresholds, query.min_percent)
    ref = require_company(reader, query.investor, where="INVESTOR")
    as_of = _as_of(query.as_of)
    graph = _downward(reader, ref.id, as_of, query.depth)
    through = look_through(ref.id, graph.active, max_depth=query.depth)
    classes = classify(ref.id, graph.active, query.thresholds)
    floor = query.min_percent
    kept = {c for c, share in through.items() if floor is None or share.high >= floor}
    names = _names(reader, {ref.id, *through, *_ended_ids(graph, query.every)})
    nodes = _Builder(graph, names, through, classes.of, query.depth, query.every, kept)
    return Tree(
        investor=ref.name,
        as_of=as_of,
        depth=query.depth,
        min_percent=floor,
        thresholds=query.thresholds,
        nodes=nodes.below(ref.id, (ref.id,), down=True),
        companies=len(through),
        left_out=len(through) - len(kept),
    )


def _ended_ids(graph: Graph, every: bool) -> set[int]:
    """The companies (and acquirers) of ended holdings, when they are shown."""
    if not every:
        return set()
    ids: set[int] = set()
    for ended in graph.ended.values():
        ids.update(c for c, _ in ended)
        ids.update(p.by for _, p in ended if p.by is not None)
    return ids


class _Builder:
    """Builds the nodes of a tree from a Graph: each path of holdings at most *depth* links
    long that passes through no company twice (the cycle convention); a company's own
    holdings under its first occurrence that has any, later occurrences marked
    ``repeated`` (a diamond's second branch does not repeat the first's subtree)."""

    def __init__(
        self,
        graph: Graph,
        names: dict[int, str],
        through: dict[int, Range],
        class_of: Callable[[int], tuple[HoldingClass, HoldingClass]],
        depth: int,
        every: bool,
        kept: set[int] | None = None,
    ) -> None:
        self.graph, self.names, self.through, self.class_of = graph, names, through, class_of
        self.depth, self.every, self.kept = depth, every, kept
        self.expanded: set[int] = set()
        """Companies whose holdings a node shows already."""

    def below(self, at: int, path: tuple[int, ...], *, down: bool) -> tuple[Node, ...]:
        """The nodes linked to *at* (what it holds when *down*, else its holders), built in
        the order they are shown, so that "shown above" is true."""
        if len(path) > self.depth:
            return ()
        names = self.names
        links = sorted(
            (
                (other, link)
                for other, link in self.graph.active.get(at, ())
                if other not in path and link.high > 0 and (self.kept is None or other in self.kept)
            ),
            key=lambda item: (-item[1].low, names[item[0]].casefold(), names[item[0]]),
        )
        nodes = [self.node(other, at, path, down=down) for other, _link in links]
        if self.every:
            ended = [self.ended(other, pos) for other, pos in self.graph.ended.get(at, ())]
            nodes += sorted(ended, key=lambda n: (n.company.casefold(), n.company))
        return tuple(nodes)

    def node(self, other: int, at: int, path: tuple[int, ...], *, down: bool) -> Node:
        pos = self.graph.position[(at, other) if down else (other, at)]
        repeated = other in self.expanded
        children: tuple[Node, ...] = ()
        if not repeated:
            children = self.below(other, (*path, other), down=down)
            if children:  # else (all cut by the path) a later occurrence may show some
                self.expanded.add(other)
        known, at_most = self.class_of(other)
        return Node(
            company=self.names[other],
            direct=pos.range,
            state=pos.state,
            ended_by=None,
            date=_label(pos.date, pos.precision),
            look_through=self.through[other],
            known=known,
            at_most=at_most,
            children=children,
            repeated=repeated,
        )

    def ended(self, other: int, pos: Position) -> Node:
        return Node(
            company=self.names[other],
            direct=pos.range,
            state=pos.state,
            ended_by=None if pos.by is None else self.names.get(pos.by),
            date=_label(pos.date, pos.precision),
            look_through=_NONE,
            known=HoldingClass.INVESTMENT,
            at_most=HoldingClass.INVESTMENT,
        )


_NONE = Range(Decimal(0), Decimal(0))


# -- owners -------------------------------------------------------------------------------


def owners(reader: Reader, query: OwnersQuery) -> Owners:
    """Who holds the company as of the date, directly and through others (the tree upward,
    *depth* links), each with its look-through interest in the company and the company's
    class for it; and the ultimate owners, at the top of the chains."""
    _check(query.depth, query.thresholds)
    ref = require_company(reader, query.company, where="COMPANY")
    as_of = _as_of(query.as_of)
    graph = _upward(reader, ref.id, as_of, query.depth)
    through = look_through(ref.id, graph.active, max_depth=query.depth)
    # the same holdings read downward, for the company's class to each owner
    down: dict[int, list[tuple[int, Range]]] = defaultdict(list)
    for held, holders in graph.active.items():
        for holder, link in holders:
            down[holder].append((held, link))
    classes = {u: classify(u, down, query.thresholds).of(ref.id) for u in through}
    names = _names(reader, {ref.id, *through, *_ended_ids(graph, query.every)})
    nodes = _Builder(graph, names, through, classes.__getitem__, query.depth, query.every)
    ultimate = sorted(
        (
            Owner(names[u], through[u], *classes[u])
            for u in tops(ref.id, graph.active, max_depth=query.depth)
        ),
        key=lambda o: (-o.look_through.low, o.company.casefold(), o.company),
    )
    return Owners(
        company=ref.name,
        as_of=as_of,
        depth=query.depth,
        thresholds=query.thresholds,
        holders=nodes.below(ref.id, (ref.id,), down=False),
        ultimate=tuple(ultimate),
    )


# -- the ecosystem, for progress ----------------------------------------------------------

#: Per (holder, company), in one grouped pass: the holder's last adding event (investment,
#: acquisition, reported holding), its last exit or write-off, whether it sold any, and
#: what bounds its least share: its disclosed additions, its largest reported holding, and
#: whether it acquired the whole company.
STANDING_COLUMNS = """
       MAX(CASE WHEN s.kind IN ('investment', 'acquisition', 'holding') THEN s.date END),
       MAX(CASE WHEN s.kind IN ('exit', 'write-off') THEN s.date END),
       MAX(CASE WHEN s.kind = 'sale' THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.kind = 'investment' OR s.kind = 'acquisition' THEN s.percent_micro END),
       MAX(CASE WHEN s.kind = 'holding' THEN s.percent_micro END),
       MAX(CASE WHEN s.kind = 'acquisition' AND (s.percent_micro IS NULL
                OR s.percent_micro >= 100000000) THEN 1 ELSE 0 END),
       MAX(CASE WHEN s.kind = 'investment' AND s.percent_micro IS NULL THEN 1 ELSE 0 END),
       MAX(CASE WHEN s.kind = 'holding' AND s.percent_micro IS NOT NULL THEN 1 ELSE 0 END)
"""
_STANDING = f"""
SELECT s.investor_id, s.company_id, {STANDING_COLUMNS}
FROM stake s WHERE s.investor_id IN ({{ids}}) AND s.date <= :as_of
GROUP BY s.investor_id, s.company_id
"""
#: The companies whose rounds dilute (a total and a post-money valuation).
_DILUTED = """
SELECT DISTINCT company_id FROM funding_round
WHERE total_minor IS NOT NULL AND valuation_minor IS NOT NULL AND date <= :as_of
"""
#: Every acquisition of a whole company up to the date: few, read once (a scan of the
#: stakes, cheaper than probing each held company's stakes).
_WHOLES = """
SELECT company_id, investor_id, date, id FROM stake
WHERE kind = 'acquisition' AND (percent_micro IS NULL OR percent_micro >= 100000000)
  AND date <= :as_of
"""


#: Company -> [(acquirer, date, stake id)] of the acquisitions of the whole company.
Wholes = dict[int, list[tuple[int, str, int]]]


def _wholes(reader: Reader, as_of: str) -> Wholes:
    """Every acquisition of a whole company up to *as_of*, by company."""
    out: Wholes = defaultdict(list)
    for company, acquirer, date, sid in reader.rows(_WHOLES, {"as_of": as_of}):
        out[company].append((acquirer, date, sid))
    return out


@dataclass(slots=True)
class _Standing:
    """A holder's position in one company as far as grouped SQL tells: held or not (None
    when only the fold can tell: it sold some, or an end and an addition share a day), and
    the most its least share can be."""

    active: bool | None
    bound: Decimal
    low: Decimal = ZERO
    exact: bool = False
    """*active* and *low* are the fold's (else low is 0, exact only below the bound)."""


def _standings(
    reader: Reader,
    holders: Collection[int],
    as_of: str,
    wholes: Wholes | None = None,
    diluted: set[int] | None = None,
    rows: Iterable[Sequence[Any]] | None = None,
) -> dict[int, dict[int, _Standing]]:
    """Each of *holders*' standings in the companies it holds or held; *rows*: those
    holders' rows of _STANDING when the caller read them already (with other columns)."""
    out: dict[int, dict[int, _Standing]] = defaultdict(dict)
    params = {"as_of": as_of}
    if wholes is None:
        wholes = _wholes(reader, as_of)
    if diluted is None:
        diluted = {r[0] for r in reader.rows(_DILUTED, params)}
    if rows is None:
        rows = (
            row
            for ids in _batches(set(holders))
            for row in reader.rows(_STANDING.format(ids=ids), params)
        )
    for row in rows:
        holder, company, added, ended, sold, adds, held, own_whole, vague, stated = row
        any_sale = sold
        acquired = wholes.get(company)
        other = max((d for a, d, _s in acquired if a != holder), default=None) if acquired else None
        end = max(e for e in (ended, other) if e is not None) if (ended or other) else None
        # a sale ends a position only once its most is known and sold: never while an
        # undisclosed investment leaves it unbounded, unless something bounds it again
        # (a reported holding, an acquisition of the whole, a diluting round, or an end
        # after which the position starts afresh)
        unbounded = vague and not (stated or own_whole or end or company in diluted)
        sold = sold and not unbounded
        active: bool | None
        if sold or (end is not None and end == added):
            active = None  # a sale may end it; a same-day order is the fold's to tell
        else:
            active = added is not None and (end is None or added > end)
        if own_whole:
            bound = HUNDRED
        else:
            micro = (adds or 0) + (held or 0)
            bound = min(Decimal(micro).scaleb(-6), HUNDRED)
        simple = not (any_sale or stated or end or own_whole or company in diluted)
        if simple and added is not None:
            # additions only, nothing ended, diluted or replaced it: the least share is
            # their disclosed sum, as the fold would make it
            least = min(Decimal(adds or 0).scaleb(-6), HUNDRED)
            out[holder][company] = _Standing(True, bound, least, exact=True)
        else:
            out[holder][company] = _Standing(active, bound)
    return out


def least_holdings(
    reader: Reader,
    holders: Collection[int],
    companies: Collection[int],
    *,
    as_of: str,
    wholes: Wholes | None = None,
) -> dict[int, dict[int, Position]]:
    """*holders*' positions in *companies* as of the ISO day *as_of*, exact in all but the
    most each could hold (its range's high, which needs every other holder: holdings_of
    gives it): held or ended, how and when, and the least share. Those depend on nothing
    but the holder's own events, the acquisitions of the whole company (which end it) and
    the company's diluting rounds, so only those are read and folded (see
    core.positions.fold), not the events of every other holder: the acquisitions are read
    by their ids from *wholes* (_wholes's, read here when the caller has not)."""
    wanted = set(holders)
    params = {"as_of": as_of}
    if wholes is None:
        wholes = _wholes(reader, as_of)
    out: dict[int, dict[int, Position]] = defaultdict(dict)
    for ids in _batches(companies):
        taken = [
            row
            for holder_ids in _batches(wanted)
            for row in reader.rows(
                _TAKEN.format(ids=holder_ids) + f" AND s.company_id IN ({ids})", params
            )
        ]
        others = [  # the holders' own acquisitions are among what they took
            sid
            for company in {row[0] for row in taken}
            for acquirer, _d, sid in wholes.get(company, ())
            if acquirer not in wanted
        ]
        events = _events(
            chain(
                taken,
                (
                    row
                    for batch in _batches(others)
                    for row in reader.rows(_BY_ID.format(ids=batch))
                ),
            )
        )
        rounds = _rounds(reader, ids, as_of)
        for company, evts in events.items():
            for holder, pos in fold(evts, rounds.get(company, ()), wanted=wanted).items():
                out[holder][company] = pos
    return out


def _fold_into(
    reader: Reader,
    standings: dict[int, dict[int, _Standing]],
    holders: Collection[int],
    companies: Collection[int],
    as_of: str,
    wholes: Wholes | None = None,
) -> None:
    """Fold whether *holders* hold each of *companies*, and their least shares, exactly,
    into *standings* (see least_holdings)."""
    if not companies:
        return
    for holder, held in least_holdings(
        reader, holders, companies, as_of=as_of, wholes=wholes
    ).items():
        for company, pos in held.items():
            standing = standings[holder].get(company)
            if standing is not None:
                standing.active, standing.low, standing.exact = pos.active, pos.low, True


def least_positions(
    reader: Reader, holders: Collection[int], *, as_of: str
) -> dict[int, dict[int, tuple[bool, Decimal]]]:
    """Whether each of *holders*' positions is held as of the ISO day *as_of*, with its
    least share where it is above 0: exactly what `holdings_of` gives (its fold is run
    where grouped SQL cannot tell: after a sale, or an end and an addition on one day, or
    where a share was disclosed), without the upper bounds."""
    wholes = _wholes(reader, as_of)
    standings = _standings(reader, holders, as_of, wholes)
    _fold_into(
        reader,
        standings,
        holders,
        {
            c
            for held in standings.values()
            for c, st in held.items()
            if st.active is None or st.bound > 0
        },
        as_of,
        wholes,
    )
    return {
        h: {c: (bool(st.active), st.low) for c, st in held.items()} for h, held in standings.items()
    }


def ecosystem(
    reader: Reader,
    investor_id: int,
    *,
    as_of: dt.date | None = None,
    associates: bool = False,
    thresholds: Thresholds = Thresholds(),
    first: Iterable[Sequence[Any]] | None = None,
) -> tuple[int, list[str]]:
    """How many of the companies the investor ever held it still holds, and the companies
    it reaches only through its subsidiaries (see reached_through), in one reading.
    *first*: the investor's own rows of _STANDING, when the caller read them already."""
    day = _as_of(as_of)
    allowed = (
        {HoldingClass.SUBSIDIARY, HoldingClass.ASSOCIATE}
        if associates
        else {HoldingClass.SUBSIDIARY}
    )
    # The least shares decide the classes; a share can only matter where the group's
    # most-could-be reaches the lowest threshold that counts: those are folded exactly,
    # the others read in grouped SQL (see _standings).
    floor = thresholds.associate if associates else thresholds.subsidiary
    standings: dict[int, dict[int, _Standing]] = {}
    group: set[int] = set()
    todo = {investor_id}
    active: dict[int, list[tuple[int, Range]]] = {}
    wholes = _wholes(reader, day)
    diluted = {r[0] for r in reader.rows(_DILUTED, {"as_of": day})}
    # Only a company that holds stakes itself can lead anywhere: the others' classes change
    # nothing reached, so their shares are neither folded nor classified.
    holding: set[int] = set()
    asked: set[int] = set()
    for _level in range(MAX_DEPTH + 1):
        standings.update(_standings(reader, todo, day, wholes, diluted, first))
        first = None
        group |= todo
        met = {c for h in todo for c in standings.get(h, {})} - asked
        holding |= _ids(reader, _HOLDING, met, day)
        asked |= met
        bounds: dict[int, Decimal] = defaultdict(Decimal)
        for holder in group:
            for company, st in standings.get(holder, {}).items():
                if company in holding:
                    bounds[company] += st.bound
        for holder in group:
            held = standings.get(holder, {})
            need = {
                c
                for c, st in held.items()
                if not st.exact
                and (st.active is None or (st.bound > 0 and c in holding and bounds[c] >= floor))
            }
            _fold_into(reader, standings, {holder}, need, day, wholes)
        active = {
            holder: [
                (c, Range(st.low, st.low))
                for c, st in standings.get(holder, {}).items()
                if st.active and (holder != investor_id or c in holding)
            ]
            for holder in group
        }
        known = classify(investor_id, active, thresholds).known
        todo = {c for c, k in known.items() if k in allowed and c not in group}
        if not todo:
            break
    direct = {c for c, st in standings.get(investor_id, {}).items() if st.active}
    found_ids = reached(investor_id, active, thresholds, associates=associates) - direct
    names = _names(reader, found_ids)
    still = sum(1 for st in standings.get(investor_id, {}).values() if st.active)
    return still, sorted(names.values(), key=lambda n: (n.casefold(), n))


def reached_through(
    reader: Reader,
    investor_id: int,
    *,
    as_of: dt.date | None = None,
    associates: bool = False,
    thresholds: Thresholds = Thresholds(),
) -> list[str]:
    """The companies the investor holds no stake in but reaches through its ecosystem as of
    the date: held by its subsidiaries (with *associates*, its associates too), walking on
    through the subsidiaries (associates) of those; by name. See core.positions.reached."""
    return ecosystem(
        reader, investor_id, as_of=as_of, associates=associates, thresholds=thresholds
    )[1]
