"""The monitor says the config's warnings, as every command does on stderr."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sources.model.config import load_config
from tests.monitor_scenario import build_store
from tests.tui_helpers import make_app, settle

pytestmark = pytest.mark.pilot
"""Drives the monitor through Textual's Pilot: the pilot tier."""


async def test_the_monitor_says_each_config_warning_once(tmp_path: Path) -> None:
    """A topic switched off by `replace = true` with no terms is said in a toast, literally."""
    file = tmp_path / "c.toml"
    file.write_text("[topics.pay]\nreplace = true\n", "utf-8")
    warnings = load_config(file).warnings
    assert warnings  # the loader's warning, which the monitor must show
    scenario = build_store(tmp_path / "store.db")
    scenario = replace(scenario, config=replace(scenario.config, warnings=warnings))
    app = make_app(scenario, tmp_path, mode="offline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        said = [n.message for n in app._notifications if n.severity == "warning"]
        assert said == [f"Config: {warnings[0]}"]
