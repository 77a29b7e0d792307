"""The first screen (drawn before Textual loads): the monitor's columns, hostile text shown
literally, never drawn where it would not belong."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import pty
import select
import signal
import sqlite3
import struct
import sys
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cache.read.first_page import newest_mentions
from tests.monitor_scenario import HOSTILE_TEXTS, build_store
from tests.store_helpers import OLDER_SCHEMA, older_store
from tui import first_paint
from tui.feed_columns import column_widths, text_width
from tui.first_paint import cells, feed_place, fit, row_cells, screen_text

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def row(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "x:1",
        "created_at": "2026-12-04T09:15:00Z",
        "time_flag": "",
        "platform": "x",
        "author": "anna_k",
        "author_name": "Anna",
        "role": "",
        "title": "",
        "text": "Der Stundenlohn reicht nicht",
    }
    return base | values


def test_a_row_has_the_monitors_columns_and_time_of_day() -> None:
    """Time of day, source, author, an empty topics cell and the text, at the feed's widths."""
    shown = row_cells(row(role="ambassador"), 120, NOW, UTC)
    assert [len(cell) for cell in shown] == list(column_widths(120, len("09:15")).values())
    assert len(shown[0]) == 5 and len(shown[4]) == text_width(120, 5)
    assert shown[0].strip() == "09:15"
    assert shown[1] == "  X"  # the places of the star and the unread mark, then the icon
    assert shown[2].strip() == "AMB anna_k"
    assert shown[3].strip() == ""
    assert shown[4].strip() == "Der Stundenlohn reicht nicht"


def test_older_and_flagged_times_read_as_in_the_monitor() -> None:
    """Yesterday shows the weekday, an undated feed item says so, a flagged time its year."""
    yesterday = (NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert row_cells(row(created_at=yesterday), 120, NOW, UTC)[0].strip() == "Thu 10:00"
    undated = row_cells(row(time_flag="undated"), 120, NOW, UTC)[0]
    assert undated.strip() == "undated"
    flagged = row(created_at="0001-01-01T00:00:00Z", time_flag="out_of_range")
    assert row_cells(flagged, 120, NOW, UTC)[0].strip() == "0001-01-01"
    assert row_cells(row(created_at="garbage"), 120, NOW, UTC)[0].strip() == "?"


def test_a_narrow_first_screen_shortens_old_dates_as_the_monitor_does() -> None:
    """At 60 columns a post from another year shows its year, and the author keeps its room."""
    old = row(id="x:2", created_at="2023-12-12T17:17:00Z")
    pieces = screen_text([row(), old], columns=60, lines=20, title="Echowatch", now=NOW, tz=UTC)
    lines = [text for _, _, _, text in pieces]
    assert any(line.startswith(" 2023 ") and "anna_k" in line for line in lines)
    assert row_cells(old, 60, NOW, UTC)[0] == "2023"


def test_hostile_posts_and_names_show_literally_without_escapes() -> None:
    """Markup stays as typed; escape sequences, controls and bidi overrides are gone."""
    for hostile in HOSTILE_TEXTS:
        shown = "".join(row_cells(row(text=hostile, author="h4x\x1b[31m"), 200, NOW, UTC))
        assert "\x1b" not in shown and "\u202e" not in shown
        assert all(ch.isprintable() for ch in shown)
    markup = row_cells(row(text="[@click=app.quit]x [bold red]y[/]"), 200, NOW, UTC)[4]
    assert markup.strip() == "[@click=app.quit]x [bold red]y[/]"
    clear = row_cells(row(text="clear \x1b[2J screen"), 200, NOW, UTC)[4]
    assert clear.strip() == "clear screen"


def test_long_and_wide_text_is_cut_to_its_column() -> None:
    """A long post ends in an ellipsis inside its column; wide characters count double."""
    assert fit("abcdef", 4) == "abc…"
    assert fit("ab", 4) == "ab  "
    assert fit("日本語のテキスト", 7) == "日本語…"
    assert fit("日本語のテキスト", 8) == "日本語… "
    shown = row_cells(row(text="word " * 100), 80, NOW, UTC)[4]
    assert cells(shown) == text_width(80, len("09:15")) and shown.endswith("…")


def test_the_feed_sits_where_the_monitor_puts_it() -> None:
    """Under the reading pane's share at 80x24, beside it from 140 columns, right of the
    topic panel from 180."""
    narrow = feed_place(80, 24)
    assert (narrow.left, narrow.width) == (0, 80)
    assert 0 < narrow.rows < 24 - 4
    side = feed_place(160, 40)
    assert side.left == 0 and side.width < 160 and side.rows == 40 - 4 - 1
    wide = feed_place(200, 50)
    assert wide.left == 36


def test_on_a_short_terminal_the_first_screen_gives_the_feed_every_line() -> None:
    """At 40x12 and 120x12 the reading pane gives way, as in the monitor: the feed keeps
    every line under its headings."""
    assert feed_place(40, 12).rows == feed_place(120, 12).rows == 12 - 4 - 1
    assert feed_place(80, 16).rows == 12 - 6 - 1  # room for both: the pane's least


def test_the_screen_says_it_is_loading_and_keeps_rows_to_the_feed() -> None:
    """Title, column headings, as many rows as the feed has lines, a loading status line."""
    rows = [row(id=f"x:{i}", author=f"user{i}") for i in range(100)]
    pieces = screen_text(rows, columns=120, lines=40, title="Echowatch — s.db", now=NOW, tz=UTC)
    lines = {line: text for line, _, _, text in pieces}
    assert "Echowatch — s.db" in lines[0]
    assert "Time" in lines[2] and "Author" in lines[2] and "Text" in lines[2]
    assert "LOADING" in lines[38]
    shown = [text for line, _, _, text in pieces if 3 <= line < 38]
    assert len(shown) == feed_place(120, 40).rows
    assert "user0" in shown[0]
    assert all(len(text) <= 120 for text in lines.values())


def test_nothing_is_drawn_when_output_is_not_a_terminal() -> None:
    """Piped output (and so tests, Pilot and scripts) never gets the early screen."""
    out = io.StringIO()
    asked: list[int] = []

    def read_rows(count: int) -> list[dict[str, object]]:
        asked.append(count)
        return [row()]

    drawn = first_paint.paint(read_rows, title="t", out=out)
    assert drawn is None and out.getvalue() == "" and asked == []


def test_newest_mentions_are_the_monitors_first_rows(tmp_path: Path) -> None:
    """The early read gives the newest mentions first, the same order as the feed."""
    scenario = build_store(tmp_path / "store.db")
    rows = newest_mentions(scenario.path, 3)
    assert rows is not None and len(rows) == 3
    times = [r["created_at"] for r in rows]
    assert times == sorted(times, reverse=True)


def test_the_early_read_never_creates_or_writes_a_store(tmp_path: Path) -> None:
    """A missing file stays missing; a file that is not a store gives no rows, unchanged."""
    missing = tmp_path / "none.db"
    assert newest_mentions(missing, 5) is None and not missing.exists()
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    conn.close()
    before = other.read_bytes()
    assert newest_mentions(other, 5) is None
    assert other.read_bytes() == before


# --- the real program on a pseudo-terminal -------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
TEXTUAL_STARTED = b"\x1b[?1000h"
"""Textual's driver turns mouse reporting on as it starts; the early screen never does."""
WAIT_S = 120.0
"""Upper bound for a start on a loaded machine; each wait ends as soon as its bytes come."""


class Terminal:
    """`app.py ARGS` on a pseudo-terminal of 120x40, as a person starts it."""

    def __init__(self, *args: str, state: Path) -> None:
        env = {**os.environ, "TERM": "xterm-256color", "XDG_STATE_HOME": str(state)}
        env.pop("TEXTUAL_DRIVER", None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            # Ctrl-C interrupts it as it would from a person's shell, even when the tests
            # run in a shell's background job: such a job ignores SIGINT, children inherit
            # that, and Python then installs no handler of its own.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.chdir(ROOT)
            fcntl_winsize(0)
            os.execve(sys.executable, [sys.executable, "app.py", *args], env)
        self.output = b""

    def read_until(self, wanted: bytes, *, after: int = 0) -> int:
        """Read until `wanted` is in the output past `after`; its position."""
        deadline = time.monotonic() + WAIT_S
        while (found := self.output.find(wanted, after)) < 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"{wanted!r} never came: {self.output[-800:]!r}")
            if not self._read(deadline):
                raise AssertionError(f"exited before {wanted!r}: {self.output[-800:]!r}")
        return found

    def _read(self, deadline: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the program ended
            return False
        self.output += chunk
        return bool(chunk)

    def exit_code(self) -> int:
        """Read to the end and reap the program; a program still running after `WAIT_S`
        fails the test (instead of waiting for it for ever; `close` kills it)."""
        deadline = time.monotonic() + WAIT_S
        while self._read(deadline):
            if time.monotonic() >= deadline:
                raise AssertionError(f"still running after {WAIT_S:.0f} s: {self.output[-800:]!r}")
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def fcntl_winsize(fd: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return build_store(tmp_path / "store.db").path


@pytest.mark.slow
def test_the_newest_rows_show_before_the_monitor_then_it_takes_over(
    store: Path, tmp_path: Path
) -> None:
    """Before Textual loads, the rows are on screen (hostile posts literally, no escape of
    theirs reaching the terminal); then the monitor paints over them and quits cleanly."""
    term = Terminal("--db", str(store), "--offline", state=tmp_path)
    try:
        loading = term.read_until(b"LOADING")
        started = term.read_until(TEXTUAL_STARTED)
        early = term.output[:started].decode("utf-8")
        assert loading < started
        for literal in ("[bold red]x[/] Gehalt", "[@click=app.quit]x", "clear screen", "h4x"):
            assert literal in early
        assert "\x1b[31m" not in early and "\u202e" not in early  # the post's own escapes
        assert early.count("\x1b[2J") == 1  # the early screen's own clear, no post's
        term.read_until(b"h4x", after=started)  # the monitor's own feed
        term.read_until(b"Help", after=started)  # its footer: keys work
        os.write(term.fd, b"q")
        assert term.exit_code() == 0
        assert b"\x1b[?1049l" in term.output[started:]  # the reader's screen is back
    finally:
        term.close()


@pytest.mark.slow
def test_ctrl_c_while_loading_gives_the_terminal_back(store: Path, tmp_path: Path) -> None:
    """Ctrl-C before the monitor is up: exit 130, the main screen, cursor and echo back."""
    term = Terminal("--db", str(store), "--offline", state=tmp_path)
    try:
        term.read_until(b"LOADING")
        os.write(term.fd, b"\x03")
        code = term.exit_code()
        assert TEXTUAL_STARTED not in term.output  # interrupted before Textual started
        assert code == 130
        assert term.output.endswith(first_paint._LEAVE.encode())
        assert termios.tcgetattr(term.fd)[3] & termios.ECHO  # typing shows again
    finally:
        term.close()


@pytest.mark.slow
def test_a_kill_while_loading_gives_the_terminal_back(store: Path, tmp_path: Path) -> None:
    """`kill` (SIGTERM) before the monitor is up: exit 143, the terminal as it was."""
    term = Terminal("--db", str(store), "--offline", state=tmp_path)
    try:
        term.read_until(b"LOADING")
        os.kill(term.pid, signal.SIGTERM)
        code = term.exit_code()
        assert TEXTUAL_STARTED not in term.output  # ended before Textual started
        assert code == 143
        assert term.output.endswith(first_paint._LEAVE.encode())
        assert termios.tcgetattr(term.fd)[3] & termios.ECHO
    finally:
        term.close()


@pytest.mark.slow
def test_a_launch_error_is_printed_on_the_readers_own_screen(store: Path, tmp_path: Path) -> None:
    """A start that fails after the early screen leaves it first, then says why."""
    term = Terminal("--db", str(store), "--offline", "--speed", "-1", state=tmp_path)
    try:
        term.read_until(b"LOADING")
        code = term.exit_code()
        left = term.output.rfind(b"\x1b[?1049l")
        message = term.output.find(b"--speed must be 0")
        assert code == 2
        assert 0 <= left < message
    finally:
        term.close()


@pytest.mark.slow
def test_the_loading_line_says_an_older_store_is_being_upgraded_once(
    store: Path, tmp_path: Path
) -> None:
    """An older store's first open upgrades it: the early screen's status line says so,
    from which version and that it happens once, until the monitor takes over."""
    older = older_store(tmp_path / "older.db", store)
    term = Terminal("--db", str(older), "--offline", state=tmp_path)
    try:
        upgrading = term.read_until(b"UPGRADING")
        started = term.read_until(TEXTUAL_STARTED)
        assert upgrading < started
        line = term.output[upgrading : term.output.index(b"\x1b", upgrading)].decode()
        assert f"from schema {OLDER_SCHEMA} to" in line and "once" in line
        term.read_until(b"Help", after=started)
        os.write(term.fd, b"q")
        assert term.exit_code() == 0
    finally:
        term.close()
