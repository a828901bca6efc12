"""Start-up time of hand-run commands, as ratios to `python -c pass` measured in the same run.

Usage: python benchmarks/startup.py [--runs 15]

Makes a seeded database in a temporary folder, then times whole processes (medians, each
command's runs interleaved with the others' so that the machine's load falls on all alike):
`ecoport --help`, `ecoport progress`, `ecoport report --sector iot` and `ecoport add-stake`
(a write through SQLModel: a new stake each run, each a new investor in the seed's startup).
Goals (issue 17): --help within 7x of `python -c pass`, progress within 15x, add-stake
within 30x. `python -X importtime -m ecoport progress` shows where the time goes.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_import import ecoport_command, user_env  # noqa: E402


def run_ms(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ecoport-bench-"))
    try:
        env = user_env(folder / "seed.db")
        eco = ecoport_command()
        subprocess.run([*eco, "init", "--seed"], env=env, check=True, capture_output=True)
        commands = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("ecoport --help", [*eco, "--help"]),
            ("ecoport progress", [*eco, "progress"]),
            ("ecoport progress --format json", [*eco, "progress", "--format", "json"]),
            ("ecoport report --sector iot", [*eco, "report", "--sector", "iot"]),
        ]
        times: dict[str, list[float]] = {label: [] for label, _ in commands}
        times["ecoport add-stake"] = []
        for _label, cmd in commands:
            run_ms(cmd, env)  # warm the file cache
        for i in range(args.runs):
            for label, cmd in commands:
                times[label].append(run_ms(cmd, env))
            add = [*eco, "-q", "add-stake", "--investor", f"Bench {i}", "--startup", "Misfit"]
            times["ecoport add-stake"].append(run_ms([*add, "--date", "2020"], env))
        base = statistics.median(times["python -c pass"])
        print(f"{'command':34} {'median ms':>10} {'ratio':>7}   ({args.runs} runs each)")
        for label, runs in times.items():
            ms = statistics.median(runs)
            print(f"{label:34} {ms:10.1f} {ms / base:6.1f}x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
