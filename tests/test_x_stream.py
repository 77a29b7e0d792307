"""The X filtered stream: tweepy's real StreamingClient, its HTTP answered at the
transport by `responses` with the real recorded stream (../shared/realworld/x_stream),
a stream that drops mid-way (X's `operational-disconnect`, then a 429), the gap closed
from recent search, a real store."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from cache.db.store import Store
from cache.live.collector import Collector, build_sources
from cache.read.status import format_status, store_status
from sources.model.config import Config, XSection
from sources.model.records import SourceState
from sources.model.text import parse_timestamp
from sources.net.stream_gaps import describe_gap
from sources.x.source import StreamGate, XSource
from sources.x.stream import NO_STREAM_IN_PLAN, XStreamSource
from tests.builders import BASE_TIME
from tests.conftest import REALWORLD

API = "https://api.twitter.com/2"
STREAM = f"{API}/tweets/search/stream"
RULES = f"{STREAM}/rules"
SEARCH = f"{API}/tweets/search/recent"
TOKEN = "AAAA-stream-test-token"


def lines() -> list[str]:
    return (REALWORLD / "x_stream" / "twarccsv_streaming_output.jsonl").read_text().splitlines()


def rules_file(name: str) -> Any:
    return json.loads((REALWORLD / "x_stream" / name).read_text())


@pytest.fixture
def api(realworld: Path) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(RULES, json=rules_file("wessel_rules_get_response.json"))
        mock.post(RULES, json=rules_file("wessel_rules_post_add_response.json"))
        yield mock


@pytest.fixture
def backoff(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """tweepy's reconnect waits, recorded instead of slept; the second one holds the
    stream thread until the test ends (a stream that stays down)."""
    waits: list[float] = []
    release = threading.Event()

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) > 1:
            release.wait(10)

    monkeypatch.setattr("tweepy.streaming.sleep", sleep)
    yield waits
    release.set()


def ticking_clock() -> Any:
    seconds = itertools.count()
    return lambda: BASE_TIME + timedelta(seconds=next(seconds))


def stream_body(selected: list[str]) -> bytes:
    return ("\r\n".join(selected) + "\r\n").encode()


def make_source(clock: Any) -> tuple[XStreamSource, StreamGate, Config]:
    config = Config(
        x=XSection(
            queries=["Kestrel"], stream=True, mentions_timeline=False, ambassador_timelines=False
        )
    )
    gate = StreamGate()
    source = XStreamSource(config, TOKEN, gate, window_seconds=30, clock=clock, idle_seconds=0.02)
    return source, gate, config


def poll_stream_once(api: responses.RequestsMock, db_path: Path, streamed: list[str]) -> None:
    """One poll of the stream source, the stream sending `streamed` and then going down."""
    api.get(STREAM, body=stream_body(streamed))
    api.get(STREAM, status=503, json={"title": "Service Unavailable"})
    clock = ticking_clock()
    source, _, config = make_source(clock)
    try:
        Collector(config, db_path, sources=[source], clock=clock).poll_source("x-stream")
    finally:
        source.close()


def test_a_dropped_stream_is_backfilled_from_search_without_gaps_or_doubles(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """X cuts the stream (operational-disconnect) and then answers 429; once it is back,
    recent search since the last streamed tweet fills the gap, every tweet is stored once,
    and the gap is shown with how many posts it brought back."""
    recorded = lines()
    first, gap, after = recorded[:5], recorded[5:7], recorded[7:]
    tweets = [json.loads(line) for line in recorded if '"data"' in line]
    search_page = {
        "data": [json.loads(line)["data"] for line in recorded[5:8]],
        "includes": {
            "users": [u for line in recorded[5:8] for u in json.loads(line)["includes"]["users"]]
        },
        "meta": {"result_count": 3, "newest_id": json.loads(recorded[7])["data"]["id"]},
    }
    api.get(STREAM, body=stream_body(first))
    api.get(STREAM, status=429, json={"title": "Too Many Requests"})
    api.get(STREAM, body=stream_body(after))
    api.get(STREAM, status=503, json={"title": "Service Unavailable"})
    api.get(SEARCH, json=search_page)
    clock = ticking_clock()
    source, _gate, config = make_source(clock)
    collector = Collector(config, db_path, sources=[source], clock=clock)
    try:
        reports = []
        for _ in range(6):
            reports.append(collector.poll_source("x-stream"))
            with Store.open(db_path, readonly=True) as store:
                gaps = json.loads(store.source_state("x-stream").extra).get("gaps")
            if gaps:
                break
    finally:
        source.close()
    assert gaps and gaps[0]["backfilled"] == 3 and gaps[0]["reason"] == "operational-disconnect"
    assert describe_gap(gaps[0]).startswith("stream down ") and describe_gap(gaps[0]).endswith(
        ", backfilled 3"
    )
    search_call = next(c for c in api.calls if str(c.request.url).startswith(SEARCH))
    since = parse_qs(urlsplit(str(search_call.request.url)).query)["since_id"][0]
    assert since == json.loads(recorded[3])["data"]["id"]  # the last tweet streamed before the cut
    assert any(r.error == "stream down: HTTP 429" for r in reports)  # waited a minute
    assert any(r.error and "operational-disconnect" in r.error for r in reports)
    with Store.open(db_path, readonly=True) as store:
        stored = [r["id"] for r in store.rows("SELECT id FROM mentions WHERE referenced_only = 0")]
        status = format_status(store_status(store))
    assert f"    {describe_gap(gaps[0])}" in status  # `status` shows the gap under x-stream
    expected = {f"x:{t['data']['id']}" for t in tweets}
    assert sorted(stored) == sorted(expected)  # nothing missed, nothing twice
    assert gap and all(f"x:{json.loads(g)['data']['id']}" in stored for g in gap)


def test_rules_follow_the_configured_queries(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """A rule left from before is deleted; each query becomes a rule tagged with itself."""
    poll_stream_once(api, db_path, lines()[:1])
    posted = [json.loads(c.request.body or b"") for c in api.calls if c.request.method == "POST"]
    assert {"delete": {"ids": ["1331265011306688512"]}} in posted
    assert {"add": [{"value": "Kestrel", "tag": "Kestrel"}]} in posted
    connect = next(c for c in api.calls if str(c.request.url).startswith(STREAM + "?"))
    assert connect.request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_plan_without_the_stream_falls_back_to_polling(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """A 403 on the stream says the plan lacks it, stops the stream, and search is polled."""
    api.get(STREAM, status=403, json={"title": "Client Forbidden"})
    clock = ticking_clock()
    source, gate, config = make_source(clock)
    collector = Collector(config, db_path, sources=[source], clock=clock)
    try:
        report = collector.poll_source("x-stream")
    finally:
        source.close()
    assert report.stopped and report.error == NO_STREAM_IN_PLAN
    assert gate.streaming is False
    with Store.open(db_path, readonly=True) as store:
        assert NO_STREAM_IN_PLAN in format_status(store_status(store))


def test_search_is_not_polled_while_the_stream_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """With `stream = true` and a token, the stream and the poller share a gate; the
    poller skips search while the stream is connected."""
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    config = Config(x=XSection(queries=["Kestrel"], stream=True))
    built = build_sources(config)
    poller = next(s for s in built if isinstance(s, XSource))
    stream = next(s for s in built if isinstance(s, XStreamSource))
    assert poller._stream_gate is stream._gate
    assert not [
        s
        for s in build_sources(Config(x=XSection(queries=["Kestrel"])))
        if isinstance(s, XStreamSource)
    ]


def test_a_restart_backfills_the_time_the_collector_was_not_running(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """Started again after a stop, the stream first fetches what was posted meanwhile
    (recent search since the last tweet the previous run streamed)."""
    recorded = lines()
    last_streamed = json.loads(recorded[3])["data"]["id"]
    with Store.open(db_path) as store, store.writing():
        store.save_source_state(
            SourceState(
                name="x-stream",
                kind="x:stream",
                cursor=last_streamed,
                last_success_at="2026-11-02T08:00:00Z",
            )
        )
    missed = [json.loads(line) for line in recorded[5:7]]
    api.get(
        SEARCH,
        json={
            "data": [m["data"] for m in missed],
            "includes": {"users": [u for m in missed for u in m["includes"]["users"]]},
            "meta": {"result_count": 2},
        },
    )
    poll_stream_once(api, db_path, recorded[7:])
    search_call = next(c for c in api.calls if str(c.request.url).startswith(SEARCH))
    assert parse_qs(urlsplit(str(search_call.request.url)).query)["since_id"] == [last_streamed]
    with Store.open(db_path, readonly=True) as store:
        extra = json.loads(store.source_state("x-stream").extra)
        for tweet in missed:
            assert store.mention(f"x:{tweet['data']['id']}") is not None
    assert extra["gaps"][0]["from"] == "2026-11-02T08:00:00Z"
    assert extra["gaps"][0]["reason"] == "not running" and extra["gaps"][0]["backfilled"] == 2


def test_streamed_posts_are_stored_with_the_characters_typed(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """A streamed post X sent as "R&amp;D &lt;3" is stored as "R&D <3", as search stores it."""
    line = json.loads(lines()[0])
    line["data"]["text"] = "Kestrel R&amp;D &lt;3 &gt; all"
    poll_stream_once(api, db_path, [json.dumps(line)])
    with Store.open(db_path, readonly=True) as store:
        stored = store.mention(f"x:{line['data']['id']}")
    assert stored is not None and stored["text"] == "Kestrel R&D <3 > all"


def test_a_stream_closed_at_once_is_a_failure_not_a_reconnect_loop(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """X (or a proxy) answering the stream 200 and closing it with nothing sent is
    reported as failed, and the stream is not reconnected until the next poll's backoff."""
    api.get(STREAM, body=b"")
    clock = ticking_clock()
    source, _gate, config = make_source(clock)
    try:
        report = Collector(config, db_path, sources=[source], clock=clock).poll_source("x-stream")
        assert report.error is not None
        assert "X closed the stream after" in report.error, report.error
        assert "without a post or keep-alive" in report.error
        assert source.thread is not None
        source.thread.join(timeout=10)  # it ended by itself: nothing to wait for
        assert not source.thread.is_alive()
    finally:
        source.close()
    assert report.next_poll_at is not None and report.next_poll_at >= BASE_TIME + timedelta(
        seconds=4
    )
    connects = [c for c in api.calls if str(c.request.url).startswith(STREAM + "?")]
    assert len(connects) == 1


def scheduled_wait(db_path: Path) -> float:
    """Seconds from the stream's last poll to its next one, as the Sources view shows it."""
    with Store.open(db_path, readonly=True) as store:
        state = store.source_state("x-stream")
    polled = parse_timestamp(state.last_poll_at)
    due = parse_timestamp(state.next_poll_at)
    assert polled is not None and due is not None
    return (due - polled).total_seconds()


def scheduled_waits(db_path: Path, polls: int, error_says: str | None = None) -> list[float]:
    """Poll the stream `polls` times; each poll's wait until the next (and its error)."""
    clock = ticking_clock()
    source, _gate, config = make_source(clock)
    collector = Collector(config, db_path, sources=[source], clock=clock)
    waits = []
    try:
        for _ in range(polls):
            report = collector.poll_source("x-stream")
            if error_says is not None:
                assert report.error and error_says in report.error, report.error
            waits.append(scheduled_wait(db_path))
    finally:
        source.close()
    return waits


def connects(api: responses.RequestsMock) -> int:
    return len([c for c in api.calls if str(c.request.url).startswith(STREAM + "?")])


def test_a_stream_that_keeps_closing_at_once_is_retried_later_each_time(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """A server that accepts the stream and closes it at once, again and again, is retried
    after a few seconds the first time and then ever later, up to a cap: not every 30 s."""
    api.get(STREAM, body=b"")
    waits = scheduled_waits(db_path, 9, "without a post or keep-alive")
    assert waits[0] <= 10, waits  # a brief cut costs seconds, not half a minute
    assert all(later > earlier for earlier, later in itertools.pairwise(waits[:7])), waits
    assert 200 <= waits[-1] <= 400, waits  # capped
    assert connects(api) == 9  # one connection per retry, none in between


def test_a_stream_that_sends_one_keep_alive_and_closes_is_a_failure(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """A keep-alive and a close, in a loop, is reported as failed and backed off from,
    not reconnected at once as if the stream were healthy."""
    api.get(STREAM, body=b"\r\n")
    clock = ticking_clock()
    source, _gate, config = make_source(clock)
    collector = Collector(config, db_path, sources=[source], clock=clock)
    try:
        first = collector.poll_source("x-stream")
        assert source.thread is not None
        source.thread.join(timeout=10)  # it ended: nothing reconnects until the next poll
        first_wait = scheduled_wait(db_path)
        collector.poll_source("x-stream")
        second_wait = scheduled_wait(db_path)
    finally:
        source.close()
    assert first.error is not None, "shown ok"
    assert "X closed the stream after" in first.error, first.error
    assert "with keep-alives but no post" in first.error, first.error
    assert 4 <= first_wait < second_wait, (first_wait, second_wait)
    assert connects(api) == 2


def test_a_stream_that_delivered_a_post_is_reconnected_at_once_and_clears_the_backoff(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """After failed connections, one that delivers a post and then closes is reconnected
    at once, and the next failure starts the backoff from its first step again."""
    api.get(STREAM, body=b"")
    api.get(STREAM, body=b"")
    api.get(STREAM, body=stream_body(lines()[1:2]))
    api.get(STREAM, body=b"")
    waits = scheduled_waits(db_path, 4)
    assert waits[1] > waits[0] >= 4, waits
    assert waits[2] < 1, waits  # the stream worked: reconnect at once
    assert 4 <= waits[3] <= waits[0] * 1.5, waits  # the count started again


def test_a_quiet_stream_that_stayed_open_is_reconnected_at_once(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """A stream with no post to send that stayed open past a minute on keep-alives and
    then closed worked: it is reconnected at once, without an error wait."""
    api.get(STREAM, body=b"\r\n\r\n\r\n")
    clock = ticking_clock()
    minutes = itertools.count(step=61.0)
    config = Config(
        x=XSection(
            queries=["Kestrel"], stream=True, mentions_timeline=False, ambassador_timelines=False
        )
    )
    source = XStreamSource(
        config,
        TOKEN,
        StreamGate(),
        window_seconds=30,
        clock=clock,
        idle_seconds=0.02,
        monotonic=lambda: float(next(minutes)),
    )
    try:
        Collector(config, db_path, sources=[source], clock=clock).poll_source("x-stream")
    finally:
        source.close()
    assert scheduled_wait(db_path) < 1


def test_a_rate_limited_stream_waits_a_minute_and_then_longer(
    api: responses.RequestsMock, backoff: list[float], db_path: Path
) -> None:
    """X answering 429 is retried after a minute, as X asks, then after two; the Sources
    view's next poll is when the stream connects again."""
    api.get(STREAM, status=429, json={"title": "Too Many Requests"})
    assert scheduled_waits(db_path, 2, "HTTP 429") == [60.0, 120.0]
    assert connects(api) == 2
