"""The per-author index through an import: there throughout, and made as declared again
when an earlier release's import left it out or built it in its old layout."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bench.synth import write_jsonl
from cache.db import author_index
from cache.db.store import Store
from cache.write.importer import ImportReport, import_paths
from filters.classify import Classifier
from sources.model.config import Config

ROWS = 600
OLD_LAYOUT = f"CREATE INDEX {author_index.NAME} ON mentions(author COLLATE NOCASE, created_at)"
"""The index as releases before m016 built it, also at the end of a large import."""


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


def _reads_through_index(db: Path) -> bool:
    """Whether a reader's `author:` page (another connection) goes through the index."""
    with Store.open(db, readonly=True) as store:
        return author_index.NAME in _author_plan(store)


def _import(db: Path, archive: Path) -> list[bool]:
    """Import `archive` in transactions of 100; after each, whether a reader's `author:`
    page went through the index."""
    during: list[bool] = []

    def after_transaction(report: ImportReport) -> None:
        during.append(_reads_through_index(db))

    with Store.open(db) as store:
        import_paths(
            store,
            [archive],
            Classifier(Config()),
            batch=100,
            parallel=False,
            on_progress=after_transaction,
        )
    return during


def _busiest_author(db: Path) -> tuple[str, int]:
    with closing(sqlite3.connect(db)) as conn:
        (author, posts) = conn.execute(
            "SELECT author, count(*) FROM mentions GROUP BY author COLLATE NOCASE "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return str(author), int(posts)


def _fresh_declaration(tmp_path: Path) -> str | None:
    with Store.open(tmp_path / "fresh.db") as fresh:
        return author_index.declared(fresh.conn)


def test_an_import_into_a_new_store_keeps_the_author_index_throughout(tmp_path: Path) -> None:
    """While the first import fills a store, a monitor's `author:` pages read the index
    after every transaction, and the index is declared as a new store declares it."""
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, ROWS, seed=3)
    db = tmp_path / "s.db"
    during = _import(db, archive)
    assert len(during) >= 5 and all(during)
    with Store.open(db, readonly=True) as store:
        assert author_index.declared(store.conn) == _fresh_declaration(tmp_path)


def test_a_store_left_without_the_index_answers_right_and_gets_it_back(tmp_path: Path) -> None:
    """A store an earlier release's killed import left without the index still answers
    `author:` right, and the next writer to open it builds the index."""
    db = tmp_path / "s.db"
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, ROWS, seed=3)
    _import(db, archive)
    author, posts = _busiest_author(db)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(f"DROP INDEX {author_index.NAME}")
    with Store.open(db, readonly=True) as store:
        assert author_index.declared(store.conn) is None
        (count,) = store.conn.execute(
            f"SELECT count(*) FROM mentions AS m WHERE {author_index.by_names('m', '?')}",
            (author,),
        ).fetchone()
    assert count == posts > 1
    with Store.open(db) as store:
        assert author_index.NAME in _author_plan(store)


def test_an_index_in_the_old_layout_is_built_again_led_by_the_day(tmp_path: Path) -> None:
    """An earlier release's import run on a migrated store rebuilt the index led by the
    author; the next writer makes it the day-led one, and `author:` reads through it."""
    db = tmp_path / "s.db"
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, ROWS, seed=3)
    _import(db, archive)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(f"DROP INDEX {author_index.NAME}")
        conn.execute(OLD_LAYOUT)
    with Store.open(db) as store:
        assert author_index.declared(store.conn) == _fresh_declaration(tmp_path)
        assert author_index.NAME in _author_plan(store)
