"""The per-author index: its layout, the conditions that read it, and its repair.

`mentions_author_created` is led by the day of each post, then the author (COLLATE
NOCASE), then the time. Led by the author, as it was up to m016, every new mention landed
at that author's place in it: a transaction of 20,000 mentions into a store of a million
wrote 0.28 of a page a mention there (0.09 at 100,000), all of what made a mention dearer
as the store grew. Led by the day, new mentions land in the newest days' part, as they do
in the time index, whatever the store's size. A reader asks for an author's posts day by
day (`by_names`: every day the store holds, which `mention_days` lists) and reads them
newest first in the index's order (`NEWEST_FIRST`).

Imports keep it throughout. Releases before m016 left it out of an import that at least
doubled the store and built it at the end; led by the day, putting each post into it
costs no more than that build (a million into a new store, three alternated pairs:
25,606, 25,833 and 26,707 mentions/s with it throughout against 24,358, 27,040 and
25,299), and `author:` and account pages stay fast for other readers meanwhile. A store
such an import was killed in holds no index, and one that such an import ran on after
m016 holds it led by the author: the next writer to open it builds it as declared here
(`make_current`, called by `Store.open`).
"""

from __future__ import annotations

import sqlite3

from cache.db.write_lock import immediate

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
UP_TO_DAY_SQL = f"{DAY_SQL.format(column='m.created_at')} <= substr(?, 1, 10)"
"""Posts of `mentions AS m` from the day of the time `?` or before: a keyset page that
starts at that time skips the later days in the index instead of reading and dropping
their entries."""
_DAYS_SQL = (
    "WITH RECURSIVE days(day) AS ("
    "SELECT max(day) FROM mention_days UNION ALL "
    "SELECT (SELECT max(day) FROM mention_days WHERE day < days.day) "
    "FROM days WHERE days.day IS NOT NULL) SELECT day FROM days"
)
"""Every day the store holds, newest first (`cache.db.mention_lists.DAYS_TABLE_SQL` keeps
the table), one step down the table a day. Written as steps on purpose: SQLite then
takes the list for a few values and looks each (day, name) up in the index, where for
`SELECT day FROM mention_days` it read the whole index in order and tested each entry
(8.3 against 2.7 ms for a prolific author's page in a store spanning 986 days)."""


def by_names(alias: str, marks: str) -> str:
    """The condition on `mentions AS alias` for posts under the names `marks` (COLLATE
    NOCASE, as `author:` compares them): their day is one of the store's days, which every
    post's is, so SQLite reads the names' entries day by day through the index."""
    return (
        f"{alias}.author COLLATE NOCASE IN ({marks}) "
        f"AND {DAY_SQL.format(column=f'{alias}.created_at')} IN ({_DAYS_SQL})"
    )


def declared(conn: sqlite3.Connection) -> str | None:
    """The index's CREATE statement as the store holds it, or None without the index."""
    found = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (NAME,)
    ).fetchone()
    return None if found is None else str(found[0])


def make_current(conn: sqlite3.Connection) -> None:
    """Build the index as `CREATE_SQL` declares it if the store lacks it or holds another
    layout (one transaction; SQLite stores the statement without IF NOT EXISTS)."""
    if _is_current(conn):
        return
    # Looked at again under the write lock: two writers opening the store at once would
    # otherwise both rebuild it, the second refused at once ("database is locked").
    with immediate(conn):
        if not _is_current(conn):
            conn.execute(f"DROP INDEX IF EXISTS {NAME}")
            conn.execute(CREATE_SQL)


def _is_current(conn: sqlite3.Connection) -> bool:
    return declared(conn) == CREATE_SQL.replace(" IF NOT EXISTS", "")
