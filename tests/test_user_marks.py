"""Marks a reader keeps (read, starred): stored beside the mentions, queried as `is:`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import cache.db.store
from cache.db.store import Store
from cache.read.marks import marks_for, unread_count
from cache.read.search import QueryError, query_selection, select_sql
from cache.write.ingest import ingest
from cache.write.marks import set_marks
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user
from tui.gateway import save_marks

PEOPLE = [user("anna", user_id="1"), user("joe", user_id="2")]


def _posts() -> dict[str, Any]:
    anna, joe = PEOPLE
    posts = [
        tweet(anna, "Our wages are far too low", tweet_id="1", at=BASE_TIME),
        tweet(joe, "Streik morgen", tweet_id="2", at=BASE_TIME + timedelta(hours=1)),
        tweet(anna, "Nothing to see", tweet_id="3", at=BASE_TIME + timedelta(hours=2)),
    ]
    return page(posts, PEOPLE)


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path)
    ingest(s, parse_response(_posts(), "x:search"), Classifier(Config()))
    yield s
    s.close()


def ids(store: Store, query: str) -> list[str]:
    sql, params = select_sql(query_selection(query, BASE_TIME), columns="m.id")
    return [row["id"] for row in store.rows(sql, params)]


def test_is_starred_and_is_unread_select_by_the_readers_marks(store: Store) -> None:
    """`is:starred` lists what was starred, `is:unread` what was not read, `-is:unread` the rest."""
    set_marks(store, ["x:2"], BASE_TIME, starred=True)
    set_marks(store, ["x:1", "x:2"], BASE_TIME, read=True)
    assert ids(store, "is:starred") == ["x:2"]
    assert ids(store, "is:unread") == ["x:3"]
    assert ids(store, "-is:unread") == ["x:2", "x:1"]
    assert ids(store, "is:starred OR is:unread") == ["x:3", "x:2"]
    assert ids(store, "is:starred|unread streik") == ["x:2"]


def test_unmarking_takes_the_mark_back(store: Store) -> None:
    """Unstarring and marking unread again show the mention as it was before."""
    set_marks(store, ["x:1"], BASE_TIME, read=True, starred=True)
    set_marks(store, ["x:1"], BASE_TIME, read=False, starred=False)
    assert marks_for(store, ["x:1"]) == {}
    assert ids(store, "is:starred") == []
    assert unread_count(store) == 3


def test_a_reimport_of_the_same_mention_keeps_its_marks(store: Store) -> None:
    """Storing a mention again (an import, a replay) never wipes what the reader marked."""
    set_marks(store, ["x:1"], BASE_TIME, read=True, starred=True)
    ingest(store, parse_response(_posts(), "x:search"), Classifier(Config()))
    marks = marks_for(store, ["x:1", "x:2"])
    assert marks["x:1"].read and marks["x:1"].starred
    assert "x:2" not in marks
    assert unread_count(store) == 2


def test_is_starred_lists_stars_from_their_index(store: Store) -> None:
    """`is:starred` on a large store reads the few stars, not every mention."""
    sql, params = select_sql(query_selection("is:starred", BASE_TIME), limit=200)
    plan = " | ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "mention_marks_starred" in plan, plan


@pytest.mark.parametrize(
    ("query", "position", "expected"),
    [
        ("is:new", 4, "unknown is 'new' (valid: starred, unread)"),
        ("pay is:", 8, 'expected starred or unread after "is:"'),
        ("is:starred|", 12, "expected starred or unread after '|'"),
    ],
)
def test_is_mistakes_name_position_and_expectation(
    query: str, position: int, expected: str
) -> None:
    """A wrong `is:` value says where it is and which values exist."""
    with pytest.raises(QueryError) as info:
        query_selection(query, BASE_TIME)
    assert info.value.position == position
    assert str(info.value) == f"position {position}: {expected}"


def test_a_mark_kept_out_by_a_busy_store_is_reported_as_busy_and_stored_once_free(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mark that waited in vain for another writer comes back as "busy" (the monitor says
    so and goes on marking), and is stored once the other writer is done."""
    monkeypatch.setattr(cache.db.store, "BUSY_TIMEOUT_MS", 20)
    other = sqlite3.connect(store.path)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the store
    try:
        failure = save_marks(store.path, ["x:1"], BASE_TIME, read=True)
    finally:
        other.rollback()
        other.close()
    assert failure is not None and failure.busy and "busy" in failure.why
    assert save_marks(store.path, ["x:1"], BASE_TIME, read=True) is None
    assert marks_for(store, ["x:1"])["x:1"].read
