"""The full-text index lets 16 segments gather before merging them (`cache.db.fts.AUTOMERGE`,
m014) and a transaction gather 32 MiB of entries before writing a segment
(`cache.db.fts.HASH_BYTES`, m020): new and older stores alike, and a search still finds
every post."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import timedelta
from pathlib import Path

from cache.db import fts
from cache.db.store import Store
from tests.store_helpers import DAY0, add_posts, store_before


def _fts_option(path: Path, option: str) -> int | None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT v FROM mentions_fts_config WHERE k = ?", (option,)).fetchone()
    return None if row is None else int(row[0])


def _option_in_new_and_older(
    tmp_path: Path, migration: str, option: str
) -> tuple[int | None, tuple[int | None, int | None]]:
    """The FTS5 `option` of a store made before `migration`, then (of a new store, of that
    older store once opened by this version)."""
    new = tmp_path / "new.db"
    with Store.open(new) as store:
        add_posts(store, DAY0, 3, "Warnstreik bei Kestrel")
    old = store_before(migration, tmp_path / "old.db", new)
    before = _fts_option(old, option)
    Store.open(old).close()
    return before, (_fts_option(new, option), _fts_option(old, option))


def test_new_and_older_stores_merge_16_segments_at_a_time(tmp_path: Path) -> None:
    """A new store and one made before m014 both merge full-text segments 16 at a time."""
    before, after = _option_in_new_and_older(tmp_path, "m014_fts_merge_wider", "automerge")
    assert (before, after) == (None, (fts.AUTOMERGE, 16))


def test_new_and_older_stores_write_a_transaction_as_one_large_segment(tmp_path: Path) -> None:
    """A new store and one made before m020 both gather 32 MiB of full-text entries before
    writing a segment, where SQLite's default wrote one a megabyte."""
    before, after = _option_in_new_and_older(tmp_path, "m020_fts_larger_hash", "hashsize")
    assert (before, after) == (None, (fts.HASH_BYTES, 32 * 1024 * 1024))


def test_a_word_is_found_in_each_of_forty_transactions(tmp_path: Path) -> None:
    """Forty transactions (a segment each): a search finds all 200 posts, and the index
    checks out whole."""
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        for hour in range(40):
            add_posts(store, DAY0 + timedelta(hours=hour), 5, "Warnstreik bei Kestrel")
            add_posts(store, DAY0 + timedelta(hours=hour, minutes=30), 2, "Paket kam an")
        found = store.conn.execute(
            "SELECT count(*) FROM mentions_fts WHERE mentions_fts MATCH 'warnstreik'"
        ).fetchone()[0]
        store.conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
    assert found == 200
