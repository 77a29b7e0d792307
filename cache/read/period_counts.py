"""The filter line's count of free words within a time range (`since:7d Streik`), read
from the full-text index band by band instead of testing each match's time.

A count stops at the cap ("more than 10,000"): it needs 10,001 matches inside the period.
Tested one by one (the time windows of `cache.read.windowed`, or the plain statement),
each match costs a look-up of its mention: 21 ms for `since:7d Streik` and 46-73 ms for
`until:<a week back> Streik` at a million mentions (bench/README.md).

Rowids are handed out as posts are stored, so the mentions of a stretch of time sit in a
narrow band of rowids. Here the period is cut into windows from its newest end, each
twice the size of the one before. One walk of the time index gives a window's mentions'
number and their lowest and highest rowid; the full-text index then counts the matches
whose rowid lies in that band, without looking any mention up. The band may also hold
mentions of other times (stored out of order, or deleted rowids): each of them could be
one of those matches, so they are subtracted. What is left is a lower bound of the
window's matches, and exactly their number when the band holds nothing else.

Once the bounds add up to the cap the count is settled. Otherwise it is the sum when
every band was exact, or unknown (None): the caller counts the plain way. A word with
fewer matches in the whole store than the cap never comes here: `count_matching` counts
it from its list of matches.
"""

from __future__ import annotations

from cache.db import fts
from cache.db.store import Store
from cache.read.selection import Period

FIRST_WINDOW = 16_000
"""Mentions of the first window; each next one is twice as large. A count needs thousands
of matches: a page's first window (2,000) would take several steps more."""

SPREAD = 8
"""A band wider than this many times its window's mentions ends the attempt: its lower
bound says little (a store whose rowids do not follow time)."""


def count_in_period(store: Store, expression: str, period: Period, wanted: int) -> int | None:
    """How many mentions within `period` match `expression`, up to `wanted`; None when
    the bands cannot tell (count it another way)."""
    since, until = period
    if since is None and until is None:
        return None
    found, exact, top, size = 0, True, until, FIRST_WINDOW
    while True:
        low = _window_start(store, since, top, size)
        lo, hi, mentions = _band(store, since if low is None else low, top)
        if mentions:
            others = hi - lo + 1 - mentions
            if others > SPREAD * mentions:
                return None
            matches = fts.count_matches(store.conn, expression, wanted - found + others, (lo, hi))
            found += max(matches - others, 0)
            exact = exact and others == 0
            if found >= wanted:
                return wanted
        if low is None:  # this window reached the period's start
            return found if exact else None
        top, size = low, size * 2


def _window_start(store: Store, since: str | None, top: str | None, size: int) -> str | None:
    """The time of the `size`-th mention newest first below `top` (exclusive) and from
    `since` on: where the window starts; None when fewer are left (it takes them all)."""
    where, params = _range(since, top)
    row = store.conn.execute(
        f"SELECT created_at FROM mentions INDEXED BY mentions_created WHERE {where} "
        "ORDER BY created_at DESC LIMIT 1 OFFSET ?",
        (*params, size - 1),
    ).fetchone()
    return None if row is None else str(row[0])


def _band(store: Store, low: str | None, top: str | None) -> tuple[int, int, int]:
    """(lowest rowid, highest rowid, number) of the mentions from `low` up to `top`."""
    where, params = _range(low, top)
    lo, hi, count = store.conn.execute(
        "SELECT min(rowid), max(rowid), count(*) FROM mentions INDEXED BY mentions_created "
        f"WHERE {where}",
        params,
    ).fetchone()
    return (int(lo), int(hi), int(count)) if count else (0, 0, 0)


def _range(low: str | None, top: str | None) -> tuple[str, tuple[str, ...]]:
    """The conditions (ANDed, "1" for none) of created_at in [low, top). A single bound a
    side: of two lower bounds SQLite would walk from the first it meets, not the tighter."""
    bounds = [(f"created_at {op} ?", value) for op, value in (("<", top), (">=", low)) if value]
    if not bounds:
        return "1", ()
    return " AND ".join(b[0] for b in bounds), tuple(b[1] for b in bounds)
