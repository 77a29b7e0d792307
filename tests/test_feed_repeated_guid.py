"""A feed document that lists one guid twice: the first item is kept, and the second is
named at verbose level (feed and guid), never dropped without a word."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from tests.builders import rss
from tests.feedserver import FeedServer

ITEMS = [
    {"title": "Streik bei Kestrel", "link": "https://n.example/live", "guid": "live-42"},
    {"title": "Warnstreik geht weiter", "link": "https://n.example/live", "guid": "live-42"},
    {"title": "Other news", "link": "https://n.example/other", "guid": "other-1"},
]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.feed("/live.xml", rss("Live", ITEMS))
        yield running


def _config(tmp_path: Path, server: FeedServer) -> Path:
    config = tmp_path / "echowatch.toml"
    config.write_text(f'[[feeds]]\nname = "liveblog"\nurl = "{server.url("/live.xml")}"\n')
    return config


def test_verbose_collect_names_the_feed_and_the_repeated_guid(
    cli: Any, server: FeedServer, tmp_path: Path, db_path: Path
) -> None:
    """`collect --once -v` says which feed repeated which guid; the first item is stored."""
    run = cli("collect", "--once", "-v", "--config", _config(tmp_path, server), "--db", db_path)
    assert run.code == 0, run.err
    assert "liveblog: item 2" in run.err and "'live-42'" in run.err
    with Store.open(db_path, readonly=True) as store:
        assert store.count_mentions() == 2
        texts = [row[0] for row in store.conn.execute("SELECT text FROM mentions")]
    assert any("Streik bei Kestrel" in t for t in texts)
    assert not any("Warnstreik geht weiter" in t for t in texts)


def test_without_verbose_the_repeat_is_not_logged(
    cli: Any, server: FeedServer, tmp_path: Path, db_path: Path
) -> None:
    """The repeat is a detail for -v: a plain collect stays quiet about it."""
    run = cli("collect", "--once", "--config", _config(tmp_path, server), "--db", db_path)
    assert run.code == 0, run.err
    assert "live-42" not in run.err
