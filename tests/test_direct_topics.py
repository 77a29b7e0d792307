"""Direct rows that arrive with their topics (from the import's worker) store the same
topics as rows the storing process classifies itself, also once batches are merged."""

from __future__ import annotations

from pathlib import Path

from bench.synth import pages
from cache.db.store import Store
from cache.write.direct import TEXT, TOPICS, RowBatch, encode_payloads, rows_from_page
from cache.write.ingest import stored_topics
from cache.write.ingest_rows import ingest_rows
from filters.classify import Classifier
from sources.model.config import Config


def _batches(classifier: Classifier, classify: bool) -> list[RowBatch]:
    batches = []
    for page in pages(600, seed=3):
        batch = rows_from_page(page, "x:test")
        if classify:
            texts = [row[TEXT] for row in batch.rows]
            encode_payloads(batch, classifier.classify_many(texts), stored_topics)
        batches.append(batch)
    return batches


def _topics(db: Path, batch: RowBatch, classifier: Classifier) -> list[tuple[str, str, str]]:
    with Store.open(db) as store:
        ingest_rows(store, batch, classifier)
        return store.conn.execute(
            "SELECT id, topics, topic_matches FROM mentions ORDER BY id"
        ).fetchall()


def test_merged_batches_of_classified_rows_keep_each_rows_topics(tmp_path: Path) -> None:
    """Topics the worker gave rows survive merging batches and equal the importer's own."""
    classifier = Classifier(Config())
    merged, plain = RowBatch(), RowBatch()
    for batch in _batches(classifier, classify=True):
        merged.extend(batch)
    for batch in _batches(classifier, classify=False):
        plain.extend(batch)
    assert len(merged.topics) > 1 and all(row[TOPICS] is not None for row in merged.rows)
    assert all(row[TOPICS] is None for row in plain.rows)
    given = _topics(tmp_path / "given.db", merged, classifier)
    own = _topics(tmp_path / "own.db", plain, classifier)
    assert given == own
    assert sum(topics != "[]" for _, topics, _ in given) > len(given) // 4
