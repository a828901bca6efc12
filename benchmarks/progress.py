"""progress at scale, against the same aggregate through the sqlite3 command-line tool.

Usage: python benchmarks/progress.py [--size 1000000] [--runs 5] [--folder DIR] [--db FILE]

Builds (once, kept in --folder) an ecoport database of N stakes from benchmarks/bulk_import.py's
generator, or uses --db, then times, whole processes, medians of --runs, interleaved:

- `ecoport progress --investor "Investor 0001" --format json` (the investor with most deals:
  about 122,000 stakes in 45,000 companies at 1M): companies ever held and held now, sectors,
  money converted at each stake's date, milestones, the two paces, and the companies reached
  through subsidiaries (positions folded where grouped SQL cannot tell);
- the sqlite3 command-line tool running the aggregate the issue compares with (distinct
  companies and summed amounts per sector and currency), which does a fraction of that.

Goal (issue 17): progress within 2x of the sqlite3 aggregate.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_import import AGGREGATE, ecoport_command, user_env, write_csv  # noqa: E402


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and the child's peak RSS in MB."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - start
    if status:
        raise SystemExit(f"{cmd[0]} failed ({status})")
    return took, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    db = args.db
    if db is None:
        folder = args.folder or Path(tempfile.gettempdir()) / "ecoport-progress"
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / f"ecoport-{args.size}.db"
        if not db.exists():
            data = folder / f"stakes-{args.size}.csv"
            write_csv(data, args.size)
            env = user_env(db)
            subprocess.run([*ecoport_command(), "import", str(data), "-q"], env=env, check=True)
    env = user_env(db)
    ours_cmd = [*ecoport_command(), "progress", "--investor", "Investor 0001", "-f", "json"]
    sqlite_cli = shutil.which("sqlite3")
    cmds = {"ecoport": ours_cmd}
    if sqlite_cli:
        cmds["sqlite3"] = [sqlite_cli, str(db), AGGREGATE]
    for cmd in cmds.values():
        timed(cmd, env)  # warm the file cache
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in cmds}
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            runs[name].append(timed(cmd, env))
    ours = statistics.median(t for t, _ in runs["ecoport"])
    peak = max(m for _, m in runs["ecoport"])
    load = os.getloadavg()[0]
    print(f"progress on {db} (medians of {args.runs}; load {load:.1f})")
    print(f"  ecoport progress -f json   {ours:7.2f} s   peak {peak} MB")
    if "sqlite3" in runs:
        theirs = statistics.median(t for t, _ in runs["sqlite3"])
        ratio = ours / theirs
        print(f"  sqlite3 aggregate          {theirs:7.2f} s   ecoport {ratio:5.1f}x (goal 2x)")
    else:
        print("  sqlite3 command-line tool not installed: no comparison")


if __name__ == "__main__":
    main()
