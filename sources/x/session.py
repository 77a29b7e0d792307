"""The HTTP session under tweepy's `Client`: timeouts, a size cap, and the rate headers.

tweepy reads every response body whole (it even formats it into a debug message), so a
body that never ends or decompresses to gigabytes would fill memory before tweepy saw a
status code. This session reads the body itself with the feed fetcher's bounded reader
(`sources.net.http_fetch.read_body`: decompressed a step at a time, capped at
`MAX_RESPONSE_BYTES`, within a total deadline) and hands tweepy a response whose content
is already read.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import requests

from sources.net.deadline_http import deadline, deadline_passed, mount_deadlines
from sources.net.http_fetch import BodyTooLarge, BodyTooSlow, FetchError, FetchLimits, read_body

MAX_RESPONSE_BYTES = 16 * 2**20
"""A page of 100 posts with its includes is well under 1 MB; 16 MB is no real answer."""
TOTAL_DEADLINE_S = 120.0
"""A body that trickles in below the read timeout still ends here."""
_LIMITS = FetchLimits(total_timeout=TOTAL_DEADLINE_S, max_bytes=MAX_RESPONSE_BYTES)


class ResponseTooLarge(requests.RequestException):
    """The body went past `MAX_RESPONSE_BYTES` (declared or after decompression)."""


class NotJson(requests.RequestException):
    """A successful status with a body that says it is not JSON (an HTML error page)."""


class ApiSession(requests.Session):
    """tweepy's session: a default timeout, a capped body, and the rate-limit budget."""

    def __init__(
        self, timeout: tuple[float, float], *, total_deadline: float = TOTAL_DEADLINE_S
    ) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.limits = replace(_LIMITS, total_timeout=total_deadline)
        # Every socket read checks the whole request's deadline (status line and headers
        # included), so a trickling server cannot hold the X poll past it.
        mount_deadlines(self)
        self.rate_remaining: int | None = None
        self.hooks["response"].append(self._note_rate)
        # Only what the bounded reader can decode (never brotli, even once it is installed).
        self.headers["Accept-Encoding"] = "gzip, deflate"

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.default_timeout)
        kwargs["stream"] = True
        with deadline(self.limits.total_timeout):
            try:
                response: requests.Response = super().request(method, url, *args, **kwargs)
            except (requests.exceptions.ConnectionError, requests.exceptions.ReadTimeout) as exc:
                if deadline_passed():
                    raise requests.exceptions.ReadTimeout(self._too_slow()) from exc
                raise
            try:
                _read_capped(response, self.limits)
            finally:
                response.close()
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if response.ok and kind and "json" not in kind:
            raise NotJson(f"X sent {kind} instead of JSON (HTTP {response.status_code})")
        return response

    def _note_rate(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        remaining = response.headers.get("x-rate-limit-remaining", "")
        if remaining.isdigit():
            self.rate_remaining = int(remaining)

    def _too_slow(self) -> str:
        return f"no whole response in {self.limits.total_timeout:g} s"


def _read_capped(response: requests.Response, limits: FetchLimits) -> None:
    try:
        body = read_body(response, limits, time.monotonic)
    except BodyTooLarge as exc:
        if exc.declared is not None:
            raise ResponseTooLarge(f"X declared a {exc.declared}-byte response") from exc
        raise ResponseTooLarge(f"X sent more than {MAX_RESPONSE_BYTES // 2**20} MB") from exc
    except BodyTooSlow as exc:
        raise requests.exceptions.ReadTimeout(
            f"no whole response in {limits.total_timeout:g} s"
        ) from exc
    except FetchError as exc:  # a broken or corrupt body: retried like a dropped connection
        raise requests.exceptions.ChunkedEncodingError(exc.reason) from exc
    # What `Response.content` would have read: tweepy and `.json()` use it as usual.
    response._content = body
