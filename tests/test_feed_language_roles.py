"""Feed items: a language even when the feed declares none, and people's feeds (Mastodon,
Bluesky, Reddit) give people's roles, not `press`."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

import sources.feeds.language
from cache.db.store import Store
from sources.feeds.language import detect_language
from sources.feeds.parse import parse_feed, people_platform
from tests.builders import rss

GERMAN = "Beschäftigte legen in Leipzig die Arbeit nieder, die Gewerkschaft ruft zum Streik auf"
ENGLISH = "Workers at the warehouse walked out this morning over the heat in the building"


def exported(cli: Any, db_path: Path, query: str) -> list[dict[str, Any]]:
    run = cli("export", "--db", db_path, "--format", "jsonl", f"--query={query}")
    assert run.code == 0, run.err
    return [json.loads(line) for line in run.out.splitlines()]


def test_items_of_a_feed_without_language_get_one_so_lang_de_finds_them(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """`lang:de` finds the German item of a feed that declares no language; a text too
    short to tell stays `und`."""
    feed = tmp_path / "blog.xml"
    items = [
        {"title": GERMAN, "link": "https://blog.example/1"},
        {"title": ENGLISH, "link": "https://blog.example/2"},
        {"title": "Streik!", "link": "https://blog.example/3"},
    ]
    feed.write_bytes(rss("Ein Blog", items, lang=""))
    assert cli("import", "--db", db_path, feed).code == 0
    assert [r["url"] for r in exported(cli, db_path, "lang:de")] == ["https://blog.example/1"]
    assert [r["url"] for r in exported(cli, db_path, "lang:en")] == ["https://blog.example/2"]
    assert [r["url"] for r in exported(cli, db_path, "lang:und")] == ["https://blog.example/3"]


def test_a_declared_language_wins_over_detection() -> None:
    """A feed that says it is German stays German, whatever its text looks like."""
    batch = parse_feed(
        rss("News", [{"title": ENGLISH, "link": "https://n.example/1"}], lang="de"), "n"
    )
    assert batch.mentions[0].lang == "de"


def test_detection_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model ships inside the package: with every connection refused it still works."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(sources.feeds.language, "_identifier", None)  # load it again, offline
    assert detect_language(GERMAN) == "de"
    assert detect_language(ENGLISH) == "en"
    assert detect_language(GERMAN) == detect_language(GERMAN)


@pytest.mark.parametrize(
    ("link", "generator", "platform"),
    [
        ("https://bsky.app/profile/someone.bsky.social/post/3abc", "", "bluesky"),
        ("https://www.reddit.com/r/antiwork/comments/abc/title/", "", "reddit"),
        ("https://old.reddit.com/r/amazonfc/comments/abc/", "", "reddit"),
        ("https://chaos.social/@someone/111544891736153138", "", "mastodon"),
        ("https://example.social/notes/9", "mastodon v4.2.1", "mastodon"),
        ("https://www.tagesschau.de/wirtschaft/streik-100.html", "", ""),
        ("https://notreddit.com.example/r/x", "", ""),
    ],
)
def test_people_feeds_are_recognised_by_link_or_generator(
    link: str, generator: str, platform: str
) -> None:
    """Posts from Bluesky, Reddit and Mastodon feeds are told apart from news articles."""
    assert people_platform(link, generator) == platform


def test_people_in_social_feeds_get_roles_like_any_poster(
    cli: Any, db_path: Path, realworld: Path
) -> None:
    """A Mastodon tag feed's and a Reddit feed's authors are `public`; a news outlet's
    author stays `press`."""
    feeds = realworld / "feeds"
    files = [
        feeds / "feeddeck_fixtures" / "mastodon__responseTag.xml",
        feeds / "feeddeck_fixtures" / "reddit__responseSubreddit.xml",
        feeds / "feed_rs_fixtures" / "rss_2.0_spiegel.xml",
    ]
    assert cli("import", "--db", db_path, *files).code == 0
    with Store.open(db_path) as store:
        roles = dict(
            store.conn.execute(
                "SELECT platform, group_concat(DISTINCT role) FROM accounts GROUP BY platform"
            ).fetchall()
        )
    assert roles == {"mastodon": "public", "reddit": "public", "rss": "press"}
