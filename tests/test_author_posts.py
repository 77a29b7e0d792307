"""An account's posts are read through the one per-author index `author:` walks (m013):
every name the account posted under counts, and another account's posts under the same
name never do, whichever writer stored them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cache.db import author_index
from cache.db.store import Store
from cache.read.author_posts import posts_of
from cache.read.thread_walk import account_page
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.feeds.parse import parse_feed
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, rss, tweet, user
from tests.store_helpers import store_before, store_pages

CLASSIFIER = Classifier(Config())
RENAMED_KEY = "x:4711"


def _renamed_account_pages() -> list[dict[str, object]]:
    """Three posts as @old_name, then two as @New_Name: the same account, renamed."""
    before = user("old_name", user_id="4711")
    after = user("New_Name", user_id="4711")
    other = user("someone_else", user_id="4712")
    at = [BASE_TIME + timedelta(minutes=n) for n in range(6)]
    return [
        page([tweet(before, f"old post {n}", at=at[n]) for n in range(3)], [before]),
        page([tweet(other, "not the account", at=at[3])], [other]),
        page([tweet(after, f"new post {n}", at=at[4 + n]) for n in range(2)], [after]),
    ]


def _bylines_in_two_feeds(store: Store) -> None:
    """The byline "Redaktion" in two feeds: two accounts that share one name."""
    for feed, count in (("alpha", 3), ("beta", 2)):
        items = [
            {
                "title": f"{feed} {n}",
                "link": f"https://news.example/{feed}/{n}",
                "author": "Redaktion",
                "pubDate": f"Mon, 02 Nov 2026 0{n}:00:00 +0000",
            }
            for n in range(count)
        ]
        ingest(store, parse_feed(rss(feed, items), feed), CLASSIFIER)


def _key_of(store: Store, source: str) -> str:
    (key,) = store.conn.execute(
        "SELECT DISTINCT author_key FROM mentions WHERE source = ?", [source]
    ).fetchone()
    return str(key)


@pytest.mark.parametrize("writer", ["live", "import"])
def test_an_account_page_holds_every_name_it_posted_under(tmp_path: Path, writer: str) -> None:
    """A renamed account's page lists its posts under the old and the new name, newest first."""
    with Store.open(tmp_path / "s.db") as store:
        store_pages(store, _renamed_account_pages(), writer, tmp_path)
        full = account_page(store, RENAMED_KEY)
        short = account_page(store, RENAMED_KEY, limit=2)
    assert full is not None and short is not None
    assert full.handle == "New_Name"
    assert full.posts == 5
    assert [p.text for p in full.recent] == [
        "new post 1",
        "new post 0",
        "old post 2",
        "old post 1",
        "old post 0",
    ]
    assert [p.text for p in short.recent] == ["new post 1", "new post 0"]
    assert short.posts == 5


def test_accounts_sharing_a_name_keep_their_own_posts(tmp_path: Path) -> None:
    """Two feeds' "Redaktion" bylines are two accounts: each page shows only its own items."""
    with Store.open(tmp_path / "s.db") as store:
        _bylines_in_two_feeds(store)
        alpha = account_page(store, _key_of(store, "alpha"))
        beta = account_page(store, _key_of(store, "beta"))
    assert alpha is not None and beta is not None
    assert (alpha.posts, [p.text for p in alpha.recent]) == (3, ["alpha 2", "alpha 1", "alpha 0"])
    assert (beta.posts, [p.text for p in beta.recent]) == (2, ["beta 1", "beta 0"])


def test_a_post_without_an_account_under_the_same_name_is_not_counted(tmp_path: Path) -> None:
    """A row another tool wrote under an account's name, with no author key, is not its post."""
    with Store.open(tmp_path / "s.db") as store:
        for payload in _renamed_account_pages():
            ingest(store, parse_response(payload, "x"), CLASSIFIER)
        with store.conn:
            store.conn.execute(
                "INSERT INTO mentions (id, platform, source, author, author_key, text, "
                "created_at, first_seen_at, updated_at) VALUES ('tool:1', 'x', 'tool', "
                "'OLD_NAME', '', 'written elsewhere', '2026-11-02T09:30:00Z', "
                "'2026-11-02T09:30:00Z', '2026-11-02T09:30:00Z')"
            )
        found = account_page(store, RENAMED_KEY)
    assert found is not None
    assert found.posts == 5
    assert "written elsewhere" not in [p.text for p in found.recent]


def test_a_new_mention_lands_in_one_per_author_index(tmp_path: Path) -> None:
    """`mentions` has one index of the author's name, led by the day (an expression), and
    none of the author key but the partial one of the posts still without an author
    (`cache.db.known_authors`), which a post with its author never lands in."""
    with Store.open(tmp_path / "s.db") as store:
        listed = store.conn.execute(
            "SELECT name, partial FROM pragma_index_list('mentions')"
        ).fetchall()
        columns = {
            name: [row[2] for row in store.conn.execute(f"PRAGMA index_info('{name}')")]
            for name, _ in listed
        }
    whole = [c for name, partial in listed if not partial for c in [columns[name]]]
    with_author = [c for c in whole if "author" in c]
    assert with_author == [[None, "author", "created_at"]]
    assert not any("author_key" in c for c in whole)
    assert columns["mentions_unknown_author"] == ["author_key"]
    assert dict(listed)["mentions_unknown_author"] == 1


def test_an_account_page_walks_the_name_index_newest_first(tmp_path: Path) -> None:
    """An account's newest posts are read from the name index in time order, never all sorted."""
    with Store.open(tmp_path / "s.db") as store:
        for payload in _renamed_account_pages()[2:]:
            ingest(store, parse_response(payload, "x"), CLASSIFIER)
        condition, values = posts_of(store, [RENAMED_KEY]).condition()
        plan = " | ".join(
            str(row[3])
            for row in store.conn.execute(
                "EXPLAIN QUERY PLAN SELECT m.id FROM mentions AS m "
                f"WHERE {condition} ORDER BY {author_index.NEWEST_FIRST} LIMIT 200",
                values,
            )
        )
    assert "mentions_author_created" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_a_store_from_before_m013_lists_its_authors(tmp_path: Path) -> None:
    """An older store opens with every (key, name) pair listed and the account pages right."""
    source = tmp_path / "new.db"
    with Store.open(source) as store:
        for payload in _renamed_account_pages():
            ingest(store, parse_response(payload, "x"), CLASSIFIER)
    old = store_before("m013_mention_authors", tmp_path / "old.db", source)
    with Store.open(old) as store:
        pairs = set(store.conn.execute("SELECT author_key, author FROM mention_authors"))
        indexes = {
            r[0] for r in store.conn.execute("SELECT name FROM pragma_index_list('mentions')")
        }
        page_after = account_page(store, RENAMED_KEY)
    assert {(RENAMED_KEY, "old_name"), (RENAMED_KEY, "New_Name")} <= pairs
    assert "mentions_author_key" not in indexes
    assert page_after is not None and page_after.posts == 5
