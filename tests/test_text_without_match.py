"""A free-text search without any match answers from the full-text index alone, without
walking the feed (at a million mentions the walk took about 120 ms to find nothing)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.synth import pages
from cache.db.store import Store
from cache.read import windowed
from cache.read.monitor_queries import count_matching, feed_page, feed_page_sql
from cache.read.search import query_selection
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response

NOW = datetime(2026, 1, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nomatch") / "s.db"
    classifier = Classifier(Config())
    with Store.open(path) as store:
        for part in pages(3000, seed=9, page_size=100):
            ingest(store, parse_response(part, "x"), classifier)
    return path


@pytest.fixture(autouse=True)
def _small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first time window (2,000 mentions) is a small part of a real store but most of
    # this one: shrink it to the same proportion.
    monkeypatch.setattr(windowed, "FIRST_WINDOW", 16)


def _steps(store: Store, run: object) -> int:
    """SQLite virtual-machine steps (in hundreds) that `run` costs."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    store.conn.set_progress_handler(tick, 100)
    try:
        run()  # type: ignore[operator]
    finally:
        store.conn.set_progress_handler(None, 100)
    return steps[0]


@pytest.mark.parametrize(
    "text", ['"Streik Lahnfeld Kuchen"', "Nichtvorhandenwort", "lang:de Nichtvorhandenwort"]
)
def test_a_search_without_match_does_not_walk_the_feed(store_path: Path, text: str) -> None:
    """A phrase nobody wrote shows an empty feed and a count of 0 at once."""
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(text, NOW)
        sql, params = feed_page_sql(selection)
        assert store.conn.execute(sql, (*params, 200)).fetchall() == []  # nothing to find
        walk = _steps(store, lambda: store.conn.execute(sql, (*params, 200)).fetchall())
        assert feed_page(store, selection) == []
        assert count_matching(store, selection) == 0
        page = _steps(store, lambda: feed_page(store, selection))
        count = _steps(store, lambda: count_matching(store, selection))
    assert walk > 50  # the plain statement steps through every mention it walks
    assert page < walk / 10 and count < walk / 10, (walk, page, count)
