"""`export -o LINK` writes where the link points; the link, its mode and `/dev/stdout` stay."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

from tests.store_helpers import fill

ROOT = Path(__file__).resolve().parents[1]
READ_TIMEOUT_S = 30


def _parts(*folders: Path) -> list[str]:
    return [p.name for folder in folders for p in folder.iterdir() if p.name.endswith(".part")]


def _beside_store(folder: Path) -> list[str]:
    """The files in `folder` other than the store and its SQLite companions."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("store.db"))


def test_a_link_to_a_file_is_written_through(tmp_path: Path, db_path: Path, cli) -> None:
    """The file a link names gets the export (and the sidecar beside it); the link stays."""
    fill(db_path, ["Streik heute"])
    target = tmp_path / "target.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to("target.csv")
    run = cli("export", "--db", db_path, "-o", link)
    assert run.code == 0, run.err
    assert link.is_symlink() and os.readlink(link) == "target.csv"
    assert "Streik heute" in target.read_text(encoding="utf-8-sig")
    assert (tmp_path / "target.csv.meta.json").exists()
    assert not (tmp_path / "link.csv.meta.json").exists()
    assert _parts(tmp_path) == []


def test_a_link_into_another_folder_is_replaced_there(tmp_path: Path, db_path: Path, cli) -> None:
    """A `latest.csv` link to a file in another folder: that file is replaced, atomically."""
    fill(db_path, ["Lohn morgen"])
    real = tmp_path / "real"
    real.mkdir()
    target = real / "report.csv"
    target.write_text("old\n")
    inode = target.stat().st_ino
    here = tmp_path / "here"
    here.mkdir()
    link = here / "latest.csv"
    link.symlink_to(Path("..") / "real" / "report.csv")
    run = cli("export", "--db", db_path, "-o", link)
    assert run.code == 0, run.err
    assert link.is_symlink()
    assert "Lohn morgen" in target.read_text(encoding="utf-8-sig")
    assert target.stat().st_ino != inode  # a new file renamed into place, not written in place
    assert sorted(p.name for p in real.iterdir()) == ["report.csv", "report.csv.meta.json"]
    assert sorted(p.name for p in here.iterdir()) == ["latest.csv"]


def test_a_dangling_link_gets_its_target_created(tmp_path: Path, db_path: Path, cli) -> None:
    """A link to a file not there yet: the file is created where it points; the link stays."""
    fill(db_path, ["Streik"])
    link = tmp_path / "latest.jsonl"
    link.symlink_to("2026-12-08.jsonl")
    run = cli("export", "--db", db_path, "--format", "jsonl", "-o", link)
    assert run.code == 0, run.err
    assert link.is_symlink()
    assert "Streik" in (tmp_path / "2026-12-08.jsonl").read_text(encoding="utf-8")
    assert (tmp_path / "2026-12-08.jsonl.meta.json").exists()


def test_a_link_to_a_fifo_streams_into_it(tmp_path: Path, db_path: Path, cli) -> None:
    """A link to a FIFO is written straight into the pipe: no sidecar, link and pipe stay."""
    fill(db_path, ["Streik heute"])
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.csv"
    link.symlink_to("pipe")
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as pipe:
            received.append(pipe.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    run = cli("export", "--db", db_path, "-o", link)
    reader.join(READ_TIMEOUT_S)
    assert run.code == 0, run.err
    assert received and b"Streik heute" in received[0]
    assert link.is_symlink() and stat.S_ISFIFO(fifo.lstat().st_mode)
    assert _beside_store(tmp_path) == ["out.csv", "pipe"]


def _export_to_stdout_file(
    db_path: Path, target: str | Path, stdout: Path
) -> subprocess.CompletedProcess[str]:
    with stdout.open("w") as out:
        return subprocess.run(
            [
                sys.executable,
                str(ROOT / "app.py"),
                "export",
                "--db",
                str(db_path),
                "-o",
                str(target),
            ],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            cwd=ROOT,
        )


def test_a_link_to_standard_output_writes_to_the_redirected_file(
    tmp_path: Path, db_path: Path
) -> None:
    """`-o /dev/stdout > file`, with a link of our own: the file gets the rows, the link stays."""
    fill(db_path, ["Streik heute"])
    link = tmp_path / "stdout"  # what /dev/stdout is on Linux
    link.symlink_to("/proc/self/fd/1")
    captured = tmp_path / "captured.csv"
    done = _export_to_stdout_file(db_path, link, captured)
    assert done.returncode == 0, done.stderr
    assert "Streik heute" in captured.read_text(encoding="utf-8-sig")
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    assert _beside_store(tmp_path) == ["captured.csv", "stdout"]


def test_a_descriptor_path_writes_to_that_descriptor(tmp_path: Path, db_path: Path) -> None:
    """`-o /proc/self/fd/1 > file` writes the rows into the file, as `-` would."""
    fill(db_path, ["Lohn morgen"])
    captured = tmp_path / "captured.csv"
    done = _export_to_stdout_file(db_path, "/proc/self/fd/1", captured)
    assert done.returncode == 0, done.stderr
    assert "Lohn morgen" in captured.read_text(encoding="utf-8-sig")
    assert not (tmp_path / "captured.csv.meta.json").exists()


def test_replacing_an_export_keeps_its_permissions(tmp_path: Path, db_path: Path, cli) -> None:
    """A snapshot kept group-readable only (0640) stays 0640 when the export replaces it."""
    fill(db_path, ["Streik"])
    target = tmp_path / "perm.csv"
    target.write_text("t\n")
    target.chmod(0o640)
    run = cli("export", "--db", db_path, "-o", target)
    assert run.code == 0, run.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert "Streik" in target.read_text(encoding="utf-8-sig")
