"""Money: exact Decimal amounts with an ISO 4217 currency, parsing and formatting."""

import re
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from functools import cache, lru_cache

from ecoport.core.text import brief
from ecoport.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


@cache
def _exponents() -> dict[str, int]:
    # Imported here: the package parses its bundled ISO 4217 table at import time.
    from iso4217 import Currency

    return {c.code: c.exponent for c in Currency if c.exponent is not None}


@lru_cache(maxsize=1024)
def currency_code(text: str) -> str:
    """Return the ISO 4217 code for *text* (any case), or raise InvalidInput. Cached (reports
    and imports ask for the same few codes millions of times); refusals are not cached."""
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise InvalidInput(
            f"{brief(text)!r} is not a currency code (expected ISO 4217, like USD or CNY)"
        )
    if code not in _exponents():
        raise InvalidInput(f"unknown currency code {code!r} (expected ISO 4217, like USD or CNY)")
    return code


@lru_cache(maxsize=1024)
def exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit (2 for CNY, 0 for JPY)."""
    return _exponents()[currency_code(currency)]


#: The largest amount ecoport stores, in minor units of any currency: below 10^17, so that it
#: fits a signed 64-bit integer on every backend with room for sums (USD 999.9 trillion,
#: IDR 999.9 trillion, JPY 99,999.9 trillion: far above any real deal or valuation).
MAX_MINOR = 10**17 - 1


def _exact(amount: Decimal) -> Context:
    """A context that rounds nothing when *amount* is scaled (Decimal's default keeps 28
    digits and would round 1.0000000000000000000000000001 to 1 without a word)."""
    return Context(prec=len(amount.as_tuple().digits) + 40, Emax=MAX_EMAX, Emin=MIN_EMIN)


@lru_cache(maxsize=1024)
def max_amount(currency: str) -> Decimal:
    """The largest amount of *currency* ecoport stores (MAX_MINOR minor units)."""
    return Decimal(MAX_MINOR).scaleb(-exponent(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """Convert to an integer count of minor units, refusing digits the currency cannot hold
    and amounts beyond MAX_MINOR."""
    places = exponent(currency)
    if amount.is_finite():
        # exact in integers: the common case, an amount the currency holds, without a context
        numerator, denominator = amount.as_integer_ratio()
        scaled, rest = divmod(numerator * 10**places, denominator)
        if not rest and -MAX_MINOR <= scaled <= MAX_MINOR:
            return int(scaled)
    if not amount.is_finite():
        raise InvalidInput(f"{amount} is not an amount")
    if abs(amount) > max_amount(currency):
        digits = abs(amount).adjusted() + 1
        shown = format_money(abs(amount), currency) if digits <= 30 else f"{digits} digits"
        raise InvalidInput(
            f"{shown} is more than ecoport holds "
            f"(at most {format_money(max_amount(currency), currency)})"
        )
    scaled = amount.scaleb(places, context=_exact(amount))
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            f"{currency} amounts have {places} decimal places; {brief(str(amount))} has more"
        )
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """Exact Decimal amount from an integer count of minor units."""
    return Decimal(minor).scaleb(-exponent(currency))


def plain(amount: Decimal, currency: str) -> str:
    """The exact amount with the currency's decimal places and no grouping: ``1266000000.00``."""
    places = exponent(currency)
    return f"{amount.quantize(Decimal(1).scaleb(-places)):f}"


def format_money(amount: Decimal, currency: str) -> str:
    """The exact amount for people: ``CNY 1,266,000,000.00``."""
    places = exponent(currency)
    return f"{currency} {amount.quantize(Decimal(1).scaleb(-places)):,f}"


# --- amounts as people write them ---------------------------------------------------------

#: Symbols that name one currency.
SYMBOLS: dict[str, str] = {
    "US$": "USD",
    "HK$": "HKD",
    "S$": "SGD",
    "SG$": "SGD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "NZ$": "NZD",
    "NT$": "TWD",
    "R$": "BRL",
    "MX$": "MXN",
    "CN¥": "CNY",
    "JP¥": "JPY",
    "RMB": "CNY",
    "£": "GBP",
    "€": "EUR",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "CHF": "CHF",
}
#: Symbols shared by several currencies: the default, and the currencies they may stand for.
AMBIGUOUS: dict[str, tuple[str, frozenset[str]]] = {
    "$": ("USD", frozenset({"USD", "HKD", "SGD", "AUD", "CAD", "NZD", "TWD", "MXN", "BRL"})),
    "¥": ("CNY", frozenset({"CNY", "JPY"})),
}
_SCALES = {
    "k": 3,
    "thousand": 3,
    "m": 6,
    "mn": 6,
    "mln": 6,
    "million": 6,
    "b": 9,
    "bn": 9,
    "bln": 9,
    "billion": 9,
}
_SYMBOL = "|".join(re.escape(s) for s in sorted([*SYMBOLS, *AMBIGUOUS], key=len, reverse=True))
_WRITTEN = re.compile(
    rf"""^(?P<pre>{_SYMBOL}|[A-Za-z]{{3}}(?=[\s\d.]))?\s*
        (?P<num>[0-9][0-9.,_]*|\.[0-9]+)\s*
        (?P<scale>[A-Za-z]+)?\s*
        (?P<post>{_SYMBOL}|[A-Za-z]{{3}})?$""",
    re.VERBOSE,
)
_WESTERN = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_INDIAN = re.compile(r"^\d{1,2}(?:,\d{2})*,\d{3}(?:\.\d+)?$")
_PLAIN_NUMBER = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$")
_PLAIN_ASCII = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")


def _currency_of(token: str, currency: str | None, defaults: dict[str, str]) -> str:
    """The currency a written symbol or code stands for, checked against --currency."""
    if token in AMBIGUOUS:
        default, family = AMBIGUOUS[token]
        if currency is None:
            return defaults.get(token, default)
        if currency not in family:
            raise InvalidInput(f"{token!r} cannot be {currency}")
        return currency
    code = SYMBOLS.get(token) or SYMBOLS.get(token.upper()) or currency_code(token)
    if currency is not None and code != currency:
        raise InvalidInput(f"the amount says {code} but the currency given is {currency}")
    return code


def _number(text: str) -> Decimal:
    cleaned = text.replace("_", "")
    if "," in cleaned and not (_WESTERN.match(cleaned) or _INDIAN.match(cleaned)):
        if re.match(r"^\d+,\d{1,2}$", cleaned) or re.match(r"^[\d.]+,\d+$", cleaned):
            raise InvalidInput(
                f"{brief(text)!r} looks like a decimal comma, which is ambiguous; "
                "write the decimals with a point (61.5) and no grouping, or group by thousands"
            )
        raise InvalidInput(
            f"{brief(text)!r} has commas in the wrong places (write 1,266,000 or 1266000)"
        )
    bare = cleaned.replace(",", "")
    if not _PLAIN_NUMBER.match(bare):
        raise InvalidInput(f"{brief(text)!r} is not a number")
    return Decimal(bare)


def plain_money(text: str, code: str) -> tuple[Money, int] | None:
    """Digits alone (``1551000``, ``2500.50``), as files mostly give amounts, in the currency
    *code* (checked already): the Money parse_money makes of them with its minor units; None
    when *text* is anything else or not above zero (parse_money says what is wrong with it).
    InvalidInput for more decimals than the currency has, or an amount past MAX_MINOR."""
    minor = plain_minor(text, code)
    return None if minor is None else (Money(Decimal(text), code), minor)


def plain_minor(text: str, code: str) -> int | None:
    """plain_money's minor units alone, without making its Money (the importer's cache of
    amounts keeps the text, and makes the Money only when one is needed)."""
    if len(text) < 19 and text.isdigit() and text.isascii():
        # whole units (MAX_MINOR has 17 digits): minor units without a Decimal's ratio
        minor: int = int(text) * 10 ** exponent(code)
        if 0 < minor <= MAX_MINOR:
            return minor
    if not _PLAIN_ASCII.match(text):
        return None
    value = Decimal(text)
    if value > 0:
        return to_minor(value, code)
    return None


def parse_money(
    text: str,
    *,
    currency: str | None = None,
    defaults: dict[str, str] | None = None,
    fallback: str | None = None,
) -> Money:
    """Parse an amount as the press writes it: ``1.27bn CNY``, ``CNY 1.27 billion``,
    ``¥1.27bn``, ``$300m``, ``US$300 million``, ``HK$2.5bn``, ``1,266,000,000``,
    ``20,00,00,000`` (Indian grouping), ``300k``.

    *currency* is the currency given beside it (a code), if any, which the text must agree
    with; *fallback* is the currency of an amount that names none (an import's default,
    never checked against a symbol: ``₹40,000,000`` stays INR); *defaults* maps the
    ambiguous symbols ``$`` and ``¥`` to the currency they mean when none is given.
    Raises InvalidInput with the reason; never anything else.
    """
    raw = text.strip()
    if _PLAIN_ASCII.match(raw) and (currency is not None or fallback is not None):
        plain = plain_money(raw, currency_code(currency if currency is not None else str(fallback)))
        if plain is not None:
            return plain[0]
    if re.search(r"\d[eE][+-]?\d", raw):
        raise InvalidInput(
            f"{brief(raw)!r}: exponent notation is ambiguous; write 1200000000 or 1.2bn"
        )
    if raw.startswith("-"):
        raise InvalidInput(f"amount must be greater than zero (got {brief(raw)})")
    match = _WRITTEN.match(raw)
    if not match:
        raise InvalidInput(
            f"{brief(raw)!r} is not an amount "
            "(expected e.g. 1270000000, 1.27bn CNY, $300m, EUR 61.5m)"
        )
    pre, num, scale, post = match.group("pre", "num", "scale", "post")
    if scale is not None and scale.lower() not in _SCALES:
        # "61.5 EUR" puts the code where a scale could be: try it as a currency
        if post is None and len(scale) == 3:
            scale, post = None, scale
        else:
            raise InvalidInput(
                f"{brief(raw)!r}: unknown multiplier {scale!r} (use k, m, bn, million...)"
            )
    given = None if currency is None else currency_code(currency)
    defaults = defaults or {}
    codes = [_currency_of(t, given, defaults) for t in (pre, post) if t]
    if len(set(codes)) > 1:
        raise InvalidInput(f"{brief(raw)!r} names two currencies ({' and '.join(codes)})")
    code = codes[0] if codes else given or (None if fallback is None else currency_code(fallback))
    if code is None:
        raise InvalidInput(
            f"{brief(raw)!r} has no currency; give one, as in {brief(raw)} USD "
            "or {option:currency}"
        )
    value = _number(num)
    if scale is not None:
        value = value.scaleb(_SCALES[scale.lower()], context=_exact(value))
        value = Decimal(f"{value:f}")
    if value <= 0:
        raise InvalidInput(f"amount must be greater than zero (got {brief(raw)})")
    to_minor(value, code)  # refuse more decimals than the currency has
    return Money(value, code)


def compact(amount: Decimal, currency: str) -> str:
    """As a finance person writes it: ``CNY 1.27bn``, ``USD 300.0m``, ``USD 950.0k``."""
    for exp, suffix, places in ((9, "bn", 2), (6, "m", 1), (3, "k", 1)):
        if abs(amount) >= Decimal(10) ** exp:
            scaled = amount.scaleb(-exp).quantize(Decimal(1).scaleb(-places))
            return f"{currency} {scaled:,f}{suffix}"
    return format_money(amount, currency)
