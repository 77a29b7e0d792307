"""A feed item longer than a post is cut where a reader sees it is cut."""

from __future__ import annotations

from sources.feeds.parse import MAX_TEXT, parse_feed
from sources.model.records import Mention
from tests.builders import rss


def _text_of(description: str) -> str:
    item = {"title": "Kestrel", "link": "https://news.example/a", "description": description}
    (mention,) = parse_feed(rss("News", [item]), "news").mentions
    assert isinstance(mention, Mention)
    return mention.text


def test_a_long_article_ends_at_a_word_with_an_ellipsis() -> None:
    """An item past the length of a post ends at a whole word with `…`, within the limit."""
    words = " ".join(f"Schichtplan{n}" for n in range(1_000))
    text = _text_of(words)
    assert len(text) <= MAX_TEXT and text.endswith("…")
    assert text[:-1].split()[-1] in words.split()  # the last word shown is whole


def test_an_item_within_the_limit_is_kept_whole() -> None:
    """An item that fits is stored as it came, with no mark."""
    assert _text_of("Kurz und gut.") == "Kestrel — Kurz und gut."


def test_one_endless_word_is_cut_inside_it() -> None:
    """A text without spaces (a long address) is still cut at the limit, marked."""
    text = _text_of("x" * (MAX_TEXT * 2))
    assert len(text) == MAX_TEXT and text.endswith("x…")
