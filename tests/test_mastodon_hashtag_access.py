"""Hashtag timelines against a real Mastodon.py client and a real server on 127.0.0.1:
one request per hashtag page, and an instance that keeps its hashtags for logged-in
users says so in Echowatch's words (never as a Python warning)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cache.live.collector import Collector, PollReport
from sources.mastodon.source import TAGS_NEED_LOGIN, MastodonSource
from sources.model.config import Config, MastodonSection
from tests.builders import BASE_TIME
from tests.feedserver import FeedServer, Route
from tests.social_builders import masto_status

JSON = {"Content-Type": "application/json; charset=utf-8"}
LOGGED_IN_ONLY = {
    "domain": "127.0.0.1",
    "version": "4.3.0",
    "configuration": {
        "timelines_access": {"hashtag_feeds": {"local": "authenticated", "remote": "disabled"}}
    },
}


@pytest.fixture
def server(realworld: Path) -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def body(payload: Any, status: int = 200) -> Route:
    return Route(status=status, body=json.dumps(payload).encode(), headers=dict(JSON))


def poll(db_path: Path, server: FeedServer, hashtags: list[str]) -> PollReport:
    cfg = Config(mastodon=MastodonSection(instance=server.url(""), hashtags=hashtags))
    source = MastodonSource(cfg, environ={})
    return Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME).poll_source(
        "mastodon"
    )


def test_each_hashtag_costs_one_request_not_two(server: FeedServer, db_path: Path) -> None:
    """Hashtags are read without asking the instance about its timelines before each one
    (an instance without /api/v2/instance would be asked, and fail, every time)."""
    for number, tag in enumerate(["verdi", "streik"], 1):
        page = body([masto_status("verdi.social", str(number), "union", f"<p>#{tag} heute</p>")])
        server.routes[f"/api/v1/timelines/tag/{tag}?limit=40"] = page
    server.prefix_routes["/api/v2/instance"] = lambda p: body({"error": "Not found"}, 404)
    report = poll(db_path, server, ["verdi", "streik"])
    assert (report.new, report.error) == (2, None)
    assert not any("/instance" in p for p in server.hits), dict(server.hits)
    assert sum(server.hits.values()) == 2


def test_hashtags_for_logged_in_users_only_name_the_token_to_set(
    server: FeedServer, db_path: Path
) -> None:
    """An instance whose hashtag timelines need a login (422 without a token) gives the
    hashtag an error naming MASTODON_ACCESS_TOKEN, and no Python warning is printed."""
    server.prefix_routes["/api/v2/instance"] = lambda p: body(LOGGED_IN_ONLY)
    server.prefix_routes["/api/v1/timelines/tag/verdi"] = lambda p: body(
        {"error": "This method requires an authenticated user"}, 422
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = poll(db_path, server, ["verdi"])
    assert [str(w.message) for w in caught] == []
    assert report.error == f"mastodon/tag:verdi: {TAGS_NEED_LOGIN}"
    assert TAGS_NEED_LOGIN == (
        "the instance allows hashtag timelines only to logged-in users: set MASTODON_ACCESS_TOKEN"
    )
