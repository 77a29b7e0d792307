"""The bulk import path stores exactly what the ordinary ingest stores, table for table.

`app.py import` inserts a transaction's rows with one statement and fills the full-text
index once at the end (`cache.db.fts.deferred_inserts`); the live sources ingest page by page
through the row triggers. A user must never be able to tell which path filled a store:
every row of every table (rowids, payloads, accounts, topics, threads' topics, FTS entries)
is compared, after first imports and after updates of ids already stored.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.synth import pages
from cache.db.store import Store
from cache.write.importer import import_paths
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.archive.files import read_archive
from sources.model.config import Config

FROZEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
BATCH = 700


@pytest.fixture(autouse=True)
def _one_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # first_seen_at/updated_at come from the clock: both paths must see the same time.
    monkeypatch.setattr("cache.db.store.utc_now", lambda: FROZEN)
    monkeypatch.setattr("cache.write.importer.utc_now", lambda: FROZEN)


def _archives(folder: Path, realworld: Path) -> list[list[Path]]:
    """Imports in order: real X payloads, a synthetic stream, then the stream again with
    changed texts, new sources of the same ids and referenced copies (updates)."""
    real = sorted((realworld / "twitter_v2" / "twarc_csv_testdata").glob("*.jsonl"))
    real += sorted((realworld / "twitter_v2" / "decoded").glob("*.json"))
    real += sorted((realworld / "twitter_v2" / "postman_examples").glob("*.json"))
    first = folder / "first.jsonl"
    second = folder / "second.jsonl"
    stream = list(pages(2400, seed=7))
    with first.open("w", encoding="utf-8") as out:
        for page in stream:
            out.write(json.dumps(page, ensure_ascii=False) + "\n")
    with second.open("w", encoding="utf-8") as out:
        for number, page in enumerate(stream[::3]):
            for tweet in page["data"][::2]:
                tweet["text"] = f"Streik bei Kestrel, Nachtrag {number}: " + tweet["text"]
            out.write(json.dumps(page, ensure_ascii=False) + "\n")
    return [real, [first], [second], real]


def _bulk(db: Path, imports: list[list[Path]]) -> None:
    with Store.open(db) as store:
        for paths in imports:
            import_paths(store, paths, Classifier(Config()), batch=BATCH, parallel=False)


def _ordinary(db: Path, imports: list[list[Path]]) -> None:
    classifier = Classifier(Config())
    with Store.open(db) as store:
        for paths in imports:
            for path in paths:
                for parsed in read_archive(path, seen_at=FROZEN):
                    ingest(store, parsed, classifier)


def _contents(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table with its rowid, the schema, and the full-text index."""
    conn = sqlite3.connect(db)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'mentions_fts%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        found: dict[str, list[tuple[object, ...]]] = {}
        for table in tables:
            # Migrations are recorded with the time they ran: their names must agree.
            columns, order = ("name", "rowid") if table == "_sqlite_migrations" else ("*", "1")
            if table in ("mentions", "accounts"):
                columns, order = "rowid, *", "rowid"  # the FTS index points at these rowids
            # mention_topics: one row per (topic, mention); the rowid of such a row follows
            # the order in which threads were settled and means nothing, its content does.
            found[table] = sorted(
                conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY {order}').fetchall(),
                key=repr,
            )
        found["schema"] = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'mentions_fts_%' "
            "ORDER BY name"
        ).fetchall()
        conn.execute(
            "CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, 'mentions_fts', 'instance')"
        )
        found["fts"] = conn.execute("SELECT * FROM temp.words ORDER BY 1, 2, 3, 4").fetchall()
        conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
    finally:
        conn.close()
    return found


@pytest.mark.slow  # two whole stores built and compared row by row
def test_bulk_import_stores_the_same_rows_as_the_ordinary_ingest(
    tmp_path: Path, realworld: Path
) -> None:
    """A store filled by `import` cannot be told from one filled by the live sources."""
    imports = _archives(tmp_path, realworld)
    _bulk(tmp_path / "bulk.db", imports)
    _ordinary(tmp_path / "ordinary.db", imports)
    bulk, ordinary = _contents(tmp_path / "bulk.db"), _contents(tmp_path / "ordinary.db")
    assert len(bulk["mentions"]) > 2400 + 500  # real payloads and the stream are all in
    assert len(bulk["accounts"]) > 100
    assert len(bulk["mention_topics"]) > 500
    assert len(bulk["fts"]) > 50_000
    changed = [r for r in bulk["mentions"] if "Nachtrag" in str(r)]
    assert len(changed) > 100  # the second import really rewrote stored mentions
    assert bulk.keys() == ordinary.keys()
    for name in bulk:
        assert bulk[name] == ordinary[name], name


def test_fts_after_bulk_import_finds_what_the_mentions_hold(tmp_path: Path) -> None:
    """A word search after `import` finds every imported post with that word, no more."""
    archive = tmp_path / "a.jsonl"
    with archive.open("w", encoding="utf-8") as out:
        for page in pages(1500, seed=3):
            out.write(json.dumps(page, ensure_ascii=False) + "\n")
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        import_paths(store, [archive], Classifier(Config()), batch=500, parallel=False)
        # FTS5 checks its index against the content table, row for row.
        store.conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
        (indexed,) = store.conn.execute("SELECT count(*) FROM mentions_fts_docsize").fetchone()
        (stored,) = store.conn.execute("SELECT count(*) FROM mentions").fetchone()
        (found,) = store.conn.execute(
            "SELECT count(*) FROM mentions_fts WHERE mentions_fts MATCH 'streik'"
        ).fetchone()
        trigger = store.conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'mentions_ai'"
        ).fetchone()[0]
    assert indexed == stored >= 1500
    assert found > 50
    assert trigger == 1  # the live ingest keeps its trigger after an import
