"""Whether a store can be written here, and how a reader opens one that cannot.

A store is in WAL mode: while it is open SQLite keeps two files beside it, the write-ahead
log (`-wal`) and its index (`-shm`). A reader needs the index too. It uses one that exists,
even one it may not write (SQLite 3.22 and later), or creates it, which takes a folder it
may write. Where it can do neither (a read-only filesystem; a folder of another user's,
without the two files because no writer has the store open), the file is opened as
immutable: SQLite then reads the main file alone, without locks.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def read_only_uri(path: Path) -> str:
    """A URI opening `path` read-only, immutable where the WAL index cannot be had.

    Immutable is right only while nothing writes the store. On a read-only filesystem
    nothing can. In a folder this user cannot write, only its owner's writer can: it
    creates the `-shm` when it starts, and every later open here uses that instead (each
    read of a command or of the monitor opens its own connection); a connection opened
    immutable before it does not see what it writes.
    """
    resolved = path.resolve()
    uri = f"{resolved.as_uri()}?mode=ro"
    return uri + "&immutable=1" if _cannot_have_wal_index(resolved) else uri


def _cannot_have_wal_index(resolved: Path) -> bool:
    if on_read_only_filesystem(resolved):
        return True
    if resolved.with_name(resolved.name + "-shm").exists():
        return False
    return not _folder_writable(resolved.parent)


def why_not_writable(path: Path) -> str | None:
    """Why the existing store file `path` cannot be written here (a read-only filesystem,
    a file without write permission or marked immutable, a folder that cannot take the
    store's -wal and -shm files); None when it can, or when there is no file (opening it
    says what is wrong then)."""
    if not path.is_file():
        return None
    if on_read_only_filesystem(path):
        return "it is on a read-only filesystem"
    if not os.access(path, os.W_OK):  # EPERM for an immutable file, even for root
        return "the file cannot be written"
    folder = path.resolve().parent
    if not _folder_writable(folder):
        return f"its folder {folder} cannot be written, where SQLite keeps the store's -wal file"
    return None


def _folder_writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def on_read_only_filesystem(path: Path) -> bool:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


DISK_FULL = "the disk is full"
WRITE_REFUSALS = {
    sqlite3.SQLITE_FULL: DISK_FULL,
    sqlite3.SQLITE_IOERR: "a write to the disk failed",
    sqlite3.SQLITE_READONLY: "the store is read-only",
}
"""The failures of a write after which the store can still be read, and their words."""


def write_refused(exc: sqlite3.Error) -> str | None:
    """Why SQLite refused a write when reading can still go on (a full disk, a failed
    write, a read-only store), or None for any other failure (busy, damaged, a bug)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    return WRITE_REFUSALS.get(code & 0xFF)  # the primary code of an extended one
