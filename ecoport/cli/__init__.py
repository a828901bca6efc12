"""The command-line interface: parse options, call one service, hand the result to render.

An ecoport command is a short process that allocates mostly objects that live until it exits
(modules, rows read, caches of an import); they make few reference cycles. With CPython's
default thresholds the cyclic collector runs every 700 allocations and rescans the growing
heap again and again for nothing: about 7% of a command's start-up, 8% of `progress` on a
million stakes, 11% of importing a million rows. The command line (not the library) asks
for a collection every 100,000 allocations instead; cycles are still collected.
"""

import gc

gc.set_threshold(100_000, 50, 50)
