"""`source:` and `has:` read from index tables (m011 `mention_sources`, m012
`mention_reactions`) that every write path keeps right, and give exactly the rows, order and
capped counts of the plain statement, page by page."""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.synth import pages, write_jsonl
from cache.db import mention_facets
from cache.db.mention_lists import HAS_PARODY_SQL, HAS_REPLY_SQL
from cache.db.store import Store
from cache.read import listed, rare_words
from cache.read.monitor_queries import combine, count_matching, feed_page, feed_page_sql
from cache.read.search import query_selection
from cache.read.selection import Selection
from cache.write.importer import import_paths
from cache.write.ingest import ingest
from cache.write.reclassify import reclassify
from filters.classify import Classifier
from sources.model.config import AccountsSection, Config, TopicSection
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.store_helpers import counts_as_plain, store_before

CLASSIFIER = Classifier(Config())
NOW = datetime(2026, 1, 9, tzinfo=UTC)
OLD_SOURCE_SQL = (
    "(m.source IN ({marks}) OR EXISTS (SELECT 1 FROM json_each(m.sources) AS s "
    "WHERE s.value IN ({marks})))"
)
"""The `source:` condition before m011: the JSON list parsed per row."""


def lists_are_right(conn: sqlite3.Connection) -> None:
    """The lists hold what the mentions say now (computed from scratch here)."""
    sources = set()
    for source, extra, created, mention_id in conn.execute(
        "SELECT source, sources, created_at, id FROM mentions"
    ):
        try:
            extra_names = json.loads(extra)
        except json.JSONDecodeError:  # a broken list names no further source
            extra_names = []
        names = {source} | {s for s in extra_names if isinstance(s, str)}
        sources |= {(name, created, mention_id) for name in names}
    assert set(conn.execute("SELECT * FROM mention_sources")) == sources
    reactions = set()
    for kind, condition in (("parody", HAS_PARODY_SQL), ("reply", HAS_REPLY_SQL)):
        reactions |= {
            (kind, created, mention_id)
            for created, mention_id in conn.execute(
                f"SELECT m.created_at, m.id FROM mentions AS m WHERE {condition}"
            )
        }
    assert set(conn.execute("SELECT * FROM mention_reactions")) == reactions
    # Author pairs are only added (cache.db.mention_lists.AUTHORS_TABLE_SQL): each current
    # one must be listed.
    pairs = set(conn.execute("SELECT author_key, author FROM mentions"))
    assert pairs <= set(conn.execute("SELECT author_key, author FROM mention_authors"))
    facets_are_right(conn)


def facets_are_right(conn: sqlite3.Connection) -> None:
    """`mention_facets` holds each stored mention's language, role (as its number, or the
    text of a role outside them), platform, the bits of the default topics its rows of
    `mention_topics` (what `topic:` reads) name, and its time as a number where it has the
    stored form, no more."""
    copied = set(conn.execute("SELECT * FROM mention_facets"))
    bits: dict[str, int] = {}
    for mention_id, topic, inherited in conn.execute(
        "SELECT mention_id, topic, inherited FROM mention_topics"
    ):
        if topic in mention_facets.TOPIC_BITS:
            bit = 1 << mention_facets.TOPIC_BITS.index(topic)
            bits[mention_id] = bits.get(mention_id, 0) | bit | (bit << 16 if inherited else 0)
    stored = conn.execute("SELECT rowid, id, lang, role, platform, created_at FROM mentions")
    codes = {"public": 0, "ambassador": 1, "parody": 2, "official": 3, "press": 4}
    assert copied == {
        (rowid, lang, codes.get(role, role), platform, bits.get(mention_id, 0), _number(created_at))
        for rowid, mention_id, lang, role, platform, created_at in stored
    }


def _number(created_at: str) -> int | None:
    """A stored time (`2026-01-12T06:25:00Z`) as YYYYMMDDHHMMSS; None in any other form."""
    if len(created_at) != 20 or created_at[10] != "T" or not created_at.endswith("Z"):
        return None
    digits = created_at[:19].replace("-", "").replace("T", "").replace(":", "")
    shape = created_at[4] + created_at[7] + created_at[13] + created_at[16]
    return int(digits) if digits.isdigit() and digits.isascii() and shape == "--::" else None


def _ingest_out_of_order(store: Store, rows: int, seed: int) -> None:
    """Live ingest, newest page first: replies and quotes arrive before what they answer."""
    for part in reversed(list(pages(rows, seed=seed, page_size=100))):
        ingest(store, parse_response(part, "x"), CLASSIFIER)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Live ingest out of order, the same posts again through a second feed, more posts."""
    path = tmp_path_factory.mktemp("lists") / "s.db"
    stream = list(pages(1500, seed=7, page_size=100))
    with Store.open(path) as store:
        for part in reversed(stream):
            ingest(store, parse_response(part, "x"), CLASSIFIER)
        for part in stream[3:6]:  # also delivered by another source: `sources` grows
            ingest(store, parse_response(part, "mirror"), CLASSIFIER)
    return path


def test_live_ingest_keeps_both_lists_right(store_path: Path) -> None:
    """After ingest out of order and a second feed, `source:`/`has:` find every post."""
    with Store.open(store_path, readonly=True) as store:
        lists_are_right(store.conn)
        (mirrored,) = store.conn.execute(
            "SELECT count(*) FROM mention_sources WHERE source = 'mirror'"
        ).fetchone()
        (kinds,) = store.conn.execute(
            "SELECT count(DISTINCT kind) FROM mention_reactions"
        ).fetchone()
    assert mirrored >= 250  # the second feed's posts are listed under it too
    assert kinds == 2


def _vm_steps(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> int:
    """SQLite virtual-machine steps of one statement, its triggers included."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    conn.set_progress_handler(tick, 1)
    try:
        conn.execute(sql, params)
    finally:
        conn.set_progress_handler(None, 1)
    return steps[0]


def test_a_further_source_is_listed_without_reading_the_whole_list(
    store_path: Path, tmp_path: Path
) -> None:
    """A post delivered again by one more feed costs a few key lookups in `mention_sources`,
    not a pass over every listed post (an import spent seconds per 100k at 1M on that)."""
    copy = tmp_path / "s.db"
    copy.write_bytes(store_path.read_bytes())
    with Store.open(copy) as store, store.writing():
        conn = store.conn
        (listed_rows,) = conn.execute("SELECT count(*) FROM mention_sources").fetchone()
        (mention_id,) = conn.execute(
            "SELECT id FROM mentions WHERE sources = json_array(source) LIMIT 1"
        ).fetchone()
        steps = _vm_steps(
            conn,
            "UPDATE mentions SET sources = json_array(source, 'third') WHERE id = ?",
            (mention_id,),
        )
        lists_are_right(conn)
    assert listed_rows > 1500
    assert steps < listed_rows, (steps, listed_rows)


def test_bulk_import_keeps_both_lists_right(tmp_path: Path) -> None:
    """An archive imported in large transactions lists its sources and reactions."""
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, 1200, seed=11)
    with Store.open(tmp_path / "s.db") as store:
        import_paths(store, [archive], CLASSIFIER, batch=400, parallel=False)
        (listed_sources,) = store.conn.execute("SELECT count(*) FROM mention_sources").fetchone()
        assert listed_sources >= 1200
        lists_are_right(store.conn)


def test_a_bulk_load_lists_every_feed_that_delivered_a_new_post(tmp_path: Path) -> None:
    """Posts two feeds deliver in one bulk transaction are found by `source:` under both."""
    stream = list(pages(300, seed=12, page_size=100))
    batch = parse_response(stream[0], "x")
    for part in stream[1:]:
        batch.extend(parse_response(part, "x"))
    batch.extend(parse_response(stream[1], "mirror"))  # a second feed, in the same batch
    with Store.open(tmp_path / "s.db") as store:
        ingest(store, batch, CLASSIFIER, bulk=True)
        conn = store.conn
        lists_are_right(conn)
        both = set(conn.execute("SELECT id FROM mentions WHERE sources LIKE '%mirror%'"))
        mirrored = set(
            conn.execute("SELECT mention_id FROM mention_sources WHERE source = 'mirror'")
        )
        by_x = set(conn.execute("SELECT mention_id FROM mention_sources WHERE source = 'x'"))
    assert len(both) >= 100
    assert mirrored == both
    assert both <= by_x


def test_reclassify_and_deletes_keep_reactions_right(tmp_path: Path) -> None:
    """Accounts turned parody by a config edit, and deleted posts, change `has:` at once."""
    with Store.open(tmp_path / "s.db") as store:
        _ingest_out_of_order(store, 1200, seed=13)
        before = set(store.conn.execute("SELECT * FROM mention_reactions"))
        handles = [
            row[0]
            for row in store.conn.execute(
                "SELECT DISTINCT author FROM mentions WHERE role = 'ambassador' "
                "AND in_reply_to IS NOT NULL LIMIT 15"
            )
        ]
        turned = Classifier(Config(accounts=AccountsSection(parody=handles)))
        with store.writing():
            reclassify(store, turned)
        after = set(store.conn.execute("SELECT * FROM mention_reactions"))
        assert after != before  # the ambassadors' replies now count as parody reactions
        lists_are_right(store.conn)
        with store.writing():
            store.conn.execute(
                "DELETE FROM mentions WHERE id IN (SELECT in_reply_to FROM mentions "
                "WHERE role = 'parody' AND in_reply_to IS NOT NULL LIMIT 20)"
            )
            store.conn.execute(
                "DELETE FROM mentions WHERE id IN (SELECT id FROM mentions "
                "WHERE role = 'ambassador' AND in_reply_to IS NOT NULL LIMIT 20)"
            )
            store.conn.execute(
                "UPDATE mentions SET created_at = '2019-01-01T00:00:00Z', sources = 'not json' "
                "WHERE rowid % 50 = 0"
            )
        lists_are_right(store.conn)


def test_changed_topics_reach_the_facets(store_path: Path, tmp_path: Path) -> None:
    """A vocabulary change (reclassify), an edited post and a topic from another tool's
    write all change the topics a search tests on the facets; another tool's times too."""
    copy = tmp_path / "s.db"
    copy.write_bytes(store_path.read_bytes())
    wider = Classifier(Config(topics={"pay": TopicSection(en=["strike*"], de=["streik*"])}))
    with Store.open(copy) as store:
        (paid_before,) = store.conn.execute(
            "SELECT count(*) FROM mention_facets WHERE topics & 2"
        ).fetchone()
        with store.writing():
            reclassify(store, wider)
        facets_are_right(store.conn)
        (paid_after,) = store.conn.execute(
            "SELECT count(*) FROM mention_facets WHERE topics & 2"
        ).fetchone()
        assert paid_after > paid_before
        writer = user("edited", "Edited", user_id="7001")
        edited = tweet(writer, "Lohn und Tarif", tweet_id="7101")
        ingest(store, parse_response(page([edited], [writer]), "x"), CLASSIFIER)
        edited["text"] = "Nothing here about money"
        ingest(store, parse_response(page([edited], [writer]), "x"), CLASSIFIER)
        facets_are_right(store.conn)
        with store.writing():
            store.conn.execute(
                "UPDATE mentions SET topics = '[\"t\\u0061xes\"]' WHERE rowid % 9 = 0"
            )
            store.conn.execute(
                "INSERT OR IGNORE INTO mention_topics (topic, created_at, mention_id) "
                "SELECT 'taxes', created_at, id FROM mentions WHERE rowid % 9 = 0"
            )
            store.conn.execute(
                "DELETE FROM mention_topics WHERE mention_id IN "
                "(SELECT id FROM mentions WHERE rowid % 9 = 0) AND topic != 'taxes'"
            )
            store.conn.execute(
                "UPDATE mention_topics SET inherited = 0 WHERE mention_id IN "
                "(SELECT id FROM mentions WHERE rowid % 9 = 0)"
            )
            store.conn.execute("UPDATE mentions SET topics_from_thread = '[]' WHERE rowid % 9 = 0")
            # Times in other forms than the stored one have no number.
            store.conn.execute(
                "UPDATE mentions SET created_at = replace(created_at, 'T', ' ') WHERE rowid % 5 = 0"
            )
            store.conn.execute(
                "UPDATE mentions SET created_at = replace(created_at, 'Z', '.5Z') "
                "WHERE rowid % 5 = 1"
            )
        facets_are_right(store.conn)
        (keyless,) = store.conn.execute(
            "SELECT count(*) FROM mention_facets WHERE created_key IS NULL"
        ).fetchone()
        assert keyless > 100


def test_an_old_store_is_migrated_with_both_lists_filled(store_path: Path, tmp_path: Path) -> None:
    """A store from before m011/m012 opens with both lists filled from its mentions."""
    old = store_before("m011_mention_sources", tmp_path / "old.db", store_path)
    with Store.open(old) as store:
        (stored,) = store.conn.execute("SELECT count(*) FROM mentions").fetchone()
        (listed_mentions,) = store.conn.execute(
            "SELECT count(DISTINCT mention_id) FROM mention_sources"
        ).fetchone()
        assert listed_mentions == stored
        lists_are_right(store.conn)


def test_an_old_store_gets_the_facets_of_its_mentions(store_path: Path, tmp_path: Path) -> None:
    """A store from before m018 opens with every mention's facets copied, and any later
    change of a language, role or platform by another tool, or a delete, is copied too."""
    old = store_before("m018_mention_facets", tmp_path / "old.db", store_path)
    with Store.open(old) as store, store.writing():
        conn = store.conn
        facets_are_right(conn)
        conn.execute("UPDATE mentions SET lang = 'fr' WHERE rowid % 7 = 0")
        conn.execute("UPDATE mentions SET role = 'press', platform = 'rss' WHERE rowid % 11 = 0")
        conn.execute("DELETE FROM mentions WHERE rowid % 13 = 0")
        facets_are_right(conn)
        (french,) = conn.execute("SELECT count(*) FROM mention_facets WHERE lang = 'fr'").fetchone()
    assert french > 100


QUERIES = [
    "source:x",
    "source:mirror",
    "source:x|mirror",
    "source:nowhere",
    "has:parody",
    "has:reply",
    "has:parody|reply",
    "has:reply lang:de",
    "source:mirror has:reply",
    "topic:strikes source:x",
    "-source:mirror",
    "source:mirror OR has:parody",
    "has:parody Streik",
    "lang:en -has:reply",
    "source:x since:2026-01-12T06:25",
    "has:reply until:2026-01-12T06:25",
    "source:mirror|x since:2026-01-12T06:10 until:2026-01-12T06:40",
    "has:parody|reply since:2026-01-12T06:30 lang:de",
    "since:2026-01-12T06:20 has:parody until:2026-01-12T06:35 until:2026-01-12T06:45",
]


@pytest.fixture(autouse=True)
def _small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real first window (200) is most of a test's list: shrink it so that pages go
    # through several windows, the four-fold growth and the plain remainder.
    monkeypatch.setattr(listed, "FIRST_WINDOW", 4)
    # Every word of this small store is rare (tests/test_rare_words.py reads those from
    # their match list): the walks are what is tested here.
    monkeypatch.setattr(rare_words, "RARE", 0)


def _plain(store: Store, selection: Selection, before: tuple[str, str] | None, n: int) -> list[Any]:
    sql, params = feed_page_sql(selection, before)
    return [r["id"] for r in store.rows(sql, (*params, n))]


@pytest.mark.parametrize("text", QUERIES)
def test_listed_pages_equal_the_plain_statement(store_path: Path, text: str) -> None:
    """Scrolling `source:`/`has:` shows the same posts in the same order, page by page."""
    with Store.open(store_path, readonly=True) as store:
        for selection in (
            query_selection(text, NOW),
            combine(query_selection(text, NOW), Selection("m.lang != 'fr'")),
        ):
            before: tuple[str, str] | None = None
            while True:
                rows = feed_page(store, selection, before=before, limit=23)
                assert [r["id"] for r in rows] == _plain(store, selection, before, 23), before
                if len(rows) < 23:
                    break
                before = (rows[-1]["created_at"], rows[-1]["id"])


@pytest.mark.parametrize("text", QUERIES)
def test_listed_counts_equal_the_plain_count(store_path: Path, text: str) -> None:
    """The filter line's capped count of `source:`/`has:` is the plain count, capped."""
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(text, NOW)
        counts_as_plain(store, selection, (3, 40, 300, 5000))


@pytest.mark.parametrize(
    ("text", "old"),
    [
        ("source:mirror", OLD_SOURCE_SQL.format(marks="'mirror'")),
        ("source:x|mirror", OLD_SOURCE_SQL.format(marks="'x', 'mirror'")),
        ("has:parody", HAS_PARODY_SQL),
        ("has:reply", HAS_REPLY_SQL),
    ],
)
def test_listed_conditions_select_what_the_old_ones_did(
    store_path: Path, text: str, old: str
) -> None:
    """`source:` and `has:` pick the same posts as the statements they replace."""
    with Store.open(store_path, readonly=True) as store:
        new = _plain(store, query_selection(text, NOW), None, 10**6)
        assert new == _plain(store, Selection(old), None, 10**6)
        assert len(new) > 10


def test_a_listed_page_reads_index_ranges_only(store_path: Path) -> None:
    """A `source:`/`has:` window walks its table's key range and looks mentions up by key."""
    with Store.open(store_path, readonly=True) as store:
        for text in ("source:x|mirror", "has:parody lang:de"):
            selection = query_selection(text, NOW)
            walk = listed.driver(selection)
            assert walk is not None
            sql, params = listed.listed_rows_sql(walk, selection, "m.id", ("2030", ""), "2000")
            plan = [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
            # `SCAN l` is the window's own list (a co-routine), not a table.
            assert {step for step in plan if step.startswith("SCAN")} <= {"SCAN l"}, plan
            assert any(f"SEARCH {walk.table} USING PRIMARY KEY" in step for step in plan), plan
            assert "SEARCH m USING INDEX sqlite_autoindex_mentions_1 (id=?)" in plan, plan


@pytest.mark.parametrize("bulk", [False, True], ids=["live", "bulk"])
@pytest.mark.parametrize("link", ["reply_to", "quotes"])
@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_parody_reaction_to_an_ambassador_reply_counts_in_any_arrival_order(
    tmp_path: Path, link: str, order: tuple[int, ...], bulk: bool
) -> None:
    """A parody quote or reply to an ambassador's answer marks the critical post, whichever
    of the three arrives first, by live ingest or by import (insert triggers deferred)."""
    critic = user("angry_customer", "Angry Customer", user_id="901")
    ambassador = user("kim_at_kestrel", "Kim, FC Ambassador", user_id="902")
    parody = user("kestrel_parody", "Kestrel (parody)", user_id="903")
    post = tweet(critic, "Streik again, parcels late", tweet_id="9101")
    answer = tweet(ambassador, "We are on it", tweet_id="9102", reply_to=post)
    if link == "reply_to":
        mocking = tweet(parody, "Sure you are", tweet_id="9103", reply_to=answer)
    else:
        mocking = tweet(parody, "Sure you are", tweet_id="9103", quotes=answer)
    arrivals = [page([post], [critic]), page([answer], [ambassador]), page([mocking], [parody])]
    with Store.open(tmp_path / "s.db") as store:
        for index in order:
            ingest(store, parse_response(arrivals[index], "x"), CLASSIFIER, bulk=bulk)
            lists_are_right(store.conn)
        kinds = {
            row[0]
            for row in store.conn.execute(
                "SELECT kind FROM mention_reactions WHERE mention_id = 'x:9101'"
            )
        }
    assert kinds == {"parody", "reply"}


@pytest.mark.parametrize(
    ("view", "search"),
    [
        ("source:x since:2026-01-12T06:10", "until:2026-01-12T06:40"),
        ("has:parody|reply", "since:2026-01-12T06:20 lang:de"),
        ("until:2026-01-12T06:45", "source:mirror since:2026-01-12T06:01"),
    ],
)
def test_a_view_and_a_search_bound_the_list_walk_together(
    store_path: Path, view: str, search: str
) -> None:
    """A saved view's `since:` and the filter's `until:` (or the other way round) both bound
    a `source:`/`has:` walk: pages and counts are those of the plain statement."""
    with Store.open(store_path, readonly=True) as store:
        selection = combine(query_selection(view, NOW), query_selection(search, NOW))
        assert selection.period != (None, None)
        (exact,) = store.conn.execute(
            f"SELECT count(*) FROM mentions AS m WHERE {selection.where}", selection.params
        ).fetchone()
        assert exact > 3
        for cap in (3, exact - 1, exact + 5):
            assert count_matching(store, selection, cap) == min(exact, cap + 1), cap
        rows = feed_page(store, selection, limit=exact + 1)
        assert [r["id"] for r in rows] == _plain(store, selection, None, exact + 1)
