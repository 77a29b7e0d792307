"""What a reader keeps about mentions: read or not, starred for later (table `mention_marks`).

The marks sit in their own table keyed by mention id (migration m009), so an import, a
re-ingest or a store rebuild never wipes them, and a mention stored again under the same
id keeps them. A mention without a row is unread and not starred.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cache.db.store import Store
from cache.read.by_ids import rows_for_ids

STARRED_SQL = (
    "m.rowid IN (SELECT l.rowid FROM mention_marks AS k JOIN mentions AS l "
    "ON l.id = k.mention_id WHERE k.starred_at IS NOT NULL)"
)
"""`is:starred`: the few starred mentions are listed from their index (walking the feed
to test each mention would read a whole large store to find a handful)."""

UNREAD_SQL = (
    "NOT EXISTS (SELECT 1 FROM mention_marks AS k "
    "WHERE k.mention_id = m.id AND k.read_at IS NOT NULL)"
)
"""`is:unread`: one primary-key probe per mention while walking the feed newest first."""

UNREAD_CAP = 10_000
"""Counting unread mentions stops here ("more than 10,000 unread")."""


@dataclass(frozen=True)
class Marks:
    """A mention's marks as the screen shows them."""

    read: bool = False
    starred: bool = False


def marks_for(store: Store, ids: Iterable[str]) -> dict[str, Marks]:
    """The marks of `ids` (primary-key lookups); ids without marks are left out."""
    sql = (
        "SELECT mention_id, read_at IS NOT NULL AS read, starred_at IS NOT NULL AS starred "
        "FROM mention_marks WHERE mention_id IN ({marks})"
    )
    return {
        str(row["mention_id"]): Marks(bool(row["read"]), bool(row["starred"]))
        for row in rows_for_ids(store, sql, ids)
    }


def unread_count(store: Store, cap: int = UNREAD_CAP) -> int:
    """How many mentions are unread (what `is:unread` lists), up to `cap` + 1 (more:
    "more than cap")."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM mentions AS m WHERE {UNREAD_SQL} LIMIT ?)"
    return int(store.conn.execute(sql, [cap + 1]).fetchone()[0])


def every_mark(store: Store) -> list[tuple[str, str | None, str | None]]:
    """Every mark as stored, (mention id, read at, starred at): for `restore_marks`."""
    sql = "SELECT mention_id, read_at, starred_at FROM mention_marks"
    return [(str(row[0]), row[1], row[2]) for row in store.conn.execute(sql)]
