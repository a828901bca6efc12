"""tree and owners on a terminal: a rich Tree (plain lines of the same drawing into a pipe,
written as they are made), then what the figures mean."""

from collections.abc import Iterator
from typing import Any

from ecoport.core.positions import HoldingClass, Thresholds
from ecoport.emit import Style, table_for
from ecoport.services.ownership import Node, Owners, Tree


def _class_text(known: HoldingClass, at_most: HoldingClass) -> str:
    """``investment``, or ``investment (up to subsidiary)`` where undisclosed percents
    leave the class open."""
    return known.value if known is at_most else f"{known.value} (up to {at_most.value})"


def _label(node: Node, *, of: str | None = None, target: str | None = None) -> str:
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


def _grow(branch: Any, nodes: tuple[Node, ...], *, target: str | None, below: str) -> None:
    """Add *nodes* under a rich Tree's *branch* (upward, toward the owners of *target*)."""
    for node in nodes:
        twig = branch.add(_label(node, of=below if target else None, target=target))
        _grow(twig, node.children, target=target, below=node.company)


def _lines(
    nodes: tuple[Node, ...], *, target: str | None, below: str, prefix: str = ""
) -> Iterator[str]:
    """The same tree as plain lines, drawn as rich draws it (fast on a large tree)."""
    for n, node in enumerate(nodes):
        last = n == len(nodes) - 1
        label = _label(node, of=below if target else None, target=target)
        yield f"{prefix}{'└── ' if last else '├── '}{label}"
        deeper = prefix + ("    " if last else "│   ")
        yield from _lines(node.children, target=target, below=node.company, prefix=deeper)


def _show(title: str, nodes: tuple[Node, ...], *, target: str | None, below: str) -> None:
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


@table_for(Tree)
def tree(result: Tree, _style: Style) -> None:
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


@table_for(Owners)
def owners(result: Owners, _style: Style) -> None:
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


def _explained(thresholds: Thresholds) -> str:
    sub = f"{thresholds.subsidiary.normalize():f}%"
    assoc = f"{thresholds.associate.normalize():f}%"
    return (
        "Look-through: the percents multiplied along each path of holdings (never through a "
        "company twice), summed. A range where a percentage is undisclosed. Subsidiary: "
        f"over {sub} held directly or through subsidiaries; associate: {assoc} or more."
    )
