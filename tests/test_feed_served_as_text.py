"""A well-formed feed served with a media type that is not XML is read, and said so plainly."""

from __future__ import annotations

from sources.feeds.parse import parse_feed
from tests.builders import rss

ITEMS = [{"title": "Kestrel Streik", "link": "https://news.example/1"}]


def test_a_whole_feed_served_as_text_is_not_called_malformed() -> None:
    """Served as text/plain, every item is read and the warning names the media type,
    not a malformed feed."""
    batch = parse_feed(rss("News", ITEMS), "news", headers={"content-type": "text/plain"})
    assert len(batch.mentions) == 1
    (warning,) = batch.warnings
    assert "text/plain" in warning and "read in full" in warning
    assert "malformed" not in warning


def test_a_broken_feed_is_still_called_malformed() -> None:
    """A feed the XML parser gave up on is still reported as malformed and recovered."""
    broken = rss("News", ITEMS).replace(b"<title>Kestrel", b"<title>&nbsp; Kestrel")
    batch = parse_feed(broken, "news")
    assert len(batch.mentions) == 1
    assert any("malformed feed" in warning for warning in batch.warnings)
