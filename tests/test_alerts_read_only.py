"""`app.py alerts` on a store it cannot write (a read-only mount, an immutable file) lists
what is stored instead of failing on the history it would have judged."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from tests.store_helpers import DAY0, STRIKE_TEXT, add_posts, steady_days

APP = Path(__file__).resolve().parents[1] / "app.py"


def _store_with_alerts_and_unjudged_hours(db_path: Path, cli: Any) -> list[dict[str, Any]]:
    """Two stored alerts, then a later spike no one has judged yet."""
    with Store.open(db_path) as store:
        steady_days(store, 9)
        add_posts(store, DAY0 + timedelta(days=7, hours=9), 40, STRIKE_TEXT)
    first = cli("alerts", "--db", db_path, "--format", "json")
    assert first.code == 0, first.err
    with Store.open(db_path) as store:
        add_posts(store, DAY0 + timedelta(days=8, hours=15), 30, STRIKE_TEXT)
    return list(json.loads(first.out))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_alerts_lists_the_stored_alerts_of_a_store_on_a_read_only_mount(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a read-only filesystem `alerts` lists what is stored, says history was not
    judged, exits 0 and writes nothing."""
    stored = _store_with_alerts_and_unjudged_hours(db_path, cli)
    real_statvfs = os.statvfs

    def read_only_mount(path: Any) -> os.statvfs_result:
        found = real_statvfs(path)
        if Path(path).resolve() != db_path.parent.resolve():
            return found
        values = list(found)
        values[8] |= os.ST_RDONLY  # f_flag: what statvfs reports for a read-only mount
        return os.statvfs_result(values)

    monkeypatch.setattr(os, "statvfs", read_only_mount)
    before = _digest(db_path)
    run = cli("alerts", "--db", db_path, "--format", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out) == stored
    assert f"{db_path}: the store is read-only" in run.err
    assert "history was not judged" in run.err
    assert _digest(db_path) == before


def _can_mount_read_only() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs none /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_read_only(), reason="needs a private read-only bind mount")
def test_alerts_on_a_real_read_only_bind_mount(cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Through a real read-only mount, `alerts` still lists the stored alerts (exit 0)."""
    stored = _store_with_alerts_and_unjudged_hours(db_path, cli)
    folder = db_path.parent
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    script = (
        f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && "
        f"{sys.executable} {APP} alerts --format json --db {db_path}"
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == stored
    assert "history was not judged" in done.stderr


def test_read_only_flag_lists_the_stored_alerts_and_writes_nothing(cli: Any, db_path: Path) -> None:
    """`--read-only alerts` lists what is stored, says history was not judged, and leaves
    the store as it was (as on a read-only mount)."""
    stored = _store_with_alerts_and_unjudged_hours(db_path, cli)
    before = _digest(db_path)
    run = cli("--read-only", "alerts", "--db", db_path, "--format", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out) == stored
    assert "--read-only" in run.err and "history was not judged" in run.err
    assert _digest(db_path) == before
