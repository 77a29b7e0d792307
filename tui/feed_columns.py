"""The feed's place and columns, and what each cell says, without any toolkit.

`tui.feed` (the monitor's table) and `tui.first_paint` (the screen drawn before Textual
loads) both lay out and word their rows from here, so the first screen a reader sees has
the monitor's own columns, widths and time format. Standard library and `tui.timefmt` only.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

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

FIXED_COLUMNS = (
    ("time", "Time", timefmt.WIDTH),
    ("src", "", 2),
    ("author", "Author", 15),
    ("topics", "Topics", 10),
)
"""The topics cell also holds an ambassador reply's badge marker (`⚠co #3 sig`); the source
cell starts with the reader's mark (`★` starred, `•` unread)."""
SIDE_BY_SIDE_WIDTH = 140
"""From this many columns the post sits beside the list; below, under it."""
TOPICS_PANEL_WIDTH = 180
"""From this many columns the topic panel is shown unless the reader hid it (ctrl+t)."""
CELL_PADDING = 1
"""Blank cells on each side of a cell (the DataTable's default)."""


def reader_layout(width: int) -> str:
    """`side` (list | post) on a wide terminal, `stacked` (list over post) otherwise."""
    return "side" if width >= SIDE_BY_SIDE_WIDTH else "stacked"


def author_width(feed_width: int) -> int:
    """Handles get more room on a wide terminal (look-alike handles differ at the end)."""
    return 15 if feed_width < 90 else 20


def topics_width(feed_width: int) -> int:
    """Topic words get room on a wide list: `pay strike +1` from 110, three from 160."""
    return 10 if feed_width < 110 else 13 if feed_width < 160 else 20


def text_width(feed_width: int) -> int:
    """The text column fills what the fixed columns leave (and the scrollbar's 2 cells)."""
    fixed = sum(width for key, _, width in FIXED_COLUMNS if key not in ("author", "topics"))
    fixed += author_width(feed_width) + topics_width(feed_width)
    padding = 2 * CELL_PADDING * (len(FIXED_COLUMNS) + 1)
    return max(12, feed_width - fixed - padding - 2)


def time_label(
    created_at: object, time_flag: object, now: datetime, tz: tzinfo | None = None
) -> str:
    """The Time cell: the moment as the reader sees it, or why it is not a plain time."""
    created = parse_timestamp(created_at)
    if created is None:  # never written by Echowatch; shown, not guessed at
        return "?"
    if time_flag == TIME_UNDATED:
        return "undated"  # the feed gave no time; sorted by when it was first seen
    if time_flag:
        return format_display_time(created, "%Y-%m-%d", tz)  # the year surprises
    return timefmt.when(created, now, tz)
