"""The full-text index of mentions, declared the way sqlite-utils declares one.

sqlite-utils (`detect_fts`, `search`, the `sqlite-utils search` command) and Datasette (its
search box and `?_search=`) find a table's index only by the declaration sqlite-utils'
`enable_fts(..., create_triggers=True)` writes: a virtual table `<table>_fts` whose SQL says
`content="<table>"`, kept in step by triggers `<table>_ai`, `_ad` and `_au`. Echowatch uses
exactly that declaration and those trigger names, so `enable_fts(..., replace=True)` finds
nothing to change and both tools search a store as it is.

One difference on purpose: `mentions_au` fires on `UPDATE OF text` only. sqlite-utils' fires
on every update, which would delete and re-add the index entry of every mention whose role
or topics a reclassification changes (a million rows after a config edit) although only
`text` is indexed. The result of a search is the same.

Bulk loaders may drop the triggers (`drop_triggers`), fill the index themselves and put them
back (`create_triggers`); `rebuild` refills the index from the table.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only the migrations (writers) pass one; readers never load sqlite-utils
    from sqlite_utils import Database

from cache.db import mention_lists

TABLE = "mentions"
FTS_TABLE = "mentions_fts"
COLUMNS = ("text",)
TOKENIZE = "unicode61 remove_diacritics 2"
"""Case- and accent-folding words (ä matches a), as the query language expects."""

AUTOMERGE = 16
"""Segments of one level FTS5 lets gather before it merges them into one of the next level
(its `automerge` option; SQLite's default is 4, 16 the most it allows). Each transaction
adds one segment, and every merge writes its entries again: merging 16 at a time writes
each entry about half as often as merging 4 at a time. Into a copy of a 1,000,000-mention
store the full-text fill of an import cost 7.4-8.7 µs per mention with 4 and 4.5-5.3 with
16 (into a copy of a 100,000-mention store 5.0 against 4.0). A search reads more segments:
at a million, a word's first page 1.9-3.5 ms p95 against 1.6-1.8 (bench/README.md)."""

HASH_BYTES = 32 * 1024 * 1024
"""Memory FTS5 gathers a transaction's new entries in before it writes them as a segment
(its `hashsize` option; SQLite's default is 1 MiB). An import transaction of 20,000 posts
then writes one segment where it wrote many small ones, each of which set off merging
work that grows with the index. Into a copy of a 1,000,000-mention store (100,000 posts,
one core, alternately): the full-text fill 4.3-4.8 µs a mention with 1 MiB, 2.9-3.1 with
16-64 MiB; into a 100,000 store 2.8 either way. The memory is taken only while a
transaction writes that much, and given back at its end: live ingest never comes near."""

TRIGGER_NAMES = ("mentions_ai", "mentions_ad", "mentions_au")
"""sqlite-utils' names for a table's FTS triggers: insert, delete, update."""

CREATE_FTS_SQL = f"""CREATE VIRTUAL TABLE "{FTS_TABLE}" USING FTS5 (
    "text",
    tokenize='{TOKENIZE}',
    content="{TABLE}"
)"""
"""Character for character what sqlite-utils 3.x/4.x `enable_fts` writes for this table."""

INSERT_TRIGGER_SQL = f"""
CREATE TRIGGER "mentions_ai" AFTER INSERT ON "{TABLE}" BEGIN
  INSERT INTO "{FTS_TABLE}" (rowid, "text") VALUES (new.rowid, new."text");
END;"""
"""The insert trigger alone: a bulk load drops it for its transaction (`deferred_inserts`)."""

CREATE_TRIGGERS_SQL = (
    INSERT_TRIGGER_SQL
    + f"""
CREATE TRIGGER "mentions_ad" AFTER DELETE ON "{TABLE}" BEGIN
  INSERT INTO "{FTS_TABLE}" ("{FTS_TABLE}", rowid, "text") VALUES('delete', old.rowid, old."text");
END;
CREATE TRIGGER "mentions_au" AFTER UPDATE OF "text" ON "{TABLE}" BEGIN
  INSERT INTO "{FTS_TABLE}" ("{FTS_TABLE}", rowid, "text") VALUES('delete', old.rowid, old."text");
  INSERT INTO "{FTS_TABLE}" (rowid, "text") VALUES (new.rowid, new."text");
END;
"""
)

OLD_TRIGGER_NAMES = ("mentions_fts_insert", "mentions_fts_delete", "mentions_fts_update")
"""The triggers of the first schema (m001), whose index the tools could not see."""


def drop_triggers(db: Database) -> None:
    """Stop keeping the index in step (for a bulk load that fills it itself)."""
    for name in (*TRIGGER_NAMES, *OLD_TRIGGER_NAMES):
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def create_triggers(db: Database) -> None:
    """Keep the index in step with every insert, delete and change of text."""
    mention_lists.run_script(db, CREATE_TRIGGERS_SQL)


def merge_wider(db: Database) -> None:
    """Let segments gather `AUTOMERGE` to a level before they are merged (kept in the
    index's own config table, so every connection merges alike)."""
    db.execute(f'INSERT INTO "{FTS_TABLE}"("{FTS_TABLE}", rank) VALUES(\'automerge\', {AUTOMERGE})')


def hash_larger(db: Database) -> None:
    """Let a transaction gather up to `HASH_BYTES` of entries before writing a segment
    (kept in the index's own config table, so every connection writes alike)."""
    db.execute(f'INSERT INTO "{FTS_TABLE}"("{FTS_TABLE}", rank) VALUES(\'hashsize\', {HASH_BYTES})')


def rebuild(db: Database) -> None:
    """Refill the whole index from `mentions` (FTS5's own 'rebuild' of a content table)."""
    db.execute(f'INSERT INTO "{FTS_TABLE}"("{FTS_TABLE}") VALUES(\'rebuild\')')


def recreate(db: Database) -> None:
    """Replace any earlier index of mentions by the sqlite-utils declaration, filled."""
    drop_triggers(db)
    db.execute(f'DROP TABLE IF EXISTS "{FTS_TABLE}"')
    db.execute(CREATE_FTS_SQL)
    rebuild(db)
    create_triggers(db)


def segment_count(conn: sqlite3.Connection) -> int:
    """The segments the index is split into: each search looks each of its words up in
    every one (FTS5 lists a segment's leaf pages in `mentions_fts_idx`)."""
    (count,) = conn.execute(f'SELECT count(DISTINCT segid) FROM "{FTS_TABLE}_idx"').fetchone()
    return int(count)


def optimize(conn: sqlite3.Connection) -> None:
    """Merge every segment of the index into one (FTS5's 'optimize'), in the caller's
    transaction."""
    conn.execute(f'INSERT INTO "{FTS_TABLE}"("{FTS_TABLE}") VALUES(\'optimize\')')


def count_matches(
    conn: sqlite3.Connection, expression: str, limit: int, rowids: tuple[int, int] | None = None
) -> int:
    """Rows of the index matching `expression` (with a rowid in [`rowids`]), up to `limit`,
    read from the index alone: its rows are the mentions' rowids, so no mention is looked
    up."""
    within = "" if rowids is None else " AND rowid BETWEEN ? AND ?"
    sql = (
        f'SELECT count(*) FROM (SELECT 1 FROM "{FTS_TABLE}" WHERE "{FTS_TABLE}" MATCH ?'
        f"{within} LIMIT ?)"
    )
    return int(conn.execute(sql, (expression, *(rowids or ()), limit)).fetchone()[0])


@dataclass
class Deferred:
    """What the writer inside `deferred_inserts` listed of its new rows itself."""

    since: int = 0
    """The largest rowid of `mentions` before the block: its new rows are those above."""
    authors_listed: bool = False
    days_listed: bool = False

    def list_days(self, conn: sqlite3.Connection, days: Iterable[str]) -> None:
        """List every day (YYYY-MM-DD) of the rows inserted in the block, as `list_authors`
        lists their authors, instead of reading each new row back at the end."""
        mention_lists.add_days(conn, days)
        self.days_listed = True

    def list_authors(
        self, conn: sqlite3.Connection, pairs: Iterable[tuple[object, object]]
    ) -> None:
        """List every (author_key, author) of the rows inserted in the block (the writer
        has them at hand), so that they are not read back and sorted at its end: 1.3 µs
        per mention of an import, against 0.5 for these (`bench/statements.py`)."""
        mention_lists.add_authors(conn, pairs)
        self.authors_listed = True


@contextlib.contextmanager
def deferred_inserts(conn: sqlite3.Connection) -> Iterator[Deferred]:
    """Index the rows inserted inside the block once, at its end, instead of row by row.

    For a bulk load, inside its write transaction: the insert trigger is dropped, and at
    the end every row added meanwhile (a rowid above the largest before) is indexed by one
    statement, which writes one index segment instead of one per statement, about a
    quarter of the trigger's cost. The trigger is then created again, character for
    character. The insert triggers of `cache.db.mention_lists` are deferred alike
    (`fill_inserted`), the authors listed by the writer itself if it says so (`Deferred`).
    Updates and deletes keep their triggers. It is all one transaction: a
    crash rolls back the rows, their index entries and the trigger's absence together,
    and no other connection ever sees the store without its trigger.
    """
    if not conn.in_transaction:
        raise RuntimeError("deferred_inserts needs an open write transaction")
    (since,) = conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{TABLE}"').fetchone()
    had_trigger = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'mentions_ai'"
    ).fetchone()
    deferred = Deferred(since)
    if had_trigger is None:  # a store without the declared triggers: leave it as it is
        yield deferred
        return
    conn.execute('DROP TRIGGER "mentions_ai"')
    # The index tables of `source:`/`has:` are filled the same way (cache.db.mention_lists).
    lists = mention_lists.insert_triggers_sql(conn)
    for name in mention_lists.INSERT_TRIGGER_NAMES:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    yield deferred
    conn.execute(
        f'INSERT INTO "{FTS_TABLE}" (rowid, "text") '
        f'SELECT rowid, "text" FROM "{TABLE}" WHERE rowid > ? ORDER BY rowid',
        (since,),
    )
    conn.execute(INSERT_TRIGGER_SQL)
    if lists:
        mention_lists.fill_inserted(
            conn, since, authors=not deferred.authors_listed, days=not deferred.days_listed
        )
        for sql in lists:
            conn.execute(sql)
