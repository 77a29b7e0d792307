"""The HTTP session under an API client (tweepy's for X, Mastodon.py's): timeouts, a size
cap, a deadline for the whole answer, and the rate headers.

tweepy (and Mastodon.py) reads every response body whole (tweepy even formats it into a
debug message), so a body that never ends or decompresses to gigabytes would fill memory
before the client saw a status code. This session reads the body itself with the feed
fetcher's bounded reader (`sources.net.http_fetch.read_body`: decompressed a step at a
time, capped at `MAX_RESPONSE_BYTES`, within a total deadline) and hands the client a
response whose content is already read.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import requests

from sources.net.deadline_http import deadline, deadline_passed, mount_deadlines
from sources.net.http_fetch import (
    BodyTooLarge,
    BodyTooSlow,
    FetchError,
    FetchLimits,
    read_body,
    retry_after_seconds,
)

MAX_RESPONSE_BYTES = 16 * 2**20
"""A page of 100 posts with its includes is well under 1 MB; 16 MB is no real answer."""
TOTAL_DEADLINE_S = 120.0
"""A body that trickles in below the read timeout still ends here."""
_LIMITS = FetchLimits(total_timeout=TOTAL_DEADLINE_S, max_bytes=MAX_RESPONSE_BYTES)


class ResponseTooLarge(requests.RequestException):
    """The body went past `MAX_RESPONSE_BYTES` (declared or after decompression)."""


class NotJson(requests.RequestException):
    """A successful status with a body that says it is not JSON (an HTML error page)."""

    def __init__(self, message: str, *, content_type: str = "", host: str = "") -> None:
        super().__init__(message)
        self.content_type = content_type
        self.host = host


class NumberTooLong(requests.exceptions.JSONDecodeError):
    """A body that is JSON but for an integer of more digits than Python converts
    (`sys.get_int_max_str_digits()`, 4,300 unless set)."""


class ApiResponse(requests.Response):
    """A response whose `json()` fails only as requests' JSONDecodeError. json refuses an
    integer of more than 4,300 digits with a bare ValueError, which tweepy and Mastodon.py
    do not expect: X's poll ended in a traceback and "internal error" instead of retrying
    an unreadable answer."""

    def json(self, **kwargs: Any) -> Any:
        try:
            return super().json(**kwargs)
        except requests.exceptions.JSONDecodeError:
            raise
        except ValueError:
            limit = sys.get_int_max_str_digits()
            raise NumberTooLong(f"a number of more than {limit} digits", self.text, 0) from None


class AnswerTooSlow(requests.exceptions.ReadTimeout):
    """The whole answer did not arrive within the session's deadline (read timeouts and
    retries treat it as the read timeout it is)."""


class ApiSession(requests.Session):
    """An API client's session: a default timeout, a capped body read within a deadline,
    and the rate-limit budget. `service` names the API in its messages ("X sent ...")."""

    def __init__(
        self,
        timeout: tuple[float, float],
        *,
        total_deadline: float = TOTAL_DEADLINE_S,
        service: str = "X",
    ) -> None:
        super().__init__()
        self.service = service
        self.default_timeout = timeout
        self.limits = replace(_LIMITS, total_timeout=total_deadline)
        # Every socket read checks the whole request's deadline (status line and headers
        # included), so a trickling server cannot hold the X poll past it.
        mount_deadlines(self)
        self.rate_remaining: int | None = None
        self.retry_after: float | None = None
        """Seconds the last answer's Retry-After asked for (None: it asked nothing)."""
        self.hooks["response"].append(self._note_rate)
        # Only what the bounded reader can decode (never brotli, even once it is installed).
        self.headers["Accept-Encoding"] = "gzip, deflate"

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.default_timeout)
        if kwargs.get("stream"):
            # The caller reads a stream itself (Mastodon.py's streaming API on the shared
            # client): an answer that never ends is its point, so no deadline or cap here.
            return super().request(method, url, *args, **kwargs)
        kwargs["stream"] = True
        with deadline(self.limits.total_timeout):
            try:
                response: requests.Response = super().request(method, url, *args, **kwargs)
            except (requests.exceptions.ConnectionError, requests.exceptions.ReadTimeout) as exc:
                if deadline_passed():
                    raise AnswerTooSlow(self._too_slow()) from exc
                raise
            try:
                _read_capped(response, self.limits, self.service)
            finally:
                response.close()
        response.__class__ = ApiResponse  # the same object, its `json()` as above
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if response.ok and kind and "json" not in kind:
            raise NotJson(
                f"{self.service} sent {kind} instead of JSON (HTTP {response.status_code})",
                content_type=kind,
                host=urlsplit(response.url).netloc,
            )
        return response

    def _note_rate(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        remaining = response.headers.get("x-rate-limit-remaining", "")
        if remaining.isdigit():
            self.rate_remaining = int(remaining)
        self.retry_after = retry_after_seconds(response.headers.get("Retry-After"))

    def _too_slow(self) -> str:
        return f"no whole response in {self.limits.total_timeout:g} s"


def _read_capped(response: requests.Response, limits: FetchLimits, service: str) -> None:
    try:
        body = read_body(response, limits, time.monotonic)
    except BodyTooLarge as exc:
        if exc.declared is not None:
            raise ResponseTooLarge(f"{service} declared a {exc.declared}-byte response") from exc
        most = limits.max_bytes // 2**20
        raise ResponseTooLarge(f"{service} sent more than {most} MB") from exc
    except BodyTooSlow as exc:
        raise AnswerTooSlow(f"no whole response in {limits.total_timeout:g} s") from exc
    except FetchError as exc:  # a broken or corrupt body: retried like a dropped connection
        raise requests.exceptions.ChunkedEncodingError(exc.reason) from exc
    # What `Response.content` would have read: tweepy and `.json()` use it as usual.
    response._content = body
