"""Who wrote the post a reply answers, read from the reply itself.

The parent of a reply is often not stored (a Mastodon context without the status it was
fetched for, a Bluesky feed page, an X timeline without its `includes`). Each platform's
reply still names the parent's author, so an account continuing its own thread can be
told from one answering others without the parent.
"""

from __future__ import annotations

import json
from typing import Any

_BLUESKY = "bluesky:at://"
_MASTODON = "mastodon:"


def parent_author_key(mention_id: str, in_reply_to: str, raw: str) -> str | None:
    """The `Account.key` of the author of `in_reply_to`, as the reply names it; None when
    the reply does not say."""
    if in_reply_to.startswith(_BLUESKY):
        # An at:// URI starts with its author's DID, and a Bluesky account key is that DID.
        did = in_reply_to[len(_BLUESKY) :].split("/", 1)[0]
        return f"bluesky:{did}" if did else None
    if mention_id.startswith(_MASTODON):
        # The account id belongs to the instance that answered, the one in the status id.
        host = mention_id[len(_MASTODON) :].rsplit(":", 1)[0]
        account_id = _field(raw, "in_reply_to_account_id")
        return f"mastodon:{host}:{account_id}" if account_id and host else None
    if mention_id.startswith("x:"):
        user_id = _field(raw, "in_reply_to_user_id")
        return f"x:{user_id}" if user_id else None
    return None


def _field(raw: str, name: str) -> str:
    try:
        payload: Any = json.loads(raw)
    except ValueError:
        return ""
    value = payload.get(name) if isinstance(payload, dict) else None
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
