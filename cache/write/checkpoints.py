"""The import's WAL checkpoints, run by a thread of their own while the next batch is stored.

SQLite's automatic checkpoint runs inside the COMMIT of the transaction that crossed its
threshold: it copies every page the transaction wrote from the WAL into the store file
and waits for both files to reach the disk. For a 20,000-mention import transaction at a
million mentions that wait is most of the commit (bench/README.md). Here the importing
connection turns automatic checkpoints off and, after each commit, asks a thread with its
own connection for a PASSIVE checkpoint, which never blocks the writer: the copy and the
disk waits overlap with the next transaction.

The WAL can only start again from its beginning at a transaction that began after a
complete checkpoint, so while the copying runs behind, the WAL grows. Once it holds more
than `WAL_LIMIT_BYTES`, the next transaction begins only after the running checkpoint has
ended. Durability is SQLite's own: the same checkpoints with the same syncs, run sooner or
later; a killed import leaves a WAL that the next connection to open the store recovers.
"""

from __future__ import annotations

import sqlite3
import threading

from cache.db.store import BUSY_TIMEOUT_MS, Store

WAL_LIMIT_BYTES = 64 * 1024 * 1024
"""Largest WAL an import lets grow before it waits for the checkpoint to catch up. Small
on purpose: every page a transaction reads is first looked for in the WAL's index, which
grows with it. Into a copy of the 1M store (100,000 posts, alternately, four runs each)
the importer spent 82 µs of CPU per mention with 64 MB against 90 µs with 256 MB."""


class Checkpointer:
    """PASSIVE checkpoints of a store on request, in a thread, one at a time.

    `request` and `before_transaction` are for the thread that writes the store; the
    checkpoints run on a connection of their own."""

    def __init__(self, store: Store) -> None:
        self._writer = store.conn
        (self._automatic,) = self._writer.execute("PRAGMA wal_autocheckpoint").fetchone()
        self._conn = sqlite3.connect(
            str(store.path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
        # The syncs of a checkpoint are those of the connection that runs it: the
        # writer's own setting (cache.db.store), so nothing is less durable than before.
        self._conn.execute("PRAGMA synchronous = NORMAL")
        (page_size,) = self._conn.execute("PRAGMA page_size").fetchone()
        self._limit_frames = max(WAL_LIMIT_BYTES // int(page_size), 1)
        self._changed = threading.Condition()
        self._asked = self._done = 0
        self._wal_frames = self._limit_frames + 1
        """Frames in the WAL at the end of the last checkpoint (what it has grown to). Over
        the limit until the first checkpoint ends: how far the first transaction grew the
        WAL is not known before, and taken as nothing, every transaction committed until
        that checkpoint ended went on growing it (the more, the busier the machine)."""
        self._failure: sqlite3.Error | None = None
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="import-checkpoints", daemon=True)
        self._thread.start()
        self._writer.execute("PRAGMA wal_autocheckpoint = 0")

    def request(self) -> None:
        """Copy what is committed so far into the store file, soon (after a commit)."""
        with self._changed:
            if self._failure is not None:
                return
            self._asked += 1
            self._changed.notify_all()

    def before_transaction(self) -> None:
        """Wait for the running checkpoint if the WAL has grown past the limit, so that
        the next transaction starts the WAL again from its beginning."""
        with self._changed:
            if self._wal_frames > self._limit_frames:
                self._changed.wait_for(self._caught_up)
            failed = self._failure is not None
        if failed:  # the writer checkpoints for itself again, as without this class
            self._writer.execute(f"PRAGMA wal_autocheckpoint = {int(self._automatic)}")

    def close(self) -> None:
        """Run the checkpoint asked for last, stop, and give the writer its own again."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._thread.join()
        self._conn.close()
        self._writer.execute(f"PRAGMA wal_autocheckpoint = {int(self._automatic)}")

    def _caught_up(self) -> bool:
        return self._done >= self._asked or self._failure is not None

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._asked > self._done or self._closing)
                if self._asked == self._done:  # closing, nothing left to copy
                    return
                asked = self._asked
            try:
                row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error as exc:  # disk full, I/O error: the WAL still holds it all
                with self._changed:
                    self._failure = exc
                    self._changed.notify_all()
                return
            with self._changed:
                self._done = asked
                self._wal_frames = int(row[1]) if row is not None else 0
                self._changed.notify_all()


def start_for(store: Store) -> Checkpointer | None:
    """A `Checkpointer` for `store`, or None when it is not a WAL file this process writes."""
    if store.readonly:
        return None
    (mode,) = store.conn.execute("PRAGMA journal_mode").fetchone()
    return Checkpointer(store) if str(mode).lower() == "wal" else None
