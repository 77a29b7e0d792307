"""SVG snapshots of the monitor (fixed clock, data and terminal size) guard its layout.

Update after an intended change with `uv run pytest tests/test_tui_snapshots.py
--snapshot-update` and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.monitor_scenario import build_programme_store, build_store
from tests.tui_helpers import feed_of, make_app, settle

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


def monitor(tmp_path: Path):
    scenario = build_store(tmp_path / "store.db")
    return scenario, make_app(scenario, tmp_path)


def test_main_screen(snap_compare, tmp_path: Path) -> None:
    """The feed, the topic panel, the filter line and the status line at 120x40."""
    _, app = monitor(tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)


def test_main_screen_small_terminal(snap_compare, tmp_path: Path) -> None:
    """At 80x24 the feed text still has room and nothing overlaps."""
    _, app = monitor(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_thread_view(snap_compare, tmp_path: Path) -> None:
    """The critical post, both ambassador replies with delays and the parody reaction."""
    scenario, app = monitor(tmp_path)

    async def open_thread(pilot: Pilot[None]) -> None:
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index(scenario.critical_id))
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_thread)


def test_ambassador_view(snap_compare, tmp_path: Path) -> None:
    """Ambassadors with reply counts, median delay, their badges, and the panel below."""
    _, app = monitor(tmp_path)

    async def open_view(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_view)


def test_filter_error(snap_compare, tmp_path: Path) -> None:
    """A bad query shows the column and a caret under the mistake; the feed is unchanged."""
    _, app = monitor(tmp_path)

    async def bad_filter(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"lang:de (pay", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=bad_filter)


def test_ambassador_badges_small_terminal(snap_compare, tmp_path: Path) -> None:
    """At 80x24 the scripted accounts' warnings wrap in the Signals column; the advocate's
    single ✓ stands out."""
    programme = build_programme_store(tmp_path / "store.db")
    app = make_app(programme, tmp_path)

    async def open_view(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_view)


def test_thread_badges(snap_compare, tmp_path: Path) -> None:
    """A thread with a co-reply pair sharing a text block: the badges under each reply."""
    programme = build_programme_store(tmp_path / "store.db")
    app = make_app(programme, tmp_path)

    async def open_thread(pilot: Pilot[None]) -> None:
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index(programme.pay_post_id))
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_thread)
