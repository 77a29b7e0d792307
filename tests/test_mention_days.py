"""The days of the stored posts (`mention_days`, m017): every writer lists the day of each
post it stores or moves, so `author:` and account pages find every post, and a page looks
each (day, name) up in the per-author index instead of listing the days through it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from cache.db import author_index
from cache.db.store import Store
from cache.read.monitor_queries import feed_page, feed_page_sql
from cache.read.search import query_selection
from cache.read.thread_walk import account_page
from filters.classify import Classifier
from sources.model.config import Config
from tests.builders import BASE_TIME, page, tweet, user
from tests.store_helpers import author_ids_newest_first, store_before, store_pages

CLASSIFIER = Classifier(Config())
NOW = datetime(2026, 12, 1, tzinfo=UTC)
ANNE_KEY = "x:1"


def _pages() -> list[dict[str, object]]:
    """Pages of posts by @anne_k and @bob on six days, one page a day."""
    anne, bob = user("anne_k", user_id="1"), user("bob", user_id="2")
    pages = []
    for day in range(6):
        at = BASE_TIME + timedelta(days=day, hours=day)
        pages.append(
            page(
                [
                    tweet(anne, f"anne {day}", tweet_id=str(1000 + day), at=at),
                    tweet(bob, f"bob {day}", tweet_id=str(2000 + day), at=at),
                ],
                [anne, bob],
            )
        )
    return pages


def _author_page(store: Store) -> list[str]:
    return [row["id"] for row in feed_page(store, query_selection("author:anne_k", NOW))]


def _days(store: Store) -> tuple[set[str], set[str]]:
    """(the days listed, the days of the stored posts)."""
    listed = {str(r[0]) for r in store.conn.execute("SELECT day FROM mention_days")}
    held = {str(r[0]) for r in store.conn.execute("SELECT substr(created_at, 1, 10) FROM mentions")}
    return listed, held


@pytest.mark.parametrize("writer", ["live", "import"])
def test_posts_moved_or_added_by_any_writer_stay_on_author_pages(
    tmp_path: Path, writer: str
) -> None:
    """`author:` and the account page list every post, also one moved to a day the store
    held no post on and one another tool inserted on such a day."""
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        store_pages(store, _pages(), writer, tmp_path)
        listed, held = _days(store)
        assert listed == held and len(held) == 6
        with store.conn:  # a time repair moves the oldest post a week back
            store.conn.execute(
                "UPDATE mentions SET created_at = '2025-12-25T08:00:00Z' WHERE id = 'x:1000'"
            )
    db = Database(path)  # a sqlite-utils user adds a post of hers on another new day
    cursor = db.execute("SELECT * FROM mentions WHERE id = 'x:1001'")
    columns = [column[0] for column in cursor.description]
    row = dict(zip(columns, cursor.fetchone(), strict=True))
    db.table("mentions").insert({**row, "id": "x:1999", "created_at": "2027-02-01T09:00:00Z"})
    db.close()
    with Store.open(path) as store:
        listed, held = _days(store)
        expected = author_ids_newest_first(store, "anne_k")
        profile = account_page(store, ANNE_KEY)
        page_ids = _author_page(store)
    assert {"2025-12-25", "2027-02-01"} <= listed
    assert held <= listed
    assert len(expected) == 7
    assert page_ids == expected
    assert profile is not None and profile.posts == 7
    assert [post.id for post in profile.recent] == expected


def test_an_author_page_looks_each_day_up_in_the_index(tmp_path: Path) -> None:
    """An `author:` page seeks (day, name) in the per-author index and takes the days from
    their own small table, never by walking the per-author index for them."""
    with Store.open(tmp_path / "s.db") as store:
        store_pages(store, _pages(), "live", tmp_path)
        sql, params = feed_page_sql(query_selection("author:anne_k", NOW))
        plan = [str(r[3]) for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", (*params, 9))]
    assert any(
        step.startswith("SEARCH m USING INDEX mentions_author_created (<expr>=? AND author=?)")
        for step in plan
    ), plan
    assert not any(step.startswith("SEARCH mentions ") for step in plan), plan
    assert any("mention_days" in step for step in plan), plan


@pytest.mark.parametrize("author_index_before", ["led by the day", "left out", "led by the author"])
def test_a_store_from_before_m017_lists_its_days(tmp_path: Path, author_index_before: str) -> None:
    """A store made before the days were listed gets them all from the next writer, also
    when an earlier release's killed import left its per-author index out or one rebuilt it
    led by the author, and its author pages answer as before."""
    source = tmp_path / "new.db"
    with Store.open(source) as store:
        store_pages(store, _pages(), "live", tmp_path)
        expected = _author_page(store)
    old = store_before("m017_mention_days", tmp_path / "old.db", source)
    with closing(sqlite3.connect(old)) as conn:  # as it is on disk, before any writer opens it
        assert not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'mention_days'"
        ).fetchall()
        if author_index_before != "led by the day":
            conn.execute(f"DROP INDEX {author_index.NAME}")
        if author_index_before == "led by the author":
            conn.execute(
                f"CREATE INDEX {author_index.NAME} ON mentions(author COLLATE NOCASE, created_at)"
            )
        conn.commit()
    with Store.open(old) as store:
        listed, held = _days(store)
        assert listed == held and len(held) == 6
        assert author_index.declared(store.conn) == author_index.CREATE_SQL.replace(
            " IF NOT EXISTS", ""
        )
        assert _author_page(store) == expected
