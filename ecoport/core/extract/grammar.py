"""The rules that find deals, milestones and relations in an article's sentences."""

import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ecoport.core.dates import PartialDate
from ecoport.core.extract.figures import (
    COUNT,
    Folded,
    Span,
    amounts,
    article_date,
    count,
    dates,
    foldable,
    percents,
)
from ecoport.core.extract.names import Directory, Run, runs
from ecoport.core.extract.names import lead as runs_lead
from ecoport.core.extract.reading import Sentence, sentences
from ecoport.core.money import Money
from ecoport.core.ownership import Kind


@dataclass(frozen=True, slots=True)
class Draft:
    """A stake as the article reports it, for a person to confirm."""

    investor: str
    startup: str
    kind: Kind
    date: PartialDate | None
    amount: Money | None
    percent: Decimal | None
    round_total: Money | None
    evidence: str
    """The sentence it came from."""
    confidence: Decimal
    unclear: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    """The names ecoport does not know yet (new companies)."""
    relation: str | None = None
    """For a holding stated in passing ("a subsidiary of Baidu"): those words."""


@dataclass(frozen=True, slots=True)
class Milestone:
    """A target ("plans to invest in 100 startups") or a count reached ("about 20 so far")."""

    investor: str
    count: int
    qualifier: str | None
    """"about", "more than", or None when the count is exact."""
    what: str
    planned: bool
    """True for a target, False for a count reached by *date*."""
    date: PartialDate | None
    evidence: str
    new: bool = False


@dataclass(frozen=True, slots=True)
class Extraction:
    drafts: tuple[Draft, ...]
    milestones: tuple[Milestone, ...]
    notes: tuple[str, ...]
    article_date: PartialDate | None


# --- English -------------------------------------------------------------------------------

_AUX = (
    r"(?:has|have|had|is|are|was|were|will|would|also|already|just|recently|now|reportedly|"
    r"officially|finally|quietly|today|yesterday|said|says|that|it|agreed|to|announced|been|"
    r"has|then|later|last|this|week|month|year|earlier|x+|on|in|which|who|jointly|together|"
    r"newly|successfully|formally|since)"
)
_SUBJECT_GAP = re.compile(rf"^(?:'s|’s)?\s*(?:,[^,]{{1,90}},\s*)?(?:{_AUX}\s+)*$", re.I)
_PRONOUN = re.compile(r"\b(?:it|its|the company|the firm|the group|he said|they)\b", re.I)
_STAKE_MID = r"(?:[\w.%\-]+\s+){0,5}?"


@dataclass(frozen=True, slots=True)
class _Trigger:
    """Words that report a deal. *form* says where the investor and the company are; *gate*
    is words one of which every match holds (in lower case): a sentence holding none of them
    is not searched; with *leads*, every match starts with one (none starts before them)."""

    form: str
    kind: Kind
    gate: tuple[str, ...]
    pattern: Folded
    leads: bool = False
    before: int = 0
    """When white space comes one character at a time: no match starts more than this many
    characters before the first gate word (0: not known)."""
    tail: int = 0
    """When white space comes one character at a time: every match ends within this many
    characters after the start of the last gate word, the next character included (for its
    ``\b``; 0: not known)."""


_TRIGGERS = (
    _Trigger(
        "passive",
        Kind.ACQUISITION,
        ("acquired", "bought", "purchased", "taken over"),
        Folded(
            r"\b(?:was|were|has been|have been|had been|is being|will be|is to be)\s+"
            r"(?:acquired|bought|purchased|taken over)\s+(?:outright\s+)?by\b"
        ),
        before=len("have been "),
    ),
    _Trigger(
        "raised",
        Kind.INVESTMENT,
        ("raise", "secure", "closed", "receive", "got", "landed"),
        Folded(
            r"\b(?:raised|raises|secured|secures|closed|received|receives|got|landed)\b"
            r"[^.;]{0,90}?\b(?:led by|from|backed by)\b"
        ),
        leads=True,
    ),
    _Trigger(
        "exit",
        Kind.EXIT,
        ("sold", "sell", "divested", "offloaded", "exited"),
        Folded(
            r"\b(?:sold|sells|sell|divested|offloaded)\s+(?:its|their|his)\s+(?:entire|whole|"
            r"remaining)\s+(?:stake|holding|shares)\s+in\b|\bexited\b"
        ),
        leads=True,
    ),
    _Trigger(
        "active",
        Kind.SALE,
        ("sold", "sell", "divested", "offloaded"),
        Folded(
            rf"\b(?:sold|sells|sell|divested|offloaded)\s+(?:a|an|part of its|some of its|its)?\s*"
            rf"{_STAKE_MID}(?:stake|shares|holding)\s+in\b"
        ),
        leads=True,
    ),
    _Trigger(
        "active",
        Kind.HOLDING,
        ("holds", "held", "owns", "owned"),
        Folded(rf"\b(?:holds|held|owns|owned)\s+(?:a|an)\s+{_STAKE_MID}(?:stake|holding)\s+in\b"),
        leads=True,
    ),
    _Trigger(
        "active",
        Kind.INVESTMENT,
        ("stake",),
        Folded(
            rf"\b(?:took|takes|take|taken|taking|bought|buys|buy|purchased|purchases|acquired|"
            rf"acquires|acquire|picked up|picks up|has)\s+(?:a|an)\s+{_STAKE_MID}stake\s+in\b"
        ),
        tail=len("stake in") + 1,
    ),
    _Trigger(
        "nominal",
        Kind.INVESTMENT,
        ("stake",),
        Folded(
            rf"\b(?:purchase|acquisition|buying|purchasing)\s+of\s+(?:a|an)\s+{_STAKE_MID}"
            r"stake\s+in\b"
        ),
        tail=len("stake in") + 1,
    ),
    _Trigger(
        "nominal",
        Kind.ACQUISITION,
        ("purchase", "acquisition", "takeover", "buyout"),
        Folded(r"\b(?:purchase|acquisition|takeover|buyout)\s+of\b"),
        leads=True,
    ),
    _Trigger(
        "active",
        Kind.INVESTMENT,
        ("invest", "put", "poured", "injected"),
        Folded(
            r"\b(?:invest(?:s|ed|ing)?|put|puts|poured|injected)\b(?:\s+x+|\s+(?:money|capital|funds|cash))?\s+(?:in|into)\b"
        ),
        leads=True,
    ),
    _Trigger(
        "active",
        Kind.INVESTMENT,
        ("round", "financing", "funding"),
        Folded(
            r"\b(?:led|leads|co-led|joined|participated in)\s+(?:a|an|the)\s+(?:[\w\-]+\s+){0,4}?"
            r"(?:round|financing|funding)\s+(?:in|of|for|into)\b"
        ),
    ),
    _Trigger(
        "nominal",
        Kind.INVESTMENT,
        ("stake",),
        Folded(rf"\b(?:a|an)\s+{_STAKE_MID}stake\s+in\b"),
        tail=len("stake in") + 1,
    ),
    _Trigger(
        "active",
        Kind.ACQUISITION,
        (
            "acquire",
            "bought",
            "buy",
            "purchase",
            "took over",
            "takes over",
            "snapped up",
            "completed",
            "agreed to",
        ),
        Folded(
            r"\b(?:acquired|acquires|acquire|bought|buys|buy|purchased|purchases|took over|"
            r"takes over|snapped up|completed (?:its|the) (?:acquisition|purchase|takeover) of|"
            r"agreed to (?:buy|acquire))\b"
        ),
        leads=True,
    ),
)
_WIDE_SPACE = re.compile(r"\s\s")
_GATE_WORDS = tuple(dict.fromkeys(word for t in _TRIGGERS for word in t.gate))
_OBJECT_GAP = re.compile(r"^\s*(?:(?:[a-z][\w\-]*|x+)\s+){0,4}$")
_ANAPHOR = re.compile(r"^\s*(?:the|that|this)\s+(?:company|firm|startup|start-up|group|maker)\b")
_BUYER = re.compile(
    r"\b(?:purchasing|acquiring|buying|parent)\s+(?:company|firm|group)\s+"
    r"(?P<name>[A-Z0-9][\w.&\-]*(?:\s+[A-Z][\w.&\-]*)*)"
    r"|\b(?P<name2>[A-Z0-9][\w.&\-]*(?:\s+[A-Z][\w.&\-]*)*),\s+the\s+(?:buyer|acquirer)\b"
)
_RELATION = re.compile(
    r"(?P<child>[A-Za-z0-9][\w.&\-]*(?:\s+[A-Z][\w.&\-]*)*),\s+(?P<words>(?:a|an|the)\s+"
    r"(?:wholly[- ]owned\s+)?(?:subsidiary|unit|division|affiliate|arm)\s+of\s+"
    r"(?P<parent>(?:[\w\-]+\s+){0,5}[A-Z0-9][\w.&\-]*(?:\s+[A-Z][\w.&\-]*)*))"
)
#: Words one of which every match of _RELATION holds (and of _CN_RELATION).
_RELATION_WORDS = ("subsidiary", "unit", "division", "affiliate", "arm")
_CN_RELATION_WORDS = ("旗下", "的子公司")
_QUALIFIER = (
    r"(?P<q>more than|over|at least|about|around|some|roughly|nearly|almost|close to|"
    r"approximately|up to)?"
)
_WHAT = r"(?P<what>(?:[a-z][\w\-]*\s+){0,3}?(?:startups?|start-ups?|companies|firms|businesses))"
_TARGET = re.compile(
    rf"\b(?:to|by)\s+invest(?:ing)?\s+in\s+{_QUALIFIER}\s*(?P<n>{COUNT})\s+(?P<more>more\b)?\s*"
    rf"{_WHAT}?",
    re.I,
)
_PLANS = re.compile(
    r"\b(?:plan|plans|planned|planning|aim|aims|aimed|want|wants|wanted|intend|intends|"
    r"promised|promises|pledged|pledges|expect|expects|goal|target|will|set out|hopes?)\b",
    re.I,
)
_REACHED = re.compile(
    rf"\b(?:has|have|had|having)\s+(?:already\s+)?invested\s+in\s+{_QUALIFIER}\s*"
    rf"(?P<n>{COUNT})\s+(?:{_WHAT}|so far\b)",
    re.I,
)
_QUALIFIERS = {
    "more than": "more than", "over": "more than", "at least": "at least", "up to": "up to",
    "超过": "more than", "逾": "more than", "近": "about",
}  # fmt: skip

# --- Chinese -------------------------------------------------------------------------------

_CN_FILLER = (
    r"(?:已经|已|宣布|将|也|正式|日前|近日|今天|今日|昨日|昨天|还|曾|于|战略|再次|共同|联合)*"
)
_CN_NAME = r"[\u4e00-\u9fffA-Za-z0-9·]{2,16}?"
_CN_END = r"(?=[，,。；;、的并和与及]|持股|股份|股权|$|\d|百分之|部分|约|逾|共)"
_CN_AMOUNT = r"[\d.,零〇一二两三四五六七八九十百千万亿]+(?:美元|港元|港币|欧元|人民币|元)"
_CN_RULES: tuple[tuple[Kind, tuple[tuple[str, ...], ...], re.Pattern[str]], ...] = (
    # (kind, gate, pattern): the gate is groups of words; every match holds one word of each
    (
        Kind.ACQUISITION,
        (("被",), ("收购",)),
        re.compile(
            rf"(?P<co>{_CN_NAME}){_CN_FILLER}被(?P<inv>{_CN_NAME})(?:以[^，。]{{1,20}}?)?"
            r"(?:全资)?收购"
        ),
    ),
    (
        Kind.INVESTMENT,
        (("完成",), ("融资",)),
        re.compile(
            rf"(?P<co>{_CN_NAME}){_CN_FILLER}完成(?:了)?[^，。]{{0,24}}?融资[，,]\s*(?:由)?"
            rf"(?P<inv>{_CN_NAME})(?:领投|独家投资|投资)"
        ),
    ),
    (
        Kind.INVESTMENT,
        (("获", "接受"), ("投资", "注资")),
        re.compile(
            rf"(?P<co>{_CN_NAME}){_CN_FILLER}(?:获得|获|接受)(?:了)?(?P<inv>{_CN_NAME})(?:的)?"
            rf"(?:{_CN_AMOUNT})?(?:的)?(?:战略)?(?:投资|注资)"
        ),
    ),
    (
        Kind.SALE,
        (("出售", "转让", "减持"),),
        re.compile(
            rf"(?P<inv>{_CN_NAME}){_CN_FILLER}(?:出售|转让|减持)(?:了)?(?:其)?(?:所持(?:有)?(?:的)?)?"
            rf"(?P<co>{_CN_NAME}){_CN_END}"
        ),
    ),
    (
        Kind.ACQUISITION,
        (("收购",),),
        re.compile(
            rf"(?P<inv>{_CN_NAME}){_CN_FILLER}(?:以|斥资|出资)?(?:{_CN_AMOUNT})?(?:全资)?收购(?:了)?"
            rf"(?P<co>{_CN_NAME}){_CN_END}"
        ),
    ),
    (
        Kind.INVESTMENT,
        (("投资", "入股", "参股", "领投", "注资", "认购"),),
        re.compile(
            rf"(?P<inv>{_CN_NAME}){_CN_FILLER}(?:以|斥资|出资)?(?:{_CN_AMOUNT})?"
            rf"(?:战略投资|投资|入股|参股|领投|注资|认购)(?:了)?(?P<co>{_CN_NAME}){_CN_END}"
        ),
    ),
)
_CN_LEAD = re.compile(r"^(?:.*[，,：:])?\s*(?:\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?[，,]?)?\s*")
_CN_RELATION = re.compile(
    rf"(?P<parent>{_CN_NAME})(?:旗下的?|的子公司)(?P<child>{_CN_NAME}){_CN_END}"
)
_CN_REACHED = re.compile(
    rf"(?:已经|已)(?:先后)?投资(?:了)?(?P<q>约|大约|超过|逾|近)?(?P<n>{COUNT})(?:多)?家(?P<what>[\u4e00-\u9fff]{{0,8}}?(?:公司|企业|创业公司))?"
)
_CN_TARGET = re.compile(
    rf"(?:计划|打算|将|要|目标是)(?:在[^，。]{{0,20}})?投资(?P<q>超过|逾)?(?P<n>{COUNT})家(?P<what>[\u4e00-\u9fff]{{0,8}}?(?:公司|企业|创业公司))?"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Patterns the rules use on parts of a sentence (searched with pos and endpos: as on the
#: slice, "$" at endpos).
_CLAUSE = re.compile(r"[,;]")
_AFTER_PREPOSITION = re.compile(r"\b(?:of|in|for|with|from|at)\s+(?:the\s+)?$")
_AFTER_PREPOSITION_BY = re.compile(r"\b(?:of|in|for|with|from|at|by)\s+(?:the\s+)?$")
_OWNER_GAP = re.compile(r"(?:'s|’s)\s*(?:x+\s+)?")
_VALUATION = re.compile(r"(?:valu(?:ation|ing|ed)[^.]{0,20}|at)\s*$", re.I)
_OTHER_CLAUSE = re.compile(r";|, and\b|, but\b|。|；")
_CN_OPENER = re.compile(r"^(?:据悉|消息|报道|此外|同时|另外|其中|而|并)")
_CN_FILLER_START = re.compile(rf"^{_CN_FILLER}")
_CN_NOT_NAME = re.compile(r"^[\d约近逾超过多目今去本该其]")
_CN_COUNTED = re.compile(r"^[\d.,]+(?:家|个)")
_CN_PLANNER = re.compile(rf"^{_CN_NAME}(?={_CN_FILLER}(?:计划|打算|将|要|已|目标))")
_IN_PASSING = "a relation stated in passing: its percent is not stated"


_ZERO, _LEAST, _MOST = Decimal(0), Decimal("0.1"), Decimal("0.9")
#: _MOST less no doubt, as the sum writes it (0.90)
_SURE = _MOST - _ZERO - Decimal("0.05") * 0
_DOUBT_NO_DATE, _DOUBT_AMOUNTS, _DOUBT_NEW = Decimal("0.2"), Decimal("0.15"), Decimal("0.05")


def _holds(text: str, gate: tuple[tuple[str, ...], ...]) -> bool:
    """Whether *text* holds a word of each group of *gate*."""
    for words in gate:
        for word in words:
            if word in text:
                break
        else:
            return False
    return True


@dataclass(slots=True)
class _Found:
    """A deal found in a sentence, before it is checked and scored."""

    kind: Kind
    investor: str | None
    startup: str
    start: int
    end: int
    unclear: list[str] = field(default_factory=list)
    doubt: Decimal = _ZERO
    total: bool = False


class _Article:
    def __init__(
        self, directory: Directory, base: PartialDate | None, fallback: PartialDate | None
    ) -> None:
        self.directory, self.base, self.fallback = directory, base, fallback
        self.topic: str | None = None
        self.drafts: list[Draft] = []
        self.milestones: list[Milestone] = []
        self.notes: list[str] = []
        self.unnamed: list[tuple[Sentence, _Found]] = []
        self.last_runs: list[Run] = []
        self.seen: dict[tuple[str, str, Kind], list[int]] = {}
        self.names: dict[str, tuple[str, bool, str | None]] = {}

    # -- names ----------------------------------------------------------------------------

    def name(self, written: str) -> tuple[str, bool, str | None]:
        done = self.names.get(written)
        if done is None:
            done = self.directory.resolve(written.strip(" ,.'’\"“”"))
            if len(self.names) < 1 << 16:
                self.names[written] = done
        return done

    def subject(self, text: str, names: list[Run], at: int) -> tuple[str | None, Decimal, str]:
        """Who acts at *at*: the name just before it, else "it"/"the company" (the topic)."""
        before = [r for r in names if r.end <= at]
        if before and _SUBJECT_GAP.match(text[before[-1].end : at]):
            return before[-1].text, _ZERO, ""
        if before and before[-1].possessive and _SUBJECT_GAP.match(text[before[-1].end : at]):
            return before[-1].text, _ZERO, ""
        prefix = text[:at]
        if self.topic and _PRONOUN.search(prefix):
            return (
                self.topic,
                Decimal("0.1"),
                f"the investor is read from the context ({self.topic})",
            )
        if before and before[0].start < 40 and not _CLAUSE.search(text, 0, before[0].start):
            lead = before[0]
            if not _AFTER_PREPOSITION.search(text, 0, lead.start):
                return lead.text, Decimal("0.1"), ""
        return None, _ZERO, ""

    def object(self, text: str, names: list[Run], at: int) -> tuple[str | None, Decimal, str]:
        """What the deal is in: the first name after *at* (past a few descriptive words), or
        the company named before for "the company"."""
        rest = text[at:]
        if _ANAPHOR.match(rest):
            earlier = [r for r in names if r.end <= at and not r.possessive]
            if earlier:
                words = rest.split()[:2]
                return (
                    earlier[-1].text,
                    Decimal("0.05"),
                    f"'{' '.join(words).rstrip(',.')}' read as {earlier[-1].text}",
                )
            return None, _ZERO, ""
        for r in names:
            if r.start >= at:
                if _OBJECT_GAP.match(text[at : r.start]):
                    if r.possessive:
                        after = [n for n in names if n.start > r.end and n.start - r.end < 4]
                        if after:
                            return (
                                after[0].text,
                                _ZERO,
                                f"{r.text}'s {after[0].text} read as {after[0].text}",
                            )
                    return r.text, _ZERO, ""
                break
        return None, _ZERO, ""

    # -- English ----------------------------------------------------------------------------

    def english(
        self, sentence: Sentence, money: list[Span], pcts: list[Span], when: list[Span]
    ) -> list[_Found]:
        text = sentence.text
        masked = _mask(text, [*money, *pcts, *when])
        names = self.last_runs = runs(masked)
        found: list[_Found] = []
        used: list[tuple[int, int]] = []
        low = masked.lower()
        gated = foldable(masked)  # else the patterns may match where a gate word is not seen
        # where each gate word is first (-1: nowhere), found once for all the triggers
        first = {w: low.find(w) for w in _GATE_WORDS} if gated else {}
        single = gated and not _WIDE_SPACE.search(low)
        present = {w for w, i in first.items() if i >= 0}
        for trigger in _TRIGGERS:
            if gated and present.isdisjoint(trigger.gate):
                continue  # as _scan would find: nothing
            for m in _scan(trigger, masked, low, first, single):
                if used and any(m.start() < e and s < m.end() for s, e in used):
                    continue
                deal = self.roles(trigger.form, trigger.kind, masked, names, m)
                if deal is None:
                    continue
                used.append((m.start(), m.end()))
                found.append(deal)
        found.sort(key=lambda d: d.start)
        return found

    def roles(
        self, form: str, kind: Kind, text: str, names: list[Run], m: re.Match[str]
    ) -> _Found | None:
        unclear: list[str] = []
        doubt = _ZERO
        if form == "passive":
            before = [r for r in names if r.end <= m.start()]
            if not before:
                return None
            startup = before[-1].text
            investor, d, why = self.object(text, names, m.end())
            total = False
        elif form == "raised":
            before = [r for r in names if r.end <= m.start()]
            if not before or not _SUBJECT_GAP.match(text[before[-1].end : m.start()]):
                return None
            startup = before[-1].text
            investor, d, why = self.object(text, names, m.end())
            total = True
        else:
            if (
                form == "nominal"
                and (owner := [r for r in names if r.possessive and r.end <= m.start()])
                and _OWNER_GAP.fullmatch(text, owner[-1].end, m.start())
            ):
                investor, d, why = owner[-1].text, _ZERO, ""
            else:
                investor, d, why = self.subject(text, names, m.start())
            target, d2, why2 = self.object(text, names, m.end())
            if target is None:
                return None
            startup, total = target, False
            d, why = d + d2, "; ".join(w for w in (why, why2) if w)
        doubt += d
        if why:
            unclear.append(why)
        if investor is None and form in ("passive", "raised"):
            return None
        deal = _Found(kind, investor, startup, m.start(), m.end(), unclear, doubt, total)
        return deal

    # -- Chinese ----------------------------------------------------------------------------

    def chinese(self, sentence: Sentence) -> list[_Found]:
        text = sentence.text
        found: list[_Found] = []
        for kind, gate, pattern in _CN_RULES:
            if not _holds(text, gate):
                continue
            for m in pattern.finditer(text):
                if any(m.start() < f.end and f.start < m.end() for f in found):
                    continue
                investor = self.cn_name(m["inv"], text)
                startup = self.cn_name(m["co"], text)
                if investor and startup:
                    found.append(_Found(kind, investor, startup, m.start(), m.end()))
        return found

    def cn_name(self, written: str, sentence: str) -> str | None:
        written = _CN_LEAD.sub("", written)
        written = _CN_OPENER.sub("", written)
        written = _CN_FILLER_START.sub("", written)
        if len(written) < 2 or _CN_NOT_NAME.match(written):
            return None
        if _CN_COUNTED.match(sentence[sentence.find(written) + len(written) :] or "x"):
            return None
        known = self.directory.known_in(written)
        if known and known[0].text != written:
            return known[0].text
        return written

    # -- a sentence -------------------------------------------------------------------------

    def sentence(self, sentence: Sentence) -> None:
        text = sentence.text
        low = text.lower()
        money, pcts, when = amounts(text, low), percents(text, low), dates(text, self.base)
        chinese = bool(_CJK.search(text))
        found = self.chinese(sentence) if chinese else self.english(sentence, money, pcts, when)
        for i, deal in enumerate(found):
            end = found[i + 1].start if i + 1 < len(found) else len(text)
            start = deal.start if i else 0
            self.draft(sentence, deal, [s for s in money if start <= s.start < end],
                       [s for s in pcts if start <= s.start < end], when)  # fmt: skip
        self.relations(sentence, chinese)
        self.counts(sentence, chinese, when)
        if not chinese:
            lead = self.last_runs
            if lead and lead[0].start < 40 and not _CLAUSE.search(text, 0, lead[0].start):
                if not _AFTER_PREPOSITION_BY.search(text, 0, lead[0].start):
                    name, known, _how = self.name(lead[0].text)
                    self.topic = name if known and not found else self.topic
        for deal in found:
            if deal.investor is not None:
                self.topic = self.name(deal.investor)[0]
                break

    def draft(
        self,
        sentence: Sentence,
        deal: _Found,
        money: list[Span],
        pcts: list[Span],
        when: list[Span],
    ) -> None:
        unclear = list(deal.unclear)
        doubt = deal.doubt
        text = sentence.text
        valuation = (
            [
                s
                for s in money
                if "valu" in text[max(0, s.start - 30) : s.start].lower()
                and _VALUATION.search(text[max(0, s.start - 30) : s.start])
            ]
            if money and "valu" in text.lower()
            else []
        )
        shown = [s for s in money if not s.bracketed and s not in valuation]
        amount = shown[0].value if shown else None
        if len(shown) > 1:
            unclear.append(f"{len(shown)} amounts in the sentence; the first taken")
            doubt += _DOUBT_AMOUNTS
        if valuation:
            unclear.append(f"a valuation of {valuation[0].value} is stated (not the amount)")
        percent = next((s.value for s in pcts if not s.bracketed), None)
        if deal.kind is Kind.ACQUISITION and percent is not None and percent < 100:
            deal.kind = Kind.INVESTMENT
        date = _nearest(text, when, deal)
        if date is None:
            date = self.base or self.fallback
            if date is None:
                unclear.append(
                    "no date: neither the sentence nor the article states one; give {option:date}"
                )
                doubt += _DOUBT_NO_DATE
        if deal.investor is None:
            self.unnamed.append((sentence, deal))
            return
        investor, known_i, how_i = self.name(deal.investor)
        startup, known_s, how_s = self.name(deal.startup)
        if investor.lower() == startup.lower():
            return
        unclear += [h for h in (how_i, how_s) if h]
        new = tuple(n for n, k in ((investor, known_i), (startup, known_s)) if not k)
        total = amount if deal.total else None
        if deal.total and amount is not None:
            unclear.append("the amount is the round's total, not the investor's own")
        confidence = max(_LEAST, _MOST - doubt - _DOUBT_NEW * len(new)) if doubt or new else _SURE
        self.add(Draft(
            investor=investor, startup=startup, kind=deal.kind, date=date,
            amount=None if deal.total else amount, percent=percent, round_total=total,
            evidence=text, confidence=confidence, unclear=tuple(unclear), new=new,
        ))  # fmt: skip

    def add(self, draft: Draft) -> None:
        key = (draft.investor, draft.startup, draft.kind)
        for i in self.seen.get(key, []):
            other = self.drafts[i]
            if other.date == draft.date or draft.date is None or other.date is None:
                # the same deal told twice: keep what each tells
                self.drafts[i] = Draft(
                    other.investor, other.startup, other.kind, other.date or draft.date,
                    other.amount or draft.amount, other.percent or draft.percent,
                    other.round_total or draft.round_total, other.evidence,
                    max(other.confidence, draft.confidence), other.unclear, other.new,
                    other.relation,
                )  # fmt: skip
                return
        self.seen.setdefault(key, []).append(len(self.drafts))
        self.drafts.append(draft)

    def relations(self, sentence: Sentence, chinese: bool) -> None:
        text = sentence.text
        if not any(map(text.__contains__, _CN_RELATION_WORDS if chinese else _RELATION_WORDS)):
            return
        for m in (_CN_RELATION if chinese else _RELATION).finditer(text):
            parent = m["parent"] if not chinese else self.cn_name(m["parent"], text)
            child = m["child"] if not chinese else self.cn_name(m["child"], text)
            if not parent or not child:
                continue
            if not chinese:
                child_runs, parent_runs = runs(child), runs(parent)
                if not child_runs or not parent_runs:
                    continue
                child, parent = child_runs[-1].text, parent_runs[0].text
            investor, known_i, how_i = self.name(parent)
            startup, known_s, how_s = self.name(child)
            if investor.lower() == startup.lower():
                continue
            words = m["words"] if not chinese else m.group()
            date = self.base or self.fallback
            self.add(Draft(
                investor=investor, startup=startup, kind=Kind.HOLDING, date=date,
                amount=None, percent=None, round_total=None, evidence=text,
                confidence=Decimal("0.6"),
                unclear=tuple(h for h in (how_i, how_s, _IN_PASSING) if h),
                new=tuple(n for n, k in ((investor, known_i), (startup, known_s)) if not k),
                relation=words,
            ))  # fmt: skip

    def counts(self, sentence: Sentence, chinese: bool, when: list[Span]) -> None:
        text = sentence.text
        if chinese and ("投资" not in text or "家" not in text):
            return  # what every pattern below needs
        if not chinese and "invest" not in text.lower() and foldable(text):
            return
        date = when[0].value if when else self.base or self.fallback
        if chinese:
            matches = [(m, True) for m in _CN_TARGET.finditer(text)]
            matches += [(m, False) for m in _CN_REACHED.finditer(text)]
        else:
            matches = [
                (m, True) for m in _TARGET.finditer(text) if _PLANS.search(text[: m.start()])
            ]
            matches += [(m, False) for m in _REACHED.finditer(text)]
        for m, planned in sorted(matches, key=lambda p: p[0].start()):
            if planned and not chinese and m["more"]:
                continue  # "a hundred more": more than the count reached, not a target
            n = count(m["n"])
            if n is None or n < 2:
                continue
            who = self.milestone_investor(text, m.start(), chinese)
            if who is None:
                continue
            investor, known, _how = self.name(who)
            q = (m["q"] or "").lower()
            qualifier = _QUALIFIERS.get(q, "about" if q else None)
            what = (m["what"] or ("companies" if chinese else "startups")).strip()
            if any(
                x.investor == investor and x.planned == planned and (planned or x.count == n)
                for x in self.milestones
            ):
                continue
            self.milestones.append(Milestone(
                investor=investor, count=n, qualifier=qualifier, what=what, planned=planned,
                date=date, evidence=text, new=not known,
            ))  # fmt: skip
            self.topic = investor

    def milestone_investor(self, text: str, at: int, chinese: bool) -> str | None:
        prefix = text[:at]
        if chinese:
            known = self.directory.known_in(prefix)
            if known:
                return known[-1].text
            lead = _CN_PLANNER.match(_CN_LEAD.sub("", prefix))
            return lead.group() if lead else self.topic
        if _PRONOUN.search(prefix) and self.topic:
            return self.topic
        names = runs(prefix)
        if names and names[0].start < 40:
            return names[0].text
        return self.topic

    def paragraph_end(self, paragraph: list[Sentence]) -> None:
        """Deals whose buyer the sentence does not name, named later in the paragraph
        ("... acquired Segway. ... purchasing company Ninebot ...")."""
        if not self.unnamed:
            return
        buyer = None  # the paragraph's first: looked for once, however many deals lack one
        for other in paragraph:
            if m := _BUYER.search(other.text):
                buyer = m["name"] or m["name2"]
                break
        for sentence, deal in self.unnamed:
            if buyer is None:
                self.notes.append(
                    f"a deal in {deal.startup} names no investor; no draft: "
                    f"“{_brief(sentence.text)}”"
                )
                continue
            money = amounts(sentence.text)
            when = dates(sentence.text, self.base)
            self.draft(
                sentence,
                _Found(deal.kind, buyer, deal.startup, deal.start, deal.end,
                       [*deal.unclear, f"the investor is named in another sentence ({buyer})"],
                       deal.doubt + Decimal("0.1"), deal.total),
                money, percents(sentence.text), when,
            )  # fmt: skip
        self.unnamed.clear()


def _scan(
    trigger: _Trigger, text: str, low: str, first: dict[str, int], single: bool
) -> Iterator[re.Match[str]]:
    """The matches of *trigger* in *text*, searched only where they can be: from its first
    gate word (*first*: where each is first in *low*, -1 nowhere; empty when *text* is not
    foldable) and, when white space comes one character at a time (*single*), up to just
    after its last."""
    if not first:
        return trigger.pattern.finditer(text, 0, low)
    seen = [i for i in map(first.__getitem__, trigger.gate) if i >= 0]
    if not seen:
        return iter(())
    at, end = 0, len(low)
    if trigger.leads:
        at = min(seen)
    elif single and trigger.before:
        at = max(0, min(seen) - trigger.before)
    if single and trigger.tail:
        end = min(end, max(map(low.rfind, trigger.gate)) + trigger.tail)
    return trigger.pattern.lower.finditer(low, at, end)


def _nearest(text: str, when: list[Span], deal: _Found) -> PartialDate | None:
    """The date a deal's clause states: the nearest before or after its verb, not across
    "; " or ", and" (another clause), else the sentence's first."""
    best: tuple[int, PartialDate] | None = None
    for s in when:
        if s.end <= deal.start:
            gap, between = deal.start - s.end, text[s.end : deal.start]
        else:
            gap, between = s.start - deal.end, text[deal.end : s.start]
        if gap < 0 or _OTHER_CLAUSE.search(between):
            continue
        if best is None or gap < best[0]:
            best = (gap, s.value)
    if best is not None:
        return best[1]
    first: PartialDate | None = when[0].value if when else None
    return first


def _mask(text: str, spans: list[Span]) -> str:
    """*text* with each figure written over by lower-case x's: no name run sees "US$"."""
    chars = list(text)
    for s in spans:
        chars[s.start : s.end] = "x" * (s.end - s.start)
    return "".join(chars)


def _brief(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Words without which a sentence states no deal, milestone or relation: a sentence holding
#: none of them is skipped at the cost of a few substring tests (a 10 MB page is mostly such).
_KEYWORDS = (
    "invest", "stake", "acqui", "bought", "buy", "purchas", "took over", "takes over",
    "snapped", "raise", "secure", "receiv", "closed", "landed", "got ", "sold", "sell",
    "divest", "offload", "exited", "subsidiary", "unit of", "division of", "affiliate of",
    "arm of", "led ", "leads ", "co-led", "joined", "participat", "holds ", "held ", "owns ",
    "owned ", "投资", "入股", "参股", "收购", "领投", "融资", "出售", "转让", "减持", "旗下",
    "子公司", "注资", "认购",
)  # fmt: skip


def _may_tell(text: str) -> bool:
    return any(map(text.lower().__contains__, _KEYWORDS))


def extract(
    text: str,
    *,
    directory: Directory | None = None,
    fallback_date: PartialDate | None = None,
) -> Extraction:
    """The drafts, milestones and notes of an article's plain *text*."""
    # what is made here is freed by reference counting (no cycles), and what is kept grows
    # with the article: the cycle collector would go through it again and again (a tenth of
    # a 10 MB article's time) to free next to nothing
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _extract(text, directory or Directory(), fallback_date)
    finally:
        if collecting:
            gc.enable()


def _extract(text: str, directory: Directory, fallback_date: PartialDate | None) -> Extraction:
    all_sentences = sentences(text)
    lines = [s.text for s in all_sentences[:15]]
    base = article_date(lines) or fallback_date
    article = _Article(directory, base, fallback_date)
    paragraph: list[Sentence] = []
    for sentence in all_sentences:
        if paragraph and sentence.paragraph != paragraph[-1].paragraph:
            article.paragraph_end(paragraph)
            paragraph = []
        paragraph.append(sentence)
        if len(sentence.text) > 2000 or not _may_tell(sentence.text):
            if not _CJK.search(sentence.text[:1]) and not sentence.text[:1].isupper():
                continue
            if len(sentence.text) > 2000:
                continue
            if lead := runs_lead(sentence.text[:60]):
                name, known, _how = article.name(lead.text)
                article.topic = name if known else article.topic
            continue
        article.sentence(sentence)
    if paragraph:
        article.paragraph_end(paragraph)
    return Extraction(
        drafts=tuple(article.drafts),
        milestones=tuple(article.milestones),
        notes=tuple(article.notes),
        article_date=base,
    )
