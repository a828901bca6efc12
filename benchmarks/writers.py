"""Writers during a long write: start a large import, then other writers while it holds the
database; every one must succeed, each after waiting its turn.

    python benchmarks/writers.py                      # 100,000 rows, 6 writers, SQLite
    python benchmarks/writers.py --rows 200000 --writers 8
    python benchmarks/writers.py --db postgresql+psycopg://me@localhost/scratch

Prints the import's time and, for each writer, its exit code and how long it took (its wait
included). Whole processes; public tools only.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bulk_import import user_env, write_csv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--db", help="a PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()

    ecoport = shutil.which("ecoport")
    if ecoport is None:
        sys.exit("ecoport is not installed in this environment")
    work = Path(tempfile.mkdtemp(prefix="ecoport-writers-"))
    env = user_env(args.db or work / "ecoport.db")
    env.pop("COLUMNS", None)
    data = work / "stakes.csv"
    write_csv(data, args.rows)
    subprocess.run([ecoport, "init"], env=env, check=True, capture_output=True)

    started = time.perf_counter()
    importer = subprocess.Popen(
        [ecoport, "-q", "import", str(data), "--currency", "USD"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)  # the import has the write lock by now
    writers = []
    for n in range(args.writers):
        cmd = [ecoport, "-q", "add-stake", "--investor", "Late Writer", "--startup",
               f"Late Startup {n}", "--sector", "iot", "--date", "2020-01-02"]  # fmt: skip
        writers.append((time.perf_counter(), subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )))  # fmt: skip
        time.sleep(0.5)
    # each process's time is read when it ends, not when it is collected
    ended: dict[int, float] = {}
    procs = [importer, *(proc for _began, proc in writers)]
    while len(ended) < len(procs):
        for n, proc in enumerate(procs):
            if n not in ended and proc.poll() is not None:
                ended[n] = time.perf_counter()
        time.sleep(0.02)
    _out, import_err = importer.communicate()
    import_time = ended[0] - started
    results = []
    for n, (began, proc) in enumerate(writers, start=1):
        _out, err = proc.communicate()
        results.append((proc.returncode, ended[n] - began, ended[n] - started, err.strip()))

    print(f"import of {args.rows:,} rows: exit {importer.returncode}, {import_time:.1f} s")
    if importer.returncode:
        print(f"  {import_err.strip()}")
    for n, (code, took, done, err) in enumerate(results):
        print(
            f"writer {n}: exit {code}, {took:.1f} s (its wait included), done {done:.1f} s "
            f"after the import began{'  ' + err if err else ''}"
        )
    ok = sum(1 for code, *_rest in results if code == 0)
    print(f"{ok} of {len(results)} writers succeeded")
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok == len(results) and importer.returncode == 0 else 1)


if __name__ == "__main__":
    main()
