"""`import` reads a stream given as a PATH (`/dev/stdin`, `/dev/fd/N` from a shell's
`<(...)`, a named pipe) once, in order, as it reads `-`: no hang, no "No such file"."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cache.db.store import Store
from tests.builders import page, tweet, user

ROOT = Path(__file__).resolve().parents[1]
RUN_TIMEOUT = 60
"""Seconds a subprocess import may take before the test calls it hung (it takes about 2)."""


def _archive() -> tuple[bytes, set[str]]:
    """Two pages of JSON Lines, and the ids of their posts as stored."""
    author = user("streamer")
    first = [tweet(author, "Streik bei der Bahn"), tweet(author, "noch ein Streik")]
    second = [tweet(author, "Warnstreik morgen")]
    lines = [json.dumps(page(first, [author])), json.dumps(page(second, [author]))]
    data = ("\n".join(lines) + "\n").encode()
    return data, {f"x:{t['id']}" for t in first + second}


def _stored(db: Path) -> tuple[set[str], set[str]]:
    """The ids and the sources of the stored mentions."""
    with Store.open(db, readonly=True) as store:
        rows = store.conn.execute("SELECT id, source FROM mentions").fetchall()
    return {r[0] for r in rows}, {r[1] for r in rows}


@pytest.fixture(autouse=True)
def _with_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker process reads files by name: it is where these paths failed, so it runs
    # here even on a machine with one core.
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


@contextmanager
def _written_by_thread(target: Path | int, data: bytes) -> Iterator[None]:
    """`data` written into a FIFO (its path) or a pipe (its write end) by a thread."""

    def write() -> None:
        with open(target, "wb") as out:  # a path or a file descriptor alike
            out.write(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield
    finally:
        if writer.is_alive() and isinstance(target, Path):
            # The import never opened the FIFO: open it here, so the writer is not left blocked.
            os.close(os.open(target, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(timeout=RUN_TIMEOUT)


def test_a_named_pipe_is_imported(tmp_path, cli):
    """`import some.fifo` stores what the writer sends, recorded as from the FIFO's name."""
    data, ids = _archive()
    fifo = tmp_path / "posts.fifo"
    os.mkfifo(fifo)
    db = tmp_path / "s.db"
    with _written_by_thread(fifo, data):
        run = cli("import", fifo, "--db", db)
    assert run.code == 0, run.err
    assert "1 of 1 files read" in run.out
    assert _stored(db) == (ids, {"posts.fifo"})


def test_a_process_substitution_path_is_imported(tmp_path, cli):
    """`import <(cat x.jsonl)`, a /dev/fd/N path of this process, stores what it sends."""
    data, ids = _archive()
    read_end, write_end = os.pipe()
    db = tmp_path / "s.db"
    try:
        with _written_by_thread(write_end, data):
            run = cli("import", f"/dev/fd/{read_end}", "--db", db)
    finally:
        os.close(read_end)
    assert run.code == 0, run.err
    assert "No such file" not in run.err
    assert _stored(db) == (ids, {"stdin"})


def test_a_missing_descriptor_path_is_named_as_unreadable(tmp_path, cli):
    """`import /dev/fd/N` of a descriptor not open fails for that file; the others go on."""
    data, ids = _archive()
    archive = tmp_path / "posts.jsonl"
    archive.write_bytes(data)
    closed = resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 1  # the last one: never open here
    db = tmp_path / "s.db"
    run = cli("import", f"/dev/fd/{closed}", archive, "--db", db)
    assert run.code == 1
    assert f"error /dev/fd/{closed}: cannot read: No such file or directory" in run.err
    assert "1 of 2 files read" in run.out
    assert _stored(db)[0] == ids


@pytest.mark.parametrize("how", ["file", "pipe"])
def test_dev_stdin_is_read_as_dash_is(tmp_path, how):
    """`import /dev/stdin < file` (or piped in) ends and stores what `import -` would."""
    data, ids = _archive()
    archive = tmp_path / "posts.jsonl"
    archive.write_bytes(data)
    db = tmp_path / "s.db"
    command = [sys.executable, str(ROOT / "app.py"), "import", "/dev/stdin", "--db", str(db)]
    with archive.open("rb") as stdin:
        run = subprocess.run(
            command,
            stdin=stdin if how == "file" else None,
            input=None if how == "file" else data,
            capture_output=True,
            timeout=RUN_TIMEOUT,  # it hung for good: the worker read its own command pipe
            check=False,
        )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(b"imported 3 new")
    assert _stored(db) == (ids, {"stdin"})
