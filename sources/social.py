"""The polling round shared by the Bluesky and Mastodon sources.

Each service lists its endpoints (an author feed, a search, a hashtag) and knows how to
fetch one page of one endpoint; this module does what is the same for every service,
the way the X source does it for X:

- Exact resume: an endpoint's state row holds the committed cursor (the newest post it
  has read) and, while a round pages back, the service's next-page cursor and the newest
  marker of the round. The collector saves that row with the page's posts, so a crash
  re-fetches at most one page and the cursor only moves past stored posts.
- Failures are contained: one endpoint's failure is recorded on its row and the others
  go on (skipped at once when their host did not answer earlier in the round, see
  `Unreachable`); a 429 pauses this source (only) until the service's reset time; a
  failing service backs the whole round off exponentially. Secrets never reach an
  error text.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sources.base import PollOutcome, PollPage
from sources.model.counted import counted
from sources.model.records import ParsedBatch, SourceState, sum_parts
from sources.model.redact import redact as redact_secrets
from sources.model.text import format_timestamp
from sources.net.backoff import Backoff, dump_extra, load_extra, paused

RATE_PAUSE_CAP = 3600.0
"""A reset time further away than this is treated as this (a clock or header gone wrong)."""


@dataclass(frozen=True)
class Endpoint:
    """One thing polled each round; `state_name` is its row in `source_state`."""

    platform: str
    kind: str
    """`feed`, `search`, `tag` or `account`."""
    target: str
    """The handle, query or hashtag."""

    @property
    def state_name(self) -> str:
        return f"{self.platform}/{self.kind}:{self.target}"

    @property
    def source_label(self) -> str:
        """What `Mention.source` says (`bluesky:feed`), like `x:search` on X."""
        return f"{self.platform}:{self.kind}"


@dataclass
class Page:
    """One page of one endpoint, as the service read it."""

    batch: ParsedBatch = field(default_factory=ParsedBatch)
    next_cursor: str | None = None
    """The service's cursor for the next (older) page; None when there is none."""
    newest: str | None = None
    """The ordering marker of the newest post on the page (for the committed cursor)."""
    reached_known: bool = False
    """The page went back as far as the committed cursor: older pages are already stored."""
    fresh: int | None = None
    """How many of its posts are newer than the committed cursor, when the service sends
    posts read in earlier rounds again (a Bluesky author feed has no `since`); None when
    every post is new. "items seen" counts each post once."""


class RateLimited(Exception):
    """The service answered 429; `until` is its reset time when it said one, `after_s`
    the seconds its Retry-After asked for (which wins: it is the answer's own word)."""

    def __init__(self, until: datetime | None, *, after_s: float | None = None) -> None:
        super().__init__("rate limited")
        self.until = until
        self.after_s = after_s


class EndpointFailed(Exception):
    """This endpoint failed (its message is for the user); the others go on."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient
        """False when asking again cannot help (no account, a name that does not exist)."""


class Unreachable:
    """The hosts that timed out or could not be reached in this round, with why.

    Every endpoint of a round asks the same instance or service: once it has not
    answered, asking again for each hashtag, account or handle only adds a timeout per
    endpoint to the round (ten hashtags, five minutes). Later requests of the round to
    that host fail at once, saying why; the next round asks again."""

    def __init__(self) -> None:
        self._why: dict[str, str] = {}

    def clear(self) -> None:
        self._why.clear()

    def check(self, host: str) -> None:
        """Raise `EndpointFailed` when `host` did not answer earlier this round."""
        why = self._why.get(host)
        if why is not None:
            raise EndpointFailed(f"skipped: {why} (earlier this round)")

    def failed(self, host: str, why: str) -> EndpointFailed:
        """Note that `host` did not answer (`why`); the failure to raise for this endpoint."""
        self._why.setdefault(host, why)
        return EndpointFailed(why)


Fetch = Callable[[Endpoint, str | None, str | None, dict[str, object]], Page]
"""`fetch(endpoint, committed_cursor, page_cursor, extra)`: one page, or raises."""


class PagedSource:
    """A live source whose poll is one round over its endpoints, page by page."""

    def __init__(
        self,
        name: str,
        endpoints: Sequence[Endpoint],
        fetch: Fetch,
        *,
        poll_seconds: int,
        max_pages: int,
        secrets: Sequence[str] = (),
        newer: Callable[[str, str], bool] = lambda a, b: a > b,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.kind = name
        self.endpoints = list({e.state_name: e for e in endpoints}.values())
        self._fetch = fetch
        self._poll_seconds = float(max(1, poll_seconds))
        self._max_pages = max(1, max_pages)
        self._secrets = [s for s in secrets if s]
        self._newer = newer
        self._rng = rng or random.Random()
        self._round_backoff = Backoff(base=self._poll_seconds, cap=max(900.0, self._poll_seconds))
        self._rate_backoff = Backoff(base=60.0, cap=900.0)
        self._outcome = PollOutcome(next_poll_in=self._poll_seconds)
        self.unreachable = Unreachable()
        """What the service's fetches check and note, cleared at the start of each round."""

    def outcome(self) -> PollOutcome:
        return self._outcome

    def redact(self, text: str) -> str:
        """`text` without the secrets this source holds or the environment has (server
        errors echo them); the one redaction rule of `sources.model.redact`."""
        return redact_secrets(text, self._secrets)

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        main = replace(states.get(self.name) or SourceState(name=self.name))
        main.kind = self.kind
        waiting = paused(main.paused_until, now)
        if waiting is not None:
            self._outcome = PollOutcome(
                ok=False,
                error=f"rate limited: paused until {format_timestamp(waiting)}",
                next_poll_in=(waiting - now).total_seconds(),
            )
            return
        main.last_poll_at = format_timestamp(now)
        self.unreachable.clear()
        errors: list[str] = []
        warnings: list[str] = []
        transient = False
        until: datetime | None = None
        parts = {
            e.state_name: replace(states.get(e.state_name) or SourceState(name=e.state_name))
            for e in self.endpoints
        }
        for endpoint in self.endpoints:
            state = parts[endpoint.state_name]
            state.kind = endpoint.source_label
            state.last_poll_at = format_timestamp(now)
            try:
                yield from self._poll_endpoint(endpoint, state, now, warnings)
            except RateLimited as exc:
                reset = exc.until
                if exc.after_s is not None:
                    reset = now + timedelta(seconds=min(exc.after_s, RATE_PAUSE_CAP))
                until = self._pause_until(reset, main, now)
                errors.append(f"rate limited: paused until {format_timestamp(until)}")
                break  # the limit is the service's, not one endpoint's
            except EndpointFailed as exc:
                message = self.redact(str(exc))
                transient = transient or exc.transient
                errors.append(f"{endpoint.state_name}: {message}")
                state.last_error, state.last_error_at = message, format_timestamp(now)
                yield PollPage(states=[state])
        failures = int(load_extra(main.extra).get("failures") or 0)
        failures = failures + 1 if transient and until is None else 0
        extra = load_extra(main.extra)
        extra["failures"] = failures
        if until is None:
            extra.pop("rate_failures", None)
        main.extra = dump_extra(extra)
        next_in = self._poll_seconds
        if failures:
            next_in = self._round_backoff.delay(failures, self._rng)
        if until is not None:
            next_in = max(next_in, (until - now).total_seconds())
        main.paused_until = format_timestamp(until) if until is not None else None
        error = self.redact("; ".join(errors)) if errors else None
        if error:
            main.last_error, main.last_error_at = error, format_timestamp(now)
        else:
            main.last_error, main.last_success_at = None, format_timestamp(now)
        sum_parts(main, parts.values())
        main.next_poll_at = format_timestamp(now + timedelta(seconds=next_in))
        self._outcome = PollOutcome(ok=not errors, error=error, next_poll_in=next_in)
        yield PollPage(batch=ParsedBatch(warnings=warnings), states=[main])

    def _poll_endpoint(
        self, endpoint: Endpoint, state: SourceState, now: datetime, warnings: list[str]
    ) -> Iterator[PollPage]:
        extra: dict[str, object] = load_extra(state.extra)
        since = state.cursor
        page_cursor = _text(extra.get("next_cursor"))
        newest = _text(extra.get("pending_newest"))
        for number in range(self._max_pages):
            page = self._fetch(endpoint, since, page_cursor, extra)
            if page_cursor is None and page.newest:
                newest = page.newest  # the first page of a round holds the newest posts
            page_cursor = None if page.reached_known else page.next_cursor
            last_page = number + 1 >= self._max_pages
            if page_cursor and not (last_page and since is None):
                extra["next_cursor"], extra["pending_newest"] = page_cursor, newest
            else:
                if page_cursor:
                    warnings.append(
                        f"{endpoint.state_name}: first poll read the newest "
                        f"{counted(self._max_pages, 'page')}; older posts were not fetched"
                    )
                if newest and (since is None or self._newer(newest, since)):
                    state.cursor = newest
                extra.pop("next_cursor", None)
                extra.pop("pending_newest", None)
                page_cursor = None
            state.extra = dump_extra(extra)
            state.last_error = None
            state.last_success_at = format_timestamp(now)
            posts = sum(1 for m in page.batch.mentions if not m.referenced_only)
            state.items_seen += posts if page.fresh is None else page.fresh
            yield PollPage(batch=page.batch, states=[replace(state)])
            if page_cursor is None:
                return

    def _pause_until(self, reset: datetime | None, main: SourceState, now: datetime) -> datetime:
        if reset is not None:
            latest = now + timedelta(seconds=RATE_PAUSE_CAP)
            return min(max(reset, now + timedelta(seconds=1)), latest)
        extra = load_extra(main.extra)
        failures = int(extra.get("rate_failures") or 0) + 1
        extra["rate_failures"] = failures
        main.extra = dump_extra(extra)
        return now + timedelta(seconds=self._rate_backoff.delay(failures, self._rng))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
