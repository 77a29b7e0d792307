"""Builders for small, hand-made Twitter API v2 payloads and feed documents.

Shapes follow the real responses in ../shared/realworld/twitter_v2 (twarc2 captures):
`data`, `includes.users`, `includes.tweets`, `referenced_tweets`, `conversation_id`.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

BASE_TIME = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_ids = itertools.count(1_860_000_000_000_000_000)


def next_id() -> str:
    """A fresh snowflake-sized tweet id."""
    return str(next(_ids))


def user(
    handle: str,
    name: str | None = None,
    *,
    user_id: str | None = None,
    bio: str = "",
    followers: int = 10,
    following: int = 10,
    tweets: int = 100,
    created: datetime | None = None,
) -> dict[str, Any]:
    """A v2 user object."""
    return {
        "id": user_id or str(abs(hash(handle)) % 10**12),
        "username": handle,
        "name": name if name is not None else handle,
        "description": bio,
        "created_at": _iso(created or BASE_TIME - timedelta(days=400)),
        "verified": False,
        "public_metrics": {
            "followers_count": followers,
            "following_count": following,
            "tweet_count": tweets,
            "listed_count": 0,
        },
    }


def tweet(
    author: dict[str, Any],
    text: str,
    *,
    tweet_id: str | None = None,
    at: datetime | None = None,
    lang: str = "en",
    reply_to: dict[str, Any] | None = None,
    quotes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A v2 tweet object; `reply_to`/`quotes` are other tweet objects."""
    tid = tweet_id or next_id()
    body: dict[str, Any] = {
        "id": tid,
        "text": text,
        "author_id": author["id"],
        "created_at": _iso(at or BASE_TIME),
        "lang": lang,
        "conversation_id": tid,
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0},
    }
    refs = []
    if reply_to is not None:
        refs.append({"type": "replied_to", "id": reply_to["id"]})
        body["conversation_id"] = reply_to.get("conversation_id", reply_to["id"])
        body["in_reply_to_user_id"] = reply_to["author_id"]
    if quotes is not None:
        refs.append({"type": "quoted", "id": quotes["id"]})
    if refs:
        body["referenced_tweets"] = refs
    return body


def page(
    tweets: list[dict[str, Any]],
    users: list[dict[str, Any]],
    *,
    referenced: list[dict[str, Any]] = (),  # type: ignore[assignment]
    next_token: str | None = None,
) -> dict[str, Any]:
    """A search/timeline response page with includes and meta."""
    ids = [int(t["id"]) for t in tweets]
    meta: dict[str, Any] = {"result_count": len(tweets)}
    if ids:
        meta["newest_id"] = str(max(ids))
        meta["oldest_id"] = str(min(ids))
    if next_token:
        meta["next_token"] = next_token
    result: dict[str, Any] = {"data": tweets, "includes": {"users": users}, "meta": meta}
    if referenced:
        result["includes"]["tweets"] = list(referenced)
    if not tweets:
        del result["data"]
    return result


def rss(title: str, items: list[dict[str, str]], *, lang: str = "en") -> bytes:
    """An RSS 2.0 document; each item has title, link and optionally guid, description,
    pubDate, author."""
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example/</link>"
        f"<language>{lang}</language>"
    ]
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "description", "pubDate", "author"):
            if key in item:
                parts.append(f"<{key}>{escape(item[key])}</{key}>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
