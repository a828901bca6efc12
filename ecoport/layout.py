"""Fitting text to a width: cell widths, shortening at word boundaries, wrapping prose, and
table plans whose least important columns drop first. Pure text, no rich, no I/O."""

import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

ELLIPSIS = "…"
#: Between two columns of a table.
GAP = 2
#: Characters after which a cell may be shortened (path, word and name boundaries).
_AFTER = frozenset("/-_.,;:)→")


def cell_len(text: str) -> int:
    """Terminal cells *text* takes: 2 for a wide or full-width character (小米), 0 for a
    combining mark, 1 for the rest."""
    if text.isascii():
        return len(text)
    return sum(_char_cells(ch) for ch in text)


def _char_cells(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200b\u200d":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _cut(text: str, cells: int) -> str:
    """The longest prefix of *text* that takes at most *cells* cells."""
    if text.isascii():
        return text[:cells]
    used = 0
    for i, ch in enumerate(text):
        used += _char_cells(ch)
        if used > cells:
            return text[:i]
    return text


def pad(text: str, width: int, *, right: bool = False) -> str:
    """*text* padded with spaces to *width* cells (on the left when *right*-aligned)."""
    fill = " " * max(0, width - cell_len(text))
    return fill + text if right else text + fill


def shorten(text: str, width: int) -> str:
    """*text* in at most *width* cells: whole, or cut at a word or path boundary and ended
    with an ellipsis (``iot/smart-home/…``, ``Misfit…``). Only a first word longer than the
    cell itself is cut inside (there is no boundary to cut at)."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    head = _cut(text, width - 1)
    # a boundary: before a space, or after a path or word separator
    for i in range(len(head), 0, -1):
        if head[i - 1] in _AFTER or (i < len(text) and text[i] == " "):
            kept = head[:i].rstrip(" ,;:")
            if kept:
                return kept + ELLIPSIS
    return head + ELLIPSIS


def wrap(text: str, width: int) -> list[str]:
    """*text* wrapped at spaces into lines of at most *width* cells; line breaks kept. A word
    longer than a line (a URL) stays whole on a line of its own, never broken."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for word in paragraph.split(" "):
            if not word:
                continue
            size = cell_len(word)
            if line and used + 1 + size > width:
                lines.append(line)
                line, used = "", 0
            line, used = (f"{line} {word}", used + 1 + size) if line else (word, size)
        lines.append(line)
    return lines


@dataclass(frozen=True, slots=True)
class Column:
    """A table column and how it gives way when the table is too wide."""

    header: str
    priority: int = 0
    """0: always shown; otherwise the higher the number, the sooner the column is left out."""
    right: bool = False
    """Right-aligned (numbers)."""
    keep: bool = False
    """Never shortened (numbers, dates, kinds): such a column is left out, not cut."""
    prose: bool = False
    """Wrapped over several lines at word boundaries instead of shortened."""
    least: int = 10
    """The fewest cells a text column is shortened to before a column is left out."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Which columns a table shows, and how wide each is (None: left out)."""

    widths: tuple[int | None, ...]
    left_out: tuple[str, ...]

    @property
    def width(self) -> int:
        shown = [w for w in self.widths if w is not None]
        return sum(shown) + GAP * max(0, len(shown) - 1)


def plan(
    columns: Sequence[Column],
    natural: Sequence[int],
    width: int,
    *,
    wide: bool = False,
    lengths: Sequence[Sequence[int]] | None = None,
) -> Plan:
    """Fit *columns* (each *natural* cells wide at most; *lengths*: each column's cell
    widths, sorted, when known) into *width* cells, losing as little as it can. Of every
    way to leave out columns (those of priority above 0) and shorten text columns (least
    important first, none below its ``least``) that fits, it takes the one that costs
    least: leaving out a column costs 100 / priority (the more important, the more), and
    shortening one costs that times the share of its cells that are cut (a twentieth of it
    for prose, which wraps; 1000 for a column always shown). So the least
    important columns go first, a source whose longest URLs do not fit is shortened, not
    left out, and a few long names are shortened rather than a column of amounts lost.
    *wide* keeps every column whole."""
    count = len(columns)
    if wide:
        return Plan(tuple(natural), ())
    sizes = lengths or [[n] for n in natural]
    droppable = [i for i in range(count) if columns[i].priority > 0]
    best: tuple[tuple[float, int, list[int]], dict[int, int]] | None = None
    for mask in range(1 << len(droppable)):
        dropped = [droppable[k] for k in range(len(droppable)) if mask >> k & 1]
        widths = {i: natural[i] for i in range(count) if i not in dropped}
        excess = sum(widths.values()) + GAP * (len(widths) - 1) - width
        if not _narrow(
            widths, {i: _least(columns[i], natural[i]) for i in widths}, excess, columns
        ):
            continue
        cost = sum(_drop_cost(columns[i]) for i in dropped)
        cost += sum(_cut_cost(columns[i], sizes[i], w) for i, w in widths.items())
        key = (cost, len(dropped), dropped)
        if best is None or key < best[0]:
            best = (key, widths)
    if best is None:
        # even alone, what must be shown is too wide: narrow it as far as it goes
        widths = {i: natural[i] for i in range(count) if i not in droppable}
        floor = {i: natural[i] if columns[i].keep else min(natural[i], 3) for i in widths}
        _narrow(widths, floor, sum(widths.values()) + GAP * (len(widths) - 1) - width, columns)
    else:
        widths = best[1]
    return Plan(
        tuple(widths.get(i) for i in range(count)),
        tuple(c.header for i, c in enumerate(columns) if i not in widths),
    )


def _drop_cost(column: Column) -> float:
    return 100 / column.priority if column.priority else float("inf")


def _cut_cost(column: Column, sizes: Sequence[int], width: int) -> float:
    """What shortening *column* to *width* costs: the share of its cells that are cut,
    weighed by how much the column matters (see plan)."""
    if not sizes or sizes[-1] <= width:
        return 0.0
    share = (len(sizes) - bisect_right(sizes, width)) / len(sizes)
    weight = 1000.0 if column.priority == 0 else _drop_cost(column)
    return share * weight * (0.05 if column.prose else 1.0)


def _least(column: Column, natural: int) -> int:
    if column.keep:
        return natural
    return min(natural, max(column.least, cell_len(column.header)))


def _narrow(
    widths: dict[int, int], mins: dict[int, int], excess: int, columns: Sequence[Column]
) -> bool:
    """Take *excess* cells from the least important columns first (the widest of equals),
    none below its minimum; whether that was enough."""
    for i in sorted(widths, key=lambda i: (-columns[i].priority, -widths[i], -i)):
        if excess <= 0:
            break
        take = min(excess, widths[i] - mins[i])
        if take > 0:
            widths[i] -= take
            excess -= take
    return excess <= 0


def row_lines(
    cells: Sequence[str],
    columns: Sequence[Column],
    widths: Sequence[int | None],
    *,
    cut: bool = True,
) -> list[str]:
    """One table row as lines of text (more than one when a prose cell wraps). A number
    wider than its column takes the cells it needs from the widest text cell of the row,
    so the line stays within the table's width. Without *cut* nothing is shortened."""
    shown = [(c, w, cells[i]) for i, (c, w) in enumerate(zip(columns, widths, strict=True)) if w]
    sizes = [w for _, w, _ in shown]
    over = sum(max(0, cell_len(v) - w) for c, w, v in shown if c.keep) if cut else 0
    if over:
        for k, (c, w, v) in enumerate(shown):
            if c.keep and cell_len(v) > w:
                sizes[k] = cell_len(v)
        texts = sorted(
            (k for k, (c, _, _) in enumerate(shown) if not c.keep), key=lambda k: -sizes[k]
        )
        for k in texts:
            take = min(over, sizes[k] - 1)
            sizes[k] -= take
            over -= take
            if not over:
                break
    parts: list[list[str]] = []
    for (column, _, value), size in zip(shown, sizes, strict=True):
        if column.prose:
            lines = wrap(value, size) if cut else value.split("\n")
            parts.append([pad(shorten(line, size) if cut else line, size) for line in lines])
        elif not cut or column.keep:
            parts.append([pad(value, size, right=column.right)])
        else:
            parts.append([pad(shorten(value, size), size)])
    height = max(len(p) for p in parts)
    lines = []
    for n in range(height):
        line = (" " * GAP).join(
            p[n] if n < len(p) else " " * s for p, s in zip(parts, sizes, strict=True)
        )
        lines.append(line.rstrip())
    return lines


def row_formatter(
    columns: Sequence[Column], widths: Sequence[int | None], *, cut: bool = True
) -> Callable[[Sequence[str]], list[str]]:
    """row_lines for one table's plan, fast for the common row (no prose to wrap, no number
    wider than its column): a million rows are formatted in seconds. Other rows go through
    row_lines."""
    shown = [
        (i, w, c.right, c.keep) for i, (c, w) in enumerate(zip(columns, widths, strict=True)) if w
    ]
    if any(c.prose for c, w in zip(columns, widths, strict=True) if w) or not cut:
        return lambda cells: row_lines(cells, columns, widths, cut=cut)
    gap = " " * GAP

    def format_row(cells: Sequence[str]) -> list[str]:
        parts = []
        for i, w, right, keep in shown:
            value = cells[i]
            size = len(value) if value.isascii() else cell_len(value)
            if size > w:
                if keep:
                    return row_lines(cells, columns, widths)
                value = shorten(value, w)
                size = cell_len(value)
            if size < w:
                value = " " * (w - size) + value if right else value + " " * (w - size)
            parts.append(value)
        return [gap.join(parts).rstrip()]

    return format_row


def header_lines(columns: Sequence[Column], widths: Sequence[int | None]) -> list[str]:
    """The header row and the rule under it."""
    cells = [
        pad(shorten(c.header, w), w, right=c.right)
        for c, w in zip(columns, widths, strict=True)
        if w
    ]
    total = sum(w for w in widths if w) + GAP * max(0, len(cells) - 1)
    return [(" " * GAP).join(cells).rstrip(), "─" * total]
