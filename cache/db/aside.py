"""Posts moved out of `mentions` into a table of their own, whole (an edited post's
earlier versions, `cache.db.edit_versions`; retweets, `cache.db.reposts`): kept, and gone
from every reader of `mentions` without a condition of its own."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from cache.db.chunked import CHUNK


def row_json(conn: sqlite3.Connection) -> str:
    """SQL for a `mentions` row as one JSON object, every column the store has now."""
    columns = [str(r[1]) for r in conn.execute("PRAGMA table_info(mentions)")]
    return "json_object(" + ", ".join(f"'{c}', {c}" for c in columns) + ")"


def take_out(conn: sqlite3.Connection, ids: Sequence[str], fts_since: int | None) -> None:
    """Delete the mentions `ids` (already copied aside) and their topic rows.

    `fts_since`: inside `cache.db.fts.deferred_inserts`, the rowid above which rows are not
    in the full-text index yet: those are indexed first, so that the delete trigger finds
    what it removes (removing what an index never held would corrupt it)."""
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        marks = ",".join("?" for _ in chunk)
        if fts_since is not None:
            conn.execute(
                "INSERT INTO mentions_fts (rowid, text) SELECT rowid, text FROM mentions "
                f"WHERE id IN ({marks}) AND rowid > ?",
                (*chunk, fts_since),
            )
        conn.execute(f"DELETE FROM mentions WHERE id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM mention_topics WHERE mention_id IN ({marks})", chunk)
