"""The monitor after the terminal changes size: the reader's row stays on screen, and on a
short terminal the feed keeps its rows (the reading pane gives way)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.monitor_scenario import build_store
from tests.tui_helpers import feed_of, make_app, settle
from tui.monitor import MonitorApp
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


FEW_ROWS = 5
"""Rows of the feed a short terminal still shows: a list to move in, not just its header."""


def feed_rows_shown(app: MonitorApp) -> int:
    feed = feed_of(app)
    return feed.scrollable_content_region.height - feed.header_height


@pytest.mark.parametrize("size", [(40, 12), (120, 12), (80, 14)])
async def test_a_short_terminal_keeps_rows_of_the_feed(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """On a short terminal the feed shows at least a few rows, at once and after shrinking
    from a tall one; the reading pane is back when there is room again."""
    app = make_app(build_store(tmp_path / "store.db"), tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert feed_rows_shown(app) >= FEW_ROWS
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        preview = app.query_one(PreviewPane)
        assert preview.display and preview.size.height >= 6
        await pilot.resize_terminal(*size)
        await settle(pilot)
        assert feed_rows_shown(app) >= FEW_ROWS


async def test_the_reading_pane_stays_under_the_feed_at_80_by_24(tmp_path: Path) -> None:
    """At 80x24 the list and the reading pane under it both show."""
    app = make_app(build_store(tmp_path / "store.db"), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.query_one(PreviewPane).display
        assert app.query_one(PreviewPane).size.height >= 6
        assert feed_rows_shown(app) >= FEW_ROWS
