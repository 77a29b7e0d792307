"""Taking a store's write lock so that a writer waits its turn instead of failing at once.

SQLite's busy timeout makes a connection wait for a lock only while it holds no read
transaction. A transaction that reads and then writes (a deferred BEGIN, DDL inside one,
the switch of a new file to WAL, which reads the header before it writes it) is told
"database is locked" at once when another connection took the write lock in between:
waiting could deadlock the two. Writers here either take the lock before they read
(`immediate`), or, where SQLite allows no transaction around the step, try it again
while the other writer works (`retry_while_busy`).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

FIRST_PAUSE_S = 0.001
LONGEST_PAUSE_S = 0.05
"""Between two tries of a busy step: short, as SQLite's own busy handler waits."""


def is_busy(exc: BaseException) -> bool:
    """Whether SQLite refused because another connection holds a lock ("database is
    locked", SQLITE_BUSY and its extended codes)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF == sqlite3.SQLITE_BUSY
    return isinstance(exc, sqlite3.OperationalError) and "database is locked" in str(exc)


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction that holds the write lock from its start (BEGIN IMMEDIATE,
    which waits for the busy timeout); committed at the end, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise


def retry_while_busy(step: Callable[[], T], timeout_s: float) -> T:
    """`step()`, tried again while SQLite says busy, for up to `timeout_s` in all (then
    the busy error goes on to the caller)."""
    deadline = time.monotonic() + timeout_s
    pause = FIRST_PAUSE_S
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE_S)
