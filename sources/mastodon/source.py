"""Mastodon as a live source: public hashtag timelines and account statuses (no account
needed) and status search (needs MASTODON_ACCESS_TOKEN), all from one instance.

Uses Mastodon.py's real client with `ratelimit_method="throw"`: its default would sleep
inside a poll; here a 429 pauses this source alone until `X-RateLimit-Reset`. Statuses
are read newest first with `since_id` = the newest status already stored (the committed
cursor) and `max_id` to page back, the same resume as X.

Mastodon.py (`sources.mastodon.client`) is imported when a source first polls, not with
this module: it takes about a second to import, which every collector and monitor start
would pay without Mastodon.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sources.mastodon.statuses import host_of, id_newer, newest_id, parse_statuses
from sources.model.config import MASTODON_TOKEN_ENV, Config
from sources.model.feed_rules import MASTODON
from sources.model.secret_env import read_secret, source_environ
from sources.net.api_session import AnswerTooSlow, ApiSession, NotJson, ResponseTooLarge
from sources.social import Endpoint, EndpointFailed, Page, PagedSource, RateLimited

if TYPE_CHECKING:
    from mastodon import Mastodon

PAGE_SIZE = 40
"""The most statuses Mastodon returns per page."""
NO_TOKEN = f"search needs an access token: set {MASTODON_TOKEN_ENV}"
TAGS_NEED_LOGIN = (
    f"the instance allows hashtag timelines only to logged-in users: set {MASTODON_TOKEN_ENV}"
)


def mastodon_endpoints(config: Config) -> list[Endpoint]:
    section = config.mastodon
    found = [Endpoint("mastodon", "tag", t.strip().lstrip("#")) for t in section.hashtags]
    found += [Endpoint("mastodon", "account", a.strip().lstrip("@")) for a in section.accounts]
    found += [Endpoint("mastodon", "search", q.strip()) for q in section.queries]
    return [e for e in found if e.target]


def mastodon_configured(config: Config) -> bool:
    return bool(config.mastodon.instance and mastodon_endpoints(config))


class MastodonSource(PagedSource):
    """One poll = one round over every configured hashtag, account and query."""

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
        self.host = host_of(config.mastodon.instance)
        # A token that cannot be sent is left out of every request (the public timelines
        # need none); search says what is wrong with it.
        token = read_secret(env, MASTODON_TOKEN_ENV)
        self._token, self._token_problem = token.value, token.problem
        self._timeout = timeout
        # Mastodon.py's timeout bounds each read; this session also bounds each whole
        # answer, so an instance that trickles a byte at a time cannot hold the poll.
        self.session = ApiSession((10.0, timeout), total_deadline=timeout, service="Mastodon")
        self._client: Mastodon | None = None
        super().__init__(
            MASTODON,
            mastodon_endpoints(config),
            self._fetch_page,
            poll_seconds=config.mastodon.poll_seconds,
            max_pages=config.mastodon.max_pages,
            secrets=[self._token],
            newer=id_newer,
            rng=rng,
        )

    @property
    def client(self) -> Mastodon:
        """The Mastodon.py client (the stream source shares it and its token), made on
        first use so that building the source does not import Mastodon.py."""
        if self._client is None:
            from sources.mastodon.client import instance_client

            instance = self.config.mastodon.instance
            self._client = instance_client(instance, self._token, self._timeout, self.session)
        return self._client

    def _fetch_page(
        self, endpoint: Endpoint, since: str | None, cursor: str | None, extra: dict[str, object]
    ) -> Page:
        client = self.client
        paging: dict[str, Any] = {"since_id": since, "max_id": cursor, "limit": PAGE_SIZE}
        if endpoint.kind == "tag":
            statuses = self._call(
                lambda: client.timeline_hashtag(endpoint.target, **paging), tag=True
            )
        elif endpoint.kind == "account":
            account_id = extra.get("account_id")
            if not account_id:
                found = self._call(lambda: client.account_lookup(endpoint.target), missing=True)
                account_id = extra["account_id"] = str(found["id"])
            statuses = self._call(
                lambda: client.account_statuses(account_id, exclude_reblogs=True, **paging),
                missing=True,
            )
        else:
            if not self._token:
                raise EndpointFailed(self._token_problem or NO_TOKEN, transient=False)
            answer = self._call(
                lambda: client.search_v2(
                    endpoint.target,
                    result_type="statuses",
                    resolve=False,
                    exclude_unreviewed=False,
                    min_id=since,
                    max_id=cursor,
                    limit=PAGE_SIZE,
                )
            )
            statuses = answer.get("statuses") if isinstance(answer, Mapping) else None
        if not isinstance(statuses, list):
            raise EndpointFailed("Mastodon sent an answer that is not a list of statuses")
        batch = parse_statuses(statuses, endpoint.source_label, self.host, endpoint.state_name)
        ids = [str(s.get("id")) for s in statuses if isinstance(s, Mapping)]
        oldest = min((i for i in ids if i.isdigit()), key=lambda i: (len(i), i), default=None)
        full = len(statuses) >= PAGE_SIZE
        return Page(
            batch=batch,
            next_cursor=oldest if full else None,
            newest=newest_id(ids),
            # `since_id` keeps older statuses out, so a short page is the end of the news.
            reached_known=not full,
        )

    def _call(self, call: Any, *, missing: bool = False, tag: bool = False) -> Any:
        """`call()`'s answer, or its failure as `RateLimited` / `EndpointFailed` in our
        words; `missing`: a 404 means no such account; `tag`: a hashtag timeline."""
        from mastodon import (
            MastodonAPIError,
            MastodonError,
            MastodonNetworkError,
            MastodonNotFoundError,
            MastodonRatelimitError,
            MastodonServerError,
            MastodonUnauthorizedError,
        )

        self.unreachable.check(self.host)
        try:
            return call()
        except MastodonRatelimitError:
            if self.session.retry_after is not None:  # the server's own word, as feeds do
                raise RateLimited(None, after_s=self.session.retry_after) from None
            reset = self.client.ratelimit_reset
            until = datetime.fromtimestamp(float(reset), UTC) if reset else None
            raise RateLimited(until) from None
        except MastodonNotFoundError:
            what = "no such account on this instance" if missing else "not found (HTTP 404)"
            raise EndpointFailed(what, transient=False) from None
        except MastodonUnauthorizedError:
            if tag and not self._token:
                raise EndpointFailed(TAGS_NEED_LOGIN, transient=False) from None
            raise EndpointFailed(
                f"token rejected (HTTP 401): check {MASTODON_TOKEN_ENV}", transient=False
            ) from None
        except MastodonServerError as exc:
            raise EndpointFailed(f"Mastodon server error ({_status(exc)})") from None
        except MastodonNetworkError as exc:
            raise self._network_failure(exc.__context__) from None
        except MastodonAPIError as exc:
            if tag and not self._token and _status_code(exc) == 422:
                # "This method requires an authenticated user": the instance's admin has
                # opened its hashtag timelines to accounts only.
                raise EndpointFailed(TAGS_NEED_LOGIN, transient=False) from None
            if str(exc.args[0] if exc.args else "").startswith("Could not parse response"):
                raise EndpointFailed(
                    f"{self.host} sent an answer that is not Mastodon JSON"
                ) from None
            raise EndpointFailed(f"Mastodon refused it ({_status(exc)})", transient=False) from None
        except MastodonError as exc:
            raise EndpointFailed(f"Mastodon failed ({type(exc).__name__})") from None

    def _network_failure(self, cause: BaseException | None) -> EndpointFailed:
        """What went wrong under Mastodon.py, which wraps every transport error alike; an
        instance that did not answer is not asked again this round."""
        if isinstance(cause, NotJson):
            kind = cause.content_type
            what = "an HTML page" if "html" in kind else kind[:60]
            return EndpointFailed(
                f"{cause.host or self.host} sent {what}, not Mastodon JSON (HTTP 200)"
            )
        if isinstance(cause, ResponseTooLarge):
            return EndpointFailed(str(cause))
        if isinstance(cause, AnswerTooSlow):
            deadline = self.session.limits.total_timeout
            why = f"{self.host} took longer than {deadline:g}s to send its answer"
            return self.unreachable.failed(self.host, why)
        why = "cannot reach the Mastodon instance (connection failed)"
        return self.unreachable.failed(self.host, why)


def _status_code(exc: Exception) -> int | None:
    """The HTTP status Mastodon.py put in its error (`args[1]`), if any."""
    args = exc.args
    return args[1] if len(args) >= 2 and isinstance(args[1], int) else None


def _status(exc: Exception) -> str:
    args, code = exc.args, _status_code(exc)
    if code is not None:
        detail = f": {str(args[3])[:160]}" if len(args) >= 4 and args[3] else ""
        return f"HTTP {code}{detail}"
    return type(exc).__name__
