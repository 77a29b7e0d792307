"""Free-text pages in time windows: read the matches among the newest few thousand
mentions instead of every match in the store.

A full-text condition is answered by FTS5 as a list of rowids. For a common word (a
quarter of a million posts say "Streik" in a 1M store) building that list costs ~100 ms,
even though the monitor shows only the newest 200. Rowids are handed out as posts are
stored, so the mentions of a stretch of time mostly sit in a narrow band of rowids, and
FTS5 reads a rowid range of its index without touching the rest. So a page is read
window by window, newest first: a window is every mention from some time `low` up to the
page's start (a range of the time index), and its full-text lists are narrowed to the
lowest and highest rowid in that window. Every mention of the window lies in that band,
so narrowing changes no answer; the windows cover time without gaps or overlaps, so the
rows and their order are those of the plain statement. When the rowids of a window are
spread wide (a store whose rowids do not follow time), or after a few windows (a rare
word), the rest is read by the plain statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cache.db.store import Store
from cache.read.selection import FTS_RANGE, Selection

FIRST_WINDOW = 2000
"""Mentions in the first window; each next one is twice as large."""

SPREAD = 8
"""A window whose rowid band is wider than this many times its mentions is not narrowed:
the band would hold too many matches of other times."""


WINDOW_START_SQL = "m.created_at >= ?"
"""A window's start, written before the search's own conditions. A query's `since:` is a
lower bound of the same column, and of two such bounds SQLite walks the time index from
the first it meets: a count of `since:7d Streik` walked the whole week for each window of
2,000 mentions (23-28 ms instead of 0.4 for the first, at a million; with `lang:de` 14
instead of 0.3). `likelihood()` around the bound helped only where no other column led
the index (`tests/test_time_bounds.py` holds the order in place)."""


@dataclass(frozen=True)
class Window:
    """Every mention with created_at from `low` up to the window's top, rowids in [lo, hi]."""

    low: str
    lo: int
    hi: int
    mentions: int


def may_reach(found: int, seen: int, wanted: int, step: int, most: int) -> bool:
    """Whether the windows left after `step` can reach `wanted` matches at the rate found so
    far (`found` of `seen` mentions); if not, the plain statement is cheaper."""
    left = sum(FIRST_WINDOW << s for s in range(step + 1, most))
    return found + found * left / max(seen, 1) >= wanted


def has_full_text(selection: Selection) -> bool:
    """Whether the selection has a full-text list that a window can narrow."""
    return FTS_RANGE in selection.where


def narrowed(selection: Selection, window: Window) -> Selection:
    """The selection limited to the window's mentions, its full-text lists to its rowids."""
    band = f" AND rowid BETWEEN {int(window.lo)} AND {int(window.hi)}"
    where = selection.where.replace(FTS_RANGE, band)
    return Selection(
        f"{WINDOW_START_SQL} AND ({where})",
        (window.low, *selection.params),
        by_author=selection.by_author,
        period=selection.period,
    )


def time_windows(store: Store, before: tuple[str, str] | None, *, most: int) -> Iterator[Window]:
    """Windows newest first below `before` (created_at, id); stops when the store runs out,
    when a window's rowids are spread wide, or after `most` windows."""
    top, inclusive = (before[0], True) if before else (None, False)
    for step in range(most):
        size = FIRST_WINDOW << step
        bound = (
            ""
            if top is None
            else ("WHERE created_at <= ?" if inclusive else "WHERE created_at < ?")
        )
        upper = () if top is None else (top,)
        row = store.conn.execute(
            f"SELECT created_at FROM mentions INDEXED BY mentions_created {bound} "
            "ORDER BY created_at DESC LIMIT 1 OFFSET ?",
            (*upper, size - 1),
        ).fetchone()
        if row is None:
            return
        low = str(row[0])
        span = f"{bound} AND created_at >= ?" if bound else "WHERE created_at >= ?"
        lo, hi, count = store.conn.execute(
            "SELECT min(rowid), max(rowid), count(*) FROM mentions INDEXED BY mentions_created "
            + span,
            (*upper, low),
        ).fetchone()
        if hi - lo + 1 > SPREAD * count:
            return
        yield Window(low, int(lo), int(hi), int(count))
        top, inclusive = low, False
