"""Writers that open the same new store at once (an import and a collector started together)
both succeed: the second waits for the first, and the store is made once."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from cache.db.schema import migrations
from cache.db.store import Store

WRITERS = 3
ROUNDS = 12
"""New stores opened by WRITERS writers at once: before the fix about one writer in ten
was refused ("database is locked", "table mentions already exists"), so a round or two
of these failed; all of them take about two seconds."""


def _open_together(path: Path) -> list[str]:
    """Open `path` for writing from WRITERS threads released at the same moment; returns
    what each one met ("ok" or its error)."""
    start = threading.Barrier(WRITERS)
    outcomes: list[str] = []

    def writer() -> None:
        start.wait()
        try:
            Store.open(path).close()
        except Exception as exc:  # what the user would see instead of a working store
            outcomes.append(f"{type(exc).__name__}: {exc}")
        else:
            outcomes.append("ok")

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_writers_creating_one_store_together_all_succeed_and_migrate_it_once(
    tmp_path: Path,
) -> None:
    """Several writers opening one new store at once all open it; each migration is applied
    and recorded once, and the store is in WAL mode."""
    for round_ in range(ROUNDS):
        path = tmp_path / f"new-{round_}.db"
        assert _open_together(path) == ["ok"] * WRITERS
        conn = sqlite3.connect(path)
        try:
            assert migrations.applied_names(conn) == migrations.names()
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.names())
        finally:
            conn.close()
