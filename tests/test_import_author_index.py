"""The per-author index around a large import: left out while it runs, there again after."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from bench.synth import write_jsonl
from cache.db import author_index
from cache.db.store import Store
from cache.write.importer import ImportReport, import_paths
from filters.classify import Classifier
from sources.model.config import Config

ROOT = Path(__file__).resolve().parents[1]
ROWS = 600


def _has_index(db: Path) -> bool:
    with Store.open(db, readonly=True) as store:
        return not author_index.missing(store.conn)


def _author_plan(store: Store) -> str:
    return " | ".join(
        str(row[3])
        for row in store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT m.id FROM mentions AS m "
            f"WHERE {author_index.by_names('m', '?')} ORDER BY {author_index.NEWEST_FIRST} "
            "LIMIT 200",
            ("someone",),
        )
    )


def _import(db: Path, archive: Path, stop: threading.Event | None = None) -> list[bool]:
    """Import `archive` in transactions of 100; whether the index existed after each."""
    during: list[bool] = []

    def after_transaction(report: ImportReport) -> None:
        during.append(_has_index(db))
        if stop is not None:
            stop.set()

    with Store.open(db) as store:
        import_paths(
            store,
            [archive],
            Classifier(Config()),
            batch=100,
            parallel=False,
            on_progress=after_transaction,
            stop=stop,
        )
    return during


def test_an_import_that_fills_a_store_builds_the_author_index_at_its_end(tmp_path: Path) -> None:
    """The first import into an empty store runs without the index and leaves it in place,
    declared as a new store declares it, with `author:` pages read through it."""
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, ROWS, seed=3)
    db = tmp_path / "s.db"
    during = _import(db, archive)
    assert len(during) >= 5 and not any(during)
    with Store.open(db, readonly=True) as store:
        (sql,) = store.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'mentions_author_created'"
        ).fetchone()
        assert "mentions_author_created" in _author_plan(store)
    with Store.open(tmp_path / "fresh.db") as fresh:
        assert (sql,) == fresh.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'mentions_author_created'"
        ).fetchone()


def test_an_import_small_beside_the_store_keeps_the_author_index_throughout(
    tmp_path: Path,
) -> None:
    """Importing a few posts into a store of hundreds never takes the index away."""
    db = tmp_path / "s.db"
    big, small = tmp_path / "big.jsonl", tmp_path / "small.jsonl"
    write_jsonl(big, ROWS, seed=3)
    write_jsonl(small, 200, seed=4, page_size=100)
    _import(db, big)
    during = _import(db, small)
    assert during and all(during)


def test_a_stopped_import_puts_the_author_index_back(tmp_path: Path) -> None:
    """An import stopped after its first transaction (SIGTERM) leaves the index in place."""
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, ROWS, seed=3)
    db = tmp_path / "s.db"
    during = _import(db, archive, stop=threading.Event())
    assert during == [False]
    assert _has_index(db)


def test_a_store_a_killed_import_left_without_the_index_gets_it_back(tmp_path: Path) -> None:
    """Killed while the index is left out, the store still answers `author:` right, and the
    next writer to open it builds the index again."""
    db = tmp_path / "s.db"
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, ROWS, seed=3)
    _import(db, archive)
    with Store.open(db, readonly=True) as store:
        (author, posts) = store.conn.execute(
            "SELECT author, count(*) FROM mentions GROUP BY author COLLATE NOCASE "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys\n"
            "from cache.db import author_index\n"
            "from cache.db.store import Store\n"
            "store = Store.open(sys.argv[1])\n"
            "with author_index.deferred(store.conn, True):\n"
            "    os._exit(9)  # as if killed in the middle of the import\n",
            str(db),
        ],
        cwd=ROOT,
        check=False,
    )
    assert killed.returncode == 9
    assert not _has_index(db)
    with Store.open(db, readonly=True) as store:
        (count,) = store.conn.execute(
            "SELECT count(*) FROM mentions WHERE author COLLATE NOCASE IN (?)", (author,)
        ).fetchone()
    assert count == posts > 1
    with Store.open(db) as store:
        assert "mentions_author_created" in _author_plan(store)


def test_an_import_that_cannot_drop_the_index_keeps_it(tmp_path: Path) -> None:
    """While another writer holds the store the index stays (no error), and is still there
    after the block."""
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        store.conn.execute("PRAGMA busy_timeout = 50")
        other = sqlite3.connect(db, timeout=0.05)
        other.execute("BEGIN IMMEDIATE")  # another writer, mid-transaction
        try:
            with author_index.deferred(store.conn, True):
                assert not author_index.missing(store.conn)
        finally:
            other.rollback()
            other.close()
        assert not author_index.missing(store.conn)
