"""An article's bytes as plain text: decoded, markup and scripts dropped, cut into sentences."""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ecoport.errors import InvalidInput

#: Elements whose content is never the article's text.
_HIDDEN = re.compile(
    r"<(script|style|noscript|template|svg|iframe|head)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: Tags that end a block of text (a paragraph, a heading, a list item, a line break).
_BLOCK = re.compile(
    r"</?(?:p|div|br|h[1-6]|li|ul|ol|tr|table|section|article|header|footer|blockquote|"
    r"title|pre|dd|dt|figcaption)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_LOOKS_HTML = re.compile(r"<(?:!doctype|html|body|p|div|br|script|span|a|h[1-6])\b", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def decode(data: bytes, name: str) -> str:
    """The text of an article file: UTF-8 (with or without BOM), UTF-16 with a BOM, else
    GB18030 (Chinese pages); InvalidInput for an empty or binary file."""
    if not data.strip(b" \t\r\n\x00"):
        raise InvalidInput(f"{name}: the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    head = data[:8192]
    if b"\x00" in head or head.startswith((b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\x1f\x8b")):
        raise InvalidInput(f"{name}: is not an article (it holds binary data); give text or HTML")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for c in text[:8192] if c < " " and c not in "\t\r\n\f")
        if controls * 50 > min(len(text), 8192):
            break
        return text
    raise InvalidInput(f"{name}: is not an article (it holds binary data); give text or HTML")


def plain_text(text: str) -> str:
    """*text* without its markup when it is HTML: scripts, styles and comments dropped,
    blocks kept as paragraphs, entities read. Plain text is returned as it is, its line
    endings made ``\\n``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _LOOKS_HTML.search(text[:65536]):
        return text
    text = _COMMENT.sub(" ", text)
    text = _HIDDEN.sub(" ", text)
    text = _BLOCK.sub("\n\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the article: its text, and the paragraph it belongs to."""

    text: str
    paragraph: int


#: Words before a full stop that do not end a sentence.
_ABBREVIATIONS = frozenset(
    "inc corp co ltd llc plc mr mrs ms dr st jr sr vs no u.s u.k e.g i.e approx est dept "
    "jan feb mar apr aug sept sep oct nov dec".split()
)
_LAST_WORD = re.compile(r"([\w.]+)\.$")
_INITIAL = re.compile(r"[A-Z]")
_BLOCKS = re.compile(r"\n\s*\n")
_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9\u4e00-\u9fff])|(?<=[。！？；])")


def sentences(text: str) -> list[Sentence]:
    """The sentences of *text*, paragraph by paragraph (a blank line, or a line break after
    a line that ends like a sentence or a heading)."""
    found: list[Sentence] = []
    for number, paragraph in enumerate(_paragraphs(text)):
        start = 0
        for match in _ends(paragraph):
            # the word before a full stop; only its last 11 characters: a longer word is no
            # abbreviation, and a sentence of many "Inc." is not read again for each
            stop = match.start()
            last = paragraph[stop - 1] == "." and _LAST_WORD.search(
                paragraph, max(start, stop - 12), stop
            )
            if last and (last.group(1).lower() in _ABBREVIATIONS or _INITIAL.fullmatch(last[1])):
                continue
            piece = paragraph[start : match.start()].strip()
            if piece:
                found.append(Sentence(piece, number))
            start = match.end()
        if paragraph[start:].strip():
            found.append(Sentence(paragraph[start:].strip(), number))
    return found


_STOPS = re.compile(r"[.!?。！？；]")


def _ends(paragraph: str) -> Iterator[re.Match[str]]:
    """``_END.finditer(paragraph)``, quicker: _END is tried only just after a stop (where
    it can match; a match holds no stop), found by a pattern the engine scans for fast."""
    end = 0
    for stop in _STOPS.finditer(paragraph):
        at = stop.end()
        if at >= end and (match := _END.match(paragraph, at)):
            yield match
            end = match.end()


def _paragraphs(text: str) -> list[str]:
    out: list[str] = []
    for block in _BLOCKS.split(text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        current: list[str] = []
        for line in lines:
            current.append(line)
            # a short line without an ending (a heading, a date line) is a paragraph of its own
            if len(line) < 60 and not line.endswith((",", ";", ":", "-")):
                out.append(" ".join(current))
                current = []
        if current:
            out.append(" ".join(current))
    return out
