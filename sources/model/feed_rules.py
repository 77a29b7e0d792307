"""What makes a `[[feeds]]` entry usable beside the others: its name is free, its address
is one that can be polled, and no other feed polls that address.

Feed names share one namespace with the built-in sources: a source is found by its name
(`Collector`), its state is the `source_state` row of that name, and `source:NAME` finds
its mentions. The same checks serve the config loader and `feeds import`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from urllib.parse import urlsplit, urlunsplit

X, X_STREAM = "x", "x-stream"
BLUESKY, BLUESKY_JETSTREAM = "bluesky", "bluesky-jetstream"
MASTODON, MASTODON_STREAM = "mastodon", "mastodon-stream"
DEMO = "demo"
BUILT_IN_SOURCES = (X, X_STREAM, BLUESKY, BLUESKY_JETSTREAM, MASTODON, MASTODON_STREAM, DEMO)
"""The names of the sources that are not feeds (the demo's replay is one too)."""
_PLATFORM_PREFIXES = tuple(f"{p}{sep}" for p in (X, BLUESKY, MASTODON) for sep in "/:")
"""`x/search:Kestrel` is the state row of one X search, `x:search` what its mentions'
`source` says: a feed named so would share them."""


def reserved_name_problem(name: str) -> str | None:
    """Why a feed may not be called `name` (a built-in source's name), or None. Names are
    matched as written everywhere (`source:`, `source_state`), so only the exact name is."""
    if name in BUILT_IN_SOURCES:
        return f"'{name}' is the name of a built-in source ({', '.join(BUILT_IN_SOURCES)})"
    for prefix in _PLATFORM_PREFIXES:
        if name.startswith(prefix):
            return f"a name starting with '{prefix}' is kept for the built-in sources"
    return None


def url_problem(url: str, schemes: Collection[str] = ("http", "https")) -> str | None:
    """Why `url` cannot be polled, said of it (`is not an http(s) address`, `has no host
    name`), or None. A `file:` address (where `schemes` allows one) needs a path instead."""
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return "contains a space or a control character"
    try:
        parts = urlsplit(url)
        port = parts.port  # reading it checks it: a number from 0 to 65535
    except ValueError as exc:
        return f"is not a valid address ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return f"is not an http(s){' or file' if 'file' in schemes else ''} address"
    if port == 0:
        return "has port 0, which nothing listens on"
    if scheme == "file":
        return None if parts.path else "has no path"
    if not parts.hostname:
        return "has no host name"
    return None


def same_feed_key(url: str) -> str:
    """`url` in the form two spellings of one address share (scheme and host in lower case)."""
    parts = urlsplit(url.strip())
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def same_url_warnings(feeds: Iterable[tuple[str, str]]) -> list[str]:
    """One warning per feed (name, url) whose address an earlier feed polls already:
    each item with a guid of its own would be stored once per feed."""
    first: dict[str, str] = {}
    warnings = []
    for name, url in feeds:
        key = same_feed_key(url)
        if key in first:
            warnings.append(
                f"feeds '{first[key]}' and '{name}' poll the same address {url}: items with "
                "a guid of their own are stored once for each; remove one of them"
            )
        else:
            first[key] = name
    return warnings
