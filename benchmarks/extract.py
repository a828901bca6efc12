"""Quality and speed of `ecoport extract`: precision and recall per field and for whole stakes
over the annotated paragraphs in tests/data/extract/cases.yaml, the founding articles (read
from ../shared/reference/articles when present, never copied), a 10 MB article, start-up.

    python benchmarks/extract.py [--no-speed | --speed-only] [--runs 3]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecoport.core.dates import parse_date  # noqa: E402
from ecoport.core.extract import Directory, extract, plain_text  # noqa: E402
from ecoport.services.extract import extract_article  # noqa: E402

CASES = ROOT / "tests" / "data" / "extract" / "cases.yaml"
ARTICLES = ROOT.parent / "shared" / "reference" / "articles"
FIELDS = ("kind", "date", "amount", "currency", "percent", "round_total")
#: What the founding articles report (README of shared/reference): every deal, both milestones.
FOUNDING = {
    "xiaomi-midea-stake.txt": {
        "date": "2014-12",
        "stakes": [
            {"investor": "Xiaomi", "startup": "Midea Group", "kind": "investment",
             "date": "2014-12", "amount": "1270000000.00", "currency": "CNY", "percent": "1.29"},
            {"investor": "Xiaomi", "startup": "iQiyi", "kind": "investment", "date": "2014-11"},
            {"investor": "Xiaomi", "startup": "21Vianet Group", "kind": "investment",
             "date": "2014-12"},
            # stated in passing in the same article
            {"investor": "Baidu", "startup": "iQiyi", "kind": "holding", "date": "2014-12"},
            {"investor": "Google", "startup": "Nest Labs", "kind": "acquisition", "date": "2014",
             "amount": "3200000000.00", "currency": "USD"},
        ],
        "milestones": [
            {"investor": "Xiaomi", "count": 100, "planned": True},
            {"investor": "Xiaomi", "count": 25, "planned": False},
        ],
    },
    "xiaomi-100-startups-ninebot-segway.txt": {
        "date": "2015-04",
        "stakes": [
            {"investor": "Ninebot", "startup": "Segway", "kind": "acquisition", "date": "2015-04"},
        ],
        "milestones": [
            {"investor": "Xiaomi", "count": 100, "planned": True},
            {"investor": "Xiaomi", "count": 20, "planned": False},
        ],
    },
}  # fmt: skip


def seed_directory() -> Directory:
    seed = yaml.safe_load((ROOT / "data" / "seed_companies.yaml").read_text(encoding="utf-8"))
    pairs = []
    for c in seed["companies"]:
        pairs.append((str(c["name"]), str(c["name"])))
        pairs += [(str(a), str(c["name"])) for a in c.get("aliases") or []]
    return Directory(pairs)


def drafted(
    text: str, date: str | None, directory: Directory
) -> tuple[list[dict[str, Any]], list[Any]]:
    result = extract_article(
        plain_text(text), article="case", directory=directory,
        date=parse_date(date) if date else None,
    )  # fmt: skip
    records = []
    for r in result.stake_records():
        records.append(
            {k: v for k, v in r.items() if v is not None and k not in ("source", "note")}
        )
    milestones = [(m.investor, m.count, m.planned) for m in result.milestones]
    return records, milestones


def _clean(stake: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in stake.items() if v is not None}


class Score:
    def __init__(self) -> None:
        self.tp: dict[str, int] = dict.fromkeys(("stake", "investor", "startup", *FIELDS), 0)
        self.pred: dict[str, int] = dict.fromkeys(self.tp, 0)
        self.gold: dict[str, int] = dict.fromkeys(self.tp, 0)
        self.m = [0, 0, 0]
        self.misses: list[str] = []

    def add(self, case: str, got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
        got = [_clean(g) for g in got]
        want = [_clean(w) for w in want]
        for f in self.tp:
            if f == "stake":
                continue
            self.pred[f] += sum(1 for g in got if f in g)
            self.gold[f] += sum(1 for w in want if f in w)
        self.pred["stake"] += len(got)
        self.gold["stake"] += len(want)
        unmatched = list(want)
        for g in got:
            pair = next(
                (
                    w
                    for w in unmatched
                    if (w["investor"], w["startup"]) == (g["investor"], g["startup"])
                ),
                None,
            )
            if pair is None:
                same = [w for w in want if w["startup"] == g.get("startup")]
                if same:
                    self.tp["startup"] += 1
                self.misses.append(f"{case}: not expected {g}")
                continue
            unmatched.remove(pair)
            for f in ("investor", "startup", *FIELDS):
                if f in g and g.get(f) == pair.get(f):
                    self.tp[f] += 1
            if g == pair:
                self.tp["stake"] += 1
            else:
                self.misses.append(f"{case}: got {g}, expected {pair}")
        self.misses += [f"{case}: missed {w}" for w in unmatched]

    def milestones(self, case: str, got: list[Any], want: list[dict[str, Any]]) -> None:
        wanted = [(w["investor"], w["count"], w["planned"]) for w in want]
        self.m[0] += sum(1 for g in got if g in wanted)
        self.m[1] += len(got)
        self.m[2] += len(wanted)
        self.misses += [f"{case}: milestone missed {w}" for w in wanted if w not in got]
        self.misses += [f"{case}: milestone not expected {g}" for g in got if g not in wanted]

    def report(self, title: str) -> tuple[float, float]:
        print(f"\n{title}")
        print(f"  {'field':<12}{'precision':>10}{'recall':>8}{'(tp/pred/gold)':>18}")
        for f in ("investor", "startup", *FIELDS, "stake"):
            p = self.tp[f] / self.pred[f] if self.pred[f] else 1.0
            r = self.tp[f] / self.gold[f] if self.gold[f] else 1.0
            label = "WHOLE STAKE" if f == "stake" else f
            print(f"  {label:<12}{p:>10.2f}{r:>8.2f}   {self.tp[f]}/{self.pred[f]}/{self.gold[f]}")
        mp = self.m[0] / self.m[1] if self.m[1] else 1.0
        mr = self.m[0] / self.m[2] if self.m[2] else 1.0
        print(f"  {'milestones':<12}{mp:>10.2f}{mr:>8.2f}   {self.m[0]}/{self.m[1]}/{self.m[2]}")
        for miss in self.misses:
            print(f"    {miss}")
        sp = self.tp["stake"] / self.pred["stake"] if self.pred["stake"] else 1.0
        sr = self.tp["stake"] / self.gold["stake"] if self.gold["stake"] else 1.0
        return sp, sr


def quality() -> None:
    directory = seed_directory()
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    score = Score()
    for case in cases:
        got, milestones = drafted(case["text"], str(case.get("date")), directory)
        score.add(case["id"], got, case.get("stakes") or [])
        score.milestones(case["id"], milestones, case.get("milestones") or [])
    p, r = score.report(f"Annotated paragraphs ({len(cases)}, English and Chinese)")
    print(f"  whole stakes: precision {p:.2f} (goal >= 0.95), recall {r:.2f} (goal >= 0.85)")
    if not ARTICLES.is_dir():
        print("\nFounding articles: skipped (../shared/reference/articles is absent)")
        return
    founding = Score()
    for name, want in FOUNDING.items():
        path = ARTICLES / name
        if not path.is_file():
            print(f"\n{name}: skipped (absent)")
            continue
        got, milestones = drafted(path.read_text(encoding="utf-8"), want["date"], directory)
        founding.add(name, got, want["stakes"])
        founding.milestones(name, milestones, want["milestones"])
    founding.report("Founding articles (every deal they report, both milestones)")


#: Invented names for the 10 MB articles: every paragraph tells a deal of its own (distinct
#: companies, figures and dates), so no cache of sentences or names could make them quick.
_SYLLABLES = (
    "ro yee zhi lu hua mi nine ever aqa pu vio ku tai ming xin jia bo sen lan fei ke da yun "
    "qi mo ta na li wu zen"
).split()
_CN_SYLLABLES = "云智华绿紫青创纯润蓝星极光睿凯博万鸿优达泰"
_INVESTORS = ("Xiaomi", "Shunwei Capital", "Midea", "Baidu", "Kingsoft", "GGV Capital")
_CN_INVESTORS = ("小米", "顺为资本", "美的集团", "百度", "金山")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_PROSE = (
    "The company said the new products would reach stores in the spring, and that its "
    "engineers had spent two years on the design. Reviewers praised the battery life. "
    "Sales in the first quarter were in line with what analysts had expected.\n\n"
)


def deal_paragraph(i: int) -> str:
    """The *i*th paragraph that reports deals: one in English, one in Chinese, between
    sentences that report none (one with a percent and a date, one with a place)."""
    s = _SYLLABLES
    startup = (s[i % 30] + s[i // 30 % 30] + s[i // 900 % 30]).capitalize()
    cn = _CN_SYLLABLES
    cn_company = cn[i % 20] + cn[i // 20 % 20] + cn[i // 400 % 20] + "科技"
    return (
        f"{_INVESTORS[i % 6]} bought a {1 + i % 49}% stake in {startup} for "
        f"{10 + i % 890} million yuan in {_MONTHS[i % 12]} {2010 + i % 10}. "
        f"Analysts expect the smart-home market to grow {5 + i % 40} percent this year, "
        f"they said. {_CN_INVESTORS[i % 5]}以{1 + i % 90}.{i % 10}亿元入股{cn_company}，"
        f"持股{1 + i % 9}.{i % 97:02d}%。 The weather in Beijing was mild.\n\n"
    )


def big_article(path: Path, *, every: int, megabytes: int = 10) -> None:
    """A *megabytes* MB article in which one paragraph in *every* reports deals (the others
    are prose)."""
    limit = megabytes * 1024 * 1024
    size, i = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while size < limit:
            unit = deal_paragraph(i) + _PROSE * (every - 1)
            size += len(unit.encode())
            out.write(unit)
            i += 1


def timed(cmd: list[str], out: Path) -> tuple[float, int, int, float]:
    """Wall seconds, peak RSS (MB, the child's own: wait4), exit code and CPU seconds (user
    and system: less moved than wall time by what else the machine runs) of one process."""
    with out.open("wb") as sink, open(os.devnull, "wb") as null:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=sink, stderr=null)
        _pid, status, usage = os.wait4(child.pid, 0)
        took = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
    return took, usage.ru_maxrss // 1024, child.returncode, usage.ru_utime + usage.ru_stime


def speed(runs: int = 3) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        env_db = str(Path(folder) / "e.db")
        out = Path(folder) / "out.json"
        ecoport = [sys.executable, "-m", "ecoport", "--db", env_db]
        subprocess.run([*ecoport, "init", "--seed"], capture_output=True, check=True)
        eco = [*ecoport, "extract"]
        print(
            f"\nWhole processes (`extract FILE -f json`, the seed's companies in the database), "
            f"medians of {runs} runs; peak RSS"
        )
        for label, every in (
            ("news-like (one paragraph in ten reports deals)", 10),
            ("dense (every paragraph reports deals)", 1),
        ):
            big = Path(folder) / "big.txt"
            big_article(big, every=every)
            size = big.stat().st_size / 1024 / 1024
            cmd = [*eco, str(big), "-f", "json", "--date", "2015-06"]
            results = [timed(cmd, out) for _ in range(runs)]
            took = statistics.median(r[0] for r in results)
            cpu = statistics.median(r[3] for r in results)
            peak = max(r[1] for r in results)
            codes = {r[2] for r in results}
            found = json.loads(out.read_text(encoding="utf-8")) if codes == {0} else {}
            print(
                f"  {size:.1f} MB article, {label}: {took:.1f} s (CPU {cpu:.1f} s), "
                f"peak {peak} MB, exit {'/'.join(map(str, sorted(codes)))}, "
                f"{len(found.get('stakes', [])):,} drafts"
            )
        small = Path(folder) / "small.txt"
        small.write_text(deal_paragraph(0), encoding="utf-8")
        small_runs = [timed([*eco, str(small), "-q"], out) for _ in range(5)]
        wall = statistics.median(r[0] for r in small_runs) * 1000
        cpu = statistics.median(r[3] for r in small_runs) * 1000
        print(
            f"  start-up: extract of one paragraph {wall:.0f} ms (CPU {cpu:.0f} ms; "
            "median of 5 processes)"
        )
        start = time.perf_counter()
        extract(deal_paragraph(0), directory=seed_directory())
        took = (time.perf_counter() - start) * 1000
        print(f"  first call in a warm process (imports cn2an): {took:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-speed", action="store_true", help="quality only")
    parser.add_argument("--speed-only", action="store_true", help="speed only")
    parser.add_argument("--runs", type=int, default=3, help="runs of each 10 MB article")
    args = parser.parse_args()
    if not args.speed_only:
        quality()
    if not args.no_speed:
        speed(args.runs)
