"""Mastodon's streaming API as a source (`[mastodon] stream = true`): the hashtags' new
statuses as they are posted, through Mastodon.py's real SSE client.

One poll listens to every configured hashtag for a window (one connection each, in
threads, since Mastodon.py's stream blocks) and stores statuses page by page; the
collector re-arms it at once. Heartbeats (`:` comment lines) are counted, so the Sources
view shows the stream is alive while nothing is posted. The stream has no cursor to
replay from: statuses posted while it reconnects are read by the polling source, which
keeps its own `since_id` on the same hashtags, so nothing is missed; a status both
deliver has one id and is stored once.
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
            self.heard = False
            """Whether the stream sent anything (a status, a deletion, a heartbeat)."""

        def _check(self) -> None:
            self.heard = True
            if self._stop.is_set():
                raise _Stopped

        def on_update(self, status: Any) -> None:
            self._check()
            self._out.put(("status", status))

        def on_status_update(self, status: Any) -> None:
            self.on_update(status)  # an edit: the same id, its newer payload

        def handle_heartbeat(self) -> None:
            self._check()
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
        self._backoff = Backoff(base=2.0, cap=300.0)
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
        errors: list[str] = []
        try:
            yield from self._read(out, threads, state, extra, errors, now)
        finally:
            stop.set()  # each thread ends at its next event or heartbeat
        failures = int(extra.get("failures") or 0) + 1 if errors else 0
        extra["failures"] = failures
        state.extra = dump_extra(extra)
        wait = self._backoff.delay(failures, self._rng) if failures else 0.1
        error = self._rest.redact("; ".join(errors)) if errors else None
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

        from mastodon import MastodonError

        def listen() -> None:
            started = self._monotonic()
            try:
                client.stream_hashtag(tag, listener, timeout=self._window + 30)
                if not listener.heard and not stop.is_set():
                    # An answer that ends before the window with nothing in it (a proxy
                    # that buffers or cuts SSE) is a failure: re-armed at once it would
                    # reconnect many times a second and still look healthy.
                    lasted = self._monotonic() - started
                    out.put(
                        (
                            "error",
                            f"mastodon-stream #{tag}: the stream closed after "
                            f"{lasted:.1f} s without an event",
                        )
                    )
            except _Stopped:
                pass
            except MastodonError as exc:
                out.put(
                    ("error", f"mastodon-stream #{tag}: {type(exc).__name__}: {str(exc)[:160]}")
                )
            except Exception as exc:  # requests' own errors, a broken chunk
                out.put(("error", f"mastodon-stream #{tag}: {type(exc).__name__}"))
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
        errors: list[str],
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
                errors.append(str(value))
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
                errors.append(str(value))
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
