"""`app.py collect`: twenty real feeds on 127.0.0.1, schedules on a fake clock, clean shutdown."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.live.collector import Collector, PollReport
from cache.write.ingest import IngestResult
from sources.base import PollOutcome, PollPage
from sources.model.config import Config
from sources.model.records import Mention, ParsedBatch, SourceState
from tests.builders import BASE_TIME, rss
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[1]
GOOD_FEEDS = 16


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def article(number: int) -> dict[str, str]:
    return {
        "title": f"Kestrel warehouse story {number}",
        "link": f"https://news.example/story/{number}",
        "description": f"Workers at Kestrel talk about pay and strikes ({number}).",
        "pubDate": "Mon, 02 Nov 2026 07:00:00 GMT",
    }


def twenty_feeds(server: FeedServer, tmp_path: Path) -> tuple[Path, set[str], dict[str, str]]:
    """Sixteen good feeds (overlapping articles) and four broken ones, as a config file."""
    lines = []
    links: set[str] = set()
    for index in range(GOOD_FEEDS):
        # Feed n carries articles 3n..3n+3: each neighbour shares one article with it.
        entries = [article(n) for n in range(3 * index, 3 * index + 4)]
        links.update(e["link"] for e in entries)
        server.feed(f"/good/{index}.xml", rss(f"Good {index}", entries), etag=f'"g{index}"')
        lines.append(_feed_entry(f"good-{index}", server.url(f"/good/{index}.xml")))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    server.status("/missing.xml", 404)
    server.status("/crash.xml", 500)
    server.feed("/garbage.xml", b"\x00\x01 this is not xml at all \xff", content_type="text/plain")
    broken = {
        "missing": (server.url("/missing.xml"), "HTTP 404 Not Found"),
        "crashing": (server.url("/crash.xml"), "HTTP 500 Internal Server Error"),
        "garbage": (server.url("/garbage.xml"), "not a readable feed"),
        "down": (f"http://127.0.0.1:{closed}/feed.xml", "connection refused"),
    }
    for name, (url, _) in broken.items():
        lines.append(_feed_entry(name, url))
    config = tmp_path / "twenty.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config, links, {name: reason for name, (_, reason) in broken.items()}


def _feed_entry(name: str, url: str) -> str:
    return f'[[feeds]]\nname = "{name}"\nurl = "{url}"\npoll_seconds = 60\n'


def stored_links(db_path: Path) -> list[str]:
    with Store.open(db_path, readonly=True) as store:
        return [row["url"] for row in store.rows("SELECT url FROM mentions")]


def test_twenty_feeds_store_every_item_once_and_name_each_broken_feed(
    server: FeedServer,
    tmp_path: Path,
    db_path: Path,
    cli,
) -> None:
    """One round stores each valid article once, names each broken feed, and exits 1."""
    config, links, broken = twenty_feeds(server, tmp_path)
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 1
    assert sorted(stored_links(db_path)) == sorted(links)
    assert f"collect: {len(broken)} of 20 sources failed:" in run.err
    for name, reason in broken.items():
        failure_lines = [line for line in run.err.splitlines() if line.startswith(f"  {name}: ")]
        assert len(failure_lines) == 1 and reason in failure_lines[0]
    assert run.err.count(" new, ") == 20  # one log line per poll


def test_a_second_round_fetches_nothing_new(
    server: FeedServer,
    tmp_path: Path,
    db_path: Path,
    cli,
) -> None:
    """Run again, every good feed answers 304 and the store is unchanged."""
    config, links, _ = twenty_feeds(server, tmp_path)
    cli("collect", "--once", "--config", config, "--db", db_path)
    again = cli("collect", "--once", "--config", config, "--db", db_path)
    assert again.code == 1
    assert sum(server.not_modified.values()) == GOOD_FEEDS
    assert len(stored_links(db_path)) == len(links)
    assert " 1 new" not in again.err and "good-0: 0 new, 0 updated" in again.err


def test_all_feeds_healthy_exits_0_and_quiet_prints_nothing(
    server: FeedServer,
    tmp_path: Path,
    db_path: Path,
    cli,
) -> None:
    """With every source fine, --once exits 0; --quiet keeps stderr empty."""
    server.feed("/ok.xml", rss("Ok", [article(1)]))
    config = tmp_path / "ok.toml"
    config.write_text(_feed_entry("ok", server.url("/ok.xml")))
    run = cli("collect", "--once", "--quiet", "--config", config, "--db", db_path)
    assert (run.code, run.err) == (0, "")


def test_no_config_says_there_is_nothing_to_collect(cli, db_path: Path) -> None:
    """Without any config file, collect explains what is missing and exits 2."""
    run = cli("collect", "--once", "--db", db_path)
    assert run.code == 2 and "nothing configured to collect" in run.err
    assert not db_path.exists()


def test_a_company_only_config_names_the_x_token_as_what_is_missing(
    cli, tmp_path: Path, db_path: Path
) -> None:
    """With only `[company] name`, collect says X needs its token (the name is X's query):
    not that an [x] section is missing."""
    config = tmp_path / "only.toml"
    config.write_text('[company]\nname = "Korvando"\n')
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 2, (run.out, run.err)
    assert "no [x] section" not in run.err
    assert "X needs the X_BEARER_TOKEN environment variable" in run.err


def test_a_config_with_nothing_to_poll_leaves_no_store_behind(
    cli, tmp_path: Path, db_path: Path
) -> None:
    """`collect` that has nothing to poll exits 2 without creating the store it names."""
    config = tmp_path / "only.toml"
    config.write_text('[company]\nname = "Korvando"\n')
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 2, (run.out, run.err)
    assert not db_path.exists()


def test_a_bad_config_exits_2(cli, tmp_path: Path, db_path: Path) -> None:
    """A config with a wrong key is refused with exit code 2 and the key named."""
    config = tmp_path / "bad.toml"
    config.write_text('[[feeds]]\nname = "a"\nurl = "http://127.0.0.1/x"\npoll_secs = 5\n')
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 2 and "poll_secs" in run.err


def test_a_feeds_only_config_does_not_fail_for_lack_of_an_x_token(
    server: FeedServer,
    tmp_path: Path,
    db_path: Path,
    cli,
) -> None:
    """X is only required when the config has an [x] section; then a missing token fails."""
    server.feed("/ok.xml", rss("Ok", [article(2)]))
    config = tmp_path / "feeds.toml"
    config.write_text(_feed_entry("ok", server.url("/ok.xml")))
    assert cli("collect", "--once", "--config", config, "--db", db_path).code == 0
    config.write_text(config.read_text() + '[x]\nqueries = ["Kestrel"]\n')
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 1 and "  x: X_BEARER_TOKEN is not set" in run.err


# --- scheduling on a fake clock -------------------------------------------------------


class FakeClock:
    def __init__(self, stop: threading.Event, end: datetime) -> None:
        self.now = BASE_TIME
        self.stop, self.end = stop, end
        self.waits: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)
        if self.now >= self.end:
            self.stop.set()


def tick(mention_id: str, source: str, now: datetime) -> Mention:
    """One plain mention that a test source delivers."""
    return Mention(
        id=mention_id,
        platform="rss",
        source=source,
        url="https://t.example/",
        author="t",
        author_name="t",
        text="tick",
        lang="en",
        created_at=now,
    )


class Ticker:
    """A source that records when it was polled and stores one mention per poll."""

    kind = "test"

    def __init__(self, name: str, every: float, *, stop_after: int | None = None) -> None:
        self.name, self.every, self.stop_after = name, every, stop_after
        self.polls: list[datetime] = []
        self.active = 0
        self.overlapped = False

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        self.active += 1
        self.overlapped |= self.active > 1
        self.polls.append(now)
        mention = tick(f"t:{self.name}:{len(self.polls)}", self.name, now)
        yield PollPage(ParsedBatch(mentions=[mention]), [SourceState(name=self.name)])
        self.active -= 1

    def outcome(self) -> PollOutcome:
        done = self.stop_after is not None and len(self.polls) >= self.stop_after
        return PollOutcome(
            ok=not done, error="gone" if done else None, next_poll_in=self.every, stopped=done
        )


def test_run_forever_polls_each_source_on_its_own_schedule(db_path: Path) -> None:
    """Each source is re-armed after its poll by its own interval; a stopped one is not."""
    stop = threading.Event()
    clock = FakeClock(stop, BASE_TIME + timedelta(seconds=60))
    fast, slow, once = Ticker("fast", 10), Ticker("slow", 25), Ticker("once", 5, stop_after=1)
    collector = Collector(Config(), db_path, sources=[fast, slow, once], clock=clock)
    seen: list[PollReport] = []
    collector.run_forever(stop, wait=clock.wait, on_report=seen.append)
    offsets = [int((t - BASE_TIME).total_seconds()) for t in fast.polls]
    assert offsets == [0, 10, 20, 30, 40, 50]
    assert [int((t - BASE_TIME).total_seconds()) for t in slow.polls] == [0, 25, 50]
    assert len(once.polls) == 1 and not fast.overlapped
    assert sum(r.new for r in seen) == 10


def test_listeners_hear_about_each_stored_page(db_path: Path) -> None:
    """A listener (spike alerts, the screen) gets the report and the ingest result."""
    heard: list[tuple[PollReport, IngestResult]] = []
    collector = Collector(Config(), db_path, sources=[Ticker("a", 10)], clock=lambda: BASE_TIME)
    collector.add_listener(lambda report, result: heard.append((report, result)))
    collector.add_listener(lambda report, result: 1 / 0)  # a broken listener changes nothing
    report = collector.poll_source("a")
    assert report.new == 1 and report.error is None
    assert [(r.name, r.new_ids, res.new) for r, res in heard] == [("a", ("t:a:1",), 1)]


def test_a_source_that_raises_is_reported_not_fatal(db_path: Path) -> None:
    """A source with a bug fails its own poll with a message; the round goes on."""

    class Broken(Ticker):
        def poll(self, states, now):
            raise RuntimeError("boom")
            yield

    reports = Collector(
        Config(), db_path, sources=[Broken("broken", 10), Ticker("fine", 10)]
    ).run_once()
    assert reports[0].error == "internal error: RuntimeError: boom"
    assert reports[1].new == 1


def test_each_part_of_a_source_counts_the_new_mentions_of_its_own_pages(db_path: Path) -> None:
    """A source with parts (X queries): each part's `+N` is what its pages stored, then 0."""

    class Parts(Ticker):
        def poll(self, states, now):
            for part, count in (("q1", 2), ("q1", 1), ("q2", 0)):
                mentions = [tick(f"t:{part}:{i}:{count}", self.name, now) for i in range(count)]
                state = SourceState(name=f"{self.name}/{part}")
                yield PollPage(ParsedBatch(mentions=mentions), [state])

    clock = [BASE_TIME]
    collector = Collector(Config(), db_path, sources=[Parts("x", 10)], clock=lambda: clock[0])
    collector.poll_source("x")
    assert {n: s.last_new for n, s in collector.stored_states().items()} == {"x/q1": 3, "x/q2": 0}
    clock[0] += timedelta(seconds=10)
    collector.poll_source("x")  # the same mentions again: nothing new
    assert {n: s.last_new for n, s in collector.stored_states().items()} == {"x/q1": 0, "x/q2": 0}


# --- a real process and a real signal -----------------------------------------------


@pytest.mark.slow  # a collector process stopped by SIGTERM
def test_sigterm_stops_a_running_collector_cleanly_keeping_what_was_stored(
    server: FeedServer, tmp_path: Path, db_path: Path
) -> None:
    """SIGTERM ends `collect` with exit 0; what it stored is there and is not stored twice."""
    server.feed("/a.xml", rss("A", [article(1), article(2)]), etag='"a"')
    server.feed("/b.xml", rss("B", [article(3)]), etag='"b"')
    config = tmp_path / "run.toml"
    config.write_text(
        _feed_entry("a", server.url("/a.xml")) + _feed_entry("b", server.url("/b.xml"))
    )
    env = {k: v for k, v in os.environ.items() if k != "X_BEARER_TOKEN"}
    command = [sys.executable, str(ROOT / "app.py"), "collect", "--config", str(config)]
    process = subprocess.Popen(
        [*command, "--db", str(db_path)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        polled: set[str] = set()
        while polled != {"a", "b"}:  # blocking reads: wait for both poll lines, no sleeping
            line = process.stderr.readline()
            assert line, "collect exited before polling"
            polled.update(name for name in ("a", "b") if f" {name}: " in line)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert len(stored_links(db_path)) == 3
    rerun = subprocess.run(
        [*command, "--db", str(db_path), "--once"], cwd=ROOT, env=env, capture_output=True
    )
    assert rerun.returncode == 0 and len(stored_links(db_path)) == 3


def test_after_collect_the_echowatch_logger_reaches_the_callers_handlers_again(
    server: FeedServer,
    tmp_path: Path,
    db_path: Path,
    cli,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A program that ran `collect` in-process still sees echowatch's log records after it."""
    server.feed("/ok.xml", rss("Ok", [article(1)]))
    config = tmp_path / "ok.toml"
    config.write_text(_feed_entry("ok", server.url("/ok.xml")))
    assert cli("collect", "--once", "--quiet", "--config", config, "--db", db_path).code == 0
    with caplog.at_level(logging.INFO, logger="echowatch"):
        logging.getLogger("echowatch.later").info("still heard")
    assert "still heard" in caplog.text


def test_a_malformed_feed_is_named_once_in_its_warning(
    server: FeedServer, tmp_path: Path, db_path: Path, cli
) -> None:
    """The warning for a feed the loose parser recovered names the feed once, not twice."""
    broken = rss("Forum", [article(1)]).replace(b"<title>Kestrel", b"<title>&nbsp; Kestrel")
    server.feed("/forum.xml", broken)
    config = tmp_path / "forum.toml"
    config.write_text(_feed_entry("Lager forum", server.url("/forum.xml")))
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 0, run.err
    (warning,) = [line for line in run.err.splitlines() if "malformed feed" in line]
    assert warning.count("Lager forum") == 1
    assert warning.split(" ", 1)[1].startswith("Lager forum: malformed feed, read what could be")


def test_a_valid_feed_without_items_is_no_failure(
    server: FeedServer, tmp_path: Path, db_path: Path, cli
) -> None:
    """An RSS channel with no items yet (served as text/plain too, as some servers do) or
    an Atom feed without entries polls fine: --once exits 0; a document that is no feed at
    all still fails."""
    server.feed("/quiet.xml", rss("Quiet", []))
    server.feed("/quiet-plain.xml", rss("Quiet", []), content_type="text/plain")
    atom = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title></feed>'
    server.feed("/quiet-atom.xml", atom)
    config = tmp_path / "quiet.toml"
    config.write_text(
        "".join(
            _feed_entry(name, server.url(f"/{name}.xml"))
            for name in ("quiet", "quiet-plain", "quiet-atom")
        )
    )
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 0, run.err
    assert "quiet: 0 new" in run.err and "failed" not in run.err
    server.feed("/html.xml", b"<html><body><p>Moved</p></body></html>", content_type="text/html")
    config.write_text(_feed_entry("html", server.url("/html.xml")))
    assert cli("collect", "--once", "--config", config, "--db", db_path).code == 1


def test_importing_a_valid_feed_without_items_reads_the_file(tmp_path: Path, db_path: Path, cli):
    """`import` of an empty but valid feed reads the file (exit 0) and says it had no items."""
    path = tmp_path / "quiet.xml"
    path.write_bytes(rss("Quiet", []))
    run = cli("import", "--db", db_path, path)
    assert run.code == 0, run.err
    assert "1 of 1 files read" in run.out and "feed has no items" in run.out


def test_feeds_list_counts_what_the_last_poll_stored(
    server: FeedServer,
    tmp_path: Path,
    db_path: Path,
    cli,
) -> None:
    """`feeds list` says how many new items the last poll stored: 3, then 2, then 0."""
    config = tmp_path / "one.toml"
    config.write_text(_feed_entry("afeed", server.url("/a.xml")), encoding="utf-8")

    def poll_and_list(articles: int, etag: str) -> str:
        server.feed("/a.xml", rss("A", [article(n) for n in range(articles)]), etag=etag)
        assert cli("collect", "--once", "--config", config, "--db", db_path).code == 0
        return cli("feeds", "list", "--config", config, "--db", db_path).out

    assert "3 items seen, 3 new in the last poll" in poll_and_list(3, '"v1"')
    assert "2 new in the last poll" in poll_and_list(5, '"v2"')
    assert "0 new in the last poll" in poll_and_list(5, '"v2"')
    assert server.not_modified["/a.xml"] == 1


def test_a_source_that_raises_is_stored_as_failing_keeping_its_cursor(db_path: Path) -> None:
    """A poll that dies of an unexpected error leaves the source failing with it, not
    "never polled"; what the source remembered (its cursor) is kept."""

    class Flaky(Ticker):
        def poll(self, states, now):
            if self.polls:
                raise ValueError("Invalid IPv6 URL")
            self.polls.append(now)
            yield PollPage(states=[SourceState(name=self.name, cursor="c1", etag='"e"')])

    clock = [BASE_TIME]
    collector = Collector(Config(), db_path, sources=[Flaky("flaky", 60)], clock=lambda: clock[0])
    collector.poll_source("flaky")
    clock[0] += timedelta(minutes=1)
    report = collector.poll_source("flaky")
    assert report.error == "internal error: ValueError: Invalid IPv6 URL"
    state = collector.stored_states()["flaky"]
    assert (state.last_error, state.last_error_at) == (report.error, "2026-11-02T09:01:00Z")
    assert state.last_poll_at == "2026-11-02T09:01:00Z"
    assert (state.cursor, state.etag, state.kind) == ("c1", '"e"', "test")
    assert state.next_poll_at == "2026-11-02T09:02:00Z"  # the schedule the report gives
