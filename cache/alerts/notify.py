"""What `notify_command` receives: the alert, and the posts that drove it, readable as is.

The alert's own fields (`Alert.to_json`) carry only ids; a desktop notification or a chat
message needs the words. `top_posts` adds, for each top post in order, its text, author
and link from the store (a post not stored yet has its id only), and `summary` is the one
line the collector logs.
"""

from __future__ import annotations

import json
from typing import Any

from cache.alerts.rules import Alert, describe
from cache.db.store import Store
from sources.model.handles import shown_author

TOP_POSTS = 5
"""Posts included with their text: enough to see what happened, short enough for a toast."""


def notify_payload(store: Store, alert: Alert) -> dict[str, Any]:
    """The JSON object `notify_command` gets on standard input for `alert`."""
    payload = alert.to_json()
    payload["summary"] = describe(alert)
    ids = list(alert.top_ids[:TOP_POSTS])
    rows: dict[str, dict[str, Any]] = {}
    if ids:
        marks = ",".join("?" for _ in ids)
        for row in store.rows(
            "SELECT id, platform, source, author, author_name, text, url, created_at "
            f"FROM mentions WHERE id IN ({marks})",
            ids,
        ):
            rows[row["id"]] = row
    payload["top_posts"] = [_post(post_id, rows.get(post_id)) for post_id in ids]
    return payload


def _post(post_id: str, row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {"id": post_id, "stored": False}
    return {
        "id": post_id,
        "stored": True,
        "author": shown_author(row["author"], row["platform"]),
        "author_name": row["author_name"],
        "text": row["text"],
        "url": row["url"],
        "created_at": row["created_at"],
        "source": row["source"],
    }


def payload_text(payload: dict[str, Any]) -> str:
    """The payload as the one line of JSON written to the command's standard input."""
    return json.dumps(payload, ensure_ascii=False) + "\n"
