"""What makes two stake records the same stake, or the same deal reported twice.

Two records are *identical* when every identifying field is equal. They are the *same deal*
when they name the same investor, company and kind, their dates agree (one may be less
precise and contain the other: 2013 and 2013-06-12), their rounds agree (the same round, or
one side names none), and every figure either side discloses is equal or undisclosed on the
other side. Add-stake, import and the seed all use these two rules.
"""

from dataclasses import dataclass, fields, replace

#: Precision of a stored date, coarse to fine.
_RANK = {"year": 0, "month": 1, "day": 2}


@dataclass(frozen=True, slots=True)
class StakeKey:
    """A stake's identifying fields as stored (ids, ISO date start, minor units...)."""

    investor_id: int
    company_id: int
    kind: str
    date: str
    date_precision: str
    amount_minor: int | None
    currency: str | None
    percent_micro: int | None
    round_id: int | None

    def same_parties(self) -> tuple[int, int, str]:
        return self.investor_id, self.company_id, self.kind


def dates_agree(a: str, a_precision: str, b: str, b_precision: str) -> bool:
    """True when two partial dates can be one day: equal, or the coarser contains the finer."""
    coarse = min(_RANK[a_precision], _RANK[b_precision])
    width = (4, 7, 10)[coarse]
    return a[:width] == b[:width]


def _agree(x: object, y: object) -> bool:
    return x is None or y is None or x == y


def same_deal(a: StakeKey, b: StakeKey) -> bool:
    """True when *a* and *b* describe one deal (see the module's docstring)."""
    if a.same_parties() != b.same_parties():
        return False
    if not dates_agree(a.date, a.date_precision, b.date, b.date_precision):
        return False
    if not _agree(a.round_id, b.round_id) or not _agree(a.percent_micro, b.percent_micro):
        return False
    if a.amount_minor is not None and b.amount_minor is not None:
        return (a.amount_minor, a.currency) == (b.amount_minor, b.currency)
    return True


def filled(stored: StakeKey, new: StakeKey) -> StakeKey:
    """*stored* with what only *new* discloses: a finer date, an amount, a percent, a round."""
    out = stored
    if _RANK[new.date_precision] > _RANK[stored.date_precision]:
        out = replace(out, date=new.date, date_precision=new.date_precision)
    if stored.amount_minor is None and new.amount_minor is not None:
        out = replace(out, amount_minor=new.amount_minor, currency=new.currency)
    if stored.percent_micro is None and new.percent_micro is not None:
        out = replace(out, percent_micro=new.percent_micro)
    if stored.round_id is None and new.round_id is not None:
        out = replace(out, round_id=new.round_id)
    return out


def changes(before: StakeKey, after: StakeKey) -> dict[str, object]:
    """The fields that differ, with their new values."""
    return {
        f.name: getattr(after, f.name)
        for f in fields(StakeKey)
        if getattr(before, f.name) != getattr(after, f.name)
    }


def best_match(new: StakeKey, candidates: list[tuple[int, StakeKey]]) -> int | None:
    """The id of the stored stake that is the same deal as *new*: an identical one first,
    then the one agreeing on the most disclosed fields, then the oldest."""
    found = [(sid, key) for sid, key in candidates if same_deal(new, key)]
    if not found:
        return None

    def score(item: tuple[int, StakeKey]) -> tuple[int, int, int]:
        sid, key = item
        equal = sum(getattr(key, f.name) == getattr(new, f.name) for f in fields(StakeKey))
        return (int(key == new), equal, -sid)

    return max(found, key=score)[0]


@dataclass(frozen=True, slots=True)
class RoundKey:
    """A funding round's identifying fields as stored."""

    company_id: int
    date: str
    date_precision: str
    name: str | None
    total_minor: int | None
    currency: str | None


def round_name_key(name: str | None) -> str | None:
    """The comparable form of a round's name: ``Series A``, ``series-a`` and ``A`` are one."""
    if name is None:
        return None
    words = "".join(c if c.isalnum() else " " for c in name.casefold()).split()
    words = [w for w in words if w not in ("series", "round", "funding")]
    return " ".join(words) or name.casefold().strip()


def same_round(a: RoundKey, b: RoundKey) -> bool:
    """One company's round seen twice: dates agree, names agree (or one side has none), and
    the totals agree when both are disclosed. Two unnamed rounds without totals are only
    the same round on the same date."""
    if a.company_id != b.company_id:
        return False
    if not dates_agree(a.date, a.date_precision, b.date, b.date_precision):
        return False
    na, nb = round_name_key(a.name), round_name_key(b.name)
    if not _agree(na, nb):
        return False
    if a.total_minor is not None and b.total_minor is not None:
        if (a.total_minor, a.currency) != (b.total_minor, b.currency):
            return False
    elif na is None or nb is None:
        # nothing but a date in common: only the same day (or the same stated period) will do
        return (a.date, a.date_precision) == (b.date, b.date_precision) and na == nb
    return True


def best_round(new: RoundKey, candidates: list[tuple[int, RoundKey]]) -> int | None:
    """The id of the stored round that *new* describes, if any (the most alike, then oldest)."""
    found = [(rid, key) for rid, key in candidates if same_round(new, key)]
    if not found:
        return None

    def score(item: tuple[int, RoundKey]) -> tuple[int, int, int]:
        rid, key = item
        equal = sum(getattr(key, f.name) == getattr(new, f.name) for f in fields(RoundKey))
        return (int(key == new), equal, -rid)

    return max(found, key=score)[0]


def clashing_round(new: RoundKey, candidates: list[tuple[int, RoundKey]]) -> int | None:
    """A stored round that *new* names (same company, dates that agree, the same name) but
    whose disclosed total differs: one round reported with two totals, a conflict."""
    name = round_name_key(new.name)
    if name is None or new.total_minor is None:
        return None
    for rid, key in candidates:
        if (
            key.company_id == new.company_id
            and round_name_key(key.name) == name
            and dates_agree(key.date, key.date_precision, new.date, new.date_precision)
            and key.total_minor is not None
            and (key.total_minor, key.currency) != (new.total_minor, new.currency)
        ):
            return rid
    return None
