"""Company names in an article: runs of name-like words, and the known companies they are."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ecoport.core.names import core_key, match_key

#: Capitalised words that start sentences or name places, people's titles and months, not
#: companies (a name-like word is one with a capital letter or a leading digit).
STOP = frozenset(
    """a an and as at after also among according before both but by despite during each
    earlier for from he her his however if in including its it last later many meanwhile
    more most my no not now of on one or other our over several she since so some such
    than that the their then these they this those through to today two under until we
    when where which while who with within without yesterday
    ceo cfo coo cto chairman founder president vice monday tuesday wednesday thursday
    friday saturday sunday january february march april may june july august september
    october november december jan feb mar apr jun jul aug sep sept oct nov dec
    chinese usa european asian american internet things
    series round seed angel pre ipo do read add leave take news recent posts""".split()
)
#: Places: part of a name after its first word ("Sequoia Capital China"), never its start.
PLACES = frozenset(
    "china us u.s uk europe asia beijing shanghai shenzhen hangzhou guangdong india japan "
    "korea hong kong".split()
)
#: Words with a capital or a digit (the only ones a name run holds): lower-case words are
#: skipped by the pattern itself, and break a run by the gap they leave.
_TOKEN = re.compile(r"(?<![\w&+.\-])[a-z]*[A-Z0-9][A-Za-z0-9&+]*(?:[.\-][A-Za-z0-9&+]+)*")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)")  # with .match
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class Run:
    """Name-like words in a row: "Nest Labs", "21Vianet", "Midea Group"."""

    start: int
    end: int
    text: str
    possessive: bool = False


def _name_like(word: str) -> bool:
    """Whether a word of _TOKEN (ASCII: upper case is what lower() changes) may be a name's."""
    low = word.lower()
    if low in STOP or low.endswith(("-based", "-listed", "-owned", "-backed")):
        return False
    if len(word) == 1:
        return False
    return word != low or (word[0].isdigit() and word != word.upper())


def runs(text: str, *, first: bool = False) -> list[Run]:
    """The runs of name-like words in *text* (a sentence with its figures blanked out); with
    *first*, only the first run (the list ends as soon as it is known)."""
    found: list[Run] = []
    current: list[re.Match[str]] = []

    def close() -> None:
        if current:
            start, end = current[0].start(), current[-1].end()
            possessive = bool(_POSSESSIVE.match(text, end))
            found.append(Run(start, end, text[start:end], possessive))
            current.clear()

    for m in _TOKEN.finditer(text):
        word = m.group()
        if word.lower() in PLACES and current and text[current[-1].end() : m.start()] == " ":
            current.append(m)
            continue
        if word.lower() in PLACES or not _name_like(word):
            close()
            continue
        if current and text[current[-1].end() : m.start()] != " ":
            close()
        if current and _POSSESSIVE.match(text, current[-1].end()):
            close()
        if first and found:
            return found
        current.append(m)
    close()
    return found


def lead(text: str) -> Run | None:
    """The run of name-like words *text* starts with, if it starts with one: the first of
    ``runs(text)`` when it starts at 0."""
    first = _TOKEN.match(text)
    if first is None or first[0].lower() in PLACES or not _name_like(first[0]):
        return None  # the first word does not start a run
    # the words runs() would add to it: each the next token, one space after the last (a
    # place, or a name-like word); no token starts at a space, so finditer finds the same
    end = first.end()
    while text[end : end + 1] == " " and (m := _TOKEN.match(text, end + 1)):
        word = m.group()
        if word.lower() not in PLACES and not _name_like(word):
            break
        end = m.end()
    return Run(0, end, text[:end], bool(_POSSESSIVE.match(text, end)))


class Directory:
    """The companies ecoport knows, by each spelling (names and aliases)."""

    def __init__(self, spellings: Iterable[tuple[str, str]] = ()) -> None:
        """*spellings*: (a name or alias, the company's name) pairs."""
        self.exact: dict[str, str] = {}
        self.matched: dict[str, str] = {}
        self.core: dict[str, str] = {}
        self._resolved: dict[str, tuple[str, bool, str | None]] = {}
        cjk: list[str] = []
        for spelling, name in spellings:
            self.exact.setdefault(spelling.lower(), name)
            self.matched.setdefault(match_key(spelling), name)
            self.core.setdefault(core_key(spelling), name)
            if _CJK.search(spelling):
                cjk.append(spelling)
        self.chinese = (
            re.compile("|".join(re.escape(s) for s in sorted(cjk, key=len, reverse=True)))
            if cjk
            else None
        )

    def resolve(self, written: str) -> tuple[str, bool, str | None]:
        """(the company's name, whether it is known, how it was read when not spelt so).
        Memoized: an article names the same companies again and again."""
        done = self._resolved.get(written)
        if done is not None:
            return done
        name = self.exact.get(written.lower())
        if name is not None:
            done = name, True, None
        elif (
            name := self.matched.get(match_key(written)) or self.core.get(core_key(written))
        ) is not None:
            done = name, True, f"{written} read as {name}"
        else:
            done = written, False, None
        if len(self._resolved) < 1 << 16:
            self._resolved[written] = done
        return done

    def known_in(self, text: str) -> list[Run]:
        """Known Chinese names written in *text* (Chinese has no capitals to find them by)."""
        if self.chinese is None:
            return []
        return [Run(m.start(), m.end(), m.group()) for m in self.chinese.finditer(text)]
