"""X/Twitter as a live source: recent search, mentions timelines, ambassador timelines.

Uses tweepy's v2 `Client` with `return_type=dict`, so every page keeps its `includes`
(tweepy's `Paginator.flatten()` drops them), and parses pages with `twitter_v2`.

Resume is exact: each endpoint's state row holds the committed `since_id` (cursor) and,
while a round is paginating, the next page token and the newest id seen. The collector
saves that state with the page's posts, so a crash re-fetches at most one page and the
cursor only moves past posts that are stored.

Failures are contained: 429 pauses that endpoint until `x-rate-limit-reset` (or backs off
exponentially when the header is missing: tweepy's `wait_on_rate_limit` would recurse
without end then), 401/403 stop the source, 5xx/timeouts/unreadable bodies are retried a
bounded number of times with jittered backoff. The bearer token never leaves the client.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy

from sources.base import PollOutcome, PollPage
from sources.model.config import BEARER_ENV, Config
from sources.model.counted import counted
from sources.model.feed_rules import X
from sources.model.records import ParsedBatch, SourceState, sum_parts
from sources.model.redact import redact
from sources.model.secret_env import check_secret, source_environ
from sources.model.text import format_timestamp
from sources.net.api_session import ApiSession, NotJson, NumberTooLong, ResponseTooLarge
from sources.net.backoff import Backoff, dump_extra, load_extra, paused
from sources.net.http_fetch import USER_AGENT
from sources.x.twitter_v2 import parse_response

EXPANSIONS = [
    "author_id",
    "referenced_tweets.id",
    "in_reply_to_user_id",
    "referenced_tweets.id.author_id",
]
USER_FIELDS = ["name", "username", "description", "public_metrics", "created_at", "verified"]
TWEET_FIELDS = [
    "created_at",
    "lang",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "public_metrics",
]
NO_TOKEN = f"{BEARER_ENV} is not set"
TOKEN_REJECTED = f"token rejected (HTTP 401): check {BEARER_ENV}"
NOT_IN_PLAN = "endpoint not in your API plan (HTTP 403)"
RATE_PAUSE_CAP = 3600.0
"""A reset time further away than this is treated as this (a clock or header gone wrong)."""

Sleep = Callable[[float], None]


@dataclass
class StreamGate:
    """Shared by the filtered stream and this source: recent search is polled unless the
    stream is connected (it delivers the same queries, and X bills every read)."""

    streaming: bool = False


class _Transient(Exception):
    """Retries ran out on a 5xx, a timeout, a broken connection or an unreadable body."""


class _Fatal(Exception):
    """Retrying cannot help (401, 403): the source stops."""


@dataclass(frozen=True)
class Endpoint:
    """One thing polled each round; `state_name` is its row in `source_state`."""

    kind: str
    """`search`, `mentions` or `timeline` (also the rate-limit bucket)."""
    target: str
    """The query, or the handle whose mentions/timeline are read."""

    @property
    def state_name(self) -> str:
        return f"x/{self.kind}:{self.target}"

    @property
    def source_label(self) -> str:
        return f"x:{self.kind}"


def endpoints_for(config: Config) -> list[Endpoint]:
    """Every endpoint the config asks for, in polling order."""
    found = [Endpoint("search", q) for q in config.x.queries if q.strip()]
    if config.x.mentions_timeline:
        found += [Endpoint("mentions", _handle(h)) for h in config.company.handles if h.strip()]
    if config.x.ambassador_timelines:
        found += [
            Endpoint("timeline", _handle(h)) for h in config.accounts.ambassadors if h.strip()
        ]
    unique: dict[str, Endpoint] = {e.state_name: e for e in found}
    return list(unique.values())


def x_configured(config: Config) -> bool:
    return bool(endpoints_for(config))


class XSource:
    """The X source: one poll = one round over every configured endpoint."""

    name = X
    kind = "x"

    def __init__(
        self,
        config: Config,
        *,
        token: str | None = None,
        rng: random.Random | None = None,
        sleep: Sleep = time.sleep,
        retries: int = 2,
        timeout: tuple[float, float] = (10.0, 30.0),
        stream_gate: StreamGate | None = None,
    ) -> None:
        """`token` defaults to `$X_BEARER_TOKEN`; `sleep`/`rng` are seams for tests."""
        self.config = config
        self.endpoints = endpoints_for(config)
        self._stream_gate = stream_gate
        raw = token if token is not None else source_environ().get(BEARER_ENV, "")
        checked = check_secret(BEARER_ENV, raw)
        self._token, self._token_problem = checked.value, checked.problem
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._retries = retries
        self._poll_seconds = float(max(1, config.x.poll_seconds))
        self._retry_backoff = Backoff(base=1.0, cap=30.0)
        self._round_backoff = Backoff(base=self._poll_seconds, cap=max(900.0, self._poll_seconds))
        self._rate_backoff = Backoff(base=60.0, cap=900.0)
        self._session = ApiSession(timeout)
        self._client: tweepy.Client | None = None
        if self._token:
            self._client = tweepy.Client(bearer_token=self._token, return_type=dict)
            self._client.session = self._session
            self._client.user_agent = f"{USER_AGENT} {self._client.user_agent}"
        self._outcome = PollOutcome(next_poll_in=self._poll_seconds)

    def outcome(self) -> PollOutcome:
        return self._outcome

    # --- one round ----------------------------------------------------------------

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        main = replace(states.get(self.name) or SourceState(name=self.name))
        main.kind = self.kind
        main.last_poll_at = format_timestamp(now)
        if self._client is None:
            why = self._token_problem or NO_TOKEN
            self._outcome = PollOutcome(ok=False, error=why, stopped=True)
            yield PollPage(states=[self._main_state(main, now, [why], None)])
            return
        current = {
            e.state_name: self._endpoint_state(states.get(e.state_name), e) for e in self.endpoints
        }
        errors: list[str] = []
        warnings: list[str] = []
        pauses: dict[str, datetime] = {}
        fatal: str | None = None
        transient = False
        try:
            yield from self._lookup_users(current, now, errors)
            for endpoint in self.endpoints:
                state = current[endpoint.state_name]
                until = pauses.get(endpoint.kind) or paused(state.paused_until, now)
                if until is not None:
                    pauses[endpoint.kind] = until
                    continue
                if endpoint.kind != "search" and not load_extra(state.extra).get("user_id"):
                    continue  # the lookup said why
                if endpoint.kind == "search" and self._stream_gate and self._stream_gate.streaming:
                    continue  # the filtered stream delivers these as they are posted
                state.last_poll_at = format_timestamp(now)
                yield from self._poll_endpoint(endpoint, state, now, errors, warnings, pauses)
        except _Fatal as exc:
            fatal = str(exc)
            errors.insert(0, fatal)
        except _Transient as exc:
            transient = True
            errors.insert(0, str(exc))
        # Only a flaky API backs the whole round off; a 429 pauses just its endpoint.
        failures = int(load_extra(main.extra).get("failures") or 0)
        failures = failures + 1 if transient else 0
        main.extra = dump_extra({"failures": failures})
        next_in = self._poll_seconds
        if failures:
            next_in = self._round_backoff.delay(failures, self._rng)
        if pauses and len(pauses) == len({e.kind for e in self.endpoints}):
            earliest = min(pauses.values())
            next_in = max(next_in, (earliest - now).total_seconds())
        for kind, until in sorted(pauses.items()):
            message = f"{kind} rate limited: paused until {format_timestamp(until)}"
            if not any(kind in e and "rate limit" in e for e in errors):
                warnings.append(message)
        self._outcome = PollOutcome(
            ok=not errors,
            error=self._redact("; ".join(errors)) if errors else None,
            next_poll_in=next_in,
            stopped=fatal is not None,
        )
        main.paused_until = format_timestamp(min(pauses.values())) if pauses else None
        main_state = self._main_state(main, now, errors, None if fatal else next_in)
        sum_parts(main_state, current.values())
        yield PollPage(batch=ParsedBatch(warnings=warnings), states=[main_state])

    def _main_state(
        self, main: SourceState, now: datetime, errors: list[str], next_in: float | None
    ) -> SourceState:
        if errors:
            main.last_error = self._redact("; ".join(errors))
            main.last_error_at = format_timestamp(now)
        else:
            main.last_error = None
            main.last_success_at = format_timestamp(now)
        main.rate_remaining = self._session.rate_remaining
        main.next_poll_at = (
            format_timestamp(now + timedelta(seconds=next_in)) if next_in is not None else None
        )
        return main

    def _endpoint_state(self, stored: SourceState | None, endpoint: Endpoint) -> SourceState:
        state = replace(stored) if stored else SourceState(name=endpoint.state_name)
        state.kind = f"x:{endpoint.kind}"
        return state

    # --- user ids for mentions and timelines -----------------------------------------

    def _lookup_users(
        self, current: dict[str, SourceState], now: datetime, errors: list[str]
    ) -> Iterator[PollPage]:
        wanted: dict[str, list[SourceState]] = {}
        for endpoint in self.endpoints:
            state = current[endpoint.state_name]
            needs_id = endpoint.kind != "search" and not load_extra(state.extra).get("user_id")
            # A rate-limited lookup waits for its reset.
            if needs_id and paused(state.paused_until, now) is None:
                wanted.setdefault(endpoint.target.lower(), []).append(state)
        names = sorted(wanted)
        client = self._client
        assert client is not None
        for start in range(0, len(names), 100):
            chunk = names[start : start + 100]
            try:
                payload = self._call_with_retries(
                    "user lookup",
                    lambda names=chunk: client.get_users(  # type: ignore[misc]
                        usernames=names, user_fields=USER_FIELDS
                    ),
                )
            except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
                raise _Fatal(_fatal_message(exc) + " (user lookup)") from None
            except tweepy.TooManyRequests as exc:
                # Paused like an endpoint's own 429 (their rows carry it), so the lookup
                # is not asked again every round before the reset.
                page, until = self._pause_lookup(
                    exc, [s for n in names[start:] for s in wanted[n]], now
                )
                yield page
                errors.append(f"user lookup: rate limited, paused until {format_timestamp(until)}")
                return
            except tweepy.HTTPException as exc:
                # Mentions and timelines wait for the next round; search goes on.
                errors.append(f"user lookup: X refused it ({_api_detail(exc)})")
                return
            data = payload.get("data")
            users: list[Any] = data if isinstance(data, list) else []
            found = {
                str(u.get("username", "")).lower(): str(u.get("id"))
                for u in users
                if isinstance(u, dict) and u.get("id")
            }
            changed: list[SourceState] = []
            for handle in chunk:
                for state in wanted[handle]:
                    extra = load_extra(state.extra)
                    if handle in found:
                        extra["user_id"] = found[handle]
                        state.extra = dump_extra(extra)
                        state.last_error = None
                    else:
                        message = f"no X account named @{handle}"
                        state.last_error, state.last_error_at = message, format_timestamp(now)
                        errors.append(f"{state.name}: {message}")
                    changed.append(replace(state))
            batch = parse_response(payload, "x:users", "user lookup") if users else ParsedBatch()
            batch.skipped.clear()
            yield PollPage(batch=batch, states=changed)

    def _pause_lookup(
        self, exc: tweepy.TooManyRequests, waiting: list[SourceState], now: datetime
    ) -> tuple[PollPage, datetime]:
        """Pause every endpoint still waiting for its user id until the lookup's reset."""
        extra = load_extra(waiting[0].extra)
        until = self._rate_pause(exc, extra, now)
        for state in waiting:
            mine = load_extra(state.extra)
            if "rate_failures" in extra:
                mine["rate_failures"] = extra["rate_failures"]
            state.extra = dump_extra(mine)
            state.paused_until = format_timestamp(until)
            state.rate_remaining = 0
            state.last_error = f"user lookup rate limited until {format_timestamp(until)}"
            state.last_error_at = format_timestamp(now)
        return PollPage(states=[replace(s) for s in waiting]), until

    # --- one endpoint, page by page ------------------------------------------------

    def _poll_endpoint(
        self,
        endpoint: Endpoint,
        state: SourceState,
        now: datetime,
        errors: list[str],
        warnings: list[str],
        pauses: dict[str, datetime],
    ) -> Iterator[PollPage]:
        extra = load_extra(state.extra)
        since = state.cursor
        token = extra.get("next_token")
        newest = extra.get("pending_newest")
        for page_number in range(max(1, self.config.x.max_pages)):
            try:
                payload = self._fetch_page(endpoint, extra, since, token)
            except tweepy.TooManyRequests as exc:
                until = self._rate_pause(exc, extra, now)
                pauses[endpoint.kind] = until
                errors.append(
                    f"{endpoint.state_name}: rate limited, paused until {format_timestamp(until)}"
                )
                state.paused_until = format_timestamp(until)
                state.rate_remaining = 0
                state.last_error = f"rate limited until {format_timestamp(until)}"
                state.last_error_at = format_timestamp(now)
                state.extra = dump_extra(extra)
                yield PollPage(states=[replace(state)])
                return
            except _Transient as exc:
                state.last_error, state.last_error_at = str(exc), format_timestamp(now)
                yield PollPage(states=[replace(state)])
                raise
            except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
                state.last_error = _fatal_message(exc)
                state.last_error_at = format_timestamp(now)
                yield PollPage(states=[replace(state)])
                raise _Fatal(f"{state.last_error} ({endpoint.state_name})") from None
            except tweepy.HTTPException as exc:  # 400, 404, 410 and the other refusals
                message = f"X refused the request ({_api_detail(exc)})"
                errors.append(f"{endpoint.state_name}: {message}")
                # A stale page token or a vanished account: start clean next round.
                for key in ("next_token", "pending_newest"):
                    extra.pop(key, None)
                if exc.response.status_code in (404, 410):
                    extra.pop("user_id", None)
                state.last_error, state.last_error_at = message, format_timestamp(now)
                state.extra = dump_extra(extra)
                yield PollPage(states=[replace(state)])
                return
            raw_meta = payload.get("meta")
            meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
            if token is None and meta.get("newest_id"):
                newest = str(meta["newest_id"])  # the first page of a round is the newest
            token = meta.get("next_token")
            batch = parse_response(payload, endpoint.source_label, endpoint.state_name)
            batch.skipped = [s for s in batch.skipped if "empty result page" not in s.reason]
            state.rate_remaining = self._session.rate_remaining
            state.paused_until = None
            state.last_error = None
            state.last_success_at = format_timestamp(now)
            state.items_seen += sum(1 for m in batch.mentions if not m.referenced_only)
            extra.pop("rate_failures", None)
            last_page = page_number + 1 >= max(1, self.config.x.max_pages)
            if token and not (last_page and since is None):
                # More to read (now or next round): the cursor waits until the round ends.
                extra["next_token"], extra["pending_newest"] = token, newest
            else:
                if token:
                    warnings.append(
                        f"{endpoint.state_name}: first poll read the newest "
                        f"{counted(self.config.x.max_pages, 'page')}; older posts were not fetched"
                    )
                state.cursor = newest or since
                extra.pop("next_token", None)
                extra.pop("pending_newest", None)
            state.extra = dump_extra(extra)
            yield PollPage(batch=batch, states=[replace(state)])
            if not extra.get("next_token"):
                return

    def _fetch_page(
        self, endpoint: Endpoint, extra: dict[str, Any], since: str | None, token: str | None
    ) -> dict[str, Any]:
        client = self._client
        assert client is not None
        common: dict[str, Any] = {
            "max_results": 100,
            "expansions": EXPANSIONS,
            "tweet_fields": TWEET_FIELDS,
            "user_fields": USER_FIELDS,
        }
        if since:
            common["since_id"] = since
        if endpoint.kind == "search":
            if token:
                common["next_token"] = token
            return self._call_with_retries(
                endpoint.state_name, lambda: client.search_recent_tweets(endpoint.target, **common)
            )
        if token:
            common["pagination_token"] = token
        user_id = extra["user_id"]
        call = client.get_users_mentions if endpoint.kind == "mentions" else client.get_users_tweets
        return self._call_with_retries(endpoint.state_name, lambda: call(user_id, **common))

    def _call_with_retries(self, what: str, call: Callable[[], Any]) -> dict[str, Any]:
        problem = ""
        attempts = self._retries + 1
        for attempt in range(1, attempts + 1):
            try:
                result = call()
            except tweepy.TwitterServerError as exc:
                problem = f"X server error (HTTP {exc.response.status_code})"
            except requests.exceptions.Timeout:
                problem = "X API timed out"
            except NumberTooLong as exc:
                problem = f"X sent an unreadable response ({exc.msg})"
            except requests.exceptions.JSONDecodeError:
                problem = "X sent an unreadable (truncated) response"
            except (ResponseTooLarge, NotJson) as exc:
                problem = str(exc)
            except requests.exceptions.SSLError:
                problem = "TLS failure talking to the X API (certificate or handshake)"
            except requests.exceptions.ConnectionError:
                problem = "cannot reach the X API (connection failed)"
            except requests.exceptions.TooManyRedirects:
                problem = "the X API redirected in a loop"
            except requests.RequestException as exc:
                problem = f"request to the X API failed ({type(exc).__name__})"
            else:
                if not isinstance(result, dict):
                    problem = "X sent a response that is not a JSON object"
                else:
                    return result
            if attempt < attempts:
                self._sleep(self._retry_backoff.delay(attempt, self._rng))
        raise _Transient(f"{what}: {problem} after {attempts} attempts")

    def _rate_pause(
        self, exc: tweepy.TooManyRequests, extra: dict[str, Any], now: datetime
    ) -> datetime:
        reset = exc.response.headers.get("x-rate-limit-reset", "")
        if reset.isdigit():
            until = datetime.fromtimestamp(int(reset), UTC) + timedelta(seconds=1)
            latest = now + timedelta(seconds=RATE_PAUSE_CAP)
            return min(max(until, now + timedelta(seconds=1)), latest)
        failures = int(extra.get("rate_failures") or 0) + 1
        extra["rate_failures"] = failures
        return now + timedelta(seconds=self._rate_backoff.delay(failures, self._rng))

    def _redact(self, text: str) -> str:
        return redact(text, [self._token])


def _handle(value: str) -> str:
    return value.strip().removeprefix("@")


def _fatal_message(exc: tweepy.HTTPException) -> str:
    return TOKEN_REJECTED if isinstance(exc, tweepy.Unauthorized) else NOT_IN_PLAN


def _api_detail(exc: tweepy.HTTPException) -> str:
    status = exc.response.status_code
    messages = [str(m)[:120] for m in exc.api_messages[:1]]
    return f"HTTP {status}" + (f": {messages[0]}" if messages else "")
