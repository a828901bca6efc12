"""The fair floor of `ecoport import`: what the standard library alone takes to load the file.

Usage: python benchmarks/import_floor.py FILE.csv DATABASE [--foreign-keys]

DATABASE is an empty ecoport database (``ecoport init``): the same schema, constraints and
indexes. The script does the work an import cannot skip, with nothing but `csv` and
`sqlite3`, in one transaction:

- reads FILE.csv (the columns of benchmarks/bulk_import.py) with `csv.reader`, streamed;
- parses each row as an import must: the kind checked against the known kinds, the date
  checked as a calendar day, the amount parsed exactly (`Decimal`) to minor units of its
  currency, the percent to millionths, names trimmed;
- gives each company the id of its first appearance (investor, then startup), with its name,
  lower-case key, normalised key and sector, and each (startup, date, round) a funding round;
- drops the stake table's indexes, inserts the stakes by `executemany` in batches of 20,000,
  and builds the indexes again after the load, as ecoport does for a big file.

SQLite enforces the schema's foreign keys only when a connection asks; ecoport checks every
reference (row by row, or, in a bulk load into an empty database, once before the commit),
this floor by default does not (as the issue measured it): --foreign-keys asks, row by row.

It prints the number of stakes written. Time it as a whole process (benchmarks/bulk_import.py
does, beside `ecoport import` of the same file).
"""

import csv
import datetime as dt
import sqlite3
import sys
from decimal import Decimal, InvalidOperation

BATCH = 20_000
KINDS = {"investment", "acquisition", "holding", "sale", "exit", "write-off"}
EXPONENTS = {"USD": 2, "CNY": 2, "EUR": 2, "GBP": 2, "JPY": 0}
CREATED = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def normalised(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def minor(amount: str, currency: str) -> int:
    try:
        value = Decimal(amount.replace(",", "")) * 10 ** EXPONENTS[currency]
    except (InvalidOperation, KeyError):
        raise SystemExit(f"bad amount {amount!r} {currency!r}") from None
    if value != value.to_integral_value() or value <= 0:
        raise SystemExit(f"bad amount {amount!r}")
    return int(value)


def main() -> None:
    path, database = sys.argv[1], sys.argv[2]
    conn = sqlite3.connect(database, isolation_level=None)
    if "--foreign-keys" in sys.argv[3:]:
        # the schema's foreign keys enforced row by row
        conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN IMMEDIATE")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'stake' "
        "AND sql IS NOT NULL"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    companies: dict[str, int] = {}
    rounds: dict[tuple[int, str, str], int] = {}
    days: dict[str, str] = {}
    micros: dict[str, int] = {}

    def company(name: str, sector: str | None) -> int:
        found = companies.get(name)
        if found is None:
            cursor = conn.execute(
                "INSERT INTO company (name, name_key, match_key, sector, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, name.lower(), normalised(name), sector, CREATED),
            )
            found = companies[name] = cursor.lastrowid or 0
        return found

    pending: list[tuple[object, ...]] = []
    written = 0
    with open(path, newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        next(rows)
        for investor, startup, sector, kind, date, amount, currency, percent, name in rows:
            if kind not in KINDS:
                raise SystemExit(f"bad kind {kind!r}")
            day = days.get(date)
            if day is None:
                day = days[date] = dt.date.fromisoformat(date).isoformat()
            investor_id = company(investor.strip(), None)
            startup_id = company(startup.strip(), sector.strip() or None)
            amount_minor = minor(amount, currency) if amount else None
            micro = None
            if percent:
                micro = micros.get(percent)
                if micro is None:
                    micro = micros[percent] = int(Decimal(percent) * 1_000_000)
            round_id = None
            if name:
                key = (startup_id, day, name)
                round_id = rounds.get(key)
                if round_id is None:
                    cursor = conn.execute(
                        "INSERT INTO funding_round (company_id, date, date_precision, name, "
                        "created_at) VALUES (?, ?, 'day', ?, ?)",
                        (startup_id, day, name, CREATED),
                    )
                    round_id = rounds[key] = cursor.lastrowid or 0
            pending.append(
                (
                    investor_id,
                    startup_id,
                    kind,
                    day,
                    "day",
                    amount_minor,
                    currency or None,
                    micro,
                    round_id,
                    CREATED,
                )
            )
            if len(pending) >= BATCH:
                written += len(pending)
                conn.executemany(
                    "INSERT INTO stake (investor_id, company_id, kind, date, date_precision, "
                    "amount_minor, currency, percent_micro, round_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    pending,
                )
                pending.clear()
    written += len(pending)
    conn.executemany(
        "INSERT INTO stake (investor_id, company_id, kind, date, date_precision, amount_minor, "
        "currency, percent_micro, round_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        pending,
    )
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.close()
    print(written)


if __name__ == "__main__":
    main()
