"""Python's cycle collector during a bulk import: run between files, not inside them.

A transaction's worth of posts is millions of small containers (decoded pages, row
tuples, account records) that all stay alive until the transaction is written. The
automatic collector runs every few hundred allocations and rescans the ones that are
still alive each time it promotes them: 13 % of the storing process's CPU and 21 % of
the worker's (bench/README.md), for nothing, since reference counting frees all of it.
So an import turns the automatic runs off and collects the young generations itself at
the end of each file (one collection after each transaction of a 100,000-post import
found no cycle at all, and cost 1.2 µs per mention); whatever cycles older objects form
are left to the automatic collector once the import is over.
"""

from __future__ import annotations

import gc


def pause() -> bool:
    """Turn the automatic collector off; returns whether it was on (for `resume`)."""
    was_on = gc.isenabled()
    gc.disable()
    return was_on


def resume(was_on: bool) -> None:
    """Put the automatic collector back as `pause` found it."""
    if was_on:
        gc.enable()


def collect_young() -> None:
    """Collect the cycles among objects made since the last collection (not the old
    generation, whose full scan would cost as much as the automatic runs saved)."""
    gc.collect(1)
