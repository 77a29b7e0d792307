"""Small, dependency-free helpers for turning payload text and dates into clean values."""

from __future__ import annotations

import hashlib
import html
import re
import time
from datetime import UTC, datetime, timedelta, tzinfo
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
    A number gives its digits (ids may come as numbers); a list, an object or true/false
    gives '', never Python's spelling of it (`['a', 'b']`, `True`). Where such a value
    makes the record unreadable (a post's text, an author's name),
    `sources.model.not_text` says so.
    """
    if type(value) is str and value.isascii():  # most strings: no surrogate can be there
        return value.replace("\x00", "")
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    text = str(value).replace("\x00", "")
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


_UNPADDED_YEAR = re.compile(r"^(\d{1,3})(-\d\d-\d\d)")
"""Stores written before 0.x (schema 4) hold `1-01-01T...` for year 1: strftime's `%Y`
does not pad the year on glibc. Read it as the year it is."""

TIME_OK = ""
"""`time_flag` of a mention whose time is inside its platform's sane window."""
TIME_OUT_OF_RANGE = "out_of_range"
"""`time_flag`: the source gave a time, but one no real post can have (year 1, 1969 from
an epoch of 0, 9999, more than a day ahead). Kept as given, left out of counts."""
TIME_UNDATED = "undated"
"""`time_flag`: the source gave no time; `created_at` is when Echowatch first saw it."""
TIME_FLAGS = (TIME_OK, TIME_OUT_OF_RANGE, TIME_UNDATED)

EARLIEST_TIME = {
    "x": datetime(2006, 1, 1, tzinfo=UTC),
    "rss": datetime(1990, 1, 1, tzinfo=UTC),
}
"""The earliest time a post of each platform can honestly carry (X began in 2006; no feed
item predates 1990). Earlier times are kept but flagged `out_of_range`."""
LATEST_AHEAD = timedelta(days=1)
"""How far past the moment it is first seen a post's time may lie (time-zone mistakes,
slow clocks); later is flagged `out_of_range`."""


def language_code(value: object) -> str:
    """A post's language as it is stored and as `lang:` compares it: the primary subtag of
    the tag a platform or feed gives, lower-case (`en-US`, `en_us` and `EN` are `en`); ""
    for none. Only Bluesky and some feeds give a region, X and Mastodon give none: kept
    from some posts and not others, `lang:en` would miss the English ones that have one."""
    text = clean_text(value).strip().lower().replace("_", "-")
    return text.split("-")[0]


def time_flag(platform: str, moment: datetime, seen_at: datetime) -> str:
    """`out_of_range` when `moment` is outside the platform's sane window, else `''`."""
    earliest = EARLIEST_TIME.get(platform, EARLIEST_TIME["rss"])
    if moment < earliest or moment > seen_at + LATEST_AHEAD:
        return TIME_OUT_OF_RANGE
    return TIME_OK


class IsoTimeFlags:
    """`time_flag` of many times given as `datetime.isoformat()` of aware UTC times, as the
    import's rows carry them (a pickled `datetime` cost the worker 0.7-1.9 µs per mention,
    its text nothing, having been written for the stored column anyway).

    Such texts sort as the times they write: four digits of year, fixed-width fields, the
    same `+00:00`, and a fraction of a second (`.ffffff`, six digits) only when there is one,
    where `.` sorts after the `+` of a whole second. So the window's two ends are compared
    as text, written the same way once."""

    __slots__ = ("_earliest", "_latest")

    def __init__(self, platform: str, seen_at: datetime) -> None:
        earliest = EARLIEST_TIME.get(platform, EARLIEST_TIME["rss"])
        self._earliest = earliest.astimezone(UTC).isoformat()
        self._latest = (seen_at + LATEST_AHEAD).astimezone(UTC).isoformat()

    def flag(self, iso_utc: str) -> str:
        """`time_flag(platform, moment, seen_at)` for `iso_utc = moment.isoformat()`."""
        if iso_utc < self._earliest or iso_utc > self._latest:
            return TIME_OUT_OF_RANGE
        return TIME_OK


def parse_timestamp(value: object) -> datetime | None:
    """THE parser of times: payload and stored forms into aware UTC; None when unparseable.

    Accepts ISO 8601 (with `Z`, offsets or none: naive means UTC), RFC 822/2822
    (feeds), feedparser's struct_time, epoch seconds or milliseconds (some archives),
    and the unpadded year (`1-01-01T00:00:00Z`) that older stores hold. Never raises.
    """
    if value is None or value == "":
        return None
    if isinstance(value, time.struct_time):  # feedparser's `*_parsed`, always UTC
        try:
            return datetime(*value[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            seconds = float(value) / 1000 if value > 1e11 else float(value)
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if text.isdigit():
        return parse_timestamp(int(text)) if len(text) <= 20 else None
    text = _UNPADDED_YEAR.sub(lambda m: f"{int(m.group(1)):04d}{m.group(2)}", text)
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = _parse_rfc822(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted past the calendar's edge
        return None


_RFC822_YEAR = re.compile(r"\b[A-Za-z]{3}\s+(\d{4})\b")


def _parse_rfc822(text: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # The email parser reads any year below 100 as 19xx/20xx, so Go's zero time
    # (`Mon, 01 Jan 0001`) would become 2001: a four-digit year means what it says.
    written = _RFC822_YEAR.search(text)
    if written and int(written.group(1)) != parsed.year:
        try:
            parsed = parsed.replace(year=int(written.group(1)))
        except ValueError:
            return None
    return parsed


def format_timestamp(value: datetime) -> str:
    """THE formatter of stored times: ISO 8601 UTC to the second, always 20 characters.

    The year is always four digits (`0001-01-01T00:00:00Z`), so stored times sort and
    slice as text (`substr(created_at, 1, 13)` is the hour). `strftime("%Y")` is not used:
    glibc writes year 1 as `1`.
    """
    moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"
    )


def format_display_time(value: datetime, pattern: str, tz: tzinfo | None = None) -> str:
    """`value` in `tz` (local when None) through strftime; UTC when the shift overflows.

    Year 1 shifted west of UTC, or 9999-12-31 shifted east, leaves the calendar: show it
    in UTC rather than crash the screen that shows it.
    """
    try:
        local = value.astimezone(tz) if tz else value.astimezone()
    except (OverflowError, ValueError, OSError):
        local = value.astimezone(UTC)
    if "%Y" in pattern:
        pattern = pattern.replace("%Y", f"{local.year:04d}")
    return local.strftime(pattern)


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
