"""The monitor and a config edited while it runs: it says once that a restart applies
the edit, its saved-view list is read again from the file when opened and on `r`, and
its own writes (ctrl+s, d) are not announced as edits."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from textual.widgets import DataTable

from sources.model.config import load_config
from tests.monitor_scenario import Scenario, build_store, frozen_clock
from tests.tui_helpers import settle, toasts
from tui.launch import topic_labels
from tui.monitor import MonitorApp, MonitorOptions
from tui.views_list import SavedViewsScreen

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

CONFIG_TEXT = '[company]\nname = "Kestrel"\n\n[views]\nanswered = "has:reply"\n'


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


def offline_app(scenario: Scenario, tmp_path: Path) -> tuple[MonitorApp, Path]:
    path = tmp_path / "echowatch.toml"
    path.write_text(CONFIG_TEXT, encoding="utf-8")
    config = load_config(path)
    app = MonitorApp(
        MonitorOptions(
            db_path=scenario.path,
            mode="offline",
            config=config,
            clock=frozen_clock,
            tz=UTC,
            output_dir=tmp_path,
            topics=topic_labels(config),
            views_file=path,
        )
    )
    return app, path


def listed(app: MonitorApp) -> list[str]:
    return [str(row.key.value) for row in app.screen.query_one(DataTable).ordered_rows]


def changed_toasts(app: MonitorApp) -> list[str]:
    return [t for t in toasts(app) if "changed" in t]


async def test_views_edited_by_hand_show_on_r_and_when_the_list_opens(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A view added to the file by hand is listed after `r`; one removed is gone, so `d`
    no longer meets "no view named ..."; the next `v` reads the file again too."""
    app, path = offline_app(scenario, tmp_path)
    monkeypatch.setattr(app, "NOTIFICATION_TIMEOUT", 600)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert listed(app) == ["answered"]
        path.write_text(CONFIG_TEXT.replace("answered", "pay_de") + 'de = "lang:de"\n', "utf-8")
        await pilot.press("r")
        await settle(pilot)
        assert listed(app) == ["pay_de", "de"]
        await pilot.press("escape")
        path.write_text(CONFIG_TEXT, encoding="utf-8")
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, SavedViewsScreen) and listed(app) == ["answered"]
        path.write_text(CONFIG_TEXT + "bogus = 1\n", encoding="utf-8")
        await pilot.press("r")
        await settle(pilot)
        assert listed(app) == ["answered"]  # the list as it was, and why
        assert any("Saved views not read again" in t and "bogus" in t for t in toasts(app))


async def test_an_edit_is_announced_once_and_the_monitors_own_save_is_not(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit of the config by hand gives one toast saying a restart applies it; a view
    saved with ctrl+s (the monitor writing the file) gives none."""
    app, path = offline_app(scenario, tmp_path)
    monkeypatch.setattr(app, "NOTIFICATION_TIMEOUT", 600)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"lang:de", "ctrl+s")
        await settle(pilot)
        await pilot.press(*"german", "enter")
        await settle(pilot)
        assert "german" in path.read_text("utf-8")
        app.say_config_change()  # the tick that checks the file
        await settle(pilot)
        assert changed_toasts(app) == []
        path.write_text(path.read_text("utf-8") + "\n[alerts]\nk = 3\n", encoding="utf-8")
        app.say_config_change()
        app.say_config_change()
        await settle(pilot)
        (toast,) = changed_toasts(app)
        assert f"config {path} changed: restart the monitor to apply it" in toast
