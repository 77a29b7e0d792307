"""Servers that trickle (a byte at a time, each well within the read timeout): every poll
ends at its deadline for the whole answer, and the healthy feeds still arrive."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from cache.live.collector import Collector
from sources.bluesky.source import BlueskySource
from sources.feeds.source import FeedSource
from sources.mastodon.source import MastodonSource
from sources.model.config import BlueskySection, Config, FeedSection, MastodonSection
from sources.net.api_session import ApiSession
from tests.builders import BASE_TIME, rss
from tests.feedserver import FeedServer, Route

pytestmark = pytest.mark.slow  # servers that trickle until each poll's deadline

GOOD = rss("Good", [{"title": "Kestrel pay talks", "link": "https://news.example/good/1"}])
SLOW = rss(
    "Slow", [{"title": f"Kestrel item {i}", "link": f"https://s.example/{i}"} for i in range(5)]
)
EVERY = 0.05
"""Seconds between two bytes from the trickling server: SLOW takes about 30 s whole."""


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.feed("/good.xml", GOOD)
        running.trickle("/body.xml", SLOW, EVERY)
        running.trickle("/head.xml", SLOW, EVERY, head=True)
        yield running


def feed(server: FeedServer, path: str, name: str) -> FeedSource:
    section = FeedSection(name=name, url=server.url(path), poll_seconds=300, timeout_seconds=1)
    return FeedSource(section, rng=random.Random(7))


@pytest.mark.parametrize("path", ["/body.xml", "/head.xml"], ids=["body", "status-and-headers"])
def test_a_trickling_feed_ends_at_timeout_seconds(
    server: FeedServer, db_path: Path, path: str
) -> None:
    """A feed dribbling a byte every 50 ms fails after its 1 s timeout, not after 30 s."""
    collector = Collector(
        Config(), db_path, sources=[feed(server, path, "slow")], clock=lambda: BASE_TIME
    )
    started = time.monotonic()
    (report,) = collector.run_once()
    took = time.monotonic() - started
    assert report.error is not None and "took longer than 1s" in report.error, report.error
    assert took < 3, f"the poll held its slot for {took:.1f} s"


def test_four_trickling_feeds_do_not_hold_every_poll_slot(
    server: FeedServer, db_path: Path
) -> None:
    """With all four poll slots taken by trickling hosts, the healthy feed is polled in ~1 s."""
    slow = [feed(server, "/body.xml" if i % 2 else "/head.xml", f"slow{i}") for i in range(4)]
    sources = [*slow, feed(server, "/good.xml", "good")]
    collector = Collector(Config(), db_path, sources=sources, clock=lambda: BASE_TIME)
    started = time.monotonic()
    reports = {r.name: r for r in collector.run_once(parallel=4)}
    took = time.monotonic() - started
    assert reports["good"].error is None and reports["good"].new == 1
    assert all("took longer than 1s" in (reports[s.name].error or "") for s in slow)
    assert took < 4, f"one round took {took:.1f} s"


@pytest.mark.parametrize("path", ["/body.xml", "/head.xml"], ids=["body", "status-and-headers"])
def test_the_x_session_gives_up_on_a_trickle_at_its_deadline(server: FeedServer, path: str) -> None:
    """tweepy's session raises a read timeout at its whole-response deadline (retried as such)."""
    session = ApiSession((1.0, 1.0), total_deadline=1.0)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout, match="no whole response in 1 s"):
        session.get(server.url(path))
    assert time.monotonic() - started < 3


def test_a_fast_answer_is_unaffected_by_the_deadline(server: FeedServer) -> None:
    """The deadline-checking socket reads an ordinary answer whole, on a reused connection."""
    answer = b'{"data": [], "meta": {"result_count": 0}}'
    server.feed("/search.json", answer, content_type="application/json")
    session = ApiSession((1.0, 1.0), total_deadline=1.0)
    for _ in range(3):
        response = session.get(server.url("/search.json"))
        assert response.status_code == 200 and response.content == answer


def test_a_trickling_mastodon_instance_ends_at_its_deadline(
    server: FeedServer, db_path: Path
) -> None:
    """A hashtag timeline dribbled a byte at a time fails after the 1 s deadline, named."""
    statuses = b'[{"id": "1", "content": "' + b"x" * 400 + b'"}]'
    route = Route(body=statuses, trickle=EVERY, headers={"Content-Type": "application/json"})
    server.prefix_routes["/api/v1/timelines/tag/"] = lambda path: route
    config = Config(mastodon=MastodonSection(instance=server.url(""), hashtags=["trickle"]))
    source = MastodonSource(config, environ={}, timeout=1.0)
    collector = Collector(config, db_path, sources=[source], clock=lambda: BASE_TIME)
    started = time.monotonic()
    report = collector.poll_source("mastodon")
    assert report.error is not None
    assert f"127.0.0.1:{server.port} took longer than 1s to send its answer" in report.error
    assert time.monotonic() - started < 4


def test_a_trickling_bluesky_appview_ends_at_its_deadline(
    server: FeedServer, db_path: Path
) -> None:
    """An author feed dribbled a byte at a time fails after the 1 s deadline, naming the
    host and the deadline, instead of holding the Bluesky poll for as long as it trickles."""
    feed = b'{"feed": [], "cursor": "' + b"x" * 400 + b'"}'
    route = Route(body=feed, trickle=EVERY, headers={"Content-Type": "application/json"})
    server.prefix_routes["/xrpc/app.bsky.feed.getAuthorFeed"] = lambda path: route
    config = Config(bluesky=BlueskySection(service=server.url(""), handles=["a.bsky.social"]))
    source = BlueskySource(config, environ={}, timeout=1.0)
    collector = Collector(config, db_path, sources=[source], clock=lambda: BASE_TIME)
    import atproto  # noqa: F401  (the SDK's import takes seconds: not what is timed here)

    started = time.monotonic()
    report = collector.poll_source("bluesky")
    assert report.error is not None
    assert f"127.0.0.1:{server.port} took longer than 1s to send its answer" in report.error
    assert time.monotonic() - started < 4
