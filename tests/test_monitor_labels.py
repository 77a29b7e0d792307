"""Readable labels in the monitor: topic words never cut to stubs, each palette entry once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.monitor_scenario import Scenario, build_store
from tests.tui_helpers import feed_of, make_app, open_detail_of, settle
from tui.feed import TOPIC_CHIPS
from tui.monitor import MonitorApp

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


def topic_words(app: MonitorApp, mention_id: str) -> list[str]:
    cell = str(feed_of(app).get_cell(mention_id, "topics"))
    return [w for w in cell.split() if not w.startswith("⚠")]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_topic_chips_are_whole_words(
    scenario: Scenario, tmp_path: Path, size: tuple[int, int]
) -> None:
    """The feed says "strike" and "union", never "strk"/"unio"; what does not fit is "+2"."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        words = set(TOPIC_CHIPS.values())
        seen: set[str] = set()
        for mention_id, row in feed.known.items():
            shown = topic_words(app, mention_id)
            for word in shown:
                assert word in words or word.lstrip("+").isdigit(), (mention_id, shown)
            named = [w for w in shown if w in words]
            counted = sum(int(w[1:]) for w in shown if w.startswith("+"))
            assert len(named) + counted == len(row.topics), (mention_id, shown, row.topics)
            seen.update(named)
        critical = topic_words(app, scenario.critical_id)
        assert "pay" in critical  # the first topic always shows whole
        if feed.size.width >= 110:  # a list this wide has room for two
            assert critical[:2] == ["pay", "strike"], critical


async def test_the_palette_lists_each_action_once(scenario: Scenario, tmp_path: Path) -> None:
    """ctrl+p shows every action a single time, on the feed and in a post's view."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = Counter(c.title for c in app.get_system_commands(app.screen))
        assert [t for t, n in titles.items() if n > 1] == []
        assert {"Screenshot", "Star", "Copy link", "Read/unread"} <= set(titles)
        screen = await open_detail_of(app, pilot, scenario.critical_id)
        titles = Counter(c.title for c in app.get_system_commands(screen))
        assert [t for t, n in titles.items() if n > 1] == []
