"""Counts in words: "1 stake", "2 stakes", and the one way of saying that nothing matched."""

#: Plurals that are not the singular plus "s".
_IRREGULAR = {"company": "companies", "alias": "aliases"}


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 stake``, ``2 stakes``, ``1,234 companies`` (a count with its noun agreeing)."""
    return f"{count:,} {noun(count, one, many)}"


def noun(count: int, one: str, many: str | None = None) -> str:
    """The noun alone, agreeing with *count*: ``stake`` or ``stakes``."""
    if count == 1:
        return one
    return many or _IRREGULAR.get(one) or one + "s"


def no_match(things: str, filters: str | None = None) -> str:
    """What every listing says when nothing matched its filters: ``No stakes match.``, or
    with the filters said: ``No stakes match (sector iot).``"""
    return f"No {things} match{f' ({filters})' if filters else ''}."
