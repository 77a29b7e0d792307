"""The one way the monitor writes a moment: local time of day, with as much date as needed.

`23:45` today, `Tue 23:45` within the last six days, `01 Dec 23:45` before that (and
`01 Dec 2025 23:45` in another year). Every view uses `when`, so a reader learns one
format; the zone is named once, in the header (`zone_label`), and a time whose UTC offset
is not the header's (the other side of a DST change) names its own: `25 Oct 02:50 CEST`
under a header in CET, so that `25 Oct 02:10` reads as the later of the two, as the HTML
report writes them. Times are UTC inside the program (STYLE.md): they are converted here,
for display only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

from sources.model.text import parse_timestamp

WIDTH = 12
"""Characters of the longest form shown in the feed for this year (`01 Dec 23:45`)."""
SHORTEST = len("23:21")
"""Characters of the time of day, which a feed row always shows whole (`when_forms`)."""
LONGEST = len("01 Dec 2025 23:45 +0530")
"""Characters of the longest form: a moment in another year, in another offset than the
header's (a zone without an abbreviation is named by its offset)."""


def local(moment: datetime, tz: tzinfo | None) -> datetime:
    """`moment` in the display zone (None: the computer's); UTC when the shift would leave
    the calendar (year 1 west of UTC, 9999-12-31 east of it), never a crash."""
    try:
        return moment.astimezone(tz) if tz else moment.astimezone()
    except (OverflowError, ValueError, OSError):
        return moment.astimezone(UTC)


def when(value: object, now: datetime, tz: tzinfo | None = None) -> str:
    """A stored timestamp or aware datetime as the reader sees it ("time unknown" if none)."""
    return when_forms(value, now, tz)[0]


def when_forms(value: object, now: datetime, tz: tzinfo | None = None) -> tuple[str, ...]:
    """`when`, then ever shorter forms of it, for a feed too narrow for the whole moment:
    the time of day goes first, then the day (`01 Dec 23:45`, `01 Dec`, `Dec`), so a narrow
    list still tells today from this week, this year and another year. The time of day
    and its zone (`02:50 CEST`) go together: `02:50` alone would be an hour off."""
    moment = value if isinstance(value, datetime) else _parse(value)
    if moment is None:
        return ("time unknown",)
    shown, present = local(moment, tz), local(now, tz)
    today = present.date()
    clock = shown.strftime("%H:%M") + _other_zone(shown, present)
    if shown.date() == today:
        return (clock,)
    if today - timedelta(days=6) <= shown.date() < today:
        weekday = shown.strftime("%a")
        return (f"{weekday} {clock}", weekday)
    month = shown.strftime("%b")
    day = f"{shown.strftime('%d')} {month}"
    if shown.year != today.year:  # the year written out: strftime drops year 1's zeros
        year = f"{shown.year:04d}"
        return (f"{day} {year} {clock}", f"{day} {year}", f"{month} {year}", year)
    return (f"{day} {clock}", day, month)


def _other_zone(shown: datetime, present: datetime) -> str:
    """` CEST` when `shown` is in another UTC offset than `present` (the header's), else
    "": its abbreviation, or its offset where the zone has none (` +0530`)."""
    if shown.utcoffset() == present.utcoffset():
        return ""
    return f" {shown.tzname() or shown.strftime('%z') or 'UTC'}"


def zone_label(now: datetime, tz: tzinfo | None = None) -> str:
    """The display zone as the header names it: `times in CET (UTC+01:00)`. Its offset is
    `now`'s: a time in another one names its zone (`when_forms`)."""
    shown = local(now, tz)
    name = shown.tzname() or ""
    offset = shown.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else ""
    if name in ("UTC", "") or name == offset:
        return f"times in {offset or 'UTC'}" if offset not in ("UTC+00:00", "") else "times in UTC"
    return f"times in {name} ({offset})"


def _parse(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return parse_timestamp(str(value))
    except ValueError:
        return None


def for_app(app: object) -> Callable[[object], str]:
    """`when` with the app's clock and display zone (the monitor's `--tz`/computer zone), for
    the views that show times: every screen writes a moment the same way."""
    options = getattr(app, "options", None)
    tz = getattr(options, "tz", None)
    clock = getattr(app, "clock", None)
    now = clock() if callable(clock) else datetime.now(UTC)
    return lambda value: when(value, now, tz)
