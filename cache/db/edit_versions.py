"""Edited X posts: one mention, its newest version; the earlier versions kept aside.

X API v2 gives every version of an edited post its own id, and each version lists all of
them in `edit_history_tweet_ids`, oldest first. The newest version stored is the mention;
an earlier one is moved out of `mentions` into `mention_versions` (same id, its whole row
as JSON, and the id of the version that replaced it), so that no feed, count, export,
spike or signal sees it, whichever order the versions arrive in. Moving (not flagging)
keeps every reader of `mentions` right without a condition of its own.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

_KEY = '"edit_history_tweet_ids"'
_CHUNK = 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS mention_versions (
    id TEXT PRIMARY KEY,
    newest_id TEXT NOT NULL,
    row TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mention_versions_newest ON mention_versions(newest_id);
"""


def has_edits(raw: object) -> bool:
    """Whether a stored X payload lists more than one version: a string search, so that a
    post never edited (nearly all) costs no JSON parse."""
    if not isinstance(raw, str):
        return False
    at = raw.find(_KEY)
    if at < 0:
        return False
    end = raw.find("]", at)
    return raw.find(",", at, end) >= 0


def _family(mention_id: str, raw: str) -> list[str]:
    try:
        history = json.loads(raw).get(_KEY.strip('"'))
    except (json.JSONDecodeError, AttributeError):
        return []
    if not isinstance(history, list):
        return []
    ids = [f"x:{h}" for h in history if isinstance(h, str) and h.isdigit()]
    return ids if mention_id in ids else [*ids, mention_id]


def _age(mention_id: str) -> tuple[int, str]:
    # X ids grow with time: a later version always has the larger id.
    digits = mention_id[2:]
    return (len(digits), digits)


def settle(
    conn: sqlite3.Connection, written: Iterable[tuple[str, object]], fts_since: int | None = None
) -> set[str]:
    """Move the earlier versions of the edited posts among `written` ((id, raw) of the
    rows just stored) out of `mentions`; returns the ids moved.

    `fts_since`: inside `cache.db.fts.deferred_inserts`, the rowid above which rows are not
    in the full-text index yet (the delete trigger must find what it removes)."""
    families = [_family(i, str(raw)) for i, raw in written if has_edits(raw)]
    families = [f for f in families if len(f) > 1]
    if not families:
        return set()
    wanted = list({i for family in families for i in family})
    stored: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        stored.update(conn.execute(f"SELECT id, rowid FROM mentions WHERE id IN ({marks})", chunk))
    moved: set[str] = set()
    columns = [str(r[1]) for r in conn.execute("PRAGMA table_info(mentions)")]
    as_json = "json_object(" + ", ".join(f"'{c}', {c}" for c in columns) + ")"
    for family in families:
        present = [i for i in family if i in stored and i not in moved]
        if not present:
            continue
        newest = max(present, key=_age)
        for old in present:
            if old == newest:
                continue
            if fts_since is not None and stored[old] > fts_since:
                conn.execute(
                    "INSERT INTO mentions_fts (rowid, text) SELECT rowid, text FROM mentions "
                    "WHERE id = ?",
                    (old,),
                )
            conn.execute(
                "INSERT OR REPLACE INTO mention_versions (id, newest_id, row) "
                f"SELECT id, ?, {as_json} FROM mentions WHERE id = ?",
                (newest, old),
            )
            conn.execute("DELETE FROM mentions WHERE id = ?", (old,))
            conn.execute("DELETE FROM mention_topics WHERE mention_id = ?", (old,))
            moved.add(old)
        marks = ",".join("?" for _ in family)
        conn.execute(
            f"UPDATE mention_versions SET newest_id = ? WHERE id IN ({marks})", (newest, *family)
        )
    return moved


def any_stored(conn: sqlite3.Connection) -> bool:
    """Whether the store holds an earlier version of some edited post."""
    return conn.execute("SELECT 1 FROM mention_versions LIMIT 1").fetchone() is not None


def stored_versions(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """Of `ids`, those stored as earlier versions, each with its stored payload's digest."""
    return _pairs(conn, "id, json_extract(row, '$.raw_hash')", "id", ids)


def newest_of(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """Of `ids`, the earlier versions, each with the id of the mention that replaced it."""
    return _pairs(conn, "id, newest_id", "id", ids)


def earlier_of(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """The earlier versions of the mentions `ids`: earlier id -> the mention's id."""
    return _pairs(conn, "id, newest_id", "newest_id", ids)


def _pairs(conn: sqlite3.Connection, columns: str, key: str, ids: Sequence[str]) -> dict[str, str]:
    """`columns` (two) of the `mention_versions` rows whose `key` is one of `ids`, as a
    dict, asked in chunks (SQLite limits the parameters of one statement)."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        marks = ",".join("?" for _ in chunk)
        found.update(
            conn.execute(f"SELECT {columns} FROM mention_versions WHERE {key} IN ({marks})", chunk)
        )
    return found
