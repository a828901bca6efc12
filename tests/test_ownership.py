"""ecoport tree and ecoport owners on small cases computed by hand, on both backends."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

from conftest import Run, dump

from ecoport.services.ownership import reached_through
from ecoport.store.db import locate, reading

BOTH_BACKENDS = True

HEADER = "investor,startup,sector,date,kind,percent,round,round_total,valuation\n"
CHAIN = """\
Alpha,Beta,test/a,2014-01-01,investment,60,,,
Beta,Gamma,test/a,2014-02-01,investment,50,,,
Gamma,Delta,test/a,2014-03-01,investment,40,,,
"""
DIAMOND = """\
Root,Left,test/d,2014,investment,40,,,
Root,Right,test/d,2014,investment,30,,,
Left,Bottom,test/d,2015,investment,50,,,
Right,Bottom,test/d,2015,investment,50,,,
Bottom,Leaf,test/d,2016,acquisition,100,,,
"""
CYCLE = """\
Xco,Aco,test/c,2014-01-01,investment,60,,,
Aco,Bco,test/c,2014-01-01,investment,50,,,
Bco,Aco,test/c,2014-01-01,investment,20,,,
Bco,Xco,test/c,2014-01-01,investment,10,,,
"""
ACQUIRED = """\
P,T,test/t,2014,investment,30,,,
Q,T,test/t,2015,investment,,,,
R,T,test/t,2016-05-02,acquisition,,,,
"""
DILUTED = """\
P,Co,test/r,2014,investment,20,,,
Q,Co,test/r,2014,investment,10,,,
W,Co,test/r,2014,investment,,,,
Z,Co,test/r,2015-06-01,investment,25,B,USD 25000000,USD 100000000
Q,Co,test/r,2015-06-01,holding,12,B,USD 25000000,USD 100000000
"""


def load(run: Run, tmp_path: Path, rows: str) -> None:
    assert run("init").exit_code == 0
    path = tmp_path / "stakes.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr


def as_json(run: Run, *args: str) -> dict[str, Any]:
    result = run(*args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def flat(nodes: list[dict[str, Any]], key: str, path: str = "") -> dict[str, dict[str, Any]]:
    """Every node of a JSON tree by its path ("Beta/Gamma")."""
    out: dict[str, dict[str, Any]] = {}
    for node in nodes:
        here = f"{path}/{node['company']}" if path else node["company"]
        out[here] = node
        out.update(flat(node[key], key, here))
    return out


def brief(node: dict[str, Any]) -> tuple[Any, ...]:
    return (node["percent_low"], node["percent_high"], node["look_through"], node["class"])


def test_chain_multiplies_down_and_up(run: Run, tmp_path: Path) -> None:
    load(run, tmp_path, CHAIN)
    tree = as_json(run, "tree", "Alpha")
    nodes = flat(tree["holdings"], "holdings")
    assert {path: brief(n) for path, n in nodes.items()} == {
        "Beta": ("60", "60", "60", "subsidiary"),
        "Beta/Gamma": ("50", "50", "30", "associate"),  # Beta, a subsidiary, holds 50 %
        "Beta/Gamma/Delta": ("40", "40", "12", "investment"),
    }
    assert (tree["companies"], tree["left_out"], tree["as_of"] > "2020") == (3, 0, True)
    assert nodes["Beta/Gamma/Delta"]["latest"] == "2014-03-01"

    assert set(flat(as_json(run, "tree", "Alpha", "--depth", "2")["holdings"], "holdings")) == {
        "Beta",
        "Beta/Gamma",
    }
    floor = as_json(run, "tree", "Alpha", "--min-percent", "20")
    assert set(flat(floor["holdings"], "holdings")) == {"Beta", "Beta/Gamma"}
    assert floor["left_out"] == 1
    # the thresholds are options: Gamma is a subsidiary over 40 %, Delta an associate
    loose = flat(as_json(run, "tree", "Alpha", "--subsidiary-over", "40")["holdings"], "holdings")
    assert [loose[p]["class"] for p in ("Beta/Gamma", "Beta/Gamma/Delta")] == [
        "subsidiary",
        "associate",
    ]

    owners = as_json(run, "owners", "Delta")
    up = flat(owners["holders"], "holders")
    assert {path: brief(n) for path, n in up.items()} == {
        "Gamma": ("40", "40", "40", "associate"),  # Delta is Gamma's associate
        "Gamma/Beta": ("50", "50", "20", "investment"),
        "Gamma/Beta/Alpha": ("60", "60", "12", "investment"),
    }
    assert owners["ultimate"] == [
        {
            "company": "Alpha",
            "look_through": "12",
            "look_through_low": "12",
            "look_through_high": "12",
            "class": "investment",
            "class_at_most": "investment",
        }
    ]

    result = run("tree", "Alpha", "-f", "csv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("depth,path,company,percent,percent_low,percent_high,look_through")
    assert lines[3].startswith("3,Alpha > Beta > Gamma > Delta,Delta,40,40,40,12,12,12,investment")


def test_diamond_sums_both_paths_and_shows_a_subtree_once(run: Run, tmp_path: Path) -> None:
    load(run, tmp_path, DIAMOND)
    nodes = flat(as_json(run, "tree", "Root")["holdings"], "holdings")
    assert list(nodes) == ["Left", "Left/Bottom", "Left/Bottom/Leaf", "Right", "Right/Bottom"]
    # 40 % × 50 % + 30 % × 50 %, and Leaf is all Bottom's
    assert brief(nodes["Left/Bottom"]) == ("50", "50", "35", "investment")
    assert brief(nodes["Right/Bottom"]) == ("50", "50", "35", "investment")
    assert brief(nodes["Left/Bottom/Leaf"]) == ("100", "100", "35", "investment")
    assert nodes["Right/Bottom"]["repeated"] and not nodes["Left/Bottom"]["repeated"]

    table = run("tree", "Root").stdout
    assert "│   └── Bottom — 50%, look-through 35%, investment, latest 2015" in table
    assert "(its holdings are shown above)" in table
    ultimate = as_json(run, "owners", "Leaf")["ultimate"]
    assert [(o["company"], o["look_through"]) for o in ultimate] == [("Root", "35")]


def test_cycle_ends_where_a_path_would_pass_a_company_twice(run: Run, tmp_path: Path) -> None:
    load(run, tmp_path, CYCLE)
    tree = as_json(run, "tree", "Xco")
    nodes = flat(tree["holdings"], "holdings")
    assert {path: brief(n) for path, n in nodes.items()} == {
        "Aco": ("60", "60", "60", "subsidiary"),
        "Aco/Bco": ("50", "50", "30", "associate"),  # Bco's stakes in Aco and Xco close it
    }
    assert tree["companies"] == 2
    up = flat(as_json(run, "owners", "Aco")["holders"], "holders")
    # Bco: 20 % directly, and 10 % of Xco's 60 %: 26 %
    assert {path: brief(n) for path, n in up.items()} == {
        "Xco": ("60", "60", "60", "subsidiary"),
        "Xco/Bco": ("10", "10", "26", "associate"),
        "Bco": ("20", "20", "26", "associate"),
    }
    owners = as_json(run, "owners", "Aco")
    assert [(o["company"], o["look_through"]) for o in owners["ultimate"]] == [("Bco", "26")]


def test_acquisition_of_everything_ends_the_other_positions(run: Run, tmp_path: Path) -> None:
    load(run, tmp_path, ACQUIRED)
    result = run("tree", "P")
    assert result.exit_code == 0
    assert result.stdout.startswith("P holds nothing as of ")
    ended = as_json(run, "tree", "P", "--all")["holdings"]
    assert [(n["company"], n["state"], n["ended_by"], n["latest"]) for n in ended] == [
        ("T", "acquired", "R", "2016-05-02")
    ]
    assert "└── T — acquired by R on 2016-05-02" in run("tree", "P", "--all").stdout

    before = flat(as_json(run, "owners", "T", "--as-of", "2015")["holders"], "holders")
    assert {p: (n["percent_low"], n["percent_high"]) for p, n in before.items()} == {
        "P": ("30", "30"),
        "Q": ("0", "70"),  # undisclosed: at most what P's 30 % leaves
    }
    after = flat(as_json(run, "owners", "T")["holders"], "holders")
    assert {p: brief(n) for p, n in after.items()} == {"R": ("100", "100", "100", "subsidiary")}
    assert set(flat(as_json(run, "owners", "T", "--all")["holders"], "holders")) == {"R", "P", "Q"}


def test_a_later_round_dilutes_earlier_holders(run: Run, tmp_path: Path) -> None:
    load(run, tmp_path, DILUTED)
    holders = flat(as_json(run, "owners", "Co")["holders"], "holders")
    assert {p: (n["percent_low"], n["percent_high"], n["latest"]) for p, n in holders.items()} == {
        "Z": ("25", "25", "2015-06-01"),  # the round's new money: 25 of 100 post-money
        "P": ("15", "15", "2015-06-01"),  # 20 % × 75 %
        "Q": ("12", "12", "2015-06-01"),  # its percent after the round was disclosed
        "W": ("0", "48", "2015-06-01"),  # undisclosed: 100 − 25 − 15 − 12
    }
    assert brief(as_json(run, "tree", "P", "--as-of", "2015-05")["holdings"][0]) == (
        "20",
        "20",
        "20",
        "associate",
    )


def test_seed_tree_prints_exact_figures_and_ranges(run: Run, seeded: Path) -> None:
    del seeded
    result = run("tree", "Xiaomi")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Xiaomi — holdings as of ")
    assert "├── Huami — 19.3%, look-through 19.3%, investment, latest 2018-02-08" in lines
    assert (
        "├── 21Vianet Group — 0–88.4%, look-through 0–88.4%, investment (up to subsidiary), "
        "latest 2014-11-30" in lines
    )
    ninebot = lines.index(
        "├── Ninebot — 0–100%, look-through 0–100%, investment (up to subsidiary), "
        "latest 2015-04-15"
    )
    assert lines[ninebot + 1] == (
        "│   └── Segway — 100%, look-through 0–100%, investment (up to subsidiary), "
        "latest 2015-04-15"
    )
    huami = flat(as_json(run, "owners", "Huami")["holders"], "holders")
    assert brief(huami["Shunwei Capital"]) == ("20.4", "20.4", "20.4", "associate")
    # the ecosystem for progress: no company reached through a stake of unknown size
    with reading(locate()) as reader:
        xiaomi = reader.rows("SELECT id FROM company WHERE name = 'Xiaomi'")[0][0]
        assert reached_through(reader, xiaomi) == []


def test_reached_through_subsidiaries_and_with_the_option_associates(
    run: Run, tmp_path: Path
) -> None:
    load(run, tmp_path, CHAIN)
    with reading(locate()) as reader:
        alpha = reader.rows("SELECT id FROM company WHERE name = 'Alpha'")[0][0]
        assert reached_through(reader, alpha) == ["Gamma"]  # held by Beta, a subsidiary
        assert reached_through(reader, alpha, associates=True) == ["Delta", "Gamma"]


def test_progress_counts_what_subsidiaries_reach_and_says_so(run: Run, tmp_path: Path) -> None:
    """progress names the companies reached only through subsidiaries (Gamma, through
    Beta at 60%), with --with-associates those through associates too (Delta, through
    Gamma at 30% look-through... held 40% by Gamma, an associate), and says which."""
    load(run, tmp_path, CHAIN)
    alpha = as_json(run, "progress", "--investor", "Alpha")["investors"][0]
    assert alpha["companies"] == 1
    assert alpha["through_portfolio"] == ["Gamma"]
    assert alpha["through_portfolio_via"] == "subsidiaries"
    wider = as_json(run, "progress", "--investor", "Alpha", "--with-associates")["investors"][0]
    assert wider["through_portfolio"] == ["Delta", "Gamma"]
    assert wider["through_portfolio_via"] == "subsidiaries and associates"
    out = run("progress", "--investor", "Alpha").stdout
    assert "Not counted: 1 more company reached only through subsidiaries (Gamma)." in out
    # as of a date before Beta held Gamma, nothing is reached
    before = as_json(run, "progress", "--investor", "Alpha", "--as-of", "2014-01-15")
    assert before["investors"][0]["through_portfolio"] == []
    out = run("progress", "--investor", "Alpha", "--as-of", "2014-01-15").stdout
    assert "no company reached only through subsidiaries" in out


def test_bad_input_is_one_line_and_changes_nothing(
    run: Run, tmp_path: Path, isolated: Path
) -> None:
    load(run, tmp_path, CHAIN)
    before = dump(isolated)
    cases = [
        (("tree", "Nobody"), 1, "no company named 'Nobody'"),
        (("owners", "Nobody"), 1, "no company named 'Nobody'"),
        (("tree", "Alpha", "--depth", "0"), 2, "--depth: must be 1 or more (got 0)"),
        (("owners", "Delta", "--depth", "-1"), 2, "--depth: must be 1 or more (got -1)"),
        (("tree", "Alpha", "--min-percent", "abc"), 2, "--min-percent: 'abc' is not a percent"),
        (("tree", "Alpha", "--min-percent", "101"), 2, "--min-percent: must be greater than 0"),
        (("tree", "Alpha", "--as-of", "2014-13"), 2, "--as-of:"),
        (("owners", "Delta", "--associate-from", "60"), 2, "--associate-from: must be at most"),
        (("tree", "Alpha", "--subsidiary-over", "0"), 2, "--subsidiary-over: must be greater"),
    ]
    for args, code, message in cases:
        result = run(*args)
        assert result.exit_code == code, (args, result.stderr)
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert message in result.stderr, (args, result.stderr)
    assert dump(isolated) == before


def test_events_that_positions_refuse_are_one_line_and_change_nothing(
    run: Run, tmp_path: Path, isolated: Path
) -> None:
    """Positions decide what add-stake accepts: a sale of more than is held, a sale of
    nothing held, holders above 100% (with the figures: a partial acquisition adds, it
    does not end the others), a cycle of whole acquisitions; --force stores what the
    source reports."""
    load(run, tmp_path, ACQUIRED + CHAIN)
    before = dump(isolated)

    def stake(*args: str) -> list[str]:
        return ["add-stake", *args]

    cases = [
        # P holds 30% of T until R acquires it whole on 2016-05-02
        (stake("--investor", "P", "--startup", "T", "--date", "2015-03", "--kind", "sale",
               "--percent", "40"), "P would sell 40% of T in 2015-03 but holds 30% then"),
        (stake("--investor", "P", "--startup", "T", "--date", "2017", "--kind", "sale",
               "--percent", "10"), "P holds nothing in T in 2017 to sell"),
        # a partial acquisition adds to Alpha's 60% of Beta: 60 + 45 > 100
        (stake("--investor", "Gamma", "--startup", "Beta", "--date", "2015",
               "--kind", "acquisition", "--percent", "45"),
         "Beta's holders would hold 105% in all in 2015 (at most 100%)"),
        # R owns T whole: T acquiring R whole would make each own itself
        (stake("--investor", "T", "--startup", "R", "--date", "2017", "--kind", "acquisition"),
         "T cannot acquire the whole of R in 2017: R → T already own it whole"),
    ]  # fmt: skip
    for args, message in cases:
        result = run(*args)
        assert result.exit_code != 0, (args, result.stdout)
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert message in result.stderr, (args, result.stderr)
    assert dump(isolated) == before
    # a partial acquisition within 100% is accepted and adds; the other holders stay
    ok = run(*stake("--investor", "Gamma", "--startup", "Beta", "--date", "2015",
                    "--kind", "acquisition", "--percent", "25"))  # fmt: skip
    assert ok.exit_code == 0, ok.stderr
    holders = {h["company"]: h for h in as_json(run, "companies", "show", "Beta")["holders"]}
    assert holders["Alpha"]["percent"] == "60" and holders["Alpha"]["state"] == "held"
    assert holders["Gamma"]["percent"] == "25"


def test_help_has_an_example(run: Run) -> None:
    for command in ("tree", "owners"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.stdout and f"ecoport {command} " in result.stdout


def test_holdings_read_in_sql_are_those_of_the_whole_fold(run: Run, tmp_path: Path) -> None:
    """holdings_of sums in SQL the holders that only added; the result is the same as
    folding every event of every company (positions_in). least_holdings, which folds a
    holder's own events with the whole acquisitions and rounds only, gives the same but
    for the most a position could be."""
    import random
    from dataclasses import replace

    from ecoport.services.ownership import _wholes, holdings_of, least_holdings, positions_in

    rng = random.Random(13)
    names = [f"N{i}" for i in range(12)]
    rows = []
    for day in range(1, 120):
        investor, company = rng.sample(names, 2)
        kind = rng.choice(["investment"] * 6 + ["acquisition", "sale", "exit", "holding"])
        percent = str(rng.randrange(1, 6)) if rng.random() < 0.5 else ""
        if kind == "exit" or (kind == "acquisition" and rng.random() < 0.5):
            percent = ""
        valued = kind == "investment" and rng.random() < 0.1
        rows.append(
            f"{investor},{company},test/p,{2000 + day // 12}-{day % 12 + 1:02d}-01,{kind},"
            f"{percent},{'R' if valued else ''},{'USD 10' if valued else ''},"
            f"{'USD 80' if valued else ''}\n"
        )
    assert run("init").exit_code == 0
    path = tmp_path / "random.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    assert run("import", str(path), "--on-error", "skip").exit_code in (0, 1)
    with reading(locate()) as reader:
        ids = [r[0] for r in reader.rows("SELECT id FROM company ORDER BY id")]
        kinds = dict(reader.rows("SELECT kind, COUNT(*) FROM stake GROUP BY kind"))
        assert kinds["investment"] > 40 and set(kinds) >= {"acquisition", "sale", "exit"}
        for as_of in ("2004-06-30", "2026-01-01"):
            whole = positions_in(reader, ids, as_of=as_of)
            for some in (ids[:1], ids[::3], ids):
                got = holdings_of(reader, some, as_of=as_of)
                expected = {h: {c: held[h] for c, held in whole.items() if h in held} for h in some}
                assert {h: got.get(h, {}) for h in some} == expected
                but_high = {
                    h: {c: replace(p, high=p.low) for c, p in held.items()}
                    for h, held in expected.items()
                }
                for wholes in (None, _wholes(reader, as_of)):
                    least = least_holdings(reader, some, ids, as_of=as_of, wholes=wholes)
                    assert {
                        h: {c: replace(p, high=p.low) for c, p in least.get(h, {}).items()}
                        for h in some
                    } == but_high
            ended = sum(not p.active for held in whole.values() for p in held.values())
            assert ended > 5 or as_of < "2005"  # the case has positions that ended


TRICKY = """\
A,T1,test/x,2010,investment,,,,
A,T1,test/x,2012-05-01,investment,10,,,
B,T1,test/x,2013-01-01,acquisition,,,,
A,T1,test/x,2014-01-01,investment,5,,,
A,T1,test/x,2015-01-01,sale,5,,,
A,T2,test/x,2011,investment,,,,
A,T2,test/x,2012,sale,30,,,
A,T3,test/x,2011-01-01,investment,20,,,
A,T3,test/x,2011-06-01,sale,20,,,
A,T4,test/x,2011-01-01,investment,60,,,
C,T4,test/x,2011-01-01,acquisition,,,,
A,T5,test/x,2011-01-01,acquisition,,,,
A,T5,test/x,2012-01-01,sale,100,,,
A,T6,test/x,2011-01-01,investment,,,,
A,T6,test/x,2012-01-01,holding,30,,,
A,T6,test/x,2013-01-01,sale,30,,,
A,T7,test/x,2011,investment,55,,,
A,T7,test/x,2012,exit,,,,
A,T7,test/x,2013,investment,,,,
A,T8,test/x,2011,investment,60,,,
T8,T9,test/x,2012,investment,10,,,
"""


def test_the_grouped_reading_agrees_with_the_fold(run: Run, tmp_path: Path) -> None:
    """progress reads held/least share in grouped SQL where nothing can change them and
    folds the rest: on re-entries after a whole acquisition, sales that end a bounded
    position or not, same-day ends, reported holdings, exits and re-investments, it
    agrees with the fold company by company."""
    from ecoport.services.ownership import ecosystem, holdings_of, least_positions

    load(run, tmp_path, TRICKY)
    with reading(locate()) as reader:
        a = reader.rows("SELECT id FROM company WHERE name = 'A'")[0][0]
        for day in ("2011-12-31", "2012-12-31", "2013-12-31", "2026-01-01"):
            folded = holdings_of(reader, {a}, as_of=day).get(a, {})
            quick = least_positions(reader, {a}, as_of=day).get(a, {})
            assert {c: p.active for c, p in folded.items()} == {
                c: on for c, (on, _low) in quick.items()
            }, day
            assert {c: p.low for c, p in folded.items() if p.active} == {
                c: low for c, (on, low) in quick.items() if on
            }, day
            held, reached = ecosystem(reader, a, as_of=dt.date.fromisoformat(day))
            assert held == sum(1 for p in folded.values() if p.active)
        # T8 is a subsidiary (60%): what it holds is reached
        assert ecosystem(reader, a)[1] == ["T9"]
