"""Mastodon's streaming API as a source (`[mastodon] stream = true`): the hashtags' new
statuses as they are posted, through Mastodon.py's real SSE client.

One poll listens to every configured hashtag for a window (one connection each, in
threads, since Mastodon.py's stream blocks) and stores statuses page by page; the
collector re-arms it at once. Heartbeats (`:` comment lines) are counted, so the Sources
view shows the stream is alive while nothing is posted. The stream has no cursor to
replay from: statuses posted while it reconnects are read by the polling source, which
keeps its own `since_id` on the same hashtags, so nothing is missed; a status both
deliver has one id and is stored once.

A stream that ends before the window with no event but heartbeats is a failure, backed
off from as the other streams are (sources.net.stream_retry).
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sources.base import PollOutcome, PollPage
from sources.mastodon.source import MastodonSource, mastodon_endpoints
from sources.mastodon.statuses import parse_statuses
from sources.model.config import Config
from sources.model.feed_rules import MASTODON_STREAM
from sources.model.records import ParsedBatch, SourceState
from sources.model.text import format_timestamp
from sources.net.backoff import Backoff, dump_extra, load_extra
from sources.net.stream_retry import (
    NETWORK_CUT,
    RATE_LIMITED,
    REFUSED,
    closed_early,
    retry_in,
    worked,
)

FLUSH_SECONDS = 1.0
FLUSH_STATUSES = 50


class _Stopped(Exception):
    """Raised inside Mastodon.py's read loop to end a stream whose window is over."""


def _listener(out: queue.Queue[tuple[str, Any]], stop: threading.Event) -> Any:
    """A Mastodon.py listener that queues statuses and heartbeats for the poll (built
    here so that Mastodon.py is imported only when a stream starts)."""
    from mastodon import StreamListener

    class _Listener(StreamListener):
        def __init__(self, out: queue.Queue[tuple[str, Any]], stop: threading.Event) -> None:
            super().__init__()
            self._out, self._stop = out, stop
            self.posts = 0
            """Events with content the stream sent: statuses, edits, deletions, others."""
            self.heartbeats = 0

        def _check(self) -> None:
            if self._stop.is_set():
                raise _Stopped

        def on_any_event(self, name: str, data: Any = None, for_stream: Any = None) -> None:
            self.posts += 1  # every event but a heartbeat, before its own handler

        def on_update(self, status: Any) -> None:
            self._check()
            self._out.put(("status", status))

        def on_status_update(self, status: Any) -> None:
            self.on_update(status)  # an edit: the same id, its newer payload

        def handle_heartbeat(self) -> None:
            self._check()
            self.heartbeats += 1
            self._out.put(("heartbeat", None))

        def on_delete(self, status_id: Any) -> None:
            self._check()

        def on_unknown_event(self, name: str, unknown_event: Any = None) -> None:
            self._check()  # a newer server's event: not a reason to drop the stream

    return _Listener(out, stop)


class MastodonStreamSource:
    """Listens to the configured hashtags for `window_seconds` per poll."""

    name = MASTODON_STREAM
    kind = "mastodon:stream"

    def __init__(
        self,
        config: Config,
        *,
        rest: MastodonSource | None = None,
        window_seconds: float = 20.0,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._rest = rest or MastodonSource(config, environ={})
        self.tags = [e.target for e in mastodon_endpoints(config) if e.kind == "tag"]
        self._window = window_seconds
        self._monotonic = monotonic
        self._rng = rng or random.Random()
        self._outcome = PollOutcome(next_poll_in=0.1)

    def outcome(self) -> PollOutcome:
        return self._outcome

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        state = replace(states.get(self.name) or SourceState(name=self.name))
        state.kind, state.last_poll_at = self.kind, format_timestamp(now)
        extra = load_extra(state.extra)
        out: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()
        threads = [self._start(tag, out, stop) for tag in self.tags]
        errors: list[tuple[str, Backoff]] = []
        try:
            yield from self._read(out, threads, state, extra, errors, now)
        finally:
            stop.set()  # each thread ends at its next event or heartbeat
        # Each tag's stream failed its own way: the longest backoff of them holds.
        failure = max((b for _, b in errors), key=lambda b: b.base, default=None)
        wait = retry_in(extra, failure, self._rng)
        state.extra = dump_extra(extra)
        error = self._rest.redact("; ".join(m for m, _ in errors)) if errors else None
        if error:
            state.last_error, state.last_error_at = error, format_timestamp(now)
        else:
            state.last_error = None
        state.next_poll_at = format_timestamp(now + timedelta(seconds=wait))
        self._outcome = PollOutcome(ok=error is None, error=error, next_poll_in=wait)
        yield PollPage(states=[replace(state)])

    def _start(
        self, tag: str, out: queue.Queue[tuple[str, Any]], stop: threading.Event
    ) -> threading.Thread:
        client = self._rest.client
        listener = _listener(out, stop)

        from mastodon import MastodonError, MastodonNetworkError, MastodonRatelimitError

        def listen() -> None:
            started = self._monotonic()
            try:
                client.stream_hashtag(tag, listener, timeout=self._window + 30)
                lasted = self._monotonic() - started
                if not stop.is_set() and not worked(listener.posts, lasted):
                    # Ended before the window with no status (a proxy that buffers or cuts
                    # SSE, or one heartbeat and a close): a failure; re-armed at once it
                    # would reconnect many times a second and still look healthy.
                    early = closed_early(
                        f"mastodon-stream #{tag}: the stream closed",
                        lasted,
                        listener.heartbeats,
                        "heartbeat",
                        silent="without an event",
                    )
                    out.put(("error", (early, REFUSED)))
            except _Stopped:
                pass
            except MastodonError as exc:
                failure = (
                    RATE_LIMITED
                    if isinstance(exc, MastodonRatelimitError)
                    else NETWORK_CUT
                    if isinstance(exc, MastodonNetworkError)
                    else REFUSED
                )
                said = f"mastodon-stream #{tag}: {type(exc).__name__}: {str(exc)[:160]}"
                out.put(("error", (said, failure)))
            except Exception as exc:  # requests' own errors, a broken chunk
                out.put(("error", (f"mastodon-stream #{tag}: {type(exc).__name__}", NETWORK_CUT)))
            out.put(("closed", tag))

        thread = threading.Thread(target=listen, name=f"mastodon-stream:{tag}", daemon=True)
        thread.start()
        return thread

    def _read(
        self,
        out: queue.Queue[tuple[str, Any]],
        threads: list[threading.Thread],
        state: SourceState,
        extra: dict[str, Any],
        errors: list[tuple[str, Backoff]],
        now: datetime,
    ) -> Iterator[PollPage]:
        deadline = self._monotonic() + self._window
        open_streams = len(threads)
        statuses: list[Any] = []
        flushed_at = self._monotonic()
        while open_streams and self._monotonic() < deadline:
            try:
                kind, value = out.get(
                    timeout=min(FLUSH_SECONDS, max(0.0, deadline - self._monotonic()))
                )
            except queue.Empty:
                kind, value = "", None
            if kind == "status":
                statuses.append(value)
            elif kind == "heartbeat":
                extra["heartbeats"] = int(extra.get("heartbeats") or 0) + 1
                extra["last_heartbeat_at"] = format_timestamp(now)
            elif kind == "error":
                errors.append(value)
            elif kind == "closed":
                open_streams -= 1
            due = self._monotonic() - flushed_at >= FLUSH_SECONDS
            if len(statuses) >= FLUSH_STATUSES or (statuses and due):
                yield self._page(statuses, state, extra, now)
                statuses, flushed_at = [], self._monotonic()
        while not out.empty():  # what arrived with the last read
            kind, value = out.get_nowait()
            if kind == "status":
                statuses.append(value)
            elif kind == "error":
                errors.append(value)
        if statuses:
            yield self._page(statuses, state, extra, now)

    def _page(
        self, statuses: list[Any], state: SourceState, extra: dict[str, Any], now: datetime
    ) -> PollPage:
        batch: ParsedBatch = parse_statuses(statuses, self.kind, self._rest.host, self.name)
        state.items_seen += len(batch.mentions)
        state.last_success_at = format_timestamp(now)
        state.extra = dump_extra(extra)
        return PollPage(batch=batch, states=[replace(state)])
