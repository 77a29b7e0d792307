"""An import that makes up most of a store ends with its full-text index in one segment
(`cache.write.importer.MERGE_SHARE`), which every search reads faster; a small import
into a larger store leaves the segments alone, and a merge that cannot run keeps the
import."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from bench.synth import pages
from cache.db import fts
from cache.db.store import Store
from cache.write import importer
from cache.write.importer import ImportReport, import_paths
from filters.classify import Classifier
from sources.model.config import Config

WORDS = ("streik", "verdi", "lohn", "gewerkschaft", "steuer", "kestrel")


def _archive(folder: Path, posts: int, seed: int, name: str = "posts.jsonl") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(p) + "\n" for p in pages(posts, seed=seed)))
    return path


def _matches(store: Store) -> dict[str, list[str]]:
    """The ids of the mentions each of `WORDS` finds, newest rowid first."""
    return {
        word: [
            row[0]
            for row in store.conn.execute(
                "SELECT m.id FROM mentions AS m WHERE m.rowid IN (SELECT rowid FROM "
                "mentions_fts WHERE mentions_fts MATCH ?) ORDER BY m.rowid DESC",
                (word,),
            )
        ]
        for word in WORDS
    }


def _import(store: Store, archive: Path, **options: Any) -> ImportReport:
    return import_paths(store, [archive], Classifier(Config()), batch=100, **options)


def test_an_import_into_a_new_store_leaves_one_segment_that_finds_the_same(
    tmp_path: Path,
) -> None:
    """Twelve transactions write twelve segments; the import merges them into one, and
    every word finds the same mentions as in the same import left unmerged."""
    archive = _archive(tmp_path, 1200, seed=5)
    with Store.open(tmp_path / "unmerged.db") as store:
        _import(store, archive, merge_index=False)
        left = fts.segment_count(store.conn)
        unmerged = _matches(store)
    with Store.open(tmp_path / "merged.db") as store:
        report = _import(store, archive)
        merged = _matches(store)
        segments = fts.segment_count(store.conn)
        store.conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
    assert left > 1
    assert (segments, report.index_segments_merged) == (1, left)
    assert merged == unmerged
    assert all(merged[word] for word in ("streik", "verdi"))


def test_a_small_import_into_a_larger_store_leaves_its_segments(tmp_path: Path) -> None:
    """Merging rewrites the whole index: 300 posts into a store of 1,200 are stored in
    segments of their own, and found."""
    with Store.open(tmp_path / "s.db") as store:
        _import(store, _archive(tmp_path, 1200, seed=5))
        report = _import(store, _archive(tmp_path, 300, seed=6, name="later.jsonl"))
        segments = fts.segment_count(store.conn)
        found = _matches(store)
        (stored,) = store.conn.execute("SELECT count(*) FROM mentions").fetchone()
        later = _later_ids(store, report)
    assert 0 < report.totals.new < stored / 2
    assert report.index_segments_merged == 0
    assert segments > 1
    assert set(found["streik"]) & later


def _later_ids(store: Store, report: ImportReport) -> set[str]:
    """The ids of the mentions the last import stored (the highest rowids)."""
    rows = store.conn.execute(
        "SELECT id FROM mentions ORDER BY rowid DESC LIMIT ?", (report.totals.new,)
    ).fetchall()
    return {row[0] for row in rows}


def test_a_merge_that_finds_the_store_locked_keeps_the_import(tmp_path: Path) -> None:
    """Another writer holds the store when the merge would begin: the import's mentions
    stay stored and searchable, and a warning names the store and the reason."""
    archive = _archive(tmp_path, 1200, seed=5)
    with Store.open(tmp_path / "first.db") as store:
        everything = _import(store, archive, merge_index=False).totals.new
    path = tmp_path / "s.db"
    blocker = sqlite3.connect(path, isolation_level=None)

    def lock_after_the_last_transaction(report: ImportReport) -> None:
        if report.totals.new == everything and not blocker.in_transaction:
            store.conn.execute("PRAGMA busy_timeout = 0")  # fail at once, not in 15 s
            blocker.execute("BEGIN IMMEDIATE")

    try:
        with Store.open(path) as store:
            report = _import(store, archive, on_progress=lock_after_the_last_transaction)
            blocker.execute("ROLLBACK")
            found = _matches(store)
            (stored,) = store.conn.execute("SELECT count(*) FROM mentions").fetchone()
    finally:
        blocker.close()
    assert stored == report.totals.new == everything
    assert report.index_segments_merged == 0
    assert [w for w in report.warnings if "full-text index left as it was" in w] == [
        f"{path}: full-text index left as it was: database is locked"
    ]
    assert found["streik"]


def test_a_stop_during_the_merge_keeps_the_import_and_the_index_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (SIGTERM) arrives as the merge begins: SQLite stops it, the import's
    mentions stay stored and found, and a warning says the index was left unmerged."""
    stop = threading.Event()
    merge = fts.optimize

    def stopped_as_it_begins(conn: sqlite3.Connection) -> None:
        stop.set()  # what the import's signal handler does
        merge(conn)

    monkeypatch.setattr(importer.fts, "optimize", stopped_as_it_begins)
    monkeypatch.setattr(importer, "MERGE_STOP_CHECK", 1)  # this small index merges at once
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        report = _import(store, _archive(tmp_path, 1200, seed=5), stop=stop)
        segments = fts.segment_count(store.conn)
        found = _matches(store)
        store.conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
    assert stop.is_set() and not report.interrupted
    assert (report.index_segments_merged, segments > 1) == (0, True)
    assert report.warnings == [f"{path}: full-text index left as it was: interrupted"]
    assert found["streik"]


def test_a_store_without_its_full_text_index_imports_without_a_merge(tmp_path: Path) -> None:
    """A store whose full-text index was dropped by hand still imports every post: there
    is nothing to merge, and nothing to warn about."""
    path = tmp_path / "s.db"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        for name in fts.TRIGGER_NAMES:
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute(f'DROP TABLE "{fts.FTS_TABLE}"')
    with Store.open(path) as store:
        report = _import(store, _archive(tmp_path, 1200, seed=5))
        (stored,) = store.conn.execute("SELECT count(*) FROM mentions").fetchone()
    assert stored == report.totals.new >= 1200
    assert (report.index_segments_merged, report.warnings) == (0, [])
