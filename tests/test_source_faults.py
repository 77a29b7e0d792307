"""Feeds that fail every way a real host can: each ends in a clear status, the rest goes on."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.live.collector import Collector
from sources.feeds.source import FeedSource
from sources.model.config import Config, FeedSection
from sources.net.http_fetch import FetchLimits
from tests.builders import BASE_TIME, rss
from tests.feedserver import FeedServer, gzip_bomb, zeros

GOOD = rss("Good", [{"title": "Kestrel pay talks", "link": "https://news.example/good/1"}])


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.feed("/good.xml", GOOD)
        yield running


def source(url: str, name: str = "bad", **limits: float) -> FeedSource:
    section = FeedSection(name=name, url=url, poll_seconds=300)
    return FeedSource(section, limits=FetchLimits(**limits), rng=random.Random(7))  # type: ignore[arg-type]


def poll_with_good(server: FeedServer, db_path: Path, bad: FeedSource):
    """Run a round of the bad feed and a good one; the good one must be unaffected."""
    good = source(server.url("/good.xml"), "good")
    reports = Collector(Config(), db_path, sources=[bad, good], clock=lambda: BASE_TIME).run_once()
    by_name = {r.name: r for r in reports}
    assert by_name["good"].error is None and by_name["good"].new == 1
    with Store.open(db_path, readonly=True) as store:
        state = store.source_state(bad.name)
    assert state.last_error == by_name[bad.name].error
    return by_name[bad.name]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, "HTTP 404 Not Found"),
        (500, "HTTP 500 Internal Server Error"),
        (403, "HTTP 403 Forbidden"),
    ],
)
def test_error_statuses_are_named_and_backed_off(
    server: FeedServer, db_path: Path, status: int, expected: str
) -> None:
    """A failing feed says which status it got and is retried later, not immediately."""
    server.status("/fail.xml", status)
    report = poll_with_good(server, db_path, source(server.url("/fail.xml")))
    assert report.error == expected and not report.stopped
    assert report.next_poll_at is not None and report.next_poll_at >= BASE_TIME + timedelta(
        seconds=240
    )


def test_a_gone_feed_stops_with_a_hint_to_remove_it(server: FeedServer, db_path: Path) -> None:
    """HTTP 410 stops polling that feed and says to remove it from the config."""
    server.status("/gone.xml", 410)
    report = poll_with_good(server, db_path, source(server.url("/gone.xml")))
    assert report.stopped and report.next_poll_at is None
    assert report.error is not None and "410" in report.error and "remove it" in report.error


def test_backoff_grows_with_each_failure_and_resets_on_success(
    server: FeedServer, db_path: Path
) -> None:
    """Consecutive failures wait longer each time; one success returns to the schedule."""
    route = server.status("/flaky.xml", 503)
    flaky = source(server.url("/flaky.xml"), "flaky")
    run = Collector(Config(), db_path, sources=[flaky], clock=lambda: BASE_TIME)
    waits = []
    for _ in range(4):
        report = run.poll_source("flaky")
        assert report.next_poll_at is not None
        waits.append((report.next_poll_at - BASE_TIME).total_seconds())
    assert waits == sorted(waits) and waits[-1] > 4 * waits[0]
    route.status, route.body = 200, GOOD
    report = run.poll_source("flaky")
    assert report.error is None and report.next_poll_at == BASE_TIME + timedelta(seconds=300)


def test_retry_after_is_honoured(server: FeedServer, db_path: Path) -> None:
    """A 429 with Retry-After pauses the feed that long, and it is not fetched meanwhile."""
    server.status("/busy.xml", 429, {"Retry-After": "3600"})
    busy = source(server.url("/busy.xml"), "busy")
    run = Collector(Config(), db_path, sources=[busy], clock=lambda: BASE_TIME)
    first = run.poll_source("busy")
    assert first.next_poll_at == BASE_TIME + timedelta(seconds=3600)
    again = run.poll_source("busy")
    assert server.hits["/busy.xml"] == 1
    assert again.error is not None and "waiting until" in again.error


def test_a_slow_server_times_out(server: FeedServer, db_path: Path) -> None:
    """A server that does not answer within the read timeout is reported, not waited on."""
    release = server.held("/slow.xml", GOOD)
    try:
        report = poll_with_good(server, db_path, source(server.url("/slow.xml"), read_timeout=0.2))
    finally:
        release.set()
    assert report.error is not None and "did not answer within 0.2s" in report.error


def test_a_huge_body_stops_at_the_size_cap(server: FeedServer, db_path: Path) -> None:
    """A 50 MB response without a length is cut off at the 10 MB cap with a clear reason."""
    server.feed("/huge.xml", zeros(50 * 1024 * 1024))
    report = poll_with_good(server, db_path, source(server.url("/huge.xml")))
    assert report.error == "feed is larger than the 10 MB cap"


def test_a_declared_huge_body_is_refused_before_reading(server: FeedServer, db_path: Path) -> None:
    """A Content-Length above the cap is refused without downloading the body."""
    server.feed("/big.xml", b"<rss>" + b" " * 4096, headers={})
    report = poll_with_good(server, db_path, source(server.url("/big.xml"), max_bytes=1024))
    assert report.error is not None and "server says" in report.error


def test_a_gzip_bomb_stops_at_the_cap_after_decompression(
    server: FeedServer, db_path: Path
) -> None:
    """A tiny gzip body that inflates to 64 MB is stopped at the cap, not unpacked."""
    server.gzipped("/bomb.xml", gzip_bomb(64 * 1024 * 1024))
    report = poll_with_good(server, db_path, source(server.url("/bomb.xml")))
    assert report.error == "feed is larger than the 10 MB cap (after decompression)"


def test_a_document_that_is_not_a_feed_names_what_the_server_sent(
    server: FeedServer, db_path: Path
) -> None:
    """An HTML page where a feed should be is a failure that says it was HTML."""
    server.feed("/page.xml", b"<html><body><p>Login</p></body></html>", content_type="text/html")
    report = poll_with_good(server, db_path, source(server.url("/page.xml")))
    assert report.error is not None and "the server sent text/html" in report.error


def test_garbage_bytes_are_a_clear_failure(server: FeedServer, db_path: Path) -> None:
    """Binary junk served as a feed is reported as unreadable and stores nothing."""
    server.feed("/junk.xml", bytes(range(256)) * 8)
    report = poll_with_good(server, db_path, source(server.url("/junk.xml")))
    assert report.error is not None and "feed" in report.error and report.new == 0


def test_a_feed_served_with_a_wrong_content_type_is_still_read(
    server: FeedServer, db_path: Path
) -> None:
    """Many hosts label feeds text/plain or text/html: the document decides, not the label."""
    server.feed("/plain.xml", GOOD.replace(b"good/1", b"plain/1"), content_type="text/plain")
    report = poll_with_good(server, db_path, source(server.url("/plain.xml")))
    assert report.error is None and report.new == 1


def test_a_redirect_loop_is_detected(server: FeedServer, db_path: Path) -> None:
    """Two addresses redirecting to each other end in a 'redirect loop' status."""
    server.redirect("/loop-a", "/loop-b", 302)
    server.redirect("/loop-b", "/loop-a", 302)
    report = poll_with_good(server, db_path, source(server.url("/loop-a")))
    assert report.error is not None and "redirect loop" in report.error
    assert server.hits["/loop-a"] == 1 and server.hits["/loop-b"] == 1


def test_an_endless_redirect_chain_is_capped(server: FeedServer, db_path: Path) -> None:
    """A chain of ever-new redirects stops after the cap."""
    from tests.feedserver import Route

    def next_hop(path: str) -> Route:
        number = int(path.rsplit("/", 1)[1])
        return Route(status=302, headers={"Location": f"/chain/{number + 1}"})

    server.prefix_routes["/chain/"] = next_hop
    report = poll_with_good(server, db_path, source(server.url("/chain/0")))
    assert report.error == "too many redirects (more than 5)"
    assert sum(n for p, n in server.hits.items() if p.startswith("/chain/")) == 6


def test_a_closed_port_is_connection_refused(server: FeedServer, db_path: Path) -> None:
    """A feed host that is down is reported as 'connection refused'."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    report = poll_with_good(server, db_path, source(f"http://127.0.0.1:{closed_port}/feed.xml"))
    assert report.error == f"cannot connect to 127.0.0.1:{closed_port}: connection refused"


def test_tls_failure_is_reported(server: FeedServer, db_path: Path) -> None:
    """https:// to a server that does not speak TLS is a TLS failure, not a crash."""
    report = poll_with_good(
        server, db_path, source(server.url("/good.xml").replace("http", "https"))
    )
    assert report.error is not None and report.error.startswith("TLS handshake with 127.0.0.1")


def test_a_304_to_an_unconditional_request_is_a_fault(server: FeedServer, db_path: Path) -> None:
    """A server answering 304 when no validator was sent is failing, not "ok, 0 items"."""
    server.status("/always304.xml", 304)
    report = poll_with_good(server, db_path, source(server.url("/always304.xml")))
    assert report.error is not None
    assert "answered 304 Not Modified to a request that asked for no validation" in report.error


def test_a_retry_after_past_a_day_says_the_pause_is_capped(
    server: FeedServer, db_path: Path
) -> None:
    """A 503 asking to come back in 2099 says it will be retried in 24 h, and is."""
    server.status("/maint.xml", 503, {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    run = Collector(
        Config(),
        db_path,
        sources=[source(server.url("/maint.xml"), "maint")],
        clock=lambda: BASE_TIME,
    )
    report = run.poll_source("maint")
    assert report.error is not None
    assert "asked to retry in" in report.error
    assert report.error.endswith("; retrying in 24 h, the longest pause"), report.error
    assert report.next_poll_at == BASE_TIME + timedelta(hours=24)


def test_a_paused_feed_is_shown_paused_not_failing(server: FeedServer, db_path: Path) -> None:
    """After a 503 with Retry-After, `feeds list` and the Sources view say "paused until"."""
    from cache.read.feed_health import feed_health
    from sources.model.records import utc_now
    from tui.sources_view import SourceRow, health_word

    server.status("/maint.xml", 503, {"Retry-After": "3600"})
    maint = source(server.url("/maint.xml"), "maint")
    Collector(Config(), db_path, sources=[maint], clock=utc_now).poll_source("maint")
    (row,) = feed_health([maint.feed], db_path)
    assert row.health.startswith("paused until "), row.health
    assert "HTTP 503 Service Unavailable" in row.health
    with Store.open(db_path, readonly=True) as store:
        state = store.source_state("maint")
    assert health_word(SourceRow(name="maint", platform="rss", mentions=0, state=state)) == "paused"


def test_a_redirect_to_a_malformed_address_is_named(server: FeedServer, db_path: Path) -> None:
    """A redirect to `http://[::1/feed.xml` fails the feed naming that address, no traceback."""
    server.redirect("/moved.xml", "http://[::1/feed.xml", 302)
    report = poll_with_good(server, db_path, source(server.url("/moved.xml")))
    assert report.error == (
        f"127.0.0.1:{server.port} redirected to a malformed address ('http://[::1/feed.xml')"
    )


def test_a_feed_redirected_to_a_malformed_address_is_listed_as_failing(
    server: FeedServer, tmp_path: Path, db_path: Path, cli, caplog: pytest.LogCaptureFixture
) -> None:
    """After `collect --once`, `feeds list` and `status` show the feed failing with the reason."""
    server.redirect("/moved.xml", "http://[::1/feed.xml", 302)
    config = tmp_path / "moved.toml"
    config.write_text(f'[[feeds]]\nname = "moved"\nurl = "{server.url("/moved.xml")}"\n')
    collect = cli("collect", "--once", "--config", config, "--db", db_path)
    assert "Traceback" not in collect.out + collect.err + caplog.text
    assert "internal error" not in collect.out + collect.err + caplog.text
    listed = cli("feeds", "list", "--config", config, "--db", db_path)
    assert "moved  failing: " in listed.out and "redirected to a malformed address" in listed.out
    assert "never polled" not in listed.out
    status = cli("status", "--db", db_path)
    assert "  moved: last error: " in status.out and "malformed address" in status.out
