"""A search whose words match few posts in the whole store is read from the words' match
list (`cache.read.rare_words`): the same pages and counts as the plain statement, without
walking the feed to find the few, or to find that none of them fits.

Work is measured in SQLite virtual-machine steps (a progress handler), never in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.read import prefix_terms, rare_words, windowed
from cache.read.monitor_queries import count_matching, feed_page
from cache.read.search import query_selection
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.store_helpers import scroll_as_plain, vm_steps

CLASSIFIER = Classifier(Config())
POSTS = 1500
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
AUTHORS = [user("betriebsrat_nord"), user("lagerhalle_sued"), user("picket_line")]


def _post(n: int) -> dict[str, Any]:
    """Every post says "Streik"; one in fifty also "Verdi", only in German and only by the
    works council."""
    at = NOW - timedelta(minutes=20 * (POSTS - n))
    if n % 50 == 0:
        text = f"Verdi sagt: Streik, weil der Lohn nicht reicht ({n})"
        return tweet(AUTHORS[0], text, at=at, lang="de")
    lang = "de" if n % 2 else "en"
    return tweet(AUTHORS[1 + n % 2], f"Streik heute, Tag {n}", at=at, lang=lang)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rare_words") / "s.db"
    posts = [_post(n) for n in range(POSTS)]
    with Store.open(path) as store:
        for start in range(0, POSTS, 100):
            ingest(
                store, parse_response(page(posts[start : start + 100], AUTHORS), "x"), CLASSIFIER
            )
    return path


@pytest.fixture(autouse=True)
def _small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first time window (2,000 mentions) would be the whole of this store.
    monkeypatch.setattr(windowed, "FIRST_WINDOW", 16)


RARE_SEARCHES = [
    "Verdi",
    "Verdi lang:en",
    "Verdi lang:de",
    "Verdi -lang:de",
    "Verdi Lohn",
    "topic:pay Verdi",
    "-topic:pay Verdi",
    "author:@betriebsrat_nord Verdi",
    "Verdi since:3d",
    "Verdi until:2026-02-25 role:public",
    '"Verdi sagt"',
    "Verd*",
    "Verdi (lang:en OR author:@picket_line)",
]


@pytest.mark.parametrize("search", RARE_SEARCHES)
def test_rare_words_show_the_plain_pages_and_counts(store_path: Path, search: str) -> None:
    """Searches for a rare word, alone or with other conditions, scroll through the plain
    statement's posts page by page and count as it counts, capped or not."""
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(search, NOW)
        expanded = prefix_terms.expanded(store, selection)  # as the readers do first
        assert rare_words.rare_text(store, expanded) is not None  # read from the list
        scroll_as_plain(store, selection, search, NOW, 7)
        (exact,) = store.conn.execute(
            f"SELECT count(*) FROM mentions AS m WHERE {selection.where}", selection.params
        ).fetchone()
        for cap in (3, 1000):
            assert count_matching(store, selection, cap) == min(exact, cap + 1)


@pytest.mark.parametrize("search", ["Verdi lang:en", "Verdi -lang:de", "author:@picket_line Verdi"])
def test_a_rare_word_that_fits_nothing_else_reads_its_matches_not_the_feed(
    store_path: Path, search: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty page and a count of 0 for a rare word with a condition none of its posts
    meet read the word's 30 posts, not every post the other condition allows."""
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(search, NOW)
        listed_page, rows = vm_steps(store, lambda: feed_page(store, selection))
        listed_count, count = vm_steps(store, lambda: count_matching(store, selection))
        monkeypatch.setattr(rare_words, "RARE", 0)  # as before: walk the feed
        walked_page, rows_walked = vm_steps(store, lambda: feed_page(store, selection))
        walked_count, count_walked = vm_steps(store, lambda: count_matching(store, selection))
    assert rows == rows_walked == [] and count == count_walked == 0
    assert listed_page * 4 < walked_page, (listed_page, walked_page)
    assert listed_count * 4 < walked_count, (listed_count, walked_count)


def test_only_words_with_few_matches_are_read_from_their_list(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word in every post is read along the feed as before; one in 30 posts from its list,
    also beside other words and conditions; a search of no words has no list, and a prefix
    term is counted only once named as the words it covers."""
    monkeypatch.setattr(rare_words, "RARE", 100)
    with Store.open(store_path, readonly=True) as store:

        def listed(search: str) -> bool:
            return rare_words.rare_text(store, query_selection(search, NOW)) is not None

        assert not listed("Streik") and not listed("Streik lang:en")
        assert listed("Verdi") and listed("Streik Verdi lang:en") and listed("Nichtvorhanden")
        assert not listed("lang:en") and not listed("Verdi OR Streik")
        assert not listed("Verd*")  # a prefix FTS5 would read itself: never counted first
