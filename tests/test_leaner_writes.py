"""Fewer index entries per stored mention (m015): topic rows keyed by what `topic:` reads,
reply and quote links indexed only where a post has one, no index of conversation ids.
An older store keeps every topic row and answer, and every link lookup still uses an index."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.synth import pages
from cache.db.store import Store
from cache.read.monitor_queries import feed_page_sql
from cache.read.search import query_selection
from cache.write import thread_topics
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.store_helpers import store_before

NOW = datetime(2026, 1, 9, tzinfo=UTC)
QUERIES = ("topic:strikes", "own:pay", "topic:unions lang:de", "has:reply")
TOPIC_ROWS = "SELECT topic, created_at, mention_id, inherited FROM mention_topics ORDER BY 1, 2, 3"


def _ingest_stream(store: Store, classifier: Classifier) -> None:
    for part in pages(1500, seed=11, page_size=100):
        ingest(store, parse_response(part, "x"), classifier)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("leaner") / "s.db"
    with Store.open(path) as store:
        _ingest_stream(store, Classifier(Config()))
    return path


def _page(store: Store, text: str) -> list[str]:
    sql, params = feed_page_sql(query_selection(text, NOW))
    return [r[0] for r in store.conn.execute(sql, (*params, 200))]


def test_an_older_store_keeps_every_topic_row_and_answer(store_path: Path, tmp_path: Path) -> None:
    """A store made before m015 has the same topic rows (own and from the thread) and the
    same `topic:`, `own:` and `has:` pages after the upgrade as a store made now."""
    old = store_before("m015_leaner_writes", tmp_path / "old.db", store_path)
    with Store.open(store_path, readonly=True) as new_store, Store.open(old) as upgraded:
        rows = [list(new_store.rows(TOPIC_ROWS)), list(upgraded.rows(TOPIC_ROWS))]
        pages_ = [[_page(s, q) for q in QUERIES] for s in (new_store, upgraded)]
    assert any(row["inherited"] for row in rows[0])  # replies took their thread's topics
    assert rows[1] == rows[0]
    assert all(pages_[0]) and pages_[1] == pages_[0]


def test_a_stream_stored_twice_keeps_one_topic_row_per_topic(tmp_path: Path) -> None:
    """Storing the same posts again adds no topic row: each mention has one per topic."""
    classifier = Classifier(Config())
    with Store.open(tmp_path / "s.db") as store:
        _ingest_stream(store, classifier)
        first = list(store.rows(TOPIC_ROWS))
        _ingest_stream(store, classifier)
        again = list(store.rows(TOPIC_ROWS))
        (listed,) = store.conn.execute(
            "SELECT sum(json_array_length(topics)) FROM mentions"
        ).fetchone()
    assert len(first) == listed > 100
    assert again == first


def _children_by_reading(store: Store, ids: list[str]) -> set[str]:
    """The replies and quotes of `ids` found by reading every row (`+` keeps SQLite off
    any index)."""
    marks = ",".join("?" for _ in ids)
    rows = store.conn.execute(
        f"SELECT id FROM mentions WHERE +in_reply_to IN ({marks}) OR +quoted_id IN ({marks})",
        ids + ids,
    )
    return {r[0] for r in rows}


def test_replies_and_quotes_are_found_through_the_link_indexes(store_path: Path) -> None:
    """The replies and quotes of a set of posts are the same as by reading every row, and
    are looked up in the (partial) link indexes."""
    with Store.open(store_path, readonly=True) as store:
        parents = [
            r[0]
            for r in store.conn.execute(
                "SELECT DISTINCT coalesce(in_reply_to, quoted_id) FROM mentions "
                "WHERE coalesce(in_reply_to, quoted_id) IS NOT NULL LIMIT 40"
            )
        ]
        found = set(thread_topics._children(store.conn, parents))
        expected = _children_by_reading(store, parents)
        marks = ",".join("?" for _ in parents)
        plan = " | ".join(
            r[3]
            for r in store.conn.execute(
                "EXPLAIN QUERY PLAN " + thread_topics.CHILDREN_SQL.format(marks=marks),
                parents + parents,
            )
        )
    assert len(expected) >= 40 and found == expected
    # Each id looked up (SEARCH), not the whole index read through (SCAN ... USING INDEX).
    for index, column in (
        ("mentions_in_reply_to", "in_reply_to"),
        ("mentions_quoted", "quoted_id"),
    ):
        assert re.search(
            rf"SEARCH mentions USING (COVERING )?INDEX {index} \({column}=\?\)", plan
        ), plan
    assert "SCAN" not in plan, plan
