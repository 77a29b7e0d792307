"""A search of words and facets (`lang:`, `role:`, `platform:`, `topic:`/`own:` of the
default topics) is read from its words' match list with every condition tested on the
facets, and a page looks up only its newest matches (`rare_words.newest_passing`): the
same pages and counts as the plain statement, posts sharing a time included.

Work is measured in SQLite virtual-machine steps (a progress handler), never in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db import fts, mention_facets
from cache.db.store import Store
from cache.read import monitor_queries, newest_matches, rare_words, windowed
from cache.read.monitor_queries import (
    combine,
    count_matching,
    feed_page,
    feed_page_sql,
    topic_selection,
)
from cache.read.search import query_selection
from filters.classify import Classifier
from filters.roles import ROLES
from filters.topic_vocab import DEFAULT_TOPICS
from sources.model.config import Config
from tests.builders import tweet, user
from tests.store_helpers import (
    counts_as_plain,
    plain_page_ids,
    scroll_as_plain,
    store_in_pages,
    vm_steps,
)

CLASSIFIER = Classifier(Config())
POSTS = 1200
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
AUTHORS = [user("betriebsrat_nord"), user("lagerhalle_sued"), user("picket_line")]


def _posts() -> list[dict[str, Any]]:
    """Every post but the replies says "heute"; one in ten also "Nordhafen", a third of
    those about pay ("Lohn") and each of those answered by a reply that names no topic
    (it takes pay from its thread). Four posts share each minute, so pages end inside a
    minute."""
    posts = []
    for n in range(POSTS):
        at = NOW - timedelta(minutes=(POSTS - n) // 4)
        author = AUTHORS[n % 3]
        if n % 10 == 0:
            lang = "de" if (n // 30) % 2 else "en"
            about = "der Lohn reicht nicht" if n % 30 == 0 else "wir treffen uns"
            post = tweet(author, f"Nordhafen heute: {about} ({n})", at=at, lang=lang)
            posts.append(post)
            if n % 30 == 0:
                answer = f"Nordhafen, ja ({n})"
                posts.append(tweet(AUTHORS[2], answer, at=at, lang=lang, reply_to=post))
        else:
            lang = "de" if n % 2 else "en"
            posts.append(tweet(author, f"Streik heute, Tag {n}", at=at, lang=lang))
    return posts


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store_in_pages(tmp_path_factory.mktemp("faceted") / "s.db", _posts(), AUTHORS)


@pytest.fixture(autouse=True)
def _small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first time window (2,000 mentions) would be the whole of this store.
    monkeypatch.setattr(windowed, "FIRST_WINDOW", 16)


SEARCHES = [
    "topic:pay Nordhafen",
    "own:pay Nordhafen",
    "topic:pay -own:pay Nordhafen",
    "topic:pay|taxes Nordhafen lang:de",
    "-topic:pay Nordhafen",
    "topic:pay Nordhafen -role:press",
    "Nordhafen (topic:pay OR lang:en)",
    "topic:pay heute",
    "heute lang:de",
    "Nordhafen lang:en",
    "topic:pay (Nordhafen OR Streik) lang:de",
    "heute (Lohn OR ja) -role:press",
    "Nordhafen OR Streik",
    "(Nordhaf* OR ja) lang:de",
]


@pytest.mark.parametrize("rare", [2_000, 0], ids=["rare", "common"])
@pytest.mark.parametrize("search", SEARCHES)
def test_pages_and_counts_of_words_and_facets_are_the_plain_ones(
    store_path: Path, search: str, rare: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Searches of words, topics and languages scroll page by page (pages ending inside a
    minute) and count as the plain statement, read from the match list or in windows."""
    monkeypatch.setattr(rare_words, "RARE", rare)
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(search, NOW)
        assert selection.words_and_facets
        assert scroll_as_plain(store, selection, search, NOW, 7) >= 1
        assert scroll_as_plain(store, selection, search, NOW, 13) >= 1
        counts_as_plain(store, selection, (3, 1000))


def test_times_in_another_form_keep_the_pages_of_words_and_facets_plain(
    store_path: Path, tmp_path: Path
) -> None:
    """Times another tool wrote in other forms (a space for the `T`, a fraction) sort as
    text like the rest, and a role it wrote outside the known ones is no known role: pages
    through them, and from a page ending on one, are the plain statement's."""
    copy = tmp_path / "s.db"
    copy.write_bytes(store_path.read_bytes())
    with Store.open(copy) as store:
        with store.writing():
            store.conn.execute(
                "UPDATE mentions SET created_at = replace(created_at, 'T', ' ') WHERE rowid % 3 = 0"
            )
            store.conn.execute(
                "UPDATE mentions SET created_at = replace(created_at, 'Z', '.5Z') "
                "WHERE rowid % 5 = 0"
            )
            store.conn.execute("UPDATE mentions SET role = 'moderator' WHERE rowid % 7 = 0")
        searches = ("topic:pay Nordhafen", "heute lang:de", "-topic:pay Nordhafen")
        for search in (*searches, "Nordhafen -role:public", "heute role:public lang:en"):
            selection = query_selection(search, NOW)
            assert scroll_as_plain(store, selection, search, NOW, 7) >= 3


@pytest.fixture(scope="module")
def swapped_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same posts stored a page of 100 at a time, each two pages in swapped order: the
    highest rowids are not the newest posts."""
    posts = _posts()
    count = (len(posts) + 99) // 100
    first = count % 2  # pairs end with the newest page, stored before the one older
    order = [*range(first)] + [i for a in range(first, count, 2) for i in (a + 1, a)]
    return store_in_pages(tmp_path_factory.mktemp("swapped") / "s.db", posts, AUTHORS, order)


@pytest.mark.parametrize("search", SEARCHES)
def test_pages_of_words_and_facets_stored_out_of_time_order_are_the_plain_ones(
    swapped_path: Path, search: str
) -> None:
    """Where posts were stored out of time order, the newest by rowid are checked against
    the time index: pages and counts are still the plain statement's."""
    with Store.open(swapped_path, readonly=True) as store:
        selection = query_selection(search, NOW)
        assert scroll_as_plain(store, selection, search, NOW, 7) >= 1
        counts_as_plain(store, selection, (3, 1000))


def test_the_newest_by_rowid_take_in_the_later_posts_stored_before_them(
    swapped_path: Path,
) -> None:
    """The matches with the highest rowids are an older page here: the newer posts
    stored before them are added before the page is read."""
    with Store.open(swapped_path, readonly=True) as store:
        selection = query_selection("heute lang:de", NOW)
        tests = newest_matches.facet_tests(selection)
        words = rare_words.words_of(selection)
        assert words is not None
        found = newest_matches.newest_candidates(store, tests, words, 7)
        rows = feed_page(store, selection, limit=7)
        plain = plain_page_ids(store, "heute lang:de", NOW, None, 7)
    assert found is not None and len(found) > 7
    assert [r["id"] for r in rows] == plain


def test_a_topic_chosen_in_the_panel_is_a_facet_too(store_path: Path) -> None:
    """A words search with the topic panel's choice reads the same pages as the query
    `topic:` would, from the facets."""
    with Store.open(store_path, readonly=True) as store:
        selection = combine(query_selection("Nordhafen", NOW), topic_selection("pay"))
        assert selection.words_and_facets and selection.facets
        rows = feed_page(store, selection, limit=9)
        plain = plain_page_ids(store, "Nordhafen topic:pay", NOW, None, 9)
    assert [r["id"] for r in rows] == plain and len(plain) == 9


def test_a_page_of_words_and_facets_looks_up_only_its_newest_matches(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of 7 of `heute lang:de` read from the match list (about 560 pass) looks up
    the newest 7 and the posts of their minute, where it looked up every one."""
    looked_up: list[int] = []

    def counted(_: object) -> bool:
        looked_up.append(1)
        return True

    # Each row read from the list is tested once on what the words' test became there.
    monkeypatch.setattr(monitor_queries, "LISTED_TEXT_SQL", "(counted(?) AND ? IS NOT NULL)")
    with Store.open(store_path, readonly=True) as store:
        store.conn.create_function("counted", 1, counted)
        selection = query_selection("heute lang:de", NOW)
        plain = plain_page_ids(store, "heute lang:de", NOW, None, 7)
        rows = _listed_page(store, selection)
        newest = len(looked_up)
        monkeypatch.setattr(newest_matches, "newest_passing", _every_match_that_passes)
        assert _listed_page(store, selection) == rows == plain
        every = len(looked_up) - newest
    assert 7 <= newest <= 7 + 4 and every > 500, (newest, every)


def _every_match_that_passes(*_: object) -> None:
    """`newest_passing` declining: every match that passes its facets is looked up."""


def _listed_page(store: Store, selection: Any) -> list[str]:
    """The ids of the newest 7 of `selection`, read from its words' match list."""
    sql, params = feed_page_sql(selection, None, rare_words.words_of(selection), 7)
    return [r["id"] for r in store.rows(sql, (*params, 7))]


def test_a_topic_and_a_word_the_first_window_found_little_for_read_the_matches(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the first window finds few of a page of words and facets, the rest costs its
    matches' facets rather than five more windows; where it fills quickly it stays in the
    windows."""
    monkeypatch.setattr(rare_words, "RARE", 0)  # not rare in the whole store
    with Store.open(store_path, readonly=True) as store:

        def read_so(search: str, found: int) -> bool:
            selection = query_selection(search, NOW)
            rate = (found, 100)
            return rare_words.passing_first(store, selection, None, rate, 200) is not None

        assert read_so("topic:pay Nordhafen", 1) and read_so("Nordhafen -lang:de", 0)
        assert not read_so("Nordhafen lang:en", 0)  # the 600 English posts cost less
        assert not read_so("topic:pay Nordhafen", 60)  # the windows fill it soon
        assert not read_so("has:reply Nordhafen", 1)  # `has:` is no facet
        assert not read_so("topic:pay Streik", 1)  # every post's match costs its facets


def test_a_count_that_stops_at_its_cap_reads_the_share_of_the_matches_it_needs(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A capped count of words and facets the first window found many of, a language among
    them, counts its matches newest first up to the cap when the matches that takes (at
    the window's rate) cost less than the windows, priced from the window's own matches
    without counting them all (`topic:strikes lang:de (Verdi OR Streik)` at a million:
    72 -> 11 ms); the counts are the plain statement's."""
    monkeypatch.setattr(rare_words, "RARE", 0)
    counted: list[tuple[int, int] | None] = []
    count_matches = fts.count_matches

    def counting(conn: Any, expression: str, limit: int, rowids: Any = None) -> int:
        counted.append(rowids)
        return count_matches(conn, expression, limit, rowids)

    monkeypatch.setattr(fts, "count_matches", counting)
    with Store.open(store_path, readonly=True) as store:
        (top,) = store.conn.execute("SELECT max(rowid) FROM mentions").fetchone()
        band = (top - 99, top)  # the newest 100 mentions, the first window

        def read_so(search: str, found: int, wanted: int) -> bool:
            selection = query_selection(search, NOW)
            rate = (found, 100)
            answer = rare_words.passing_first(
                store, selection, None, rate, wanted, page=False, band=band
            )
            return answer is not None

        assert read_so("(Nordhafen OR ja) lang:de", 5, 50) and counted == [band]
        assert not read_so("(heute OR ja) lang:de", 40, 50)  # the windows fill it soon
        for search in ("(Nordhafen OR ja) lang:de", "topic:pay (Nordhafen OR ja) -role:press"):
            counts_as_plain(store, query_selection(search, NOW), (3, 50, 1000))


def test_a_topic_a_config_adds_is_tested_on_its_own_rows(store_path: Path) -> None:
    """Only the default topics have bits in the facets: a search of a topic a config adds
    is no search of words and facets, and finds what its rows say (here none)."""
    topics = [*mention_facets.TOPIC_BITS, "night_shifts"]
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection("topic:night_shifts Nordhafen", NOW, topics=topics)
        assert not selection.words_and_facets and not selection.facets
        either = query_selection("topic:pay|night_shifts Nordhafen", NOW, topics=topics)
        assert not either.facets
        assert feed_page(store, either, limit=7) != []  # the pay posts, read the plain way
        assert feed_page(store, selection, limit=7) == []
        assert count_matching(store, selection) == 0


@pytest.mark.parametrize(
    "term", [*(f"role:{r}" for r in ROLES), *(f"topic:{t}" for t in DEFAULT_TOPICS)]
)
def test_every_role_and_default_topic_is_searched_on_the_facets(term: str) -> None:
    """Each role the classifier gives and each default topic is a facet of a words search:
    a role or topic added to filters without a code here would fall back to its text."""
    selection = query_selection(f"Nordhafen {term}", NOW)
    assert selection.words_and_facets and selection.facets


def test_a_language_without_posts_is_settled_before_the_words_are_counted(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A common word beside a language no post has is left to the language's (empty)
    walk without counting the word's matches first (at a million, `Streik lang:fr` took
    11 ms to count Streik's 249,000 where the walk takes 0.4)."""
    monkeypatch.setattr(rare_words, "RARE", 0)
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection("heute lang:fr", NOW)
        words = rare_words.words_of(selection)
        assert words is not None
        decided, answer = vm_steps(
            store, lambda: rare_words.passing_first(store, selection, None, (0, 100), 200)
        )
        counted, _ = vm_steps(store, lambda: fts.count_matches(store.conn, words, 10**6))
    assert answer is None
    assert decided * 4 < counted, (decided, counted)
