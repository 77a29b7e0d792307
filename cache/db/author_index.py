"""The per-author index, left out while an import fills a store and built at its end.

Each new mention lands at a random place in `mentions_author_created` (an author's posts sit
together), so a transaction of 20,000 mentions into a store of a million writes some 8,000
of its leaf pages again: at that size the index costs an import about a fifth of its
writing. Built in one sorted pass instead it takes about 2.4 µs per stored mention. An
import that at least doubles the store therefore drops the index at its start and builds
it at its end (`deferred`).

Meanwhile `author:` and account pages read by other connections are right but walk the
whole table. If the import is killed, the next writer to open the store builds the index
(`restore_if_missing`, called by `Store.open`).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

NAME = "mentions_author_created"
CREATE_SQL = f"CREATE INDEX IF NOT EXISTS {NAME} ON mentions(author COLLATE NOCASE, created_at)"
"""The index as `cache.db.schema` (m001) declares it; SQLite stores it without IF NOT EXISTS."""

BYTES_PER_POST = 1_500
"""About what one post takes in an archive file. Pages of X posts with their authors take
1,200 bytes a post in `bench/synth.py`'s stream and 3,600-4,000 in twarc archives of real
searches, so an import's bytes divided by this guess high for real archives: the index is
then left out of imports that bring about half the store's size or more. Either way the
stored rows are the same; only the time differs (2.4 µs a stored mention for the build
against up to 20 µs a new one for the inserts at a million)."""


def missing(conn: sqlite3.Connection) -> bool:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (NAME,)
    ).fetchone()
    return found is None


def restore_if_missing(conn: sqlite3.Connection) -> None:
    """Build the index if a killed import left the store without it (one transaction)."""
    if missing(conn):
        with conn:
            conn.execute(CREATE_SQL)


def worth_deferring(conn: sqlite3.Connection, import_bytes: int) -> bool:
    """Whether an import of `import_bytes` of archives is likely to at least double the
    store, so that one build of the index at the end costs less than every insert into it."""
    (stored,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM mentions").fetchone()
    return import_bytes // BYTES_PER_POST >= max(int(stored), 1)


@contextlib.contextmanager
def deferred(conn: sqlite3.Connection, enabled: bool) -> Iterator[None]:
    """Without the index inside the block (when `enabled`), with it again after, however
    the block ends. If it cannot be dropped (another writer holds the store past the busy
    timeout) the block runs with it; a failure to build it again (a full disk) leaves that
    to the next writer."""
    dropped = False
    if enabled and not missing(conn):
        with contextlib.suppress(sqlite3.Error), conn:
            conn.execute(f"DROP INDEX {NAME}")
            dropped = True
    try:
        yield
    finally:
        if dropped:
            with contextlib.suppress(sqlite3.Error):
                restore_if_missing(conn)
