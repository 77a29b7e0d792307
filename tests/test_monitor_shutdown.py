"""Answers that reach the monitor while it is being torn down are dropped, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.monitor_scenario import Scenario, build_store
from tests.tui_helpers import make_app, settle
from tui import live
from tui.user_state import UnreadCounted

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


async def test_a_late_answer_after_the_status_line_is_gone_is_dropped(
    scenario: Scenario, tmp_path: Path
) -> None:
    """A worker's count or a timer's tick after the status line was removed does no harm."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.query(live.StatusLine)
        await app.query_one(live.StatusLine).remove()
        app.post_message(UnreadCounted("7"))
        app.refresh_topics()  # an interval's tick, as during shutdown
        await pilot.pause()
        assert not app.query(live.StatusLine)
        assert app.is_running
