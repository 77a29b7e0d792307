"""The first screen, drawn before Textual loads: the newest rows at once, then the monitor.

Importing Textual alone takes over a second on a busy machine, before the monitor can draw
anything (bench/startup.py). So when the monitor starts in a real terminal, `app.py`
reads the newest mentions with plain sqlite3 (`cache.read.first_page`) and this module
draws them on the alternate screen, in the feed's own place and columns
(`tui.feed_columns`), each cell cleaned exactly as the monitor cleans it
(`tui.clean_text`: escape sequences and control characters stripped; nothing is ever
parsed as markup, since nothing here parses markup at all), with a status line saying the
monitor is loading. Textual then starts on the same alternate screen and paints over it.

It is never drawn when standard output or input is not a terminal (pipes, tests, Pilot),
under Textual's web driver (`serve`'s viewers) or on a dumb terminal. Until the monitor
takes over (`EarlyScreen.hand_over`), the caller must `restore` on any failure or Ctrl-C:
that leaves the alternate screen and gives back the cursor and the terminal's echo.
SIGTERM while loading exits the same way (status 143). Standard library only (plus the
modules above, which are too): that is its point.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import termios
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, TextIO

from sources.model.shown_text import cells, char_cells
from tui.clean_text import clean
from tui.feed_columns import (
    CELL_PADDING,
    FIXED_COLUMNS,
    ROLE_BADGES,
    ROOM_FOR_BOTH,
    SOURCE_ICONS,
    TOPICS_PANEL_WIDTH,
    column_widths,
    reader_layout,
    time_cap,
    time_label,
)
from tui.timefmt import zone_label

TOPICS_PANEL_COLUMNS = 36
"""The topic panel's width (tui/monitor.tcss `#topics`), left of the feed when shown."""
PREVIEW_SHARE, PREVIEW_MAX, PREVIEW_MIN_LINES = 0.42, 90, 6
"""The reading pane (tui/monitor.tcss): 42% of the width up to 90 columns beside the
list, 40% of the height (at least 6 lines) under it, or none when the two would not fit."""
CHROME_LINES = 4
"""Header, filter line, status line and footer: the lines that are not the reader."""
STATUS = "◌ LOADING  the newest mentions as stored; the monitor takes over in a moment"
FOOTER = "ctrl+c Quit"

_ENTER = "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[2J"
"""Alternate screen, cursor hidden, no autowrap (a miscounted wide character cannot spill
onto the next line), cleared."""
_LEAVE = "\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l"
_DIM, _BOLD, _PLAIN = "\x1b[2m", "\x1b[1m", "\x1b[0m"


@dataclass(frozen=True)
class FeedPlace:
    """Where the monitor's feed table sits on a terminal of a given size."""

    left: int
    width: int
    top: int
    """The line of the column headings; rows start on the next one."""
    rows: int


def feed_place(columns: int, lines: int) -> FeedPlace:
    """The feed's place as the monitor lays it out at this size (tui/monitor.tcss)."""
    left = TOPICS_PANEL_COLUMNS if columns >= TOPICS_PANEL_WIDTH else 0
    reader_width, reader_lines = columns - left, lines - CHROME_LINES
    if reader_layout(columns) == "side":
        width = reader_width - min(PREVIEW_MAX, int(reader_width * PREVIEW_SHARE))
        feed_lines = reader_lines
    else:
        width = reader_width
        under = max(PREVIEW_MIN_LINES, int(reader_lines * 0.4))
        feed_lines = reader_lines if reader_lines < ROOM_FOR_BOTH else reader_lines - under
    return FeedPlace(left=left, width=width, top=2, rows=max(0, feed_lines - 1))


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` columns: cut with an ellipsis, or padded with spaces."""
    if cells(text) <= width:
        return text + " " * (width - cells(text))
    kept, used = [], 0
    for ch in text:
        size = char_cells(ch)
        if used + size > width - 1:
            break
        kept.append(ch)
        used += size
    return "".join(kept) + "…" + " " * (width - 1 - used)


def row_cells(
    row: Mapping[str, Any],
    feed_width: int,
    now: datetime,
    tz: tzinfo | None = None,
    *,
    time_width: int | None = None,
) -> list[str]:
    """One feed row as the monitor words it, each cell cleaned and fitted to its column:
    time, source, author (with its role badge), topics (left to the monitor), text. The
    Time column is `time_width` wide (the longest label drawn; this row's own without)."""
    badge = ROLE_BADGES.get(str(row.get("role") or ""))
    author = clean(row.get("author") or row.get("author_name") or "?", one_line=True)
    when = _time_of(row, feed_width, now, tz)
    widths = column_widths(feed_width, len(when) if time_width is None else time_width)
    words = [
        when,
        "  " + SOURCE_ICONS.get(str(row.get("platform") or ""), "?"),
        f"{badge[0]} {author}" if badge else author,
        "",
        clean(row.get("text") or row.get("title") or "", one_line=True),
    ]
    return [fit(word, width) for word, width in zip(words, widths.values(), strict=True)]


def _time_of(row: Mapping[str, Any], feed_width: int, now: datetime, tz: tzinfo | None) -> str:
    """The row's time label in the form the monitor gives it at this feed width."""
    cap = time_cap(feed_width)
    return time_label(row.get("created_at"), row.get("time_flag"), now, tz, width=cap)


def feed_line(cells_of_row: Sequence[str]) -> str:
    """Cells joined as the table pads them (one blank each side)."""
    pad = " " * CELL_PADDING
    return "".join(pad + cell + pad for cell in cells_of_row)


def screen_text(
    rows: Sequence[Mapping[str, Any]],
    *,
    columns: int,
    lines: int,
    title: str,
    now: datetime,
    tz: tzinfo | None = None,
) -> list[tuple[int, int, str, str]]:
    """What the first screen shows, as (line, column, style, text) pieces: the title, the
    filter line, the column headings, one line per row that fits, the status and footer."""
    place = feed_place(columns, lines)
    shown = rows[: place.rows]
    # The Time column is as wide as the longest label drawn, as in the monitor.
    time_width = max((len(_time_of(r, place.width, now, tz)) for r in shown), default=0)
    widths = list(column_widths(place.width, time_width).values())
    headings = [fit(label, w) for (_, label, _), w in zip(FIXED_COLUMNS, widths, strict=False)]
    headings.append(fit("Text", widths[-1]))
    heading = f"{title} · {zone_label(now, tz)}"
    pieces = [
        (0, 0, _BOLD, fit(heading.center(columns), columns)),
        (1, place.left, "", fit(" no filter · loading…", place.width)),
        (place.top, place.left, _BOLD, feed_line(headings)),
    ]
    for index, row in enumerate(shown):
        cells_of_row = row_cells(row, place.width, now, tz, time_width=time_width)
        pieces.append((place.top + 1 + index, place.left, "", feed_line(cells_of_row)))
    pieces.append((lines - 2, 0, _BOLD, fit(" " + STATUS, columns)))
    pieces.append((lines - 1, 0, _DIM, fit(" " + FOOTER, columns)))
    return pieces


def render(pieces: Sequence[tuple[int, int, str, str]]) -> str:
    """The pieces as terminal output: each placed by cursor position, styled, then reset."""
    return "".join(
        f"\x1b[{line + 1};{column + 1}H{style}{text}{_PLAIN if style else ''}"
        for line, column, style, text in pieces
    )


class EarlyScreen:
    """The first screen on the terminal: hand it over to Textual, or restore the terminal."""

    def __init__(self, fd: int, size: os.terminal_size | None = None) -> None:
        self.fd = fd
        self.size = size
        """The terminal's size when drawn (None: unknown, no line is redrawn)."""
        self.saved = termios.tcgetattr(fd)
        self.done = False
        quiet = termios.tcgetattr(fd)
        quiet[3] &= ~termios.ECHO  # keys typed while loading are not written over the rows
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
        # A plain `kill` while loading ends the program through the same way out as Ctrl-C
        # (the caller's restore), instead of leaving the terminal on this screen.
        self.sigterm = signal.signal(signal.SIGTERM, _terminated)

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError):
            os.write(self.fd, text.encode("utf-8"))

    def show_status(self, text: str) -> bool:
        """Put `text` on the status line in place of the loading one (a store being
        upgraded says so); False when this screen is no longer up."""
        if self.done or self.size is None:
            return False
        columns, lines = self.size.columns, self.size.lines
        self._write(render([(lines - 2, 0, _BOLD, fit(" " + clean(text), columns))]))
        return True

    def hand_over(self) -> None:
        """Textual starts now: give back echo and autowrap (Textual saves the terminal's
        settings to restore them at exit), stay on the alternate screen it enters too."""
        if not self.done:
            self.done = True
            self._write("\x1b[?7h")
            termios.tcsetattr(self.fd, termios.TCSANOW, self.saved)
            signal.signal(signal.SIGTERM, self.sigterm)

    def restore(self) -> None:
        """The monitor will not start (an error, Ctrl-C): the terminal as it was."""
        if not self.done:
            self.done = True
            self._write(_LEAVE)
            with contextlib.suppress(termios.error):
                termios.tcsetattr(self.fd, termios.TCSANOW, self.saved)
            signal.signal(signal.SIGTERM, self.sigterm)


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def wanted(out: TextIO, given_input: TextIO) -> bool:
    """Whether a first screen may be drawn: a real terminal on both ends, not the web
    driver of `serve` (its output is a protocol, not a terminal), not a dumb terminal."""
    try:
        on_terminal = out.isatty() and given_input.isatty()
    except (ValueError, AttributeError):  # closed or replaced streams
        return False
    term = os.environ.get("TERM", "")
    return on_terminal and "TEXTUAL_DRIVER" not in os.environ and term not in ("", "dumb")


def paint(
    read_rows: Callable[[int], Sequence[Mapping[str, Any]] | None],
    *,
    title: str,
    tz: tzinfo | None = None,
    out: TextIO | None = None,
    given_input: TextIO | None = None,
) -> EarlyScreen | None:
    """Draw the first screen with the rows `read_rows(n)` gives (the `n` newest); None when
    nothing was drawn (not a terminal, no rows). The caller hands it over or restores it."""
    out = out or sys.stdout
    if not wanted(out, given_input or sys.stdin):
        return None
    fd = out.fileno()
    try:
        size = os.get_terminal_size(fd)
    except OSError:
        return None
    place = feed_place(size.columns, size.lines)
    if place.rows <= 0 or place.width < 40:
        return None
    rows = read_rows(place.rows)
    if not rows:
        return None
    now = datetime.now(UTC)
    pieces = screen_text(rows, columns=size.columns, lines=size.lines, title=title, now=now, tz=tz)
    try:
        screen = EarlyScreen(fd, size)
    except termios.error:
        return None
    try:
        screen._write(_ENTER + render(pieces))
    except BaseException:
        screen.restore()
        raise
    return screen
