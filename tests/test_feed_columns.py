"""The feed's columns at any width: the post text keeps its room, the narrow columns give way."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.monitor_scenario import build_store
from tests.tui_helpers import feed_of, make_app, settle, toggle_topic_panel
from tui.feed_columns import TEXT_MIN, column_widths, time_cap, time_label


@pytest.mark.parametrize("feed_width", [24, 36, 44, 48, 60, 80, 120, 200])
def test_the_post_text_keeps_a_usable_width_and_the_row_fits(feed_width: int) -> None:
    """At any feed width the row fits without scrolling sideways and the text keeps room."""
    widths = column_widths(feed_width, time_width=5)
    used = sum(widths.values()) + 2 * len(widths) + 2  # padding, the scroll bar
    assert used <= feed_width or widths["text"] <= TEXT_MIN
    if feed_width >= 44:
        assert widths["text"] >= TEXT_MIN, widths


def test_the_narrow_columns_give_way_before_the_text() -> None:
    """Topics shrink first, then the author is capped; wide feeds keep both whole."""
    wide = column_widths(120, time_width=5)
    assert wide["author"] == 20 and wide["topics"] == 13
    sixty = column_widths(62, time_width=5)  # the source cell holds two marks and the icon
    assert sixty["author"] == 15 and 0 < sixty["topics"] < 10
    narrow = column_widths(48, time_width=5)
    assert narrow["topics"] == 0 and 0 < narrow["author"] < 15


def test_the_time_column_is_as_narrow_as_its_labels() -> None:
    """`07:32` takes 5 cells, `Tue 07:32` 9; never narrower than its heading."""
    assert column_widths(80, time_width=5)["time"] == 5
    assert column_widths(80, time_width=9)["time"] == 9
    assert column_widths(80, time_width=1)["time"] == len("Time")


def test_an_old_date_takes_only_the_cells_the_author_does_not_need() -> None:
    """A roomy feed writes a date whole; a narrow one drops its time of day, then its day."""
    now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    moments = ("2026-11-02T07:32", "2026-10-30T09:00", "2026-08-15T10:00", "2023-12-12T17:17")

    def labels(feed_width: int) -> list[str]:
        cap = time_cap(feed_width)
        return [time_label(f"{at}:00Z", "", now, UTC, width=cap) for at in moments]

    assert labels(120) == ["07:32", "Fri 09:00", "15 Aug 10:00", "12 Dec 2023 17:17"]
    assert labels(70) == ["07:32", "Fri 09:00", "15 Aug", "Dec 2023"]
    assert labels(60) == ["07:32", "Fri", "Aug", "2023"]
    for feed_width in (44, 48, 60, 70, 77, 120):
        longest = max(len(label) for label in labels(feed_width))
        assert (
            column_widths(feed_width, longest)["author"]
            == (column_widths(feed_width, len("07:32"))["author"])
        )
    assert time_label("0001-01-01T00:00:00Z", "out_of_range", now, UTC, width=5) == "0001"
    assert time_label("2026-11-02T07:32:00Z", "undated", now, UTC, width=5) == "undated"


@pytest.mark.pilot
@pytest.mark.parametrize("size", [(60, 24), (80, 24), (120, 40)])
@pytest.mark.parametrize("panel", [False, True], ids=["no-panel", "panel"])
async def test_the_feed_shows_the_text_column_with_or_without_the_topic_panel(
    tmp_path: Path, size: tuple[int, int], panel: bool
) -> None:
    """With the topic panel on or off, the Text column is on screen with room for words."""
    app = make_app(build_store(tmp_path / "store.db"), tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if panel:
            await toggle_topic_panel(pilot)
        feed = feed_of(app)
        assert feed.virtual_size.width <= feed.size.width, "the row scrolls sideways"
        text = feed.columns["text"]  # type: ignore[index]
        assert text.width >= (TEXT_MIN if feed.size.width >= 44 else 8)
        assert feed.columns["time"].width == len("12:00")  # type: ignore[index]
