"""Pages and counts of `source:` and `has:` walked from their index table, not the feed.

`mention_sources` and `mention_reactions` (`cache.db.mention_lists`) hold (key, created_at,
mention_id) in index order. A page of `source:NAME` is read in windows of that list,
newest first: the window is the list's entries from some time `low` up to the page's
start (200 entries, then 800, 3,200 …); its mentions are fetched by primary key and
tested against the whole selection, and sorted. Every selected mention of that time
range is in the window (the listed condition is ANDed at the top of the selection), and
the windows tile time, so the rows and order are those of the plain statement. When the
rest of the selection keeps few of the listed mentions (`source:big lang:fr`), the plain
statement takes over, as in `cache.read.windowed`.
"""

from __future__ import annotations

from typing import Any

from cache.db.store import Store
from cache.read.selection import Listed, Period, Selection, walk_start

FIRST_WINDOW = 200
"""Listed mentions in the first window; each next one is four times as large."""

WINDOWS = 5
"""Windows a page tries (200 up to 51,200 listed mentions) before the plain statement."""

TABLES = {"mention_sources": "source", "mention_reactions": "kind"}
"""The index tables and their key column (also a guard: only these names reach SQL)."""


def driver(selection: Selection) -> Listed | None:
    """The listed condition to walk: reactions before sources (they are the shorter lists)."""
    usable = [f for f in selection.lists if TABLES.get(f.table) == f.column and f.keys]
    usable.sort(key=lambda f: f.table != "mention_reactions")
    return usable[0] if usable else None


def window_low(
    store: Store,
    listed: Listed,
    below: tuple[str, str] | None,
    size: int,
    period: Period = (None, None),
) -> str | None:
    """The time of the `size`-th newest listed mention below `below` in `period`; None when
    the list has fewer left (the window is then all the rest). With several keys, the
    latest of their own `size`-th times: the window then holds at least `size` listed
    mentions."""
    lows = []
    for key in dict.fromkeys(listed.keys):
        where, params = _list_where(listed, (key,), below, None, period)
        row = store.conn.execute(
            f"SELECT created_at FROM {listed.table} WHERE {where} "
            "ORDER BY created_at DESC, mention_id DESC LIMIT 1 OFFSET ?",
            (*params, size - 1),
        ).fetchone()
        if row is not None:
            lows.append(str(row[0]))
    return max(lows) if lows else None


def listed_rows_sql(
    listed: Listed,
    selection: Selection,
    columns: str,
    below: tuple[str, str] | None,
    low: str | None,
) -> tuple[str, tuple[Any, ...]]:
    """`SELECT columns FROM` the listed mentions in [low, below) that the selection keeps.

    CROSS JOIN: SQLite walks the list first and looks each mention up by its key; left to
    itself it may walk the whole feed and test each mention against the list instead.
    """
    where, params = _list_where(listed, listed.keys, below, low, selection.period)
    distinct = "DISTINCT " if len(set(listed.keys)) > 1 else ""  # one row per key of a mention
    sql = (
        f"SELECT {columns} FROM (SELECT {distinct}mention_id AS listed_id FROM {listed.table} "
        f"WHERE {where}) AS l CROSS JOIN mentions AS m ON m.id = l.listed_id "
        f"WHERE ({selection.where})"
    )
    bounds, bound_params = _time_bounds("m.created_at", "m.id", below, low)
    return sql + bounds, (*params, *selection.params, *bound_params)


def count_listed(store: Store, listed: Listed, selection: Selection, limit: int) -> int:
    """How many listed mentions the selection keeps, up to `limit`: an index count when the
    listed condition is the whole selection (with the period of its `since:`/`until:`), one
    key lookup per listed mention otherwise."""
    if listed.alone:
        where, params = _list_where(listed, listed.keys, None, None, selection.period)
        distinct = "DISTINCT " if len(set(listed.keys)) > 1 else ""
        inner = f"SELECT {distinct}mention_id FROM {listed.table} WHERE {where} LIMIT ?"
        return int(
            store.conn.execute(f"SELECT count(*) FROM ({inner})", (*params, limit)).fetchone()[0]
        )
    sql, params = listed_rows_sql(listed, selection, "1", None, None)
    return int(
        store.conn.execute(f"SELECT count(*) FROM ({sql} LIMIT ?)", (*params, limit)).fetchone()[0]
    )


def _list_where(
    listed: Listed,
    keys: tuple[str, ...],
    below: tuple[str, str] | None,
    low: str | None,
    period: Period = (None, None),
) -> tuple[str, tuple[Any, ...]]:
    """The list's entries of `keys` in [low, below) within `period`. A list entry carries
    its mention's time, so the selection's `since:`/`until:` bound the walk itself: `source:x
    since:7d` was counted by walking the list from its oldest entry (577 ms at a million).
    Each side gets one bound, the narrower: of two, SQLite walks from the first it meets."""
    start = period[0]
    if start is not None and (low is None or start > low):
        low = start
    below = walk_start(below, period)
    marks = ", ".join("?" for _ in keys)
    bounds, params = _time_bounds("created_at", "mention_id", below, low)
    return f"{TABLES[listed.table]} IN ({marks}){bounds}", (*keys, *params)


def _time_bounds(
    time: str, mention_id: str, below: tuple[str, str] | None, low: str | None
) -> tuple[str, tuple[Any, ...]]:
    """` AND` conditions for [low, below) on these columns (a keyset page in row-value form)."""
    sql = ""
    params: tuple[Any, ...] = ()
    if low is not None:
        sql += f" AND {time} >= ?"
        params += (low,)
    if below is not None:
        sql += f" AND ({time}, {mention_id}) < (?, ?)"
        params += below
    return sql, params
