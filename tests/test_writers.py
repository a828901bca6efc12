"""Writers wait their turn: under load, and behind a transaction that holds the write lock
for longer than SQLite's old 10 s busy timeout, every write succeeds; a writer that may not
wait that long (``--wait``) stops with one line, having changed nothing."""

import json
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, dump, query

BOTH_BACKENDS = True
ROOT = Path(__file__).resolve().parents[1]
NEW_STAKE = (
    "add-stake", "--investor", "Xiaomi", "--startup", "Robo Works", "--sector", "iot/robots",
    "--date", "2016-03", "--amount", "61.5m CNY",
)  # fmt: skip
WAITING = "waiting for another ecoport write to finish…"

#: A writer process: COUNT stakes, one transaction each, from START_AT (a Unix time); one
#: JSON line: the stake ids, the errors, how long each write took (its wait included) and
#: how long all took.
WRITER = """
import json, sys, time
from ecoport.core.dates import parse_date
from ecoport.core.money import parse_money
from ecoport.services.stakes import AddOptions, StakeCreate, add_stake
from ecoport.store.db import Change, locate, writing

worker, count, start_at = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
loc = locate()
ids, errors, seconds = [], [], []
time.sleep(max(0.0, start_at - time.time()))
for i in range(count):
    stake = StakeCreate(
        investor="Xiaomi", startup=f"Writer {worker} startup {i}", sector="iot",
        date=parse_date("2015-06-01"), amount=parse_money(f"{worker * 1000 + i + 1}000 USD"),
    )
    began = time.perf_counter()
    try:
        with writing(loc, change=Change(command=f"writer {worker}")) as session:
            done = add_stake(session=session, stake_in=stake, options=AddOptions(new_company=True))
            ids.append(done.stake["id"])
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    seconds.append(time.perf_counter() - began)
span = time.time() - start_at
print(json.dumps({"ids": ids, "errors": errors, "seconds": seconds, "span": span}))
"""


@contextmanager
def busy_cores() -> Iterator[None]:
    """Every core kept busy by a CPU-bound process, for the duration of the block."""
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def test_eight_writers_on_busy_cores(
    seeded: Path, db_backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    workers, each = 8, 10
    with busy_cores():
        start_at = time.time() + 3  # every writer has imported ecoport by then, even slowed
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(w), str(each), str(start_at)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for w in range(workers)
        ]
        reports = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            reports.append(json.loads(out))
    errors = [e for r in reports for e in r["errors"]]
    ids = [i for r in reports for i in r["ids"]]
    seconds = [s for r in reports for s in r["seconds"]]
    assert errors == []
    assert len(ids) == len(set(ids)) == workers * each
    (stored,) = query(seeded, "SELECT COUNT(*) FROM stake WHERE id > 32")[0]
    assert stored == workers * each
    (logged,) = query(seeded, "SELECT COUNT(*) FROM change WHERE command LIKE ?", ("writer %",))[0]
    assert logged == workers * each
    with capsys.disabled():
        sys.stdout.write(
            f"\n  {db_backend}, both cores busy: {len(seconds)} writes by {workers} writers, "
            f"{len(ids)} stored, {len(errors)} errors; longest write (its wait included) "
            f"{max(seconds):.2f} s, mean {sum(seconds) / len(seconds):.2f} s; all done in "
            f"{max(r['span'] for r in reports):.1f} s\n"
        )


@contextmanager
def write_lock_held(db: Path | str) -> Iterator[None]:
    """Hold ecoport's write lock as a writer does, until the block ends: SQLite's RESERVED
    lock (BEGIN IMMEDIATE), PostgreSQL's advisory lock; then roll back."""
    from ecoport.store.db import WRITE_LOCK_KEY

    if isinstance(db, str):
        import psycopg

        conn: Any = psycopg.connect(db.replace("+psycopg", "", 1))
        conn.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
    else:
        import sqlite3

        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


def on_a_terminal(
    *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], int]:
    """Start ``ecoport ARGS`` with its stderr on a pseudo-terminal (as a person runs it);
    the process and the terminal's reading end."""
    reading, writing = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecoport", *args],
        stdout=subprocess.PIPE,
        stderr=writing,
        text=True,
        env=env,
    )
    os.close(writing)
    return proc, reading


def terminal_output(reading: int, *, until: str | None = None, timeout: float = 60) -> str:
    """What was written to the terminal: all of it, up to the process's end; or, *until*
    given, as soon as that has been written."""
    chunks, deadline = [], time.monotonic() + timeout
    while until is None or until not in b"".join(chunks).decode(errors="replace"):
        ready, _, _ = select.select([reading], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        try:
            chunk = os.read(reading, 4096)
        except OSError:  # the writing end is closed: all read
            break
        if not chunk:
            break
        chunks.append(chunk)
    if until is None:
        os.close(reading)
    return b"".join(chunks).decode().replace("\r\n", "\n")


#: Longer than SQLite's old busy timeout (10 s), which failed every other writer; on
#: PostgreSQL (no such timeout before) long enough for a few one-second lock attempts.
HOLD = {"sqlite": 12.0, "postgresql": 5.0}


def test_a_writer_waits_for_a_long_transaction(
    run: Run, seeded: Path, db_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold = HOLD[db_backend]
    with write_lock_held(seeded):
        began = time.monotonic()
        waiting, terminal = on_a_terminal(*NEW_STAKE)
        quiet, quiet_terminal = on_a_terminal("--quiet", *NEW_STAKE, "--date", "2016-04")
        # the note is for people: not on a pipe (a script's captured stderr)
        piped = subprocess.Popen(
            [sys.executable, "-m", "ecoport", *NEW_STAKE, "--date", "2016-05"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        before = dump(seeded)
        # a writer that may not wait so long: one line, exit 1, nothing changed
        for wait, shown in (("1", "1 s"), ("0", "0 s")):
            tried = time.monotonic()
            refused = run("--wait", wait, *NEW_STAKE, "--date", "2017")
            assert refused.exit_code == 1
            assert refused.stderr == (
                f"ecoport: error: another ecoport write has held the database for {shown}; "
                "nothing was changed (wait longer with --wait SECONDS)\n"
            )
            assert refused.stdout == ""
            assert time.monotonic() - tried >= float(wait)  # it did wait (no upper bound:
            # how long past it depends on the machine's load, which a test must not assert)
        monkeypatch.setenv("ECOPORT_WAIT", "0.5")
        from_env = run(*NEW_STAKE, "--date", "2017")
        assert from_env.exit_code == 1 and "held the database for 0.5 s;" in from_env.stderr
        assert dump(seeded) == before
        said = terminal_output(terminal, until=WAITING, timeout=30)
        assert WAITING in said, said
        noted = time.monotonic() - began
        time.sleep(max(0.5, hold - noted))
    out, _ = waiting.communicate(timeout=60)
    waited = time.monotonic() - began
    said += terminal_output(terminal)
    assert waiting.returncode == 0, said
    assert "Robo Works" in out
    assert said.count(WAITING) == 1, said
    quiet.communicate(timeout=60)
    assert quiet.returncode == 0
    assert WAITING not in terminal_output(quiet_terminal)
    _, err = piped.communicate(timeout=60)
    assert piped.returncode == 0 and WAITING not in err, err
    assert waited >= hold  # it went on only once the lock was let go, and did not give up
    (n,) = query(seeded, "SELECT COUNT(*) FROM stake s JOIN company c ON c.id = s.company_id "
                         "WHERE c.name = 'Robo Works'")[0]  # fmt: skip
    assert n == 3
