"""The HTTP session under tweepy's `Client`: timeouts, a size cap, and the rate headers.

tweepy reads every response body whole (it even formats it into a debug message), so a
body that never ends or decompresses to gigabytes would fill memory before tweepy saw a
status code. This session reads the body itself, decompressed, up to `MAX_RESPONSE_BYTES`
and within a total deadline, and hands tweepy a response whose content is already read.
"""

from __future__ import annotations

import time
from typing import Any

import requests

MAX_RESPONSE_BYTES = 16 * 2**20
"""A page of 100 posts with its includes is well under 1 MB; 16 MB is no real answer."""
TOTAL_DEADLINE_S = 120.0
"""A body that trickles in below the read timeout still ends here."""
_CHUNK = 64 * 1024


class ResponseTooLarge(requests.RequestException):
    """The body went past `MAX_RESPONSE_BYTES` (declared or after decompression)."""


class NotJson(requests.RequestException):
    """A successful status with a body that says it is not JSON (an HTML error page)."""


class ApiSession(requests.Session):
    """tweepy's session: a default timeout, a capped body, and the rate-limit budget."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.rate_remaining: int | None = None
        self.hooks["response"].append(self._note_rate)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.default_timeout)
        kwargs["stream"] = True
        response: requests.Response = super().request(method, url, *args, **kwargs)
        try:
            _read_capped(response)
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


def _read_capped(response: requests.Response) -> None:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise ResponseTooLarge(f"X declared a {int(declared)}-byte response")
    started = time.monotonic()
    body = bytearray()
    for chunk in response.iter_content(_CHUNK):  # decompressed, so a gzip bomb stops too
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise ResponseTooLarge(f"X sent more than {MAX_RESPONSE_BYTES // 2**20} MB")
        if time.monotonic() - started > TOTAL_DEADLINE_S:
            raise requests.exceptions.ReadTimeout(f"no whole response in {TOTAL_DEADLINE_S:g} s")
    # What `Response.content` would have read: tweepy and `.json()` use it as usual.
    response._content = bytes(body)
