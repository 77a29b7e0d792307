"""SVG snapshots of the walkable thread, the text-block list and the parody view.

Update after an intended change with `uv run pytest tests/test_thread_walk_snapshots.py
--snapshot-update` and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.monitor_scenario import build_programme_store, build_store
from tests.test_thread_walk import add_long_mockery
from tests.tui_helpers import feed_of, make_app, settle

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_parody_view(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    """The parody list as tall as its rows, the selected account's reactions whole below."""
    scenario = build_store(tmp_path / "store.db")
    add_long_mockery(scenario)
    app = make_app(scenario, tmp_path)

    async def open_view(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_view)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_text_block_list(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    """From a reply's text-block badge: both copies, the one the reader came from marked."""
    programme = build_programme_store(tmp_path / "store.db")
    app = make_app(programme, tmp_path)

    async def open_block(pilot: Pilot[None]) -> None:
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index(programme.tobias_pay_id))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("k", "enter")  # the reply's own badge, above its author
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_block)
