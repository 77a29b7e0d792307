"""Direct rows that arrive ready to store (deduplicated, with their topics, from the
import's worker) store the same rows as rows the storing process works out itself."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.synth import pages
from cache.db.store import Store
from cache.write.direct import ID, TOPICS, RowBatch, make_ready, rows_from_page
from cache.write.ingest import json_list, stored_topics
from cache.write.ingest_rows import ingest_rows
from cache.write.mention_rows import ROWS_PER_INSERT
from filters.classify import Classifier
from sources.model.config import Config


@pytest.fixture(autouse=True)
def _one_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # first_seen_at/updated_at come from the clock: both stores must see the same time.
    monkeypatch.setattr("cache.db.store.utc_now", lambda: datetime(2026, 12, 1, 9, 30, tzinfo=UTC))


def _batch(ready: bool, classifier: Classifier) -> RowBatch:
    """Pages merged into one batch, as the worker merges them into a chunk; ready or not."""
    batch = RowBatch()
    for page in pages(600, seed=3):
        batch.extend(rows_from_page(page, "x:test"))
        batch.extend(rows_from_page(page, "x:other"))  # every id from two sources
    if ready:
        make_ready(batch, classifier.classify_many, stored_topics, json_list)
    return batch


def _stored(db: Path, batches: list[RowBatch], classifier: Classifier) -> list[tuple[str, ...]]:
    with Store.open(db) as store:
        for batch in batches:
            ingest_rows(store, batch, classifier)
        return store.conn.execute(
            "SELECT m.*, (SELECT group_concat(topic) FROM mention_topics WHERE mention_id = m.id)"
            " FROM mentions AS m ORDER BY rowid"
        ).fetchall()


def test_ready_rows_store_what_the_storing_process_would_store(tmp_path: Path) -> None:
    """A ready batch stores the rows, sources and topics of the same posts parsed as usual."""
    classifier = Classifier(Config())
    ready, plain = _batch(True, classifier), _batch(False, classifier)
    assert ready.ready and not plain.ready and len(ready.rows) < len(plain.rows)
    assert all(row[TOPICS] is None for row in plain.rows)
    given = _stored(tmp_path / "given.db", [ready], classifier)
    own = _stored(tmp_path / "own.db", [plain], classifier)
    assert given == own
    assert sum(row[-1] is not None for row in given) > len(given) // 4


def test_ready_rows_of_stored_posts_update_them_as_usual(tmp_path: Path) -> None:
    """Ready rows of posts already stored (a second import) update them as usual rows do."""
    classifier = Classifier(Config())
    first, again = RowBatch(), _batch(True, classifier)
    for page in list(pages(600, seed=3))[::2]:
        first.extend(rows_from_page(page, "x:test"))
    given = _stored(tmp_path / "given.db", [first, again], classifier)
    own = _stored(tmp_path / "own.db", [first, _batch(False, classifier)], classifier)
    assert given == own


def test_a_ready_batch_is_never_merged() -> None:
    """Merging a ready batch (one transaction's rows, deduplicated) is refused."""
    ready = _batch(True, Classifier(Config()))
    with pytest.raises(ValueError, match="ready"):
        RowBatch().extend(ready)
    with pytest.raises(ValueError, match="ready"):
        ready.extend(RowBatch())


@pytest.mark.parametrize(
    "count", [1, ROWS_PER_INSERT - 1, ROWS_PER_INSERT, 2 * ROWS_PER_INSERT + 1]
)
def test_every_ready_row_is_stored_in_order_whatever_their_number(
    tmp_path: Path, count: int
) -> None:
    """Rows inserted many to a statement: each is stored once, in the order it came."""
    classifier = Classifier(Config())
    batch = _batch(True, classifier)
    batch.rows = batch.rows[:count]
    with Store.open(tmp_path / "store.db") as store:
        ingest_rows(store, batch, classifier)
        stored = [r[0] for r in store.conn.execute("SELECT id FROM mentions ORDER BY rowid")]
    assert stored == [row[ID] for row in batch.rows]
