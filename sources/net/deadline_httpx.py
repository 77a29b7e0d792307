"""The deadline of `sources.net.deadline_http` for httpx, the atproto SDK's client.

httpx's timeout bounds each read, so an AppView that sends a byte every few seconds holds
a Bluesky poll for as long as it likes. Every connection of a `DeadlineRequest` reads
through a stream that, before each read, shortens the read timeout to what is left of
the deadline set by `deadline(seconds)` in the calling thread, and fails at once when
nothing is left (httpx then raises its ReadTimeout, the SDK its InvokeTimeoutError).
Its requests also name a successful answer that is not JSON (`NotJsonAnswer`).

httpx (and the SDK) are imported only when a client is made: httpx is slow to import
and loads rich, which no headless module may. So the stream and backend below match
httpcore's interfaces without naming its classes.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sources.net.deadline_http import time_left

if TYPE_CHECKING:
    import httpx
    from atproto_client.request import Request


def _bounded(timeout: float | None) -> float | None:
    left = time_left()
    if left is None:
        return timeout
    if left <= 0:
        import httpcore

        raise httpcore.ReadTimeout("the deadline of the whole response passed")
    return left if timeout is None else min(left, timeout)


class _DeadlineStream:
    """httpcore's `NetworkStream`, each read bounded by the thread's deadline."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> _DeadlineStream:
        return _DeadlineStream(self._stream.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend:
    """httpcore's `NetworkBackend`, its connections read through `_DeadlineStream`."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(self, *args: Any, **kwargs: Any) -> _DeadlineStream:
        return _DeadlineStream(self._inner.connect_tcp(*args, **kwargs))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> _DeadlineStream:
        return _DeadlineStream(self._inner.connect_unix_socket(*args, **kwargs))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def add_deadlines(client: httpx.Client) -> None:
    """Make every connection of `client` (proxied ones too) respect `deadline()`.

    httpx takes no network backend, and passing our own transport would drop the proxies
    it reads from the environment; so the backend of each pool it built is wrapped.
    """
    mounted = [client._transport, *client._mounts.values()]
    for transport in mounted:
        pool: Any = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(backend)


class NotJsonAnswer(Exception):
    """A successful answer that says it is not JSON (a maintenance or bot-check page).

    Every call the sources make expects JSON; the SDK would only say that its model did
    not parse (`ModelError`), so the request says what the server sent instead."""

    def __init__(self, host: str, content_type: str, status: int) -> None:
        what = "an HTML page" if "html" in content_type else content_type[:60]
        super().__init__(f"{host} sent {what}, not JSON (HTTP {status})")


def deadline_request(**kwargs: Any) -> Request:
    """The SDK's HTTP layer (`Request(**kwargs)`) with `add_deadlines`, raising
    `NotJsonAnswer` for a successful answer that is not JSON."""
    return _request_class()(**kwargs)


@cache
def _request_class() -> type[Request]:
    from atproto_client.request import Request

    class DeadlineRequest(Request):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            add_deadlines(self._client)  # its clones (`_new_instance`) come through here too

        def _send_request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
            response = super()._send_request(method, url, **kwargs)
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind and "json" not in kind:
                host = urlsplit(str(response.url)).netloc
                raise NotJsonAnswer(host, kind, response.status_code)
            return response

    return DeadlineRequest
