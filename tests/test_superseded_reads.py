"""A read of the feed that a newer one replaced stops at once (`gateway.until_superseded`),
and the screen shows no error for it: the core goes to the new search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.monitor_scenario import Scenario, build_store
from tests.tui_helpers import feed_of, filter_line_of, make_app, settle
from tui import gateway
from tui.gateway import Selection, count_matching, feed_page, reading, until_superseded


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db", filler=300)


@pytest.fixture(autouse=True)
def _look_often(monkeypatch: pytest.MonkeyPatch) -> None:
    # A small store's statements end within the real interval between two looks.
    monkeypatch.setattr(gateway, "STEPS_BETWEEN_CHECKS", 1)


def test_a_superseded_read_stops_and_leaves_quietly(scenario: Scenario) -> None:
    """Once its worker is cancelled a read's statement stops, no error reaches the caller,
    and nothing after it in the block runs."""
    reached = []
    with reading(scenario.path) as reader, until_superseded(reader, lambda: True):
        feed_page(reader, Selection(), limit=200)
        reached.append("page")
    assert reached == []


def test_a_read_that_is_still_wanted_runs_to_the_end(scenario: Scenario) -> None:
    """A read whose worker was not cancelled reads its whole page and count, and the store
    reads on normally after the block."""
    with reading(scenario.path) as reader:
        with until_superseded(reader, lambda: False):
            rows = feed_page(reader, Selection(), limit=200)
            count = count_matching(reader, Selection())
        assert len(rows) == 200 and count > 300
        assert len(feed_page(reader, Selection(), limit=5)) == 5


def test_a_failing_read_still_reports_its_error(scenario: Scenario) -> None:
    """An error of the statement itself is not taken for a stop: it reaches the caller (the
    screen shows "the filter cannot be run")."""
    broken = Selection("no_such_column = 1")
    with (
        pytest.raises(sqlite3.OperationalError, match="no_such_column"),
        reading(scenario.path) as reader,
        until_superseded(reader, lambda: False),
    ):
        feed_page(reader, broken, limit=5)


@pytest.mark.pilot
async def test_changing_the_filter_twice_shows_the_last_one_without_an_error(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Two filters in a row: the feed and the filter line show the second one's posts, and
    the first one's read, stopped or not, shows no error."""
    app = make_app(scenario, tmp_path, mode="offline")
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.apply_filter("-Stundenlohn")
        assert app.apply_filter("Stundenlohn")
        await settle(pilot)
        feed = feed_of(app)
        shown = [str(feed.get_cell(mention_id, "text")) for mention_id in feed.row_ids]
        assert shown and all("Stundenlohn" in text for text in shown)
        assert "Stundenlohn" in filter_line_of(app) and "cannot" not in filter_line_of(app)
        assert [n.message for n in app._notifications if n.severity == "error"] == []
