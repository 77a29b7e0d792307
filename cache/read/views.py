"""Saved views over the store: their counts per time window and their alert series.

A view's query goes through `cache.read.search.query_selection` like every other query, so
a view selects exactly what the same text selects in the filter bar or `export --query`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cache.db.store import Store
from cache.read.monitor_queries import newest_time
from cache.read.search import query_selection
from cache.read.selection import Selection
from filters.query import closed_quotes, present_end
from filters.topics import topic_ids
from filters.views import SavedView, saved_views
from sources.model.config import Config
from sources.model.shown_text import cells, shown_text
from sources.model.text import format_timestamp

WINDOWS: tuple[tuple[str, timedelta], ...] = (
    ("1h", timedelta(hours=1)),
    ("24h", timedelta(hours=24)),
    ("7d", timedelta(days=7)),
)
"""The windows `app.py views` counts (the monitor's topic windows)."""


@dataclass(frozen=True)
class CountsEnd:
    """Where the count windows end ("the last 24h" up to when), and why."""

    at: datetime
    newest_post: bool = False
    """True: `at` is the newest stored post, not the clock."""


def counts_end(store: Store, now: datetime, *, to_newest: bool) -> CountsEnd:
    """The moment the 1h/24h/7d windows end: the clock, or with `to_newest` the newest
    stored post when that is earlier.

    A store nobody is collecting into (the offline monitor, `app.py views --to-newest`)
    may have stopped weeks ago: counted up to the clock every window would read 0, so it
    is counted up to its newest post, and every label says so. The monitor collecting
    (and `app.py views` by default, like `since:` and exports) counts up to the clock.
    """
    newest = newest_time(store) if to_newest else None
    if newest is not None and newest < now:
        return CountsEnd(newest, newest_post=True)
    return CountsEnd(now)


@dataclass(frozen=True)
class ViewCount:
    """A view and how many mentions it selects in each window (name -> count)."""

    view: SavedView
    counts: dict[str, int]


def view_counts(
    store: Store,
    views: Iterable[SavedView],
    config: Config,
    now: datetime,
    windows: Sequence[tuple[str, timedelta]] = WINDOWS,
    *,
    rare_topics: Collection[str] = (),
) -> list[ViewCount]:
    """Per view, its mentions in each window ending at `now` (one pass over the widest)."""
    topics = topic_ids(config)
    widest = max(w for _, w in windows)
    end = format_timestamp(present_end(now))  # where a view's own `since:` ends too
    starts = [format_timestamp(now - w) for _, w in windows]
    sums = ", ".join("sum(m.created_at >= ?)" for _ in windows)
    results = []
    for view in views:
        selection = query_selection(view.query, now, topics=topics, rare_topics=rare_topics)
        row = store.conn.execute(
            f"SELECT {sums} FROM mentions AS m WHERE ({selection.where}) "
            "AND m.created_at >= ? AND m.created_at < ?",
            (*starts, *selection.params, format_timestamp(now - widest), end),
        ).fetchone()
        counts = {name: int(value or 0) for (name, _), value in zip(windows, row, strict=True)}
        results.append(ViewCount(view, counts))
    return results


def alert_views(config: Config) -> dict[str, Selection]:
    """Series name (`view:NAME`) -> selection, for each view with `alert = true`.

    Alert views have no `since:`/`until:` (`filters.views` refuses them), so their
    selection does not depend on the moment it is compiled at.
    """
    topics = topic_ids(config)
    return {
        view.series: query_selection(view.query, topics=topics)
        for view in saved_views(config)
        if view.alert
    }


def combined_query(view: SavedView | None, query: str) -> str:
    """The query text an export runs: the view's query AND the extra `query`, if any."""
    query = query.strip()
    if view is None:
        return query
    if not query:
        return view.query
    # An unclosed quote runs to the end of a query: close it, or it would swallow the ")".
    return f"({closed_quotes(view.query)}) {query}"


def _shown(text: str) -> str:
    """Config text for a terminal table: one line, no escape sequence, control or bidi
    override (line breaks and tabs become a space)."""
    return shown_text(text, one_line=True)


def format_view_counts(counts: list[ViewCount]) -> str:
    """The table of `app.py views`: name, label (else the name), a count per window, alert,
    query."""
    names = [name for name, _ in WINDOWS]
    header = ["view", "label", *names, "alert", "query"]
    rows = [
        [
            _shown(c.view.name),
            _shown(c.view.label) or _shown(c.view.name),  # as the monitor: else the name
            *(str(c.counts.get(n, 0)) for n in names),
            "yes" if c.view.alert else "no",
            _shown(c.view.query),
        ]
        for c in counts
    ]
    # Padded by terminal columns, not characters: a name in CJK takes two per character.
    widths = [max(cells(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    numeric = set(range(2, 2 + len(names)))
    lines = []
    for row in [header, *rows]:
        padded = [
            _pad(cell, width, right=i in numeric)
            for i, (cell, width) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  ".join([*padded, row[-1]]))
    return "\n".join(lines)


def _pad(cell: str, width: int, *, right: bool) -> str:
    space = " " * (width - cells(cell))
    return space + cell if right else cell + space
