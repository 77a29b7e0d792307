"""The X source: tweepy's real Client, its HTTP answered by `responses`, a real store."""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from cache.db.store import Store
from cache.live.collector import Collector, PollReport
from sources.model.config import AccountsSection, CompanySection, Config, XSection
from sources.x.source import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, XSource
from tests.builders import BASE_TIME, page, tweet, user

API = "https://api.twitter.com/2"
SEARCH = f"{API}/tweets/search/recent"
TOKEN = "AAAA-test-bearer-token-do-not-leak"
CRITIC = user("critic", "A Critic", user_id="101")
AMBASSADOR = user("ava_fc", "Ava FC Ambassador", user_id="202")
COMPANY = user("Kestrel", "Kestrel", user_id="303")


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def search_only(**x: Any) -> Config:
    options: dict[str, Any] = {
        "queries": ["Kestrel"],
        "mentions_timeline": False,
        "ambassador_timelines": False,
        **x,
    }
    return Config(x=XSection(**options))


class Run:
    """One process lifetime: an X source (fresh tweepy Client) and a collector."""

    def __init__(self, db_path: Path, config: Config, token: str = TOKEN) -> None:
        self.sleeps: list[float] = []
        self.source = XSource(config, token=token, rng=random.Random(5), sleep=self.sleeps.append)
        self.now = BASE_TIME
        self.collector = Collector(config, db_path, sources=[self.source], clock=lambda: self.now)

    def poll(self) -> PollReport:
        return self.collector.poll_source("x")


def params(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def state(db_path: Path, name: str):
    with Store.open(db_path, readonly=True) as store:
        return store.source_state(name)


def mention(db_path: Path, mention_id: str) -> dict[str, Any]:
    with Store.open(db_path, readonly=True) as store:
        row = store.mention(mention_id)
    assert row is not None, f"{mention_id} was not stored"
    return row


def count(db_path: Path) -> int:
    with Store.open(db_path, readonly=True) as store:
        return store.count_mentions()


# --- reading ------------------------------------------------------------------------


def test_search_reads_every_page_with_its_own_includes(
    api: responses.RequestsMock, db_path: Path
) -> None:
    """Authors are resolved on every page, not just the first, and all posts are stored."""
    other = user("second_page_author", user_id="404")
    newest = tweet(CRITIC, "Kestrel pays badly", tweet_id="900")
    older = tweet(other, "Kestrel strike today", tweet_id="800")
    api.get(SEARCH, json=page([newest], [CRITIC], next_token="p2"))
    api.get(SEARCH, json=page([older], [other]), match=[_param("next_token", "p2")])
    report = Run(db_path, search_only()).poll()
    assert (report.new, report.error) == (2, None)
    assert mention(db_path, "x:800")["author"] == "second_page_author"
    assert mention(db_path, "x:900")["source"] == "x:search"
    first = params(api.calls[0])
    assert first["expansions"] == ",".join(EXPANSIONS)
    assert first["tweet.fields"] == ",".join(TWEET_FIELDS)
    assert first["user.fields"] == ",".join(USER_FIELDS)
    assert api.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert state(db_path, "x/search:Kestrel").cursor == "900"


def test_since_id_resumes_across_two_runs(api: responses.RequestsMock, db_path: Path) -> None:
    """A restarted collector asks only for posts newer than the last stored one."""
    api.get(SEARCH, json=page([tweet(CRITIC, "Kestrel one", tweet_id="500")], [CRITIC]))
    Run(db_path, search_only()).poll()
    api.replace(
        responses.GET, SEARCH, json=page([tweet(CRITIC, "Kestrel two", tweet_id="600")], [CRITIC])
    )
    report = Run(db_path, search_only()).poll()
    assert params(api.calls[1])["since_id"] == "500"
    assert report.new == 1 and count(db_path) == 2
    assert state(db_path, "x/search:Kestrel").cursor == "600"


def test_a_stop_between_pages_refetches_only_the_missing_page(
    api: responses.RequestsMock, db_path: Path
) -> None:
    """After an interruption mid-round the next run continues at the next page token."""
    import threading

    api.get(SEARCH, json=page([tweet(CRITIC, "Kestrel old", tweet_id="100")], [CRITIC]))
    Run(db_path, search_only()).poll()
    api.replace(
        responses.GET,
        SEARCH,
        json=page([tweet(CRITIC, "Kestrel new", tweet_id="300")], [CRITIC], next_token="p2"),
    )
    stop = threading.Event()
    stop.set()  # as if SIGTERM arrived while page 1 was being written
    run = Run(db_path, search_only())
    assert run.collector.poll_source("x", stop).new == 1
    assert state(db_path, "x/search:Kestrel").cursor == "100"  # round not finished
    api.replace(
        responses.GET, SEARCH, json=page([tweet(CRITIC, "Kestrel mid", tweet_id="200")], [CRITIC])
    )
    report = Run(db_path, search_only()).poll()
    resumed = params(api.calls[-1])
    assert resumed["next_token"] == "p2" and resumed["since_id"] == "100"
    assert report.new == 1 and count(db_path) == 3
    assert state(db_path, "x/search:Kestrel").cursor == "300"


def test_mentions_and_ambassador_timelines_look_users_up_once(
    api: responses.RequestsMock, db_path: Path
) -> None:
    """Handles are resolved to ids once, then their timelines are polled by id."""
    config = Config(
        company=CompanySection(handles=["Kestrel"]),
        accounts=AccountsSection(ambassadors=["ava_fc"]),
        x=XSection(queries=[]),
    )
    api.get(f"{API}/users/by", json={"data": [COMPANY, AMBASSADOR]})
    critic_post = tweet(CRITIC, "@Kestrel why no raise?", tweet_id="700")
    reply = tweet(AMBASSADOR, "@critic we pay well!", tweet_id="710", reply_to=critic_post)
    api.get(f"{API}/users/303/mentions", json=page([critic_post], [CRITIC]))
    api.get(
        f"{API}/users/202/tweets",
        json=page([reply], [AMBASSADOR, CRITIC], referenced=[critic_post]),
    )
    run = Run(db_path, config)
    assert run.poll().new == 2
    run.poll()
    lookups = [c for c in api.calls if "/users/by" in str(c.request.url)]
    assert len(lookups) == 1
    assert params(api.calls[-1])["since_id"] == "710"
    assert mention(db_path, "x:710")["in_reply_to"] == "x:700"
    assert mention(db_path, "x:700")["source"] == "x:mentions"


def test_an_unknown_handle_is_named(api: responses.RequestsMock, db_path: Path) -> None:
    """A company handle that does not exist on X says so instead of failing silently."""
    config = Config(company=CompanySection(handles=["nobody_here"]), x=XSection(queries=[]))
    api.get(f"{API}/users/by", json={"errors": [{"value": "nobody_here", "title": "Not Found"}]})
    report = Run(db_path, config).poll()
    assert report.error is not None and "no X account named @nobody_here" in report.error


def test_the_remaining_rate_budget_is_recorded(api: responses.RequestsMock, db_path: Path) -> None:
    """The status shows how many requests are left in the current rate window."""
    api.get(SEARCH, json=page([], []), headers={"x-rate-limit-remaining": "449"})
    Run(db_path, search_only()).poll()
    assert state(db_path, "x/search:Kestrel").rate_remaining == 449


def test_without_a_token_x_reports_it_and_feeds_still_run(db_path: Path) -> None:
    """No X_BEARER_TOKEN: X says so clearly, and the other sources are polled."""
    from sources.feeds.source import FeedSource
    from sources.model.config import FeedSection
    from tests.builders import rss
    from tests.feedserver import FeedServer

    with FeedServer() as server:
        server.feed("/f.xml", rss("F", [{"title": "Kestrel", "link": "https://n.example/1"}]))
        feed = FeedSource(FeedSection(name="f", url=server.url("/f.xml")))
        x = XSource(search_only(), token="")
        reports = Collector(search_only(), db_path, sources=[x, feed]).run_once()
    by_name = {r.name: r for r in reports}
    assert by_name["x"].error == "X_BEARER_TOKEN is not set" and by_name["x"].stopped
    assert by_name["f"].new == 1
    assert state(db_path, "x").last_error == "X_BEARER_TOKEN is not set"


# --- faults -------------------------------------------------------------------------


def test_401_stops_the_source_without_retrying(api: responses.RequestsMock, db_path: Path) -> None:
    """A rejected token stops X with 'token rejected' after a single request."""
    api.get(SEARCH, status=401, json={"title": "Unauthorized", "status": 401})
    run = Run(db_path, search_only(queries=["a", "b"]))
    report = run.poll()
    assert report.stopped and report.error is not None and "token rejected" in report.error
    assert len(api.calls) == 1 and run.sleeps == []


def test_a_401_whose_body_holds_a_number_too_long_still_says_token_rejected(
    api: responses.RequestsMock, db_path: Path
) -> None:
    """A rejection whose JSON cannot be read (a 5,000-digit number) still stops X as one."""
    body = '{"title": "Unauthorized", "status": ' + "4" * 5000 + "}"
    api.get(SEARCH, status=401, body=body, content_type="application/json")
    report = Run(db_path, search_only()).poll()
    assert report.stopped and report.error is not None and "token rejected" in report.error


def test_403_says_the_endpoint_is_not_in_the_plan(
    api: responses.RequestsMock, db_path: Path
) -> None:
    """A 403 stops X and names the likely cause."""
    api.get(SEARCH, status=403, json={"title": "Forbidden", "status": 403})
    report = Run(db_path, search_only()).poll()
    assert report.stopped and "endpoint not in your API plan" in (report.error or "")
    assert len(api.calls) == 1


def test_429_pauses_until_the_reset_time(api: responses.RequestsMock, db_path: Path) -> None:
    """A rate limit pauses search until x-rate-limit-reset; polls before then skip it."""
    reset = BASE_TIME + timedelta(minutes=15)
    api.get(SEARCH, status=429, headers={"x-rate-limit-reset": str(int(reset.timestamp()))})
    run = Run(db_path, search_only())
    first = run.poll()
    assert first.error is not None and "rate limited" in first.error
    assert first.next_poll_at is not None and first.next_poll_at >= reset
    saved = state(db_path, "x/search:Kestrel")
    assert saved.paused_until == "2026-11-02T09:15:01Z" and saved.rate_remaining == 0
    run.now = BASE_TIME + timedelta(minutes=5)
    run.poll()
    assert len(api.calls) == 1
    api.replace(responses.GET, SEARCH, json=page([tweet(CRITIC, "Kestrel back")], [CRITIC]))
    run.now = reset + timedelta(seconds=2)
    assert run.poll().new == 1


def test_a_429_on_the_user_lookup_pauses_it_until_the_reset_time(
    api: responses.RequestsMock, db_path: Path
) -> None:
    """A rate-limited user lookup pauses mentions until x-rate-limit-reset, named in the
    status, instead of asking again every round; search goes on meanwhile."""
    reset = BASE_TIME + timedelta(minutes=15)
    api.get(
        f"{API}/users/by",
        status=429,
        headers={"x-rate-limit-reset": str(int(reset.timestamp())), "x-rate-limit-remaining": "0"},
        json={"title": "Too Many Requests", "status": 429, "type": "about:blank"},
    )
    api.get(SEARCH, json=page([], []))
    config = Config(
        company=CompanySection(handles=["Kestrel"]),
        x=XSection(queries=["Kestrel"], ambassador_timelines=False),
    )
    run = Run(db_path, config)
    first = run.poll()
    assert first.error is not None and "rate limited" in first.error, first.error
    assert "2026-11-02T09:15:01Z" in first.error
    assert state(db_path, "x/mentions:Kestrel").paused_until == "2026-11-02T09:15:01Z"
    for minutes in (1, 2, 5):
        run.now = BASE_TIME + timedelta(minutes=minutes)
        run.poll()
    lookups = [c for c in api.calls if "/users/by" in str(c.request.url)]
    assert len(lookups) == 1
    assert len([c for c in api.calls if str(c.request.url).startswith(SEARCH)]) == 4
    api.replace(responses.GET, f"{API}/users/by", json={"data": [COMPANY]})
    api.get(f"{API}/users/303/mentions", json=page([tweet(CRITIC, "@Kestrel hi")], [CRITIC]))
    run.now = reset + timedelta(seconds=2)
    assert run.poll().new == 1


def test_429_without_reset_header_backs_off_exponentially(
    api: responses.RequestsMock, db_path: Path
) -> None:
    """Without a reset time the pause grows with each 429 (tweepy would loop forever)."""
    api.get(SEARCH, status=429)
    run = Run(db_path, search_only())
    pauses = []
    for _ in range(3):
        run.poll()
        from sources.model.text import parse_timestamp

        until = parse_timestamp(state(db_path, "x/search:Kestrel").paused_until)
        assert until is not None
        pauses.append((until - run.now).total_seconds())
        run.now = until + timedelta(seconds=1)
    assert 48 <= pauses[0] <= 72 and pauses[1] > pauses[0] * 1.3 and pauses[2] > pauses[1] * 1.3
    assert len(api.calls) == 3


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried_with_jitter_then_succeed(
    api: responses.RequestsMock, db_path: Path, status: int
) -> None:
    """A passing X server error is retried after a short jittered wait and the poll succeeds."""
    api.get(SEARCH, status=status)
    api.get(SEARCH, json=page([tweet(CRITIC, "Kestrel ok")], [CRITIC]))
    run = Run(db_path, search_only())
    report = run.poll()
    assert (report.new, report.error) == (1, None)
    assert len(run.sleeps) == 1 and 0.8 <= run.sleeps[0] <= 1.2


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        ({"status": 503}, "X server error (HTTP 503) after 3 attempts"),
        ({"status": 500}, "X server error (HTTP 500) after 3 attempts"),
        ({"body": requests.exceptions.ConnectTimeout()}, "X API timed out after 3 attempts"),
        ({"body": requests.exceptions.ReadTimeout()}, "X API timed out after 3 attempts"),
        (
            {"body": '{"data": [{"id": "1", "text": "Kes', "content_type": "application/json"},
            "unreadable (truncated) response after 3 attempts",
        ),
        (
            {"body": '{"meta": {"n": ' + "9" * 5000 + "}}", "content_type": "application/json"},
            "X sent an unreadable response (a number of more than 4300 digits) after 3 attempts",
        ),
    ],
)
def test_persistent_failures_give_up_after_bounded_retries(
    api: responses.RequestsMock, db_path: Path, failure: dict[str, Any], expected: str
) -> None:
    """Three attempts, growing jittered waits, a clear status, and a later next poll."""
    api.get(SEARCH, **failure)
    run = Run(db_path, search_only())
    report = run.poll()
    assert report.error is not None and expected in report.error and not report.stopped
    assert len(api.calls) == 3 and len(run.sleeps) == 2 and run.sleeps[1] > run.sleeps[0]
    assert report.next_poll_at is not None and report.next_poll_at > BASE_TIME
    assert state(db_path, "x/search:Kestrel").cursor is None
    assert count(db_path) == 0


_BIG = 50 * 2**20


@pytest.mark.parametrize(
    ("fault", "answer", "expected", "requests_made"),
    [
        (
            "connection refused",
            {"body": requests.exceptions.ConnectionError("[Errno 111] Connection refused")},
            "cannot reach the X API (connection failed) after 3 attempts",
            3,
        ),
        (
            "TLS failure",
            {"body": requests.exceptions.SSLError("certificate verify failed")},
            "TLS failure talking to the X API (certificate or handshake) after 3 attempts",
            3,
        ),
        (
            "404",
            {"status": 404, "json": {"title": "Not Found"}},
            "refused the request (HTTP 404",
            1,
        ),
        ("410", {"status": 410, "json": {"title": "Gone"}}, "refused the request (HTTP 410", 1),
        (
            "wrong content type",
            {"body": "<html><h1>Down for maintenance</h1></html>", "content_type": "text/html"},
            "X sent text/html instead of JSON (HTTP 200) after 3 attempts",
            3,
        ),
        (
            "gzip bomb",
            {
                "body": gzip.compress(b"0" * _BIG),
                "headers": {"Content-Encoding": "gzip"},
                "content_type": "application/json",
            },
            "X sent more than 16 MB after 3 attempts",
            3,
        ),
        (
            "50 MB body",
            {"body": b"[" + b"0," * (_BIG // 2) + b"0]", "content_type": "application/json"},
            "X sent more than 16 MB after 3 attempts",
            3,
        ),
        (
            "50 MB declared",
            {
                "body": b"[]",
                "headers": {"Content-Length": str(_BIG)},
                "content_type": "application/json",
            },
            f"X declared a {_BIG}-byte response after 3 attempts",
            3,
        ),
        (
            "redirect loop",
            {"status": 302, "headers": {"Location": SEARCH}},
            "the X API redirected in a loop after 3 attempts",
            3 * 31,
        ),
    ],
)
def test_every_x_fault_ends_in_a_clear_status_and_spares_the_feeds(
    api: responses.RequestsMock,
    db_path: Path,
    fault: str,
    answer: dict[str, Any],
    expected: str,
    requests_made: int,
) -> None:
    """Each fault: a status that names it, bounded requests, no crash, the feed still read."""
    from sources.feeds.source import FeedSource
    from sources.model.config import FeedSection
    from tests.builders import rss
    from tests.feedserver import FeedServer

    api.get(SEARCH, **answer)
    with FeedServer() as server:
        api.add_passthru(server.url("/"))
        server.feed("/f.xml", rss("F", [{"title": "Kestrel", "link": "https://n.example/1"}]))
        feed = FeedSource(FeedSection(name="f", url=server.url("/f.xml")))
        run = Run(db_path, search_only())
        run.collector = Collector(
            search_only(), db_path, sources=[run.source, feed], clock=lambda: run.now
        )
        reports = {r.name: r for r in run.collector.run_once()}
    x_calls = [c for c in api.calls if str(c.request.url).startswith(API)]
    assert reports["x"].error is not None and expected in reports["x"].error, fault
    assert (
        "X declared" in reports["x"].error
        or "more than 16 MB" in reports["x"].error
        or (fault != "50 MB body")
    )
    assert len(x_calls) == requests_made
    assert not reports["x"].stopped  # worth trying again at the next poll
    assert reports["f"].error is None and reports["f"].new == 1
    assert state(db_path, "x/search:Kestrel").last_error is not None


def test_the_token_never_reaches_logs_store_or_errors(
    api: responses.RequestsMock,
    db_path: Path,
    tmp_path: Path,
    cli,
    monkeypatch,
) -> None:
    """Even with --verbose and failing requests, the bearer token is printed nowhere."""
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    config = tmp_path / "echowatch.toml"
    config.write_text(
        '[x]\nqueries = ["Kestrel"]\nmentions_timeline = false\nambassador_timelines = false\n'
    )
    api.get(SEARCH, json=page([tweet(CRITIC, "Kestrel")], [CRITIC]))
    api.get(SEARCH, status=401, json={"detail": f"Bearer {TOKEN} is invalid"})
    first = cli("collect", "--once", "--verbose", "--config", config, "--db", db_path)
    second = cli("collect", "--once", "--verbose", "--config", config, "--db", db_path)
    assert first.code == 0 and second.code == 1
    assert "token rejected" in second.err
    for text in (first.out, first.err, second.out, second.err):
        assert TOKEN not in text
    for stored in db_path.parent.glob(db_path.name + "*"):  # the store, its WAL and SHM
        assert TOKEN.encode() not in stored.read_bytes()


def _param(name: str, value: str) -> Any:
    return responses.matchers.query_param_matcher({name: value}, strict_match=False)


def test_status_sums_x_from_its_endpoints(api: responses.RequestsMock, db_path: Path) -> None:
    """With one X endpoint failing and search storing posts, `status` shows the `x` row's
    last success and posts seen from its endpoints, and each endpoint's last poll."""
    from cache.read.status import format_status, store_status

    api.get(f"{API}/users/by", json={"data": [COMPANY]})
    api.get(f"{API}/users/303/mentions", status=400, json={"title": "Invalid Request"})
    api.get(SEARCH, json=page([tweet(CRITIC, "Kestrel one", tweet_id="500")], [CRITIC]))
    config = Config(
        company=CompanySection(handles=["Kestrel"]),
        x=XSection(queries=["Kestrel"], ambassador_timelines=False),
    )
    Run(db_path, config).poll()
    with Store.open(db_path, readonly=True) as store:
        lines = format_status(store_status(store)).splitlines()
    rows = {line.strip().split(": ")[0]: line for line in lines if line.startswith("  x")}
    assert "last error: x/mentions:Kestrel" in rows["x"]
    assert "last success 2026-11-02T09:00:00Z, 1 items seen" in rows["x"], rows["x"]
    for name in ("x/search:Kestrel", "x/mentions:Kestrel"):
        assert "last poll 2026-11-02T09:00:00Z" in rows[name], rows[name]
