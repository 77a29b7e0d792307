"""The rows of `mentions` an ingest inserts: their columns, and how a bulk load's tuples
hold them (`InsertLayout`: every column in order, or the import's `Ready` rows).

`cache.write.ingest.write_rows` inserts through here.
"""

from __future__ import annotations

import itertools
import operator
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cache.write.direct import READY_COLUMNS

MENTION_COLUMNS = (
    "id",
    "platform",
    "source",
    "sources",
    "url",
    "canonical_url",
    "author",
    "author_name",
    "author_key",
    "text",
    "title",
    "lang",
    "created_at",
    "time_flag",
    "kind",
    "in_reply_to",
    "quoted_id",
    "conversation_id",
    "referenced_only",
    "role",
    "topics",
    "topic_matches",
    "raw",
    "raw_hash",
    "first_seen_at",
    "updated_at",
)
"""Every column of `mentions` an ingest writes, in the order of its row tuples."""

ROWS_PER_INSERT = 20
"""Rows a bulk load's INSERT statement holds: each run of a statement costs about as much
as binding a few of its values again (bench/README.md)."""


@dataclass(frozen=True)
class InsertLayout:
    """How the tuples handed to `write_rows` hold a new row: its INSERT statement and
    where the values `write_rows` reads back are."""

    sql: str
    sql_many: str
    """The same for `ROWS_PER_INSERT` rows at once."""
    author: Callable[[Sequence[object]], tuple[object, object]]
    """(author_key, author) of a row."""
    created: int
    settled: Callable[[Sequence[object]], tuple[Any, ...]]
    """(topics, in_reply_to, quoted_id, created_at) of a row."""
    topics_from_rows: bool = False
    """The inserted rows' topics are listed from their stored JSON by one statement
    (`TOPICS_OF_NEW_ROWS`), not handed to `write_rows` as rows of their own."""


def _layout(
    columns: Sequence[str], shared: Mapping[str, str] | None = None, topics_from_rows: bool = False
) -> InsertLayout:
    """The layout of tuples holding `columns` in that order; `shared`: column -> the SQL
    literal every row gets."""
    at = {column: index for index, column in enumerate(columns)}
    shared = shared or {}
    names = ", ".join([*columns, *shared])
    values = "(" + ", ".join([*("?" for _ in columns), *shared.values()]) + ")"
    return InsertLayout(
        sql=f"INSERT INTO main.mentions ({names}) VALUES {values}",
        sql_many=f"INSERT INTO main.mentions ({names}) VALUES "
        + ", ".join(values for _ in range(ROWS_PER_INSERT)),
        author=operator.itemgetter(at["author_key"], at["author"]),
        created=at["created_at"],
        settled=operator.itemgetter(
            at["topics"], at["in_reply_to"], at["quoted_id"], at["created_at"]
        ),
        topics_from_rows=topics_from_rows,
    )


ALL_COLUMNS = _layout(MENTION_COLUMNS)
READY_ROWS = _layout(
    (*READY_COLUMNS, "time_flag", "role", "first_seen_at", "updated_at"),
    {"platform": "'x'", "canonical_url": "''", "title": "''"},
    topics_from_rows=True,
)
"""A `cache.write.direct.Ready` row's stored columns, then its time flag, its author's
role and the clock twice: what the import's direct rows insert (`ingest_rows`)."""
TOPICS_OF_NEW_ROWS = (
    "INSERT OR IGNORE INTO mention_topics (topic, created_at, mention_id) "
    "SELECT t.value, m.created_at, m.id FROM mentions AS m, json_each(m.topics) AS t "
    "WHERE m.rowid > ?"
)
"""The topic rows of the mentions above a rowid (a bulk load's new rows), from their own
stored topics: for `READY_ROWS`, whose inserts come without topic rows."""


def insert(conn: sqlite3.Connection, layout: InsertLayout, rows: list[tuple[object, ...]]) -> None:
    """Insert `rows` in order, `ROWS_PER_INSERT` to a statement (the rest one by one)."""
    whole = len(rows) - len(rows) % ROWS_PER_INSERT
    conn.executemany(
        layout.sql_many,
        (
            tuple(itertools.chain.from_iterable(rows[start : start + ROWS_PER_INSERT]))
            for start in range(0, whole, ROWS_PER_INSERT)
        ),
    )
    conn.executemany(layout.sql, rows[whole:])
