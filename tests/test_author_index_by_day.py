"""The per-author index led by the day (m016): `author:` pages and account pages read an
author's posts newest first across days, the same rows as a sort of all of them, and a
store made before m016 gets the index when a writer opens it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cache.db import author_index
from cache.db.store import Store
from cache.read.monitor_queries import feed_page
from cache.read.search import query_selection
from cache.read.thread_walk import account_page
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user
from tests.store_helpers import author_ids_newest_first, store_before

CLASSIFIER = Classifier(Config())
NOW = datetime(2026, 12, 1, tzinfo=UTC)
ANNE_KEY = "x:1"


def _posts_over_days(store: Store) -> None:
    """Twenty posts by @anne_k over four days, pairs of them in the same second, between
    posts of another account at the same times."""
    anne, bob = user("anne_k", user_id="1"), user("bob", user_id="2")
    tweets = []
    for n in range(20):
        at = BASE_TIME + timedelta(days=n // 5, hours=n % 3)
        tweets.append(tweet(anne, f"anne {n}", tweet_id=str(1000 + n), at=at))
        tweets.append(tweet(bob, f"bob {n}", tweet_id=str(2000 + n), at=at))
    ingest(store, parse_response(page(tweets, [anne, bob]), "x"), CLASSIFIER)


def _paged(store: Store, query: str, size: int) -> list[str]:
    """Every page of `query` in the feed, `size` rows at a time, as the monitor scrolls."""
    ids: list[str] = []
    before = None
    while rows := feed_page(store, query_selection(query, NOW), before=before, limit=size):
        ids += [row["id"] for row in rows]
        before = (rows[-1]["created_at"], rows[-1]["id"])
    return ids


def test_author_pages_across_days_hold_each_post_once_newest_first(tmp_path: Path) -> None:
    """Scrolling `author:` three rows at a time lists all 20 posts of four days, newest
    first, same-second posts by id, whatever the case of the name typed."""
    with Store.open(tmp_path / "s.db") as store:
        _posts_over_days(store)
        expected = author_ids_newest_first(store, "ANNE_K")
        assert len(expected) == 20
        assert _paged(store, "author:Anne_K", 3) == expected
        assert _paged(store, "author:anne_k lang:en", 7) == expected


def test_an_account_page_lists_its_newest_posts_across_days(tmp_path: Path) -> None:
    """The profile view counts all of an account's posts and shows the newest ones first."""
    with Store.open(tmp_path / "s.db") as store:
        _posts_over_days(store)
        expected = author_ids_newest_first(store, "ANNE_K")
        profile = account_page(store, ANNE_KEY, limit=8)
    assert profile is not None
    assert profile.posts == 20
    assert [post.id for post in profile.recent] == expected[:8]


def test_a_store_from_before_m016_gets_the_day_led_index(tmp_path: Path) -> None:
    """A store whose author index is led by the name is given the day-led one by the next
    writer, declared as a new store declares it, and `author:` answers the same."""
    source = tmp_path / "new.db"
    with Store.open(source) as store:
        _posts_over_days(store)
        expected = author_ids_newest_first(store, "ANNE_K")
        (fresh_sql,) = store.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = ?", (author_index.NAME,)
        ).fetchone()
    old = store_before("m016_author_index_by_day", tmp_path / "old.db", source)
    with closing(sqlite3.connect(old)) as conn:  # as it is on disk, before any writer opens it
        (old_sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = ?", (author_index.NAME,)
        ).fetchone()
    assert "substr" not in old_sql
    with Store.open(old) as store:
        (sql,) = store.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = ?", (author_index.NAME,)
        ).fetchone()
        assert sql == fresh_sql
        assert _paged(store, "author:anne_k", 4) == expected
