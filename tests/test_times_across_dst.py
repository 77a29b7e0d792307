"""Times on the other side of a DST change from the monitor's header say their zone, so
that `02:10` (CET) after `02:50 CEST` reads as later, and two hours of a spike on the
night clocks go back are two hours; a post dated ahead of the clock is marked `+`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.monitor_scenario import CONFIG, build_store
from tests.tui_helpers import settle
from tui import timefmt
from tui.feed_columns import column_widths, time_cap, time_label
from tui.launch import topic_labels
from tui.monitor import MonitorApp, MonitorOptions

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WINTER = datetime(2026, 12, 7, 23, 33, tzinfo=UTC)
"""The clock: 00:33 CET on 8 December in Berlin, the header's zone `CET (UTC+01:00)`."""


@pytest.mark.parametrize(
    ("stored", "tz", "shown"),
    [
        ("2026-10-25T00:50:00Z", BERLIN, "25 Oct 02:50 CEST"),  # summer time: says so
        ("2026-10-25T01:10:00Z", BERLIN, "25 Oct 02:10"),  # the header's CET
        ("2026-11-01T05:30:00Z", NEW_YORK, "01 Nov 01:30 EDT"),
        ("2026-11-01T06:30:00Z", NEW_YORK, "01 Nov 01:30"),
        ("2025-07-01T10:00:00Z", BERLIN, "01 Jul 2025 12:00 CEST"),
        ("2026-12-07T08:00:00Z", BERLIN, "Mon 09:00"),
        ("2026-12-07T08:00:00Z", UTC, "08:00"),
    ],
)
def test_a_time_in_another_offset_than_the_header_names_its_zone(
    stored: str, tz: ZoneInfo, shown: str
) -> None:
    """Summer times seen in winter carry `CEST`/`EDT`; times in the header's offset do not."""
    assert timefmt.when(stored, WINTER, tz) == shown


def test_the_spike_hours_the_night_clocks_go_back_are_two() -> None:
    """The hours from 00:00Z and 01:00Z of 25 Oct are both 02:00 in Berlin, told apart."""
    peak, last_hot = (timefmt.when(f"2026-10-25T0{h}:00:00Z", WINTER, BERLIN) for h in (0, 1))
    assert (peak, last_hot) == ("25 Oct 02:00 CEST", "25 Oct 02:00")


def test_the_header_is_the_reference_in_summer_too() -> None:
    """Seen in summer, the winter times say `CET` and the summer ones nothing."""
    summer = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert timefmt.zone_label(summer, BERLIN) == "times in CEST (UTC+02:00)"
    assert timefmt.when("2026-03-29T00:30:00Z", summer, BERLIN) == "29 Mar 01:30 CET"
    assert timefmt.when("2026-03-29T01:30:00Z", summer, BERLIN) == "29 Mar 03:30"


def test_a_narrow_feed_drops_the_time_and_zone_together() -> None:
    """Too narrow for `25 Oct 02:50 CEST`, the cell says `25 Oct` (never a bare `02:50`)."""
    for width in (44, 60, 70, 80, 120, 200):
        cap = time_cap(width)
        label = time_label("2026-10-25T00:50:00Z", "", WINTER, BERLIN, width=cap)
        assert label in ("25 Oct 02:50 CEST", "25 Oct", "Oct")
        assert len(label) <= cap
        plain = column_widths(width, len("00:33"))["author"]
        assert column_widths(width, len(label))["author"] >= plain
    assert time_label("2026-10-25T00:50:00Z", "", WINTER, BERLIN, width=200) == (
        "25 Oct 02:50 CEST"
    )


def test_a_post_dated_ahead_of_the_clock_is_marked() -> None:
    """The Time cell of a post dated after now starts with `+`; a past one does not."""
    assert time_label("2026-12-07T23:43:00Z", "", WINTER, BERLIN) == "+00:43"
    assert time_label("2026-12-08T02:33:00Z", "", WINTER, BERLIN, width=5) == "+03:33"
    assert time_label("2026-12-07T23:33:20Z", "", WINTER, BERLIN) == "00:33"  # same minute
    assert time_label("2026-12-07T23:20:00Z", "", WINTER, BERLIN) == "00:20"


@pytest.mark.pilot
async def test_the_header_follows_a_dst_change_while_the_monitor_runs(tmp_path: Path) -> None:
    """Open in summer time, the header says CEST; after the clocks go back, CET."""
    scenario = build_store(tmp_path / "store.db")
    clock = [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]
    app = MonitorApp(
        MonitorOptions(
            db_path=scenario.path,
            config=CONFIG,
            clock=lambda: clock[0],
            tz=BERLIN,
            output_dir=tmp_path,
            topics=topic_labels(CONFIG),
        )
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "times in CEST (UTC+02:00)" in app.sub_title
        clock[0] += timedelta(hours=1)
        app.refresh_topics()
        await settle(pilot)
        assert "times in CET (UTC+01:00)" in app.sub_title
