"""The feed's Time column takes no room from the author on a narrow feed: old dates are
written shorter there (the reading pane keeps the whole moment)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.builders import page, tweet, user
from tests.monitor_scenario import Scenario, build_store, store_batch
from tests.tui_helpers import feed_of, make_app, settle, toggle_topic_panel

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

OLD_POSTS = {
    "x:1500": datetime(2026, 10, 30, 9, 0, tzinfo=UTC),  # the Friday before the frozen Monday
    "x:1501": datetime(2026, 8, 15, 10, 0, tzinfo=UTC),  # earlier this year
    "x:1502": datetime(2023, 12, 12, 17, 17, tzinfo=UTC),  # another year
}


def with_old_posts(path: Path) -> Scenario:
    """The scenario (every post from today) and three older posts far below them."""
    scenario = build_store(path)
    desk = user("nytimes_desk", "NYT", user_id="601")
    old = [
        tweet(desk, f"Kestrel archive item {i}", tweet_id=key.removeprefix("x:"), at=at)
        for i, (key, at) in enumerate(OLD_POSTS.items())
    ]
    store_batch(path, page(old, [desk]))
    return scenario


async def widths_and_times(tmp_path: Path, size: tuple[int, int], *, panel: bool = False):
    """(the feed's column widths, the old posts' time cells) with and without them."""
    found = []
    for name, build in (("today", build_store), ("old", with_old_posts)):
        app = make_app(build(tmp_path / f"{name}.db"), tmp_path)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            if panel:
                await toggle_topic_panel(pilot)
            feed = feed_of(app)
            widths = {key.value: column.width for key, column in feed.columns.items()}
            times = {k: str(feed.get_cell(k, "time")) for k in OLD_POSTS if k in feed.known}
            found.append((widths, times))
    return found


async def test_at_60_columns_old_dates_leave_the_author_its_width(tmp_path: Path) -> None:
    """60 wide: older posts loaded below cost the author no cell; their dates are shortened."""
    (today, _), (old, times) = await widths_and_times(tmp_path, (60, 20))
    assert old == today
    assert today["author"] >= 14  # `AMB KestrelLena` nearly whole, not `AMB Ke…`
    assert times == {"x:1500": "Fri", "x:1501": "Aug", "x:1502": "2023"}


async def test_at_80_columns_with_the_topic_panel_the_author_column_stays(
    tmp_path: Path,
) -> None:
    """80 wide with the topic panel, older posts do not push the Author column out."""
    (today, _), (old, _) = await widths_and_times(tmp_path, (80, 24), panel=True)
    assert old == today
    assert old["author"] > 0


async def test_a_wide_feed_writes_old_dates_whole(tmp_path: Path) -> None:
    """120 wide there is room: the Time column is as wide as the longest date, written whole."""
    _, (old, times) = await widths_and_times(tmp_path, (120, 40))
    assert old["time"] == len("12 Dec 2023 17:17")
    assert times == {"x:1500": "Fri 09:00", "x:1501": "15 Aug 10:00", "x:1502": "12 Dec 2023 17:17"}


async def test_a_feed_resized_narrow_and_back_shortens_and_restores_old_dates(
    tmp_path: Path,
) -> None:
    """120 → 60 columns: the old dates are shortened and the author keeps its room; back at
    120 they are whole again."""
    (narrow, _), _ = await widths_and_times(tmp_path, (60, 20))
    app = make_app(with_old_posts(tmp_path / "resized.db"), tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        assert feed.columns["author"].width == narrow["author"]  # type: ignore[index]
        assert str(feed.get_cell("x:1502", "time")) == "2023"
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert str(feed.get_cell("x:1502", "time")) == "12 Dec 2023 17:17"
        assert feed.columns["time"].width == len("12 Dec 2023 17:17")  # type: ignore[index]
