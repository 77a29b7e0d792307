"""Bluesky's live public stream (Jetstream) as a source: no account, filtered locally.

Jetstream sends every post on the network; only the ones that matter are kept: a post
with all the words of one of `[bluesky] queries`, a post by one of the company's or the
watched handles, and a post that mentions, answers or quotes one of them.

One poll reads the stream for a window (or until the server closes it), storing what
matched page by page; the collector re-arms it at once, so it behaves as a stream.
Resume is exact: the state's cursor is the `time_us` of the last event read, saved with
the posts up to it, and a reconnect asks Jetstream to replay from there (a replayed
post has the same id, so nothing doubles). A connection closed before one event is a
failure, backed off from as the other streams are (sources.net.stream_retry): every
Jetstream event counts, as each moves the cursor on.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sources.base import PollOutcome, PollPage
from sources.bluesky.posts import (
    POST_COLLECTION,
    mentioned_dids,
    parse_jetstream_event,
    web_url,
)
from sources.bluesky.source import BlueskySource, resolve_handle
from sources.model.config import Config
from sources.model.feed_rules import BLUESKY_JETSTREAM
from sources.model.records import Mention, ParsedBatch, Skipped, SourceState
from sources.model.text import format_timestamp
from sources.net.backoff import Backoff, dump_extra, load_extra
from sources.net.stream_retry import NETWORK_CUT, RATE_LIMITED, REFUSED, retry_in, worked
from sources.social import EndpointFailed, RateLimited

FLUSH_EVENTS = 50
"""Matching posts stored together at most (a page)."""
FLUSH_SECONDS = 1.0
"""A matching post waits at most this long before it is stored."""
_WORD = re.compile(r"\w+")

Connect = Callable[..., Any]


def query_words(queries: list[str]) -> list[frozenset[str]]:
    """Each query as the set of words a post must all contain (operators left out)."""
    found = []
    for query in queries:
        words = [
            w
            for token in query.split()
            if not token.startswith("-") and ":" not in token and token.upper() not in ("OR", "AND")
            for w in _WORD.findall(token.lower())
        ]
        if words:
            found.append(frozenset(words))
    return found


class JetstreamSource:
    """Reads Jetstream for `window_seconds` per poll; see the module docstring."""

    name = BLUESKY_JETSTREAM
    kind = "bluesky:jetstream"

    def __init__(
        self,
        config: Config,
        *,
        profiles: BlueskySource | None = None,
        window_seconds: float = 20.0,
        connect: Connect | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if connect is None:
            from websockets.sync.client import connect as ws_connect

            connect = ws_connect
        self.config = config
        self._profiles = profiles or BlueskySource(config, environ={})
        self._window = window_seconds
        self._connect = connect
        self._monotonic = monotonic
        self._rng = rng or random.Random()
        self._words = query_words(config.bluesky.queries)
        self._watched: set[str] | None = None
        self._outcome = PollOutcome(next_poll_in=0.1)

    def outcome(self) -> PollOutcome:
        return self._outcome

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        state = replace(states.get(self.name) or SourceState(name=self.name))
        state.kind, state.last_poll_at = self.kind, format_timestamp(now)
        extra = load_extra(state.extra)
        warnings: list[str] = []
        watched = self._watched_dids(warnings)
        params = {"wantedCollections": POST_COLLECTION}
        if state.cursor:
            params["cursor"] = state.cursor
        state.url = f"{self.config.bluesky.jetstream_url}?{urlencode(params)}"
        error: str | None = None
        failure: Backoff | None = None
        try:
            with self._connect(state.url, open_timeout=10, max_size=2**22) as socket:
                yield from self._read(socket, state, watched, warnings, now)
        except EndpointFailed as exc:
            error, failure = str(exc), REFUSED
        except (OSError, TimeoutError) as exc:
            error = f"cannot reach Jetstream ({type(exc).__name__}: {str(exc)[:120]})"
            failure = NETWORK_CUT
        except Exception as exc:  # websockets' handshake and protocol errors
            error = f"Jetstream failed ({type(exc).__name__}: {str(exc)[:120]})"
            status = getattr(getattr(exc, "response", None), "status_code", None)
            failure = RATE_LIMITED if status == 429 else REFUSED
        wait = retry_in(extra, failure, self._rng)
        state.extra = dump_extra(extra)
        if error:
            state.last_error, state.last_error_at = error, format_timestamp(now)
        else:
            state.last_error, state.last_success_at = None, format_timestamp(now)
        state.next_poll_at = format_timestamp(now + timedelta(seconds=wait))
        self._outcome = PollOutcome(ok=error is None, error=error, next_poll_in=wait)
        yield PollPage(batch=ParsedBatch(warnings=warnings), states=[replace(state)])

    def _read(
        self,
        socket: Any,
        state: SourceState,
        watched: set[str],
        warnings: list[str],
        now: datetime,
    ) -> Iterator[PollPage]:
        from websockets.exceptions import ConnectionClosed

        started = self._monotonic()
        deadline = started + self._window
        pending = ParsedBatch()
        flushed_at = started
        events = 0
        while True:
            left = deadline - self._monotonic()
            if left <= 0:
                break
            try:
                message = socket.recv(timeout=min(left, FLUSH_SECONDS))
            except TimeoutError:
                message = None
            except ConnectionClosed:
                lasted = self._monotonic() - started
                if worked(events, lasted):
                    break
                # Closed before one event (a proxy, a refusing server): a failure to back
                # off from, not a finished window to re-arm at once.
                raise EndpointFailed(
                    f"Jetstream closed the connection after {lasted:.1f} s without an event"
                ) from None
            if message is not None and self._take(message, state, watched, pending):
                events += 1
            due = self._monotonic() - flushed_at >= FLUSH_SECONDS
            if len(pending.mentions) >= FLUSH_EVENTS or (due and (pending.mentions or message)):
                yield self._page(pending, state, now)
                pending, flushed_at = ParsedBatch(), self._monotonic()
        yield self._page(pending, state, now)

    def _take(
        self, message: str | bytes, state: SourceState, watched: set[str], pending: ParsedBatch
    ) -> bool:
        """Keep the message's post if it matches; False when it was not an event."""
        try:
            event = json.loads(message)
        except ValueError:
            pending.skipped.append(Skipped(self.name, "an event that is not JSON"))
            return False
        if not isinstance(event, dict):
            return False
        if isinstance(event.get("time_us"), int):
            state.cursor = str(event["time_us"])
        batch = parse_jetstream_event(event, self.kind, self.name)
        commit = event.get("commit") if isinstance(event.get("commit"), dict) else {}
        record = commit.get("record") if isinstance(commit, dict) else None
        if batch.mentions and isinstance(record, dict) and self._matches(event, record, watched):
            pending.extend(batch)
        pending.skipped.extend(batch.skipped)
        return True

    def _matches(
        self, event: Mapping[str, Any], record: Mapping[str, Any], watched: set[str]
    ) -> bool:
        if event.get("did") in watched or mentioned_dids(record) & watched:
            return True
        words = set(_WORD.findall(str(record.get("text") or "").lower()))
        return any(query <= words for query in self._words)

    def _page(self, batch: ParsedBatch, state: SourceState, now: datetime) -> PollPage:
        if batch.mentions:
            self._profiles.add_profiles(batch)
            authors = {a.key: a for a in batch.accounts}
            batch.mentions = [_named(m, authors.get(m.author_key)) for m in batch.mentions]
            state.items_seen += len(batch.mentions)
            state.last_success_at = format_timestamp(now)
        return PollPage(batch=batch, states=[replace(state)])

    def _watched_dids(self, warnings: list[str]) -> set[str]:
        if self._watched is not None:
            return self._watched
        handles = [*self.config.company.handles, *self.config.bluesky.handles]
        found: set[str] = set()
        retry = False
        for handle in handles:
            handle = handle.strip().lstrip("@")
            if not handle.startswith("did:") and "." not in handle:
                continue  # an X handle: Bluesky handles are domain names
            try:
                found.add(resolve_handle(self._profiles, handle))
            except EndpointFailed as exc:
                warnings.append(f"{self.name}: not watching {handle}: {exc}")
                retry = retry or exc.transient
            except RateLimited:
                warnings.append(f"{self.name}: not watching {handle} yet: rate limited")
                retry = True
        if not retry:
            self._watched = found  # else asked again next poll
        return found


def _named(mention: Mention, author: Any) -> Mention:
    """A Jetstream post with its author's handle and name, once a profile named them."""
    if author is None or author.handle == mention.author:
        return mention
    return replace(
        mention,
        author=author.handle,
        author_name=author.display_name,
        url=web_url(mention.id.removeprefix("bluesky:"), author.handle),
    )
