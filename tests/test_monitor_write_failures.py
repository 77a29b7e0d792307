"""A screenshot or an export that cannot be written: the monitor says which file and why,
in words, and goes on (it never ends on a key press)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tests.monitor_scenario import build_store
from tests.tui_helpers import make_app, settle
from tui.dialogs import ExportDialog
from tui.monitor import MonitorApp

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


def said(app: MonitorApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_screenshot_that_cannot_be_written_is_a_toast(tmp_path: Path) -> None:
    """ctrl+s into a folder that is gone: a toast names the SVG and the reason; the
    monitor stays open."""
    gone = tmp_path / "gone"  # the working folder removed while the monitor runs
    app = make_app(build_store(tmp_path / "store.db"), gone)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running and app.return_code is None
        (toast,) = [t for t in said(app) if "Screenshot" in t]
        assert toast.startswith(f"Screenshot not saved: cannot write {gone}/echowatch-")
        assert ".svg" in toast and "folder does not exist" in toast
        assert "Error" not in toast  # no Python exception class
        await pilot.press("ctrl+s")  # and again: still a toast, still running
        await settle(pilot)
        assert app.is_running


async def test_an_export_that_cannot_be_written_names_the_users_file(tmp_path: Path) -> None:
    """An export into a folder that does not exist, or onto a folder: the toast names the
    file the reader chose and why, not the hidden temporary file nor the Python exception."""
    app = make_app(build_store(tmp_path / "store.db"), tmp_path)
    target = tmp_path / "no-such-folder" / "report.csv"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        (toast,) = [t for t in said(app) if "xport" in t]
        assert toast == f"Export not saved: cannot write {target}: its folder does not exist"
        assert not target.parent.exists()
        assert app.is_running
        await pilot.press("e")  # a folder named as the file: said the same way
        await settle(pilot)
        app.screen.query_one("#export-path", Input).value = str(tmp_path)
        await pilot.press("enter")
        await settle(pilot)
        assert f"Export not saved: {tmp_path}: is a directory" in said(app)[-1]


async def test_an_export_whose_sidecar_cannot_be_replaced_says_so_in_words(
    tmp_path: Path,
) -> None:
    """An export beside an immutable sidecar: the toast says the rows were written and the
    sidecar was not, without the Python exception's name."""
    from tests.test_export_sidecar_failures import _immutable

    app = make_app(build_store(tmp_path / "store.db"), tmp_path)
    target = tmp_path / "imm.csv"
    sidecar = tmp_path / "imm.csv.meta.json"
    sidecar.write_text("x\n")
    with _immutable(sidecar):
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            app.screen.query_one("#export-path", Input).value = str(target)
            await pilot.press("enter")
            await settle(pilot)
            (toast,) = [t for t in said(app) if "xport" in t]
            assert toast.startswith("Export written, sidecar not: wrote ")
            assert "SidecarNotWritten" not in toast
            assert app.is_running
