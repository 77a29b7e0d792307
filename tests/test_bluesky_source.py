"""The Bluesky source: the atproto SDK's real client against a real HTTP server on
127.0.0.1 serving the recorded answers in ../shared/realworld/bluesky, a real store."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cache.db.store import Store
from cache.live.collector import Collector, PollReport, build_sources
from sources.bluesky.source import NO_ACCOUNT, BlueskySource
from sources.model.config import BlueskySection, Config
from tests.builders import BASE_TIME
from tests.conftest import REALWORLD
from tests.feedserver import FeedServer, Route
from tests.social_builders import bsky_author, bsky_feed, bsky_post

PASSWORD = "abcd-efgh-ijkl-mnop"  # an app password's shape
JSON = {"Content-Type": "application/json; charset=utf-8"}


def real(name: str) -> bytes:
    return (REALWORLD / "bluesky" / name).read_bytes()


@pytest.fixture
def server(realworld: Path) -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def answer(server: FeedServer, method: str, make: Callable[[dict[str, str]], Route]) -> None:
    """Answer an XRPC method; `make` gets the query parameters of each call."""

    def route(path: str) -> Route:
        query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        return make(query)

    server.prefix_routes[f"/xrpc/{method}"] = route


def body(payload: bytes | dict[str, Any], status: int = 200, **headers: str) -> Route:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Route(status=status, body=data, headers={**JSON, **headers})


def config(server: FeedServer, **bluesky: Any) -> Config:
    options: dict[str, Any] = {
        "service": server.url(""),
        "login_service": server.url(""),
        "max_pages": 2,
        **bluesky,
    }
    return Config(bluesky=BlueskySection(**options))


def poll(db_path: Path, cfg: Config, environ: dict[str, str] | None = None) -> PollReport:
    source = BlueskySource(cfg, environ=environ or {})
    return Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME).poll_source("bluesky")


def stored(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with Store.open(db_path, readonly=True) as store:
        return list(store.rows(sql, params))


SHINYA = "at://did:plc:iijrtk7ocored6zuziwmqq3c/app.bsky.feed.post/"


def test_author_feed_stores_real_posts_with_thread_links_and_bios(
    server: FeedServer, db_path: Path
) -> None:
    """A handle's public feed arrives as Bluesky posts with replies linked and the bio read."""
    answer(
        server,
        "app.bsky.feed.getAuthorFeed",
        lambda q: body(real("atprotodart_getAuthorFeed.json")),
    )
    answer(
        server, "app.bsky.actor.getProfiles", lambda q: body(real("atprotodart_getProfiles.json"))
    )
    report = poll(db_path, config(server, handles=["shinyakato.dev"], max_pages=1))
    assert report.error is None and report.new == 46
    reply = stored(
        db_path, "SELECT * FROM mentions WHERE id = ?", (f"bluesky:{SHINYA}3jukterj4bp2j",)
    )[0]
    assert reply["platform"] == "bluesky" and reply["source"] == "bluesky:feed"
    assert reply["url"] == "https://bsky.app/profile/shinyakato.dev/post/3jukterj4bp2j"
    assert (
        reply["in_reply_to"]
        == "bluesky:at://did:plc:gojiv3xdlwobtke4csnksyyb/app.bsky.feed.post/3jukqq23rvy2w"
    )
    assert reply["conversation_id"] == f"bluesky:{SHINYA}3jukoxegkhw2s"
    assert reply["lang"] == "und"  # the 2023 payload predates `langs`
    # The parent came with the feed item: the thread is complete without another call.
    assert stored(db_path, "SELECT id FROM mentions WHERE id = ?", (reply["in_reply_to"],))
    bio = stored(
        db_path, "SELECT bio FROM accounts WHERE key = 'bluesky:did:plc:iijrtk7ocored6zuziwmqq3c'"
    )
    assert bio and bio[0]["bio"]  # getProfiles gave the description the feed lacks
    # The two reposts in the feed add no mention of their own (46 = posts + parents).
    assert report.new == len({m["id"] for m in stored(db_path, "SELECT id FROM mentions")})
    assert (
        stored(
            db_path,
            "SELECT cursor FROM source_state WHERE name = ?",
            ("bluesky/feed:shinyakato.dev",),
        )[0]["cursor"]
        == "2023-04-30T04:42:30.113Z"  # the newest post of the page
    )


def test_a_first_poll_of_one_page_says_one_page(server: FeedServer, db_path: Path) -> None:
    """With max_pages = 1 the first poll's note says "the newest 1 page", not "1 pages"."""
    answer(
        server,
        "app.bsky.feed.getAuthorFeed",
        lambda q: body(real("atprotodart_getAuthorFeed.json")),
    )
    answer(server, "app.bsky.actor.getProfiles", lambda q: body({"profiles": []}))
    report = poll(db_path, config(server, handles=["shinyakato.dev"], max_pages=1))
    assert any("first poll read the newest 1 page;" in w for w in report.warnings)


def test_a_restart_resumes_after_the_newest_stored_post(server: FeedServer, db_path: Path) -> None:
    """A second run reads one page, stops where the last run ended and stores nothing twice."""
    critic = bsky_author("critic.bsky.social")
    older = bsky_post(critic, "Kestrel zahlt schlecht", at=BASE_TIME)
    newer = bsky_post(critic, "Kestrel Streik heute", at=BASE_TIME.replace(hour=10))
    pages = {"": bsky_feed(newer, cursor="p2"), "p2": bsky_feed(older)}
    answer(server, "app.bsky.feed.getAuthorFeed", lambda q: body(pages[q.get("cursor", "")]))
    answer(server, "app.bsky.actor.getProfiles", lambda q: body({"profiles": []}))
    cfg = config(server, handles=["critic.bsky.social"])
    assert poll(db_path, cfg).new == 2
    calls = sum(n for p, n in server.hits.items() if "getAuthorFeed" in p)
    assert calls == 2
    report = poll(db_path, cfg)  # a new process: nothing remembered but the store
    assert (report.new, report.error) == (0, None)
    assert sum(n for p, n in server.hits.items() if "getAuthorFeed" in p) == calls + 1


def test_a_failed_profile_read_never_loses_a_post(server: FeedServer, db_path: Path) -> None:
    """When profiles cannot be read, the posts are stored anyway and the user is told."""
    answer(
        server,
        "app.bsky.feed.getAuthorFeed",
        lambda q: body(real("atprotodart_getAuthorFeed.json")),
    )
    answer(server, "app.bsky.actor.getProfiles", lambda q: body(b"upstream down", status=502))
    report = poll(db_path, config(server, handles=["shinyakato.dev"], max_pages=1))
    assert report.error is None and report.new == 46
    assert any("profiles not read" in w for w in report.warnings)


def test_search_without_an_account_says_so_and_the_feeds_go_on(
    server: FeedServer, db_path: Path
) -> None:
    """Search without BLUESKY_HANDLE/APP_PASSWORD is an error naming them; feeds still arrive."""
    answer(
        server,
        "app.bsky.feed.getAuthorFeed",
        lambda q: body(real("atprotodart_getAuthorFeed.json")),
    )
    answer(server, "app.bsky.actor.getProfiles", lambda q: body({"profiles": []}))
    report = poll(
        db_path, config(server, handles=["shinyakato.dev"], queries=["Kestrel"], max_pages=1)
    )
    assert report.new == 46
    assert report.error is not None and NO_ACCOUNT in report.error
    assert not any("searchPosts" in p for p in server.hits)


@pytest.mark.parametrize(
    "sent",
    [b'{"feed": [{"post": ' + b"8" * 5000 + b"}]}", b'{"feed": [{"post": {"uri": "at://'],
    ids=["number-too-long", "cut-short"],
)
def test_an_unreadable_answer_fails_that_feed_and_the_others_go_on(
    server: FeedServer, db_path: Path, sent: bytes
) -> None:
    """An answer with a 5,000-digit number, or cut short, is an unreadable answer for its
    feed (no internal error); the other feed's posts are stored."""
    real_feed = body(real("atprotodart_getAuthorFeed.json"))
    answer(
        server,
        "app.bsky.feed.getAuthorFeed",
        lambda q: body(sent) if q["actor"] == "broken.bsky.social" else real_feed,
    )
    answer(server, "app.bsky.actor.getProfiles", lambda q: body({"profiles": []}))
    cfg = config(server, handles=["broken.bsky.social", "shinyakato.dev"], max_pages=1)
    report = poll(db_path, cfg)
    assert report.new == 46
    assert report.error is not None and "internal error" not in report.error
    assert "bluesky/feed:broken.bsky.social: Bluesky sent an unreadable answer (" in report.error


def _jwt(payload: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}.c2ln"


def test_search_logs_in_with_the_app_password_which_never_reaches_the_store(
    server: FeedServer, db_path: Path
) -> None:
    """Search logs in from the environment; the password and session token are never stored."""
    access = _jwt({"sub": "did:plc:searcher", "exp": 4102444800, "scope": "com.atproto.appPass"})
    session = {
        "did": "did:plc:searcher",
        "handle": "searcher.bsky.social",
        "accessJwt": access,
        "refreshJwt": _jwt({"sub": "did:plc:searcher", "exp": 4102444800}),
    }
    server.prefix_routes["/xrpc/com.atproto.server.createSession"] = lambda p: body(session)
    answer(
        server, "app.bsky.feed.searchPosts", lambda q: body(real("atprotodart_searchPosts.json"))
    )
    answer(server, "app.bsky.actor.getProfiles", lambda q: body({"profiles": []}))
    env = {"BLUESKY_HANDLE": "searcher.bsky.social", "BLUESKY_APP_PASSWORD": PASSWORD}
    report = poll(db_path, config(server, queries=["Kestrel"]), env)
    assert (report.new, report.error) == (1, None)
    login = json.loads(server.posted["/xrpc/com.atproto.server.createSession"][0])
    assert login == {"identifier": "searcher.bsky.social", "password": PASSWORD}
    search = next(h for p, h in server.request_headers.items() if "searchPosts" in p)[0]
    assert search["Authorization"] == f"Bearer {access}"
    row = stored(db_path, "SELECT source, lang, platform FROM mentions")[0]
    assert row == {"source": "bluesky:search", "lang": "und", "platform": "bluesky"}
    data = db_path.read_bytes() + b"".join(p.read_bytes() for p in db_path.parent.glob("*-wal"))
    assert PASSWORD.encode() not in data and access.encode() not in data


def test_a_rejected_password_is_a_clear_error_without_the_password(
    server: FeedServer, db_path: Path
) -> None:
    """A refused login names the variables to check, and never echoes the password."""
    server.prefix_routes["/xrpc/com.atproto.server.createSession"] = lambda p: body(
        {"error": "AuthenticationRequired", "message": f"Invalid password {PASSWORD}"}, 401
    )
    env = {"BLUESKY_HANDLE": "searcher.bsky.social", "BLUESKY_APP_PASSWORD": PASSWORD}
    report = poll(db_path, config(server, queries=["Kestrel"]), env)
    assert report.error is not None and "BLUESKY_APP_PASSWORD" in report.error
    assert PASSWORD not in report.error
    states = stored(db_path, "SELECT last_error FROM source_state")
    assert states and all(PASSWORD not in (s["last_error"] or "") for s in states)


def test_a_service_answering_an_html_page_says_so(server: FeedServer, db_path: Path) -> None:
    """A login (and a feed) answered with a 200 HTML page says what was sent, in words."""
    maintenance = Route(body=b"<html><body>Maintenance</body></html>")
    maintenance.headers = {"Content-Type": "text/html"}
    server.prefix_routes["/xrpc/"] = lambda p: maintenance
    env = {"BLUESKY_HANDLE": "searcher.bsky.social", "BLUESKY_APP_PASSWORD": PASSWORD}
    report = poll(db_path, config(server, handles=["a.bsky.social"], queries=["Kestrel"]), env)
    html = f"127.0.0.1:{server.port} sent an HTML page, not JSON (HTTP 200)"
    assert report.error == (
        f"bluesky/feed:a.bsky.social: {html}; bluesky/search:Kestrel: Bluesky login failed: {html}"
    )


def test_rate_limit_pauses_bluesky_until_its_reset(server: FeedServer, db_path: Path) -> None:
    """A 429 pauses Bluesky until `ratelimit-reset`; the next poll waits instead of asking."""
    reset = int(BASE_TIME.timestamp()) + 300
    answer(
        server,
        "app.bsky.feed.getAuthorFeed",
        lambda q: body({"error": "RateLimitExceeded"}, 429, **{"ratelimit-reset": str(reset)}),
    )
    cfg = config(server, handles=["critic.bsky.social", "other.bsky.social"])
    report = poll(db_path, cfg)
    assert report.error is not None and "rate limited" in report.error
    assert report.next_poll_at is not None
    assert int(report.next_poll_at.timestamp()) >= reset
    assert sum(n for p, n in server.hits.items() if "getAuthorFeed" in p) == 1
    again = poll(db_path, cfg)
    assert again.error is not None and "paused until" in again.error
    assert sum(n for p, n in server.hits.items() if "getAuthorFeed" in p) == 1


def test_bluesky_is_built_only_when_configured(server: FeedServer) -> None:
    """A config without [bluesky] handles or queries starts no Bluesky source."""
    assert not [s for s in build_sources(Config(), environ={}) if s.name == "bluesky"]
    names = [s.name for s in build_sources(config(server, handles=["a.bsky.social"]), environ={})]
    assert "bluesky" in names
