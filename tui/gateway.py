"""The monitor's way into the store for the marks a reader keeps (read, starred).

Reads take the read-only store a worker already opened; a write opens its own short
writing connection (the monitor's reads are all read-only), in the worker that calls it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from cache import marks
from cache.store import Store, StoreError, describe_sqlite_error


def attach_marks(store: Store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give feed rows their `read` and `starred` flags (rows are changed and returned)."""
    found = marks.marks_for(store, (row["id"] for row in rows))
    for row in rows:
        mark = found.get(row["id"], marks.Marks())
        row["read"], row["starred"] = mark.read, mark.starred
    return rows


def unread_text(store: Store) -> str:
    """The unread count as the status line says it (`37`, `more than 10,000`)."""
    count = marks.unread_count(store)
    return f"more than {marks.UNREAD_CAP:,}" if count > marks.UNREAD_CAP else f"{count:,}"


def save_marks(
    db_path: Path,
    ids: Sequence[str],
    now: datetime,
    *,
    read: bool | None = None,
    starred: bool | None = None,
) -> str | None:
    """Store the marks; None when saved, else the sentence saying why they were not.

    A store that cannot be written (read-only file or filesystem, busy, damaged) is not an
    error of the monitor: the reader is told, and the marks stay as they were.
    """
    try:
        with Store.open(db_path, create=False) as store:
            marks.set_marks(store, ids, now, read=read, starred=starred)
    except StoreError as exc:
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return describe_sqlite_error(db_path, exc)
    return None
