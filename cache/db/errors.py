"""Store failures as sentences that name the file, say why, and what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cache.db.access import on_read_only_filesystem, why_not_writable, write_refused
from cache.db.rescue import damaged_store_message, rescue_if_store


class StoreError(Exception):
    """The store cannot be used; the message says which file and why."""


def describe_sqlite_error(path: Path, exc: sqlite3.DatabaseError) -> str:
    """A sentence for a SQLite failure that names the file and what to do."""
    message = str(exc)
    if on_read_only_filesystem(path) and ("readonly" in message or "unable to open" in message):
        # SQLite says "unable to open database file" when it cannot create the -wal/-shm
        # files beside the store: the real reason is the mount, not the file.
        return (
            f"{path}: the store is on a read-only filesystem, so it cannot be written "
            f"(remount it read-write or copy the store elsewhere): {message}"
        )
    if "readonly" in message or "read-only" in message:
        why = why_not_writable(path) or "check the file's permissions"
        return f"{path}: the store is read-only ({why}): {message}"
    if "locked" in message or "busy" in message:
        return f"{path}: the store is busy with another writer; try again: {message}"
    if "malformed" in message:
        return damaged_store_message(path, message)
    if "not a database" in message:
        return f"{path}: not a readable SQLite store: {message}. {rescue_if_store(path)}"
    if "disk" in message and "full" in message:
        return f"{path}: the disk is full, so the write was not made: {message}"
    if "unable to open" in message:
        return f"{path}: cannot open the store: {message}"
    return f"{path}: store error: {message}"


def write_refusal(exc: BaseException) -> str | None:
    """Why a write failed where the store can still be read (the disk is full, a write to
    the disk failed, the store is read-only), for a StoreError or a SQLite error; None for
    any other failure."""
    cause = exc.__cause__ if isinstance(exc, StoreError) else exc
    return write_refused(cause) if isinstance(cause, sqlite3.Error) else None
