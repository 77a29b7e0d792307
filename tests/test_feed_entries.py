"""Feed entries that cannot work beside the rest: a built-in source's name, an address
that cannot be polled, an address another feed polls already."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cache.db.store import Store

BAD_OPML = """<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
<outline text="good" title="good" type="rss" xmlUrl="http://127.0.0.1:8765/ok.xml"/>
<outline text="v6" title="v6" type="rss" xmlUrl="http://[::1/feed"/>
<outline text="nohost" title="nohost" type="rss" xmlUrl="http:///feed"/>
<outline text="mastodon" title="mastodon" type="rss" xmlUrl="http://127.0.0.1:8765/dates.xml"/>
<outline text="x" title="x" type="rss" xmlUrl="http://127.0.0.1:8765/vanish.xml"/>
</body></opml>
"""
COMMANDS = {
    "views": ["views"],
    "export": ["export", "-o", "-"],
    "feeds list": ["feeds", "list"],
    "collect": ["collect", "--once"],
}


def _feed(name: str, url: str) -> str:
    return f'[[feeds]]\nname = "{name}"\nurl = "{url}"\n'


@pytest.mark.parametrize(
    "name",
    [
        "x",
        "x-stream",
        "mastodon",
        "mastodon-stream",
        "bluesky",
        "bluesky-jetstream",
        "demo",
        "x:search",
        "mastodon/tag:kestrel",
    ],
)
def test_a_feed_named_like_a_built_in_source_is_a_config_error(
    tmp_path: Path, cli, name: str
) -> None:
    """`[[feeds]] name = "x"` beside `[x]` stops with exit 2 naming the key and the name."""
    config = tmp_path / "c.toml"
    config.write_text('[x]\nqueries = ["Kestrel"]\n' + _feed(name, "https://a.example/f"))
    run = cli("collect", "--once", "--config", config, "--db", tmp_path / "s.db")
    assert run.code == 2
    assert "'feeds[0].name'" in run.err and name.split("/")[0].split(":")[0] in run.err
    assert not (tmp_path / "s.db").exists()


def test_every_built_in_source_name_is_reserved() -> None:
    """The collector's sources, everything configured, all have reserved names."""
    from cache.live.collector import build_sources
    from sources.model.config import BlueskySection, Config, MastodonSection, XSection
    from sources.model.feed_rules import BUILT_IN_SOURCES

    config = Config(
        x=XSection(stream=True),
        bluesky=BlueskySection(handles=["kestrel.bsky.social"], jetstream=True),
        mastodon=MastodonSection(instance="https://m.example", hashtags=["k"], stream=True),
    )
    names = {s.name for s in build_sources(config, environ={"X_BEARER_TOKEN": "t"})}
    assert names == set(BUILT_IN_SOURCES) - {"demo"}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize(
    "url",
    ["http://[::1", "http://", "http:///x", "http://127.0.0.1:99999/", "https://exa mple.org/"],
)
def test_an_unusable_feed_address_is_a_config_error(
    tmp_path: Path, cli, command: list[str], url: str
) -> None:
    """Each command stops with exit 2 naming the key and the feed, never a traceback."""
    config = tmp_path / "c.toml"
    config.write_text(_feed("ok", "https://a.example/f") + _feed("broken", url))
    run = cli(*command, "--config", config, "--db", tmp_path / "s.db")
    assert run.code == 2, run.err
    assert "'feeds[1].url' of feed 'broken'" in run.err, run.err
    assert not (tmp_path / "s.db").exists()


def test_import_skips_bad_addresses_and_renames_built_in_names(tmp_path: Path, cli) -> None:
    """Unusable outlines are skipped by name, the good ones added, `x`/`mastodon` renamed."""
    opml = tmp_path / "bad.opml"
    opml.write_text(BAD_OPML, encoding="utf-8")
    config = tmp_path / "c.toml"
    run = cli("feeds", "import", opml, "--config", config)
    assert run.code == 0, run.err
    assert "skipped v6: 'http://[::1/feed' is not a valid address" in run.out
    assert "skipped nohost: 'http:///feed' has no host name" in run.out
    assert "renamed 'mastodon' is named 'feed mastodon'" in run.out
    names = [f["name"] for f in tomllib.loads(config.read_text("utf-8"))["feeds"]]
    assert names == ["good", "feed mastodon", "feed x"]
    Store.open(tmp_path / "s.db").close()
    assert cli("feeds", "list", "--config", config, "--db", tmp_path / "s.db").code == 0


def test_two_feeds_with_one_address_load_with_one_warning_naming_both(tmp_path: Path, cli) -> None:
    """The config still loads; stderr names both feeds once per command."""
    config = tmp_path / "c.toml"
    config.write_text(
        _feed("a", "http://127.0.0.1:8765/ok.xml") + _feed("b", "HTTP://127.0.0.1:8765/ok.xml")
    )
    Store.open(tmp_path / "s.db").close()
    for command in (["views"], ["feeds", "list"]):
        run = cli(*command, "--config", config, "--db", tmp_path / "s.db")
        assert run.code == 0, run.err
        warnings = [line for line in run.err.splitlines() if "same address" in line]
        assert len(warnings) == 1 and "'a'" in warnings[0] and "'b'" in warnings[0], run.err
