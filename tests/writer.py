"""A writer process for the concurrency test and benchmark: adds stakes one transaction
at a time through the service layer, and reports what happened as one JSON line.

    python tests/writer.py WORKER COUNT START_AT

It waits until the wall clock reaches START_AT (a Unix time), so that every writer
starts at the same moment. The database is the one ECOPORT_DB names."""

import json
import sys
import time


def main() -> None:
    worker, count, start_at = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    from ecoport.core.dates import parse_date
    from ecoport.core.money import parse_money
    from ecoport.services.stakes import AddOptions, StakeCreate, add_stake
    from ecoport.store.db import Change, locate, writing

    loc = locate()
    ids, errors = [], []
    time.sleep(max(0.0, start_at - time.time()))
    began = time.perf_counter()
    for i in range(count):
        stake = StakeCreate(
            investor="Xiaomi",
            startup=f"Writer {worker} startup {i}",
            sector="iot",
            date=parse_date("2015-06-01"),
            amount=parse_money(f"{worker * 1000 + i + 1}000 USD"),
        )
        try:
            with writing(loc, change=Change(command=f"writer {worker}")) as session:
                result = add_stake(
                    session=session, stake_in=stake, options=AddOptions(new_company=True)
                )
                ids.append(result.stake["id"])
        except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
            errors.append(f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - began
    sys.stdout.write(json.dumps({"ids": ids, "errors": errors, "seconds": seconds}) + "\n")


if __name__ == "__main__":
    main()
