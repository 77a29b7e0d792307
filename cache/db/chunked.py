"""Look-ups of many ids at once, asked in chunks: SQLite limits the parameters of one
statement (999 in older builds)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

CHUNK = 500


def pairs(
    conn: sqlite3.Connection, table: str, columns: str, key: str, ids: Sequence[str]
) -> dict[str, str]:
    """`columns` (two) of the `table` rows whose `key` is one of `ids`, as a dict."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        marks = ",".join("?" for _ in chunk)
        found.update(conn.execute(f"SELECT {columns} FROM {table} WHERE {key} IN ({marks})", chunk))
    return found
