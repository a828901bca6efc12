"""Undoing a large import: wall time and peak memory of `ecoport undo`, whole process.

Usage: python benchmarks/undo.py [--sizes 200000 1000000] [--redo] [--json FILE|-] [--keep]

For each size N it generates the CSV of benchmarks/bulk_import.py (N stakes into 50,000
startups from 2,000 investors), imports it into an empty database with `ecoport import`,
then times `ecoport undo --yes` (and, with --redo, `ecoport undo --yes` of that undo, which
puts the import back; --yes: not on a terminal, an undo of more than 10 records is refused
without it), each in a child process of its own whose peak memory (max RSS) is read from
wait4(). After each step it checks, with sqlite3, that the stakes, rounds and companies are
back to what they were.

Goal (issue: undo in bounded memory): a 1M-row import's undo under 250 MB.
"""

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_import import ecoport_command, timed, user_env, write_csv  # noqa: E402

COUNTED = ("company", "funding_round", "stake")


def counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in COUNTED}
    finally:
        conn.close()


def latest_change(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT MAX(id) FROM change").fetchone()[0])
    finally:
        conn.close()


def measure(folder: Path, n: int, redo: bool) -> dict[str, object]:
    eco = ecoport_command()
    data = folder / f"stakes-{n}.csv"
    db = folder / f"ecoport-{n}.db"
    write_csv(data, n)
    env = user_env(db)
    timed([*eco, "-q", "init"], env)
    empty = counts(db)
    result: dict[str, object] = {"rows": n}
    result["import_s"], result["import_mb"] = timed([*eco, "-q", "import", str(data)], env)
    imported = counts(db)
    result["imported"] = imported
    result["undo_s"], result["undo_mb"] = timed([*eco, "-q", "undo", "--yes"], env)
    if counts(db) != empty:
        raise SystemExit(f"undo left {counts(db)}, not {empty}")
    if redo:
        undo_id = latest_change(db)
        again = [*eco, "-q", "undo", str(undo_id), "--yes"]
        result["redo_s"], result["redo_mb"] = timed(again, env)
        if counts(db) != imported:
            raise SystemExit(f"undo of the undo left {counts(db)}, not {imported}")
    data.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000], metavar="N")
    parser.add_argument("--redo", action="store_true", help="Also time the undo of the undo.")
    parser.add_argument("--json", metavar="FILE", help="Write the figures as JSON (- : stdout).")
    parser.add_argument("--keep", action="store_true", help="Keep the files (printed).")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ecoport-undo-"))
    results = []
    try:
        for n in args.sizes:
            start = time.perf_counter()
            results.append(measure(folder, n, args.redo))
            print(f"{n:,} rows measured in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    finally:
        if args.keep:
            print(f"files kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    header = f"{'rows':>10}  {'import s':>9} {'peak MB':>8}  {'undo s':>8} {'peak MB':>8}"
    if args.redo:
        header += f"  {'redo s':>8} {'peak MB':>8}"
    print(header)
    for r in results:
        line = (
            f"{r['rows']:>10,}  {r['import_s']:>9.1f} {r['import_mb']:>8}  "
            f"{r['undo_s']:>8.1f} {r['undo_mb']:>8}"
        )
        if args.redo:
            line += f"  {r['redo_s']:>8.1f} {r['redo_mb']:>8}"
        print(line)
    if args.json:
        text = json.dumps(results, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
