"""Returns computed by hand: a mark tripling a stake, a partial sale then a mark, a write-off,
flows in two currencies converted at their dates, an undisclosed cost, a range from an
undisclosed percent; groups by company, sector and vintage. On SQLite and on PostgreSQL."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ecoport.core.fx import convert
from ecoport.core.returns import Between, Flow, Unknown, irr, latest_mark, measure, wins
from ecoport.services.fx import Rates
from tests.conftest import Run

BOTH_BACKENDS = True


def ok(result: Any) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return str(result.stdout)


def stake(run: Run, investor: str, startup: str, date: str, *more: str) -> None:
    ok(run("add-stake", "--investor", investor, "--startup", startup, "--sector", "iot",
           "--date", date, "--new-company", *more))  # fmt: skip


def returns(run: Run, *args: str) -> dict[str, Any]:
    return dict(json.loads(ok(run("returns", *args, "-f", "json"))))


def figure(row: dict[str, Any], name: str) -> str | None:
    value: str | None = row[name]["value"]
    return value


def xirr_by_hand(flows: list[tuple[dt.date, float]]) -> float:
    """The rate where the flows' value is nil (actual/365), by bisection: no library."""
    start = flows[0][0]

    def npv(rate: float) -> float:
        return sum(a / (1 + rate) ** ((d - start).days / 365) for d, a in flows)

    low, high = -0.99, 10.0
    for _ in range(200):
        mid = (low + high) / 2
        if npv(low) * npv(mid) <= 0:
            high = mid
        else:
            low = mid
    return (low + high) / 2


@pytest.fixture
def db(run: Run, isolated: Path) -> Path:
    ok(run("init"))
    return isolated


@pytest.mark.usefixtures("db")
def test_a_mark_that_triples_the_stake(run: Run) -> None:
    stake(run, "Fund", "Alpha", "2015-01-01", "--amount", "USD 10m", "--percent", "10")
    ok(run("mark", "add", "Alpha", "--date", "2020-01-01", "--valuation", "USD 300m"))
    found = returns(run, "--as-of", "2020-01-01", "--by", "company", "--in", "USD")
    (row,) = found["rows"]
    assert row["invested"]["amount"] == "10000000.00"
    assert row["realised"]["amount"] == "0.00"
    assert row["unrealised"]["amount"] == "30000000.00"
    assert figure(row, "moic") == figure(row, "tvpi") == figure(row, "rvpi") == "3"
    assert figure(row, "dpi") == "0"
    # (30 / 10) ** (365 / 1826) - 1: 1826 days from 2015-01-01 to 2020-01-01
    by_hand = 3 ** (365 / 1826) - 1
    assert abs(by_hand - 0.2456) < 0.0001
    assert abs(float(figure(row, "irr") or "nan") - by_hand) < 1e-6
    assert row["irr"]["less_than_a_year"] is False and row["irr"]["days"] == 1826
    assert row["mark"] == {
        "date": "2020-01-01",
        "kind": "valuation",
        "origin": "given (mark 1)",
        "valuation": "300000000.00",
        "currency": "USD",
    }
    (fund,) = found["investors"]
    assert figure(fund, "moic") == "3" and fund["counted"] == 1
    assert found["portfolio"] is None
    table = ok(run("returns", "--as-of", "2020-01-01", "--by", "company"))
    assert "3.00x" in table and "24.6%" in table and "USD 30.0m" in table
    assert "2020-01-01 valuation" in table


@pytest.mark.usefixtures("db")
def test_a_partial_sale_then_a_mark(run: Run) -> None:
    stake(run, "Fund", "Alpha", "2015-01-01", "--amount", "USD 10m", "--percent", "20")
    stake(run, "Fund", "Alpha", "2017-01-01", "--kind", "sale", "--amount", "USD 15m",
          "--percent", "10")  # fmt: skip
    ok(run("mark", "add", "Alpha", "--date", "2020-01-01", "--valuation", "USD 200m"))
    (row,) = returns(run, "--as-of", "2020-01-01", "--by", "company")["rows"]
    # 10 % left, at USD 200m: USD 20m; 15 back; 10 paid
    assert row["percent_low"] == row["percent_high"] == "10"
    assert row["realised"]["amount"] == "15000000.00"
    assert row["unrealised"]["amount"] == "20000000.00"
    assert figure(row, "dpi") == "1.5" and figure(row, "rvpi") == "2"
    assert figure(row, "moic") == figure(row, "tvpi") == "3.5"
    by_hand = xirr_by_hand(
        [(dt.date(2015, 1, 1), -10.0), (dt.date(2017, 1, 1), 15.0), (dt.date(2020, 1, 1), 20.0)]
    )
    assert abs(float(figure(row, "irr") or "nan") - by_hand) < 1e-5
    # before the mark, the sale's own price values the rest: 10 % of USD 150m
    (early,) = returns(run, "--as-of", "2018-12-31", "--by", "company")["rows"]
    assert early["unrealised"]["amount"] == "15000000.00"
    assert early["mark"]["origin"] == "implied by stake 2"


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("how", ["mark", "stake"])
def test_a_write_off(run: Run, how: str) -> None:
    stake(run, "Fund", "Alpha", "2015-01-01", "--amount", "USD 10m", "--percent", "10")
    if how == "mark":
        ok(run("mark", "add", "Alpha", "--date", "2018-01-01", "--write-off"))
    else:
        stake(run, "Fund", "Alpha", "2018-01-01", "--kind", "write-off")
    (row,) = returns(run, "--as-of", "2020-01-01", "--by", "company")["rows"]
    assert row["unrealised"]["amount"] == "0.00"
    assert figure(row, "moic") == "0" and figure(row, "dpi") == "0"
    assert figure(row, "irr") == "-1"
    table = ok(run("returns", "--as-of", "2020-01-01", "--by", "company"))
    assert "0.00x" in table and "-100.0%" in table


@pytest.mark.usefixtures("db")
def test_two_currencies_converted_at_their_dates(run: Run) -> None:
    stake(run, "Fund", "Alpha", "2015-06-01", "--amount", "CNY 100m", "--percent", "10")
    stake(run, "Fund", "Alpha", "2016-06-01", "--amount", "USD 10m", "--percent", "5")
    ok(run("mark", "add", "Alpha", "--date", "2020-01-01", "--valuation", "USD 500m"))
    rates = Rates()
    cny = rates.rate("CNY", "USD", dt.date(2015, 6, 1)).value
    first = convert(Decimal(100_000_000), cny, "USD")
    (row,) = returns(run, "--as-of", "2020-01-01", "--by", "company", "--in", "USD")["rows"]
    assert Decimal(row["invested"]["amount"]) == first + 10_000_000
    assert row["unrealised"]["amount"] == "75000000.00"  # 15 % of USD 500m
    moic = Decimal(75_000_000) / (first + 10_000_000)
    assert Decimal(figure(row, "moic") or "0") == moic.quantize(Decimal("1e-6"))
    # in EUR: each flow at its own day's rate, the value at the as-of day's
    (eur,) = returns(run, "--as-of", "2020-01-01", "--by", "company", "--in", "EUR")["rows"]
    paid = convert(Decimal(100_000_000), rates.rate("CNY", "EUR", dt.date(2015, 6, 1)).value, "EUR")
    paid += convert(Decimal(10_000_000), rates.rate("USD", "EUR", dt.date(2016, 6, 1)).value, "EUR")
    assert Decimal(eur["invested"]["amount"]) == paid
    worth = convert(Decimal(75_000_000), rates.rate("USD", "EUR", dt.date(2020, 1, 1)).value, "EUR")
    assert Decimal(eur["unrealised"]["amount"]) == worth


@pytest.mark.usefixtures("db")
def test_an_undisclosed_cost_is_na_with_the_reason(run: Run) -> None:
    stake(run, "Fund", "Alpha", "2015-01-01", "--percent", "10")
    ok(run("mark", "add", "Alpha", "--date", "2020-01-01", "--valuation", "USD 300m"))
    found = returns(run, "--as-of", "2020-01-01", "--by", "company")
    (row,) = found["rows"]
    assert row["invested"] == {"amount": None, "why": "cost undisclosed (1 of 1 investment)"}
    assert row["unrealised"]["amount"] == "30000000.00"  # the value is known
    for name in ("moic", "dpi", "rvpi", "tvpi", "irr"):
        assert row[name]["value"] is None
        assert row[name]["why"] == "cost undisclosed (1 of 1 investment)"
    (fund,) = found["investors"]
    assert fund["counted"] == 0 and fund["left_out"] == [
        {"reason": "cost undisclosed", "positions": 1}
    ]
    assert figure(fund, "moic") is None and "cost undisclosed" in fund["moic"]["why"]
    table = ok(run("returns", "--as-of", "2020-01-01", "--by", "company", "--wide"))
    assert "n/a" in table and "cost undisclosed" in table
    assert "0.00x" not in table and " 0.0%" not in table


@pytest.mark.usefixtures("db")
def test_no_mark_is_na(run: Run) -> None:
    stake(run, "Fund", "Alpha", "2015-01-01", "--amount", "USD 10m")
    (row,) = returns(run, "--as-of", "2020-01-01", "--by", "company")["rows"]
    assert row["unrealised"]["why"] == "no mark on or before 2020-01-01"
    assert figure(row, "dpi") == "0"  # nothing back yet: known
    assert row["moic"]["why"] == row["irr"]["why"] == "no mark on or before 2020-01-01"


@pytest.mark.usefixtures("db")
def test_a_range_from_an_undisclosed_percent(run: Run) -> None:
    stake(run, "Other", "Alpha", "2014-01-01", "--percent", "60")
    stake(run, "Fund", "Alpha", "2015-01-01", "--amount", "USD 10m")
    ok(run("mark", "add", "Alpha", "--date", "2020-01-01", "--valuation", "USD 100m"))
    found = returns(run, "--investor", "Fund", "--as-of", "2020-01-01", "--by", "company")
    (row,) = found["rows"]
    # Fund holds 0-40 %: Other's 60 % leaves at most 40
    assert (row["percent_low"], row["percent_high"]) == ("0", "40")
    assert row["unrealised"] == {
        "amount": None,
        "low": "0.00",
        "high": "40000000.00",
        "why": None,
    }
    assert (row["moic"]["low"], row["moic"]["high"]) == ("0", "4")
    assert row["irr"]["low"] == "-1"
    assert abs(float(row["irr"]["high"]) - (4 ** (365 / 1826) - 1)) < 1e-6
    table = ok(run("returns", "--investor", "Fund", "--as-of", "2020-01-01", "--by", "company"))
    assert "0.00–4.00x" in table and "USD 0.00–40.0m" in table


@pytest.mark.usefixtures("db")
def test_groups_investors_and_the_portfolio(run: Run) -> None:
    stake(run, "Fund", "Alpha", "2015-01-01", "--amount", "USD 10m", "--percent", "10")
    stake(run, "Fund", "Beta", "2016-03-01", "--amount", "USD 5m", "--percent", "5")
    ok(run("companies", "edit", "Beta", "--sector", "media/video"))
    stake(run, "Fund", "Gamma", "2016-05-01", "--percent", "5")  # cost undisclosed
    stake(run, "Angel", "Alpha", "2015-01-01", "--amount", "USD 1m", "--percent", "1")
    ok(run("mark", "add", "Alpha", "--date", "2020-01-01", "--valuation", "USD 300m"))
    ok(run("mark", "add", "Beta", "--date", "2020-01-01", "--valuation", "USD 50m"))
    ok(run("mark", "add", "Gamma", "--date", "2020-01-01", "--valuation", "USD 50m"))
    by_sector = returns(run, "--as-of", "2020-01-01", "--by", "sector")
    sectors = {(r["investor"], r["sector"]): r for r in by_sector["rows"]}
    assert sorted(sectors) == [("Angel", "iot"), ("Fund", "iot"), ("Fund", "media/video")]
    iot = sectors["Fund", "iot"]
    assert (iot["positions"], iot["counted"]) == (2, 1)  # Gamma left out: cost undisclosed
    assert figure(iot, "moic") == "3"
    assert figure(sectors["Fund", "media/video"], "moic") == "0.5"
    fund, angel = sorted(by_sector["investors"], key=lambda r: r["investor"] != "Fund")
    assert fund["invested"]["amount"] == "15000000.00"
    assert fund["unrealised"]["amount"] == "32500000.00"
    assert Decimal(figure(fund, "moic") or "0") == (Decimal("32.5") / 15).quantize(Decimal("1e-6"))
    assert figure(angel, "moic") == "3"
    portfolio = by_sector["portfolio"]
    assert portfolio["invested"]["amount"] == "16000000.00"
    assert portfolio["unrealised"]["amount"] == "35500000.00"
    vintages = returns(run, "--as-of", "2020-01-01", "--by", "vintage", "--investor", "Fund")
    assert [(r["vintage"], r["positions"]) for r in vintages["rows"]] == [
        ("2015", 1),
        ("2016", 2),
    ]
    csv = ok(run("returns", "--as-of", "2020-01-01", "--by", "company", "-f", "csv"))
    lines = csv.splitlines()
    assert lines[0].startswith("level,investor,group,positions,counted")
    assert sum(1 for line in lines if line.startswith("company,")) == 4
    assert lines[-1].startswith("portfolio,")


@pytest.mark.usefixtures("db")
def test_bad_options(run: Run) -> None:
    stake(run, "Fund", "Alpha", "2015-01-01", "--amount", "USD 10m", "--percent", "10")
    bad = run("returns", "--by", "colour")
    assert bad.exit_code == 2 and "--by" in bad.stderr
    assert run("returns", "--in", "XXX").exit_code == 2
    assert run("returns", "--as-of", "2099").exit_code == 2
    assert run("returns", "--investor", "Nobody").exit_code == 1


def test_irr_edge_cases() -> None:
    day = dt.date(2020, 1, 1)
    paid = [Flow(dt.date(2019, 1, 1), Decimal(-100))]
    assert irr(paid, Decimal(0), day) == (Decimal(-1), None)
    assert irr([], Decimal(10), day) == (None, "nothing paid in")
    assert irr([Flow(day, Decimal(-100))], Decimal(120), day) == (
        None,
        "every cash flow is on one day",
    )
    several = [Flow(dt.date(2015, 1, 1), Decimal(-100)), Flow(dt.date(2016, 1, 1), Decimal(230))]
    rate, why = irr(several, Decimal(-132), dt.date(2017, 1, 1))
    assert rate is None and why is not None and why.startswith("several sign changes")
    short = measure(
        Decimal(100), Decimal(0), Between(Decimal(110), Decimal(110)),
        [Flow(dt.date(2019, 7, 1), Decimal(-100))], day,
    )  # fmt: skip
    assert short.short and short.days == 184
    unknown = measure(Unknown("cost undisclosed"), Decimal(0), Unknown("no mark"), [], day)
    assert unknown.moic.why == "cost undisclosed" and unknown.irr.value is None


@pytest.mark.usefixtures("db")
def test_position_returns_for_companies_show_and_progress(run: Run, isolated: Path | str) -> None:
    from ecoport.services.returns import position_returns
    from ecoport.store.db import locate, reading

    stake(run, "Fund", "Alpha", "2015-01-01", "--amount", "USD 10m", "--percent", "10")
    stake(run, "Fund", "Beta", "2015-01-01", "--amount", "USD 10m", "--percent", "10")
    ok(run("mark", "add", "Alpha", "--date", "2020-01-01", "--valuation", "USD 300m"))
    with reading(locate(str(isolated))) as reader:
        ids = {n: i for i, n in reader.rows("SELECT id, name FROM company")}
        found = position_returns(
            reader, [ids["Fund"]], companies=[ids["Alpha"]], as_of=dt.date(2020, 1, 1), into="USD"
        )
    (alpha,) = found.values()
    assert alpha.company_id == ids["Alpha"] and alpha.unrealised == Between(
        Decimal("30000000.00"), Decimal("30000000.00")
    )
    moic = alpha.figures().moic.value
    assert moic is not None and moic.exact == 3


def _random_book(run: Run, folder: Path) -> None:
    """A small book of every kind of event: several investors in shared startups, amounts
    in two currencies, undisclosed percents and costs, dates to the day, month or year,
    rounds that dilute and imply a valuation, acquisitions of the whole, given marks."""
    import random

    rng = random.Random(14)
    investors, startups = [f"Inv {i}" for i in range(5)], [f"S{i:02d}" for i in range(30)]
    lines = ["investor,startup,sector,date,kind,amount,percent,round,round_total,valuation"]
    for n in range(260):
        kind = rng.choice(["investment"] * 7 + ["holding", "sale", "exit", "write-off"])
        kind = "acquisition" if n % 37 == 5 else kind
        amount = f"{rng.choice(['USD', 'USD', 'CNY'])} {rng.randrange(1, 90)}m"
        amount = amount if kind in ("investment", "sale", "exit") and rng.random() < 0.7 else ""
        percent = f"{rng.randrange(1, 400) / 100:g}" if rng.random() < 0.5 else ""
        percent = "" if kind in ("exit", "write-off", "acquisition") else percent
        date = f"{rng.randrange(2008, 2024)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        date = date[: rng.choice([4, 7, 10, 10, 10])]
        valued = kind == "investment" and rng.random() < 0.1
        lines.append(
            f"{rng.choice(investors)},{rng.choice(startups)},iot/s{n % 3},{date},{kind},{amount},"
            f"{percent},{'R' if valued else ''},{'USD 10m' if valued else ''},"
            f"{'USD 80m' if valued else ''}"
        )
    path = folder / "book.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("import", str(path), "--on-error", "skip").exit_code in (0, 1)
    for i, startup in enumerate(startups[::3]):
        ok(run("mark", "add", startup, "--date", f"{2012 + i}-12-31", "--valuation", "USD 900m"))


@pytest.mark.usefixtures("db")
def test_read_through_or_looked_up_the_same(
    run: Run, tmp_path: Path, isolated: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Positions, marks and returns are the same whether every row is read and the wanted
    ones kept (as for an investor with most of the stakes) or each company looked up."""
    import ecoport.services.marks as marks
    import ecoport.services.returns as service
    from ecoport.services.ownership import holdings_of, positions_in
    from ecoport.store.db import locate, reading

    _random_book(run, tmp_path)
    outputs = {}
    for through in (False, True):
        monkeypatch.setattr(marks, "wide", lambda _reader, _ids, through=through: through)
        monkeypatch.setattr(service, "_through", lambda *_a, through=through: through)
        with reading(locate(str(isolated))) as reader:
            ids = [r[0] for r in reader.rows("SELECT id FROM company ORDER BY id")]
            for as_of in ("2012-06-30", "2025-01-01"):
                whole = positions_in(reader, ids, as_of=as_of)
                for some in (ids[:2], ids):
                    got = holdings_of(reader, some, as_of=as_of)
                    expected = {
                        h: {c: held[h] for c, held in whole.items() if h in held} for h in some
                    }
                    assert {h: got.get(h, {}) for h in some} == expected
                every = marks.marks_of(reader, ids, as_of=as_of)
                latest = marks.latest_marks(reader, ids, as_of=as_of)
                assert latest == {c: latest_mark(ms) for c, ms in every.items()}
                outputs[through, as_of, "marks"] = (
                    latest,
                    {c: sorted(ms, key=wins) for c, ms in every.items()},
                )
        for args in ((), ("--by", "company"), ("--investor", "Inv 1", "--by", "sector")):
            found = ok(run("returns", "--as-of", "2025-01-01", *args, "-f", "json"))
            outputs[through, args] = found
    for key in [k for k in outputs if k[0] is False]:
        assert outputs[key] == outputs[(True, *key[1:])], key
    rows = json.loads(outputs[False, ("--by", "company")])["rows"]
    states = {r["state"] for r in rows}
    assert {"held", "exited", "written-off", "acquired"} <= states
    counted = [r for r in rows if r["counted"]]
    assert counted and any(r["unrealised"]["low"] != r["unrealised"]["high"] for r in counted)
    assert any(r["irr"]["value"] is not None for r in counted)
