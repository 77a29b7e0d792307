"""The feed's newest mentions read with nothing but sqlite3, for the first screen.

The monitor's own reads (`cache.read.monitor_queries`) come with the query language, the
badges and the store's checks; the first screen (`tui.first_paint`, drawn before Textual
loads) needs only the newest rows, as soon as the interpreter is up. This module imports
the standard library only, so `app.py` can read them before anything heavy is loaded.
It never creates, migrates or writes a store: anything unusual means "no early rows" and
the monitor's own start reports what is wrong.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FIRST_PAGE_COLUMNS = (
    "id",
    "created_at",
    "time_flag",
    "platform",
    "author",
    "author_name",
    "role",
    "title",
    "text",
)
"""What the first screen shows of a row (the monitor's feed order: newest first)."""
WAIT_S = 0.2
"""How long to wait for a writer's lock: the early rows are not worth a longer wait."""


PRESENT_AHEAD = timedelta(days=1, seconds=1)
"""The feed starts below a day after now, as the monitor's does
(`cache.read.monitor_queries.present_period`): a post dated 2100 is not the first row."""


def newest_mentions(
    path: Path, limit: int, now: datetime | None = None
) -> list[dict[str, Any]] | None:
    """The `limit` newest mentions in the monitor's feed order, or None when `path` is not
    a store that can be read as it is (missing, not SQLite, locked, from an older version)."""
    if limit <= 0 or not path.is_file():
        return None
    columns = ", ".join(FIRST_PAGE_COLUMNS)
    # The stored times' one form (`sources.model.text.format_timestamp`), not imported:
    # this module loads the standard library only.
    ceiling = ((now or datetime.now(UTC)) + PRESENT_AHEAD).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=WAIT_S)
        try:
            rows = conn.execute(
                f"SELECT {columns} FROM mentions WHERE created_at < ? "
                "ORDER BY created_at DESC, id DESC LIMIT ?",
                [ceiling, limit],
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return [dict(zip(FIRST_PAGE_COLUMNS, row, strict=True)) for row in rows]
