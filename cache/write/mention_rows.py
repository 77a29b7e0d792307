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

from cache.write.direct import AUTHOR_KEY, CREATED_ISO, READY_COLUMNS

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


Values = Callable[[Sequence[Sequence[object]]], Sequence[object]]
"""The values one INSERT statement binds, from the rows it inserts."""


def _chained(rows: Sequence[Sequence[object]]) -> tuple[object, ...]:
    return tuple(itertools.chain.from_iterable(rows))


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
    values: Values = _chained
    """What a statement binds for its rows (by default each row's values in turn)."""
    raw: int = -1
    """Where a row holds its payload (`cache.db.edit_versions` reads it)."""
    kind: int = -1
    """Where a row holds its kind (`cache.db.reposts` reads it)."""


def _layout(columns: Sequence[str]) -> InsertLayout:
    """The layout of tuples holding `columns` in that order, each value bound as it is."""
    names = ", ".join(columns)
    values = "(" + ", ".join("?" for _ in columns) + ")"
    return _with_positions(
        columns,
        sql=f"INSERT INTO main.mentions ({names}) VALUES {values}",
        sql_many=f"INSERT INTO main.mentions ({names}) VALUES "
        + ", ".join(values for _ in range(ROWS_PER_INSERT)),
    )


def _with_positions(
    columns: Sequence[str],
    *,
    sql: str,
    sql_many: str,
    topics_from_rows: bool = False,
    values: Values = _chained,
) -> InsertLayout:
    """An `InsertLayout` whose rows hold `columns` from their start, in that order."""
    at = {column: index for index, column in enumerate(columns)}
    return InsertLayout(
        sql=sql,
        sql_many=sql_many,
        author=operator.itemgetter(at["author_key"], at["author"]),
        created=at["created_at"],
        raw=at["raw"],
        kind=at["kind"],
        settled=operator.itemgetter(
            at["topics"], at["in_reply_to"], at["quoted_id"], at["created_at"]
        ),
        topics_from_rows=topics_from_rows,
        values=values,
    )


ALL_COLUMNS = _layout(MENTION_COLUMNS)

_READY_WIDTH = CREATED_ISO + 1
"""The values of a `Ready` row, all bound as they came (`ready_layout`); its last, the
time as `Pre` has it, is bound but not written."""
_READY_WRITTEN = (
    *enumerate(READY_COLUMNS),
    (_READY_WIDTH, "time_flag"),
    (_READY_WIDTH + 1, "role"),
)
"""(offset, column) of each value a statement binds for a row and writes: the row's
stored columns, then its time flag and its author's role after it."""
_READY_SHARED = {"platform": "'x'", "canonical_url": "''", "title": "''"}


def _ready_sql(rows: int) -> str:
    """The INSERT of `rows` `Ready` rows with numbered parameters: each row's at its own
    offset (`_READY_WRITTEN`), the clock once, last, for both of its columns."""
    per_row = _READY_WIDTH + 2
    clock = f"?{rows * per_row + 1}"
    names = ", ".join(
        [*(column for _, column in _READY_WRITTEN), "first_seen_at", "updated_at", *_READY_SHARED]
    )
    tuples = (
        "("
        + ", ".join(
            [
                *(f"?{row * per_row + at + 1}" for at, _ in _READY_WRITTEN),
                clock,
                clock,
                *_READY_SHARED.values(),
            ]
        )
        + ")"
        for row in range(rows)
    )
    return f"INSERT INTO main.mentions ({names}) VALUES " + ", ".join(tuples)


_READY_SQL = _ready_sql(1)
_READY_SQL_MANY = _ready_sql(ROWS_PER_INSERT)


def ready_layout(
    time_flag: Callable[[str], str], roles: Mapping[str, str], now: str
) -> InsertLayout:
    """The layout of the import's new `Ready` rows (`cache.write.ingest_rows`), inserted as
    they came: a statement binds each row, its time flag (`time_flag` of the row's time
    as `Pre` has it) and its author's role (from `roles`), and the clock (`now`) once.
    Building a whole tuple for each row first, then one for each statement, cost the
    storing thread about 1 µs a row, this 0.3 (bench/README.md)."""

    def values(rows: Sequence[Sequence[Any]]) -> list[object]:
        bound: list[object] = []
        extend, append = bound.extend, bound.append
        for row in rows:
            extend(row)
            append(time_flag(row[CREATED_ISO]))
            key = row[AUTHOR_KEY]  # where `Pre` has it, as every column up to the sources
            append(roles.get(key, "") if key else AUTHORLESS_ROLE)
        append(now)
        return bound

    return _with_positions(
        READY_COLUMNS,
        sql=_READY_SQL,
        sql_many=_READY_SQL_MANY,
        topics_from_rows=True,
        values=values,
    )


AUTHORLESS_ROLE = "public"
"""The role of a post without any author (X's default payload: id and text only), as a
post of an unknown account gets: every mention has one of the documented roles."""


def author_role(roles: Mapping[str, str], key: str) -> str:
    """The role of a post by the author `key` (`roles`: the transaction's, one per key)."""
    return roles.get(key, "") if key else AUTHORLESS_ROLE


TOPICS_OF_NEW_ROWS = (
    "INSERT OR IGNORE INTO mention_topics (topic, created_at, mention_id) "
    "SELECT t.value, m.created_at, m.id FROM mentions AS m, json_each(m.topics) AS t "
    "WHERE m.rowid > ?"
)
"""The topic rows of the mentions above a rowid (a bulk load's new rows), from their own
stored topics: for `ready_layout`, whose inserts come without topic rows."""


def insert(conn: sqlite3.Connection, layout: InsertLayout, rows: list[tuple[object, ...]]) -> None:
    """Insert `rows` in order, `ROWS_PER_INSERT` to a statement (the rest one by one)."""
    whole = len(rows) - len(rows) % ROWS_PER_INSERT
    values = layout.values
    conn.executemany(
        layout.sql_many,
        (
            values(rows[start : start + ROWS_PER_INSERT])
            for start in range(0, whole, ROWS_PER_INSERT)
        ),
    )
    conn.executemany(layout.sql, (values(rows[at : at + 1]) for at in range(whole, len(rows))))
