"""A notify_command that runs too long is stopped with everything it started."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from cache.alerts import watch
from cache.alerts.rules import Alert
from cache.alerts.watch import run_notify_command

ALERT = Alert(
    topic="strikes",
    started_at="2026-11-09T09:00:00Z",
    count=41,
    baseline=0.5,
    stdev=0.5,
    threshold=1.5,
    k=2.0,
    min_count=5,
    baseline_kind="same_hour",
    baseline_hours=7,
    peak_count=41,
    peak_at="2026-11-09T09:00:00Z",
    last_hot_at="2026-11-09T09:00:00Z",
    top_ids=(),
    top_sources=(),
    mode="live",
    raised_at="2026-11-09T09:59:00Z",
)


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting to be reaped is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gone_soon(pid: int) -> bool:
    """A killed process may need a moment to be reaped by whoever adopted it."""
    deadline = time.monotonic() + 5
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not _running(pid)


def _assert_child_stopped(pid_file: Path) -> None:
    """The child whose pid the command wrote is gone (killed here if not, to tidy up)."""
    child = int(pid_file.read_text().strip())
    assert child != os.getpid()
    try:
        assert _gone_soon(child), "the command's child was left running"
    finally:
        if _running(child):
            os.kill(child, 9)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_timed_out_command_leaves_no_child_running(tmp_path: Path) -> None:
    """The command's own children (a pipeline, a background job) are stopped with it."""
    pid_file = tmp_path / "child.pid"
    command = f"sleep 45 & echo $! > {pid_file}; wait; echo done"
    problem = run_notify_command(command, ALERT, timeout=1)
    assert problem == "notify_command did not finish within 1 s and was stopped"
    _assert_child_stopped(pid_file)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_child_ignoring_sigterm_is_killed_after_the_grace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that ignores the polite stop is killed once the short grace has passed."""
    monkeypatch.setattr(watch, "STOP_GRACE_SECONDS", 0.2)
    pid_file = tmp_path / "child.pid"
    command = f"trap '' TERM; sleep 45 & echo $! > {pid_file}; wait"
    problem = run_notify_command(command, ALERT, timeout=0.5)
    assert problem is not None and "was stopped" in problem
    _assert_child_stopped(pid_file)
