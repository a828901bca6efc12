"""Listings at scale: time and peak memory of `stakes list` and `report`, whole processes.

Usage: python benchmarks/listing.py [--sizes 100000,1000000] [--runs 3] [--folder DIR]
                                    [--json FILE|-]

For each size N it generates the stakes of benchmarks/bulk_import.py (N stakes into 50,000
startups from 2,000 investors), imports them into an empty database with `ecoport import`
(kept in --folder and reused when it is there: the import of 1M stakes takes minutes), then
measures, each command a child process of its own (medians of --runs; peak memory is the
child's max RSS from wait4):

- `stakes list` on a terminal: stdout is a pseudo-terminal (pty.openpty, 80 columns by its
  window size and COLUMNS=80), so ecoport behaves as for a person: the first 50 rows and
  how many there are. (Without a pty, ECOPORT_TERMINAL=1 forces the same behaviour.)
- `stakes list --all` as a table fitted to 80 columns (COLUMNS=80), against
  `stakes list --format csv`: the same rows, both to /dev/null.
- `report --format json`, and `report` as a table (every stake, piped) against
  `report --format csv`, to /dev/null.

The children run as a user's would: with byte-code cached (in a folder of the benchmark's,
PYTHONPYCACHEPREFIX) and buffered output, whatever PYTHONDONTWRITEBYTECODE and
PYTHONUNBUFFERED say in the calling shell.

Goals (issue 12): on 1M stakes, `stakes list` on a terminal under 0.5 s; `stakes list --all`
as a table within 3x the time of the same rows as CSV, and under 150 MB; `report --format
json` under 150 MB.
"""

import argparse
import fcntl
import json
import os
import pty
import shutil
import sqlite3
import statistics
import struct
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_import import ecoport_command, timed, write_csv  # noqa: E402

GOALS = {"terminal_s": 0.5, "table_vs_csv": 3.0, "table_mb": 150, "json_mb": 150}


def child_env(db: Path, folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's ecoport: byte-code cached, output buffered."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "COLUMNS", "ECOPORT_TERMINAL")
    }
    env.update(ECOPORT_DB=str(db), PYTHONPYCACHEPREFIX=str(folder / "pycache"), **extra)
    return env


def on_terminal(cmd: list[str], env: dict[str, str], columns: int = 80) -> tuple[float, int, str]:
    """Wall seconds, max RSS (MB) and output of *cmd* with a pseudo-terminal as stdout."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child is gone and the terminal closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    actions = [
        (os.POSIX_SPAWN_DUP2, slave, 1),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    start = time.perf_counter()
    pid = os.posix_spawn(cmd[0], cmd, env, file_actions=actions)
    _pid, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss // 1024, b"".join(chunks).decode("utf-8", "replace")


def median_of(runs: int, measure) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Median seconds and the highest peak MB of *runs* measurements (after one warm-up)."""
    measure()
    results = [measure() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def database(folder: Path, n: int) -> Path:
    """An ecoport database of *n* generated stakes, imported once and kept in *folder*."""
    db = folder / f"ecoport-{n}.db"
    if db.exists():
        conn = sqlite3.connect(db)
        try:
            if conn.execute("SELECT COUNT(*) FROM stake").fetchone()[0] >= n * 0.99:
                return db
        finally:
            conn.close()
        db.unlink()
    data = folder / f"stakes-{n}.csv"
    write_csv(data, n)
    env = child_env(db, folder)
    eco = ecoport_command()
    timed([*eco, "-q", "init"], env)
    print(f"importing {n:,} stakes into {db} ...", flush=True)
    seconds, peak = timed([*eco, "-q", "import", str(data)], env)
    print(f"  imported in {seconds:.1f} s, peak {peak} MB", flush=True)
    data.unlink()
    return db


def measure(folder: Path, n: int, runs: int) -> dict[str, object]:
    db = database(folder, n)
    eco = ecoport_command()
    env = child_env(db, folder, COLUMNS="80")
    stakes = sqlite3.connect(db).execute("SELECT COUNT(*) FROM stake").fetchone()[0]
    out: dict[str, object] = {"stakes": stakes}

    _s, _mb, shown = on_terminal([*eco, "stakes", "list"], env)
    expected = f"50 of {stakes:,} stakes shown"
    if expected not in shown:
        raise SystemExit(f"on a terminal, `stakes list` did not say {expected!r}:\n{shown}")
    out["terminal_s"], out["terminal_mb"] = median_of(
        runs, lambda: on_terminal([*eco, "stakes", "list"], env)[:2]
    )
    for key, args in (
        ("table", ["stakes", "list", "--all"]),
        ("csv", ["stakes", "list", "--format", "csv"]),
        ("json", ["report", "--format", "json"]),
        ("report_table", ["report"]),
        ("report_csv", ["report", "--format", "csv"]),
    ):
        out[f"{key}_s"], out[f"{key}_mb"] = median_of(runs, lambda a=args: timed([*eco, *a], env))
    out["table_vs_csv"] = round(out["table_s"] / out["csv_s"], 2)  # type: ignore[operator]
    out["report_table_vs_csv"] = round(out["report_table_s"] / out["report_csv_s"], 2)  # type: ignore[operator]
    return out


def verdict(name: str, value: float, goal: float) -> str:
    return f"{'ok' if value <= goal else 'MISSED'} (goal {name} {goal:g})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="Comma-separated stake counts.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", help="Keep the databases here and reuse them.")
    parser.add_argument("--json", metavar="FILE", help="Write the figures as JSON (- : stdout).")
    args = parser.parse_args()
    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="ecoport-list-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            before = os.getloadavg()[0]
            r = measure(folder, n, args.runs)
            # other work on the machine slows every figure: say how busy it was
            r["load_average"] = [round(before, 2), round(os.getloadavg()[0], 2)]
            results.append(r)
            print(
                f"\n{r['stakes']:,} stakes, medians of {args.runs} runs (peak: the highest); "
                f"load average {before:.2f} before, {os.getloadavg()[0]:.2f} after"
            )
            rows = (
                ("stakes list, on a terminal (pty, 80 columns)", "terminal"),
                ("stakes list --all, table at 80 columns", "table"),
                ("stakes list --format csv", "csv"),
                ("report --format json", "json"),
                ("report, table of every stake", "report_table"),
                ("report --format csv", "report_csv"),
            )
            for label, key in rows:
                print(f"  {label:<46} {r[f'{key}_s']:8.2f} s  peak {r[f'{key}_mb']:5} MB")
            print(f"  terminal page: {verdict('s', r['terminal_s'], GOALS['terminal_s'])}")  # type: ignore[arg-type]
            print(
                f"  table / CSV: {r['table_vs_csv']}x, "
                f"{verdict('x', r['table_vs_csv'], GOALS['table_vs_csv'])}; "  # type: ignore[arg-type]
                f"peak {verdict('MB', r['table_mb'], GOALS['table_mb'])}"  # type: ignore[arg-type]
            )
            print(f"  report JSON peak: {verdict('MB', r['json_mb'], GOALS['json_mb'])}")  # type: ignore[arg-type]
            print(f"  report table / CSV: {r['report_table_vs_csv']}x")
    finally:
        if not args.folder:
            shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        text = json.dumps(results, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
