"""One date format in every view: `11:30` today, `Mon 10:00` this week, `01 Nov 09:00` before,
in the monitor's display zone; never `2026-11-02T11:30:00Z` or `2026-11-02 11:30 UTC`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from cache.db.store import SourceState, Store
from tests.monitor_scenario import Scenario, build_store
from tests.tui_helpers import make_app, open_detail_of, settle, status_of, text_of
from tui.ambassador_detail import AmbassadorDetailScreen
from tui.sources_view import SourcesScreen
from tui.views import AmbassadorsScreen, ParodyScreen

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

OTHER_FORMATS = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\d\d:\d\d(:\d\d)?\s*(UTC|Z)\b")
"""The formats views used before: ISO with a `T`, or a time followed by UTC / Z."""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    path = tmp_path / "store.db"
    found = build_store(path)
    with Store.open(path) as store, store.writing():
        store.save_source_state(
            SourceState(
                name="x:search",
                kind="x",
                last_poll_at="2026-11-02T11:58:00Z",
                last_success_at="2026-11-02T11:58:00Z",
                next_poll_at="2026-11-02T12:03:00Z",
                paused_until="2026-10-30T09:00:00Z",
            )
        )
    return found


def shown(screen: object) -> str:
    """Every table cell and text on the screen, as a reader sees them."""
    parts = [text_of(screen, "Static")]
    for table in screen.query(DataTable):  # type: ignore[attr-defined]
        for row in table.ordered_rows:
            parts.extend(str(cell) for cell in table.get_row(row.key))
    return "\n".join(parts)


async def test_lists_and_their_panels_write_times_one_way(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Ambassadors, parody accounts and sources show times as the feed does, in its zone."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AmbassadorsScreen)
        text = shown(app.screen)
        assert "08:12  Hallo Anna" in text  # Lena's reply, 12 minutes after 08:00 UTC
        assert not OTHER_FORMATS.search(text), text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AmbassadorDetailScreen)
        assert not OTHER_FORMATS.search(shown(app.screen))
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ParodyScreen)
        text = shown(app.screen)
        assert "11:30 · reply to @KestrelLena (ambassador)\nFaire Löhne" in text
        assert not OTHER_FORMATS.search(text), text
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        text = shown(app.screen)
        row = app.screen.query_one(DataTable).get_row("x:search")
        assert str(row[4]) == "11:58" and str(row[7]) == "Fri 09:00"
        assert "last poll 11:58 · last success 11:58 · next poll 12:03" in text
        assert not OTHER_FORMATS.search(text), text


async def test_the_thread_view_and_status_line_write_times_one_way(
    scenario: Scenario, tmp_path: Path
) -> None:
    """The detail of a post and the status line use the same format as the feed."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert "x:search paused until Fri 09:00" in status_of(app)
        screen = await open_detail_of(app, pilot, scenario.lena_reply_id)
        text = shown(screen)
        assert "08:12 · x:search" in str(screen.query_one("#detail-head", Static).render())
        assert "· public · 08:00\n" in text  # the critical post it answered
        assert not OTHER_FORMATS.search(text), text
