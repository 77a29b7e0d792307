"""Small Bluesky and Mastodon payloads built from the real ones in ../shared/realworld.

Each builder deep-copies a real recorded object (a Bluesky PostView from getAuthorFeed,
a Mastodon status from a hashtag timeline) and changes only what a test needs (author,
text, links), so every other field keeps the shape the services really send.
"""

from __future__ import annotations

import copy
import itertools
import json
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from tests.builders import BASE_TIME
from tests.conftest import REALWORLD

_rkeys = itertools.count(1)


@cache
def _bluesky_template() -> dict[str, Any]:
    feed = json.loads((REALWORLD / "bluesky" / "atprotodart_getAuthorFeed.json").read_text())
    plain = next(i["post"] for i in feed["feed"] if "reply" not in i and "reason" not in i)
    return dict(plain)


@cache
def _mastodon_template() -> dict[str, Any]:
    bodies = json.loads(
        (REALWORLD / "mastodon" / "mastodonpy_test_hashtag_tl.bodies.json").read_text()
    )
    timeline = next(b["body"] for b in bodies if "/timelines/tag/" in b["uri"])
    return dict(timeline[0])


def bsky_author(handle: str, name: str = "", bio: str = "") -> dict[str, Any]:
    """A Bluesky profile view (`did` derived from the handle)."""
    did = "did:plc:" + "".join(c for c in handle.lower() if c.isalnum())[:24].ljust(24, "x")
    author = copy.deepcopy(_bluesky_template()["author"])
    author.update({"did": did, "handle": handle, "displayName": name or handle})
    if bio:
        author["description"] = bio
    return author


def bsky_post(
    author: dict[str, Any],
    text: str,
    *,
    at: datetime | None = None,
    langs: list[str] | None = None,
    reply_to: dict[str, Any] | None = None,
    quotes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A PostView by `author`; `reply_to`/`quotes` are other PostViews."""
    post = copy.deepcopy(_bluesky_template())
    rkey = f"3kfix{next(_rkeys):08d}"
    when = (at or BASE_TIME).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": when}
    if langs is not None:
        record["langs"] = langs
    if reply_to is not None:
        root = reply_to["record"].get("reply", {}).get("root") or _ref(reply_to)
        record["reply"] = {"root": root, "parent": _ref(reply_to)}
    if quotes is not None:
        record["embed"] = {"$type": "app.bsky.embed.record", "record": _ref(quotes)}
    post.update(
        {
            "uri": f"at://{author['did']}/app.bsky.feed.post/{rkey}",
            "author": author,
            "record": record,
            "indexedAt": when,
        }
    )
    post.pop("embed", None)
    return post


def bsky_feed(*posts: dict[str, Any], cursor: str | None = None) -> dict[str, Any]:
    """A getAuthorFeed answer; a reply's parent is attached as the real API does."""
    items = []
    for post in posts:
        item: dict[str, Any] = {"post": post}
        items.append(item)
    answer: dict[str, Any] = {"feed": items}
    if cursor:
        answer["cursor"] = cursor
    return answer


def _ref(post: dict[str, Any]) -> dict[str, str]:
    return {"uri": post["uri"], "cid": post["cid"]}


def masto_status(
    host: str,
    status_id: str,
    username: str,
    text: str,
    *,
    account_id: str = "1",
    name: str = "",
    note: str = "",
    language: str | None = "de",
    reply_to: str | None = None,
    at: datetime | None = None,
    reblog: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A status in the shape of the real hashtag timeline entry, on `host`."""
    status = copy.deepcopy(_mastodon_template())
    account = status["account"]
    account.update(
        {
            "id": account_id,
            "username": username,
            "acct": username,
            "display_name": name or username,
            "note": note,
            "url": f"https://{host}/@{username}",
        }
    )
    when = at or BASE_TIME + timedelta(minutes=int(status_id) % 1000)
    status.update(
        {
            "id": status_id,
            "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "content": text,
            "language": language,
            "in_reply_to_id": reply_to,
            "url": f"https://{host}/@{username}/{status_id}",
            "uri": f"https://{host}/users/{username}/statuses/{status_id}",
            "reblog": reblog,
        }
    )
    return status
