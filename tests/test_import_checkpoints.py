"""An import copies what it commits into the store file as it goes (in a thread of its own),
and keeps the write-ahead log from growing without bound."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bench.synth import pages
from cache.db.store import Store
from cache.write import checkpoints
from cache.write.importer import import_paths
from filters.classify import Classifier
from sources.model.config import Config


def _archive(folder: Path, posts: int) -> Path:
    path = folder / "posts.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in pages(posts, seed=5)))
    return path


def test_an_imports_rows_are_in_the_store_file_itself_when_it_returns(tmp_path: Path) -> None:
    """While the store is still open, a copy of the store file alone (without its WAL)
    already holds every mention the import stored."""
    archive = _archive(tmp_path, 400)
    db = tmp_path / "store.db"
    with Store.open(db) as store:
        report = import_paths(store, [archive], Classifier(Config()), batch=100)
        shutil.copyfile(db, tmp_path / "file_alone.db")
        (automatic,) = store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()
    with sqlite3.connect(tmp_path / "file_alone.db") as alone:
        (held,) = alone.execute("SELECT count(*) FROM mentions").fetchone()
    assert report.totals.new >= 400
    assert held == report.totals.new
    assert automatic == 1000  # the writer checkpoints for itself again afterwards


def test_the_wal_stays_near_one_transaction_when_checkpoints_fall_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the WAL limit below one transaction, every transaction waits for the copy
    of the one before, so the log starts again each time instead of growing."""
    monkeypatch.setattr(checkpoints, "WAL_LIMIT_BYTES", 1)
    archive = _archive(tmp_path, 1200)  # pages of 100 posts: a transaction each
    db = tmp_path / "store.db"
    sizes: list[int] = []

    def after_each_commit(report: Any) -> None:
        sizes.append((tmp_path / "store.db-wal").stat().st_size)

    with Store.open(db) as store:
        import_paths(
            store, [archive], Classifier(Config()), batch=50, on_progress=after_each_commit
        )
    assert len(sizes) >= 12
    # The file never shrinks: it grows only while transactions pile up in it.
    assert max(sizes[1:]) <= 1.5 * sizes[1]
