"""Selecting mentions: the SQL behind `export --query`, the screen and reports.

User text never reaches FTS5 raw: every word becomes a quoted FTS5 string, so `c++`,
`foo-bar` or a stray quote is searched for, never parsed as FTS5 syntax.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cache.read.query_sql import compile_query
from cache.read.selection import Selection, newest_first
from filters.query import QueryError as QueryError  # re-exported: callers catch it here
from filters.query import parse
from filters.topics import DEFAULT_TOPICS
from sources.model.records import utc_now

if TYPE_CHECKING:
    from cache.db.store import Store


def select_sql(
    selection: Selection,
    *,
    columns: str = "m.*",
    limit: int | None = None,
    order: str | None = None,
) -> tuple[str, tuple[Any, ...]]:
    """Full SQL for the mentions of a selection, newest first unless `order` says otherwise."""
    order = order or newest_first(selection)
    sql = f"SELECT {columns} FROM mentions AS m WHERE {selection.where} ORDER BY {order}"
    params = selection.params
    if limit is not None:
        sql += " LIMIT ?"
        params = (*params, limit)
    return sql, params


def query_selection(
    text: str,
    now: datetime | None = None,
    *,
    topics: Collection[str] | None = None,
    rare_topics: Collection[str] = (),
) -> Selection:
    """The one entry point from a user's query text to a `Selection`.

    Every caller (export, reports, the screen) goes through here, so the query language
    (see `filters.query`) extends all of them at once. Raises `QueryError` naming the
    position of a mistake. `now` resolves `since:24h` (default: the current time);
    `topics` are the valid topic ids (pass `filters.topics.topic_ids(config)`; default:
    the built-in topics). `rare_topics` (from `rare_topics`) only changes how SQLite
    finds the mentions of a topic, never which.
    """
    known = tuple(DEFAULT_TOPICS) if topics is None else tuple(topics)
    return compile_query(parse(text, topics=known), now or utc_now(), rare_topics)


RARE_TOPIC_MENTIONS = 5000
"""A topic with fewer mentions is listed from its index instead of probed per mention: the
probe walks the feed newest first until a page is full, which for a topic with a handful
of mentions in a million means the whole store (seconds); the list is a few milliseconds.
Above this, the walk finds a page quickly and the list would be long to sort."""


def rare_topics(store: Store, topics: Iterable[str]) -> frozenset[str]:
    """The topics with fewer than `RARE_TOPIC_MENTIONS` mentions (each count stops there)."""
    rare = set()
    for topic in topics:
        (count,) = store.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM mention_topics WHERE topic = ? LIMIT ?)",
            (topic, RARE_TOPIC_MENTIONS),
        ).fetchone()
        if count < RARE_TOPIC_MENTIONS:
            rare.add(topic)
    return frozenset(rare)
