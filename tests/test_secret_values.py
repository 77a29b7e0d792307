"""Secrets as they arrive in the environment after a copy and paste: a trailing line
break or spaces are dropped; a typographic quote or a control character inside is named,
with its variable and never its value, and only what needs that secret stops."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

from cache.live.collector import Collector, build_sources
from sources.bluesky.source import BlueskySource
from sources.mastodon.source import MastodonSource
from sources.model.config import Config, FeedSection
from sources.x.source import XSource
from tests.builders import BASE_TIME, page, rss, tweet
from tests.feedserver import FeedServer
from tests.test_bluesky_source import answer as bsky_answer
from tests.test_bluesky_source import body as bsky_body
from tests.test_bluesky_source import config as bsky_config
from tests.test_bluesky_source import real as bsky_real
from tests.test_mastodon_source import answer, body, config, recorded
from tests.test_x_source import CRITIC, SEARCH, search_only

TOKEN = "masto-test-token-do-not-leak"
QUOTED = "\u201c" + TOKEN + "\u201d"


@pytest.fixture
def server(realworld: Path):
    with FeedServer() as running:
        yield running


def _mastodon_scene(server: FeedServer) -> Config:
    timeline = recorded("mastodonpy_test_hashtag_tl", "/timelines/tag/hoot")
    answer(server, "/api/v1/timelines/tag/hoot", lambda q: body(timeline))
    search = recorded("mastodonpy_test_entity_searchv2", "/api/v2/search")
    answer(server, "/api/v2/search", lambda q: body(search))
    return config(server, hashtags=["hoot"], queries=["halcy"])


def _poll_mastodon(db_path: Path, cfg: Config, token: str):
    source = MastodonSource(cfg, environ={"MASTODON_ACCESS_TOKEN": token})
    return Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME).poll_source(
        "mastodon"
    )


@pytest.mark.parametrize("pasted", [TOKEN + "\r", TOKEN + "\r\n", f"  {TOKEN} "])
def test_a_token_with_a_trailing_line_break_is_used_without_it(
    server: FeedServer, db_path: Path, pasted: str
) -> None:
    """MASTODON_ACCESS_TOKEN copied from a Windows .env file (CR at the end) still searches."""
    report = _poll_mastodon(db_path, _mastodon_scene(server), pasted)
    assert report.error is None and report.new > 1
    headers = next(h for p, h in server.request_headers.items() if "/api/v2/search" in p)
    assert headers[-1]["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("pasted", "named"),
    [
        (QUOTED, "typographic quote (U+201C) at position 1"),
        ("masto\ttoken", "control character (U+0009) at position 6"),
        ("masto\ntoken", "line break at position 6"),
        (f'"{TOKEN}"', "wrapped in quotes"),
    ],
)
def test_a_token_that_cannot_be_sent_stops_search_only_and_says_which_variable(
    server: FeedServer, db_path: Path, pasted: str, named: str
) -> None:
    """A token holding a quote typed by a word processor: the public hashtag is still read,
    and search says MASTODON_ACCESS_TOKEN cannot be used and why, without the token."""
    report = _poll_mastodon(db_path, _mastodon_scene(server), pasted)
    assert report.new >= 1  # the hashtag timeline needs no token
    assert report.error is not None
    assert "mastodon/search:halcy" in report.error and "MASTODON_ACCESS_TOKEN" in report.error
    assert named in report.error
    assert "cannot reach" not in report.error
    assert TOKEN not in report.error and "masto\t" not in report.error
    assert not any("/api/v2/search" in p for p in server.hits)


def test_a_bluesky_password_that_cannot_be_sent_stops_search_and_the_feeds_go_on(
    server: FeedServer, db_path: Path
) -> None:
    """BLUESKY_APP_PASSWORD in typographic quotes: search names it; author feeds arrive."""
    bsky_answer(
        server,
        "app.bsky.feed.getAuthorFeed",
        lambda q: bsky_body(bsky_real("atprotodart_getAuthorFeed.json")),
    )
    bsky_answer(server, "app.bsky.actor.getProfiles", lambda q: bsky_body({"profiles": []}))
    cfg = bsky_config(server, handles=["shinyakato.dev"], queries=["Kestrel"], max_pages=1)
    env = {"BLUESKY_HANDLE": "me.bsky.social", "BLUESKY_APP_PASSWORD": "\u201cabcd-efgh\u201d"}
    source = BlueskySource(cfg, environ=env)
    report = Collector(cfg, db_path, sources=[source], clock=lambda: BASE_TIME).poll_source(
        "bluesky"
    )
    assert report.new == 46
    assert report.error is not None and "BLUESKY_APP_PASSWORD" in report.error
    assert "typographic quote" in report.error and "abcd-efgh" not in report.error
    assert not any("createSession" in p for p in server.hits)


def test_an_x_token_in_typographic_quotes_stops_x_with_its_name_and_feeds_go_on(
    db_path: Path,
) -> None:
    """X_BEARER_TOKEN in quotes: X stops saying the variable holds a quote (no traceback,
    no 'internal error', no request), and the feeds are polled."""
    with FeedServer() as server, responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_passthru(server.url(""))
        server.feed("/f.xml", rss("F", [{"title": "Kestrel", "link": "https://n.example/1"}]))
        from sources.feeds.source import FeedSource

        feed = FeedSource(FeedSection(name="f", url=server.url("/f.xml")))
        x = XSource(search_only(), token="\u201cAAAA-secret-token\u201d")
        reports = {
            r.name: r for r in Collector(search_only(), db_path, sources=[x, feed]).run_once()
        }
        assert not [c for c in api.calls if "twitter" in str(c.request.url)]
    assert reports["x"].stopped and reports["x"].error is not None
    assert "X_BEARER_TOKEN" in reports["x"].error and "typographic quote" in reports["x"].error
    assert "AAAA-secret-token" not in reports["x"].error
    assert reports["f"].new == 1


def test_an_x_token_from_the_environment_with_a_cr_searches(
    db_path: Path, tmp_path: Path, cli, monkeypatch
) -> None:
    """`collect` with X_BEARER_TOKEN ending in CR sends the token without it, prints it nowhere."""
    token = "AAAA-test-bearer-token-do-not-leak"
    monkeypatch.setenv("X_BEARER_TOKEN", token + "\r")
    cfg = tmp_path / "x.toml"
    cfg.write_text(
        '[x]\nqueries = ["Kestrel"]\nmentions_timeline = false\nambassador_timelines = false\n'
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.get(SEARCH, json=page([tweet(CRITIC, "Kestrel")], [CRITIC]))
        run = cli("collect", "--once", "--config", cfg, "--db", db_path)
        sent = [c.request.headers["Authorization"] for c in api.calls]
    assert run.code == 0, run.err
    assert sent == [f"Bearer {token}"]
    assert token not in run.out + run.err


def test_a_blank_secret_counts_as_unset() -> None:
    """A variable holding only a line break is treated as not set (X then says it is not set)."""
    from sources.model.secret_env import read_secret

    secret = read_secret({"X_BEARER_TOKEN": "\r\n"}, "X_BEARER_TOKEN")
    assert (secret.value, secret.problem) == ("", None)
    assert not [s for s in build_sources(search_only(), environ={"X_BEARER_TOKEN": "\r"})]


def test_a_server_echoing_the_token_sent_without_its_cr_is_redacted() -> None:
    """The token as sent (without the CR the variable ends in) never reaches an error text."""
    from sources.model.redact import redact
    from sources.model.secret_env import withheld_secrets

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MASTODON_ACCESS_TOKEN", TOKEN + "\r")
        with withheld_secrets():
            assert TOKEN not in redact(f"401: token {TOKEN}; is invalid")


@pytest.mark.parametrize(
    ("text", "variable"),
    [
        ('[x]\nbearer_token = "AAAA-in-the-file"\n', "X_BEARER_TOKEN"),
        ('X_BEARER_TOKEN = "AAAA-in-the-file"\n', "X_BEARER_TOKEN"),
        ('[bluesky]\napp_password = "AAAA-in-the-file"\n', "BLUESKY_APP_PASSWORD"),
        ('[bluesky]\npassword = "AAAA-in-the-file"\n', "BLUESKY_APP_PASSWORD"),
        ('[mastodon]\naccess_token = "AAAA-in-the-file"\n', "MASTODON_ACCESS_TOKEN"),
    ],
)
def test_a_secret_put_in_the_config_is_refused_naming_its_variable(
    tmp_path: Path, text: str, variable: str
) -> None:
    """A token written into the config is refused saying which environment variable it
    belongs in, and the value is not echoed."""
    from sources.model.config import ConfigError, load_config

    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f"set the {variable} environment variable instead" in message
    assert "AAAA-in-the-file" not in message
