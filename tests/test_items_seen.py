""" "items seen" (`status`, `feeds list`, the Sources view's Seen) counts distinct items:
an item a source reads again (a changed feed sends all its items, a Bluesky author
feed is read from its newest post each round) is counted once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from tests.builders import rss
from tests.feedserver import FeedServer
from tests.test_social_collect import CRITIC, serve_scene


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def story(number: int) -> dict[str, str]:
    return {"title": f"Streik bei Kestrel, Teil {number}", "link": f"https://n.example/{number}"}


def items_seen(db_path: Path, name: str) -> int:
    with Store.open(db_path, readonly=True) as store:
        state = store.source_state(name)
    assert state is not None, name
    return state.items_seen


def test_a_feed_counts_each_item_once_however_often_it_changes(
    server: FeedServer, tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """Two items, then a third, then the same three under a new title: 3 items seen, as
    `status` says, where every download used to add all of its items."""
    config = tmp_path / "c.toml"
    config.write_text(f'[[feeds]]\nname = "news"\nurl = "{server.url("/f.xml")}"\n')
    for title, stories in (("N", [1, 2]), ("N", [3, 1, 2]), ("News", [3, 1, 2])):
        server.feed("/f.xml", rss(title, [story(n) for n in stories]))
        assert cli("collect", "--once", "--config", config, "--db", db_path).code == 0
    assert items_seen(db_path, "news") == 3
    assert "3 items seen" in cli("status", "--db", db_path).out


def test_a_bluesky_author_feed_read_again_counts_its_posts_once(
    server: FeedServer, tmp_path: Path, db_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each round reads the author feed from its newest post; two rounds of the same one
    post say 1 item seen, not 2."""
    monkeypatch.delenv("BLUESKY_HANDLE", raising=False)
    serve_scene(server)
    config = tmp_path / "c.toml"
    config.write_text(
        f'[bluesky]\nservice = "{server.url("")}"\nhandles = ["{CRITIC["handle"]}"]\n'
    )
    for _ in range(2):
        assert cli("collect", "--once", "--config", config, "--db", db_path).code == 0
    assert items_seen(db_path, f"bluesky/feed:{CRITIC['handle']}") == 1
    assert items_seen(db_path, "bluesky") == 1
