"""A balance of the whole portfolio by sector, ecoport against the plain-text accounting tools.

Usage: python benchmarks/peers.py [--size 100000] [--runs 3] [--folder DIR]
                                  [--bean-query PATH]

The same N stakes (benchmarks/bulk_import.py's generator: 50,000 startups in 20 sectors, 2,000
investors, five currencies, 12% of amounts undisclosed) are written as an ecoport import
(then imported once, kept in --folder), as a ledger journal (read by ledger and hledger) and as
a beancount file. Each tool then gives the balance by top-level sector, whole processes,
medians of --runs, side by side in one run:

- `ecoport report --by sector -f csv`: per sector, investors, companies, stakes, and the money
  in and out converted into USD at the ECB rate of each amount's own date;
- `ledger -f stakes.ledger balance ^Assets --depth 2` (Debian's ledger);
- `hledger -f stakes.ledger balance ^Assets --depth 2` (Debian's hledger);
- `bean-query stakes.beancount "SELECT root(account, 2), sum(position) GROUP BY 1"`
  (beancount and beanquery from PyPI: `pip install beancount beanquery`; --bean-query names
  the script when it is not on PATH).

The peers sum each sector per currency; ecoport does more (each amount converted at its
day's rate, distinct investors and companies counted), so the comparison is in the peers'
favour. A tool that is not installed is skipped with a note.

Goals (issue 17): at least 3x faster than ledger, 10x faster than hledger and bean-query.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_import import (  # noqa: E402
    SECTORS,
    ecoport_command,
    generate,
    investor_name,
    startup_name,
    user_env,
    write_csv,
)

GOALS = {"ledger": 3.0, "hledger": 10.0, "bean-query": 10.0}


def _rows(n: int) -> Iterator[tuple[str, str, str, str, str, str, str]]:
    """(date, investor, startup, sector account, kind, amount, currency) of each disclosed
    amount, in date order (the journals want it)."""
    rows = []
    for inv, st, kind, date, amount, cur, _pct, _rnd in generate(n):
        if not amount:
            continue
        sector = SECTORS[st % len(SECTORS)].split("/")[0].capitalize()
        rows.append((date, investor_name(inv), startup_name(st), sector, kind, amount, cur))
    rows.sort()
    yield from rows


def write_ledger(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for date, investor, startup, sector, kind, amount, cur in _rows(n):
            sign = "-" if kind == "sale" else ""
            out.write(
                f"{date} {investor} in {startup}\n"
                f"    Assets:{sector}:{startup.replace(' ', '')}  {sign}{amount} {cur}\n"
                f"    Equity:Investors\n\n"
            )


def write_beancount(path: Path, n: int) -> None:
    rows = list(_rows(n))
    accounts = sorted({f"Assets:{r[3]}:{r[2].replace(' ', '')}" for r in rows})
    with path.open("w", encoding="utf-8") as out:
        out.write('option "operating_currency" "USD"\n')
        for account in (*accounts, "Equity:Investors"):
            out.write(f"2000-01-01 open {account}\n")
        for date, investor, startup, sector, kind, amount, cur in rows:
            sign = "-" if kind == "sale" else ""
            out.write(
                f'{date} * "{investor}" "in {startup}"\n'
                f"  Assets:{sector}:{startup.replace(' ', '')}  {sign}{amount} {cur}\n"
                f"  Equity:Investors\n\n"
            )


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{cmd[0]} failed: {done.stderr.decode(errors='replace')[-400:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--bean-query", default=shutil.which("bean-query"))
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.gettempdir()) / "ecoport-peers"
    folder.mkdir(parents=True, exist_ok=True)
    n = args.size
    db = folder / f"ecoport-{n}.db"
    journal, beans = folder / f"stakes-{n}.ledger", folder / f"stakes-{n}.beancount"
    env = user_env(db)
    if not db.exists():
        data = folder / f"stakes-{n}.csv"
        write_csv(data, n)
        subprocess.run([*ecoport_command(), "import", str(data), "-q"], env=env, check=True)
    if not journal.exists():
        write_ledger(journal, n)
    if not beans.exists():
        write_beancount(beans, n)
    tools: dict[str, list[str] | None] = {
        "ecoport": [*ecoport_command(), "report", "--by", "sector", "-f", "csv"],
        "ledger": ["ledger", "-f", str(journal), "balance", "^Assets", "--depth", "2"]
        if shutil.which("ledger")
        else None,
        "hledger": ["hledger", "-f", str(journal), "balance", "^Assets", "--depth", "2"]
        if shutil.which("hledger")
        else None,
        "bean-query": [
            args.bean_query,
            str(beans),
            "SELECT root(account, 2), sum(position) GROUP BY 1",
        ]
        if args.bean_query
        else None,
    }
    times: dict[str, list[float]] = {name: [] for name, cmd in tools.items() if cmd}
    for cmd in tools.values():
        if cmd:
            timed(cmd, env)  # warm the file cache (and beancount's own cache)
    for _ in range(args.runs):  # interleaved: the machine's load hits every tool alike
        for name, cmd in tools.items():
            if cmd:
                times[name].append(timed(cmd, env))
    load = os.getloadavg()[0]
    print(f"balance by sector of {n:,} stakes, medians of {args.runs} (load {load:.1f})")
    ours = statistics.median(times["ecoport"])
    print(f"  ecoport report --by sector   {ours:7.2f} s")
    for name in ("ledger", "hledger", "bean-query"):
        if name not in times:
            print(f"  {name:<28} skipped: not installed")
            continue
        theirs = statistics.median(times[name])
        ratio = theirs / ours
        goal = GOALS[name]
        verdict = "goal met" if ratio >= goal else f"goal {goal:g}x not met"
        print(f"  {name:<28} {theirs:7.2f} s   ecoport {ratio:5.1f}x faster ({verdict})")


if __name__ == "__main__":
    main()
