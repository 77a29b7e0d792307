"""How an author is named on screen and in reports: `@handle` only where there are handles.

X, Bluesky and Mastodon accounts have handles, written with `@`. A feed item's author is
a name ("The New York Times", "Tom Reyes"): an `@` in front would make it look like an
account that does not exist.
"""

from __future__ import annotations

HANDLE_PLATFORMS = frozenset({"x", "bluesky", "mastodon"})
"""Platforms whose authors are accounts with handles."""


def platform_of(mention_id: str) -> str:
    """The platform a stored id belongs to (`x:123` -> `x`, `rss:ab12` -> `rss`)."""
    return mention_id.split(":", 1)[0] if ":" in mention_id else ""


def shown_author(author: str, platform: str) -> str:
    """`@handle` for an account on a platform with handles, the plain name otherwise."""
    if not author:
        return ""
    return f"@{author}" if platform in HANDLE_PLATFORMS else author
