"""What a reader keeps about mentions: read or not, starred for later (table `mention_marks`).

The marks sit in their own table keyed by mention id (migration m009), so an import, a
re-ingest or a store rebuild never wipes them, and a mention stored again under the same
id keeps them. A mention without a row is unread and not starred.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cache.db.store import Store
from sources.model.text import format_timestamp

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
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Marks] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        sql = (
            "SELECT mention_id, read_at IS NOT NULL, starred_at IS NOT NULL "
            f"FROM mention_marks WHERE mention_id IN ({marks})"
        )
        for mention_id, read, starred in store.conn.execute(sql, chunk):
            found[str(mention_id)] = Marks(bool(read), bool(starred))
    return found


def set_marks(
    store: Store,
    ids: Sequence[str],
    now: datetime,
    *,
    read: bool | None = None,
    starred: bool | None = None,
) -> None:
    """Mark `ids` read or unread, starred or not (None leaves that mark as it is).

    A mark set again keeps the time it was first set; a row left with no mark is removed.
    """
    stamp = format_timestamp(now)
    with store.writing():
        for column, value in (("read_at", read), ("starred_at", starred)):
            if value is None:
                continue
            for mention_id in ids:
                if value:
                    store.conn.execute(
                        f"INSERT INTO mention_marks (mention_id, {column}) VALUES (?, ?) "
                        f"ON CONFLICT (mention_id) DO UPDATE SET "
                        f"{column} = coalesce({column}, excluded.{column})",
                        [mention_id, stamp],
                    )
                else:
                    store.conn.execute(
                        f"UPDATE mention_marks SET {column} = NULL WHERE mention_id = ?",
                        [mention_id],
                    )
        store.conn.executemany(
            "DELETE FROM mention_marks WHERE mention_id = ? "
            "AND read_at IS NULL AND starred_at IS NULL",
            [[mention_id] for mention_id in ids],
        )


def unread_count(store: Store, cap: int = UNREAD_CAP) -> int:
    """How many mentions are unread (what `is:unread` lists), up to `cap` + 1 (more:
    "more than cap")."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM mentions AS m WHERE {UNREAD_SQL} LIMIT ?)"
    return int(store.conn.execute(sql, [cap + 1]).fetchone()[0])
