"""Quality and speed of `ecoport extract`: precision and recall per field and for whole stakes
over the annotated paragraphs in tests/data/extract/cases.yaml, the founding articles (read
from ../shared/reference/articles when present, never copied), a 10 MB article, start-up.

    python benchmarks/extract.py [--no-speed]
"""

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


def speed() -> None:
    import tempfile

    paragraph = (
        "Xiaomi bought a 20% stake in Roborock for 30 million yuan in June 2015. "
        "Analysts expect the smart-home market to grow 30 percent this year, they said. "
        "小米以12.7亿元入股美的集团，持股1.29%。 The weather in Beijing was mild.\n\n"
    )
    prose = (
        "The company said the new products would reach stores in the spring, and that its "
        "engineers had spent two years on the design. Reviewers praised the battery life. "
        "Sales in the first quarter were in line with what analysts had expected.\n\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        env_db = str(Path(folder) / "e.db")
        print()
        for label, unit in (
            ("news-like (one paragraph in ten reports a deal)", paragraph + prose * 9),
            ("dense (every paragraph reports deals)", paragraph),
        ):
            big = Path(folder) / "big.txt"
            big.write_text(unit * (10 * 1024 * 1024 // len(unit.encode())), encoding="utf-8")
            size = big.stat().st_size / 1024 / 1024
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "ecoport", "--db", env_db, "extract", str(big), "-f",
                 "json", "--date", "2015-06"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            took = time.perf_counter() - start
            print(f"{size:.1f} MB article, {label}: {took:.1f} s, exit {done.returncode}")
        small = Path(folder) / "small.txt"
        small.write_text(paragraph, encoding="utf-8")
        times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "ecoport", "--db", env_db, "extract", str(small), "-q"],
                capture_output=True, check=False,
            )  # fmt: skip
            times.append(time.perf_counter() - start)
        times.sort()
        print(
            f"start-up: extract of one paragraph {times[2] * 1000:.0f} ms (median of 5 processes)"
        )
        start = time.perf_counter()
        extract(paragraph, directory=seed_directory())
        took = (time.perf_counter() - start) * 1000
        print(f"first call in a warm process (imports cn2an): {took:.0f} ms")


if __name__ == "__main__":
    quality()
    if "--no-speed" not in sys.argv:
        speed()
