"""One RSS/Atom/RDF feed as a live source: fetch defensively, parse, remember validators.

The feed's state row (named after the feed) carries its ETag / Last-Modified, the address
it moved to permanently, its failure count and its health, and digests of the items of
the last document it read (so "items seen" and the log name each item once, not once per
download); the collector saves it in the same transaction as the items, so a crash never
records a validator for unstored items.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

import requests

from sources.base import PollOutcome, PollPage
from sources.feeds.parse import parse_feed
from sources.model.config import FeedSection
from sources.model.records import Mention, Skipped, SourceState
from sources.model.text import format_timestamp, short_hash
from sources.net.backoff import Backoff, dump_extra, load_extra, paused
from sources.net.deadline_http import mount_deadlines
from sources.net.http_fetch import FeedSession, FetchError, FetchLimits, fetch_document

FAILURE_BACKOFF_CAP = 6 * 3600.0
"""However often a feed fails, it is tried again at least every six hours."""
RETRY_AFTER_CAP = 24 * 3600.0
"""A server's Retry-After is honoured up to a day (a bigger one is a misconfiguration)."""
_XML_TYPES = ("xml", "rss", "atom", "rdf")


class FeedSource:
    """Polls one `[[feeds]]` entry. `poll` yields exactly one page (items and/or state)."""

    kind = "rss"

    def __init__(
        self,
        feed: FeedSection,
        *,
        limits: FetchLimits | None = None,
        session: requests.Session | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.name = feed.name
        self.feed = feed
        # `timeout_seconds` bounds the whole answer (status, headers, body), however the
        # server dribbles it out, so one slow host never holds a poll slot past it.
        self.limits = limits or FetchLimits(
            read_timeout=float(feed.timeout_seconds),
            total_timeout=float(feed.timeout_seconds),
            max_bytes=feed.max_megabytes * 1024 * 1024,
        )
        self._session = mount_deadlines(session or FeedSession())
        self._rng = rng or random.Random()
        self._backoff = Backoff(
            base=float(feed.poll_seconds), cap=max(float(feed.poll_seconds), FAILURE_BACKOFF_CAP)
        )
        self._outcome = PollOutcome(next_poll_in=float(feed.poll_seconds))

    def outcome(self) -> PollOutcome:
        return self._outcome

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        state = self._current_state(states.get(self.name))
        extra = load_extra(state.extra)
        waiting_until = paused(state.paused_until, now)
        if waiting_until is not None:
            # The server asked us to wait (Retry-After): asking again now only annoys it.
            self._outcome = PollOutcome(
                ok=False,
                error=f"waiting until {format_timestamp(waiting_until)} as the server asked"
                + (f" ({state.last_error})" if state.last_error else ""),
                next_poll_in=(waiting_until - now).total_seconds(),
            )
            return
        state.last_poll_at = format_timestamp(now)
        url = state.url or self.feed.url
        try:
            fetched = fetch_document(
                self._session,
                url,
                etag=state.etag,
                last_modified=state.last_modified,
                limits=self.limits,
            )
        except FetchError as exc:
            yield PollPage(states=[self._failed(state, extra, exc.reason, now, exc)])
            return
        if fetched.moved_to:
            state.url = fetched.moved_to
        if fetched.not_modified:
            yield PollPage(states=[self._succeeded(state, extra, now)])
            return
        digest = hashlib.sha1(fetched.body).hexdigest()
        if digest == extra.get("content_sha1"):
            # A server without validators sent the same bytes again: nothing to parse.
            state.etag = fetched.headers.get("etag") or state.etag
            state.last_modified = fetched.headers.get("last-modified") or state.last_modified
            yield PollPage(states=[self._succeeded(state, extra, now)])
            return
        date_warnings: dict[str, str] = {}
        batch = parse_feed(
            fetched.body,
            self.name,
            headers=fetched.headers,
            base_url=fetched.final_url,
            seen_at=now,
            date_warnings=date_warnings,
        )
        if not batch.mentions and batch.skipped:
            reason = batch.skipped[0].reason
            content_type = fetched.headers.get("content-type", "").split(";")[0].strip()
            if content_type and not any(t in content_type.lower() for t in _XML_TYPES):
                reason = f"{reason} (the server sent {content_type[:60]})"
            yield PollPage(states=[self._failed(state, extra, reason, now)])
            return
        state.etag = fetched.headers.get("etag")
        state.last_modified = fetched.headers.get("last-modified")
        state.items_seen += _new_items(batch.mentions, extra)
        batch.skipped = _first_reports(batch.skipped, extra)
        batch.warnings.extend(_first_date_warnings(date_warnings, extra))
        extra["content_sha1"] = digest
        yield PollPage(batch=batch, states=[self._succeeded(state, extra, now)])

    def _current_state(self, stored: SourceState | None) -> SourceState:
        state = replace(stored) if stored else SourceState(name=self.name, kind=self.kind)
        state.kind = self.kind
        extra = load_extra(state.extra)
        if extra.get("config_url") != self.feed.url:
            # The config names a new address: forget the old one's redirect and validators.
            state.url = state.etag = state.last_modified = None
            state.paused_until = None
            extra = {"config_url": self.feed.url}
            state.extra = dump_extra(extra)
        return state

    def _succeeded(
        self, state: SourceState, extra: dict[str, object], now: datetime
    ) -> SourceState:
        extra["failures"] = 0
        wait = float(self.feed.poll_seconds)
        self._outcome = PollOutcome(ok=True, next_poll_in=wait)
        return replace(
            state,
            last_success_at=format_timestamp(now),
            last_error=None,
            paused_until=None,
            next_poll_at=format_timestamp(now + timedelta(seconds=wait)),
            extra=dump_extra(extra),
        )

    def _failed(
        self,
        state: SourceState,
        extra: dict[str, object],
        reason: str,
        now: datetime,
        error: FetchError | None = None,
    ) -> SourceState:
        failures = int(extra.get("failures") or 0) + 1  # type: ignore[call-overload]
        extra["failures"] = failures
        wait = self._backoff.delay(failures, self._rng)
        paused_until = None
        if error is not None and error.retry_after is not None:
            if error.retry_after > RETRY_AFTER_CAP:
                reason = f"{reason}; retrying in 24 h, the longest pause"
            wait = min(max(wait, error.retry_after), RETRY_AFTER_CAP)
            paused_until = format_timestamp(now + timedelta(seconds=wait))
        stopped = bool(error and error.gone)
        self._outcome = PollOutcome(ok=False, error=reason, next_poll_in=wait, stopped=stopped)
        return replace(
            state,
            last_error=reason,
            last_error_at=format_timestamp(now),
            paused_until=paused_until,
            next_poll_at=None if stopped else format_timestamp(now + timedelta(seconds=wait)),
            extra=dump_extra(extra),
        )


def _new_items(mentions: list[Mention], extra: dict[str, object]) -> int:
    """How many of a changed document's items the previous one did not have: "items seen"
    counts each item once, not once per download. `extra` remembers a short digest of each
    item the document has (10 hex digits: a feed of 20,000 items keeps about 240 kB)."""
    now = {short_hash(m.id)[:10] for m in mentions}
    return len(now - _remembered(extra, "item_digests", now))


def _first_date_warnings(warnings: dict[str, str], extra: dict[str, object]) -> list[str]:
    """The warnings about items' unreadable dates (by item id) that the previous document
    did not give as well: an item stays undated, so it is named once, not on every change
    of the feed. `extra` remembers the items warned about now (as `_first_reports` does)."""
    now = {short_hash(item_id)[:10]: warning for item_id, warning in warnings.items()}
    known = _remembered(extra, "unread_dates", set(now))
    return [warning for digest, warning in now.items() if digest not in known]


def _first_reports(skipped: list[Skipped], extra: dict[str, object]) -> list[Skipped]:
    """The items skipped, each lost item (`Skipped.item`) that the previous document did
    not skip as well marked as a first report: `collect` names it once, as `import` does,
    not on every change of the feed. `extra` remembers the ones skipped now: an item that
    leaves and comes back is named again."""
    known = _remembered(extra, "skipped_items", {s.item for s in skipped if s.item})
    return [replace(s, first_report=True) if s.item and s.item not in known else s for s in skipped]


def _remembered(extra: dict[str, object], key: str, now: set[str]) -> set[str]:
    """The keys `extra[key]` held (space-separated); from now on it holds `now`."""
    before = extra.get(key)
    known = set(before.split()) if isinstance(before, str) else set()
    if now:
        extra[key] = " ".join(sorted(now))
    else:
        extra.pop(key, None)
    return known
