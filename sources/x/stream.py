"""The X filtered stream (`[x] stream = true`): tweets as they are posted, through
tweepy's `StreamingClient`, with gaps closed from recent search.

- Rules follow `[x] queries`: on start the stream's rules are read, rules for queries no
  longer configured are deleted and new queries added, each tagged with its query.
- The connection lives in tweepy's thread across polls; a poll drains what the thread
  received into pages. Each connection's end (a close, a network error, an HTTP error)
  ends the thread and the poll, so the Sources view shows it at once, and the source
  connects again with sources.net.stream_retry's rule, shared with the other streams:
  at once after a connection that worked (delivered a post, or stayed open a minute),
  else after a backoff by what went wrong (a network cut from 1 s up to 16 s; an HTTP
  error or a close without a post from 5 s up to 320 s; a 429 from 60 s), so the next
  poll shown is when the stream connects again. A keep-alive alone is not a working
  stream: one and a close, in a loop, backs off like a close with nothing sent.
- Keep-alives (blank lines every ~20 s) are counted with their time in the state.
- A gap (a close, `operational-disconnect`, a network error, a 429) starts at the
  disconnect; at the next connect recent search is read for every query with
  `since_id` = the last streamed tweet, so nothing is missed; a tweet both deliver has
  one id and is stored once. Gaps are kept in the state ("stream down 02:10-02:14,
  backfilled 37").
- A 403 means the plan has no filtered stream: the source says so, stops, and the
  polling source (which skips search while the stream runs) polls search again.
"""

from __future__ import annotations

import json
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import tweepy

from sources.base import PollOutcome, PollPage
from sources.model.config import Config
from sources.model.feed_rules import X_STREAM
from sources.model.records import ParsedBatch, Skipped, SourceState, utc_now
from sources.model.text import format_timestamp, parse_timestamp
from sources.net.backoff import Backoff, dump_extra, load_extra
from sources.net.stream_retry import (
    NETWORK_CUT,
    RATE_LIMITED,
    RECONNECT_SECONDS,
    REFUSED,
    closed_early,
    retry_in,
    worked,
)
from sources.x.source import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, StreamGate
from sources.x.twitter_v2 import parse_response

NO_STREAM_IN_PLAN = (
    "the filtered stream is not in your X API plan (HTTP 403): polling recent search instead"
)
KEPT_GAPS = 20
"""Gaps remembered in the state (the newest)."""


@dataclass(frozen=True)
class _Ended:
    """A connection's end, as the client saw it: why, and its backoff when it failed."""

    client: _Client
    reason: str
    failure: Backoff | None
    """None when the connection worked (see sources.net.stream_retry): reconnect at once."""


class _Stop(Exception):
    """Raised in tweepy's thread at a connection's end, so that the source reconnects
    (at once, or after its backoff) instead of tweepy at once or on its own schedule."""


class _Client(tweepy.StreamingClient):
    """tweepy's client for one connection, its callbacks turned into events on a queue
    for the poll; its thread ends with the connection, on an `ended` event."""

    def __init__(
        self,
        token: str,
        events: queue.Queue[tuple[str, Any, datetime]],
        clock: Callable[[], datetime],
        monotonic: Callable[[], float],
    ) -> None:
        super().__init__(token, return_type=dict, daemon=True)
        self.events, self.clock, self._monotonic = events, clock, monotonic
        self._posts = self._keepalives = 0
        self._connected_at: float | None = None
        self._said: str | None = None
        """What X said in an error message before it closed (`operational-disconnect`)."""

    @property
    def worked(self) -> bool:
        if self._connected_at is None:
            return False
        return worked(self._posts, self._monotonic() - self._connected_at)

    def _put(self, kind: str, value: Any = None) -> None:
        self.events.put((kind, value, self.clock()))

    def _end(self, reason: str, failure: Backoff | None) -> None:
        self._put("ended", _Ended(self, reason, failure))
        raise _Stop

    def on_connect(self) -> None:
        if self._connected_at is not None:
            self.on_closed(None)  # tweepy reconnecting after a close it did not report
        self._connected_at = self._monotonic()
        self._put("connect")

    def on_data(self, raw_data: bytes) -> None:
        try:
            payload = json.loads(raw_data)
        except ValueError:
            self._put("bad", raw_data[:80].decode("utf-8", "replace"))
            return
        if isinstance(payload, dict) and "data" in payload:
            self._posts += 1
            self._put("tweet", payload)
        elif isinstance(payload, dict) and "errors" in payload:
            first = payload["errors"][0] if payload["errors"] else {}
            self._said = str(first.get("title") or first.get("message") or "stream error")

    def on_keep_alive(self) -> None:
        self._keepalives += 1
        self._put("keepalive")

    def on_closed(self, response: Any) -> None:
        if self.worked:
            self._end(self._said or "X closed the stream", None)
        lasted = self._monotonic() - (self._connected_at or self._monotonic())
        early = closed_early("X closed the stream", lasted, self._keepalives)
        self._end(f"{self._said} ({early})" if self._said else early, REFUSED)

    def on_exception(self, exception: Exception) -> None:
        if not isinstance(exception, _Stop):
            self._put("ended", _Ended(self, type(exception).__name__, REFUSED))

    def on_connection_error(self) -> None:
        self._end("connection error", None if self.worked else NETWORK_CUT)

    def on_request_error(self, status_code: int) -> None:
        if status_code == 403:
            self.disconnect()
            self._put("forbidden")
            return
        self._end(f"HTTP {status_code}", RATE_LIMITED if status_code in (420, 429) else REFUSED)


class XStreamSource:
    """See the module docstring. `close()` ends the stream thread."""

    name = X_STREAM
    kind = "x:stream"

    def __init__(
        self,
        config: Config,
        token: str,
        gate: StreamGate,
        *,
        window_seconds: float = 20.0,
        clock: Callable[[], datetime] = utc_now,
        idle_seconds: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.queries = [q for q in config.x.queries if q.strip()]
        self._token = token
        self._gate = gate
        self._window = window_seconds
        self._clock = clock
        self._idle = idle_seconds
        self._monotonic = monotonic
        self._rng = rng or random.Random()
        self._rules_synced = False
        self._events: queue.Queue[tuple[str, Any, datetime]] = queue.Queue()
        self._stream: _Client | None = None
        self.thread: threading.Thread | None = None
        """tweepy's thread reading the stream (it ends when the stream is closed)."""
        self._search = tweepy.Client(bearer_token=token, return_type=dict)
        self._gap_from: datetime | None = None
        self._outcome = PollOutcome(next_poll_in=0.1)

    def outcome(self) -> PollOutcome:
        return self._outcome

    def close(self) -> None:
        if self._stream is not None:
            self._stream.disconnect()

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        state = replace(states.get(self.name) or SourceState(name=self.name))
        extra = load_extra(state.extra)
        last_success = parse_timestamp(state.last_success_at)
        state.kind, state.last_poll_at = self.kind, format_timestamp(now)
        error: str | None = None
        failed: Backoff | None = None
        ended = stopped = False
        try:
            if self._stream is None:
                if state.cursor and self._gap_from is None:
                    # A restart: the time since the last run is a gap like any other.
                    down = parse_timestamp(extra.get("down_since"))
                    self._gap_from = down or last_success or now
                    extra.setdefault("down_reason", "not running")
                if not self._rules_synced:  # once a run: the queries do not change in it
                    self._sync_rules()
                    self._rules_synced = True
                self._stream = _Client(self._token, self._events, self._clock, self._monotonic)
                self.thread = self._stream.filter(
                    threaded=True,
                    expansions=EXPANSIONS,
                    tweet_fields=TWEET_FIELDS,
                    user_fields=USER_FIELDS,
                )
            for page, problem in self._drain(state, extra):
                if problem == "forbidden":
                    error, stopped = NO_STREAM_IN_PLAN, True
                elif isinstance(problem, _Ended):
                    error, failed, ended = f"stream down: {problem.reason}", problem.failure, True
                yield page
        except tweepy.Forbidden:
            error, stopped = NO_STREAM_IN_PLAN, True
        except tweepy.Unauthorized:
            error, stopped = "token rejected (HTTP 401) by the stream rules", True
        except (tweepy.TweepyException, OSError) as exc:
            error = f"stream rules could not be synced ({type(exc).__name__})"
            failed = _sync_backoff(exc)
        if stopped:
            self.close()
            self._gate.streaming = False
        if failed is not None or ended or (self._stream is not None and self._stream.worked):
            wait = retry_in(extra, failed, self._rng)
        else:
            wait = RECONNECT_SECONDS  # connected, not yet proven: the failures stand
        state.extra = dump_extra(extra)
        if error:
            state.last_error, state.last_error_at = error, format_timestamp(now)
        else:
            state.last_error, state.last_success_at = None, format_timestamp(now)
        state.next_poll_at = None if stopped else format_timestamp(now + timedelta(seconds=wait))
        self._outcome = PollOutcome(
            ok=error is None, error=error, next_poll_in=wait, stopped=stopped
        )
        yield PollPage(states=[replace(state)])

    # --- rules ----------------------------------------------------------------------

    def _sync_rules(self) -> None:
        """Make the stream's rules exactly `[x] queries`, each tagged with its query."""
        rules = tweepy.StreamingClient(self._token, return_type=dict)
        current = rules.get_rules().get("data") or []
        stale = [str(r["id"]) for r in current if r.get("value") not in self.queries]
        present = {r.get("value") for r in current}
        if stale:
            rules.delete_rules(stale)
        missing = [q for q in self.queries if q not in present]
        if missing:
            rules.add_rules([tweepy.StreamRule(value=q, tag=q) for q in missing])

    # --- reading --------------------------------------------------------------------

    def _drain(
        self, state: SourceState, extra: dict[str, Any]
    ) -> Iterator[tuple[PollPage, str | _Ended | None]]:
        deadline = self._clock() + timedelta(seconds=self._window)
        pending = ParsedBatch()
        while True:
            left = (deadline - self._clock()).total_seconds()
            if left <= 0:
                break
            try:
                kind, value, at = self._events.get(timeout=min(left, self._idle))
            except queue.Empty:
                continue
            if kind == "tweet":
                batch = parse_response(value, self.kind, self.name)
                pending.extend(batch)
                newest = max(
                    (int(m.id[2:]) for m in batch.mentions if not m.referenced_only), default=0
                )
                if newest and (not state.cursor or newest > int(state.cursor)):
                    state.cursor = str(newest)
                state.items_seen += sum(1 for m in batch.mentions if not m.referenced_only)
            elif kind == "keepalive":
                extra["keepalives"] = int(extra.get("keepalives") or 0) + 1
                extra["last_keepalive_at"] = format_timestamp(at)
            elif kind == "bad":
                pending.skipped.append(
                    Skipped(self.name, f"a stream line that is not JSON: {value}")
                )
            elif kind == "connect":
                self._gate.streaming = True
                if self._gap_from is not None:
                    yield self._page(pending, state, extra), None
                    pending = ParsedBatch()
                    yield self._backfill(state, extra, self._gap_from, at), None
                    self._gap_from = None
            elif kind == "forbidden":
                yield self._page(pending, state, extra), "forbidden"
                return
            elif kind == "ended" and value.client is self._stream:
                self._stream = None  # its thread is ending: the next poll connects again
                if self._gap_from is None:
                    self._gap_from = at
                    extra["down_since"] = format_timestamp(at)
                    extra["down_reason"] = value.reason
                self._gate.streaming = False  # search is polled until the stream is back
                yield self._page(pending, state, extra), value
                return
            if len(pending.mentions) >= 100:
                yield self._page(pending, state, extra), None
                pending = ParsedBatch()
        yield self._page(pending, state, extra), None

    def _page(self, batch: ParsedBatch, state: SourceState, extra: dict[str, Any]) -> PollPage:
        state.extra = dump_extra(extra)
        return PollPage(batch=batch, states=[replace(state)])

    def _backfill(
        self, state: SourceState, extra: dict[str, Any], since: datetime, until: datetime
    ) -> PollPage:
        """Recent search for each query since the last streamed tweet: the gap's posts."""
        batch = ParsedBatch()
        since_id = state.cursor
        found: set[str] = set()
        for query in self.queries:
            token: str | None = None
            for _ in range(max(1, self.config.x.max_pages)):
                params: dict[str, Any] = {
                    "max_results": 100,
                    "expansions": EXPANSIONS,
                    "tweet_fields": TWEET_FIELDS,
                    "user_fields": USER_FIELDS,
                }
                if since_id:
                    params["since_id"] = since_id
                if token:
                    params["next_token"] = token
                try:
                    payload = self._search.search_recent_tweets(query, **params)
                except (tweepy.TweepyException, OSError) as exc:  # OSError: requests'
                    batch.warnings.append(
                        f"{self.name}: backfill of {query!r} failed ({exc})"[:200]
                    )
                    break
                page = parse_response(payload, "x:backfill", f"{self.name} backfill")
                page.skipped = [s for s in page.skipped if "empty result page" not in s.reason]
                batch.extend(page)
                found.update(m.id for m in page.mentions if not m.referenced_only)
                meta = payload.get("meta") or {}
                token = meta.get("next_token")
                if not token:
                    break
        newest = max((int(i[2:]) for i in found), default=0)
        if newest and (not state.cursor or newest > int(state.cursor)):
            state.cursor = str(newest)
        gaps = list(extra.get("gaps") or [])
        gaps.append(
            {
                "from": format_timestamp(since),
                "to": format_timestamp(until),
                "backfilled": len(found),
                "reason": extra.pop("down_reason", ""),
            }
        )
        extra.pop("down_since", None)
        extra["gaps"] = gaps[-KEPT_GAPS:]
        state.extra = dump_extra(extra)
        return PollPage(batch=batch, states=[replace(state)])


def _sync_backoff(exc: Exception) -> Backoff:
    """How long to wait after the stream rules could not be read or written."""
    if isinstance(exc, tweepy.TooManyRequests):
        return RATE_LIMITED
    return REFUSED if isinstance(exc, tweepy.TweepyException) else NETWORK_CUT
