"""Bluesky's Jetstream: a real websocket server on 127.0.0.1 replays the recorded
production events in ../shared/realworld/bluesky/jetstream_v1_*.jsonl; the source's real
websocket client reads them, filters them locally and stores them in a real store."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.live.collector import Collector, PollReport
from sources.bluesky.jetstream import JetstreamSource
from sources.model.config import BlueskySection, CompanySection, Config
from tests.builders import BASE_TIME
from tests.conftest import REALWORLD
from tests.feedserver import FeedServer, Route
from tests.jetstream_server import Jetstream

CORPUS = "jetstream_v1_corpus_expected.jsonl"
GOLDEN = "jetstream_v1_golden_events.jsonl"


@pytest.fixture
def appview(realworld: Path) -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.prefix_routes["/xrpc/app.bsky.actor.getProfiles"] = lambda p: Route(
            body=b'{"profiles": []}', headers={"Content-Type": "application/json"}
        )
        yield server


def config(appview: FeedServer, stream: Jetstream, **bluesky: Any) -> Config:
    return Config(
        company=CompanySection(name="Kestrel", handles=["Kestrel"]),
        bluesky=BlueskySection(
            service=appview.url(""), jetstream=True, jetstream_url=stream.url, **bluesky
        ),
    )


def poll(db_path: Path, cfg: Config) -> PollReport:
    source = JetstreamSource(cfg, window_seconds=5.0)
    collector = Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME)
    return collector.poll_source(source.name)


def created_posts(name: str) -> list[dict[str, Any]]:
    events = [json.loads(line) for line in (REALWORLD / "bluesky" / name).read_text().splitlines()]
    return [
        e
        for e in events
        if e["kind"] == "commit"
        and e["commit"]["collection"] == "app.bsky.feed.post"
        and e["commit"]["operation"] == "create"
    ]


def stored_ids(db_path: Path) -> list[str]:
    with Store.open(db_path, readonly=True) as store:
        return [r["id"] for r in store.rows("SELECT id FROM mentions ORDER BY id")]


@pytest.mark.slow  # a websocket stream server
def test_the_stream_keeps_only_posts_with_the_query_words(
    appview: FeedServer, db_path: Path
) -> None:
    """Of a real minute of the whole network, only posts with all words of a query arrive,
    as Bluesky posts with their language."""
    stream = Jetstream(CORPUS)
    try:
        report = poll(db_path, config(appview, stream, queries=["government"]))
    finally:
        stream.close()
    assert report.error is None
    wanted = [
        e
        for e in created_posts(CORPUS)
        if "government" in re.findall(r"\w+", e["commit"]["record"]["text"].lower())
    ]
    assert wanted  # the recorded minute holds such posts
    expected = sorted(
        f"bluesky:at://{e['did']}/app.bsky.feed.post/{e['commit']['rkey']}" for e in wanted
    )
    assert stored_ids(db_path) == expected
    with Store.open(db_path, readonly=True) as store:
        row = store.mention(expected[0])
    assert (
        row is not None
        and row["platform"] == "bluesky"
        and row["lang"] == wanted[0]["commit"]["record"]["langs"][0].lower()
    )
    assert stream.paths[0].startswith("/subscribe?wantedCollections=app.bsky.feed.post")


def test_replies_to_a_watched_account_are_kept_with_their_thread_link(
    appview: FeedServer, db_path: Path
) -> None:
    """A reply to the company's Bluesky account arrives even without a query word."""
    reply = next(e for e in created_posts(GOLDEN) if "reply" in e["commit"]["record"])
    parent = reply["commit"]["record"]["reply"]["parent"]["uri"]
    company_did = parent.split("/")[2]
    appview.prefix_routes["/xrpc/com.atproto.identity.resolveHandle"] = lambda p: Route(
        body=json.dumps({"did": company_did}).encode(), headers={"Content-Type": "application/json"}
    )
    stream = Jetstream(GOLDEN)
    try:
        cfg = config(appview, stream, handles=["kestrel.example"])
        report = poll(db_path, cfg)
    finally:
        stream.close()
    assert report.error is None
    reply_id = f"bluesky:at://{reply['did']}/app.bsky.feed.post/{reply['commit']['rkey']}"
    assert stored_ids(db_path) == [reply_id]
    with Store.open(db_path, readonly=True) as store:
        row = store.mention(reply_id)
    assert row is not None and row["in_reply_to"] == f"bluesky:{parent}"


@pytest.mark.slow  # a websocket stream cut and resumed (seconds)
def test_a_cut_stream_resumes_from_its_cursor_without_gaps_or_doubles(
    appview: FeedServer, db_path: Path
) -> None:
    """The connection drops mid-way; the next poll asks Jetstream to replay from the last
    event stored, and every matching post is stored exactly once."""
    posts = created_posts(CORPUS)
    langs = {str((e["commit"]["record"].get("langs") or ["und"])[0]) for e in posts}
    assert "en" in langs
    stream = Jetstream(CORPUS, stop_after=60)
    try:
        cfg = config(appview, stream, queries=["the"])
        first = poll(db_path, cfg)
        with Store.open(db_path, readonly=True) as store:
            cursor = store.source_state("bluesky-jetstream").cursor
        second = poll(db_path, cfg)
    finally:
        stream.close()
    assert first.error is None and second.error is None
    assert cursor == str(json.loads(stream.lines[59])["time_us"])
    assert f"cursor={cursor}" in stream.paths[1]
    matching = {
        f"bluesky:at://{e['did']}/app.bsky.feed.post/{e['commit']['rkey']}"
        for e in posts
        if "the" in re.findall(r"\w+", e["commit"]["record"]["text"].lower())
    }
    assert first.new > 0 and second.new > 0
    assert first.new + second.new == len(matching)
    assert set(stored_ids(db_path)) == matching


def test_a_connection_closed_at_once_is_a_failure_with_backoff(
    appview: FeedServer, db_path: Path
) -> None:
    """Jetstream accepting the websocket and closing it with no event is reported as failed
    and retried after a backoff, not reconnected at once and shown ok."""
    stream = Jetstream(CORPUS, stop_after=0)
    try:
        report = poll(db_path, config(appview, stream, queries=["kestrel"]))
    finally:
        stream.close()
    assert report.error is not None, "shown ok"
    assert "Jetstream closed the connection after" in report.error, report.error
    assert "without an event" in report.error
    assert report.next_poll_at is not None
    assert report.next_poll_at >= BASE_TIME + timedelta(seconds=1.5)


def test_an_unreachable_jetstream_is_retried_within_seconds_not_minutes(
    appview: FeedServer, db_path: Path
) -> None:
    """A network cut (nothing listening) is retried ever later but at most 16 s apart, as
    the X stream does: the stream is back soon after the network is."""
    stream = Jetstream(CORPUS)
    stream.close()
    stream.server.socket.close()
    cfg = config(appview, stream, queries=["kestrel"])
    source = JetstreamSource(cfg, window_seconds=5.0)
    collector = Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME)
    waits = []
    for _ in range(8):
        report = collector.poll_source(source.name)
        assert report.error is not None and "cannot reach Jetstream" in report.error
        assert report.next_poll_at is not None
        waits.append((report.next_poll_at - BASE_TIME).total_seconds())
    assert waits[0] <= 2 and waits[1] > waits[0], waits
    assert max(waits) <= 16 * 1.2, waits
