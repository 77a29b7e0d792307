"""Mastodon's streaming API: Mastodon.py's real SSE client reads the recorded event
stream (../shared/realworld/mastodon/*.sse.txt, heartbeats included) from a real HTTP
server on 127.0.0.1; statuses land in a real store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.live.collector import Collector, PollReport, build_sources
from sources.mastodon.stream import MastodonStreamSource
from sources.model.config import Config, MastodonSection
from tests.builders import BASE_TIME
from tests.conftest import REALWORLD
from tests.feedserver import FeedServer, Route

SSE = {"Content-Type": "text/event-stream; charset=utf-8"}


@pytest.fixture
def server(realworld: Path) -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def sse(name: str) -> bytes:
    return (REALWORLD / "mastodon" / f"{name}.sse.txt").read_bytes()


def poll(db_path: Path, cfg: Config) -> PollReport:
    source = MastodonStreamSource(cfg, window_seconds=5.0)
    collector = Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME)
    return collector.poll_source(source.name)


def config(server: FeedServer) -> Config:
    return Config(
        mastodon=MastodonSection(instance=server.url(""), hashtags=["kestrel"], stream=True)
    )


def test_streamed_statuses_are_stored_and_heartbeats_counted(
    server: FeedServer, db_path: Path
) -> None:
    """A status pushed on the hashtag stream is stored at once; the heartbeat before it
    shows the stream is alive."""
    server.prefix_routes["/api/v1/streaming/hashtag"] = lambda p: Route(
        body=sse("mastodonpy_test_stream_user_local"), headers=SSE
    )
    report = poll(db_path, config(server))
    assert (report.new, report.error) == (1, None)
    line = next(
        ln
        for ln in sse("mastodonpy_test_stream_user_local").decode().splitlines()
        if ln.startswith("data:")
    )
    status = json.loads(line.removeprefix("data:"))
    with Store.open(db_path, readonly=True) as store:
        row = store.mention(f"mastodon:127.0.0.1:{server.port}:{status['id']}")
        state = store.source_state("mastodon-stream")
    assert row is not None and row["lang"] == "ja" and row["source"] == "mastodon:stream"
    assert json.loads(state.extra)["heartbeats"] == 1
    assert any("tag=kestrel" in p for p in server.hits)


def test_other_events_and_bare_heartbeats_are_not_mentions(
    server: FeedServer, db_path: Path
) -> None:
    """A conversation event and a `:)` heartbeat store nothing and fail nothing."""
    server.prefix_routes["/api/v1/streaming/hashtag"] = lambda p: Route(
        body=sse("mastodonpy_test_stream_direct"), headers=SSE
    )
    report = poll(db_path, config(server))
    assert (report.new, report.error) == (0, None)
    with Store.open(db_path, readonly=True) as store:
        # The recording's last heartbeat (a bare `:`) was cut before its newline: one counts.
        assert json.loads(store.source_state("mastodon-stream").extra)["heartbeats"] == 1


def test_a_refused_stream_is_reported(server: FeedServer, db_path: Path) -> None:
    """An instance that does not allow the stream says so in the source's error."""
    report = poll(db_path, config(server))
    assert report.error is not None and "mastodon-stream #kestrel" in report.error


def test_the_stream_runs_beside_the_polling_source(server: FeedServer) -> None:
    """`stream = true` adds the stream; the hashtags are still polled to close its gaps."""
    names = [s.name for s in build_sources(config(server), environ={})]
    assert names == ["mastodon", "mastodon-stream"]


def test_a_stream_that_closes_at_once_is_a_failure_with_backoff(
    server: FeedServer, db_path: Path
) -> None:
    """A streaming endpoint that answers 200 and closes with nothing sent (a proxy cutting
    SSE) is reported as failed and retried after a backoff, not reconnected at once."""
    server.prefix_routes["/api/v1/streaming/hashtag"] = lambda p: Route(body=b"", headers=SSE)
    report = poll(db_path, config(server))
    assert report.error is not None, "shown ok"
    assert "mastodon-stream #kestrel: the stream closed after" in report.error, report.error
    assert "without an event" in report.error
    assert report.next_poll_at is not None
    assert report.next_poll_at >= BASE_TIME + timedelta(seconds=1.5)
    assert sum(n for p, n in server.hits.items() if "/streaming/hashtag" in p) == 1


def test_a_stream_that_sends_a_heartbeat_and_closes_is_a_failure_with_backoff(
    server: FeedServer, db_path: Path
) -> None:
    """A streaming endpoint that sends one heartbeat and closes, in a loop, is reported as
    failed and retried after a backoff, not re-armed at once as if it were healthy."""
    server.prefix_routes["/api/v1/streaming/hashtag"] = lambda p: Route(
        body=b":thump\n\n", headers=SSE
    )
    report = poll(db_path, config(server))
    assert report.error is not None, "shown ok"
    assert "mastodon-stream #kestrel: the stream closed after" in report.error, report.error
    assert "with heartbeats but no post" in report.error, report.error
    assert report.next_poll_at is not None
    assert report.next_poll_at >= BASE_TIME + timedelta(seconds=4)
    with Store.open(db_path, readonly=True) as store:
        assert json.loads(store.source_state("mastodon-stream").extra)["heartbeats"] == 1
