"""Start-up time of hand-run commands, as ratios to `python -c pass` measured in the same run.

Usage: python benchmarks/startup.py [--runs 15]

Makes a seeded database in a temporary folder, then times whole processes:
`ecoport --help`, `ecoport progress` and `ecoport report --sector iot`.
Goals (issue 2): --help within 10x of `python -c pass`, progress within 45x.
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


def ecoport_command() -> list[str]:
    script = Path(sys.executable).with_name("ecoport")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ecoport"]


def median_ms(cmd: list[str], env: dict[str, str], runs: int) -> float:
    subprocess.run(cmd, env=env, check=True, capture_output=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ecoport-bench-"))
    try:
        env = {**os.environ, "ECOPORT_DB": str(folder / "seed.db")}
        eco = ecoport_command()
        subprocess.run([*eco, "init", "--seed"], env=env, check=True, capture_output=True)
        base = median_ms([sys.executable, "-c", "pass"], env, args.runs)
        rows = [("python -c pass", base)]
        for label, extra in (
            ("ecoport --help", ["--help"]),
            ("ecoport progress", ["progress"]),
            ("ecoport progress --format json", ["progress", "--format", "json"]),
            ("ecoport report --sector iot", ["report", "--sector", "iot"]),
        ):
            rows.append((label, median_ms([*eco, *extra], env, args.runs)))
        print(f"{'command':34} {'median ms':>10} {'ratio':>7}   ({args.runs} runs each)")
        for label, ms in rows:
            print(f"{label:34} {ms:10.1f} {ms / base:6.1f}x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
