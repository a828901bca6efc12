"""Figures as the press writes them, found in a sentence: amounts, percents, counts, dates.

Chinese numerals (十二亿, 两千万, 百分之五) go through cn2an, imported only when a sentence has
one; Arabic figures with 万 or 亿 are scaled exactly here; amounts are checked by core.money.
"""

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ecoport.core.dates import PartialDate, Precision
from ecoport.core.money import Money, parse_money, to_minor
from ecoport.errors import InvalidInput

#: Characters that an IGNORECASE pattern's ASCII letters match but str.lower() does not make
#: those letters (dotless ı and long ſ are i and s to the pattern), or makes two characters
#: of (İ): text holding one is searched with the IGNORECASE pattern itself.
_UNFOLDABLE = re.compile("[\u0130\u0131\u017f]")


def foldable(text: str) -> bool:
    """Whether *text* in lower case holds what case-insensitive ASCII patterns find in it:
    then a word they need is found in ``text.lower()`` by ``in``, and Folded is quick."""
    return text.isascii() or not _UNFOLDABLE.search(text)


class Folded:
    """A case-insensitive pattern, searched case-sensitively in the text made lower case: the
    same matches (at the same places; their groups in lower case), two to four times
    quicker (the regular expression engine compares lower-case letters directly). Its
    source writes its letters in lower case."""

    __slots__ = ("_any_case", "lower", "source")

    def __init__(self, source: str) -> None:
        if re.search("[A-Z]", source.replace("(?P<", "")):
            raise ValueError(f"a Folded pattern writes its letters in lower case: {source!r}")
        self.source = source
        self.lower = re.compile(source)
        self._any_case: re.Pattern[str] | None = None  # compiled when first needed: rarely

    @property
    def any_case(self) -> re.Pattern[str]:
        if self._any_case is None:
            self._any_case = re.compile(self.source, re.IGNORECASE)
        return self._any_case

    def finditer(self, text: str, pos: int = 0, low: str | None = None) -> Iterator[re.Match[str]]:
        """The matches in *text* from *pos*; *low* is ``text.lower()`` when known."""
        if foldable(text):
            return self.lower.finditer(text.lower() if low is None else low, pos)
        return self.any_case.finditer(text, pos)


@dataclass(frozen=True, slots=True)
class Span:
    """A figure found in a sentence: where, its value, and whether it stands in brackets (a
    conversion of the figure before it, "1.27 billion yuan (£129m)", not a figure of its own)."""

    start: int
    end: int
    value: Any
    bracketed: bool = False


_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿点"
_PREFIX = {
    "US$": "USD", "HK$": "HKD", "S$": "SGD", "A$": "AUD", "C$": "CAD", "NT$": "TWD",
    "$": "USD", "£": "GBP", "€": "EUR", "¥": "CNY", "₹": "INR", "RMB": "CNY", "CNY": "CNY",
    "USD": "USD", "EUR": "EUR", "GBP": "GBP", "HKD": "HKD", "JPY": "JPY", "INR": "INR",
    "SGD": "SGD",
}  # fmt: skip
_WORDS = {
    "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "cny": "CNY", "us dollars": "USD",
    "dollars": "USD", "usd": "USD", "hong kong dollars": "HKD", "hk dollars": "HKD",
    "hkd": "HKD", "euros": "EUR", "euro": "EUR", "eur": "EUR", "pounds": "GBP",
    "pounds sterling": "GBP", "gbp": "GBP", "yen": "JPY", "jpy": "JPY", "rupees": "INR",
    "inr": "INR",
}  # fmt: skip
_SCALE = r"(?:billion|million|thousand|bn|mn|m|b|k)\b"
_PRE = "|".join(re.escape(p.lower()) for p in sorted(_PREFIX, key=len, reverse=True))
_POST = "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True))
_MONEY_EN = Folded(
    rf"(?:(?P<pre>{_PRE})\s?(?P<n1>{_NUM})(?:\s?(?P<s1>{_SCALE}))?(?:\s(?P<p1>{_POST})\b)?"
    rf"|(?P<n2>{_NUM})(?:\s?(?P<s2>{_SCALE}))?\s(?P<p2>{_POST})\b)"
)
_CN_UNITS = {"亿": 8, "千万": 7, "百万": 6, "万": 4}
_CN_CURRENCY = {"美元": "USD", "港元": "HKD", "港币": "HKD", "欧元": "EUR", "英镑": "GBP",
                "日元": "JPY", "人民币": "CNY", "元": "CNY"}  # fmt: skip
_MONEY_CN = re.compile(
    rf"(?P<rmb>人民币)?(?P<num>{_NUM}|[{_CN_DIGITS}]+)(?P<unit>千万|百万|亿|万)?"
    r"(?P<cur>美元|港元|港币|欧元|英镑|日元|人民币|元)"
)
_PERCENT = Folded(
    rf"(?P<num>{_NUM})\s?(?:%|％|percent\b|per\s+cent\b)|百分之(?P<cn>[{_CN_DIGITS}]+)"
)
#: Cheap tests before the patterns above: each needs a digit (an amount in figures: the
#: currency written before it is at most 4 characters earlier, "US$ 5m"), a currency word in
#: Chinese, or a percent sign or word.
_DIGIT = re.compile(r"\d")
_PRE_LONGEST = max(len(p) for p in _PREFIX) + 1
_BRACKET_WORDS = re.compile(r"(?:\(|（)\s*(?:about|around|roughly|some|approximately|or|约)\s*$")
_CN_MONEY_HINT = re.compile("[元币]")
#: A currency sign or word: every match of _MONEY_EN holds one (in lower case).
_CURRENCY_HINTS = (
    "$", "£", "€", "¥", "₹", "rmb", "cny", "usd", "eur", "gbp", "hkd", "jpy", "inr", "sgd",
    "yuan", "renminbi", "dollars", "pounds", "yen", "rupees",
)  # fmt: skip


def _bracketed(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return before.endswith(("(", "（")) or (
        ("(" in before or "（" in before) and bool(_BRACKET_WORDS.search(before))
    )


@lru_cache(maxsize=4096)
def _money(written: str) -> Money | None:
    """core.money's reading of an amount found here (cached: the press repeats figures),
    None when it refuses it."""
    try:
        return parse_money(written)
    except InvalidInput:
        return None


def chinese_number(text: str) -> Decimal:
    """A number written in Chinese numerals (十二亿七千万, 两百), exactly."""
    import cn2an

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError) as exc:
        raise InvalidInput(f"{text!r} is not a number") from exc
    return Decimal(str(value))


_NUM_ONLY = re.compile(_NUM)


def _number(text: str) -> Decimal:
    if _NUM_ONLY.fullmatch(text):
        return Decimal(text.replace(",", ""))
    return chinese_number(text)


_DIGIT_RUN = re.compile(r"\d+")
_CN_MONEY_START = re.compile(f"[人\\d{_CN_DIGITS}]")
_CN_MONEY_ENDS = ("元", "币", "镑")  # every currency of _MONEY_CN ends with one of them


@lru_cache(maxsize=4096)
def _cn_money(num: str, unit: str | None, code: str) -> Money | None:
    """An amount written in Chinese (its number, 万 or 亿, currency); None when refused.
    Cached: the press repeats figures."""
    try:
        value = _number(num).scaleb(_CN_UNITS.get(unit or "", 0))
        value = Decimal(f"{value.normalize():f}")
        to_minor(value, code)
    except InvalidInput:
        return None
    return Money(value, code) if value > 0 else None


def amounts(text: str, low: str | None = None) -> list[Span]:
    """Every amount of money in *text*, in order, as Money; *low* is ``text.lower()``."""
    found: list[Span] = []
    digit = _DIGIT.search(text)
    english: Iterable[re.Match[str]] = ()
    if low is None:
        low = text.lower()
    if digit and (not foldable(text) or any(map(low.__contains__, _CURRENCY_HINTS))):
        # no match starts before the first digit's currency prefix: the scan starts there
        english = _MONEY_EN.finditer(text, max(0, digit.start() - _PRE_LONGEST), low)
    for m in english:
        num = m["n1"] or m["n2"]
        scale = (m["s1"] or m["s2"] or "").lower()
        codes = {_PREFIX[m["pre"].upper()]} if m["pre"] else set()
        post = m["p1"] or m["p2"]
        if post:
            codes.add(_WORDS[post.lower()])
        if not codes or (not m["pre"] and not scale and not post):
            continue
        if len(codes) > 1 and m["pre"] not in ("$", "¥"):
            continue
        code = _WORDS[post.lower()] if post else codes.pop()
        scale = {"b": "bn"}.get(scale, scale)
        money = _money(f"{num}{scale} {code}" if scale else f"{num} {code}")
        if money is None:
            continue
        found.append(Span(m.start(), m.end(), money, _bracketed(text, m.start())))
    if _CN_MONEY_HINT.search(text) and (first := _CN_MONEY_START.search(text)):
        # a match starts with 人民币 or its number and ends with its currency's last character
        stop = max(map(text.rfind, _CN_MONEY_ENDS)) + 1
        chinese = len(found)
        for m in _MONEY_CN.finditer(text, first.start(), stop):
            code = _CN_CURRENCY["人民币" if m["rmb"] else m["cur"]]
            value = _cn_money(m["num"], m["unit"], code)
            if value is not None:
                found.append(Span(m.start(), m.end(), value, _bracketed(text, m.start())))
        if chinese:
            found.sort(key=lambda s: s.start)
    return found


def percents(text: str, low: str | None = None) -> list[Span]:
    """Every percentage in *text*, as a Decimal in (0, 100]; *low* is ``text.lower()``."""
    found: list[Span] = []
    if low is None:
        low = text.lower()
    if not ("%" in text or "％" in text or "百分之" in text or "cent" in low):
        return found  # none of the pattern's signs or words
    if foldable(text) and "百分之" not in text:
        # a match starts a run of digits (see _DIGIT_RUN): only there is it tried
        match, search, pos = _PERCENT.lower.match, _DIGIT_RUN.search, 0
        matches: list[re.Match[str]] = []
        while digit := search(low, pos):
            if m := match(low, digit.start()):
                matches.append(m)
                pos = m.end()
            else:
                pos = digit.end()
    else:
        digit, chinese = _DIGIT.search(text), text.find("百分之")
        starts = [i for i in (digit.start() if digit else -1, chinese) if i >= 0]
        if not starts:
            return found
        matches = list(_PERCENT.any_case.finditer(text, min(starts)))
    for m in matches:
        try:
            value = Decimal(m["num"].replace(",", "")) if m["num"] else chinese_number(m["cn"])
        except InvalidInput:
            continue
        if 0 < value <= 100:
            found.append(Span(m.start(), m.end(), value, _bracketed(text, m.start())))
    return found


_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip
COUNT = (
    r"(?:\d{1,3}(?:,\d{3})*|(?:a|one|two|three|four|five)\s+hundred|hundreds?|dozens?|"
    + "|".join(sorted([*_SMALL[2:], *_TENS], key=len, reverse=True))
    + r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    + rf"|[{_CN_DIGITS}]+)"
)


def count(text: str) -> int | None:
    """A count written in figures or words ("20", "twenty-five", "a hundred", 二十); None for
    a vague one ("dozens")."""
    words = text.strip().lower().replace(",", "")
    if words.isdigit():
        return int(words)
    if m := re.fullmatch(r"(a|one|two|three|four|five)\s+hundred", words):
        return 100 * (1 if m[1] in ("a", "one") else _SMALL.index(m[1]))
    if words == "hundred":
        return 100
    parts = re.split(r"[- ]", words)
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_SMALL.index(parts[1]) if len(parts) > 1 else 0)
    if words in _SMALL:
        return _SMALL.index(words)
    if re.fullmatch(f"[{_CN_DIGITS}]+", words):
        try:
            return int(chinese_number(words))
        except InvalidInput:
            return None
    return None


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = Folded(
    rf"\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH})\.?,?\s+(?P<y1>(?:19|20)\d\d)\b"
    rf"|\b(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)\b"
    rf"|\b(?P<m3>{_MONTH})\.?,?\s+(?P<y3>(?:19|20)\d\d)\b"
    r"|\b(?P<iso>(?:19|20)\d\d-[01]\d(?:-[0-3]\d)?)\b"
    r"|(?P<y5>(?:19|20)\d\d)年(?:(?P<m5>\d{1,2})月(?:(?P<d5>\d{1,2})[日号])?)?"
    r"|\b(?:in|since|during|by|of|early|late|mid-?)\s+(?P<y4>(?:19|20)\d\d)\b"
)
_RELATIVE = Folded(
    r"\b(?P<lm>last month|the previous month)\b|\b(?P<tm>(?:earlier |later )?this month)\b"
    r"|\b(?P<ly>last year)\b|\b(?P<ty>(?:earlier |later )?this year)\b"
    r"|\b(?P<now>this week|last week|yesterday|today|on (?:monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday))\b"
    r"|(?P<cnlm>上个?月)|(?P<cntm>本月|这个月|当月)|(?P<cnty>今年)|(?P<cnly>去年)|(?P<cnnow>日前|近日|今天|昨天|本周)"
)


#: Every date above writes a year; the most it writes before it is 15 characters and two
#: runs of white space ("30th September., 2014"). So no date starts more than 17 characters
#: before the first year unless a run of white space there is longer than one character.
_YEAR = re.compile(r"(?:19|20)\d\d")
_BEFORE_YEAR = 17
_LONG_SPACE = re.compile(r"\s\s")
#: Words without which _RELATIVE finds nothing.
_RELATIVE_WORDS = ("month", "year", "week", "day", "月", "今年", "去年", "日前", "近日", "今天",
                   "昨天", "本周")  # fmt: skip


def _partial(year: str, month: str | None = None, day: str | None = None) -> PartialDate | None:
    try:
        start = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    precision = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
    return PartialDate(start, precision)


def _month_of(name: str) -> str:
    return str(_MONTHS[name.lower().rstrip(".")])


def dates(text: str, base: PartialDate | None) -> list[Span]:
    """The dates *text* states, exact ("14 December 2014", "2014年12月") or relative to the
    article's date *base* ("last month", "earlier this year"), as PartialDates."""
    found: list[Span] = []
    exact: Iterable[re.Match[str]] = ()
    if (year := _YEAR.search(text)) is not None:
        start = max(0, year.start() - _BEFORE_YEAR)
        if start and _LONG_SPACE.search(text, start, year.start()):
            start = 0
        exact = _DATE.finditer(text, start)
    for m in exact:
        if m["y1"]:
            value = _partial(m["y1"], _month_of(m["m1"]), m["d1"])
        elif m["y2"]:
            value = _partial(m["y2"], _month_of(m["m2"]), m["d2"])
        elif m["y3"]:
            value = _partial(m["y3"], _month_of(m["m3"]))
        elif m["iso"]:
            value = _partial(*m["iso"].split("-"))
        elif m["y5"]:
            value = _partial(m["y5"], m["m5"], m["d5"])
        else:
            value = _partial(m["y4"])
        if value is not None:
            found.append(Span(m.start(), m.end(), value))
    if base is not None and any(map((low := text.lower()).__contains__, _RELATIVE_WORDS)):
        for m in _RELATIVE.finditer(text, 0, low):
            value = _relative(m, base)
            if value is not None:
                found.append(Span(m.start(), m.end(), value))
    return sorted(found, key=lambda s: s.start)


def _relative(m: re.Match[str], base: PartialDate) -> PartialDate | None:
    start = base.start
    if m["lm"] or m["cnlm"]:
        if base.precision is Precision.YEAR:
            return None
        previous = (start.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        return PartialDate(previous, Precision.MONTH)
    if m["tm"] or m["cntm"]:
        if base.precision is Precision.YEAR:
            return base
        return PartialDate(start.replace(day=1), Precision.MONTH)
    if m["ly"] or m["cnly"]:
        return PartialDate(dt.date(start.year - 1, 1, 1), Precision.YEAR)
    if m["ty"] or m["cnty"]:
        return PartialDate(dt.date(start.year, 1, 1), Precision.YEAR)
    return base


def article_date(lines: list[str]) -> PartialDate | None:
    """The date line of an article: the first short line near its top that states a date."""
    for line in lines[:15]:
        if len(line) > 120:
            continue
        found = dates(line, None)
        if found and any(c.isdigit() for c in line):
            return found[0].value  # type: ignore[no-any-return]
    return None
