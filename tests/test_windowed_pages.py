"""Free-text pages read in time windows (`cache.read.windowed`) give exactly the rows, the
order and the capped counts of the plain statement: on a store whose rowids follow time in
one part, run against it in another, and share one timestamp among many posts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench.synth import pages
from cache.db.store import Store
from cache.read import rare_words, windowed
from cache.read.monitor_queries import feed_page, feed_page_sql
from cache.read.search import query_selection
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.store_helpers import counts_as_plain, plain_page_ids
from tests.test_query_plans import full_scans

CLASSIFIER = Classifier(Config())
QUERIES = [
    "Streik",
    "Streik*",
    "-Streik",
    '"Streik bei"',
    "Verdi OR Gewerkschaft",
    "lang:de Streik",
    "topic:strikes (Verdi OR Streik)",
    "Streik -Verdi",
    "since:2d Streik",
    "until:2026-01-08T06:20 Streik",
    "since:2026-01-08T06:10 until:2026-01-08T06:25 Streik -Verdi",
    "Nichtvorhandenwort",
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("windowed") / "s.db"
    stream = list(pages(900, seed=3, page_size=50))
    with Store.open(path) as store:
        for part in stream[:8]:  # rowids in time order
            ingest(store, parse_response(part, "x"), CLASSIFIER)
        for part in reversed(stream[8:14]):  # newer posts stored later, but newest first
            ingest(store, parse_response(part, "x"), CLASSIFIER)
        tied = user("tied_author")
        same = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=3000)
        posts = [tweet(tied, f"Streik Nummer {n}", at=same) for n in range(40)]
        ingest(store, parse_response(page(posts, [tied]), "x"), CLASSIFIER)
        for part in stream[14:]:
            ingest(store, parse_response(part, "x"), CLASSIFIER)
    return path


@pytest.fixture(autouse=True)
def _small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real first window (2,000) is larger than this store: shrink it so every query
    # goes through several windows, spread bands and the plain remainder.
    monkeypatch.setattr(windowed, "FIRST_WINDOW", 16)
    # Every word of this small store is rare: read from its match list unless a test
    # says otherwise (`rare`), the windows would not be tested.
    monkeypatch.setattr(rare_words, "RARE", 0)


NOW = datetime(2026, 1, 9, tzinfo=UTC)


def _keys(rows: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    return ((r["created_at"], r["id"]) for r in rows)


@pytest.mark.parametrize("rare", [0, rare_words.RARE])
@pytest.mark.parametrize("text", QUERIES)
def test_windowed_pages_equal_the_plain_statement(
    store_path: Path, text: str, rare: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scrolling a free-text search shows the same posts in the same order, page by page,
    read in windows or (words matching at most `rare` posts) from the match list."""
    monkeypatch.setattr(rare_words, "RARE", rare)
    with Store.open(store_path, readonly=True) as store:
        assert list(windowed.time_windows(store, None, most=6))  # the windows are used
        selection = query_selection(text, NOW)
        before: tuple[str, str] | None = None
        pages_read = 0
        while True:
            rows = feed_page(store, selection, before=before, limit=37)
            assert [r["id"] for r in rows] == plain_page_ids(store, text, NOW, before, 37), (
                text,
                before,
            )
            if len(rows) < 37:
                break
            before = list(_keys(rows))[-1]
            pages_read += 1
        assert pages_read > 0 or text in ('"Streik bei"', "Nichtvorhandenwort")


@pytest.mark.parametrize("rare", [0, rare_words.RARE])
@pytest.mark.parametrize("text", QUERIES)
def test_windowed_counts_equal_the_plain_count(
    store_path: Path, text: str, rare: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter line's capped count of a free-text search is the plain count, capped,
    counted in windows or from the match list."""
    monkeypatch.setattr(rare_words, "RARE", rare)
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(text, NOW)
        counts_as_plain(store, selection, (5, 40, 300, 5000))


def test_a_narrowed_window_pages_without_a_full_scan(store_path: Path) -> None:
    """A window of a common word reads an index range and a band of the word's list."""
    with Store.open(store_path, readonly=True) as store:
        window = next(windowed.time_windows(store, None, most=1))
        for text in QUERIES:
            sql, params = feed_page_sql(windowed.narrowed(query_selection(text, NOW), window))
            plan = [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, (*params, 9))]
            assert full_scans(plan) == [], (text, plan)
