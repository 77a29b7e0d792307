"""Small, dependency-free helpers for turning payload text and dates into clean values."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
_SKIP_TAGS = {"script", "style"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skipping:
            self._skipping -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(value: str) -> str:
    """Reduce an HTML fragment (a feed summary) to plain text with collapsed whitespace."""
    if "<" not in value and "&" not in value:
        return collapse_whitespace(value)
    extractor = _TextExtractor()
    try:
        extractor.feed(value)
        extractor.close()
        text = "".join(extractor.parts)
    except Exception:  # HTMLParser is lenient; this is a last resort for pathological input
        text = html.unescape(re.sub(r"<[^>]*>", " ", value))
    return collapse_whitespace(text)


def collapse_whitespace(value: str) -> str:
    """Join lines and runs of spaces into single spaces; drop NUL bytes."""
    return " ".join(value.replace("\x00", "").split())


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: object) -> str:
    """A payload string with NUL bytes removed (SQLite and terminals both dislike them).

    Lone surrogates (`"\\ud800"` is valid JSON) become U+FFFD: they cannot be stored as UTF-8.
    """
    if value is None:
        return ""
    text = str(value).replace("\x00", "")
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def parse_timestamp(value: object) -> datetime | None:
    """Parse the timestamp formats real payloads use into aware UTC; None when unparseable.

    Accepts ISO 8601 (with `Z`, offsets or none: naive means UTC), RFC 822/2822
    (feeds), and epoch seconds or milliseconds (some archives).
    """
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value) / 1000 if value > 1e11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if text.isdigit():
        return parse_timestamp(int(text))
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted past the calendar's edge
        return None


def format_timestamp(value: datetime) -> str:
    """The one stored form of a time: ISO 8601 UTC to the second, sortable as text."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def short_hash(*parts: str) -> str:
    """A stable 16-hex-digit digest used to derive ids for items that have none."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


_TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|smid)$")


def canonical_link(url: str) -> str:
    """The form of a link used to recognise one article arriving through two feeds.

    Lower-cases scheme and host, drops `www.`, the fragment, tracking parameters and a
    trailing slash; leaves the rest alone so that distinct articles stay distinct.
    """
    url = url.strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING_PARAMS.match(k)
        ]
    )
    path = parts.path.rstrip("/") or "/"
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    return urlunsplit((scheme, host, path, query, ""))


def format_delay(seconds: float | None) -> str:
    """A delay as a person says it: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    if seconds is None:
        return "?"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
