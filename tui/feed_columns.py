"""The feed's place and columns, and what each cell says, without any toolkit.

`tui.feed` (the monitor's table) and `tui.first_paint` (the screen drawn before Textual
loads) both lay out and word their rows from here, so the first screen a reader sees has
the monitor's own columns, widths and time format. Standard library and `tui.timefmt` only.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from sources.model.text import TIME_UNDATED, format_display_time, parse_timestamp
from tui import timefmt

ROLE_BADGES = {
    "ambassador": ("AMB", "success"),
    "parody": ("PAR", "warning"),
    "official": ("OFF", "primary"),
    "press": ("PRS", "accent"),
}
"""The badge before an author's handle, and the theme colour the monitor gives it."""
SOURCE_ICONS = {"x": "X", "rss": "≋", "bluesky": "B", "mastodon": "M"}
NO_TEXT = "(no text)"
"""Shown, dim, for a post without text (a Bluesky post that is only a GIF), never a blank."""
AHEAD_MARK = "+"
"""Before the time of a post dated ahead of the clock (by up to a day, a source's clock
running fast: further ahead, its time is flagged and it leaves the feed's top): it heads
a newest-first feed, and `+03:33` at 00:33 says why."""
AHEAD_MARKED = timedelta(minutes=1)
"""How far ahead a post's time must be to be marked: a few seconds are the clocks of two
computers disagreeing, not a date to question."""

FIXED_COLUMNS = (
    ("time", "Time", timefmt.WIDTH),
    ("src", "", 3),
    ("author", "Author", 15),
    ("topics", "Topics", 10),
)
"""The columns before the text, with their widths on a roomy feed (`column_widths` fits
them to the feed). The topics cell also holds an ambassador reply's badge marker
(`⚠co #3 sig`); the source cell starts with the reader's marks, each in its own place
(`★` starred, then `•` unread: `★•X`)."""
SIDE_BY_SIDE_WIDTH = 140
"""From this many columns the post sits beside the list; below, under it."""
ROOM_FOR_BOTH = 12
"""Lines the list and the reading pane under it need together: the pane's least (6, its
border and five lines) and the list's header with five rows. Shorter, the pane gives way
and the list has them all (`tui.reading.ReaderSplit`)."""
TOPICS_PANEL_WIDTH = 180
"""From this many columns the topic panel is shown unless the reader hid it (ctrl+t)."""
CELL_PADDING = 1
"""Blank cells on each side of a cell (the DataTable's default)."""
SCROLLBAR_WIDTH = 2
TEXT_MIN = 20
"""Cells of post text a row keeps whenever the feed is wide enough: the narrower columns
give way first (`column_widths`)."""
TOPICS_MIN, AUTHOR_MIN = 6, 8
"""The least the topic chips (`pay +2`) and the author (`AMB Car…`) are cut to before the
column goes altogether."""


def reader_layout(width: int) -> str:
    """`side` (list | post) on a wide terminal, `stacked` (list over post) otherwise."""
    return "side" if width >= SIDE_BY_SIDE_WIDTH else "stacked"


def author_width(feed_width: int) -> int:
    """Handles get more room on a wide terminal (look-alike handles differ at the end)."""
    return 15 if feed_width < 90 else 20


def topics_width(feed_width: int) -> int:
    """Topic words get room on a wide list: `pay strike +1` from 110, three from 160."""
    return 10 if feed_width < 110 else 13 if feed_width < 160 else 20


def column_widths(feed_width: int, time_width: int = timefmt.WIDTH) -> dict[str, int]:
    """Each column's width, in table order, in a feed `feed_width` cells wide whose longest
    time label is `time_width` cells (the Time column is no wider than what it shows).

    The post text is what a reader scans, so it keeps `TEXT_MIN` cells while the others
    give way in turn: the topic chips shrink (the rest counted as `+N`), the author is cut
    with `…`, then the topics column goes, and on the narrowest feed the author too (the
    reading pane names both). A column that goes keeps width 0 (its padding stays).
    """
    widths = {
        "time": max(len("Time"), time_width),
        "src": 3,
        "author": author_width(feed_width),
        "topics": topics_width(feed_width),
    }
    padding = 2 * CELL_PADDING * (len(widths) + 1)

    def left() -> int:
        return feed_width - sum(widths.values()) - padding - SCROLLBAR_WIDTH

    for key, least in (("topics", TOPICS_MIN), ("author", AUTHOR_MIN)):
        widths[key] = max(least, widths[key] - max(0, TEXT_MIN - left()))
    for key in ("topics", "author"):
        if left() < TEXT_MIN:
            widths[key] = 0
    return {**widths, "text": max(4, left())}


def text_width(feed_width: int, time_width: int = timefmt.WIDTH) -> int:
    """The text column: what the other columns leave (and the scroll bar's 2 cells)."""
    return column_widths(feed_width, time_width)["text"]


def time_cap(feed_width: int) -> int:
    """The widest Time column that costs the author and the topics no cell: a time of day
    (`23:21`) and whatever the text has beyond `TEXT_MIN` beside it. On a narrow feed an
    old date is written shorter to fit (`time_label`) rather than cut the author's name."""
    spare = text_width(feed_width, timefmt.SHORTEST) - TEXT_MIN
    return min(timefmt.LONGEST, timefmt.SHORTEST + max(0, spare))


def time_label(
    created_at: object,
    time_flag: object,
    now: datetime,
    tz: tzinfo | None = None,
    *,
    width: int | None = None,
) -> str:
    """The Time cell: the moment as the reader sees it, or why it is not a plain time. With
    `width`, the longest form that fits in it (`01 Dec`, `Dec`: the reading pane has the
    whole moment); words that say why there is no plain time are never shortened."""
    forms = _time_forms(created_at, time_flag, now, tz)
    if width is None:
        return forms[0]
    return next((form for form in forms if len(form) <= width), forms[-1])


def _time_forms(
    created_at: object, time_flag: object, now: datetime, tz: tzinfo | None
) -> tuple[str, ...]:
    created = parse_timestamp(created_at)
    if created is None:  # never written by Echowatch; shown, not guessed at
        return ("?",)
    if time_flag == TIME_UNDATED:
        return ("undated",)  # the feed gave no time; sorted by when it was first seen
    if time_flag:  # the year surprises
        return (
            format_display_time(created, "%Y-%m-%d", tz),
            format_display_time(created, "%Y", tz),
        )
    forms = timefmt.when_forms(created, now, tz)
    if created - now >= AHEAD_MARKED:
        return tuple(AHEAD_MARK + form for form in forms)
    return forms
