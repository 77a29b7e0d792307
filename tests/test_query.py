"""The query language: what analysts type in the screen and in `export --query`."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db import fts
from cache.db.store import Store
from cache.read import rare_words, windowed
from cache.read.monitor_queries import combine, count_matching, feed_page, topic_selection
from cache.read.search import (
    RARE_TOPIC_MENTIONS,
    QueryError,
    query_selection,
    rare_topics,
    select_sql,
)
from cache.read.views import view_counts
from cache.write.ingest import ingest
from filters.classify import Classifier
from filters.query import MOST_CONDITIONS, MOST_NESTED, TimeBound, parse, searchable
from filters.views import SavedView
from sources.feeds.parse import parse_feed
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, rss, tweet, user
from tests.social_builders import bsky_author, bsky_post
from tests.store_helpers import store_before, write_jsonl

NOW = BASE_TIME + timedelta(days=2)


@pytest.fixture
def store(db_path: Path) -> Any:
    """A store with a small, varied set of posts, replies and articles."""
    s = Store.open(db_path)
    public, other = user("Worker_Anna", user_id="1"), user("night_shift", user_id="2")
    amb = user("KestrelAmb_Tom", "Tom FC Ambassador", user_id="3")
    parody = user("KestreI_Amb_Tom", "Tom (parody)", user_id="4")
    t = BASE_TIME
    pay = tweet(public, "Our wages are far too low", tweet_id="101", at=t)
    strike_de = tweet(
        other,
        "Morgen Streik bei Verdi in Leipzig",
        tweet_id="102",
        lang="de",
        at=t + timedelta(hours=1),
    )
    taxes = tweet(
        public, "Kestrel pays almost no taxes in Europe", tweet_id="103", at=t + timedelta(hours=2)
    )
    chatter = tweet(
        other, "c++ and foo-bar both appear here", tweet_id="104", at=t + timedelta(hours=3)
    )
    reply = tweet(
        amb,
        "I love my job and the pay is fair",
        tweet_id="105",
        reply_to=pay,
        at=t + timedelta(hours=4),
    )
    mock = tweet(
        parody,
        "Absolutely love it, says Tom",
        tweet_id="106",
        quotes=reply,
        at=t + timedelta(hours=5),
    )
    old = tweet(public, "Long ago our pay was better", tweet_id="107", at=t - timedelta(days=30))
    posts = [pay, strike_de, taxes, chatter, reply, mock, old]
    classifier = Classifier(Config())
    ingest(s, parse_response(page(posts, [public, other, amb, parody]), "x:search"), classifier)
    feed = rss(
        "Wirtschaft",
        [
            {
                "title": "Warnstreik im Versandzentrum",
                "link": "https://n.example/a",
                "pubDate": "Mon, 02 Nov 2026 08:00:00 +0000",
            }
        ],
        lang="de",
    )
    ingest(s, parse_feed(feed, "wirtschaft"), classifier)
    yield s
    s.close()


def ids(store: Store, query: str, **kwargs: Any) -> list[str]:
    sql, params = select_sql(query_selection(query, NOW, **kwargs), columns="m.id")
    return [row["id"] for row in store.rows(sql, params)]


def test_topic_filter_returns_only_that_topic_newest_first(store: Store) -> None:
    """`topic:pay` lists the pay posts, newest first, with the parody quote that names no
    topic itself but quotes a reply about pay; `own:pay` leaves that quote out."""
    assert ids(store, "topic:pay") == ["x:106", "x:105", "x:101", "x:107"]
    assert ids(store, "own:pay") == ["x:105", "x:101", "x:107"]


def test_or_binds_tighter_than_the_implicit_and(store: Store) -> None:
    """`topic:pay OR topic:taxes lang:en` means (pay or taxes) and English."""
    # x:106 is a parody quote of the pay reply x:105: about pay from the thread
    assert ids(store, "topic:pay OR topic:taxes lang:en") == [
        "x:106",
        "x:105",
        "x:103",
        "x:101",
        "x:107",
    ]
    article = ids(store, "platform:rss")
    assert ids(store, "topic:pay OR topic:strikes lang:de") == ["x:102", *article]


def test_minus_excludes_words_and_topics(store: Store) -> None:
    """`-term` and `-topic:x` remove what they name."""
    assert "x:107" not in ids(store, "topic:pay -ago")
    assert ids(store, "Kestrel -topic:taxes") == []
    assert ids(store, "platform:x -topic:pay -topic:strikes -topic:taxes") == ["x:104"]
    assert ids(store, "platform:x -own:pay -own:strikes -own:taxes") == ["x:106", "x:104"]


def test_role_platform_author_and_source(store: Store) -> None:
    """Field filters select by role, platform, author (any case, with @) and source."""
    assert ids(store, "role:ambassador") == ["x:105"]
    assert ids(store, "role:parody") == ["x:106"]
    assert len(ids(store, "platform:rss")) == 1
    assert ids(store, "author:@worker_anna") == ["x:103", "x:101", "x:107"]
    assert ids(store, "source:wirtschaft") == ids(store, "platform:rss")
    assert ids(store, "platform:x|rss") == ids(store, "")


def test_time_bounds_relative_and_absolute(store: Store) -> None:
    """`since:` and `until:` take 24h/7d style ages and dates (`until:` includes that day)."""
    assert "x:107" not in ids(store, "since:7d")
    assert ids(store, "until:7d") == ["x:107"]
    assert ids(store, "until:2026-11-01 topic:pay") == ["x:107"]
    assert "x:101" in ids(store, "since:2026-11-02 until:2026-11-02")


def test_free_text_is_never_fts_syntax(store: Store) -> None:
    """Words like c++, foo-bar, NEAR and an open quote are searched, never parsed by FTS5."""
    assert ids(store, "c++") == ["x:104"]
    assert ids(store, "foo-bar") == ["x:104"]
    assert ids(store, '"foo-bar both') == ["x:104"]
    assert ids(store, "NEAR( AND") == []
    assert ids(store, "streik*") == ["x:102"]


def test_exact_phrase_requires_the_words_in_order(store: Store) -> None:
    """A quoted phrase matches the words together and in order, plain words anywhere."""
    assert ids(store, '"wages are"') == ["x:101"]
    assert ids(store, '"are wages"') == []
    assert ids(store, "are wages") == ["x:101"]


def test_has_reply_and_has_parody(store: Store) -> None:
    """`has:reply` finds the critical post ambassadors answered; `has:parody` the mocked."""
    assert ids(store, "has:reply") == ["x:101"]
    assert ids(store, "has:parody") == ["x:105", "x:101"]


@pytest.mark.parametrize(
    ("query", "position", "expected"),
    [
        ("topic:", 7, 'expected a topic after "topic:"'),
        ("lang:de role:", 14, 'expected a role after "role:"'),
        ("topic:salary", 7, "unknown topic 'salary' (valid: pay, strikes, taxes, unions,"),
        ("a OR", 5, "expected a term after OR"),
        ("OR a", 1, "expected a term before OR"),
        ("(pay", 5, "expected ')' to close the '(' at position 1"),
        ("since:yesterday", 7, "expected a time like 24h, 7d or 2026-11-01"),
        ("platform:x|fb", 12, "unknown platform 'fb' (valid: x, rss, bluesky, mastodon)"),
        ("colour:red", 1, "unknown field 'colour:'"),
        ("pay -", 5, "expected a term after '-'"),
        ("author:@", 8, 'expected an author handle after "author:"'),
        ("author:@@ pay", 8, 'expected an author handle after "author:"'),
        ('author:"@"', 8, 'expected an author handle after "author:"'),
        ("author:anna|@", 13, "expected an author handle after '|'"),
        (")", 1, "unmatched ')'"),
        ("(topic:pay OR topic:taxes)) lang:de", 27, "unmatched ')'"),
        ("topic:pay )", 11, "unmatched ')'"),
        ("topic:pay)", 10, "unmatched ')'"),
        ("pay) (taxes", 4, "unmatched ')'"),
        ("pay NOT", 8, "expected a term after NOT"),
        ("NOT OR pay", 5, "expected a term after NOT"),
        ("NOT -pay", 5, "expected a term after NOT"),
    ],
)
def test_syntax_errors_name_position_and_expectation(
    query: str, position: int, expected: str
) -> None:
    """A mistake says where (1-based column) and what was expected."""
    with pytest.raises(QueryError) as info:
        query_selection(query, NOW)
    assert info.value.position == position
    assert str(info.value).startswith(f"position {position}: {expected}")


@pytest.mark.parametrize(
    ("query", "position", "expected"),
    [
        pytest.param("(" * 8 + "pay" + ")" * 8, 8, "groups nested too deeply (at most 7)", id="8"),
        pytest.param("(" * 400 + "pay" + ")" * 400, 8, "groups nested too deeply", id="400"),
        pytest.param("-(" * 60 + "pay" + ")" * 60, 16, "groups nested too deeply", id="-( 60"),
        pytest.param(
            " ".join(["-lang:xx"] * 401), 3601, "too many conditions (at most 400", id="401 -"
        ),
        pytest.param(
            "pay " + " OR ".join(["role:press"] * 400), 5591, "too many conditions", id="401 OR"
        ),
    ],
)
def test_a_query_nested_too_deeply_or_too_long_is_refused_where_it_goes_over(
    query: str, position: int, expected: str
) -> None:
    """Groups deeper than SQLite can parse and more conditions than it can join are a
    query error at the group or term that goes over, never a crash."""
    with pytest.raises(QueryError) as info:
        query_selection(query, NOW)
    assert info.value.position == position
    assert str(info.value).startswith(f"position {position}: {expected}")


def test_a_word_keeps_the_parentheses_it_opens_itself(store: Store) -> None:
    """A `)` closing a `(` inside the same word (`Foo_(bar)`, a pasted link) is part of the
    word, not an unmatched `)`, alone or inside a group."""
    assert ids(store, "Kestrel(pays)") == ids(store, '"Kestrel pays"')
    assert ids(store, "(Kestrel(pays) OR Streik)") == ids(store, '"Kestrel pays" OR Streik')


def test_export_refuses_an_unmatched_closing_parenthesis(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """`export --query ')'` exits 2 naming the position and writes no file or sidecar."""
    Store.open(db_path).close()
    target = tmp_path / "out.jsonl"
    result = cli("export", "--db", db_path, "--format", "jsonl", "--query", ")", "-o", target)
    assert result.code == 2
    assert "bad query: position 1: unmatched ')'" in result.err
    assert list(tmp_path.glob("out.jsonl*")) == []


def test_configured_topics_are_valid_values(store: Store) -> None:
    """A topic added in the config can be queried when the caller passes the topic ids."""
    assert ids(store, "topic:logistics", topics=["pay", "logistics"]) == []


def test_the_feeds_topic_words_filter_as_their_topics(store: Store) -> None:
    """`topic:strike`, `own:work|tax`: the words the feed shows are taken as topic names."""
    for short, full in [
        ("topic:strike", "topic:strikes"),
        ("topic:union", "topic:unions"),
        ("own:work|tax", "own:working_conditions|taxes"),
        ("-topic:strike", "-topic:strikes"),
    ]:
        assert ids(store, full), full  # something to find, so that the two can differ
        assert ids(store, short) == ids(store, full), short


def test_a_configured_topic_keeps_a_name_the_feed_uses(store: Store) -> None:
    """A configured topic whose id is one of the feed's words is that topic, not a default."""
    assert ids(store, "topic:strike") == ids(store, "topic:strikes") != []
    assert ids(store, "topic:strike", topics=["strikes", "strike"]) == []


def test_queries_walk_an_index_newest_first(store: Store) -> None:
    """Common queries read mentions in created_at order from an index, never sort them all."""
    for query in ["topic:pay", "role:ambassador", "lang:de pay", "has:reply", "author:@x"]:
        sql, params = select_sql(query_selection(query, NOW), limit=200)
        plan = " | ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, (query, plan)
        assert "INDEX" in plan, (query, plan)


@pytest.mark.parametrize(
    "query",
    [
        "topic:pay",
        "topic:pay OR topic:taxes lang:en",
        "platform:x -topic:pay -topic:strikes",
        "topic:strikes topic:pay",
        "Kestrel topic:taxes",
    ],
)
def test_rare_topics_are_listed_and_select_exactly_the_same_mentions(
    store: Store, query: str
) -> None:
    """Listing a rare topic's mentions instead of probing each one never changes the result."""
    everything = frozenset(["pay", "taxes", "strikes", "unions", "working_conditions"])
    assert rare_topics(store, everything) == everything  # a tiny store: every topic is rare
    listed = ids(store, query, rare_topics=everything)
    assert listed == ids(store, query)
    sql, params = select_sql(query_selection(query, NOW, rare_topics=everything), limit=200)
    plan = " | ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "LIST SUBQUERY" in plan, plan  # the topic's mentions are read from its index


def test_a_topic_with_many_mentions_is_not_rare(store: Store) -> None:
    """Only a topic below the threshold counts as rare; the count stops at the threshold."""
    assert rare_topics(store, ["pay", "nothing"]) == {"pay", "nothing"}
    rows = [("pay", "2026-01-01T00:00:00Z", f"x:{n}") for n in range(RARE_TOPIC_MENTIONS)]
    store.conn.executemany(
        "INSERT OR IGNORE INTO mention_topics (topic, created_at, mention_id) VALUES (?, ?, ?)",
        rows,
    )
    assert rare_topics(store, ["pay", "nothing"]) == {"nothing"}


def test_export_reports_a_bad_query_with_its_position(cli: Any, db_path: Path) -> None:
    """`export --query` with a mistake exits 2 and says where the mistake is."""
    Store.open(db_path).close()
    result = cli("export", "--db", db_path, "--query", "topic:")
    assert result.code == 2
    assert 'position 7: expected a topic after "topic:"' in result.err


@pytest.mark.parametrize(
    ("query", "same_as"),
    [
        ("Streik OR &", "Streik"),
        ("Streik -&", "Streik"),
        ("Streik -🎉", "Streik"),
        ("Streik ,", "Streik"),
        ("Streik —", "Streik"),
        ("Streik ..", "Streik"),
        ("Streik _", "Streik"),
        ("(& OR Streik) -(, OR 🎉)", "Streik"),
        ("Kestrel & taxes", "Kestrel taxes"),
        ("&", ""),
        ("-&", ""),
        ("c++", "c"),
    ],
)
def test_a_word_without_letters_or_digits_is_ignored(
    store: Store, query: str, same_as: str
) -> None:
    """A word of only punctuation or emoji drops out of the query, in AND, OR and after -."""
    expected = ids(store, same_as)
    assert ids(store, query) == expected
    assert count_matching(store, query_selection(query, NOW)) == len(expected)


def test_export_ignores_a_word_without_letters_or_digits(
    store: Store, cli: Any, db_path: Path
) -> None:
    """`export --query 'Streik OR &'` exports what `Streik` exports, and exits 0."""
    wanted = cli("export", "--db", db_path, "--format", "csv", "--query", "Streik")
    got = cli("export", "--db", db_path, "--format", "csv", "--query", "Streik OR &")
    assert (got.code, got.err) == (0, "")
    assert got.out == wanted.out
    assert len(got.out.splitlines()) == 2  # the header and the one strike post


def test_a_searchable_word_is_one_the_full_text_index_has_a_token_for() -> None:
    """Which words are searched agrees with the store's tokenizer (letters, digits, Co)."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{fts.TOKENIZE}')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    words = ["&", ",", "—", "..", "_", "🎉", "€", "©", "·", "¿?", "\u0301", "c++", "ä", "Ⅻ"]
    words += ["²", "٣", "中", "\ue000", "x_y", "🎉a", "-1"]
    conn.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", enumerate(words))
    tokenized = {row[0] for row in conn.execute("SELECT DISTINCT doc FROM v")}
    assert {i for i, w in enumerate(words) if searchable(w)} == tokenized


def test_a_source_name_pasted_with_an_invisible_character_finds_both_spellings(
    store: Store,
) -> None:
    """`source:` with a zero-width space pasted in finds the feed under its plain name and
    under the name as stored before feed names were made plain."""
    feed = rss("News", [{"title": "Streik heute", "link": "https://n.example/old"}])
    ingest(store, parse_feed(feed, "Kestrel\u200bNews"), Classifier(Config()))  # as stored before
    feed = rss("News", [{"title": "Streik morgen", "link": "https://n.example/new"}])
    ingest(store, parse_feed(feed, "KestrelNews"), Classifier(Config()))
    plain = ids(store, "source:KestrelNews")
    assert len(plain) == 1
    assert len(ids(store, 'source:"Kestrel\u200bNews"')) == 2


def test_upper_case_not_excludes_as_minus_does(store: Store) -> None:
    """`a NOT b` selects what `a -b` does and `NOT (a OR b)` what `-(a OR b)` does; a
    lower-case `not` is still a word searched for."""
    assert ids(store, "pay NOT ago") == ids(store, "pay -ago") == ["x:105"]
    assert ids(store, "platform:x NOT (pay OR taxes)") == ids(store, "platform:x -(pay OR taxes)")
    assert ids(store, "platform:x NOT (pay OR taxes)") == ["x:106", "x:104", "x:102", "x:101"]
    assert ids(store, "Streik OR NOT topic:pay") == ids(store, "Streik OR -topic:pay")
    assert ids(store, "pay not ago") == []  # no post says "not"


@pytest.mark.parametrize("day", ["2026-11-02", "20261102", "2026-W45-1", "2026-W45", "2026W451"])
def test_until_a_date_in_any_form_includes_that_day(store: Store, day: str) -> None:
    """`until:` a date written without dashes or as an ISO week date includes that day, as
    `until:2026-11-02` does; `since:` it starts at that day's midnight."""
    november_2 = ids(store, "since:2026-11-02 until:2026-11-02")
    assert len(november_2) == 7
    assert ids(store, f"until:{day}") == ids(store, "until:2026-11-02")
    assert ids(store, f"since:{day} until:{day}") == november_2
    assert ids(store, f"until:{day}Z") == ids(store, "until:2026-11-02")


@pytest.mark.parametrize("offset", ["+00:00", "-00:00", "+0000", "+00"])
def test_a_date_with_a_utc_offset_is_that_whole_day(store: Store, offset: str) -> None:
    """`until:2026-11-02+00:00` (a date, then its zone's offset) includes that whole day, as
    `until:2026-11-02` does, and is not read as 00:00 o'clock of that day."""
    assert ids(store, f"until:2026-11-02{offset}") == ids(store, "until:2026-11-02")
    assert ids(store, f"since:2026-11-02{offset} until:2026-11-02{offset}") == ids(
        store, "since:2026-11-02 until:2026-11-02"
    )


@pytest.mark.parametrize(
    ("query", "start"),
    [
        ("since:2026-12-01+01:00", "2026-11-30T23:00:00+00:00"),
        ("until:2026-12-01+01:00", "2026-12-01T23:00:00+00:00"),
        ("since:2026-12-01-05:00", "2026-12-01T05:00:00+00:00"),
        ("until:20261201-0500", "2026-12-02T05:00:00+00:00"),
    ],
)
def test_a_date_with_an_offset_starts_at_midnight_in_that_offset(query: str, start: str) -> None:
    """A date followed by an offset is that day in that zone: its bound is the zone's midnight
    (for `until:`, the next one), not the offset's hours read as the time of day."""
    bound = parse(query)
    assert isinstance(bound, TimeBound) and bound.at is not None
    assert bound.at.isoformat() == start


def test_lang_finds_every_post_of_a_language_whatever_region_it_was_given(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """A Bluesky post tagged en-US and a feed declared en-US are English: `lang:en` and
    `lang:en-US` find both, with the X post in English; `lang:pt` the post tagged pt-BR."""
    author = bsky_author("anna.bsky.social")
    english = bsky_post(author, "Strike at the depot", langs=["en-US", "en"])
    brazilian = bsky_post(author, "Greve no armazém", langs=["pt-BR"])
    posts = tmp_path / "search.json"
    posts.write_text(json.dumps({"posts": [english, brazilian]}), encoding="utf-8")
    feed = tmp_path / "nyt.xml"
    item = {"title": "Strike news", "link": "https://n.example/1"}
    feed.write_bytes(rss("NYT", [item], lang="en-US"))
    anna = user("Worker_Anna", user_id="1")
    tweets = write_jsonl(tmp_path / "x.jsonl", [page([tweet(anna, "Strike today")], [anna])])
    assert cli("import", "--db", db_path, posts, feed, tweets).code == 0

    def found(query: str) -> set[str]:
        run = cli("export", "--db", db_path, "--format", "jsonl", "--query", query)
        assert run.code == 0, run.err
        return {json.loads(line)["id"] for line in run.out.splitlines()}

    assert sorted(i.split(":")[0] for i in found("lang:en")) == ["bluesky", "rss", "x"]
    assert f"bluesky:{english['uri']}" in found("lang:en")
    assert found("lang:en-US") == found("lang:EN") == found("lang:en")
    assert found("lang:pt") == {f"bluesky:{brazilian['uri']}"}
    assert found("lang:pt-BR|en") == found("lang:pt") | found("lang:en")


def test_a_store_keeps_its_posts_tagged_with_a_region_found_by_their_language(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """Posts stored with a region in their language (`en-us`, as Bluesky posts were) are
    stored as `en` once the store is opened, so `lang:en` and the language facets find
    them."""
    author = bsky_author("anna.bsky.social")
    posts = tmp_path / "search.json"
    posts.write_text(
        json.dumps({"posts": [bsky_post(author, "Strike at the depot", langs=["en-US"])]}),
        encoding="utf-8",
    )
    assert cli("import", "--db", db_path, posts).code == 0
    old = store_before("m031_languages_without_region", tmp_path / "old.db", db_path)
    conn = sqlite3.connect(old)
    with conn:  # as the earlier version stored it
        conn.execute("UPDATE mentions SET lang = 'en-us'")
    conn.close()
    with Store.open(old) as opened:
        assert [r["lang"] for r in opened.rows("SELECT lang FROM mentions")] == ["en"]
        assert len(ids(opened, "lang:en")) == 1
        assert count_matching(opened, query_selection("Strike lang:en", NOW)) == 1


def _deepest(leaf: str) -> str:
    """`leaf` in groups nested as deep as a query may, each of the kind that costs SQLite
    the most to parse (an AND of an OR of a `-` of the next group). `-lang:xx Zyxqw`
    holds for no post, so each group is the `-` of the next: the query selects what
    `leaf` selects, or what `-(leaf)` does."""
    levels = MOST_NESTED - 1
    deep = "(-lang:xx Zyxqw OR -" * levels + f"({leaf})" + ")" * levels
    return deep if levels % 2 == 0 else f"-{deep}"


@pytest.mark.parametrize("windows", [False, True], ids=["plain", "windowed"])
@pytest.mark.parametrize(
    "leaf",
    [
        "author:@worker_anna",
        "lang:en role:public OR -author:@worker_anna|night_shift",
        "Streik",
        "streik*",
        '"Morgen Streik"',
        "topic:pay own:pay",
        "has:parody OR is:unread",
        "source:wirtschaft OR platform:rss",
    ],
)
def test_the_deepest_query_allowed_runs_everywhere_a_query_goes(
    store: Store,
    cli: Any,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    leaf: str,
    windows: bool,
) -> None:
    """A query nested as deeply as the parser allows selects what its innermost group
    selects in the feed, the filter's count with a topic chosen, a view's counts and an
    export, and runs in every report and a view's alerts: whatever parses runs in SQLite."""
    if windows:  # the readers that walk the feed in time windows or read rare words
        monkeypatch.setattr(windowed, "FIRST_WINDOW", 2)
        monkeypatch.setattr(rare_words, "RARE", 0)
    deep = _deepest(leaf)
    assert ids(store, deep) == ids(store, leaf)
    shallow, nested = query_selection(leaf, NOW), query_selection(deep, NOW)
    for topic in (None, "pay"):
        deep_filter = combine(nested, topic_selection(topic))
        leaf_filter = combine(shallow, topic_selection(topic))
        assert count_matching(store, deep_filter) == count_matching(store, leaf_filter)
        page = feed_page(store, deep_filter, limit=3, now=NOW)
        assert page == feed_page(store, leaf_filter, limit=3, now=NOW)
    views = [SavedView("deep", deep), SavedView("leaf", leaf)]
    counted = [c.counts for c in view_counts(store, views, Config(), NOW)]
    assert counted[0] == counted[1]
    rows = cli("export", "--db", db_path, "--format", "jsonl", "--query", deep)
    wanted = cli("export", "--db", db_path, "--format", "jsonl", "--query", leaf)
    assert (rows.code, rows.out) == (0, wanted.out)
    for report in (["--format", "md"], ["--report", "threads"]):  # they quote the query
        run = cli("export", "--db", db_path, *report, "--query", deep)
        assert (run.code, run.err) == (0, ""), report
    config = tmp_path / "deep.toml"
    config.write_text(f"[views.deep]\nquery = {json.dumps(deep)}\nalert = true\n", "utf-8")
    for command in (["views", "--to-newest"], ["alerts"]):
        run = cli(*command, "--db", db_path, "--config", config)
        assert run.code == 0, (command, run.err)


def test_the_most_conditions_allowed_run_beside_words(store: Store) -> None:
    """Words beside as many fields as a query may hold select what the words select, in
    the feed and the filter's count (its statement tests the fields twice)."""
    query = "Streik " + " ".join(["-lang:xx"] * (MOST_CONDITIONS - 1))
    selection = query_selection(query, NOW)
    assert ids(store, query) == ids(store, "Streik") == ["x:102"]
    assert count_matching(store, selection) == 1
    assert [r["id"] for r in feed_page(store, selection, limit=5, now=NOW)] == ["x:102"]
    words = "Streik OR " + " OR ".join(f"w{n}" for n in range(5000))
    assert ids(store, words) == ["x:102"]  # words side by side are one search


def test_export_refuses_a_query_nested_too_deeply_before_writing_anything(
    store: Store, cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """`export --query` with groups nested too deeply exits 2 naming the position, with
    nothing on standard output; so does a view that is fine alone but with `--query`
    nests one group too deep."""
    run = cli("export", "--db", db_path, "--query", "(" * 400 + "Streik" + ")" * 400)
    assert (run.code, run.out) == (2, "")
    assert "bad query: position 8: groups nested too deeply (at most 7)" in run.err
    assert "Traceback" not in run.err
    config = tmp_path / "deep.toml"
    deep = "(" * MOST_NESTED + "Streik" + ")" * MOST_NESTED
    config.write_text(f'[views]\ndeep = "{deep}"\n', "utf-8")
    alone = cli("export", "--db", db_path, "--config", config, "--view", "deep")
    assert (alone.code, alone.out) == (0, cli("export", "--db", db_path, "--query", "Streik").out)
    run = cli("export", "--db", db_path, "--config", config, "--view", "deep", "--query", "Verdi")
    assert (run.code, run.out) == (2, "")
    assert "--view and --query together: position 8: groups nested too deeply" in run.err
