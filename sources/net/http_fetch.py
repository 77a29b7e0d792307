"""Fetch one feed document over HTTP, defensively.

feedparser's own fetching has no timeout and no size limit, so the feed source fetches
bytes here and only hands them to the parser. Everything a server sends is untrusted:
redirects are followed by hand (capped, loops detected, only to http/https), the body is
read in chunks against a byte cap that also bounds the *decompressed* size (a gzip bomb
stops at the cap), and a total deadline stops a server that trickles one byte at a time.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import requests
from urllib3.exceptions import HTTPError as TransportError

from sources.net.deadline_http import deadline, deadline_passed

try:
    ECHOWATCH_VERSION = version("echowatch")
except PackageNotFoundError:  # running from a source tree that was never installed
    ECHOWATCH_VERSION = "0"

USER_AGENT = f"Echowatch/{ECHOWATCH_VERSION} (+https://github.com/echowatch/echowatch)"
"""Names Echowatch to the servers it polls, as feed publishers ask of feed readers."""
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_PERMANENT = {301, 308}
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """A fetch that produced no document; `str()` is a short sentence for the status line."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        gone: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.gone = gone
        """The server says the feed is gone for good (HTTP 410): stop polling it."""
        self.retry_after = retry_after
        """Seconds the server asked us to wait (Retry-After on 429/503)."""


class BodyTooLarge(FetchError):
    """The body is over `FetchLimits.max_bytes`, as declared or as read (decompressed)."""

    def __init__(self, reason: str, *, declared: int | None = None) -> None:
        super().__init__(reason)
        self.declared = declared
        """The Content-Length the server announced, when that alone was over the cap."""


class BodyTooSlow(FetchError):
    """The body did not arrive whole within `FetchLimits.total_timeout`."""


@dataclass(frozen=True)
class Fetched:
    """A fetched document, or the news that it has not changed (HTTP 304)."""

    not_modified: bool
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str = ""
    moved_to: str | None = None
    """Where the feed now lives when every redirect on the way was permanent."""


@dataclass(frozen=True)
class FetchLimits:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    """Longest wait for the next bytes from the server."""
    total_timeout: float = 60.0
    """Longest time for the whole document, however the server dribbles it out."""
    max_bytes: int = DEFAULT_MAX_BYTES
    """Largest document accepted, counted after decompression."""
    max_redirects: int = DEFAULT_MAX_REDIRECTS


class FeedSession(requests.Session):
    """A session that leaves redirects to `fetch_document`, which follows them by hand.

    Even with `allow_redirects=False`, requests prepares the next hop of every redirect
    answer: it reads the redirect's whole body (no cap) and parses its Location, so a
    malformed one (`http://[::1/feed.xml`) raises ValueError before we see the answer.
    """

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        return None


def fetch_document(
    session: requests.Session,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = FetchLimits(),
    clock: Callable[[], float] = time.monotonic,
) -> Fetched:
    """GET `url` conditionally; return the body or `not_modified`; raise `FetchError`.

    `session` should be a `FeedSession` (see there), with `mount_deadlines` applied."""
    if urlsplit(url).scheme == "file":
        return _read_file(url, limits.max_bytes)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, application/rdf+xml, "
        "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
        # Only encodings we can decompress ourselves under the size cap.
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    # One deadline for the whole exchange, redirects included: the session's sockets check
    # it at every read (`sources.net.deadline_http`), so no trickle holds a poll slot past it.
    with deadline(limits.total_timeout):
        return _fetch_following_redirects(session, url, headers, limits, clock)


def _fetch_following_redirects(
    session: requests.Session,
    url: str,
    headers: dict[str, str],
    limits: FetchLimits,
    clock: Callable[[], float],
) -> Fetched:
    seen = {url}
    all_permanent = True
    current = url
    for _ in range(limits.max_redirects + 1):
        response = _get(session, current, headers, limits)
        with response:
            status = response.status_code
            if status in _REDIRECTS:
                target = _redirect_target(current, response.headers.get("Location"))
                if target in seen:
                    raise FetchError(
                        f"redirect loop ({_host(current)} sends us back)", status=status
                    )
                seen.add(target)
                all_permanent = all_permanent and status in _PERMANENT
                current = target
                continue
            moved_to = current if all_permanent and current != url else None
            if status == 304:
                if "If-None-Match" not in headers and "If-Modified-Since" not in headers:
                    # Taken as "unchanged", this would report the feed ok forever, empty.
                    raise FetchError(
                        f"{_host(current)} answered 304 Not Modified to a request that "
                        "asked for no validation",
                        status=status,
                    )
                return Fetched(True, final_url=current, moved_to=moved_to)
            if status != 200:
                raise _status_error(response)
            body = read_body(response, limits, clock)
            return Fetched(
                False,
                body=body,
                headers={k.lower(): v for k, v in response.headers.items()},
                final_url=current,
                moved_to=moved_to,
            )
    raise FetchError(f"too many redirects (more than {limits.max_redirects})")


def _get(
    session: requests.Session, url: str, headers: dict[str, str], limits: FetchLimits
) -> requests.Response:
    host = _host(url)
    try:
        return session.get(
            url,
            headers=headers,
            stream=True,
            allow_redirects=False,
            timeout=(limits.connect_timeout, limits.read_timeout),
        )
    except requests.exceptions.ConnectTimeout as exc:
        raise FetchError(
            f"timed out connecting to {host} after {limits.connect_timeout:g}s"
        ) from exc
    except requests.exceptions.ReadTimeout as exc:
        if deadline_passed():
            raise _too_slow(host, limits) from exc
        raise FetchError(f"{host} did not answer within {limits.read_timeout:g}s") from exc
    except requests.exceptions.SSLError as exc:
        raise FetchError(f"TLS handshake with {host} failed ({_short(exc)})") from exc
    except requests.exceptions.ConnectionError as exc:
        if deadline_passed():  # urllib3 reports a read timeout in the headers this way too
            raise _too_slow(host, limits) from exc
        raise FetchError(f"cannot connect to {host}: {_connection_reason(exc)}") from exc
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
        raise FetchError(f"not a usable address: {url!r}") from exc
    except requests.RequestException as exc:
        raise FetchError(f"request to {host} failed: {_short(exc)}") from exc


def read_body(response: requests.Response, limits: FetchLimits, now: Callable[[], float]) -> bytes:
    """The body of a `stream=True` response, decompressed a bounded step at a time.

    Raises `BodyTooLarge` past `max_bytes` (so a gzip bomb stops at the cap, never in
    memory), `BodyTooSlow` past `total_timeout`, and `FetchError` for a broken body.
    Shared by the feed fetcher and the API session (`sources.net.api_session`).
    """
    cap_mb = limits.max_bytes / (1024 * 1024)
    too_big = f"feed is larger than the {cap_mb:g} MB cap"
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise BodyTooLarge(
            f"{too_big} (server says {int(declared) / (1024 * 1024):.1f} MB)",
            declared=int(declared),
        )
    decoder = _decoder(response.headers.get("Content-Encoding", ""))
    deadline_at = now() + limits.total_timeout
    host = _host(response.url)
    try:
        # The socket checks this deadline at every read (`sources.net.deadline_http`); the
        # loop checks the clock it was given between reads.
        with deadline(limits.total_timeout):
            return _read_chunks(response, limits, decoder, lambda: now() > deadline_at, host)
    except FetchError:
        raise
    except zlib.error as exc:
        raise FetchError(f"{host} sent a corrupt compressed body ({exc})") from exc
    except (TransportError, requests.RequestException, OSError) as exc:
        if deadline_passed() or now() > deadline_at:
            raise _too_slow(host, limits) from exc
        if "timed out" in str(exc).lower():
            raise FetchError(f"{host} stopped sending within {limits.read_timeout:g}s") from exc
        raise FetchError(f"connection to {host} broke while reading ({_short(exc)})") from exc


def _read_chunks(
    response: requests.Response,
    limits: FetchLimits,
    decoder: _Identity | _Inflate,
    late: Callable[[], bool],
    host: str,
) -> bytes:
    too_big = f"feed is larger than the {limits.max_bytes / (1024 * 1024):g} MB cap"
    parts: list[bytes] = []
    size = 0
    raw_size = 0
    while True:
        # read1: what one socket read gave, so a trickle is caught between small reads,
        # not after the 64 KiB that `read` would wait for (hours at a byte per 2 s).
        chunk = response.raw.read1(_CHUNK, decode_content=False)
        if not chunk:
            return b"".join(parts)
        raw_size += len(chunk)
        if raw_size > limits.max_bytes:
            raise BodyTooLarge(too_big)
        for piece in decoder.feed(chunk, limits.max_bytes - size + 1):
            size += len(piece)
            if size > limits.max_bytes:
                raise BodyTooLarge(f"{too_big} (after decompression)")
            parts.append(piece)
        if late():
            raise _too_slow(host, limits)


def _too_slow(host: str, limits: FetchLimits) -> BodyTooSlow:
    return BodyTooSlow(f"{host} took longer than {limits.total_timeout:g}s to send its answer")


class _Identity:
    def feed(self, chunk: bytes, limit: int) -> list[bytes]:
        return [chunk]


class _Inflate:
    """zlib decompression that never produces more than `limit` bytes per step."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._inflater = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, chunk: bytes, limit: int) -> list[bytes]:
        pieces = []
        data = chunk
        while data:
            try:
                piece = self._inflater.decompress(data, max(1, limit))
            except zlib.error:
                if not self._first or self._wbits != zlib.MAX_WBITS:
                    raise
                # Some servers send raw deflate for "deflate"; retry without a header.
                self._wbits = -zlib.MAX_WBITS
                self._inflater = zlib.decompressobj(self._wbits)
                continue
            self._first = False
            pieces.append(piece)
            limit -= len(piece)
            if limit <= 0:
                break  # the caller sees the cap exceeded
            data = self._inflater.unconsumed_tail
        return pieces


def _decoder(encoding: str) -> _Identity | _Inflate:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return _Identity()
    if encoding in ("gzip", "x-gzip"):
        return _Inflate(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _Inflate(zlib.MAX_WBITS)
    raise FetchError(f"server used a content encoding we did not ask for ({encoding[:40]!r})")


def _status_error(response: requests.Response) -> FetchError:
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase  # the server's own reason text is untrusted
    except ValueError:
        phrase = "unknown status"
    label = f"HTTP {status} {phrase}"
    if status == 410:
        return FetchError(
            f"feed is gone ({label}): remove it from the config", status=status, gone=True
        )
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    if status in (429, 503) and retry_after is not None:
        return FetchError(
            f"{label}, asked to retry in {retry_after:.0f}s", status=status, retry_after=retry_after
        )
    return FetchError(label, status=status)


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now; None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _redirect_target(current: str, location: str | None) -> str:
    if not location:
        raise FetchError(f"{_host(current)} sent a redirect without a Location")
    try:
        target = urljoin(current, location.strip())
        urlsplit(target).port  # noqa: B018  (a port out of range raises here, not later)
    except ValueError:
        shown = location.strip()[:120]
        raise FetchError(
            f"{_host(current)} redirected to a malformed address ({shown!r})"
        ) from None
    if urlsplit(target).scheme not in ("http", "https"):
        raise FetchError(f"{_host(current)} redirected to a non-web address")
    return target


def _read_file(url: str, max_bytes: int) -> Fetched:
    path = Path(url2pathname(urlsplit(url).path))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FetchError(f"feed file is larger than the {max_bytes / 1048576:g} MB cap")
        return Fetched(False, body=path.read_bytes(), final_url=url)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc or url
    except ValueError:
        return url


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "host name not found"
    if "getaddrinfo failed" in lowered or "name resolution" in lowered:
        return "host name not found"
    if "reset" in lowered:
        return "connection reset"
    return _short(exc)


def _short(exc: BaseException) -> str:
    """A one-line, bounded description of a transport error."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]
