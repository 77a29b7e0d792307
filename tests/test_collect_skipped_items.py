"""`collect` says which feed items it skipped, as `import` does, once per item."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.feedserver import FeedServer

EMPTY_ITEM = "item has no link, id, title or text"


def feed(*titles: str) -> bytes:
    """An RSS feed of items with these titles, then an item with nothing usable in it."""
    items = "".join(
        f"<item><title>{t}</title><guid>{t}</guid>"
        "<pubDate>Mon, 07 Dec 2026 20:00:00 GMT</pubDate></item>"
        for t in titles
    )
    empty = "<item><title></title><link></link><pubDate>Wed, 17 Oct 2018 10:30:00 GMT</pubDate>"
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>n</title>{items}'
        f"{empty}<description></description></item></channel></rss>"
    ).encode()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def test_collect_reports_a_skipped_item_once_like_import(
    server: FeedServer, tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """The first poll names the item it skipped; later polls, of the same feed or of the
    feed with an item more, do not say it again (`-v` lists it)."""
    config = tmp_path / "c.toml"
    config.write_text(f'[[feeds]]\nname = "news"\nurl = "{server.url("/f.xml")}"\n')
    server.feed("/f.xml", feed("Streik bei Kestrel"))
    file = tmp_path / "news.xml"
    file.write_bytes(feed("Streik bei Kestrel"))
    imported = cli("import", "--db", tmp_path / "imported.db", file)
    assert f"skipped news: item 2: {EMPTY_ITEM}" in imported.out

    def collect(*flags: str) -> str:
        run = cli("collect", "--once", *flags, "--config", config, "--db", db_path)
        assert run.code == 0, run.err
        return run.err

    assert f"skipped news: item 2: {EMPTY_ITEM}" in collect()
    assert EMPTY_ITEM not in collect()  # the same document again
    server.feed("/f.xml", feed("Neu: Betriebsrat", "Streik bei Kestrel"))
    first_changed = collect()
    assert "news: 1 new" in first_changed and EMPTY_ITEM not in first_changed
    server.feed("/f.xml", feed("Noch neuer", "Neu: Betriebsrat", "Streik bei Kestrel"))
    assert f"skipped news: item 4: {EMPTY_ITEM}" in collect("-v")
