"""The Mastodon source: Mastodon.py's real client against a real HTTP server on 127.0.0.1
serving the recorded answers in ../shared/realworld/mastodon, a real store."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cache.db.store import Store
from cache.live.collector import Collector, PollReport
from sources.mastodon.source import NO_TOKEN, MastodonSource
from sources.mastodon.statuses import parse_statuses
from sources.model.config import Config, MastodonSection
from sources.model.records import utc_now
from tests.builders import BASE_TIME
from tests.conftest import REALWORLD
from tests.feedserver import FeedServer, Route
from tests.social_builders import masto_status

TOKEN = "masto-test-token-do-not-leak"
JSON = {"Content-Type": "application/json; charset=utf-8"}


def bodies(name: str) -> list[dict[str, Any]]:
    return json.loads((REALWORLD / "mastodon" / f"{name}.bodies.json").read_text())


def recorded(name: str, uri_part: str) -> Any:
    return next(b["body"] for b in bodies(name) if uri_part in b["uri"] and b["method"] == "GET")


@pytest.fixture
def server(realworld: Path) -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def answer(server: FeedServer, path: str, make: Callable[[dict[str, str]], Route]) -> None:
    def route(full: str) -> Route:
        return make({k: v[0] for k, v in parse_qs(urlsplit(full).query).items()})

    server.prefix_routes[path] = route


def body(payload: Any, status: int = 200, **headers: str) -> Route:
    return Route(status=status, body=json.dumps(payload).encode(), headers={**JSON, **headers})


def config(server: FeedServer, **mastodon: Any) -> Config:
    return Config(mastodon=MastodonSection(instance=server.url(""), **mastodon))


def poll(
    db_path: Path,
    cfg: Config,
    env: dict[str, str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> PollReport:
    source = MastodonSource(cfg, environ=env or {})
    collector = Collector(cfg, db_path, sources=[source], clock=clock or (lambda: BASE_TIME))
    return collector.poll_source("mastodon")


def stored(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with Store.open(db_path, readonly=True) as store:
        return list(store.rows(sql, params))


def test_hashtag_timeline_stores_real_statuses_as_plain_text(
    server: FeedServer, db_path: Path
) -> None:
    """A public hashtag arrives with language, author and bio as text, with no account."""
    timeline = recorded("mastodonpy_test_hashtag_tl", "/timelines/tag/hoot")
    answer(server, "/api/v1/timelines/tag/hoot", lambda q: body(timeline))
    report = poll(db_path, config(server, hashtags=["#hoot"]))
    assert (report.new, report.error) == (1, None)
    host = f"127.0.0.1:{server.port}"
    row = stored(db_path, "SELECT * FROM mentions")[0]
    status = timeline[0]
    assert row["id"] == f"mastodon:{host}:{status['id']}"
    assert (row["platform"], row["source"], row["lang"]) == ("mastodon", "mastodon:tag", "ja")
    assert "<" not in row["text"] and row["text"]
    assert row["author"] == f"{status['account']['acct']}@{host}"
    assert stored(db_path, "SELECT key FROM accounts")[0]["key"].startswith(f"mastodon:{host}:")
    headers = next(h for p, h in server.request_headers.items() if "/tag/hoot" in p)[0]
    assert "Authorization" not in headers


def test_reply_and_quote_link_the_thread(server: FeedServer, db_path: Path) -> None:
    """`in_reply_to_id` and a Mastodon quote become the same links as on X."""
    statuses = bodies("mastodonpy_test_status_reply_with_quote")
    both = next(
        b["body"] for b in statuses if b["body"].get("in_reply_to_id") and b["body"].get("quote")
    )
    answer(server, "/api/v1/timelines/tag/kestrel", lambda q: body([both]))
    poll(db_path, config(server, hashtags=["kestrel"]))
    host = f"127.0.0.1:{server.port}"
    row = stored(
        db_path, "SELECT * FROM mentions WHERE id = ?", (f"mastodon:{host}:{both['id']}",)
    )[0]
    assert row["kind"] == "reply"
    assert row["in_reply_to"] == f"mastodon:{host}:{both['in_reply_to_id']}"
    assert row["quoted_id"] == f"mastodon:{host}:{both['quote']['quoted_status']['id']}"
    assert "RE:" not in row["text"] and "check this out" in row["text"]
    bio = stored(db_path, "SELECT bio FROM accounts WHERE key = ?", (row["author_key"],))
    assert bio[0]["bio"] == "I walk funny"  # the note, its HTML reduced to text
    # The quoted status came inside the answer, so the thread can show it.
    assert stored(db_path, "SELECT id FROM mentions WHERE id = ?", (row["quoted_id"],))


def test_boosts_are_not_new_mentions(server: FeedServer, db_path: Path) -> None:
    """A boost of someone's post adds nothing: only the union's own words are stored."""
    original = masto_status("verdi.social", "9001", "critic", "<p>Streik bei Kestrel</p>")
    boost = masto_status("verdi.social", "9002", "union", "", reblog=original)
    own = masto_status("verdi.social", "9003", "union", "<p>Wir streiken!</p>")
    answer(server, "/api/v1/timelines/tag/streik", lambda q: body([own, boost]))
    report = poll(db_path, config(server, hashtags=["streik"]))
    assert report.new == 1
    assert [r["text"] for r in stored(db_path, "SELECT text FROM mentions")] == ["Wir streiken!"]


def test_account_statuses_page_back_and_resume_with_since_id(
    server: FeedServer, db_path: Path
) -> None:
    """An account's statuses are read page by page, and a restart asks only for newer ones."""
    account = recorded("mastodonpy_test_entity_account", "/accounts/23972")
    pages = [b for b in bodies("mastodonpy_test_fetch_next_previous")]
    first, second = pages[0]["body"], pages[1]["body"]
    answer(server, "/api/v1/accounts/lookup", lambda q: body(account))
    calls: list[dict[str, str]] = []

    def statuses(q: dict[str, str]) -> Route:
        calls.append(q)
        if "since_id" in q:
            return body([])
        return body(second if q.get("max_id") else first)

    answer(server, f"/api/v1/accounts/{account['id']}/statuses", statuses)
    cfg = config(server, accounts=["@halcy"], max_pages=2)
    import sources.mastodon.source as module

    page_size = module.PAGE_SIZE
    module.PAGE_SIZE = len(first)  # the recorded pages hold 5 statuses each
    try:
        report = poll(db_path, cfg)
        assert (report.new, report.error) == (10, None)
        assert calls[1]["max_id"] == min(s["id"] for s in first)
        newest = max(first, key=lambda s: int(s["id"]))["id"]
        state = stored(
            db_path, "SELECT cursor FROM source_state WHERE name = 'mastodon/account:halcy'"
        )
        assert state[0]["cursor"] == newest
        again = poll(db_path, cfg)
    finally:
        module.PAGE_SIZE = page_size
    assert (again.new, again.error) == (0, None)
    assert calls[-1]["since_id"] == newest
    assert calls[0]["exclude_reblogs"] == "1"


def test_an_unknown_account_is_reported_and_the_hashtags_go_on(
    server: FeedServer, db_path: Path
) -> None:
    """A misspelt account name is named in the error; the other timelines are still read."""
    timeline = recorded("mastodonpy_test_hashtag_tl", "/timelines/tag/hoot")
    answer(server, "/api/v1/accounts/lookup", lambda q: body({"error": "Record not found"}, 404))
    answer(server, "/api/v1/timelines/tag/hoot", lambda q: body(timeline))
    report = poll(db_path, config(server, accounts=["nobody"], hashtags=["hoot"]))
    assert report.new == 1
    assert report.error is not None and "mastodon/account:nobody" in report.error


def test_search_needs_a_token_and_uses_it(server: FeedServer, db_path: Path) -> None:
    """Search without MASTODON_ACCESS_TOKEN says so; with it, results arrive and the
    token reaches neither the store nor an error."""
    search = recorded("mastodonpy_test_entity_searchv2", "/api/v2/search")
    answer(server, "/api/v2/search", lambda q: body(search))
    cfg = config(server, queries=["halcy"])
    report = poll(db_path, cfg)
    assert report.error is not None and NO_TOKEN in report.error
    report = poll(db_path, cfg, {"MASTODON_ACCESS_TOKEN": TOKEN})
    assert report.error is None and report.new == len(search["statuses"])
    headers = next(h for p, h in server.request_headers.items() if "/api/v2/search" in p)
    assert headers[-1]["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN.encode() not in db_path.read_bytes()


def test_rate_limit_pauses_mastodon_until_the_reset(server: FeedServer, db_path: Path) -> None:
    """A 429 with X-RateLimit-Reset pauses this source until then instead of sleeping."""
    now = utc_now()
    reset = (now + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    answer(
        server,
        "/api/v1/timelines/tag/hoot",
        lambda q: body({"error": "Too many requests"}, 429, **{"X-RateLimit-Reset": reset}),
    )
    report = poll(db_path, config(server, hashtags=["hoot", "streik"]), clock=lambda: now)
    assert report.error is not None and "rate limited" in report.error
    assert report.next_poll_at is not None
    assert report.next_poll_at >= now + timedelta(minutes=4)
    assert not any("/tag/streik" in p for p in server.hits)  # the limit covers the instance


def test_hostile_html_and_markup_are_kept_as_literal_text(
    server: FeedServer, db_path: Path
) -> None:
    """Markup in a status or a name is stored as the characters it is; HTML tags are
    dropped (a script's body with them), escaped entities stay text, never tags."""
    hostile = masto_status(
        "evil.example",
        "6001",
        "troll",
        "<p>[bold red]Streik[/] [@click=app.quit]x &lt;b&gt;fett&lt;/b&gt;\x1b[2J"
        "<script>alert(1)</script></p>",
        name="[bold]Derek[/bold]",
        note="<p>a [/] b</p>",
    )
    answer(server, "/api/v1/timelines/tag/evil", lambda q: body([hostile]))
    poll(db_path, config(server, hashtags=["evil"]))
    row = stored(db_path, "SELECT text, author_name FROM mentions")[0]
    assert row["text"] == "[bold red]Streik[/] [@click=app.quit]x <b>fett</b>\x1b[2J"
    assert row["author_name"] == "[bold]Derek[/bold]"
    assert stored(db_path, "SELECT bio FROM accounts")[0]["bio"] == "a [/] b"


@pytest.mark.parametrize(
    ("instance", "host"),
    [
        ("https://Mastodon.Social:443/", "mastodon.social"),
        ("https://mastodon.social", "mastodon.social"),
        ("https://mastodon.social:8443/", "mastodon.social:8443"),
        ("http://Social.Example:80/", "social.example"),
    ],
)
def test_the_configured_instance_names_its_posts_without_the_default_port(
    instance: str, host: str
) -> None:
    """`[mastodon] instance = "https://mastodon.social:443/"` gives posts the ids of
    `https://mastodon.social` (mastodon:mastodon.social:ID); another port stays in them."""
    source = MastodonSource(Config(mastodon=MastodonSection(instance=instance)), environ={})
    batch = parse_statuses(
        [masto_status("x.example", "1", "anna", "hi")], "mastodon:tag", source.host
    )
    assert [m.id for m in batch.mentions] == [f"mastodon:{host}:1"]


def test_an_answer_with_a_number_too_long_is_not_mastodon_json(
    server: FeedServer, db_path: Path
) -> None:
    """A JSON answer holding a 5,000-digit number is an unreadable answer, not a crash."""
    huge = Route(body=b'[{"id": ' + b"5" * 5000 + b"}]")
    huge.headers = {"Content-Type": "application/json; charset=utf-8"}
    answer(server, "/api/v1/timelines/tag/hoot", lambda q: huge)
    report = poll(db_path, config(server, hashtags=["hoot"]))
    assert report.error is not None and "internal error" not in report.error
    assert f"127.0.0.1:{server.port} sent an answer that is not Mastodon JSON" in report.error


def test_an_html_page_is_not_mastodon_json(server: FeedServer, db_path: Path) -> None:
    """A bot-check HTML page answered 200 says so, naming the host, not "Mastodon refused it"."""
    page = Route(body=b"<html><body>Checking your browser</body></html>")
    page.headers = {"Content-Type": "text/html; charset=utf-8"}
    answer(server, "/api/v1/timelines/tag/hoot", lambda q: page)
    report = poll(db_path, config(server, hashtags=["hoot"]))
    host = f"127.0.0.1:{server.port}"
    assert report.error is not None
    assert f"{host} sent an HTML page, not Mastodon JSON" in report.error, report.error
    assert "refused" not in report.error


def test_a_429_with_retry_after_pauses_for_what_it_asks(server: FeedServer, db_path: Path) -> None:
    """A 429 with Retry-After: 30 pauses Mastodon 30 s, whatever X-RateLimit-Reset says."""
    later = (BASE_TIME + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    headers = {"Retry-After": "30", "X-RateLimit-Reset": later}
    answer(
        server,
        "/api/v1/timelines/tag/hoot",
        lambda q: body({"error": "Too many requests"}, 429, **headers),
    )
    report = poll(db_path, config(server, hashtags=["hoot"]))
    assert report.error is not None
    assert "rate limited: paused until 2026-11-02T09:00:30Z" in report.error, report.error
    assert report.next_poll_at == BASE_TIME + timedelta(seconds=120)  # its usual interval


def test_search_never_asks_a_failing_instance_for_its_version(
    server: FeedServer, db_path: Path
) -> None:
    """With the instance endpoints answering 503, a second search poll (with `min_id`)
    stores what it finds in a few requests, instead of flooding the instance."""
    search = recorded("mastodonpy_test_entity_searchv2", "/api/v2/search")
    answer(
        server, "/api/v2/search", lambda q: body(search if "min_id" not in q else {"statuses": []})
    )
    for path in ("/api/v1/instance", "/api/v2/instance"):
        answer(server, path, lambda q: body({"error": "unavailable"}, 503))
    cfg = config(server, queries=["halcy"])
    env = {"MASTODON_ACCESS_TOKEN": TOKEN}
    first = poll(db_path, cfg, env)
    assert (first.new, first.error) == (len(search["statuses"]), None)
    again = poll(db_path, cfg, env, clock=lambda: BASE_TIME + timedelta(minutes=5))
    assert again.error is None, again.error
    assert sum(server.hits.values()) <= 4, dict(server.hits)
    assert not any("/instance" in p for p in server.hits), dict(server.hits)
    assert any("min_id=" in p for p in server.hits)
