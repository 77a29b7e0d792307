"""A monitor that polls nothing (`--offline`, every viewer of `serve`) shows the spike
alerts another process's collector raises, as the live monitor shows its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from cache.alerts.watch import AlertWatcher
from cache.db.store import Store
from sources.model.config import AlertsSection
from tests.monitor_scenario import CONFIG, NOW, build_store, frozen_clock
from tests.store_helpers import STRIKE_TEXT, add_posts
from tests.tui_helpers import one_check, settle, toasts
from tui.launch import topic_labels
from tui.monitor import MonitorApp, MonitorOptions

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

HOUR = NOW.replace(minute=0)
"""The hour both spikes fall in; the other process's clock is half an hour into it."""


def offline_app(
    path: Path, tmp_path: Path, *, bell: bool = False, read_only: bool = False
) -> MonitorApp:
    config = replace(CONFIG, alerts=AlertsSection(bell=bell))
    return MonitorApp(
        MonitorOptions(
            db_path=path,
            mode="offline",
            config=config,
            clock=frozen_clock,
            tz=NOW.tzinfo,
            output_dir=tmp_path,
            topics=topic_labels(config),
            read_only=read_only,
        )
    )


def store_with_history(tmp_path: Path) -> Path:
    """The monitor's scenario with one post two days back: hours have a baseline to judge."""
    path = build_store(tmp_path / "store.db").path
    with Store.open(path) as store:
        add_posts(store, HOUR - timedelta(days=2), 1)
    return path


def spike_elsewhere(path: Path, text: str) -> None:
    """A collector in another process stores a burst of `text` in the current hour and
    judges it: its watcher raises the alert (and would run notify_command)."""
    watcher = AlertWatcher(
        CONFIG, db_path=path, clock=lambda: HOUR + timedelta(minutes=30), run_command=False
    )
    with Store.open(path) as store:
        new_ids = add_posts(store, HOUR, 12, text, span_s=1200).new_ids
    assert watcher.check(new_ids=new_ids), "the other process raised no alert"


async def shown_spikes(app: MonitorApp, pilot) -> list[str]:
    """The spike toasts after one outside-writes tick and the toasts' half-second burst."""
    await one_check(app, pilot)
    app.alert_toasts.announce()  # what the half-second timer does
    await pilot.pause()
    return [text for text in toasts(app) if "pike" in text]


@pytest.mark.parametrize("read_only", [False, True])
async def test_an_alert_another_process_raises_shows_as_a_toast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_only: bool
) -> None:
    """A spike the collector beside the monitor raises shows as the same "Spike: …" toast
    the live monitor shows, once; one raised before the monitor opened is not shown."""
    path = store_with_history(tmp_path)
    spike_elsewhere(path, STRIKE_TEXT)  # before the monitor opens: old news
    app = offline_app(path, tmp_path, read_only=read_only)
    monkeypatch.setattr(app, "NOTIFICATION_TIMEOUT", 600)  # toasts stay on a slow machine
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        assert await shown_spikes(app, pilot) == []
        spike_elsewhere(path, "Kestrel union busting at the depot")
        notes = await shown_spikes(app, pilot)
        assert len(notes) == 1
        assert "Spike: unions: 12 mentions in the hour from" in notes[0]
        assert "strikes" not in notes[0]
        assert await shown_spikes(app, pilot) == notes  # the next tick shows nothing new


async def test_an_outside_alert_rings_the_bell_when_configured(tmp_path: Path) -> None:
    """With `[alerts] bell = true` an alert another process raises rings the bell."""
    path = store_with_history(tmp_path)
    app = offline_app(path, tmp_path, bell=True)
    rang: list[bool] = []
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        app.bell = lambda: rang.append(True)  # type: ignore[method-assign]
        await settle(pilot)
        await shown_spikes(app, pilot)
        assert rang == []
        spike_elsewhere(path, STRIKE_TEXT)
        await shown_spikes(app, pilot)
        assert rang == [True]
