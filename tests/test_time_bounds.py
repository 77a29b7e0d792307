"""A `since:` or `until:` in a search does not make a reader walk the whole period it
names: the filter line's windowed count, a page deep in the feed and the saved views'
counts read their own time range.

The work a statement does is measured in SQLite virtual-machine steps (a progress
handler), not in time: a count that walks every mention since `since:` takes many times
the steps of one that walks its window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.read import rare_words, windowed
from cache.read.monitor_queries import count_matching, feed_page
from cache.read.search import query_selection
from cache.read.views import view_counts
from cache.write.ingest import ingest
from filters.classify import Classifier
from filters.views import SavedView
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.store_helpers import vm_steps

CONFIG = Config()
POSTS = 600
NEWEST = datetime(2026, 3, 1, 12, tzinfo=UTC)
"""The newest post; the others one hour apart before it (25 days)."""


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("time_bounds") / "s.db"
    author = user("picket_line")
    posts = [
        tweet(author, f"Streik Tag {n}", at=NEWEST - timedelta(hours=POSTS - 1 - n))
        for n in range(POSTS)
    ]
    with Store.open(path) as store:  # oldest first: rowids follow time, as an import stores
        for start in range(0, POSTS, 100):
            batch = parse_response(page(posts[start : start + 100], [author]), "x")
            ingest(store, batch, Classifier(CONFIG))
    return path


@pytest.fixture(autouse=True)
def _small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real first window (2,000 mentions) is larger than this store.
    monkeypatch.setattr(windowed, "FIRST_WINDOW", 16)
    # Every word of this small store is rare (tests/test_rare_words.py reads those from
    # their match list): the windows are what is tested here.
    monkeypatch.setattr(rare_words, "RARE", 0)


def _queries(*texts: str) -> Iterator[Any]:
    return (query_selection(text, NEWEST) for text in texts)


@pytest.mark.parametrize("search", ["Streik -Verdi", "lang:en Streik -Verdi"])
def test_a_since_search_counts_its_newest_window_only(store_path: Path, search: str) -> None:
    """`since:60d Streik -Verdi` counts as little as `Streik -Verdi` when the newest window
    holds enough matches: it does not walk the two months it names first (also where the
    language leads the index SQLite walks)."""
    with Store.open(store_path, readonly=True) as store:
        bounded, free = _queries(f"since:60d {search}", search)
        steps_bounded, count_bounded = vm_steps(store, lambda: count_matching(store, bounded, 5))
        steps_free, count_free = vm_steps(store, lambda: count_matching(store, free, 5))
    assert count_bounded == count_free == 6  # "more than 5"
    assert steps_bounded < 2 * steps_free + 50, (steps_bounded, steps_free)


@pytest.mark.parametrize("search", ["", "lang:en", "topic:strikes"])
def test_a_page_deep_in_an_until_search_starts_at_the_page(store_path: Path, search: str) -> None:
    """Scrolled to 90 % of `until:2030-01-01`, a page costs what the same page without the
    `until:` costs: the walk starts at the page, not at the date."""
    with Store.open(store_path, readonly=True) as store:
        bounded, free = _queries(f"until:2030-01-01 {search}", search)
        deep = feed_page(store, free, limit=POSTS)[POSTS * 9 // 10]
        key = (deep["created_at"], deep["id"])
        steps_bounded, rows_bounded = vm_steps(
            store, lambda: feed_page(store, bounded, before=key, limit=20)
        )
        steps_free, rows_free = vm_steps(
            store, lambda: feed_page(store, free, before=key, limit=20)
        )
    assert [r["id"] for r in rows_bounded] == [r["id"] for r in rows_free]
    assert len(rows_free) == 20
    assert steps_bounded < 2 * steps_free + 50, (steps_bounded, steps_free)


def test_a_views_since_does_not_widen_its_count(store_path: Path) -> None:
    """A saved view with `since:60d` counts its last week from the week's start, as the
    same view without `since:` does, and finds the same numbers (the week is bounded on
    both sides, which SQLite prefers to the one-sided `since:`)."""
    views = [SavedView("bounded", "since:60d Streik"), SavedView("free", "Streik")]
    with Store.open(store_path, readonly=True) as store:
        steps_bounded, (bounded,) = vm_steps(
            store, lambda: view_counts(store, views[:1], CONFIG, NEWEST)
        )
        steps_free, (free,) = vm_steps(store, lambda: view_counts(store, views[1:], CONFIG, NEWEST))
    assert bounded.counts == free.counts == {"1h": 2, "24h": 25, "7d": 169}
    assert steps_bounded < 2 * steps_free + 50, (steps_bounded, steps_free)


@pytest.mark.parametrize("bound", ["since:10h", "until:OLD"])
def test_a_source_search_counts_only_its_period(store_path: Path, bound: str) -> None:
    """`source:x since:10h` is counted from the source's list within those ten hours, as
    cheaply as the first eleven posts of the source, not by looking up all six hundred."""
    twelfth = NEWEST - timedelta(hours=POSTS - 12)  # `until:` it leaves the first eleven
    old = twelfth.strftime("%Y-%m-%dT%H:%M")
    with Store.open(store_path, readonly=True) as store:
        bounded, free = _queries(f"source:x {bound.replace('OLD', old)}", "source:x")
        steps_bounded, count = vm_steps(store, lambda: count_matching(store, bounded))
        steps_first, first = vm_steps(store, lambda: count_matching(store, free, cap=10))
    assert count == first == 11
    assert steps_bounded < 2 * steps_first + 50, (steps_bounded, steps_first)


@pytest.mark.parametrize("search", ["Streik -Verdi", "lang:en Streik -Verdi"])
def test_an_until_search_reads_from_its_date(store_path: Path, search: str) -> None:
    """The first page of `until:<three weeks ago> Streik -Verdi` costs what the same search
    scrolled down to that date costs: it is read in windows from the date, not by the
    plain statement after windows of newer posts that it can never show."""
    old = (NEWEST - timedelta(hours=500)).strftime("%Y-%m-%dT%H:%M")
    with Store.open(store_path, readonly=True) as store:
        bounded, free = _queries(f"until:{old} {search}", search)
        start = (old + ":00Z", "")  # as the store writes times
        steps_bounded, rows_bounded = vm_steps(store, lambda: feed_page(store, bounded, limit=20))
        steps_free, rows_free = vm_steps(
            store, lambda: feed_page(store, free, before=start, limit=20)
        )
        count = count_matching(store, bounded, 50)
    assert [r["id"] for r in rows_bounded] == [r["id"] for r in rows_free]
    assert len(rows_free) == 20
    assert count == 51
    # The plain statement lists every match of the word (600 here) before its walk.
    assert steps_bounded < 1.2 * steps_free + 10, (steps_bounded, steps_free)
