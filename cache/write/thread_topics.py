"""Topics from the thread: a reply or quote without topic words of its own takes the
topics of the post it answers or quotes, up the chain to the critical mention.

"Not at my site!" under a post about bathroom breaks is about working conditions, as
every reader of the thread knows. The rule itself is `filters.thread_topics.inherited`;
this module keeps the store in step with it:

- `mentions.topics` holds all of a mention's topics, `mentions.topics_from_thread` the
  ones it took from its thread; `mention_topics` has a row for each, `inherited = 1` for
  those from the thread (so `topic:` finds both and `own:` only the first kind);
- `settle` is called, inside the writing transaction, with the ids whose own topics
  were just written (new, changed or reclassified). It works out their inherited topics
  and then those of every reply or quote below them, so a parent that arrives after its
  replies hands them its topics, and a parent whose topics change passes that on.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from cache.db.store import as_json_list
from filters.thread_topics import inherited, may_inherit

_CHUNK = 400
_MAX_ROUNDS = 64
"""Deepest thread followed in one settle; a loop of replies in hostile data ends here."""

Stored = tuple[list[str], list[str], "str | None", "str | None", str]
"""A mention's columns as settling reads them: (topics, topics_from_thread, in_reply_to,
quoted_id, created_at)."""


def settle(
    conn: sqlite3.Connection, ids: Iterable[str], known: dict[str, Stored] | None = None
) -> list[str]:
    """Bring the thread topics of `ids` and everything below them up to date.

    Returns the ids whose topics changed (beyond those passed in). Runs in the caller's
    transaction. `known`: the stored columns of mentions the caller has just written, so
    that they are not read back (an import's whole transaction); it is kept up to date
    with what settling writes.
    """
    known = {} if known is None else known
    written = list(dict.fromkeys(ids))
    changed: list[str] = []
    pending = written
    for round_number in range(_MAX_ROUNDS):
        if not pending:
            break
        moved: list[str] = []
        for start in range(0, len(pending), _CHUNK):
            moved.extend(_settle_chunk(conn, pending[start : start + _CHUNK], known))
        changed.extend(moved)
        # Below the written mentions every reply may need new topics (the written one may
        # be the parent it was waiting for); further down only below those that changed.
        pending = _children(conn, written if round_number == 0 else moved)
        if round_number == 0:
            pending = _not_settled_yet(pending, known, set(written), set(moved))
    return list(dict.fromkeys(changed))


def _not_settled_yet(
    children: list[str], known: dict[str, Stored], written: set[str], moved: set[str]
) -> list[str]:
    """The children of the written mentions that the first round may have left wrong: those
    stored before, and written ones whose parent's topics that round changed (they may have
    been settled before it). A written child of unchanged parents saw their final topics:
    settling it again would change nothing (in an import, a third of all rows)."""
    return [
        child
        for child in children
        if child not in written
        or child not in known
        or known[child][2] in moved
        or known[child][3] in moved
    ]


def _settle_chunk(conn: sqlite3.Connection, ids: list[str], known: dict[str, Stored]) -> list[str]:
    rows = [(mention_id, *known[mention_id]) for mention_id in ids if mention_id in known]
    unknown = [mention_id for mention_id in ids if mention_id not in known]
    if unknown:
        marks = ",".join("?" for _ in unknown)
        rows.extend(
            (row[0], as_json_list(row[1]), as_json_list(row[2]), row[3], row[4], row[5])
            for row in conn.execute(
                "SELECT id, topics, topics_from_thread, in_reply_to, quoted_id, created_at "
                f"FROM mentions WHERE id IN ({marks})",
                unknown,
            )
        )
    # Only a row with topics from its thread, or one that may take some, can change: the
    # others, most of an import's new rows, are passed over before their parents' topics
    # are looked up. (A row without topics from its thread has only its own.)
    rows = [
        row for row in rows if row[2] or may_inherit(row[1], answers_a_post=bool(row[3] or row[4]))
    ]
    rows.sort()  # the order a read of them all would give (by id), as before `known`
    parent_ids = {p for row in rows for p in (row[3], row[4]) if p}
    parents = _topics_of(conn, list(parent_ids), known)
    updates: list[tuple[str, str, str]] = []
    drops: list[tuple[str]] = []
    inserts: list[tuple[str, str, str]] = []
    for mention_id, topics, before, reply_to, quoted, created in rows:
        own = [t for t in topics if t not in before]
        after = inherited(
            own,
            parents.get(reply_to, []) if reply_to else [],
            parents.get(quoted, []) if quoted else [],
        )
        if after == before:
            continue
        updates.append((json.dumps(own + after), json.dumps(after), mention_id))
        drops.append((mention_id,))
        inserts.extend((topic, created, mention_id) for topic in after)
        known[mention_id] = (own + after, after, reply_to, quoted, created)
    conn.executemany("UPDATE mentions SET topics = ?, topics_from_thread = ? WHERE id = ?", updates)
    conn.executemany("DELETE FROM mention_topics WHERE mention_id = ? AND inherited = 1", drops)
    conn.executemany(
        "INSERT OR IGNORE INTO mention_topics (topic, created_at, mention_id, inherited) "
        "VALUES (?, ?, ?, 1)",
        inserts,
    )
    return [u[2] for u in updates]


def _topics_of(
    conn: sqlite3.Connection, ids: list[str], known: dict[str, Stored]
) -> dict[str, list[str]]:
    found = {mention_id: known[mention_id][0] for mention_id in ids if mention_id in known}
    unknown = [mention_id for mention_id in ids if mention_id not in known]
    for start in range(0, len(unknown), _CHUNK):
        chunk = unknown[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        for mention_id, topics in conn.execute(
            f"SELECT id, topics FROM mentions WHERE id IN ({marks})", chunk
        ):
            found[mention_id] = as_json_list(topics)
    return found


CHILDREN_SQL = (
    "SELECT id FROM mentions WHERE in_reply_to IN ({marks}) "
    "UNION SELECT id FROM mentions WHERE quoted_id IN ({marks})"
)
"""The replies and quotes of some ids (`marks`: one `?` per id; bound twice, in order)."""


def _children(conn: sqlite3.Connection, ids: list[str]) -> list[str]:
    children: dict[str, None] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        for (child,) in conn.execute(CHILDREN_SQL.format(marks=marks), chunk + chunk):
            children[child] = None
    return list(children)
