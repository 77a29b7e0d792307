"""The query language: what analysts type in the screen and in `export --query`."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db import fts
from cache.db.store import Store
from cache.read.monitor_queries import count_matching
from cache.read.search import (
    RARE_TOPIC_MENTIONS,
    QueryError,
    query_selection,
    rare_topics,
    select_sql,
)
from cache.write.ingest import ingest
from filters.classify import Classifier
from filters.query import searchable
from sources.feeds.parse import parse_feed
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, rss, tweet, user

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
