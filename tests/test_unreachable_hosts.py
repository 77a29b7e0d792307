"""A Mastodon instance or Bluesky service that stops answering costs a round one timeout,
not one per hashtag, account or handle: real servers on 127.0.0.1 that hold every answer
(released when the test ends) or refuse every connection."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cache.live.collector import Collector
from sources.bluesky.source import BlueskySource
from sources.mastodon.source import MastodonSource
from sources.model.config import BlueskySection, Config, MastodonSection
from tests.builders import BASE_TIME
from tests.feedserver import FeedServer, Route

TIMEOUT = 0.3


@pytest.fixture
def silent() -> Iterator[FeedServer]:
    """A server that accepts every request and answers none until the test is over."""
    release = threading.Event()
    with FeedServer() as running:
        running.prefix_routes["/"] = lambda path: Route(hold=release)
        try:
            yield running
        finally:
            release.set()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mastodon(instance: str) -> Config:
    section = MastodonSection(
        instance=instance, hashtags=["verdi", "streik"], accounts=["verdi@social.verdi.de"]
    )
    return Config(mastodon=section)


def test_a_silent_mastodon_instance_is_waited_for_once_per_round(
    silent: FeedServer, db_path: Path
) -> None:
    """The first hashtag times out; the other hashtag and the account are skipped for
    that reason, without a request (no 30 s each)."""
    cfg = mastodon(silent.url(""))
    source = MastodonSource(cfg, environ={}, timeout=TIMEOUT)
    report = Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME).poll_source(
        "mastodon"
    )
    host = f"127.0.0.1:{silent.port}"
    slow = f"{host} took longer than {TIMEOUT:g}s to send its answer"
    assert report.error is not None
    assert report.error.startswith(f"mastodon/tag:verdi: {slow}; "), report.error
    assert f"mastodon/tag:streik: skipped: {slow} (earlier this round)" in report.error
    assert f"mastodon/account:verdi@social.verdi.de: skipped: {slow}" in report.error
    assert sum(silent.hits.values()) == 1, dict(silent.hits)


def test_an_unreachable_mastodon_instance_is_tried_once_per_round(db_path: Path) -> None:
    """With the instance's port closed, the later endpoints say why they were skipped."""
    cfg = mastodon(f"http://127.0.0.1:{closed_port()}")
    source = MastodonSource(cfg, environ={}, timeout=TIMEOUT)
    report = Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME).poll_source(
        "mastodon"
    )
    assert report.error is not None
    assert "mastodon/tag:streik: skipped: cannot reach the Mastodon instance" in report.error


def test_the_next_round_asks_the_instance_again(silent: FeedServer, db_path: Path) -> None:
    """A host skipped in one round is tried again in the next one."""
    cfg = mastodon(silent.url(""))
    source = MastodonSource(cfg, environ={}, timeout=TIMEOUT)
    collector = Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME)
    collector.poll_source("mastodon")
    collector.poll_source("mastodon")
    assert sum(silent.hits.values()) == 2, dict(silent.hits)


def test_a_silent_bluesky_appview_is_waited_for_once_per_round(
    silent: FeedServer, db_path: Path
) -> None:
    """Two author feeds on a silent AppView: one timeout, the second feed skipped."""
    section = BlueskySection(
        service=silent.url(""), handles=["a.bsky.social", "b.bsky.social"], max_pages=1
    )
    cfg = Config(bluesky=section)
    source = BlueskySource(cfg, environ={}, timeout=TIMEOUT)
    report = Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME).poll_source(
        "bluesky"
    )
    slow = f"127.0.0.1:{silent.port} took longer than {TIMEOUT:g}s to send its answer"
    assert report.error is not None
    assert f"bluesky/feed:a.bsky.social: {slow}" in report.error, report.error
    assert f"bluesky/feed:b.bsky.social: skipped: {slow} (earlier this round)" in report.error
    assert sum(silent.hits.values()) == 1, dict(silent.hits)
