"""Company names: the unique key, and the near-duplicates a typo would create."""

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

from ecoport.errors import InvalidInput

MAX_LENGTH = 200

# Words that do not tell two companies apart ("Midea" and "Midea Group Co., Ltd.").
_SUFFIXES = frozenset(
    """
    inc incorporated corp corporation co company ltd limited llc plc gmbh ag sa bv nv
    group holding holdings technology technologies tech international intl
    """.split()
)
_PUNCT = re.compile(r"[^\w\s]|_")
_SPACE = re.compile(r"\s+")


def clean_name(text: str) -> str:
    """The name as it is stored and shown: trimmed, inner white space folded to one space."""
    name = _SPACE.sub(" ", unicodedata.normalize("NFC", text).strip())
    if not name:
        raise InvalidInput("a company name cannot be empty")
    if len(name) > MAX_LENGTH:
        raise InvalidInput(f"a company name has at most {MAX_LENGTH} characters")
    return name


def name_key(text: str) -> str:
    """The unique key of a name: case-insensitive after trimming (``Xiaomi`` = `` xiaomi``)."""
    return clean_name(text).casefold()


def similarity_key(text: str) -> str:
    """A looser key: no punctuation, no corporate suffixes, no spaces, no parenthesised aside."""
    base = re.sub(r"\(.*?\)", " ", clean_name(text)).casefold()
    words = [w for w in _PUNCT.sub(" ", base).split() if w not in _SUFFIXES]
    if not words:  # the whole name was suffixes ("Group Ltd"): keep what there was
        words = _PUNCT.sub(" ", base).split()
    return "".join(words)


def _close(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter < 4:  # "Mi" vs "Mix": too short to call a typo
        return False
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    # one or two typos in a short name, or ~90 % alike in a long one
    return ratio >= (0.8 if shorter <= 10 else 0.88)


def near_duplicates(name: str, existing: Iterable[tuple[str, str]]) -> list[str]:
    """Existing names that *name* probably means.

    *existing* yields ``(spelling, canonical company name)`` pairs: names and aliases.
    Returns the distinct canonical names, best first.
    """
    key = similarity_key(name)
    scored: dict[str, float] = {}
    for spelling, canonical in existing:
        other = similarity_key(spelling)
        if _close(key, other):
            score = SequenceMatcher(None, key, other, autojunk=False).ratio()
            scored[canonical] = max(score, scored.get(canonical, 0.0))
    return sorted(scored, key=lambda c: (-scored[c], c))
