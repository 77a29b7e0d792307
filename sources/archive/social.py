"""Saved Bluesky and Mastodon answers in archive files, for `import`.

The archive reader asks `parse_social` about every JSON value that is not a Twitter API
v2 page: a searchPosts / getAuthorFeed / getPostThread answer, a Jetstream event, or a
Mastodon status list, status, search answer or context. None means "not one of these".
"""

from __future__ import annotations

from sources.bluesky.posts import (
    looks_like_bluesky,
    looks_like_jetstream,
    parse_jetstream_event,
    parse_payload,
)
from sources.mastodon.statuses import looks_like_mastodon, parse_statuses
from sources.model.records import ParsedBatch


def parse_social(
    value: object, source: str, where: str, mastodon_instance: str = ""
) -> ParsedBatch | None:
    """The records in a saved Bluesky or Mastodon answer; None when it is neither.
    `mastodon_instance`: the instance a Mastodon answer came from when it does not say
    (`import --instance`; see `parse_statuses`)."""
    if isinstance(value, dict) and looks_like_bluesky(value):
        return parse_payload(value, source, where)
    if isinstance(value, dict) and looks_like_jetstream(value):
        return parse_jetstream_event(value, source, where)
    if looks_like_mastodon(value):
        return parse_statuses(value, source, where=where, instance=mastodon_instance)
    return None
