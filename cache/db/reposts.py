"""X retweets: kept, but set aside from the mentions.

A retweet adds no words of its own (its text is the original's, cut after "RT @name:"),
so it is no new mention, as a Bluesky repost or a Mastodon boost is none (those sources
skip them). X delivers retweets whenever a query does not say `-is:retweet`, and an
ambassador's timeline is mostly retweets: counted as mentions, they inflated every count,
topic panel and spike (a third of the rows of the real archives in the shared data).

A retweet is stored as any post is, then moved out of `mentions` into `mention_reposts`
(its id, the id of the post it reposts, its whole row as JSON), as `cache.db.edit_versions`
moves an edited post's earlier versions: no reader of `mentions` needs a condition of its
own, and nothing delivered is lost. The reposted post itself, which X sends along in
`includes`, stays a mention.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from cache.db import aside, chunked

_CHUNK = chunked.CHUNK

SCHEMA = """
CREATE TABLE IF NOT EXISTS mention_reposts (
    id TEXT PRIMARY KEY,
    reposted_id TEXT NOT NULL,
    row TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mention_reposts_reposted ON mention_reposts(reposted_id);
"""

_REPOSTED_ID = (
    "coalesce((SELECT 'x:' || json_extract(ref.value, '$.id') "
    "FROM json_each(CASE WHEN json_valid(raw) THEN raw ELSE '{}' END, '$.referenced_tweets') "
    "AS ref WHERE json_extract(ref.value, '$.type') = 'retweeted' LIMIT 1), '')"
)
"""The id of the post a stored retweet reposts, from its payload ('' if it names none)."""


def set_aside(
    conn: sqlite3.Connection, written: Iterable[tuple[str, object]], fts_since: int | None = None
) -> set[str]:
    """Move the retweets among `written` ((id, kind) of the rows just stored) out of
    `mentions`; returns the ids moved.

    `fts_since`: inside `cache.db.fts.deferred_inserts`, the rowid above which rows are not
    in the full-text index yet (the delete trigger must find what it removes)."""
    ids = [mention_id for mention_id, kind in written if kind == "retweet"]
    if not ids:
        return set()
    as_json = aside.row_json(conn)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        conn.execute(
            "INSERT OR REPLACE INTO mention_reposts (id, reposted_id, row) "
            f"SELECT id, {_REPOSTED_ID}, {as_json} FROM mentions WHERE id IN ({marks})",
            chunk,
        )
    aside.take_out(conn, ids, fts_since)
    return set(ids)


def carry_marks(conn: sqlite3.Connection) -> None:
    """Star and mark read the post each marked retweet set aside reposts, when that post
    is a mention: a reader marked the retweet for its words, which are that post's. The
    post's own marks stay as set; the retweet keeps its marks, aside with it."""
    for column in ("read_at", "starred_at"):
        conn.execute(
            f"INSERT INTO mention_marks (mention_id, {column}) "
            f"SELECT r.reposted_id, min(k.{column}) FROM mention_marks AS k "
            "JOIN mention_reposts AS r ON r.id = k.mention_id "
            "JOIN mentions AS m ON m.id = r.reposted_id "
            f"WHERE k.{column} IS NOT NULL GROUP BY r.reposted_id "
            f"ON CONFLICT (mention_id) DO UPDATE SET "
            f"{column} = coalesce({column}, excluded.{column})"
        )


def any_stored(conn: sqlite3.Connection) -> bool:
    """Whether the store holds a retweet set aside."""
    return conn.execute("SELECT 1 FROM mention_reposts LIMIT 1").fetchone() is not None


def stored_reposts(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """Of `ids`, the retweets set aside, each with its stored payload's digest."""
    return chunked.pairs(conn, "mention_reposts", "id, json_extract(row, '$.raw_hash')", "id", ids)


def count(conn: sqlite3.Connection) -> int:
    """How many retweets the store holds aside."""
    return int(conn.execute("SELECT count(*) FROM mention_reposts").fetchone()[0])
