"""The per-author index: its layout, the conditions that read it, and its deferral.

`mentions_author_created` is led by the day of each post, then the author (COLLATE
NOCASE), then the time. Led by the author, as it was up to m016, every new mention landed
at that author's place in it: a transaction of 20,000 mentions into a store of a million
wrote 0.28 of a page a mention there (0.09 at 100,000), all of what made a mention dearer
as the store grew. Led by the day, new mentions land in the newest days' part, as they do
in the time index, whatever the store's size. A reader asks for an author's posts day by
day (`by_names`: every day the store holds, listed through the same index) and reads
them newest first in the index's order (`NEWEST_FIRST`).

An import that at least doubles the store still drops the index at its start and builds
it at its end (`deferred`): one sorted build costs less than the inserts. Meanwhile
`author:` and account pages read by other connections are right but walk the whole
table. If the import is killed, the next writer to open the store builds the index
(`restore_if_missing`, called by `Store.open`).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

NAME = "mentions_author_created"
DAY_SQL = "substr({column}, 1, 10)"
"""The day of a post as the index's first column holds it: the first ten characters of
its stored time (YYYY-MM-DD). Text order of the times is the order of their days, so
ordering by the day, then the time, is ordering by the time."""
CREATE_SQL = (
    f"CREATE INDEX IF NOT EXISTS {NAME} "
    f"ON mentions({DAY_SQL.format(column='created_at')}, author COLLATE NOCASE, created_at)"
)
"""The index as `cache.db.schema` (m016) declares it; SQLite stores it without IF NOT EXISTS.
A reader's condition must spell the day exactly so (`DAY_SQL`) for SQLite to use it."""
NEWEST_FIRST = f"{DAY_SQL.format(column='m.created_at')} DESC, m.created_at DESC, m.id DESC"
"""Newest first, as `m.created_at DESC, m.id DESC`, written so that the index gives the
order: a page of a prolific author then reads its rows, not all of the author's posts."""
_DAYS_SQL = (
    "WITH RECURSIVE days(day) AS ("
    "SELECT max({day}) FROM mentions UNION ALL "
    "SELECT (SELECT max({day}) FROM mentions WHERE {day} < days.day) "
    "FROM days WHERE days.day IS NOT NULL) SELECT day FROM days"
).format(day=DAY_SQL.format(column="created_at"))
"""Every day the store holds, newest first: one step down the index per day (0.2 ms for
a month of days at a million mentions)."""

BYTES_PER_POST = 1_500
"""About what one post takes in an archive file. Pages of X posts with their authors take
1,200 bytes a post in `bench/synth.py`'s stream and 3,600-4,000 in twarc archives of real
searches, so an import's bytes divided by this guess high for real archives: the index is
then left out of imports that bring about half the store's size or more. Either way the
stored rows are the same; only the time differs (2.4 µs a stored mention for the build
against up to 20 µs a new one for the inserts at a million)."""


def by_names(alias: str, marks: str) -> str:
    """The condition on `mentions AS alias` for posts under the names `marks` (COLLATE
    NOCASE, as `author:` compares them): their day is one of the store's days, which every
    post's is, so SQLite reads the names' entries day by day through the index."""
    return (
        f"{alias}.author COLLATE NOCASE IN ({marks}) "
        f"AND {DAY_SQL.format(column=f'{alias}.created_at')} IN ({_DAYS_SQL})"
    )


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
