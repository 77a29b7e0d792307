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
from cache.read.monitor_queries import count_matching, feed_page, feed_page_sql
from cache.read.search import query_selection
from cache.read.selection import Selection
from filters.classify import Classifier
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
    posts = [_post(n) for n in range(POSTS)]
    return store_in_pages(tmp_path_factory.mktemp("rare_words") / "s.db", posts, AUTHORS)


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
    "Verdi lang:de -role:press platform:x",
    "Verdi -(lang:en OR role:public)",
]


@pytest.mark.parametrize("search", RARE_SEARCHES)
def test_rare_words_show_the_plain_pages_and_counts(store_path: Path, search: str) -> None:
    """Searches for a rare word, alone or with other conditions, scroll through the plain
    statement's posts page by page and count as it counts, capped or not."""
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(search, NOW)
        expanded = prefix_terms.expanded(store, selection)  # as the readers do first
        assert rare_words.rare_text(store, expanded) is not None  # read from the list
        _reads_as_plain(store, selection, search)


def _reads_as_plain(store: Store, selection: Selection, search: str) -> None:
    """Assert that `search` scrolls and counts (capped or not) as the plain statement."""
    scroll_as_plain(store, selection, search, NOW, 7)
    counts_as_plain(store, selection, (3, 1000))


@pytest.mark.parametrize("search", ["Verdi lang:en", "Verdi -lang:de", "author:@picket_line Verdi"])
def test_a_rare_word_that_fits_nothing_else_reads_its_matches_not_the_feed(
    store_path: Path, search: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty page and a count of 0 for a rare word with a condition none of its posts
    meet read the word's 30 posts, not every post the other condition allows."""
    listed, walked = _work_of_an_empty_search(store_path, search, monkeypatch, RARE=0)
    assert listed[0] * 4 < walked[0] and listed[1] * 4 < walked[1], (listed, walked)


def _work_of_an_empty_search(
    store_path: Path, search: str, monkeypatch: pytest.MonkeyPatch, **before: int
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The work (VM steps) of the page and of the count of `search`, and of both once
    `before` is set in `rare_words` and its matches are never looked up after the windows
    (the walk to the end, as before); both find nothing."""
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(search, NOW)
        work = []
        never = {"LOOKUP_COST": 10**9, "FACET_COST": 10**9, "FACET_US": 10.0**9}
        for setting in ({}, {**before, **never}):
            for name, value in setting.items():
                monkeypatch.setattr(rare_words, name, value)
            page_steps, rows = vm_steps(store, lambda: feed_page(store, selection))
            count_steps, count = vm_steps(store, lambda: count_matching(store, selection))
            assert rows == [] and count == 0
            work.append((page_steps, count_steps))
    return work[0], work[1]


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


SPARSE_SEARCHES = [
    "Verdi lang:en",
    "Verdi -lang:de",
    "topic:pay Verdi",
    "-topic:pay Verdi",
    "Verdi Lohn lang:en",
    "has:reply Verdi",
    "Verdi (lang:en OR role:public)",
    "Verdi until:2026-02-25 -role:public",
    "Verdi lang:de role:public platform:x",
    "Verdi -lang:en -role:press",
    "Verdi (lang:en OR -platform:x) topic:pay",
]


@pytest.mark.parametrize("search", SPARSE_SEARCHES)
def test_words_read_from_their_matches_after_the_windows_show_the_plain_pages(
    store_path: Path, search: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word in one post of fifty, beside conditions that keep few or none of its posts,
    scrolls and counts as the plain statement does when its matches are looked up after
    the time windows found too few."""
    monkeypatch.setattr(rare_words, "RARE", 0)  # not rare in the whole store: windows first
    with Store.open(store_path, readonly=True) as store:
        _reads_as_plain(store, query_selection(search, NOW), search)


@pytest.mark.parametrize("search", ["Verdi -lang:de", "Verdi lang:en", "Verdi -role:public"])
def test_a_word_none_of_whose_posts_fit_is_looked_up_not_walked_to_the_end(
    store_path: Path, search: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty page and a count of 0 for a word in one post of fifty with a condition
    none of its posts meet look up the word's 30 posts instead of walking every post the
    condition allows (all 1,500, or the 720 in English)."""
    monkeypatch.setattr(rare_words, "RARE", 0)  # not rare in the whole store
    listed, walked = _work_of_an_empty_search(store_path, search, monkeypatch)
    assert listed[0] * 2 < walked[0] and listed[1] * 2 < walked[1], (listed, walked)


def test_words_are_looked_up_only_where_the_walk_would_cost_more(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word in one post of fifty is looked up beside conditions that walk the whole feed
    or a language of hundreds of posts; a word in every post, a prefix FTS5 reads itself,
    and conditions with a short walk of their own (an author, a recent period, starred
    posts, a language with no posts) are left to the plain statement."""
    monkeypatch.setattr(rare_words, "RARE", 0)  # as the readers ask: only if not rare
    with Store.open(store_path, readonly=True) as store:

        def looked_up(search: str) -> bool:
            selection = prefix_terms.expanded(store, query_selection(search, NOW))
            return rare_words.sparse_text(store, selection, None) is not None

        assert looked_up("Verdi -lang:de") and looked_up("Verdi lang:en")
        assert looked_up("topic:pay Verdi") and looked_up("has:reply Verdi")
        assert not looked_up("Streik lang:en")
        prefix = query_selection("Verd* lang:en", NOW)  # not named as the words it covers
        assert rare_words.sparse_text(store, prefix, None) is None
        assert not looked_up("author:@picket_line Verdi") and not looked_up("since:3d Verdi")
        assert not looked_up("is:starred Verdi") and not looked_up("Verdi lang:fr")
        assert not looked_up("lang:en") and not looked_up("Verdi OR Streik")


def test_a_language_walk_that_reads_each_post_of_the_words_costs_them_a_look_up(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside a language and another facet, the language's walk reads the post of each of
    the words' matches it passes (a count of `Streik lang:en -role:public` took 373 ms at a
    million): their list is read instead; beside the language alone the walk reads none."""
    monkeypatch.setattr(rare_words, "RARE", 0)
    monkeypatch.setattr(rare_words, "FACET_COST_IN_RANGE", 1)  # the list as dear as the feed
    with Store.open(store_path, readonly=True) as store:

        def looked_up(search: str) -> bool:
            return rare_words.sparse_text(store, query_selection(search, NOW), None) is not None

        assert looked_up("Streik lang:en -role:press")
        assert not looked_up("Streik lang:en")


@pytest.mark.parametrize(
    ("search", "lists"),
    [
        ("Verdi lang:en", 1),
        ("lang:en Verdi Lohn", 1),
        ("Verdi -Streik", 3),
        ("Streik (Verdi OR Lohn)", 1),
    ],
)
def test_a_search_read_from_its_words_list_asks_the_index_for_it_once(
    store_path: Path, search: str, lists: int
) -> None:
    """Read from its words' match list, a search no longer lists those matches a second
    time to test each mention it already knows matches, alternatives of words included
    (they are part of the list's expression); a negated word is still tested."""
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(search, NOW)
        words = rare_words.words_of(selection)
        sql, params = feed_page_sql(selection, None, words)
        plan = [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", (*params, 7))]
        assert sum("mentions_fts" in step for step in plan) == lists, plan
        assert [r["id"] for r in store.rows(sql, (*params, 7))] == plain_page_ids(
            store, search, NOW, None, 7
        )


@pytest.mark.parametrize(
    ("search", "tests"),
    [
        ("Verdi lang:en", ["f.lang IN (?)"]),
        ("Verdi -lang:de role:public", ["NOT (f.lang IN (?))", "f.role_code IN (?)"]),
        ("Verdi (lang:en OR -platform:x)", ["(f.lang IN (?)) OR (NOT (f.platform IN (?)))"]),
        ("Verdi (lang:en OR author:@picket_line)", []),
    ],
)
def test_a_match_is_tested_on_its_facets_before_its_post_is_read(
    store_path: Path, search: str, tests: list[str]
) -> None:
    """Read from its words' match list, a search tests each match's language, role and
    platform in the small `mention_facets` table, probed by rowid (never walked), before
    it reads the post; a condition that needs more than those (an author) is left to the
    post, and the page is the plain statement's."""
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(search, NOW)
        assert [sql for sql, _ in selection.facets] == tests
        sql, params = feed_page_sql(selection, None, rare_words.words_of(selection))
        plan = [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", (*params, 7))]
        faceted = [
            step for step in plan if "mention_facets" in step or step.startswith("SEARCH f ")
        ]
        if tests:
            assert faceted == ["SEARCH f USING INTEGER PRIMARY KEY (rowid=?)"], plan
        else:
            assert faceted == [], plan
        assert [r["id"] for r in store.rows(sql, (*params, 7))] == plain_page_ids(
            store, search, NOW, None, 7
        )


def test_a_page_the_windows_found_little_for_reads_the_matches_of_words_and_facets(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of words and facets whose time windows found a match in a hundred posts,
    where filling it would walk further than testing every match's facets costs, reads
    the matches (a default topic is a facet too); found faster, or with another condition
    (`has:`, a language range the walk reads instead of the feed) whose cost a page's walk
    cannot foretell, it walks."""
    monkeypatch.setattr(rare_words, "RARE", 0)  # not rare in the whole store
    with Store.open(store_path, readonly=True) as store:

        def looked_up(search: str, found: int) -> bool:
            selection = query_selection(search, NOW)
            rate = (found, 100)
            return rare_words.sparse_text(store, selection, None, rate, 7, page=True) is not None

        assert looked_up("Verdi -lang:en", 1) and looked_up("Verdi -role:press -platform:rss", 1)
        assert looked_up("topic:pay Verdi", 1) and looked_up("own:pay|taxes Verdi", 1)
        assert not looked_up("Verdi -lang:en", 7)  # the page fills within 100 posts
        assert not looked_up("has:reply Verdi", 1) and not looked_up("Verdi lang:de", 1)


def test_a_range_the_newest_mentions_show_far_longer_is_not_walked_to_the_size(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether more than N posts are in English (720 of 1,500): where the newest posts
    show far more, that is taken after a short walk, with a fraction of the work of
    walking N entries; a size near the range's own, or a language no post has, is walked
    to know, and every answer is the walk's."""
    monkeypatch.setattr(rare_words, "SAMPLE", 20)
    with Store.open(store_path, readonly=True) as store:
        below = rare_words.mentions_below(store, None)

        def exceeds(lang: str, size: int) -> tuple[int, bool]:
            args = (store, "lang", (lang,), None, size, below)
            return vm_steps(store, lambda: rare_words._range_exceeds(*args))

        def walked(lang: str, size: int) -> tuple[int, bool]:
            args = (store, "lang", (lang,), None, size)
            return vm_steps(store, lambda: rare_words._walk_exceeds(*args))

        (estimate_steps, estimated), (walk_steps, walk) = exceeds("en", 170), walked("en", 170)
        near = [exceeds("en", size)[1] for size in (715, 719, 720, 800)]
        near_walked = [walked("en", size)[1] for size in (715, 719, 720, 800)]
        absent = exceeds("fr", 170)[1]
    assert estimated is walk is True
    assert estimate_steps * 2 < walk_steps, (estimate_steps, walk_steps)
    assert near == near_walked == [True, True, False, False]
    assert absent is False
