"""Converting many amounts at their dates: rates loaded once, looked up by date.

Usage: python benchmarks/fx_convert.py [--n 100000]

Generates N amounts in CNY, HKD, GBP, EUR, USD and JPY on random days of 2006-2025 and
converts each to USD through ecoport's Rates (ECB data, Decimal arithmetic). Goal (issue 3):
100,000 conversions well under a second, the ECB data load (about 0.3 s) counted apart.
"""

import argparse
import datetime as dt
import random
import time
from decimal import Decimal

from ecoport.services.fx import Rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(2014)
    start = dt.date(2006, 1, 1)
    currencies = ["CNY", "HKD", "GBP", "EUR", "USD", "JPY"]
    rows = [
        (
            Decimal(rng.randint(10_000, 2_000_000_000_00)) / 100,
            rng.choice(currencies),
            start + dt.timedelta(days=rng.randint(0, 7300)),
        )
        for _ in range(args.n)
    ]
    rates = Rates()
    t0 = time.perf_counter()
    rates.rate("CNY", "USD", dt.date(2014, 12, 12))  # loads the ECB data
    t1 = time.perf_counter()
    total = Decimal(0)
    for amount, currency, day in rows:
        value, _ = rates.convert(
            amount.quantize(Decimal("1")) if currency == "JPY" else amount, currency, "USD", day
        )
        total += value
    t2 = time.perf_counter()
    print(f"ECB data load: {t1 - t0:.3f} s")
    print(f"{args.n:,} conversions: {t2 - t1:.3f} s ({(t2 - t1) / args.n * 1e6:.1f} us each)")
    print(f"total: USD {total:,.2f}")


if __name__ == "__main__":
    main()
