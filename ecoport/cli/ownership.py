"""ecoport tree and ecoport owners: who holds what as of a date, directly and through others."""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ecoport.cli.common import DbOption, Format, FormatOption, location, parse_opt

if TYPE_CHECKING:
    import datetime as dt

    from ecoport.core.positions import HoldingClass, Range, Thresholds
    from ecoport.services.ownership import Node, Owners, Tree

AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Holdings as they stood at the end of this date: 2016, 2016-03 or 2016-03-29 "
        "(default: today).",
        show_default=False,
    ),
]
DepthOption = Annotated[
    int,
    typer.Option("--depth", metavar="N", help="Links of holdings to follow (1: direct only)."),
]
EveryOption = Annotated[
    bool,
    typer.Option("--all", help="Also holdings that ended: exited, written off, acquired."),
]
SubsidiaryOption = Annotated[
    str | None,
    typer.Option(
        "--subsidiary-over",
        metavar="P",
        help="A subsidiary is held at more than P %, directly or through subsidiaries "
        "(default 50).",
        show_default=False,
    ),
]
AssociateOption = Annotated[
    str | None,
    typer.Option(
        "--associate-from",
        metavar="P",
        help="An associate is held at P % or more, directly or through subsidiaries "
        "(default 20: IAS 28's significant influence).",
        show_default=False,
    ),
]

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


def tree(
    ctx: typer.Context,
    investor: Annotated[str, typer.Argument(metavar="INVESTOR", help="Investor name or alias.")],
    as_of: AsOfOption = None,
    depth: DepthOption = 6,
    min_percent: Annotated[
        str | None,
        typer.Option(
            "--min-percent",
            metavar="P",
            help="Leave out companies the investor cannot hold P % of, look-through (a "
            "range counts by its upper end), with all below them.",
            show_default=False,
        ),
    ] = None,
    every: EveryOption = False,
    subsidiary_over: SubsidiaryOption = None,
    associate_from: AssociateOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show an investor's ecosystem as a tree: what it holds, and what those hold.

    Each company with the holding above it (exact, or a range where a percentage is
    undisclosed), the investor's look-through interest (over every path of holdings), its
    class (subsidiary, associate or investment) and the date of the latest event.

    \b
    Example:
      ecoport tree Xiaomi
      ecoport tree Xiaomi --as-of 2016 --depth 2 --format json
    """
    from ecoport.core.percent import parse_percent
    from ecoport.services.ownership import TreeQuery, ownership_tree
    from ecoport.store.db import reading

    query = TreeQuery(
        investor=investor,
        as_of=_as_of(as_of),
        depth=depth,
        min_percent=parse_opt("--min-percent", parse_percent, min_percent),
        every=every,
        thresholds=_thresholds(subsidiary_over, associate_from),
    )
    with reading(location(ctx, db)) as reader:
        result = ownership_tree(reader, query)
    if fmt is Format.json:
        from ecoport.render import as_json

        as_json(_tree_json(result))
    elif fmt is Format.csv:
        from ecoport.render import as_csv

        as_csv(_rows(result.nodes, (result.investor,), " > "), TREE_FIELDS)
    else:
        _print_tree(result)


def owners(
    ctx: typer.Context,
    company: Annotated[str, typer.Argument(metavar="COMPANY", help="Company name or alias.")],
    as_of: AsOfOption = None,
    depth: DepthOption = 6,
    every: EveryOption = False,
    subsidiary_over: SubsidiaryOption = None,
    associate_from: AssociateOption = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Show who holds a company, directly and ultimately: the tree of holdings upward.

    Each holder with its holding in the company below it, its look-through interest in
    COMPANY and what COMPANY is to it (subsidiary, associate or investment); then the
    ultimate owners, at the top of the chains.

    \b
    Example:
      ecoport owners Segway
      ecoport owners Huami --as-of 2018 --format csv
    """
    from ecoport.services.ownership import OwnersQuery
    from ecoport.services.ownership import owners as build
    from ecoport.store.db import reading

    query = OwnersQuery(
        company=company,
        as_of=_as_of(as_of),
        depth=depth,
        every=every,
        thresholds=_thresholds(subsidiary_over, associate_from),
    )
    with reading(location(ctx, db)) as reader:
        result = build(reader, query)
    if fmt is Format.json:
        from ecoport.render import as_json

        as_json(_owners_json(result))
    elif fmt is Format.csv:
        from ecoport.render import as_csv

        rows = [
            {"relation": "holder", **row} for row in _rows(result.holders, (result.company,), " < ")
        ]
        rows += [
            {
                "relation": "ultimate",
                "company": o.company,
                **_bounds("look_through", o.look_through),
                "class": o.known.value,
                "class_at_most": o.at_most.value,
            }
            for o in result.ultimate
        ]
        as_csv(rows, OWNERS_FIELDS)
    else:
        _print_owners(result)


# -- option values --------------------------------------------------------------------------


def _as_of(text: str | None) -> "dt.date | None":
    """--as-of as the last day of the period it names (2016: 2016-12-31)."""
    from ecoport.core.dates import parse_date

    when = parse_opt("--as-of", parse_date, text)
    return None if when is None else when.end


def _thresholds(subsidiary: str | None, associate: str | None) -> "Thresholds":
    from ecoport.core.percent import parse_percent
    from ecoport.core.positions import Thresholds

    default = Thresholds()
    return Thresholds(
        subsidiary=parse_opt("--subsidiary-over", parse_percent, subsidiary) or default.subsidiary,
        associate=parse_opt("--associate-from", parse_percent, associate) or default.associate,
    )


# -- JSON and CSV ---------------------------------------------------------------------------


def _bounds(name: str, share: "Range") -> dict[str, str | None]:
    low, high = share.text()
    return {name: low if low == high else None, f"{name}_low": low, f"{name}_high": high}


def _node_json(node: "Node", children: str) -> dict[str, Any]:
    return {
        "company": node.company,
        **_bounds("percent", node.direct),
        **_bounds("look_through", node.look_through),
        "class": node.known.value,
        "class_at_most": node.at_most.value,
        "state": node.state.value,
        "ended_by": node.ended_by,
        "latest": node.date,
        "repeated": node.repeated,
        children: [_node_json(n, children) for n in node.children],
    }


def _thresholds_json(thresholds: "Thresholds") -> dict[str, str]:
    return {
        "subsidiary_over": f"{thresholds.subsidiary.normalize():f}",
        "associate_from": f"{thresholds.associate.normalize():f}",
    }


def _tree_json(result: "Tree") -> dict[str, Any]:
    return {
        "investor": result.investor,
        "as_of": result.as_of,
        "depth": result.depth,
        "min_percent": None
        if result.min_percent is None
        else f"{result.min_percent.normalize():f}",
        "thresholds": _thresholds_json(result.thresholds),
        "companies": result.companies,
        "left_out": result.left_out,
        "holdings": [_node_json(n, "holdings") for n in result.nodes],
    }


def _owners_json(result: "Owners") -> dict[str, Any]:
    return {
        "company": result.company,
        "as_of": result.as_of,
        "depth": result.depth,
        "thresholds": _thresholds_json(result.thresholds),
        "holders": [_node_json(n, "holders") for n in result.holders],
        "ultimate": [
            {
                "company": o.company,
                **_bounds("look_through", o.look_through),
                "class": o.known.value,
                "class_at_most": o.at_most.value,
            }
            for o in result.ultimate
        ],
    }


def _rows(nodes: tuple["Node", ...], path: tuple[str, ...], joint: str) -> Iterator[dict[str, Any]]:
    for node in nodes:
        here = (*path, node.company)
        row = _node_json(node, "children")
        del row["children"]
        row["repeated"] = "true" if node.repeated else "false"
        yield {"depth": len(path), "path": joint.join(here), **row}
        yield from _rows(node.children, here, joint)


# -- tables (a rich Tree) -------------------------------------------------------------------


def _class_text(known: "HoldingClass", at_most: "HoldingClass") -> str:
    """``investment``, or ``investment (up to subsidiary)`` where undisclosed percents
    leave the class open."""
    return known.value if known is at_most else f"{known.value} (up to {at_most.value})"


def _label(node: "Node", *, of: str | None = None, target: str | None = None) -> str:
    """One line of a tree: the company, the holding on this link, look-through, class
    (upward, the holding is *of* the company below, the look-through in *target*)."""
    if node.state.value == "acquired":
        return f"{node.company} — acquired by {node.ended_by} on {node.date}"
    if node.state.value != "held":
        return f"{node.company} — {node.state.value.replace('-', ' ')} {node.date}"
    held = node.direct.describe() + (f" of {of}" if of else "")
    parts = [
        held,
        f"look-through {node.look_through.describe()}" + (f" of {target}" if target else ""),
        _class_text(node.known, node.at_most),
        f"latest {node.date}",
    ]
    more = " (its holdings are shown above)" if node.repeated else ""
    return f"{node.company} — {', '.join(parts)}{more}"


def _grow(branch: Any, nodes: tuple["Node", ...], *, target: str | None, below: str) -> None:
    """Add *nodes* under a rich Tree's *branch* (upward, toward the owners of *target*)."""
    for node in nodes:
        twig = branch.add(_label(node, of=below if target else None, target=target))
        _grow(twig, node.children, target=target, below=node.company)


def _lines(
    nodes: tuple["Node", ...], *, target: str | None, below: str, prefix: str = ""
) -> Iterator[str]:
    """The same tree as plain lines, drawn as rich draws it (fast on a large tree)."""
    for n, node in enumerate(nodes):
        last = n == len(nodes) - 1
        label = _label(node, of=below if target else None, target=target)
        yield f"{prefix}{'└── ' if last else '├── '}{label}"
        deeper = prefix + ("    " if last else "│   ")
        yield from _lines(node.children, target=target, below=node.company, prefix=deeper)


def _show(title: str, nodes: tuple["Node", ...], *, target: str | None, below: str) -> None:
    """A rich Tree on a terminal; the same lines, written as they are made, to a pipe."""
    from ecoport.render import console, terminal, write

    if terminal():
        from rich.tree import Tree as RichTree

        root = RichTree(title)
        _grow(root, nodes, target=target, below=below)
        console().print(root, soft_wrap=False)  # long labels wrap under their branch
        return
    write(title)
    batch: list[str] = []
    for line in _lines(nodes, target=target, below=below):
        batch.append(line)
        if len(batch) == 1000:
            write("\n".join(batch))
            batch.clear()
    if batch:
        write("\n".join(batch))


def _print_tree(result: "Tree") -> None:
    from ecoport.render import say
    from ecoport.words import plural

    if not result.nodes:
        say(f"{result.investor} holds nothing as of {result.as_of}.")
        return
    title = f"{result.investor} — holdings as of {result.as_of}"
    _show(title, result.nodes, target=None, below=result.investor)
    floor = ""
    if result.left_out and result.min_percent is not None:
        floor = f"; {result.left_out} below {result.min_percent.normalize():f}% left out"
    say(
        f"{plural(result.companies, 'company')} held directly or through others "
        f"(at most {plural(result.depth, 'link')}){floor}."
    )
    say(_explained(result.thresholds))


def _print_owners(result: "Owners") -> None:
    from rich.cells import cell_len

    from ecoport.render import say, write

    if not result.holders:
        say(f"No one holds {result.company} as of {result.as_of}.")
        return
    title = f"{result.company} — held as of {result.as_of}"
    _show(title, result.holders, target=result.company, below=result.company)
    rows = [("Ultimate owner", "Look-through", f"Class of {result.company}")]
    rows += [
        (o.company, o.look_through.describe(), _class_text(o.known, o.at_most))
        for o in result.ultimate
    ]
    widths = [max(cell_len(row[n]) for row in rows) for n in range(2)]
    write("")
    write(
        "\n".join(
            f"{row[0]}{' ' * (widths[0] - cell_len(row[0]))}  "
            f"{row[1]}{' ' * (widths[1] - cell_len(row[1]))}  {row[2]}"
            for row in rows
        )
    )
    say(_explained(result.thresholds))


def _explained(thresholds: "Thresholds") -> str:
    sub = f"{thresholds.subsidiary.normalize():f}%"
    assoc = f"{thresholds.associate.normalize():f}%"
    return (
        "Look-through: the percents multiplied along each path of holdings (never through a "
        "company twice), summed. A range where a percentage is undisclosed. Subsidiary: "
        f"over {sub} held directly or through subsidiaries; associate: {assoc} or more."
    )
