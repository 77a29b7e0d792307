"""The monitor after the terminal changes size: the reader's row stays on screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.monitor_scenario import build_store
from tests.tui_helpers import feed_of, make_app, settle
from tui.reading import PreviewPane

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


@pytest.mark.parametrize("size", [(50, 15), (80, 12), (60, 30)])
async def test_the_selected_row_stays_in_view_after_a_shrink(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """Shrinking the terminal scrolls the feed so that the row the reading pane shows is
    still on screen."""
    scenario = build_store(tmp_path / "store.db")
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(5):
            await pilot.press("j")
        await settle(pilot)
        feed = feed_of(app)
        chosen = feed.current_id
        await pilot.resize_terminal(*size)
        await settle(pilot)
        assert feed.current_id == chosen == app.query_one(PreviewPane).mention_id
        shown_rows = feed.scrollable_content_region.height - feed.header_height
        first_shown = round(feed.scroll_y)
        assert first_shown <= feed.cursor_row < first_shown + shown_rows, (
            feed.scroll_y,
            feed.cursor_row,
            shown_rows,
        )
