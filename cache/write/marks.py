"""Setting a reader's marks on mentions: read or not, starred or not (table `mention_marks`,
read back by `cache.read.marks`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cache.db.store import Store
from sources.model.text import format_timestamp


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


def restore_marks(store: Store, marks: Sequence[tuple[str, str | None, str | None]]) -> None:
    """Put back marks taken with `cache.read.marks.every_mark`, each with its own times (a
    mark the store holds already keeps its own)."""
    with store.writing():
        store.conn.executemany(
            "INSERT INTO mention_marks (mention_id, read_at, starred_at) VALUES (?, ?, ?) "
            "ON CONFLICT (mention_id) DO NOTHING",
            marks,
        )
