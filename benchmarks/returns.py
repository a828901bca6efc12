"""ecoport returns at scale: whole processes, medians, peak memory.

Usage: python benchmarks/returns.py [--stakes 100000] [--runs 5] [--keep DIR]

Builds a database with ecoport's own commands (``ecoport init``, ``ecoport import``) in which
one investor, Investor 1, has --stakes stakes in 60 % as many startups (follow-ons in the
rest), shaped as an ecosystem investor's book: 85 % investments (three in four with an amount,
one in five of those in CNY, a quarter with a percent), 8 % reported holdings, 4 % sales with
an amount and a percent, 2 % exits with an amount, 1 % write-offs, dates from 2005 to 2024
(a tenth known only to the month or year); half as many stakes again by other investors in
the same startups (so that a position depends on its company's other holders), 1 % of them
in rounds with a post-money valuation. A mark is given for a third of the startups (written
as ``ecoport mark add`` writes it: the same row in the mark table, straight into SQLite,
since 20,000 processes would take longer than the measurement); the rest are valued by the
marks their stakes and rounds imply, or have none.

Times, as a user runs them (one process each, output to a pipe), the median of --runs whole
processes, with the CPU time and the peak memory (max RSS) of the slowest:
``ecoport returns --investor 'Investor 1'`` (table and JSON), ``--by sector``, ``--by
vintage`` and ``--by company`` (a row per position: 60,000 IRRs).

Goal (issue 14): returns for an investor with 100k stakes under 2 s.
"""

import argparse
import csv
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ownership import run, timed  # noqa: E402

SECTORS = ("iot/wearables", "iot/smart-home", "media/video", "fintech", "mobility", "health")
GOAL = 2.0


def _date(rng: random.Random) -> str:
    day = time.strftime(
        "%Y-%m-%d", time.gmtime((732_677 + rng.randrange(20 * 365) - 719_163) * 86400)
    )
    pick = rng.random()
    return day[:4] if pick < 0.03 else day[:7] if pick < 0.1 else day


def generate(stakes: int, seed: int = 2014) -> Iterator[list[str]]:
    """Rows: investor, startup, sector, kind, date, amount, percent, round, valuation."""
    rng = random.Random(seed)
    startups = int(stakes * 0.6)
    for i in range(stakes):
        startup = i + 1 if i < startups else rng.randrange(1, startups + 1)
        pick = rng.random()
        amount = percent = ""
        if pick < 0.85:
            kind = "investment"
            if rng.random() < 0.75:
                size = rng.randrange(1, 500) * 100_000
                amount = f"CNY {size * 7}" if rng.random() < 0.2 else f"USD {size}"
            if rng.random() < 0.25:
                percent = f"{rng.randrange(1, 1500) / 100:g}"
        elif pick < 0.93:
            kind, percent = "holding", f"{rng.randrange(1, 1500) / 100:g}"
        elif pick < 0.97:
            kind = "sale"
            amount = f"USD {rng.randrange(1, 500) * 100_000}"
            percent = f"{rng.randrange(1, 300) / 100:g}"
        elif pick < 0.99:
            kind, amount = "exit", f"USD {rng.randrange(1, 900) * 100_000}"
        else:
            kind = "write-off"
        sector = SECTORS[startup % len(SECTORS)]
        yield ["Investor 1", f"Startup {startup:06d}", sector, kind, _date(rng), amount, percent,
               "", ""]  # fmt: skip
    for _ in range(stakes // 2):
        startup = rng.randrange(1, startups + 1)
        other = f"Investor {rng.randrange(2, 5000)}"
        percent = f"{rng.randrange(1, 500) / 100:g}" if rng.random() < 0.3 else ""
        round_name = valuation = ""
        if rng.random() < 0.01:
            round_name, valuation = "B", f"USD {rng.randrange(20, 2000) * 1_000_000}"
        yield [other, f"Startup {startup:06d}", SECTORS[startup % len(SECTORS)], "investment",
               _date(rng), "", percent, round_name, valuation]  # fmt: skip


def build(folder: Path, stakes: int) -> Path:
    db = folder / f"returns-{stakes}.db"
    if db.exists():
        return db
    data = folder / f"returns-{stakes}.csv"
    with data.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["investor", "startup", "sector", "kind", "date", "amount", "percent",
                      "round", "valuation"])  # fmt: skip
        out.writerows(generate(stakes))
    partial = db.with_suffix(".partial")
    run(["-q", "init"], partial)
    start = time.perf_counter()
    run(["-q", "import", str(data), "--on-error", "skip"], partial)
    print(f"  (imported {stakes * 3 // 2:,} stakes in {time.perf_counter() - start:.0f} s)")
    rng = random.Random(7)
    conn = sqlite3.connect(partial)
    with conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM company WHERE name LIKE 'Startup %'")]
        marks = [
            (cid, f"{rng.randrange(2015, 2025)}-12-31", "day", "valuation",
             rng.randrange(10, 5000) * 100_000_000, "USD", "benchmark", "2026-01-01 00:00:00")
            for cid in rng.sample(ids, len(ids) // 3)
        ]  # fmt: skip
        conn.executemany(
            "INSERT INTO mark (company_id, date, date_precision, kind, valuation_minor, "
            "currency, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            marks,
        )
    conn.close()  # the marks out of the write-ahead log, into the file renamed
    partial.rename(db)
    data.unlink()
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stakes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Keep (and reuse) the database here.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="ecoport-returns-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        db = build(folder, args.stakes)
        with sqlite3.connect(db) as conn:
            (mine,) = conn.execute(
                "SELECT COUNT(*) FROM stake s JOIN company c ON c.id = s.investor_id "
                "WHERE c.name = 'Investor 1'"
            ).fetchone()
            (total,) = conn.execute("SELECT COUNT(*) FROM stake").fetchone()
            (marks,) = conn.execute("SELECT COUNT(*) FROM mark").fetchone()
        print(
            f"\nInvestor 1: {mine:,} stakes (of {total:,}; {marks:,} marks given), medians of "
            f"{args.runs} runs, goal {GOAL:g} s (load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores)"
        )
        base = ["returns", "--investor", "Investor 1", "--as-of", "2025-06-30"]
        for extra in ([], ["-f", "json"], ["--by", "sector"], ["--by", "vintage"],
                      ["--by", "company", "-f", "csv"]):  # fmt: skip
            wall, cpu, peak, lines = timed([*base, *extra], db, args.runs)
            verdict = "ok" if wall < GOAL else "SLOW"
            shown = " ".join(f"'{a}'" if " " in a else a for a in [*base[1:], *extra])
            print(
                f"  ecoport returns {shown:<62} {wall:6.3f} s wall {cpu:6.3f} s cpu "
                f"{peak:5d} MB peak {lines:>7,} lines  {verdict}"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
