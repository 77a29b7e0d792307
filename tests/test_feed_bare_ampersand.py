"""A malformed feed whose texts hold a bare `&` (AT&T, R&D) keeps them as written: the
loose parser must not take `&T` for an entity and print `AT&T;`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from tests.feedserver import FeedServer
from tests.store_helpers import collector, feed_source

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
    "<title>Wire &amp; Co</title><link>https://news.example/</link>"
)
BARE = (
    "<item><title>AT&T and Procter&Gamble back R&D</title>"
    "<link>https://news.example/a?x=1&y=2</link>"
    "<guid isPermaLink='false'>wire-1&x</guid>"
    "<author>desk@news.example (Tom&Jerry)</author>"
    "<description>Q&A: AT&T, caf&eacute;, it&#8217;s &#x26; more&nbsp;here &amp; "
    "there</description>"
    "<pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate></item>"
)
CDATA = (
    "<item><title><![CDATA[M&amp;S <b>sale</b>, AT&T]]></title>"  # HTML, as written
    "<link>https://news.example/b</link>"
    "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>"
)
TRUNCATED = "<item><title>cut in the mid"  # malformed for another reason as well


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def rows(db_path: Path) -> list[dict[str, Any]]:
    with Store.open(db_path, readonly=True) as store:
        return list(
            store.rows("SELECT url, author_name, title, text FROM mentions ORDER BY created_at")
        )


EXPECTED_FIRST = {
    "url": "https://news.example/a?x=1&y=2",
    "author_name": "desk@news.example (Tom&Jerry)",
    "title": "AT&T and Procter&Gamble back R&D",
    "text": "AT&T and Procter&Gamble back R&D — Q&A: AT&T, café, it\u2019s & more here & there",
}


@pytest.mark.parametrize("tail", ["</channel></rss>", TRUNCATED], ids=["whole", "truncated"])
def test_a_polled_feed_with_bare_ampersands_keeps_them_as_written(
    server: FeedServer, db_path: Path, tail: str
) -> None:
    """A feed served with `AT&T` unescaped stores "AT&T", not "AT&T;"; its real entities
    (&eacute; &#8217; &#x26; &nbsp; &amp;) still read as their characters."""
    server.feed("/wire.xml", f"{HEAD}{BARE}{CDATA}{tail}".encode())
    report = collector(db_path, feed_source(server, "wire", "/wire.xml")).poll_source("wire")
    assert report.error is None and report.new == 2
    assert any("malformed feed" in warning for warning in report.warnings)
    first, second = rows(db_path)
    assert first == EXPECTED_FIRST
    assert second["title"] == "M&S sale, AT&T"  # as from the feed intact


def test_an_imported_feed_file_with_bare_ampersands_keeps_them_as_written(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """`import` of a feed file with `AT&T` unescaped stores the same texts as a poll."""
    path = tmp_path / "wire.xml"
    path.write_text(f"{HEAD}{BARE}{TRUNCATED}", encoding="utf-8")
    run = cli("import", "--db", db_path, path)
    assert run.code == 0, run.err
    assert "malformed feed" in run.out
    assert rows(db_path) == [EXPECTED_FIRST]
