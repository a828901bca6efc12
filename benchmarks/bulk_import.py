"""Bulk import and progress at scale, against the floor of raw SQLite, in one run.

Usage: python benchmarks/bulk_import.py [--sizes 100000,1000000] [--runs 3]

For each size N it generates N stakes (50,000 startups, 2,000 investors with a long-tailed
share of the deals, amounts log-normal in USD/CNY/EUR/GBP/JPY with 12% undisclosed, dates over
20 years, 15% with a percent) as a CSV file, then measures, medians of --runs:

- raw: `sqlite3` `executemany` of the same, already parsed rows into the same schema
  (an empty ecoport database), one transaction (the cost of the writes alone);
- fair floor: benchmarks/import_floor.py, a whole process doing with nothing but `csv` and
  `sqlite3` the work an import cannot skip (streamed reading, the same parsing to minor
  units, the same companies, rounds and ids, the indexes built after the load); and again
  with the schema's foreign keys enforced row by row (the goal is measured against the
  first, as the issue measured it; the second is shown beside it: ecoport checks every
  reference too, row by row, or once at the end of a bulk load such as this one);
- `ecoport import FILE.csv` into an empty database: the whole process, parsing and checking
  included, its peak memory (max RSS) and the database's size after it;
- `ecoport progress --investor "Investor 0001" --format json` (the investor with most deals)
  on the imported database, whole process, against the same aggregate query (distinct
  companies and summed amounts per sector) run by the `sqlite3` command-line tool.

Goals (issue 17): import of 1M rows within 1.5x of the fair floor and under 200 MB; progress
within 2x of the sqlite3 CLI. --no-progress leaves progress out.
"""

import argparse
import csv
import math
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
from decimal import Decimal
from pathlib import Path

COMPANIES = 50_000
INVESTORS = 2_000
SECTORS = (
    "iot/wearables",
    "iot/smart-home/lighting",
    "iot/smart-home/cleaning",
    "iot/smart-home/kitchen",
    "iot/accessories",
    "home/appliances",
    "media/video",
    "media/music",
    "cloud/datacenter",
    "cloud/services",
    "mobility/personal-transport",
    "mobility/cars",
    "fintech/payments",
    "fintech/lending",
    "health/devices",
    "health/services",
    "software/enterprise",
    "software/consumer",
    "commerce/retail",
    "energy/batteries",
)
CURRENCIES = (("USD", 70, 2), ("CNY", 15, 2), ("EUR", 8, 2), ("GBP", 4, 2), ("JPY", 3, 0))
ROUNDS = ("seed", "A", "B", "C", "D", "strategic", "", "")
KINDS = ("investment",) * 18 + ("acquisition", "sale")
CREATED = "2026-01-01 00:00:00.000000"


def user_env(db: Path | str, **extra: str) -> dict[str, str]:
    """The environment of a user's ecoport on database *db*: its byte-code cached, as an
    installed package has it (in a folder of the benchmarks', PYTHONPYCACHEPREFIX; the first
    run writes it), and its output buffered, whatever PYTHONDONTWRITEBYTECODE and
    PYTHONUNBUFFERED say in the calling shell (a shell that sets the first would have every
    run compile ecoport's modules again, a cost no user pays)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "COLUMNS", "ECOPORT_TERMINAL")
    }
    cache = Path(tempfile.gettempdir()) / "ecoport-benchmarks-pycache"
    env.update(ECOPORT_DB=str(db), PYTHONPYCACHEPREFIX=str(cache), **extra)
    return env


def ecoport_command() -> list[str]:
    script = Path(sys.executable).with_name("ecoport")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ecoport"]


def investor_name(i: int) -> str:
    return f"Investor {i:04d}"


def startup_name(i: int) -> str:
    return f"Startup {i:05d}"


def generate(n: int, seed: int = 2014) -> Iterator[tuple[int, int, str, str, str, str]]:
    """(investor, startup, kind, date, amount text, currency, percent text, round) rows."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(INVESTORS)]  # a long tail, as in real data
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    cur_cum, acc = [], 0
    for _code, share, _exp in CURRENCIES:
        acc += share
        cur_cum.append(acc)
    investors = rng.choices(range(1, INVESTORS + 1), cum_weights=cum, k=n)
    for i in range(n):
        investor = investors[i]
        startup = rng.randrange(1, COMPANIES + 1)
        kind = rng.choice(KINDS)
        day = 732_000 + rng.randrange(20 * 365)  # ordinal days from 2005 on
        date = time.strftime("%Y-%m-%d", time.gmtime((day - 719_163) * 86400))
        pick = rng.randrange(100)
        code, _share, exponent = CURRENCIES[next(j for j, c in enumerate(cur_cum) if pick < c)]
        if rng.random() < 0.12:
            amount = ""
        else:
            major = int(math.exp(rng.gauss(14.5, 1.6)))  # median ~2M, long tail
            major = max(1000, round(major, -3))
            cents = rng.randrange(100) if exponent and rng.random() < 0.1 else 0
            amount = f"{major}.{cents:02d}" if cents else str(major)
        percent = f"{rng.randrange(1, 4000) / 100:g}" if rng.random() < 0.15 else ""
        yield (
            investor,
            startup,
            kind,
            date,
            amount,
            code if amount else "",
            percent,
            rng.choice(ROUNDS),
        )


def write_csv(path: Path, n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(
            [
                "investor",
                "startup",
                "sector",
                "kind",
                "date",
                "amount",
                "currency",
                "percent",
                "round",
            ]
        )
        for inv, st, kind, date, amount, cur, pct, rnd in generate(n):
            out.writerow(
                [
                    investor_name(inv),
                    startup_name(st),
                    SECTORS[st % len(SECTORS)],
                    kind,
                    date,
                    amount,
                    cur,
                    pct,
                    rnd,
                ]
            )


def parsed_rows(n: int) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The same rows as the CSV, already parsed to what ecoport stores: the funding rounds
    (one per startup, date and round name) and the stakes that took part in them."""
    exps = {code: exp for code, _s, exp in CURRENCIES}
    rows = []
    rounds: dict[tuple[int, str, str], int] = {}
    for inv, st, kind, date, amount, cur, pct, rnd in generate(n):
        round_id = None
        if rnd:
            round_id = rounds.setdefault((INVESTORS + st, date, rnd), len(rounds) + 1)
        minor = None
        if amount:
            major, _, cents = amount.partition(".")
            minor = int(major) * 10 ** exps[cur] + (int(cents) if cents else 0)
        micro = int(Decimal(pct) * 1_000_000) if pct else None
        rows.append(
            (
                inv,
                INVESTORS + st,
                kind,
                date,
                "day",
                minor,
                cur or None,
                micro,
                round_id,
                None,
                None,
                CREATED,
            )
        )
    round_rows = [
        (rid, company, date, "day", name, CREATED) for (company, date, name), rid in rounds.items()
    ]
    return round_rows, rows


def empty_db(path: Path) -> None:
    env = user_env(path)
    subprocess.run([*ecoport_command(), "-q", "init"], env=env, check=True, capture_output=True)


def floor(
    template: Path,
    target: Path,
    parsed: tuple[list[tuple[object, ...]], list[tuple[object, ...]]],
) -> float:
    round_rows, rows = parsed
    shutil.copy(template, target)
    companies = [
        (
            i,
            investor_name(i),
            investor_name(i).casefold(),
            investor_name(i).casefold().replace(" ", ""),
            None,
            CREATED,
        )
        for i in range(1, INVESTORS + 1)
    ]
    companies += [
        (
            INVESTORS + i,
            startup_name(i),
            startup_name(i).casefold(),
            startup_name(i).casefold().replace(" ", ""),
            SECTORS[i % len(SECTORS)],
            CREATED,
        )
        for i in range(1, COMPANIES + 1)
    ]
    conn = sqlite3.connect(target)
    start = time.perf_counter()
    conn.executemany(
        "INSERT INTO company (id, name, name_key, match_key, sector, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        companies,
    )
    conn.executemany(
        "INSERT INTO funding_round (id, company_id, date, date_precision, name, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        round_rows,
    )
    conn.executemany(
        "INSERT INTO stake (investor_id, company_id, kind, date, date_precision, amount_minor, "
        "currency, percent_micro, round_id, source, note, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and max RSS (MB) of one child process."""
    start = time.perf_counter()
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
    pid = os.posix_spawn(cmd[0], cmd, env, file_actions=quiet)  # a child: its own ru_maxrss
    _pid, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss // 1024


def size_mb(db: Path) -> float:
    """The database's size with its write-ahead log, in MB."""
    files = (Path(f"{db}{suffix}") for suffix in ("", "-wal"))
    return sum(f.stat().st_size for f in files if f.exists()) / 2**20


AGGREGATE = """
SELECT c.sector, COUNT(DISTINCT s.company_id), s.currency, SUM(s.amount_minor)
FROM stake s JOIN company c ON c.id = s.company_id
WHERE s.investor_id = (SELECT id FROM company WHERE name_key = 'investor 0001')
GROUP BY c.sector, s.currency;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="Keep the files (printed).")
    parser.add_argument("--no-progress", action="store_true", help="Time the import only.")
    parser.add_argument("--no-raw", action="store_true", help="Leave out the raw executemany.")
    parser.add_argument(
        "--floor", nargs=4, metavar=("N", "TEMPLATE", "TARGET", "RUNS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.floor:
        n, template, target, runs = args.floor
        rows = parsed_rows(int(n))
        print(" ".join(str(floor(Path(template), Path(target), rows)) for _ in range(int(runs))))
        return
    folder = Path(tempfile.mkdtemp(prefix="ecoport-bulk-"))
    eco = ecoport_command()
    sqlite_cli = shutil.which("sqlite3")
    try:
        template = folder / "empty.db"
        empty_db(template)
        for n in (int(s) for s in args.sizes.split(",")):
            data = folder / f"stakes-{n}.csv"
            write_csv(data, n)
            # in a child process: the parent stays small, so the children it starts report
            # their own peak memory (Linux carries a parent's peak into a spawned child)
            floors = [math.nan]
            if not args.no_raw:
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--floor",
                        str(n),
                        str(template),
                        str(folder / "floor.db"),
                        str(args.runs),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                floors = [float(x) for x in out.split()]
            fair_script = str(Path(__file__).with_name("import_floor.py"))
            fairs, fair_peaks, imports, peaks, keyed = [], [], [], [], []
            db = folder / f"ecoport-{n}.db"
            fair_db = folder / "fair-floor.db"
            for _ in range(args.runs):  # they alternate: the machine's load hits all alike
                for target in (db, fair_db):
                    for suffix in ("", "-wal", "-shm", "-journal"):
                        Path(f"{target}{suffix}").unlink(missing_ok=True)
                    shutil.copy(template, target)
                env = user_env(fair_db)
                seconds, peak = timed([sys.executable, fair_script, str(data), str(fair_db)], env)
                fairs.append(seconds)
                fair_peaks.append(peak)
                shutil.copy(template, fair_db)
                fk = [sys.executable, fair_script, str(data), str(fair_db), "--foreign-keys"]
                keyed.append(timed(fk, env)[0])
                env = user_env(db)
                seconds, peak = timed([*eco, "-q", "import", str(data)], env)
                imports.append(seconds)
                peaks.append(peak)
            f, fair, i, fk_fair = (statistics.median(x) for x in (floors, fairs, imports, keyed))
            mb = data.stat().st_size / 2**20
            print(f"\n{n:,} stakes ({mb:.0f} MB of CSV), medians of {args.runs} runs")
            if args.no_raw:
                print("  raw: sqlite3 executemany        skipped (--no-raw)")
            else:
                print(f"  raw: sqlite3 executemany        {f:8.2f} s")
            print(
                f"  fair floor: csv + sqlite3       {fair:8.2f} s   "
                f"peak {max(fair_peaks)} MB   database {size_mb(fair_db):.0f} MB"
            )
            print(
                f"  the same, foreign keys enforced {fk_fair:8.2f} s   "
                "(ecoport checks every reference: here, into an empty database, once at the end)"
            )
            print(
                f"  ecoport import                  {i:8.2f} s   {i / fair:5.2f}x fair floor   "
                f"peak {max(peaks)} MB   database {size_mb(db):.0f} MB"
            )
            print(f"    ({i / fk_fair:.2f}x the floor with the foreign keys enforced)")
            # each import against the floor run just before it: a machine whose speed drifts
            # moves both alike, so the median of these ratios is the steadier figure
            paired = statistics.median(x / y for x, y in zip(imports, fairs, strict=True))
            print(f"    ({paired:.2f}x: the median of each run's ratio to the floor beside it)")
            print(
                f"    (each run, s: {' '.join(f'{x:.2f}' for x in imports)}; "
                f"floor: {' '.join(f'{x:.2f}' for x in fairs)})"
            )
            if args.no_progress:
                continue
            env = user_env(db)
            progress_cmd = [*eco, "progress", "--investor", "Investor 0001", "--format", "json"]
            timed(progress_cmd, env)  # warm the file cache
            progress = statistics.median(timed(progress_cmd, env)[0] for _ in range(5))
            cli = None
            if sqlite_cli:
                cli_cmd = [sqlite_cli, str(db), AGGREGATE]
                timed(cli_cmd, env)
                cli = statistics.median(timed(cli_cmd, env)[0] for _ in range(5))
            print(f"  ecoport progress --format json  {progress:8.3f} s", end="")
            if cli is not None:
                print(f"   {progress / cli:5.2f}x the sqlite3 CLI ({cli:.3f} s)")
            else:
                print("   (no sqlite3 command-line tool to compare with)")
        if args.keep:
            print(f"\nfiles kept in {folder}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
