"""Running `app.py` as an ordinary user would: file and folder permissions apply.

Tests run as root on CI, and root ignores permission bits; the child process drops
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its capability bounding set before it starts
the program, so a file or folder without write permission cannot be written by it.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def drop_file_override() -> None:
    """In the child: lose root's power to ignore permissions (no-op for other users)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _can_drop_privileges() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "pass"], preexec_fn=drop_file_override, check=False
    )
    return probe.returncode == 0


needs_permissions = pytest.mark.skipif(
    not _can_drop_privileges(), reason="cannot run a child without CAP_DAC_OVERRIDE here"
)


def run_app(
    tmp_path: Path, *args: str | Path, stdout: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `app.py ARGS` as an ordinary user would (file permissions apply)."""
    env = dict(
        os.environ,
        XDG_CONFIG_HOME=str(tmp_path / "cfg"),
        XDG_DATA_HOME=str(tmp_path),
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    env.pop("ECHOWATCH_CONFIG", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), *map(str, args)],
        cwd=tmp_path,
        env=env,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        preexec_fn=drop_file_override,
        check=False,
    )
