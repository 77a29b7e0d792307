"""The shared TUI test helpers themselves: waiting for the monitor's reads."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.monitor_scenario import build_store
from tests.tui_helpers import feed_of, make_app, settle, workers_done
from tui.reading import request_preview

pytestmark = pytest.mark.pilot
"""Drives the monitor through Textual's Pilot: the pilot tier."""


async def test_waiting_goes_on_past_a_read_the_monitor_replaced(tmp_path: Path) -> None:
    """A preview read replaced while a test waits for it (the cursor moved on) ends the
    wait instead of failing the test, and the pane shows the newer post."""
    scenario = build_store(tmp_path / "store.db")
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        request_preview(app, scenario.critical_id)
        waiting = asyncio.create_task(workers_done(app))
        await asyncio.sleep(0)  # the wait is on the first read now
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index(scenario.parody_id))
        request_preview(app, scenario.parody_id)  # cancels the first read
        await waiting
        await settle(pilot)
        assert app.preview.mention_id == scenario.parody_id
