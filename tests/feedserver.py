"""A real HTTP server on 127.0.0.1 that serves feeds (and misbehaves) for tests.

Each route answers like a real feed host: ETag / Last-Modified with 304s, redirects,
error statuses, gzip, bodies streamed without a length, and responses held back until
the test releases them (an Event, never a sleep). Requests are recorded per path.
"""

from __future__ import annotations

import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Body = bytes | Callable[[], Iterable[bytes]]


@dataclass
class Route:
    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    hold: threading.Event | None = None
    """When set, the server waits for this event before answering."""
    trickle: float | None = None
    """When set, the body goes out one byte at a time, this many seconds apart."""
    trickle_head: bool = False
    """With `trickle`: the status line and headers trickle too."""


class FeedServer:
    """Start with `FeedServer()`; `url(path)`; `close()` (or use as a context manager)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.prefix_routes: dict[str, Callable[[str], Route]] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        """Per path, how many requests were answered 304."""
        self.request_headers: dict[str, list[dict[str, str]]] = {}
        self.posted: dict[str, list[bytes]] = {}
        """Per path (without query), the bodies POSTed to it."""
        self._lock = threading.Lock()
        self._closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._answer(self)

            def do_POST(self) -> None:  # API logins (Bluesky createSession)
                length = int(self.headers.get("Content-Length") or 0)
                server.posted.setdefault(self.path.split("?")[0], []).append(
                    self.rfile.read(length)
                )
                server._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # --- routes -------------------------------------------------------------------

    def feed(
        self,
        path: str,
        body: Body,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        content_type: str = "application/rss+xml; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Route:
        route = Route(
            status=status,
            body=body,
            headers={"Content-Type": content_type, **(headers or {})},
            etag=etag,
            last_modified=last_modified,
        )
        self.routes[path] = route
        return route

    def status(self, path: str, status: int, headers: dict[str, str] | None = None) -> Route:
        route = Route(status=status, body=b"error page", headers=dict(headers or {}))
        self.routes[path] = route
        return route

    def redirect(self, path: str, to: str, status: int = 301) -> Route:
        route = Route(status=status, headers={"Location": to})
        self.routes[path] = route
        return route

    def held(self, path: str, body: bytes) -> threading.Event:
        """A route that answers only once the returned event is set."""
        release = threading.Event()
        self.routes[path] = Route(body=body, hold=release, headers={"Content-Type": "text/xml"})
        return release

    def trickle(self, path: str, body: bytes, every: float, *, head: bool = False) -> Route:
        """A route that sends `body` one byte per `every` seconds (headers too with `head`):
        each byte comes well within any read timeout, the whole never does."""
        route = Route(
            body=body, headers={"Content-Type": "text/xml"}, trickle=every, trickle_head=head
        )
        self.routes[path] = route
        return route

    def _send_slowly(self, handler: BaseHTTPRequestHandler, data: bytes, every: float) -> None:
        for index in range(len(data)):
            if self._closing.wait(every):  # the server waits, never the test
                return
            handler.wfile.write(data[index : index + 1])
            handler.wfile.flush()

    def gzipped(self, path: str, body: Body, **kwargs: Any) -> Route:
        headers = {"Content-Encoding": "gzip", **kwargs.pop("headers", {})}
        return self.feed(path, body, headers=headers, **kwargs)

    # --- serving ------------------------------------------------------------------

    def _route_for(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        for prefix, make in self.prefix_routes.items():
            if path.startswith(prefix):
                return make(path)
        return None

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self._lock:
            self.hits[path] += 1
            self.request_headers.setdefault(path, []).append(dict(handler.headers.items()))
        route = self._route_for(path)
        if route is None:
            route = Route(status=404, body=b"not found")
        if route.hold is not None:
            route.hold.wait(timeout=30)
        try:
            if route.trickle is not None and isinstance(route.body, bytes):
                head = (
                    f"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                    f"Content-Length: {len(route.body)}\r\nConnection: close\r\n\r\n"
                ).encode("ascii")
                if route.trickle_head:
                    self._send_slowly(handler, head + route.body, route.trickle)
                else:
                    handler.wfile.write(head)
                    self._send_slowly(handler, route.body, route.trickle)
                handler.close_connection = True
                return
            if route.status == 200 and _not_modified(route, handler):
                with self._lock:
                    self.not_modified[path] += 1
                handler.send_response(304)
                handler.end_headers()
                return
            handler.send_response(route.status)
            for name, value in route.headers.items():
                handler.send_header(name, value)
            if route.etag:
                handler.send_header("ETag", route.etag)
            if route.last_modified:
                handler.send_header("Last-Modified", route.last_modified)
            if isinstance(route.body, bytes):
                handler.send_header("Content-Length", str(len(route.body)))
                handler.end_headers()
                handler.wfile.write(route.body)
            else:
                handler.end_headers()  # no length: the body ends when the connection does
                for chunk in route.body():
                    handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size cap, timeout): that is the point of the test

    def close(self) -> None:
        self._closing.set()
        for route in self.routes.values():
            if route.hold is not None:
                route.hold.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _not_modified(route: Route, handler: BaseHTTPRequestHandler) -> bool:
    if route.etag and handler.headers.get("If-None-Match") == route.etag:
        return True
    return bool(
        route.last_modified and handler.headers.get("If-Modified-Since") == route.last_modified
    )


def zeros(total: int, chunk: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    """A body of `total` bytes generated as it is sent (never held in memory)."""

    def generate() -> Iterator[bytes]:
        block = b"<" + b" " * (chunk - 1)
        sent = 0
        while sent < total:
            piece = block[: min(chunk, total - sent)]
            sent += len(piece)
            yield piece

    return generate


def gzip_bomb(decompressed: int) -> bytes:
    """A small gzip body that expands to `decompressed` bytes of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    parts = [packer.compress(block) for _ in range(decompressed // len(block))]
    parts.append(packer.flush())
    return b"".join(parts)
