"""A prefix search (`Streik*`) is read as the indexed words it covers and selects exactly
what FTS5's own prefix search selects: page by page, counted, combined, negated, and left
to FTS5 where the words cannot be named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.read import prefix_terms, rare_words, windowed
from cache.read.monitor_queries import feed_page
from cache.read.search import query_selection
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user
from tests.store_helpers import counts_as_plain, scroll_as_plain

CLASSIFIER = Classifier(Config())
NOW = datetime(2027, 1, 1, tzinfo=UTC)
TEXTS = [
    "Streik heute am Tor 3",
    "Die Streikenden stehen seit sechs Uhr draußen",
    "STREIKPOSTEN vor dem Lager, Verdi ist da",
    "Streiks wirken: mehr Lohn",
    "Ein Streikrecht gilt für alle",
    "Lohnerhöhung gefordert, kein Streik",
    "Kündigung nach dem Streik? Kündigungsschutz hilft",
    "astreik ist kein Wort mit dem Anfang",
    "Stre bleibt ein Bruchstück",
    "Nichts davon hier",
]
QUERIES = [
    "Streik*",
    "streik*",
    "Streiks*",
    "Verdi Streik*",
    "Streik* OR Lohn*",
    "-Streik*",
    "Streik* -Lohn",
    "Kündig*",
    "Zzzq*",
    "Str*",
    "topic:strikes Streik*",
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("prefix") / "s.db"
    author = user("prefix_author")
    posts = [
        tweet(author, f"{text} #{n}", at=BASE_TIME + timedelta(minutes=n), lang="de")
        for n, text in enumerate(TEXTS * 6)
    ]
    with Store.open(path) as store:
        for start in range(0, len(posts), 7):
            ingest(store, parse_response(page(posts[start : start + 7], [author]), "x"), CLASSIFIER)
    return path


@pytest.fixture(autouse=True)
def _small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows smaller than this store, so a page goes through several, as at scale.
    monkeypatch.setattr(windowed, "FIRST_WINDOW", 4)


@pytest.mark.parametrize("rare", [0, rare_words.RARE])
@pytest.mark.parametrize("most", [prefix_terms.MOST_TERMS, 2])
@pytest.mark.parametrize("text", QUERIES)
def test_prefix_pages_and_counts_equal_fts5s_prefix_search(
    store_path: Path, text: str, most: int, rare: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page and the capped count of a prefix search are those of FTS5's prefix search,
    read in windows or (a rare prefix) from its match list."""
    monkeypatch.setattr(prefix_terms, "MOST_TERMS", most)
    monkeypatch.setattr(rare_words, "RARE", rare)
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(text, NOW)
        scroll_as_plain(store, selection, text, NOW, 5)
        counts_as_plain(store, selection, (3, 20, 500))


def test_a_prefix_is_searched_as_the_words_it_covers(store_path: Path) -> None:
    """`Streik*` becomes the stored words that start with "streik", in any case, and no other."""
    with Store.open(store_path, readonly=True) as store:
        expanded = prefix_terms.expanded(store, query_selection("Streik*", NOW))
    expressions = {p for p in expanded.params if isinstance(p, str) and "streik" in p}
    assert expressions == {
        '("streik" OR "streikenden" OR "streikposten" OR "streikrecht" OR "streiks")'
    }
    assert all(not prefix_terms.has_prefix(e) for e in expanded.needs_text)


def test_prefixes_it_cannot_name_are_left_to_fts5(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A non-ASCII prefix, one covering too many words and one covering none stay prefixes."""
    monkeypatch.setattr(prefix_terms, "MOST_TERMS", 4)
    with Store.open(store_path, readonly=True) as store:
        for text in ("Kündig*", "Streik*", "Zzzq*"):
            expanded = prefix_terms.expanded(store, query_selection(text, NOW))
            assert expanded == query_selection(text, NOW), text


def test_a_word_stored_after_a_search_is_found_by_the_next(tmp_path: Path) -> None:
    """The words a prefix covers are read from the store each time, never remembered."""
    author = user("later_author")
    with Store.open(tmp_path / "s.db") as store:
        first = tweet(author, "Streik heute", at=BASE_TIME)
        ingest(store, parse_response(page([first], [author]), "x"), CLASSIFIER)
        selection = query_selection("Streik*", NOW)
        assert [r["id"] for r in feed_page(store, selection)] == [f"x:{first['id']}"]
        later = tweet(author, "Streikversammlung morgen", at=BASE_TIME + timedelta(hours=1))
        ingest(store, parse_response(page([later], [author]), "x"), CLASSIFIER)
        found = [r["id"] for r in feed_page(store, selection)]
    assert found == [f"x:{later['id']}", f"x:{first['id']}"]
