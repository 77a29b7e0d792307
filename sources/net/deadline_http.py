"""A wall-clock deadline for a whole HTTP exchange, checked at every read from the socket.

A socket timeout bounds the wait for the *next* bytes; a server that sends one byte every
2 s never trips it, in the status line, the headers, a chunk-size line or the body. So
every connection made through `deadline_session` reads through a socket wrapper that,
before each `recv`, shortens the socket's timeout to what is left of the deadline set by
`deadline(seconds)` in the calling thread, and fails at once when nothing is left. The
deadline is per thread, so a session shared by two poll threads gives each its own.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_local = threading.local()


class DeadlinePassed(TimeoutError):
    """The deadline of the whole exchange passed while waiting for the server."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound every socket read in this thread, until the block ends, to `seconds` from now.

    Nested deadlines keep the earlier one: an inner step never extends the whole.
    """
    outer: float | None = getattr(_local, "at", None)
    at = time.monotonic() + seconds
    _local.at = at if outer is None else min(outer, at)
    try:
        yield
    finally:
        _local.at = outer


def time_left() -> float | None:
    """Seconds left of this thread's deadline (None: no deadline; <= 0: passed)."""
    at: float | None = getattr(_local, "at", None)
    return None if at is None else at - time.monotonic()


def deadline_passed() -> bool:
    left = time_left()
    return left is not None and left <= 0


class _DeadlineSocket:
    """A connected socket whose reads respect the thread's deadline; all else delegated."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._timeout = sock.gettimeout()

    def settimeout(self, value: float | None) -> None:
        self._timeout = value
        self._sock.settimeout(value)

    def gettimeout(self) -> float | None:
        return self._timeout

    def _arm(self) -> None:
        left = time_left()
        if left is None:
            return
        if left <= 0:
            raise DeadlinePassed("the deadline of the whole response passed")
        self._sock.settimeout(left if self._timeout is None else min(left, self._timeout))

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self._arm()
        return self._sock.recv_into(buffer, nbytes, flags)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        self._arm()
        return self._sock.recv(bufsize, flags)

    def makefile(self, mode: str = "r", buffering: int | None = None, **kwargs: Any) -> Any:
        if mode in ("rb", "br"):
            # http.client reads the status line, headers and body through this file. The
            # socket's own unbuffered file keeps its reference counting (a response that
            # outlives `HTTPConnection.close()` still reads), with the deadline in front.
            raw = self._sock.makefile("rb", buffering=0)
            size = buffering if buffering and buffering > 0 else io.DEFAULT_BUFFER_SIZE
            return io.BufferedReader(_Reader(self, raw), buffer_size=size)
        return self._sock.makefile(mode, buffering, **kwargs)  # type: ignore[call-overload]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _Reader(io.RawIOBase):
    def __init__(self, sock: _DeadlineSocket, raw: Any) -> None:
        self._sock = sock
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock._arm()
        return int(self._raw.readinto(buffer))

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        self.sock = _DeadlineSocket(self.sock)


class _DeadlineHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        self.sock = _DeadlineSocket(self.sock)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """An adapter whose connections read through `_DeadlineSocket`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # A copy: urllib3's default mapping is shared by every pool manager.
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def mount_deadlines(session: requests.Session) -> requests.Session:
    """Make every connection of `session` respect `deadline()`; returns the session."""
    adapter = DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
