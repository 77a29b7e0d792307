"""A store on a read-only filesystem: writers say so and name it, readers still read.

A real read-only mount: the test runs the commands in a private mount namespace
(`unshare -m`) where a tmpfs holding a copy of the store is remounted read-only. Where
namespaces or mounts are not allowed, the test is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.synth import write_jsonl
from tests.store_helpers import OLDER_SCHEMA, older_store

pytestmark = pytest.mark.slow  # a 500-mention store on a read-only filesystem

ROOT = Path(__file__).resolve().parents[1]
NO_MOUNT = 77
"""Exit code of the script when it cannot set up the read-only mount."""

SCRIPT = """
mount -t tmpfs tmpfs "$1" || exit 77
cp "$2" "$1/store.db" || exit 77
mount -o remount,ro "$1" || exit 77
shift 2
"$@"
"""


def _in_read_only_mount(
    tmp_path: Path, store: Path, *args: str | Path
) -> subprocess.CompletedProcess[str]:
    """Run `app.py ARGS` with the store copied to a read-only mount at MOUNT/store.db."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare on this system")
    mount = tmp_path / "ro"
    mount.mkdir(exist_ok=True)
    command = [str(a).replace("MOUNT", str(mount)) for a in args]
    result = subprocess.run(
        [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            SCRIPT,
            "sh",
            str(mount),
            str(store),
            sys.executable,
            str(ROOT / "app.py"),
            *command,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    if result.returncode == NO_MOUNT or "unshare failed" in result.stderr:
        pytest.skip(f"cannot mount a read-only filesystem here: {result.stderr.strip()}")
    return result


def test_import_onto_a_read_only_filesystem_says_read_only(stored: Path, tmp_path: Path) -> None:
    """Importing into a store on a read-only mount names the store and says read-only."""
    archive = tmp_path / "more.jsonl"
    write_jsonl(archive, 20, seed=9)
    result = _in_read_only_mount(tmp_path, stored, "import", archive, "--db", "MOUNT/store.db")
    assert result.returncode == 1, result.stderr
    assert "store.db: the store is on a read-only filesystem" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_and_export_read_a_store_on_a_read_only_filesystem(
    stored: Path,
    tmp_path: Path,
) -> None:
    """A store on read-only media (a mounted backup, a CD) still reports and exports."""
    status = _in_read_only_mount(tmp_path, stored, "status", "--db", "MOUNT/store.db")
    assert status.returncode == 0, status.stderr
    assert "mentions: 500" in status.stdout
    out = tmp_path / "out.csv"
    export = _in_read_only_mount(tmp_path, stored, "export", "--db", "MOUNT/store.db", "-o", out)
    assert export.returncode == 0, export.stderr
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 501


def test_an_older_store_on_a_read_only_filesystem_is_refused_naming_its_version(
    stored: Path, tmp_path: Path
) -> None:
    """An older store on read-only media is never read in its old layout (wrong counts,
    'no such table'): status and export say it needs its one upgrade and to copy it."""
    older = older_store(tmp_path / "older.db", stored)
    for command in (["status"], ["export", "--ids", "--query", "lang:de"]):
        run = _in_read_only_mount(tmp_path, older, *command, "--db", "MOUNT/store.db")
        assert run.returncode == 1, run.stderr
        assert "store.db: this store was written by an older version of Echowatch" in run.stderr
        assert f"(schema {OLDER_SCHEMA}; this version reads schema" in run.stderr
        assert "it is on a read-only filesystem" in run.stderr
        assert run.stdout == ""
        assert "no such table" not in run.stderr
