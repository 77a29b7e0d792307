"""Bluesky and Mastodon end to end: `collect --once` with a config pointing `service` and
`instance` at a real HTTP server on 127.0.0.1, then the threads report, the query
language, `status` and exports, as a user runs them.

The Bluesky scene (a critic, an ambassador answering, a parody account quoting the
answer) is built from the real getAuthorFeed PostView shape (tests/social_builders.py):
the recorded payloads hold no ambassadors or parody accounts. The Mastodon statuses are
the real recorded hashtag timeline entry with a union account's name and words.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cache.db.store import Store
from tests.builders import BASE_TIME
from tests.feedserver import FeedServer, Route
from tests.jetstream_server import Jetstream
from tests.social_builders import bsky_author, bsky_feed, bsky_post, masto_status

CRITIC = bsky_author("lagerstimme.bsky.social", "Lagerstimme")
AMBASSADOR = bsky_author("ava-kestrel.bsky.social", "Ava | Kestrel")
# Only the bio (read with getProfiles) says "parody": without it the display name would
# pass for an ambassador's, so the role shows the profile read reached the rules.
PARODY = bsky_author("kestrel-echo.bsky.social", "Kestrel Ambassador Ava")
PARODY_PROFILE = {**PARODY, "description": "Parody. Not affiliated with Kestrel."}

ROOT = bsky_post(CRITIC, "Kestrel: Streik im Lager, die Löhne reichen nicht", langs=["de"])
ANSWER = bsky_post(
    AMBASSADOR,
    "Wir zahlen über Tarif und sprechen gern mit euch #Markenbotschafter",
    langs=["de"],
    reply_to=ROOT,
    at=BASE_TIME + timedelta(minutes=4),
)
MOCKERY = bsky_post(
    PARODY,
    "Textbaustein Nummer 12, frisch aus der Zentrale",
    langs=["de"],
    quotes=ANSWER,
    at=BASE_TIME + timedelta(minutes=9),
)
FEEDS = {
    CRITIC["handle"]: bsky_feed(ROOT),
    AMBASSADOR["handle"]: bsky_feed(ANSWER),
    PARODY["handle"]: bsky_feed(MOCKERY),
}


@pytest.fixture
def server(realworld: Path) -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def _json(payload: Any) -> Route:
    return Route(body=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})


def _query(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query)


def serve_scene(server: FeedServer) -> None:
    server.prefix_routes["/xrpc/app.bsky.feed.getAuthorFeed"] = lambda p: _json(
        FEEDS[_query(p)["actor"][0]]
    )
    profiles = {a["did"]: a for a in (CRITIC, AMBASSADOR, PARODY_PROFILE)}
    server.prefix_routes["/xrpc/app.bsky.actor.getProfiles"] = lambda p: _json(
        {"profiles": [profiles[d] for d in _query(p)["actors"] if d in profiles]}
    )
    host = f"127.0.0.1:{server.port}"
    union = masto_status(
        host,
        "7001",
        "verdi_lager",
        "<p>Morgen <strong>Streik</strong> bei Kestrel in Bad Hersfeld!</p>",
        account_id="42",
        name="ver.di Logistik",
        note="<p>Gewerkschaft ver.di, Fachbereich Logistik</p>",
    )
    reply = masto_status(
        host, "7002", "fahrer_tom", "<p>Bin dabei.</p>", account_id="43", reply_to="7001"
    )
    server.prefix_routes["/api/v1/timelines/tag/kestrel"] = lambda p: _json([reply, union])


def write_config(tmp_path: Path, server: FeedServer) -> Path:
    config = tmp_path / "echowatch.toml"
    config.write_text(
        f"""
[company]
name = "Kestrel"
handles = ["kestrel.bsky.social"]

[accounts]
ambassadors = ["ava-kestrel.bsky.social"]

[bluesky]
service = "{server.url("")}"
handles = ["{CRITIC["handle"]}", "{AMBASSADOR["handle"]}", "{PARODY["handle"]}"]

[mastodon]
instance = "{server.url("")}"
hashtags = ["kestrel"]
""",
        encoding="utf-8",
    )
    return config


@pytest.mark.slow  # a whole collect round against two local servers (seconds)
def test_collect_once_stores_bluesky_and_mastodon_with_roles_languages_and_threads(
    server: FeedServer, tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """One collector round fills the store from both services and the threads report
    shows the ambassador's Bluesky answer and the parody account's quote of it."""
    serve_scene(server)
    config = write_config(tmp_path, server)
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 0, run.err
    with Store.open(db_path, readonly=True) as store:
        rows = {r["author"]: r for r in store.rows("SELECT * FROM mentions")}
    assert {r["platform"] for r in rows.values()} == {"bluesky", "mastodon"}
    assert rows[AMBASSADOR["handle"]]["role"] == "ambassador"
    assert rows[PARODY["handle"]]["role"] == "parody"
    assert rows[CRITIC["handle"]]["lang"] == "de"
    union = rows[f"verdi_lager@127.0.0.1:{server.port}"]
    assert union["lang"] == "de" and union["text"] == "Morgen Streik bei Kestrel in Bad Hersfeld!"
    assert rows[f"fahrer_tom@127.0.0.1:{server.port}"]["in_reply_to"] == union["id"]

    report = cli("export", "--db", db_path, "--report", "threads")
    assert report.code == 0, report.err
    threads = {t["id"]: t for t in json.loads(report.out)["threads"]}
    thread = threads["bluesky:" + ROOT["uri"]]
    assert thread["author"] == CRITIC["handle"] and "strikes" in thread["topics"]
    assert [(r["author"], r["latency_s"]) for r in thread["replies"]] == [
        (AMBASSADOR["handle"], 240)
    ]
    assert [(p["author"], p["kind"], p["target"]) for p in thread["parody_reactions"]] == [
        (PARODY["handle"], "quote", "bluesky:" + ANSWER["uri"])
    ]
    assert "bluesky:" + union["id"] not in threads


def test_platform_queries_status_and_exports_cover_both_services(
    server: FeedServer, tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """`platform:bluesky|mastodon` selects, exports carry bsky.app links, and `status`
    names each Bluesky and Mastodon source with its health."""
    serve_scene(server)
    config = write_config(tmp_path, server)
    cli("collect", "--once", "--config", config, "--db", db_path)
    bluesky = cli("export", "--db", db_path, "--format", "jsonl", "--query", "platform:bluesky")
    assert bluesky.code == 0, bluesky.err
    assert {json.loads(line)["platform"] for line in bluesky.out.splitlines()} == {"bluesky"}
    urls = {json.loads(line)["url"] for line in bluesky.out.splitlines()}
    assert (
        f"https://bsky.app/profile/{CRITIC['handle']}/post/" + ROOT["uri"].rsplit("/")[-1] in urls
    )
    mastodon = cli("export", "--db", db_path, "--format", "csv", "--query", "platform:mastodon")
    assert mastodon.out.count("\nmastodon:") == 2
    status = cli("status", "--db", db_path)
    assert "bluesky" in status.out and "mastodon/tag:kestrel: ok" in status.out
    assert f"bluesky/feed:{CRITIC['handle']}: ok" in status.out


def test_an_echoed_app_password_reaches_no_log_status_or_store(
    server: FeedServer, tmp_path: Path, db_path: Path, cli: Any, monkeypatch: Any
) -> None:
    """A login error that repeats the app password shows it nowhere: not in the collector's
    log, not in `status`, not in the store file."""
    password = "zzzz-echo-me-back-0000"
    monkeypatch.setenv("BLUESKY_HANDLE", "watcher.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", password)
    server.prefix_routes["/xrpc/com.atproto.server.createSession"] = lambda p: Route(
        status=401,
        body=json.dumps({"error": "AuthFailed", "message": f"bad password {password}"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    config = tmp_path / "echowatch.toml"
    config.write_text(
        f'[bluesky]\nservice = "{server.url("")}"\nlogin_service = "{server.url("")}"\n'
        'queries = ["Kestrel"]\n',
        encoding="utf-8",
    )
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 1 and "BLUESKY_APP_PASSWORD" in run.err
    status = cli("status", "--db", db_path)
    stored = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    for text in (run.out, run.err, status.out):
        assert password not in text
    assert password.encode() not in stored


def test_collect_once_follows_jetstream_at_a_local_url(
    server: FeedServer, tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """With `jetstream = true` and `jetstream_url` on 127.0.0.1, one round reads the real
    recorded stream and keeps only the posts with the query's words."""
    server.prefix_routes["/xrpc/app.bsky.actor.getProfiles"] = lambda p: _json({"profiles": []})
    stream = Jetstream("jetstream_v1_corpus_expected.jsonl")
    config = tmp_path / "echowatch.toml"
    config.write_text(
        f'[company]\nhandles = ["Kestrel"]\n\n[bluesky]\nservice = "{server.url("")}"\n'
        f'jetstream = true\njetstream_url = "{stream.url}"\nqueries = ["government"]\n',
        encoding="utf-8",
    )
    try:
        run = cli("collect", "--once", "--config", config, "--db", db_path)
    finally:
        stream.close()
    # Without an account the query only filters the stream: no search fails every round.
    assert run.code == 0, run.err
    with Store.open(db_path, readonly=True) as store:
        rows = list(store.rows("SELECT source, text FROM mentions"))
    assert rows and all(r["source"] == "bluesky:jetstream" for r in rows)
    assert all("government" in r["text"].lower() for r in rows)


def test_status_sums_a_source_from_its_endpoints(
    server: FeedServer, tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """After a round where one Mastodon endpoint failed and another stored posts, the
    `mastodon` row shows that success and those posts, and every endpoint its last poll."""
    serve_scene(server)
    config = tmp_path / "echowatch.toml"
    config.write_text(
        f'[mastodon]\ninstance = "{server.url("")}"\n'
        'hashtags = ["kestrel"]\naccounts = ["nobody"]\n',
        encoding="utf-8",
    )
    cli("collect", "--once", "--config", config, "--db", db_path)
    status = cli("status", "--db", db_path)
    assert status.code == 0, status.err
    rows = {
        line.strip().split(":")[0]: line
        for line in status.out.splitlines()
        if line.startswith("  mastodon")
    }
    source = rows["mastodon"]
    assert "last error: mastodon/account:nobody" in source
    assert "last success never" not in source and "2 items seen" in source, source
    for name in ("mastodon/tag", "mastodon/account"):
        assert "last poll never" not in rows[name], rows[name]
    assert "2 items seen" in rows["mastodon/tag"]
