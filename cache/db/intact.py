"""Remembering that a store file was found intact, so the next start need not read it all.

`PRAGMA quick_check` reads every page of the file: about 6 CPU seconds (tens of seconds
on a busy machine) for a store of a million mentions, all before the monitor's first rows.
After a clean check the file's identity is written to a small record in the user's state
dir (never into the store: a reader opens it read-only, and a damaged store must not be
written). While the file and its WAL are exactly as they were then (the file's device,
inode, size, modification and change times; the WAL's size, modification time and
header), nothing has written to them, so the check's answer
still holds and is not repeated. Any write, a copy, a restore or a replaced file changes
the identity, and the next open checks every page again.

A file changed within the last second is never recorded: file times are kept in coarse
ticks (a few milliseconds), so a write right after the check could leave them equal.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from platformdirs import user_state_path

SETTLED_S = 1.0
"""How long a file must have been left alone before its clean check is recorded."""
MAX_RECORDS = 64
"""Stores remembered at most (the oldest record goes first)."""

WAL_HEADER_BYTES = 32
"""Magic, format, page size, checkpoint sequence, salts and checksum of the WAL."""

Identity = list[int]


def record_file() -> Path:
    """Where the clean checks are recorded (the user's state dir, per platformdirs)."""
    return user_state_path("echowatch") / "intact-stores.json"


def file_identity(path: Path) -> Identity | None:
    """What changes whenever anything writes the store or its WAL; None if unreadable.

    The WAL's change time is left out: SQLite running as root chowns the WAL to the
    store's owner at every open, which sets it without any write. Its modification time,
    size and header (whose salts change whenever the WAL starts over) stand for it.
    """
    try:
        main = os.stat(path)
    except OSError:
        return None
    identity = [main.st_dev, main.st_ino, main.st_size, main.st_mtime_ns, main.st_ctime_ns]
    wal_path = Path(f"{path}-wal")
    try:
        wal = os.stat(wal_path)
    except FileNotFoundError:
        return [*identity, 0, 0, 0]
    except OSError:
        return None
    if wal.st_size == 0:  # an empty WAL holds nothing to read: the same as none
        return [*identity, 0, 0, 0]
    # SQLite never locks the WAL file itself (its locks are on the store and the -shm),
    # so reading its header cannot drop a lock the way closing the store's file would.
    try:
        with wal_path.open("rb") as handle:
            header = handle.read(WAL_HEADER_BYTES)
    except OSError:
        return None
    return [*identity, wal.st_size, wal.st_mtime_ns, int.from_bytes(header, "big")]


def _records() -> dict[str, Identity]:
    try:
        loaded = json.loads(record_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def recorded_intact(path: Path) -> bool:
    """Whether a clean check of this very file, unchanged since, is on record."""
    identity = file_identity(path)
    return identity is not None and _records().get(str(path.resolve())) == identity


def forget(path: Path) -> None:
    """Drop the record of `path` (it was found damaged)."""
    records = _records()
    if records.pop(str(path.resolve()), None) is not None:
        _write(records)


def record_intact(path: Path, identity: Identity, now_ns: int | None = None) -> None:
    """Record that `path` was intact with `identity`, unless (when `now_ns`, the time its
    check started, is given) it changed too recently for a later write to show."""
    settled_ns = int(SETTLED_S * 1e9)
    # The file's change time (never before its modification time) and the WAL's mtime.
    main_changed, wal_changed = identity[4], identity[6]
    if now_ns is not None and (
        now_ns - main_changed < settled_ns or now_ns - wal_changed < settled_ns
    ):
        return  # a write in the same clock tick as the check would not show
    records = _records()
    records.pop(str(path.resolve()), None)
    records[str(path.resolve())] = identity
    while len(records) > MAX_RECORDS:
        records.pop(next(iter(records)))
    _write(records)


def _write(records: dict[str, Identity]) -> None:
    target = record_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # One partial file per process and thread: writers in two threads may record at once.
        partial = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_text(json.dumps(records), encoding="utf-8")
        os.replace(partial, target)
    except OSError:
        pass  # no state dir: the next start checks every page again, which is only slower


def record_own_writes(path: Path) -> None:
    """After a writer that found the file intact closed it: its own writes went through
    SQLite onto intact pages, so the file as it left it is intact too, and a mark saved or
    a batch collected does not cost the next start a whole-file check. (Another process
    writing in the same moment would be trusted with it; Echowatch's writers check first.)
    """
    identity = file_identity(path)
    if identity is not None:
        record_intact(path, identity)


def checked_damage(
    conn: sqlite3.Connection, path: Path, check: Callable[[sqlite3.Connection], str | None]
) -> str | None:
    """The file's damage (`check`'s finding), skipping the check while a clean one holds.

    The identity is taken before the check: a write during the check makes the record
    stale rather than wrongly fresh.
    """
    if recorded_intact(path):
        return None
    identity = file_identity(path)
    started_ns = time.time_ns()
    problem = check(conn)
    if problem is not None:
        forget(path)
    elif identity is not None and file_identity(path) == identity:
        record_intact(path, identity, started_ns)
    return problem
