"""@mentions in post text, whole, in every platform's handle form.

X writes `@name`, Bluesky `@name.bsky.social` or a custom domain `@name.example.com`,
Mastodon `@name@instance.social`. Replies open with the handles they answer; comparing
texts across platforms needs each handle removed as one piece, or the parts of a domain
(`bsky`, `social`) stay behind as words and two copies of one reply drift apart.
"""

from __future__ import annotations

import re

# Labels joined by dots or hyphens (`kai-lager.bsky.social`), then an optional Mastodon
# instance. A sentence's full stop after a handle is not a label: it needs a word after it.
# Not after a word character, so an e-mail address (`info@acme.de`) is not a mention.
_HANDLE = r"\w+(?:[.-]\w+)*"
MENTION = re.compile(rf"(?<![\w@])@{_HANDLE}(?:@\w+(?:[.-]\w+)+)?")
_LEADING = re.compile(rf"(?:\s*\.?{MENTION.pattern}[\s,:;]*)+")


def strip_mentions(text: str) -> str:
    """`text` with every mention replaced by a space."""
    return MENTION.sub(" ", text)


def leading_mentions(text: str) -> list[str]:
    """The handles (without `@`) a text opens with: the people a reply is addressed to."""
    opening = _LEADING.match(text)
    if opening is None:
        return []
    return [m.group(0)[1:] for m in MENTION.finditer(opening.group(0))]
