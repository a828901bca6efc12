"""ecoport tree and ecoport owners at scale: whole processes, medians.

Usage: python benchmarks/ownership.py [--crunchbase DIR] [--size 1000000] [--runs 5]
                                      [--keep DIR] [--skip-crunchbase] [--skip-generated]

Builds its databases with ecoport's own commands (``ecoport init``, ``ecoport import``), then
times, as a user would run them (one process each, output to a pipe), medians of --runs:

- the Crunchbase 2013 data (``investments.csv`` and ``crunchbase-acquisitions.csv`` of
  --crunchbase, imported with their shipped mappings, --on-error skip; ~80k stakes):
  ``ecoport tree`` for the investor with the most holdings and ``ecoport owners`` for the
  company with the most holders (both found with ``ecoport companies list --sort``);
- a generated database of --size stakes shaped after the Crunchbase data, twelve times as
  large (250,000 startups, 50,000 investors with a long-tailed share of the deals, the
  largest with about 0.6 % of them as there; startups with a long tail of popularity; 4 %
  of the stakes taken by startups in startups so that trees go deep; 5 % acquisitions of
  whole companies, 1 % sales, 1 % exits, 1 % reported holdings; 15 % with a percent; 1 % in
  rounds with a total and a post-money valuation): the same two commands for Investor
  00001 (the most deals) and the company with the most holders.

Goals (issue 13): each under 1 s on the Crunchbase data and under 3 s on 1M stakes.
--keep DIR keeps the databases there and reuses them on the next run; --database PATH_OR_URL
times a database of your own instead (a PostgreSQL one too).
"""

import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_import import ecoport_command, user_env  # noqa: E402

#: Shaped after the Crunchbase 2013 data, twelve times as large: there, 84,570 stakes in
#: 24,333 companies by 18,948 investors; the largest investor took 0.6 % of the stakes and
#: 4 % were taken by companies that others hold.
COMPANIES = 250_000
INVESTORS = 50_000
#: startups that invest in other startups themselves (corporate venture arms)
INVESTING_STARTUPS = 25_000
CRUNCHBASE = Path("/work/shared/reference/crunchbase-2013")


def run(args: list[str], db: Path | str, *, quiet: bool = True) -> str:
    env = user_env(db, ECOPORT_TERMINAL="0")
    done = subprocess.run(
        [*ecoport_command(), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0 and not (quiet and args[0] == "import" and done.returncode == 1):
        raise SystemExit(f"failed ({done.returncode}): ecoport {' '.join(args)}\n{done.stderr}")
    return done.stdout


def timed(args: list[str], db: Path | str, runs: int) -> tuple[float, float, int, int]:
    """Median wall and CPU seconds of *runs* whole processes, the largest peak memory (MB)
    and the output's lines. Each process is spawned (not forked), so its max RSS is its own."""
    env = user_env(db, ECOPORT_TERMINAL="0")
    cmd = [*ecoport_command(), *args]
    walls, cpus, peaks = [], [], []
    with tempfile.TemporaryFile() as out:
        for n in range(runs + 1):  # the first run warms the file cache, not counted
            out.seek(0)
            out.truncate()
            start = time.perf_counter()
            pid = os.posix_spawn(
                cmd[0], cmd, env, file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1)]
            )
            _pid, status, usage = os.wait4(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"failed: ecoport {' '.join(args)}")
            if n:
                walls.append(time.perf_counter() - start)
                cpus.append(usage.ru_utime + usage.ru_stime)
                peaks.append(usage.ru_maxrss // 1024)
        out.seek(0)
        lines = out.read().count(b"\n")
    return statistics.median(walls), statistics.median(cpus), max(peaks), lines


def startup_name(i: int) -> str:
    return f"Startup {i:06d}"


def investor_name(i: int) -> str:
    return f"Investor {i:05d}"


def _cumulative(n: int, offset: int) -> list[float]:
    """Cumulative weights 1/(rank + offset): a long tail whose head *offset* flattens."""
    cum, total = [], 0.0
    for rank in range(n):
        total += 1 / (rank + offset)
        cum.append(total)
    return cum


def generate(n: int, seed: int = 2015) -> Iterator[list[str]]:
    """Rows: investor, startup, sector, kind, date, percent, round, round_total, valuation."""
    rng = random.Random(seed)
    # Investor 00001 takes about 0.6 % of the stakes (as the largest Crunchbase investors do)
    investors = rng.choices(range(1, INVESTORS + 1), cum_weights=_cumulative(INVESTORS, 20), k=n)
    popular = list(range(1, COMPANIES + 1))
    rng.shuffle(popular)  # how sought-after a startup is has nothing to do with its number
    startups = rng.choices(popular, cum_weights=_cumulative(COMPANIES, 2000), k=n)
    for i in range(n):
        startup = startups[i]
        if rng.random() < 0.04:
            other = rng.randrange(1, INVESTING_STARTUPS + 1)
            investor = startup_name(other if other != startup else other % COMPANIES + 1)
        else:
            investor = investor_name(investors[i])
        pick = rng.random()
        percent = f"{rng.randrange(1, 1000) / 100:g}" if rng.random() < 0.15 else ""
        if pick < 0.05:
            kind, percent = "acquisition", ""
        elif pick < 0.06:
            kind = "sale"
        elif pick < 0.07:
            kind, percent = "exit", ""
        elif pick < 0.08:
            kind = "holding"
        else:
            kind = "investment"
        day = 730_120 + rng.randrange(20 * 365)  # ordinal days from 2000 on
        date = time.strftime("%Y-%m-%d", time.gmtime((day - 719_163) * 86400))
        round_name = total_ = valuation = ""
        if kind == "investment" and rng.random() < 0.01:
            round_name = "B"
            size = rng.randrange(5, 50) * 1_000_000
            total_ = f"USD {size}"
            valuation = f"USD {size * rng.randrange(3, 10)}"
        yield [
            investor,
            startup_name(startup),
            "test/generated",
            kind,
            date,
            percent,
            round_name,
            total_,
            valuation,
        ]


def generated_db(folder: Path, n: int) -> Path:
    db = folder / f"generated-{n}.db"
    if db.exists():
        return db
    data = folder / f"generated-{n}.csv"
    with data.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(
            [
                "investor",
                "startup",
                "sector",
                "kind",
                "date",
                "percent",
                "round",
                "round_total",
                "valuation",
            ]
        )
        out.writerows(generate(n))
    partial = db.with_suffix(".partial")
    run(["-q", "init"], partial)
    start = time.perf_counter()
    run(["-q", "import", str(data), "--on-error", "skip"], partial)
    print(f"  (imported {n:,} generated stakes in {time.perf_counter() - start:.0f} s)")
    partial.rename(db)
    data.unlink()
    return db


def crunchbase_db(folder: Path, source: Path) -> Path:
    db = folder / "crunchbase-2013.db"
    if db.exists():
        return db
    partial = db.with_suffix(".partial")
    run(["-q", "init"], partial)
    for name, mapping in (
        ("investments.csv", "crunchbase-2013-investments"),
        ("crunchbase-acquisitions.csv", "crunchbase-2013-acquisitions"),
    ):
        run(
            ["-q", "import", str(source / name), "--mapping", mapping, "--on-error", "skip"],
            partial,
        )
    partial.rename(db)
    return db


def most(db: Path | str, sort: str) -> str:
    """The company first by *sort* (holders or holdings), by ecoport companies list."""
    out = run(["companies", "list", "--sort", f"{sort}:desc", "--limit", "1", "-f", "json"], db)
    return str(json.loads(out)["companies"][0]["name"])


def measure(
    label: str, db: Path | str, investor: str, company: str, runs: int, goal: float
) -> None:
    stakes = ""
    if isinstance(db, Path):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            stakes = f" ({conn.execute('SELECT COUNT(*) FROM stake').fetchone()[0]:,} stakes)"
    load = os.getloadavg()[0]
    print(
        f"\n{label}{stakes}, medians of {runs} runs, goal {goal:g} s "
        f"(load average {load:.1f} on {os.cpu_count()} cores)"
    )
    for args in (
        ["tree", investor, "-f", "json"],
        ["tree", investor],
        ["owners", company, "-f", "json"],
        ["owners", company],
    ):
        wall, cpu, _peak, lines = timed(args, db, runs)
        verdict = "ok" if wall < goal else "SLOW"
        shown = " ".join(f"'{a}'" if " " in a else a for a in args)
        print(
            f"  ecoport {shown:<44} {wall:6.3f} s wall {cpu:6.3f} s cpu "
            f"{lines:>7,} lines  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crunchbase", type=Path, default=CRUNCHBASE)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Keep (and reuse) the databases here.")
    parser.add_argument("--skip-crunchbase", action="store_true")
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument(
        "--database",
        metavar="PATH_OR_URL",
        help="Only time a database of your own (a postgresql:// URL too), its investor "
        "with the most holdings and company with the most holders.",
    )
    parser.add_argument("--goal", type=float, default=3, help="Seconds, for --database.")
    args = parser.parse_args()
    if args.database:
        db = args.database
        measure(args.database, db, most(db, "holdings"), most(db, "holders"), args.runs, args.goal)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="ecoport-ownership-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if not args.skip_crunchbase:
            if (args.crunchbase / "investments.csv").exists():
                db = crunchbase_db(folder, args.crunchbase)
                measure(
                    "Crunchbase 2013", db, most(db, "holdings"), most(db, "holders"), args.runs, 1
                )
            else:
                print(f"no Crunchbase data in {args.crunchbase}: skipped")
        if not args.skip_generated:
            db = generated_db(folder, args.size)
            measure(
                f"Generated, {args.size:,} stakes",
                db,
                investor_name(1),
                most(db, "holders"),
                args.runs,
                3,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
