"""The live feed source against a real HTTP server on 127.0.0.1, stored in a real SQLite file."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from sources.net.http_fetch import USER_AGENT
from tests.builders import rss
from tests.feedserver import FeedServer
from tests.store_helpers import Clock, collector, feed_source, stored_ids

LAST_MODIFIED = "Mon, 02 Nov 2026 08:00:00 GMT"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def items(prefix: str, count: int) -> list[dict[str, str]]:
    return [
        {
            "title": f"{prefix} story {i}",
            "link": f"https://news.example/{prefix}/{i}",
            "description": f"Kestrel workers talk about pay, story {i}",
            "pubDate": "Mon, 02 Nov 2026 07:00:00 GMT",
        }
        for i in range(count)
    ]


def test_feed_items_are_stored_once_and_an_etag_makes_the_next_poll_free(
    server: FeedServer, db_path: Path
) -> None:
    """A feed's items land in the store; the next poll sends If-None-Match and gets a 304."""
    server.feed("/news.xml", rss("News", items("a", 3)), etag='"v1"')
    run = collector(db_path, feed_source(server, "news", "/news.xml"))
    first = run.poll_source("news")
    assert (first.new, first.error) == (3, None)
    second = run.poll_source("news")
    assert (second.new, second.updated, second.error) == (0, 0, None)
    assert server.request_headers["/news.xml"][1]["If-None-Match"] == '"v1"'
    assert len(stored_ids(db_path)) == 3
    with Store.open(db_path, readonly=True) as store:
        state = store.source_state("news")
    assert state.etag == '"v1"' and state.last_error is None and state.items_seen == 3


def test_last_modified_is_sent_back_and_honoured(server: FeedServer, db_path: Path) -> None:
    """A server that only knows Last-Modified also answers the second poll with a 304."""
    server.feed("/lm.xml", rss("LM", items("lm", 2)), last_modified=LAST_MODIFIED)
    run = collector(db_path, feed_source(server, "lm", "/lm.xml"))
    assert run.poll_source("lm").new == 2
    assert run.poll_source("lm").error is None
    assert server.request_headers["/lm.xml"][1]["If-Modified-Since"] == LAST_MODIFIED


def test_a_changed_feed_adds_only_its_new_items(server: FeedServer, db_path: Path) -> None:
    """When the feed gains an item, only that one is new; the others are not duplicated."""
    route = server.feed("/grow.xml", rss("Grow", items("g", 2)), etag='"1"')
    run = collector(db_path, feed_source(server, "grow", "/grow.xml"))
    run.poll_source("grow")
    route.body, route.etag = rss("Grow", items("g", 3)), '"2"'
    report = run.poll_source("grow")
    assert report.new == 1 and len(stored_ids(db_path)) == 3


def test_a_permanent_redirect_is_remembered(server: FeedServer, db_path: Path) -> None:
    """After a 301 the feed is fetched from its new address directly."""
    server.redirect("/old.xml", "/new.xml", 301)
    server.feed("/new.xml", rss("Moved", items("m", 1)))
    run = collector(db_path, feed_source(server, "moved", "/old.xml"))
    assert run.poll_source("moved").new == 1
    run.poll_source("moved")
    assert server.hits["/old.xml"] == 1 and server.hits["/new.xml"] == 2
    with Store.open(db_path, readonly=True) as store:
        assert store.source_state("moved").url == server.url("/new.xml")


def test_a_temporary_redirect_is_followed_but_not_remembered(
    server: FeedServer, db_path: Path
) -> None:
    """A 302 is followed each time and the configured address stays the one asked first."""
    server.redirect("/tmp.xml", "/real.xml", 302)
    server.feed("/real.xml", rss("Temp", items("t", 1)))
    run = collector(db_path, feed_source(server, "temp", "/tmp.xml"))
    assert run.poll_source("temp").new == 1
    run.poll_source("temp")
    assert server.hits["/tmp.xml"] == 2


def test_requests_name_echowatch_and_accept_gzip(server: FeedServer, db_path: Path) -> None:
    """Feed hosts see who is polling them, and a gzip-encoded feed is read."""
    server.gzipped("/gz.xml", gzip.compress(rss("Gz", items("z", 2))))
    run = collector(db_path, feed_source(server, "gz", "/gz.xml"))
    assert run.poll_source("gz").new == 2
    sent = server.request_headers["/gz.xml"][0]
    assert sent["User-Agent"] == USER_AGENT and USER_AGENT.startswith("Echowatch/")


def test_a_malformed_feed_yields_what_was_recovered_with_a_warning(
    server: FeedServer, db_path: Path
) -> None:
    """An item list cut off mid-document still stores the items before the break."""
    broken = rss("Cut", items("c", 3)).replace(b"</item></channel></rss>", b"<item><title>x")
    server.feed("/cut.xml", broken)
    report = collector(db_path, feed_source(server, "cut", "/cut.xml")).poll_source("cut")
    assert report.error is None and report.new >= 2
    assert any("malformed feed" in w for w in report.warnings)


def test_one_article_in_two_feeds_is_one_mention_with_both_sources(
    server: FeedServer, db_path: Path
) -> None:
    """The same link through two feeds is stored once and remembers both feeds."""
    shared = items("s", 1)
    server.feed("/one.xml", rss("One", shared))
    server.feed("/two.xml", rss("Two", shared))
    run = collector(
        db_path, feed_source(server, "one", "/one.xml"), feed_source(server, "two", "/two.xml")
    )
    assert run.poll_source("one").new == 1
    assert run.poll_source("two").new == 0
    with Store.open(db_path, readonly=True) as store:
        (row,) = list(store.rows("SELECT sources FROM mentions"))
    assert row["sources"] == '["one", "two"]'


def test_identical_bytes_without_validators_are_not_parsed_again(
    server: FeedServer, db_path: Path
) -> None:
    """A server with no ETag sending the same document again changes nothing."""
    server.feed("/plain.xml", rss("Plain", items("p", 2)))
    run = collector(db_path, feed_source(server, "plain", "/plain.xml"))
    run.poll_source("plain")
    report = run.poll_source("plain")
    assert (report.new, report.updated, report.error) == (0, 0, None)


def test_a_changed_config_url_forgets_the_old_redirect(server: FeedServer, db_path: Path) -> None:
    """Pointing a feed at a new address in the config drops the remembered old one."""
    server.redirect("/a.xml", "/a2.xml", 301)
    server.feed("/a2.xml", rss("A", items("a", 1)))
    server.feed("/b.xml", rss("B", items("b", 1)))
    collector(db_path, feed_source(server, "feed", "/a.xml")).poll_source("feed")
    report = collector(db_path, feed_source(server, "feed", "/b.xml")).poll_source("feed")
    assert report.new == 1 and server.hits["/b.xml"] == 1


def test_next_poll_follows_the_feed_schedule(server: FeedServer, db_path: Path) -> None:
    """A healthy feed is due again after its poll_seconds."""
    server.feed("/s.xml", rss("S", items("s", 1)))
    clock = Clock()
    report = collector(db_path, feed_source(server, "s", "/s.xml"), clock=clock).poll_source("s")
    assert report.next_poll_at == clock.now + timedelta(seconds=300)


@pytest.mark.slow  # every real-world feed served over HTTP (seconds)
def test_real_world_feeds_served_over_http_are_stored_or_explained(
    realworld: Path, db_path: Path
) -> None:
    """Every real feed sample, fetched from a live server, ends stored or with a reason."""
    files = sorted(p for p in (realworld / "feeds").rglob("*") if p.is_file() and p.suffix != ".md")
    with FeedServer() as server:
        sources = []
        for index, path in enumerate(files):
            server.feed(f"/{index}", path.read_bytes(), content_type="application/xml")
            sources.append(feed_source(server, f"{index}-{path.stem}", f"/{index}"))
        reports = collector(db_path, *sources).run_once()
    assert len(reports) == len(files)
    healthy = [r for r in reports if r.error is None]
    assert len(healthy) >= len(files) * 2 // 3
    assert all(r.error.strip() for r in reports if r.error is not None)
    assert len(stored_ids(db_path)) >= 100
