"""Bluesky as a live source: author feeds (public) and post search (needs an account).

Uses the `atproto` SDK's real client for transport, sessions and errors, and reads the
decoded JSON of each answer (`invoke_query`) rather than the SDK's models, so the one
parser in `posts.py` serves the live source and `import` alike, and a field the models
do not know yet never fails a page.

Author feeds and profiles come from the public AppView (`[bluesky] service`) without an
account. Search needs a session: the account in BLUESKY_HANDLE logs in with the app
password in BLUESKY_APP_PASSWORD at `login_service`; both stay in the process.

Bios: feed answers carry only basic author views, so the authors of each page are read
with getProfiles (25 at a time, remembered for the life of the source). A failed profile
read is a warning: the posts are stored with what the feed said.

The SDK is imported when a source is built, not with this module: it pulls in httpx,
whose command-line extras load `rich`, and `sources/` must import without the UI stack.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sources.bluesky.posts import (
    account_from_profile,
    authors_of,
    parse_payload,
    with_profiles,
)
from sources.model.config import BLUESKY_HANDLE_ENV, BLUESKY_PASSWORD_ENV, Config
from sources.model.feed_rules import BLUESKY
from sources.model.records import Account
from sources.model.secret_env import read_secret, source_environ
from sources.model.text import parse_timestamp
from sources.net.deadline_http import deadline
from sources.social import Endpoint, EndpointFailed, Page, PagedSource, RateLimited

if TYPE_CHECKING:
    from atproto import Client

PAGE_SIZE = 100
PROFILES_PER_CALL = 25
NO_ACCOUNT = f"search needs a Bluesky account: set {BLUESKY_HANDLE_ENV} and {BLUESKY_PASSWORD_ENV}"
LOGIN_REFUSED = f"Bluesky refused the login: check {BLUESKY_HANDLE_ENV} and {BLUESKY_PASSWORD_ENV}"


def bluesky_endpoints(config: Config, environ: Mapping[str, str] | None = None) -> list[Endpoint]:
    """Author feeds and searches. With `jetstream = true` and no account, the queries'
    words filter the stream only: searching would fail every round for want of a login."""
    env = source_environ() if environ is None else environ
    section = config.bluesky
    found = [Endpoint("bluesky", "feed", h.strip().lstrip("@")) for h in section.handles]
    has_account = bool(
        env.get(BLUESKY_HANDLE_ENV, "").strip() and env.get(BLUESKY_PASSWORD_ENV, "").strip()
    )
    if has_account or not section.jetstream:
        found += [Endpoint("bluesky", "search", q.strip()) for q in section.queries]
    return [e for e in found if e.target]


def bluesky_configured(config: Config, environ: Mapping[str, str] | None = None) -> bool:
    return bool(bluesky_endpoints(config, environ))


class BlueskySource(PagedSource):
    """One poll = one round over every configured handle and query."""

    def __init__(
        self,
        config: Config,
        *,
        environ: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
        timeout: float = 30.0,
    ) -> None:
        env = source_environ() if environ is None else environ
        self.config = config
        password = read_secret(env, BLUESKY_PASSWORD_ENV)
        self._login = (env.get(BLUESKY_HANDLE_ENV, "").strip(), password.value)
        self._password_problem = password.problem
        self._timeout = timeout
        self._public_client: Client | None = None
        self._search: Client | None = None
        self._profiles: dict[str, Account] = {}
        super().__init__(
            BLUESKY,
            bluesky_endpoints(config, env),
            self._fetch_page,
            poll_seconds=config.bluesky.poll_seconds,
            max_pages=config.bluesky.max_pages,
            secrets=[self._login[1]],
            newer=_later,
            rng=rng,
        )

    @property
    def _public(self) -> Client:
        """The AppView client, made on first use: the SDK takes seconds to import, and a
        monitor should not wait for it before it shows anything."""
        if self._public_client is None:
            from atproto import Client

            from sources.net.deadline_httpx import deadline_request

            service = self.config.bluesky.service
            self._public_client = Client(service, request=deadline_request(timeout=self._timeout))
        return self._public_client

    # --- one page -----------------------------------------------------------------

    def _fetch_page(
        self, endpoint: Endpoint, since: str | None, cursor: str | None, extra: dict[str, object]
    ) -> Page:
        from atproto import models

        if endpoint.kind == "feed":
            params: Any = models.AppBskyFeedGetAuthorFeed.Params(
                actor=endpoint.target, limit=PAGE_SIZE, cursor=cursor, filter="posts_with_replies"
            )
            payload = self._call(self._public, "app.bsky.feed.getAuthorFeed", params)
            primary = [
                item.get("post")
                for item in _list(payload.get("feed"))
                if isinstance(item, dict) and not isinstance(item.get("reason"), dict)
            ]
        else:
            client = self._search_client()
            params = models.AppBskyFeedSearchPosts.Params(
                q=endpoint.target, sort="latest", limit=PAGE_SIZE, cursor=cursor
            )
            payload = self._call(client, "app.bsky.feed.searchPosts", params)
            primary = _list(payload.get("posts"))
        batch = parse_payload(payload, endpoint.source_label, endpoint.state_name)
        self.add_profiles(batch)
        times = [
            str(p["indexedAt"])
            for p in primary
            if isinstance(p, dict) and parse_timestamp(p.get("indexedAt"))
        ]
        newest = max(times, key=_sort_key) if times else None
        reached = since is not None and any(not _later(t, since) for t in times)
        next_cursor = payload.get("cursor")
        return Page(
            batch=batch,
            next_cursor=str(next_cursor) if next_cursor and primary else None,
            newest=newest,
            reached_known=reached,
            fresh=None if since is None else sum(1 for t in times if _later(t, since)),
        )

    def add_profiles(self, batch: Any) -> None:
        """Swap the batch's basic author views for full profiles (bios); never fails."""
        from atproto import models

        wanted = [did for did in authors_of(batch) if f"bluesky:{did}" not in self._profiles]
        for start in range(0, len(wanted), PROFILES_PER_CALL):
            chunk = wanted[start : start + PROFILES_PER_CALL]
            try:
                params = models.AppBskyActorGetProfiles.Params(actors=chunk)
                payload = self._call(self._public, "app.bsky.actor.getProfiles", params)
            except (EndpointFailed, RateLimited) as exc:
                batch.warnings.append(
                    f"bluesky: profiles not read ({self.redact(str(exc))}); posts kept without bios"
                )
                break
            for view in _list(payload.get("profiles")):
                account = account_from_profile(view) if isinstance(view, dict) else None
                if account is not None:
                    self._profiles[account.key] = account
        with_profiles(batch, self._profiles)

    def _search_client(self) -> Client:
        from atproto import Client, exceptions

        from sources.net.deadline_httpx import NotJsonAnswer, deadline_request

        if self._search is not None:
            return self._search
        handle, password = self._login
        if self._password_problem:
            raise EndpointFailed(self._password_problem, transient=False)
        if not handle or not password:
            raise EndpointFailed(NO_ACCOUNT, transient=False)
        login_service = self.config.bluesky.login_service
        host = urlsplit(login_service).netloc
        self.unreachable.check(host)
        client = Client(login_service, request=deadline_request(timeout=self._timeout))
        try:
            with deadline(self._timeout):
                client.login(handle, password, fetch_bsky_profile=False)
        except exceptions.InvokeTimeoutError:
            raise self.unreachable.failed(host, self._too_slow(login_service)) from None
        except exceptions.UnauthorizedError:
            raise EndpointFailed(LOGIN_REFUSED, transient=False) from None
        except exceptions.BadRequestError as exc:
            raise EndpointFailed(f"{LOGIN_REFUSED} ({_detail(exc)})", transient=False) from None
        except exceptions.NetworkError as exc:
            if exc.response is None:
                why = f"cannot reach Bluesky at {host} to log in (connection failed)"
                raise self.unreachable.failed(host, why) from None
            raise EndpointFailed(f"Bluesky login failed ({_detail(exc)})") from None
        except NotJsonAnswer as exc:
            raise EndpointFailed(f"Bluesky login failed: {exc}") from None
        except exceptions.ModelError:
            raise EndpointFailed(f"Bluesky login failed: {host} sent no session") from None
        except exceptions.AtProtocolError as exc:
            raise EndpointFailed(f"Bluesky login failed ({_detail(exc)})") from None
        self._search = client
        return client

    def _call(self, client: Client, nsid: str, params: Any) -> dict[str, Any]:
        from atproto import exceptions

        from sources.net.deadline_httpx import NotJsonAnswer

        service = self.config.bluesky.service
        if client is not self._public_client:
            service = self.config.bluesky.login_service
        host = urlsplit(service).netloc
        self.unreachable.check(host)
        try:
            # Each read is bounded by the timeout, the whole answer by this deadline: a
            # trickling AppView cannot hold the poll.
            with deadline(self._timeout):
                response = client.invoke_query(nsid, params=params)
        except exceptions.RateLimitExceededError as exc:
            raise RateLimited(_reset_time(exc)) from None
        except exceptions.UnauthorizedError as exc:
            self._search = None  # an expired session: log in again next round
            raise EndpointFailed(f"Bluesky refused it ({_detail(exc)})", transient=False) from None
        except exceptions.BadRequestError as exc:
            raise EndpointFailed(f"Bluesky refused it ({_detail(exc)})", transient=False) from None
        except exceptions.InvokeTimeoutError:
            raise self.unreachable.failed(host, self._too_slow(service)) from None
        except exceptions.NetworkError as exc:
            if exc.response is None:  # no answer at all, not a 502 from a proxy
                why = f"cannot reach Bluesky at {host} (connection failed)"
                raise self.unreachable.failed(host, why) from None
            raise EndpointFailed(f"cannot reach Bluesky ({_detail(exc)})") from None
        except NotJsonAnswer as exc:
            raise EndpointFailed(str(exc)) from None
        except exceptions.AtProtocolError as exc:
            raise EndpointFailed(f"Bluesky failed ({_detail(exc)})") from None
        except ValueError as exc:
            # The SDK's JSON reader (pydantic's `from_json`) on a body cut short, or one with
            # a number too long to read: an unreadable answer, asked again next round.
            raise EndpointFailed(f"Bluesky sent an unreadable answer ({str(exc)[:120]})") from None
        content = response.content
        if not isinstance(content, dict):
            raise EndpointFailed("Bluesky sent an answer that is not a JSON object")
        return content

    def _too_slow(self, service: str) -> str:
        """A read timeout or the whole-answer deadline: both are `timeout` seconds."""
        return f"{urlsplit(service).netloc} took longer than {self._timeout:g}s to send its answer"


def _detail(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if response is None:
        return type(exc).__name__
    content = response.content
    message = ""
    if hasattr(content, "error"):
        message = " ".join(str(p) for p in (content.error, content.message) if p)
    return f"HTTP {response.status_code}" + (f": {message[:160]}" if message else "")


def _reset_time(exc: Exception) -> datetime | None:
    response = getattr(exc, "response", None)
    headers = {k.lower(): v for k, v in (response.headers or {}).items()} if response else {}
    reset = str(headers.get("ratelimit-reset", ""))
    return datetime.fromtimestamp(int(reset), UTC) if reset.isdigit() else None


def _sort_key(value: str) -> datetime:
    return parse_timestamp(value) or datetime.min.replace(tzinfo=UTC)


def _later(a: str, b: str) -> bool:
    return _sort_key(a) > _sort_key(b)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def resolve_handle(source: BlueskySource, handle: str) -> str:
    """The DID of a handle (a DID is returned as it is); raises EndpointFailed."""
    from atproto import models

    handle = handle.strip().lstrip("@")
    if handle.startswith("did:"):
        return handle
    params = models.ComAtprotoIdentityResolveHandle.Params(handle=handle)
    answer = source._call(source._public, "com.atproto.identity.resolveHandle", params)
    did = answer.get("did")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise EndpointFailed(f"Bluesky does not know the handle {handle}", transient=False)
    return did
