"""A malformed feed that feedparser partly recovers gives the same items as the feed
intact: authors and guids decoded like titles, and no link that is not http(s)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cache.db.store import Store
from tests.store_helpers import counts

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
    "<title>News &amp; More</title><link>https://news.example/</link>"
)
ITEM = (
    "<item><title>Kestrel &amp; Co strike</title>"
    "<link>https://news.example/a?x=1&amp;y=2</link>"
    "<guid>https://news.example/a?x=1&amp;y=2&amp;v=&lt;2&gt;</guid>"
    "<author>news@example.com (Tom &amp; Jerry &lt;TJ&gt;)</author>"
    "<pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate></item>"
)
SCRIPT_LINK = (
    "<item><title>second item</title>"
    "<link>data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</link>"
    "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>"
)
CUT = "<item><title>cut in the middle &am"  # the file ends inside an entity


def rows(db_path: Path) -> list[dict[str, Any]]:
    with Store.open(db_path, readonly=True) as store:
        return list(store.rows("SELECT id, url, author, title FROM mentions ORDER BY title"))


def test_a_recovered_feed_decodes_authors_and_guids_like_titles(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """The cut-off copy of a feed stores the item the intact copy stored, once, with its
    author "news@example.com (Tom & Jerry <TJ>)", not with &amp; and &lt;."""
    (tmp_path / "monday").mkdir()
    (tmp_path / "tuesday").mkdir()
    intact = tmp_path / "monday" / "news.xml"  # one feed (its name), read on two days
    intact.write_text(f"{HEAD}{ITEM}</channel></rss>", encoding="utf-8")
    cut = tmp_path / "tuesday" / "news.xml"
    cut.write_text(f"{HEAD}{ITEM}{CUT}", encoding="utf-8")
    assert counts(cli("import", "--db", db_path, intact).out) == (1, 0, 0)
    run = cli("import", "--db", db_path, cut)
    assert "malformed feed, read what could be recovered" in run.out
    assert rows(db_path) == [
        {
            "id": rows(db_path)[0]["id"],
            "url": "https://news.example/a?x=1&y=2",
            "author": "news@example.com (Tom & Jerry <TJ>)",
            "title": "Kestrel & Co strike",
        }
    ]


def test_a_link_that_is_not_http_is_not_kept_as_the_items_link(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """An item whose <link> is a data: address (intact or recovered) is stored without a
    link, and the import says why."""
    for day, tail in (("monday", "</channel></rss>"), ("tuesday", CUT)):
        (tmp_path / day).mkdir()
        path = tmp_path / day / "news.xml"
        path.write_text(f"{HEAD}{SCRIPT_LINK}{tail}", encoding="utf-8")
        run = cli("import", "--db", db_path, path)
        assert "is not an http(s) address; the item is kept without it" in run.out
    stored = rows(db_path)
    assert [(r["title"], r["url"]) for r in stored] == [("second item", "")]
