"""When a live stream (X's filtered stream, Bluesky's Jetstream, Mastodon's streaming API)
connects again after its connection ended: one rule for the three.

A connection *worked* when it delivered a post (or another event with content: an edit,
a deletion) or stayed open `STAYED_OPEN_SECONDS`. Keep-alives and heartbeats alone do not
count: a server that sends one and closes, in a loop, is failing, not healthy.

- A connection that worked is reconnected at once (X asks for that after a disconnect)
  and clears the count of failures.
- One that did not is a failure; consecutive failures wait exponentially longer, from a
  start and up to a cap that depend on what went wrong, as X's filtered-stream guide
  asks: quickly after a network cut, longer after an HTTP error (or a close without a
  post, which is the server refusing to stream in its own way), much longer after a 429.
"""

from __future__ import annotations

import random
from typing import Any

from sources.net.backoff import Backoff

STAYED_OPEN_SECONDS = 60.0
"""Three of X's 20 s keep-alive intervals: a keep-alive and a close cannot pass for a
stream, and a server that closes after this long is reconnected at most once a minute,
well inside X's 50 connections per 15 minutes."""
RECONNECT_SECONDS = 0.1
"""The wait after a connection that worked (or while one is open: the next read)."""

NETWORK_CUT = Backoff(base=1.0, cap=16.0)
"""No connection, or one cut mid-way: the network is usually back within seconds."""
REFUSED = Backoff(base=5.0, cap=320.0)
"""An HTTP error, or a stream closed before it worked (X: from 5 s, doubling to 320 s)."""
RATE_LIMITED = Backoff(base=60.0, cap=960.0, jitter=0.0)
"""A 429 (X: a minute, doubling); never shortened by jitter, which would break it."""


def worked(posts: int, lasted: float) -> bool:
    """Whether a connection that delivered `posts` and stayed open `lasted` s worked."""
    return posts > 0 or lasted >= STAYED_OPEN_SECONDS


def retry_in(extra: dict[str, Any], failure: Backoff | None, rng: random.Random) -> float:
    """Seconds until the stream is read again: after a `failure` (its backoff) the count of
    consecutive failures in `extra` grows and sets the delay; without one it is cleared."""
    failures = int(extra.get("failures") or 0) + 1 if failure is not None else 0
    extra["failures"] = failures
    if failure is None:
        return RECONNECT_SECONDS
    return failure.delay(failures, rng)


def closed_early(
    closed: str, lasted: float, keepalives: int, keepalive: str = "keep-alive", silent: str = ""
) -> str:
    """The error of a stream `closed` before it worked: `X closed the stream` `after 0.2 s
    without a post or keep-alive` (or `silent`), or `after 3.0 s with keep-alives but no
    post`."""
    if keepalives:
        tail = f"with {keepalive}s but no post"
    else:
        tail = silent or f"without a post or {keepalive}"
    return f"{closed} after {lasted:.1f} s {tail}"
