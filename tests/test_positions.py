"""Positions, look-through and classes on small cases computed by hand (no database)."""

from decimal import Decimal

from ecoport.core.ownership import Kind
from ecoport.core.positions import (
    Event,
    HoldingClass,
    Range,
    Round,
    State,
    Thresholds,
    classify,
    fold,
    look_through,
    paths,
    reached,
)

D = Decimal
X, Y, Z, W = 1, 2, 3, 4
INV, ACQ, HOLD, SALE = Kind.INVESTMENT, Kind.ACQUISITION, Kind.HOLDING, Kind.SALE


def ev(date: str, holder: int, kind: Kind, pct: str | None, round_id: int | None = None) -> Event:
    precision = {4: "year", 7: "month", 10: "day"}[len(date)]
    first = date + "-01-01"[len(date) - 4 :] if len(date) < 10 else date
    return Event(first, precision, holder, kind, None if pct is None else D(pct), round_id)


def r(low: str, high: str | None = None) -> Range:
    return Range(D(low), D(high if high is not None else low))


def ranges(events: list[Event], rounds: tuple[Round, ...] = ()) -> dict[int, tuple[str, str]]:
    return {h: p.range.text() for h, p in fold(events, rounds).items()}


# -- positions ----------------------------------------------------------------------------


def test_investments_add_sales_subtract_and_holdings_replace() -> None:
    got = fold(
        [
            ev("2014", X, INV, "10"),
            ev("2015", X, INV, "5.5"),
            ev("2016", X, SALE, "3"),
            ev("2017", Y, HOLD, "20"),
            ev("2018", Y, HOLD, "25"),
        ]
    )
    assert got[X].range == r("12.5") and got[X].active
    assert got[Y].range == r("25") and (got[Y].date, got[Y].precision) == ("2018-01-01", "year")


def test_undisclosed_percents_give_ranges() -> None:
    # Huami: Xiaomi 19.3 %, another holder of an undisclosed stake: 0–80.7 %
    got = fold([ev("2018-02-08", X, HOLD, "19.3"), ev("2016", Y, INV, None)])
    assert got[X].range.describe() == "19.3%"
    assert got[Y].range.describe() == "0–80.7%"
    # a disclosed investment then an undisclosed one: at least the first
    got = fold([ev("2014", X, INV, "10"), ev("2015", X, INV, None), ev("2014", Y, INV, "30")])
    assert got[X].range == r("10", "70")
    # a sale of an undisclosed part: at most what was held, at least nothing
    got = fold([ev("2014", X, INV, "10"), ev("2015", X, SALE, None)])
    assert got[X].range == r("0", "10") and got[X].active
    # the others' least is what bounds an undisclosed holding, however many there are
    got = fold([ev("2014", X, INV, None), ev("2014", Y, INV, None), ev("2014", Z, INV, "40")])
    assert got[X].range == got[Y].range == r("0", "60")


def test_exit_write_off_and_selling_everything_end_the_position() -> None:
    got = fold(
        [
            ev("2014", X, INV, "10"),
            ev("2015", X, Kind.EXIT, None),
            ev("2014", Y, INV, "10"),
            ev("2015", Y, Kind.WRITE_OFF, None),
            ev("2014", Z, INV, "10"),
            ev("2015", Z, SALE, "10"),
            ev("2015", W, SALE, "5"),  # a sale of nothing held
        ]
    )
    assert [got[h].state for h in (X, Y, Z, W)] == [
        State.EXITED,
        State.WRITTEN_OFF,
        State.EXITED,
        State.EXITED,
    ]
    assert all(p.range == r("0") for p in got.values())
    # an investment after an exit starts a new position
    again = fold(
        [ev("2014", X, INV, "10"), ev("2015", X, Kind.EXIT, None), ev("2016", X, INV, "4")]
    )
    assert again[X].range == r("4") and again[X].active


def test_acquisition_of_everything_ends_every_other_position() -> None:
    got = fold(
        [
            ev("2014", X, INV, "30"),
            ev("2015", Y, INV, None),
            ev("2016-05-02", Z, ACQ, None),  # percent not given: the whole company
            ev("2016-05-02", W, INV, "5"),  # the same day: the acquisition comes after it
        ]
    )
    assert got[Z].range == r("100") and got[Z].active
    for holder in (X, Y, W):
        assert got[holder].state is State.ACQUIRED
        assert (got[holder].by, got[holder].date) == (Z, "2016-05-02")
        assert got[holder].range == r("0")


def test_acquisition_of_part_adds_like_an_investment() -> None:
    # Zimi as the seed records it: 27.44 % in 2020, then "the remaining" 50.09 % in 2021
    got = fold(
        [ev("2020-05-21", X, INV, "27.44"), ev("2021", X, ACQ, "50.09"), ev("2019", Y, INV, "5")]
    )
    assert got[X].range == r("77.53")
    assert got[Y].active and got[Y].range == r("5")


def test_a_later_round_dilutes_earlier_holders() -> None:
    events = [
        ev("2014", X, INV, "20"),
        ev("2014", Y, INV, "10"),
        ev("2014", W, INV, None),
        ev("2015-06-01", Z, INV, "25", round_id=7),  # new money: 25 of 100 post-money
        ev("2015-06-01", Y, HOLD, "12", round_id=7),  # Y's percent after the round: disclosed
    ]
    series_b = Round(7, "2015-06-01", "day", total=25_000_000, valuation=100_000_000)
    got = fold(events, (series_b,))
    assert got[X].range == r("15")  # 20 % × (1 − 25/100)
    assert got[Y].range == r("12")  # disclosed in the round: not diluted
    assert got[Z].range == r("25")  # new in the round
    # W's undisclosed stake: at most 75 % after the round, and what the others leave: 48 %
    assert got[W].range == r("0", "48")
    assert (got[X].date, got[X].precision) == ("2015-06-01", "day")
    # a round before the holder came in, or without a valuation, dilutes no one
    assert ranges([ev("2016", X, INV, "20")], (series_b,)) == {X: ("20", "20")}
    assert ranges(events[:1], (Round(8, "2016-01-01", "day", 30, 30),)) == {X: ("20", "20")}


def test_a_dilution_that_does_not_divide_evenly_is_shown_outward() -> None:
    got = fold([ev("2014", X, INV, "10")], (Round(1, "2015-01-01", "day", 1, 3),))
    assert got[X].range.describe() == "6.6667%"  # 10 × 2/3, rounded for display
    assert got[X].range.low.as_tuple().exponent != 0


def test_describe_rounds_ranges_outward() -> None:
    assert Range(D("0.123456789"), D("0.98765432")).describe() == "0.1234–0.9877%"
    assert Range(D("0.123456789"), D("0.98765432")).text() == ("0.123456", "0.987655")
    assert r("100").describe() == "100%" and r("0", "80.7").describe() == "0–80.7%"


# -- look-through ---------------------------------------------------------------------------

A, B, C, S = 11, 12, 13, 14


def test_chain_multiplies_along_the_path() -> None:
    holdings = {X: [(A, r("60"))], A: [(B, r("50"))], B: [(C, r("40"))]}
    assert look_through(X, holdings) == {A: r("60"), B: r("30"), C: r("12")}
    assert look_through(X, holdings, max_depth=2) == {A: r("60"), B: r("30")}
    assert [p for p, _ in paths(X, holdings)] == [(X, A), (X, A, B), (X, A, B, C)]


def test_diamond_sums_the_paths() -> None:
    holdings = {X: [(A, r("40")), (B, r("30"))], A: [(C, r("50"))], B: [(C, r("50"))]}
    assert look_through(X, holdings)[C] == r("35")  # 40 × 50 + 30 × 50


def test_cycle_ends_a_path_where_it_would_close() -> None:
    # X holds 60 % of A; A 50 % of B; B holds 20 % of A back, and 10 % of X itself
    holdings = {X: [(A, r("60"))], A: [(B, r("50"))], B: [(A, r("20")), (X, r("10"))]}
    assert look_through(X, holdings) == {A: r("60"), B: r("30")}
    # upward, who ultimately holds A: the same walk over holders
    holders = {A: [(X, r("60")), (B, r("20"))], B: [(A, r("50"))], X: [(B, r("10"))]}
    # X: 60 directly (A ← X ← B ← A would close); B: 20 directly + 10 % of X's 60 = 26
    assert look_through(A, holders) == {X: r("60"), B: r("26")}


def test_ranges_carry_through_lower_with_lower_upper_with_upper() -> None:
    # Xiaomi → Ninebot (undisclosed: 0–100 %) → Segway (100 %)
    holdings = {X: [(A, r("0", "100")), (B, r("10", "30"))], A: [(C, r("100"))], B: [(C, r("50"))]}
    assert look_through(X, holdings)[C] == r("5", "100")
    # the sum of upper bounds is at most 100 %
    holdings = {X: [(A, r("0", "90")), (B, r("0", "90"))], A: [(C, r("100"))], B: [(C, r("100"))]}
    assert look_through(X, holdings)[C] == r("0", "100")


# -- classes ---------------------------------------------------------------------------------


def test_classes_count_control_through_subsidiaries() -> None:
    holdings = {
        X: [(A, r("60")), (B, r("25")), (C, r("10"))],
        A: [(C, r("45")), (S, r("55"))],  # C: 10 + A's 45 = 55, a subsidiary
        B: [(W, r("100"))],  # B is an associate; what it holds is not X's to class
        S: [(Y, r("20"))],  # S is a subsidiary through A: Y at 20 % is an associate
    }
    classes = classify(X, holdings)
    known = {c: classes.of(c)[0] for c in (A, B, C, S, W, Y)}
    assert known == {
        A: HoldingClass.SUBSIDIARY,
        B: HoldingClass.ASSOCIATE,
        C: HoldingClass.SUBSIDIARY,
        S: HoldingClass.SUBSIDIARY,
        W: HoldingClass.INVESTMENT,
        Y: HoldingClass.ASSOCIATE,
    }
    assert look_through(X, holdings)[S] == r("33")  # interest multiplies; control does not
    assert classify(X, holdings, Thresholds(subsidiary=D(20), associate=D(5))).of(B)[0] is (
        HoldingClass.SUBSIDIARY
    )


def test_undisclosed_stake_is_an_investment_that_could_be_more() -> None:
    classes = classify(X, {X: [(A, r("0", "100"))]})
    assert classes.of(A) == (HoldingClass.INVESTMENT, HoldingClass.SUBSIDIARY)
    assert classes.group[A] == r("0", "100")


def test_reached_only_through_subsidiaries_or_with_the_option_associates() -> None:
    holdings = {
        X: [(S, r("60")), (A, r("25")), (B, r("0", "100"))],
        S: [(C, r("0", "100"))],  # a subsidiary's stake of any size: X's ecosystem
        C: [(W, r("100"))],  # C is no subsidiary of X: not walked on
        A: [(Y, r("5"))],  # through an associate: only with the option
        B: [(Z, r("100"))],  # through a stake of unknown size: never
    }
    assert reached(X, holdings) == {C}
    assert reached(X, holdings, associates=True) == {C, Y}
    # a company also held directly is not "reached"
    assert reached(X, {X: [(S, r("100")), (C, r("1"))], S: [(C, r("50"))]}) == set()


def test_fold_returns_the_wanted_and_counts_holders_summed_elsewhere() -> None:
    # a reader sums in SQL the holders that only added (30 % here) and asks for X alone
    got = fold([ev("2014", X, INV, None), ev("2015", Y, INV, "10")], wanted={X}, others=D("30"))
    assert set(got) == {X}
    assert got[X].range == r("0", "60")
    assert (got[X].date, got[X].precision) == ("2014-01-01", "year")


def test_the_fast_path_for_additions_is_the_fold_in_order() -> None:
    """fold sums a company's events without ordering them when they all only add; the
    result is the one of folding every event in one order (random cases)."""
    import random

    from ecoport.core.positions import _bounded, _in_order

    rng = random.Random(2015)
    kinds = [INV] * 5 + [ACQ, ACQ, SALE, HOLD, Kind.EXIT, Kind.WRITE_OFF]
    for case in range(400):
        events = []
        adding = case % 2 == 0  # half the cases only add: the fast path
        for seq in range(rng.randrange(1, 14)):
            kind = rng.choice([INV, ACQ] if adding else kinds)
            pct = rng.choice([None, None, str(rng.randrange(1, 40)), "100"])
            if adding and kind is ACQ:
                pct = str(rng.randrange(1, 40))  # a part: it adds
            date = rng.choice(["2014", "2014-03", "2014-03-01", "2014-03-09", "2015", "2015-07"])
            event = ev(date, rng.choice([X, Y, Z, W]), kind, pct)
            events.append(event._replace(seq=seq))
        for wanted in (None, {X}, {Y, Z}):
            expected = _bounded(_in_order(list(events), []), wanted, D(0))
            assert fold(events, wanted=wanted) == expected, (case, events)


# -- the rules a new event must keep --------------------------------------------------------


def test_overheld_folds_as_positions_do() -> None:
    from ecoport.core.positions import holding_before, overheld

    # 60 + 50 on the day of a round that dilutes the 60 by half: 30 + 50, not 110
    events = [ev("2014", X, INV, "60"), ev("2015-06-01", Y, INV, "50", round_id=7)]
    half = Round(7, "2015-06-01", "day", total=50, valuation=100)
    assert overheld(events) == [("2015-06-01", D(110))]
    assert overheld(events, [half]) == []
    # a single holder's disclosed 120% shows as such (not capped at 100)
    assert overheld([ev("2014", X, INV, "70"), ev("2015", X, INV, "50")]) == [
        ("2015-01-01", D(120))
    ]
    # a partial acquisition adds; a whole one ends the others
    assert overheld([ev("2014", X, INV, "60"), ev("2015", Y, ACQ, "45")]) == [
        ("2015-01-01", D(105))
    ]
    assert overheld([ev("2014", X, INV, "60"), ev("2015", Y, ACQ, None)]) == []
    # what a holder holds by a date: 30% after a sale of 30 of 60; nothing after an exit
    sold = [ev("2014", X, INV, "60"), ev("2015", X, SALE, "30")]
    held = holding_before(sold, X, "2015-12-31")
    assert held is not None and held.range.text() == ("30", "30")
    assert holding_before(sold, Y, "2015-12-31") is None
    ended = holding_before([*sold, ev("2016", X, Kind.EXIT, None)], X, "2016-12-31")
    assert ended is not None and not ended.active
