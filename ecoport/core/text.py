"""Text as ecoport stores and prints it: one normal form in, nothing that drives a terminal out.

Every text a user gives (names, sectors, rounds, sources, notes, refs, settings) goes through
``clean_text``: lone surrogates, C0 and C1 control characters (NUL, ESC, DEL...) and the
bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) are refused; invisible
characters that only hide a difference (zero-width space, word joiner, byte-order mark, soft
hyphen) are dropped; the rest is normalised to NFC. The same rules hold on every backend, so
a value one backend would refuse (a NUL byte) is refused on both, with the same message.

Every text ecoport prints from data goes through ``printable``: a control character stored by
an older version shows as ``\\u001b``, never as an escape sequence the terminal obeys.
"""

import re
import unicodedata

from ecoport.errors import InvalidInput

#: Refused anywhere: C0 controls but tab, newline and carriage return; DEL and the C1
#: controls; the bidirectional embeddings, overrides and isolates; lone surrogates.
_FORBIDDEN = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
#: White space in a one-line value (a name, a round, a source): folded to one space.
_SPACE = re.compile(r"\s+")
#: Dropped: characters that print as nothing and only make two equal-looking texts differ.
_INVISIBLE = re.compile(r"[\u00ad\u200b\u2060\ufeff]")
#: What ``printable`` escapes: everything refused on the way in, tab and line breaks aside.
_UNPRINTABLE = _FORBIDDEN


def _describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X}), which is not valid Unicode"
    if code in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E) or 0x2066 <= code <= 0x2069:
        return f"a bidirectional control character (U+{code:04X})"
    return f"a control character (U+{code:04X})"


def refusal(value: str) -> str | None:
    """Why *value* cannot be stored (its first forbidden character), or None. Checked before
    anything is trimmed: a control character at the edge of a value is refused too."""
    bad = _FORBIDDEN.search(value)
    if bad is None:
        return None
    return f"contains {_describe(bad.group())} at character {bad.start() + 1}"


def clean_text(value: str, *, multiline: bool = False) -> str:
    """*value* in ecoport's normal form (NFC, invisible characters dropped, trimmed), or
    InvalidInput naming the first character that cannot be stored. White space is folded to
    one space, except with *multiline* (notes), where tabs and line breaks are kept
    (``\\r\\n`` read as ``\\n``)."""
    reason = refusal(value)
    if reason is not None:
        raise InvalidInput(reason)
    if not value.isascii():
        value = unicodedata.normalize("NFC", _INVISIBLE.sub("", value))
    if multiline:
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return _SPACE.sub(" ", value).strip()


def printable(text: str) -> str:
    """*text* with every control character, bidirectional override and lone surrogate written
    as a ``\\uXXXX`` escape (valid in JSON too, where it means the same character)."""
    if text.isascii() and text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def brief(text: str, limit: int = 40) -> str:
    """*text* for an error message: printable, and cut to *limit* characters with an
    ellipsis (a 5,000-digit value is not echoed whole)."""
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
