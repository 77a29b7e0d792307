"""Where `export -o` writes: files atomically, devices and FIFOs directly, never a folder."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from tests.store_helpers import fill

READ_TIMEOUT_S = 30


def _read_fifo_in_background(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as pipe:  # blocks until the export opens the FIFO
            received.append(pipe.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, received


def _release(fifo: Path) -> None:
    """Unblock a reader still waiting for a writer that never came."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return
    os.close(fd)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "md"])
def test_export_into_a_fifo_streams_into_it(tmp_path: Path, db_path: Path, cli, fmt: str) -> None:
    """`export -o FIFO` feeds the process reading the pipe, and the pipe stays a pipe."""
    fill(db_path, ["Streik heute", "Lohn morgen"])
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader, received = _read_fifo_in_background(fifo)
    try:
        run = cli("export", "--db", db_path, "--format", fmt, "-o", fifo)
        reader.join(READ_TIMEOUT_S)
    finally:
        _release(fifo)
        reader.join(READ_TIMEOUT_S)
    assert run.code == 0, run.err
    assert received and b"Streik heute" in received[0]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert not (tmp_path / "pipe.meta.json").exists()


def _null_device_copy(folder: Path) -> Path | None:
    """A character device node like /dev/null inside `folder` (root only), else None."""
    node = folder / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        with open(node, "w") as probe:  # a filesystem mounted nodev refuses this
            probe.write("x")
    except OSError:
        return None
    return node


def test_export_to_dev_null_leaves_it_a_device(tmp_path: Path, db_path: Path, cli) -> None:
    """`export -o /dev/null` (as root too) discards the rows and /dev/null stays a device."""
    null = Path("/dev/null")
    if not stat.S_ISCHR(null.stat().st_mode):
        pytest.skip("/dev/null is not a character device here")
    fill(db_path, ["a", "b"])
    # A regression would replace the machine's /dev/null with a file (for every process on
    # it): try a private copy of the device first and stop there if it was replaced.
    copy = _null_device_copy(tmp_path)
    if copy is not None:
        run = cli("export", "--db", db_path, "-o", copy)
        assert run.code == 0, run.err
        assert stat.S_ISCHR(copy.stat().st_mode), "the device node was replaced by a file"
        assert not (tmp_path / "null.meta.json").exists()
    before = null.stat()
    run = cli("export", "--db", db_path, "-o", null)
    after = null.stat()
    assert run.code == 0, run.err
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not Path("/dev/null.meta.json").exists()


def test_export_to_a_folder_is_a_usage_error_naming_it(tmp_path: Path, db_path: Path, cli) -> None:
    """`export -o SOME_FOLDER` says it is a folder and exits 2; the folder is left as it was."""
    fill(db_path, ["a"])
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    run = cli("export", "--db", db_path, "-o", folder)
    assert run.code == 2
    assert f"{folder}: is a directory" in run.err
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_export_over_a_regular_file_still_replaces_it_atomically(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """A regular file is replaced as a whole (a new inode), never written in place."""
    fill(db_path, ["neu"])
    target = tmp_path / "snap.csv"
    target.write_text("previous snapshot")
    inode = target.stat().st_ino
    run = cli("export", "--db", db_path, "-o", target)
    assert run.code == 0, run.err
    assert "neu" in target.read_text(encoding="utf-8-sig")
    assert target.stat().st_ino != inode
    assert (tmp_path / "snap.csv.meta.json").exists()
