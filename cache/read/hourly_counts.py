"""Hourly mention counts for the spike rule: one grouped query per series, cached.

Counts come from the covering indexes `mention_topics(topic, created_at)` and
`mentions(created_at)`, grouped by the hour prefix of the stored timestamp, so counting a
million mentions hour by hour is one index scan per topic, not a million rows in Python.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping

from cache.db.store import Store
from cache.read.selection import Selection
from filters.spikes import ALL_SERIES, hour_from_text, hour_start
from sources.model.text import format_timestamp

log = logging.getLogger("echowatch.store")

Counts = dict[str, dict[int, int]]
"""Per series (topic, `all` or `view:NAME`), hour number -> mentions."""
Views = Mapping[str, Selection]
"""Series name (`view:NAME`) -> the selection of a saved view with `alert = true`."""


def stored_topics(store: Store) -> list[str]:
    """Every topic in `mention_topics`, by skipping along its index (fast on any size)."""
    rows = store.conn.execute(
        """
        WITH RECURSIVE t(topic) AS (
            SELECT min(topic) FROM mention_topics
            UNION ALL
            SELECT (SELECT min(topic) FROM mention_topics WHERE topic > t.topic)
            FROM t WHERE t.topic IS NOT NULL
        )
        SELECT topic FROM t WHERE topic IS NOT NULL
        """
    )
    return [str(r[0]) for r in rows]


def hourly_counts(
    store: Store, first_hour: int, end_hour: int, views: Views | None = None
) -> Counts:
    """Mentions per hour in [first_hour, end_hour), per topic, for `all` and per view.

    One grouped query over the covering index per series: (topic, created_at) for topics,
    (created_at) for all mentions. A hour without mentions is absent (it counts 0).
    """
    low = format_timestamp(hour_start(first_hour))
    high = format_timestamp(hour_start(end_hour))
    counts: Counts = {}
    series_sql: list[tuple[str, str, tuple[str, ...]]] = [
        (
            ALL_SERIES,
            "SELECT substr(created_at, 1, 13), count(*) FROM mentions "
            "WHERE created_at >= ? AND created_at < ? GROUP BY 1",
            (low, high),
        )
    ]
    for topic in stored_topics(store):
        series_sql.append(
            (
                topic,
                "SELECT substr(created_at, 1, 13), count(*) FROM mention_topics "
                "WHERE topic = ? AND created_at >= ? AND created_at < ? GROUP BY 1",
                (topic, low, high),
            )
        )
    for series, selection in (views or {}).items():
        # A view walks the window on mentions(created_at) and tests its query per mention.
        series_sql.append(
            (
                series,
                "SELECT substr(m.created_at, 1, 13), count(*) FROM mentions AS m "
                "WHERE m.created_at >= ? AND m.created_at < ? AND m.time_flag = '' "
                f"AND ({selection.where}) GROUP BY 1",
                (low, high, *selection.params),
            )
        )
    for series, sql, params in series_sql:
        per_hour = counts.setdefault(series, {})
        for hour_text, count in store.conn.execute(sql, params):
            hour = safe_hour(hour_text)
            if hour is not None:
                per_hour[hour] = int(count)
    # Flagged times (undated, out of range) count nowhere: an undated item is stamped with
    # the hour it was first seen, and must not make that hour look busy. They are few, so
    # they are subtracted (partial index `mentions_time_flagged`) rather than filtered per
    # row, which would cost the covering index of every count.
    for hour, topics in flagged_hours(store, low, high):
        for series in [ALL_SERIES, *topics]:
            per_hour = counts.get(series, {})
            if hour in per_hour:
                per_hour[hour] -= 1
                if per_hour[hour] <= 0:
                    del per_hour[hour]
    return counts


def flagged_hours(store: Store, low: str, high: str) -> Iterator[tuple[int, list[str]]]:
    """(hour, topics) of each mention with a flagged time in [low, high)."""
    for created_at, topics in store.conn.execute(
        "SELECT created_at, topics FROM mentions "
        "WHERE time_flag != '' AND created_at >= ? AND created_at < ?",
        (low, high),
    ):
        hour = safe_hour(created_at)
        if hour is not None:
            yield hour, _topic_list(topics)


def safe_hour(text: str) -> int | None:
    """`hour_from_text`, or None with a logged reason for a time that is not readable."""
    try:
        return hour_from_text(text)
    except (TypeError, ValueError, OverflowError):
        log.warning("skipped a stored time that is not readable: %r", text)
        return None


def history_hours(store: Store) -> tuple[int, int] | None:
    """(first, last) hour with a stored mention, or None for an empty store."""
    # Two statements, each walking the created_at index from one end to the first row whose
    # time is trusted: a year-1 or year-9999 row must not stretch the history to millions
    # of hours.
    first, last = _end_hour(store, "ASC"), _end_hour(store, "DESC")
    if first is None or last is None:
        return None  # no mention with a trusted, readable time
    return first, last


def _end_hour(store: Store, order: str) -> int | None:
    # The first readable time from one end of the index: a row another tool wrote with
    # a time that cannot be read is skipped (and logged), not allowed to stop alerts.
    for (created_at,) in store.conn.execute(
        f"SELECT created_at FROM mentions WHERE time_flag = '' ORDER BY created_at {order} "
        "LIMIT 100"
    ):
        hour = safe_hour(created_at)
        if hour is not None:
            return hour
    return None


class CountCache:
    """Hourly counts of hours that are over, kept between checks of one watcher.

    Hours that are over are loaded once; the open hours are counted again on every
    check; mentions that arrive late for a cached hour are added (`add_late`).
    """

    def __init__(self, views: Views | None = None) -> None:
        self.views = dict(views or {})
        """The saved views counted besides the topics (series name -> selection)."""
        self.counts: Counts = {}
        self.low: int | None = None
        self.high: int | None = None
        """Cached hours are [low, high)."""

    def clear(self) -> None:
        """Forget every cached count (the store's topics may have been classified again)."""
        self.counts, self.low, self.high = {}, None, None

    def get(self, store: Store, first_hour: int, closed_end: int, end_hour: int) -> Counts:
        """Counts of [first_hour, end_hour); hours below `closed_end` may be cached."""
        closed_end = max(first_hour, min(closed_end, end_hour))
        if self.low is None or self.high is None or first_hour < self.low:
            self.counts = hourly_counts(store, first_hour, closed_end, self.views)
            self.low, self.high = first_hour, closed_end
        elif self.high < closed_end:
            _merge(self.counts, hourly_counts(store, self.high, closed_end, self.views))
            self.high = closed_end
        merged: Counts = {s: dict(c) for s, c in self.counts.items()}
        if closed_end < end_hour:
            _merge(merged, hourly_counts(store, closed_end, end_hour, self.views))
        return merged

    def add_late(self, store: Store, mention_ids: Iterable[str]) -> None:
        """Count newly stored mentions whose hour is already cached."""
        if self.low is None or self.high is None:
            return
        ids = list(mention_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            for created_at, topics in store.conn.execute(
                f"SELECT created_at, topics FROM mentions WHERE id IN ({marks}) AND time_flag = ''",
                chunk,
            ):
                hour = safe_hour(created_at)
                if hour is None or not self.low <= hour < self.high:
                    continue
                for series in [ALL_SERIES, *_topic_list(topics)]:
                    per_hour = self.counts.setdefault(series, {})
                    per_hour[hour] = per_hour.get(hour, 0) + 1
            for series, selection in self.views.items():
                for (created_at,) in store.conn.execute(
                    f"SELECT m.created_at FROM mentions AS m WHERE m.id IN ({marks}) "
                    f"AND m.time_flag = '' AND ({selection.where})",
                    [*chunk, *selection.params],
                ):
                    hour = safe_hour(created_at)
                    if hour is not None and self.low <= hour < self.high:
                        per_hour = self.counts.setdefault(series, {})
                        per_hour[hour] = per_hour.get(hour, 0) + 1


def _merge(into: Counts, more: Counts) -> None:
    for series, per_hour in more.items():
        into.setdefault(series, {}).update(per_hour)


def _topic_list(value: str | None) -> list[str]:
    try:
        decoded = json.loads(value or "[]")
    except json.JSONDecodeError:
        return []
    return [str(t) for t in decoded] if isinstance(decoded, list) else []
