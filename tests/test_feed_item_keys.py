"""Which feed items are one mention: distinct guids stay distinct, one article stays one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.feeds.parse import parse_feed
from sources.model.config import Config
from tests.builders import rss
from tests.feedserver import FeedServer
from tests.store_helpers import collector, feed_source, stored_ids

LIVE_BLOG = "https://news.example/live/kestrel-strike"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def live_blog(count: int, *, guid: bool = True) -> bytes:
    """A live blog: every update links to the same page, each with a guid of its own."""
    entries = []
    for i in range(count):
        entry = {
            "title": f"Update {i}: Streik geht weiter",
            "link": LIVE_BLOG,
            "description": f"Kestrel workers walk out, update {i}",
            "pubDate": f"Mon, 02 Nov 2026 0{i}:00:00 GMT",
        }
        if guid:
            entry["guid"] = f"urn:live:kestrel:{i}"
        entries.append(entry)
    return rss("Live", entries)


def test_items_sharing_a_link_with_their_own_guids_are_all_stored(
    server: FeedServer, db_path: Path
) -> None:
    """Five live-blog updates with one link and five guids are five mentions, once each."""
    server.feed("/live.xml", live_blog(5))
    run = collector(db_path, feed_source(server, "live", "/live.xml"))
    first = run.poll_source("live")
    assert (first.new, first.error) == (5, None)
    assert run.poll_source("live").new == 0
    with Store.open(db_path, readonly=True) as store:
        texts = sorted(r["title"] for r in store.rows("SELECT title FROM mentions"))
    assert texts == [f"Update {i}: Streik geht weiter" for i in range(5)]


def test_items_sharing_a_link_without_guids_are_merged_with_a_warning(
    server: FeedServer, db_path: Path
) -> None:
    """Items with nothing but one link to tell them apart are one mention, and the poll says so."""
    server.feed("/live.xml", live_blog(3, guid=False))
    report = collector(db_path, feed_source(server, "live", "/live.xml")).poll_source("live")
    assert report.new == 1
    assert any("3 items" in w and LIVE_BLOG in w for w in report.warnings), report.warnings


def test_guid_equal_to_the_link_keeps_one_article_in_two_feeds_as_one(
    server: FeedServer, db_path: Path
) -> None:
    """A permalink guid (the common case) still lets two feeds share one article."""
    article = {"title": "Verdi ruft", "link": "https://news.example/a/1"}
    server.feed("/one.xml", rss("One", [{**article, "guid": article["link"]}]))
    server.feed("/two.xml", rss("Two", [{**article, "guid": "https://www.news.example/a/1/"}]))
    run = collector(
        db_path, feed_source(server, "one", "/one.xml"), feed_source(server, "two", "/two.xml")
    )
    assert run.poll_source("one").new == 1
    assert run.poll_source("two").new == 0
    assert len(stored_ids(db_path)) == 1


def _store_as_before_guid_keys(db_path: Path, document: bytes, feed: str) -> None:
    """What a store filled before guid keys holds: every item under its link's id."""
    batch = parse_feed(document, feed)
    batch.mentions[:] = [
        replace(m, id=m.link_id, link_id="") if m.link_id else m for m in batch.mentions
    ]
    with Store.open(db_path) as store:
        ingest(store, batch, Classifier(Config()))


def test_an_upgraded_store_gets_no_duplicates_of_link_keyed_items(
    server: FeedServer, db_path: Path
) -> None:
    """Items stored under their link before the upgrade are not stored a second time."""
    document = rss(
        "Blog",
        [
            {
                "title": f"Post {i}",
                "link": f"https://blog.example/2026/11/post-{i}/",
                "guid": f"https://blog.example/?p={100 + i}",
            }
            for i in range(4)
        ],
    )
    _store_as_before_guid_keys(db_path, document, "blog")
    before = stored_ids(db_path)
    assert len(before) == 4
    server.feed("/blog.xml", document)
    report = collector(db_path, feed_source(server, "blog", "/blog.xml")).poll_source("blog")
    assert (report.new, report.error) == (0, None)
    assert stored_ids(db_path) == before


def test_an_upgraded_store_with_merged_items_gets_the_missing_ones(
    server: FeedServer, db_path: Path
) -> None:
    """A live blog merged into one mention before: the next poll adds the other updates once."""
    _store_as_before_guid_keys(db_path, live_blog(5), "live")
    assert len(stored_ids(db_path)) == 1
    server.feed("/live.xml", live_blog(5))
    run = collector(db_path, feed_source(server, "live", "/live.xml"))
    assert run.poll_source("live").new == 4
    assert run.poll_source("live").new == 0
    assert len(stored_ids(db_path)) == 5
