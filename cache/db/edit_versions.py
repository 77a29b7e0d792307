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

from cache.db import aside, chunked

_KEY = '"edit_history_tweet_ids"'
_CHUNK = chunked.CHUNK

SCHEMA = """
CREATE TABLE IF NOT EXISTS mention_versions (
    id TEXT PRIMARY KEY,
    newest_id TEXT NOT NULL,
    row TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mention_versions_newest ON mention_versions(newest_id);
CREATE TABLE IF NOT EXISTS edit_history (
    id TEXT PRIMARY KEY,
    newest_id TEXT NOT NULL
) WITHOUT ROWID;
"""
"""`edit_history`: every version id a stored edited post's history names (stored or not,
the mention's own too) -> the mention. A version whose payload predates the edit names
only itself: it is recognised here, and so is an answer to a version never delivered."""


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
    rows just stored) out of `mentions`; returns the ids moved. What named an earlier
    version (answers and quotes, marks, alerts' top posts) names the mention after it.

    `fts_since`: inside `cache.db.fts.deferred_inserts`, the rowid above which rows are not
    in the full-text index yet (the delete trigger must find what it removes)."""
    families: list[list[str]] = []
    plain: list[str] = []
    for mention_id, raw in written:
        if has_edits(raw):
            family = _family(mention_id, str(raw))
            if len(family) > 1:
                families.append(family)
        elif mention_id.startswith("x:"):
            plain.append(mention_id)
    # A payload from before an edit names only itself: the histories stored tell (a set
    # look-up per transaction, none in a store without edits).
    if any_stored(conn):
        families = _joined(conn, families, plain)
    if not families:
        return set()
    wanted = list({i for family in families for i in family})
    stored: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        stored.update(
            i for (i,) in conn.execute(f"SELECT id FROM mentions WHERE id IN ({marks})", chunk)
        )
    moved: dict[str, None] = {}  # in the order moved
    followed: dict[str, str] = {}
    as_json = aside.row_json(conn)
    for family in families:
        present = [i for i in family if i in stored and i not in moved]
        if not present:
            continue
        newest = max(present, key=_age)
        for old in present:
            if old == newest:
                continue
            conn.execute(
                "INSERT OR REPLACE INTO mention_versions (id, newest_id, row) "
                f"SELECT id, ?, {as_json} FROM mentions WHERE id = ?",
                (newest, old),
            )
            moved[old] = None
        marks = ",".join("?" for _ in family)
        conn.execute(
            f"UPDATE mention_versions SET newest_id = ? WHERE id IN ({marks})", (newest, *family)
        )
        conn.executemany(
            "INSERT OR REPLACE INTO edit_history (id, newest_id) VALUES (?, ?)",
            [(i, newest) for i in family],
        )
        followed.update((i, newest) for i in family if i != newest)
    aside.take_out(conn, list(moved), fts_since)
    follow(conn, followed)
    return set(moved)


def _joined(
    conn: sqlite3.Connection, families: list[list[str]], plain: list[str]
) -> list[list[str]]:
    """`families` (from payloads) and the `plain` ids (whose payloads name no other
    version), each joined with the versions the stored histories give it, merged where
    they share an id; a plain id no history names is left out."""
    asked = list({*plain, *(i for family in families for i in family)})
    known: dict[str, set[str]] = {}
    for start in range(0, len(asked), _CHUNK):
        chunk = asked[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        for version, other in conn.execute(
            "SELECT h.id, o.id FROM edit_history AS h JOIN edit_history AS o "
            f"ON o.newest_id = h.newest_id WHERE h.id IN ({marks})",
            chunk,
        ):
            known.setdefault(version, set()).add(other)
    groups = [set(family) for family in families] + [{i} for i in plain if i in known]
    merged: list[set[str]] = []
    for group in groups:
        group |= {o for i in list(group) for o in known.get(i, ())}
        for other in [m for m in merged if m & group]:
            group |= other
            merged.remove(other)
        merged.append(group)
    return [sorted(group, key=_age) for group in merged if len(group) > 1]


def follow(conn: sqlite3.Connection, newest: dict[str, str]) -> None:
    """Make what names the earlier versions in `newest` (-> the mention) name the mention:
    answers and quotes (so that every rule on threads, `has:reply` and the reply delays
    see an answer to any version as an answer to the post), marks, alerts' top posts."""
    if not newest:
        return
    pairs = [(new, old) for old, new in newest.items()]
    _point_answers(conn, pairs)
    # The mention's own mark stays; what it lacks comes from a version (starred if either
    # was, read if either was).
    conn.executemany(
        "INSERT INTO mention_marks (mention_id, read_at, starred_at) "
        "SELECT ?, read_at, starred_at FROM mention_marks WHERE mention_id = ? "
        "ON CONFLICT (mention_id) DO UPDATE SET "
        "read_at = coalesce(mention_marks.read_at, excluded.read_at), "
        "starred_at = coalesce(mention_marks.starred_at, excluded.starred_at)",
        pairs,
    )
    conn.executemany("DELETE FROM mention_marks WHERE mention_id = ?", [(o,) for o in newest])
    _follow_alerts(conn, newest)


def _point_answers(conn: sqlite3.Connection, pairs: list[tuple[str, str]]) -> None:
    """Answers and quotes of each (mention, earlier version) name the mention."""
    conn.executemany("UPDATE mentions SET in_reply_to = ? WHERE in_reply_to = ?", pairs)
    conn.executemany("UPDATE mentions SET quoted_id = ? WHERE quoted_id = ?", pairs)


def _follow_alerts(conn: sqlite3.Connection, newest: dict[str, str]) -> None:
    marks = ",".join("?" for _ in newest)
    rows = conn.execute(
        "SELECT id, top_ids FROM alerts WHERE top_ids != '[]' AND EXISTS (SELECT 1 FROM "
        f"json_each(CASE WHEN json_valid(top_ids) THEN top_ids END) WHERE value IN ({marks}))",
        list(newest),
    ).fetchall()
    for alert_id, top_ids in rows:
        ids = [newest.get(str(i), str(i)) for i in json.loads(top_ids)]
        conn.execute(
            "UPDATE alerts SET top_ids = ? WHERE id = ?",
            (json.dumps(list(dict.fromkeys(ids))), alert_id),
        )


def follow_answers(conn: sqlite3.Connection, targets: Iterable[str]) -> dict[str, str]:
    """Of `targets` (what the rows just written answer or quote), the versions of edited
    posts, each -> the mention; the rows naming them name the mention instead."""
    if not any_stored(conn):
        return {}
    found = {
        old: new
        for old, new in _pairs(
            conn, "id, newest_id", "id", list(set(targets)), "edit_history"
        ).items()
        if old != new
    }
    pairs = [(new, old) for old, new in found.items()]
    _point_answers(conn, pairs)
    return found


def first_times(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """Of the mentions `ids`, the edited ones, each with the stored time of its earliest
    stored version with a trusted time: when the post was first said."""
    if not ids or not any_stored(conn):
        return {}
    found: dict[str, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        marks = ",".join("?" for _ in chunk)
        found.update(
            conn.execute(
                "SELECT newest_id, min(json_extract(row, '$.created_at')) FROM mention_versions "
                f"WHERE newest_id IN ({marks}) AND json_extract(row, '$.time_flag') = '' "
                "GROUP BY newest_id",
                chunk,
            )
        )
    return found


def any_stored(conn: sqlite3.Connection) -> bool:
    """Whether the store holds an edited post (the history of each names every version
    kept aside, so none is kept without one)."""
    return conn.execute("SELECT 1 FROM edit_history LIMIT 1").fetchone() is not None


def stored_versions(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """Of `ids`, those stored as earlier versions, each with its stored payload's digest."""
    return _pairs(conn, "id, json_extract(row, '$.raw_hash')", "id", ids)


def newest_of(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """Of `ids`, the earlier versions, each with the id of the mention that replaced it."""
    return _pairs(conn, "id, newest_id", "id", ids)


def earlier_of(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """The earlier versions of the mentions `ids`: earlier id -> the mention's id."""
    return _pairs(conn, "id, newest_id", "newest_id", ids)


def _pairs(
    conn: sqlite3.Connection,
    columns: str,
    key: str,
    ids: Sequence[str],
    table: str = "mention_versions",
) -> dict[str, str]:
    """`columns` (two) of the `table` rows whose `key` is one of `ids`, as a dict."""
    return chunked.pairs(conn, table, columns, key, ids)
