"""A long filter in the monitor: the filter line keeps a bounded height (the query cut with
`…`), names the query once, and the filter bar still holds the whole query to edit."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.monitor_scenario import Scenario, build_store
from tests.tui_helpers import feed_of, filter_line_of, make_app, settle
from tui.monitor import MonitorApp

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

MOST_LINES = 3
"""The filter line's height at most (it was 42 of 45 lines for a 10,000-character query)."""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


def long_query(characters: int) -> str:
    """Words no post of the scenario holds, ANDed: the filter matches nothing."""
    words = ("Korvando", "Quokka", "Zebrastreifen", "Gehaltsband", "HLV", "Paketzentrum")
    rng = random.Random(1)
    query = "Anfangswort "  # once, first: where the line starts
    while len(query) < characters:
        query += rng.choice(words) + " "
    return query.strip()


async def apply_filter(app: MonitorApp, pilot: Pilot[None], query: str) -> None:
    """`/`, the query pasted in one go, enter."""
    await settle(pilot)
    await pilot.press("slash")
    app.filter_bar.input.value = ""
    app.filter_bar.input.insert_text_at_cursor(query)
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_a_long_filter_leaves_the_feed_and_its_count_on_screen(
    scenario: Scenario, tmp_path: Path, size: tuple[int, int]
) -> None:
    """A 10,000-character filter takes at most three lines, cut with `…`; the count, the
    keys and the feed's column headers stay on screen; `/` opens the whole query again."""
    query = long_query(10_000)
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=size) as pilot:
        await apply_filter(app, pilot, query)
        line = app.query_one("#filter-line", Static)
        assert 1 <= line.region.height <= MOST_LINES
        shown = filter_line_of(app)
        assert shown.startswith(f"filter: {query[:20]}")
        assert "… · no mentions match" in shown and "(/ edit · esc clear)" in shown
        feed = feed_of(app)
        assert feed.region.height >= 2 and feed.region.y < size[1]  # its headers at least
        await pilot.press("slash")
        await settle(pilot)
        assert app.filter_bar.input.value == query


async def test_a_filter_without_matches_is_named_once(scenario: Scenario, tmp_path: Path) -> None:
    """`filter: Q · no mentions match`, not the query a second time after it."""
    query = long_query(1_200)
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await apply_filter(app, pilot, "zebracrossing")
        assert filter_line_of(app).count("zebracrossing") == 1
        assert "filter: zebracrossing · no mentions match" in filter_line_of(app)
        await apply_filter(app, pilot, query)
        assert filter_line_of(app).count("Anfangswort") == 1


async def test_a_view_with_a_long_label_and_query_keeps_the_line_short(
    scenario: Scenario, tmp_path: Path
) -> None:
    """A saved view's long label and long query are both cut: the line stays bounded and
    still says it is a view and how many mentions match."""
    from filters.views import SavedView

    view = SavedView("long", long_query(3_000), label="Label " * 200)
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.saved_views.use(view)
        await settle(pilot)
        line = app.query_one("#filter-line", Static)
        assert 1 <= line.region.height <= MOST_LINES
        shown = filter_line_of(app)
        assert shown.startswith("view: Label") and "no mentions match" in shown
