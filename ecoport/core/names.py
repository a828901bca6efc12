"""Company names: the unique key, the normalised key that resolves spellings of one company,
and the near-duplicates a typo would create."""

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache

from ecoport.core.text import clean_text
from ecoport.errors import InvalidInput

MAX_LENGTH = 200

_WORD = re.compile(r"\w+")
#: Words that rarely tell two companies apart ("Midea" and "Midea Group"): names differing
#: only by them are near-duplicates to ask about, not one company to merge silently.
_CORPORATE = frozenset(
    "group holding holdings technology technologies tech international intl".split()
)
#: Roman numerals that number a fund or a generation ("GGV Capital II").
_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")


def clean_name(text: str) -> str:
    """The name as it is stored and shown: in NFC, trimmed, inner white space folded to one
    space, invisible characters dropped; control characters refused (see core.text)."""
    name = clean_text(text)
    if not name:
        raise InvalidInput("a company name cannot be empty")
    if len(name) > MAX_LENGTH:
        raise InvalidInput(f"a company name has at most {MAX_LENGTH} characters")
    return name


def name_key(text: str) -> str:
    """The unique key of a name: case-insensitive after trimming (``Xiaomi`` = `` xiaomi``).

    Lower case, not Unicode case folding: ``ß`` is not ``ss`` (``Straße`` and ``STRASSE``
    may be two companies; the match key does not merge them either)."""
    return clean_name(text).lower()


@cache
def _legal_terms() -> frozenset[tuple[str, ...]]:
    """Legal-form words (Inc., Corp., Co., Ltd., LLC, GmbH, S.A., plc...), as token tuples.

    The terms are cleanco's, the maintained list of legal forms by country; cleanco's own
    ``basename`` is not used because it takes ~70 us a name and strips one suffix at a time.
    """
    from cleanco import prepare_default_terms

    terms = {tuple(_tokens(" ".join(parts))) for _, parts in prepare_default_terms()}
    # "Co., Ltd." and "Corp" are covered; a bare "company" is a legal form too.
    return frozenset(t for t in terms if t)


def _tokens(text: str) -> list[str]:
    """Words of a name for matching: compatibility forms folded (full-width letters, the
    ligature ``ﬁ`` = ``fi``: typography, not spelling), lower-cased (``ß`` stays ``ß``: see
    name_key), "&" read as "and", dots and apostrophes dropped (S.A. = SA, Macy's = Macys)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    folded = folded.replace("&", " and ").replace(".", "").replace("'", "").replace("\u2019", "")
    return list(_WORD.findall(folded.replace("_", " ")))


@cache
def _longest_term() -> int:
    return max((len(t) for t in _legal_terms()), default=1)


def _base_words(text: str) -> list[str]:
    """The name's words without trailing legal forms ("Midea Group Co., Ltd." -> midea group)."""
    words = _tokens(text)
    terms = _legal_terms()
    longest = _longest_term()
    stripped = True
    base = words
    while stripped and base:
        stripped = False
        for size in range(min(longest, len(base) - 1), 0, -1):
            if tuple(base[-size:]) in terms:
                base = base[:-size]
                stripped = True
                break
    return base or words


#: _base_words cached: callers must not change the list.
_base_tokens = lru_cache(maxsize=1 << 16)(_base_words)


def match_key(text: str) -> str:
    """The normalised key: two names with one key are one company.

    Case, Unicode compatibility and width forms, punctuation, white space and legal
    suffixes do not count: ``Xiaomi Corp``, ``XIAOMI`` and ``Ｘｉａｏｍｉ`` are Xiaomi,
    ``Smart Mi`` is Smartmi, ``Midea Group Co. Ltd.`` is Midea Group. Numbers, fund
    generations and places do count (``Fund 2``, ``GGV Capital II``, ``Sequoia Capital India``).
    """
    return "".join(_base_tokens(text))


def match_key_uncached(text: str) -> str:
    """match_key without the shared cache, for a caller that keeps the keys it needs itself
    (an import of many names: the cache would hold up to 65,536 names' words again)."""
    return "".join(_base_words(text))


def _numbers(words: list[str]) -> list[str]:
    """Numbers and generations in a name: digit runs anywhere ("Gizmo5"), roman numerals."""
    found: list[str] = []
    for w in words:
        found.extend(re.findall(r"\d+", w))
        if _ROMAN.match(w):
            found.append(w)
    return found


def _typo(a: str, b: str) -> int:
    """How alike two words are as typos of each other, 0 when too short or too far apart:
    one slip (a letter wrong, missing, extra, or two swapped) in a word of up to 8 letters,
    two in a longer one. Brand names a letter apart are often different companies, so
    these are only ever suggested, never merged."""
    from rapidfuzz.distance import OSA

    shorter = min(len(a), len(b))
    if shorter < 4:  # "Mi" vs "Mix", "DAG" vs "ZG": too short to call a typo
        return 0
    allowed = 1 if shorter <= 8 else 2
    slips = OSA.distance(a, b, score_cutoff=allowed)
    if slips > allowed:
        return 0
    return int(OSA.normalized_similarity(a, b) * 100)


def similar(a: str, b: str) -> int:
    """How alike two names are as typos of each other, 0 (different) to 100 (one company).

    Names that differ by a number or generation (Fund 1 / Fund 2, GGV Capital / GGV Capital II)
    or by an added word (Sequoia Capital / Sequoia Capital India, Going / GoingOn) are
    different names: 0. Otherwise the words that differ must each look like a typo of the
    other's (so "DAG Ventures" is not "ZG Ventures").
    """
    wa, wb = _base_tokens(a), _base_tokens(b)
    ka, kb = "".join(wa), "".join(wb)
    if ka == kb:
        return 100
    if _numbers(wa) != _numbers(wb):
        return 0
    wa = [w for w in wa if w not in _CORPORATE] or wa
    wb = [w for w in wb if w not in _CORPORATE] or wb
    ka, kb = "".join(wa), "".join(wb)
    if ka == kb:
        return 95
    if len(wa) != len(wb):
        return 0
    if (ka.startswith(kb) or kb.startswith(ka)) and abs(len(ka) - len(kb)) > 1:
        return 0  # an added word run together ("Going" / "GoingOn"), not a slip
    differing = [(x, y) for x, y in zip(wa, wb, strict=True) if x != y]
    if len(differing) > 2 or (len(differing) == len(wa) and len(wa) > 1):
        return 0
    scores = [_typo(x, y) for x, y in differing]
    return min(scores) if all(scores) else 0


def near_duplicates(name: str, existing: Iterable[tuple[str, str]]) -> list[str]:
    """Existing names that *name* probably means.

    *existing* yields ``(spelling, canonical company name)`` pairs: names and aliases.
    Returns the distinct canonical names, best first.
    """
    scored: dict[str, int] = {}
    for spelling, canonical in existing:
        score = similar(name, spelling)
        if score:
            scored[canonical] = max(score, scored.get(canonical, 0))
    return sorted(scored, key=lambda c: (-scored[c], c))


def core_key(text: str) -> str:
    """The normalised key without words that rarely tell companies apart (for blocking)."""
    words = _base_tokens(text)
    return "".join([w for w in words if w not in _CORPORATE] or words)


def blocks(name: str) -> tuple[str, str]:
    """Blocking keys for fuzzy matching many names: a typo rarely hits both ends of a name,
    and names with different numbers are never alike ("Fund 1", "Startup 00042")."""
    key = core_key(name)
    numbers = "/".join(_numbers(_base_tokens(name)))
    return f"<{key[:3]}#{numbers}", f">{key[-3:]}#{numbers}"


def similar_pairs(
    new: Iterable[tuple[int, str]], known: Iterable[tuple[int, str]], *, limit: int = 1000
) -> list[tuple[int, int, int]]:
    """``(new id, known id, score)`` for names of *new* that look like typos of *known* ones
    (or of each other), compared only within blocks so that 80k names stay fast."""
    from rapidfuzz import fuzz, process

    index: dict[str, list[tuple[int, str, str]]] = {}
    names: dict[int, str] = {}
    for cid, name in known:
        names[cid] = name
        key = core_key(name)
        for b in blocks(name):
            index.setdefault(b, []).append((cid, key, name))
    found: list[tuple[int, int, int]] = []
    seen: set[tuple[int, int]] = set()
    for cid, name in new:
        key = core_key(name)
        for b in blocks(name):
            bucket = index.setdefault(b, [])
            if bucket:
                keys = [k for _, k, _ in bucket]
                for _match, _score, i in process.extract_iter(
                    key, keys, scorer=fuzz.ratio, score_cutoff=75
                ):
                    other, _, other_name = bucket[i]
                    pair = (min(cid, other), max(cid, other))
                    if other == cid or pair in seen:
                        continue
                    seen.add(pair)
                    score = similar(name, other_name)
                    if score and match_key(other_name) != match_key(name):
                        found.append((cid, other, score))
            bucket.append((cid, key, name))
        if len(found) >= limit:
            break
    return found
