"""A truncated store (a copy cut short, a full disk during a copy): every command names
the file and how to rescue what is readable, exits 1, and leaves the file as it was."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from bench.synth import write_jsonl
from cache.db.rescue import sqlite3_recovers
from cache.db.store import damaged_store_message
from tests.test_serve import free_port


def rescue_hint(path: Path) -> str:
    """The start of the rescue command for `path` (`.recover`, or `.dump` where this
    system's sqlite3 cannot recover)."""
    tool = ".recover >" if sqlite3_recovers() else ".dump |"
    return f"sqlite3 {path} {tool}"


COMMANDS: dict[str, list[str]] = {
    "status": ["status"],
    "import": ["import", "ARCHIVE"],
    "export": ["export", "--format", "jsonl"],
    "alerts": ["alerts"],
    "serve": ["serve", "--port", "PORT"],
}
CUTS = {"header": 100, "first-page": 4096, "half": None}
"""Where the copy ends: inside the first page, after it, halfway through the file."""


@pytest.mark.parametrize("cut", CUTS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_truncated_store_gets_the_rescue_hint(
    command: str, cut: str, stored: Path, tmp_path: Path, cli: Any
) -> None:
    """Status, import, export, alerts and serve name the file and the rescue, exit 1."""
    whole = stored.read_bytes()
    truncated = tmp_path / "cut.db"
    truncated.write_bytes(whole[: CUTS[cut] or len(whole) // 2])
    before = hashlib.sha256(truncated.read_bytes()).hexdigest()
    archive = tmp_path / "more.jsonl"
    write_jsonl(archive, 5, seed=7)
    # A free port: the store's damage is what the test is about, not a port in use.
    given = {"ARCHIVE": str(archive), "PORT": str(free_port())}
    args = [given.get(a, a) for a in COMMANDS[command]]
    run = cli(*args, "--db", truncated)
    assert run.code == 1, (run.out, run.err)
    assert f"{truncated}: the store is damaged" in run.err
    assert rescue_hint(truncated) in run.err
    assert "Traceback" not in run.err
    assert hashlib.sha256(truncated.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("command", ["status", "export", "alerts"])
def test_a_store_with_its_start_overwritten_gets_the_hint_too(
    command: str, stored: Path, tmp_path: Path, cli: Any
) -> None:
    """A store whose header is gone is no SQLite file any more; the hint is still given."""
    damaged = tmp_path / "headless.db"
    damaged.write_bytes(b"\0" * 16 + stored.read_bytes()[16:])
    run = cli(*COMMANDS[command], "--db", damaged)
    assert run.code == 1, (run.out, run.err)
    assert f"{damaged}: not an Echowatch store" in run.err
    assert rescue_hint(damaged) in run.err


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3 program on this system")
def test_the_printed_rescue_runs_with_this_systems_sqlite3(
    stored: Path, tmp_path: Path, cli: Any
) -> None:
    """The rescue a damage message prints runs as printed with the sqlite3 program here
    (Debian 12's cannot `.recover`), also for a folder with a space in its name, and
    leaves a store with the mentions that could be read, searchable."""
    folder = tmp_path / "my stores"
    folder.mkdir()
    truncated = folder / "cut.db"
    whole = stored.read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    run = cli("status", "--db", truncated)
    assert run.code == 1, run.err
    printed = re.search(r"To rescue what is readable: (.+?), then use --db recovered.db", run.err)
    assert printed, run.err
    done = subprocess.run(
        printed.group(1), shell=True, cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr.replace("Runtime error", "")  # refused rows only
    rescued = cli("export", "--db", tmp_path / "recovered.db", "--ids", "--query", "Streik")
    assert rescued.code == 0, rescued.err
    assert rescued.out.strip()  # found by the full-text index of the rescued mentions


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3 program on this system")
def test_the_rescue_of_an_intact_store_keeps_every_mention(stored: Path, tmp_path: Path) -> None:
    """Run on a store that is not damaged at all, the printed rescue gives back all of it."""
    message = damaged_store_message(stored, "a test")
    printed = re.search(r"To rescue what is readable: (.+?), then use --db recovered.db", message)
    assert printed, message
    done = subprocess.run(
        printed.group(1), shell=True, cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    with closing(sqlite3.connect(tmp_path / "recovered.db")) as conn:
        assert conn.execute("SELECT count(*) FROM mentions").fetchone() == (500,)


@pytest.mark.parametrize("command", ["status", "export", "alerts", "views"])
def test_an_empty_file_is_no_store_to_the_commands_that_read(
    command: str, tmp_path: Path, cli: Any
) -> None:
    """A 0-byte file (`touch`ed by a script) is not a store: exit 1, and it stays empty."""
    empty = tmp_path / "empty.db"
    empty.touch()
    run = cli(command, "--db", empty)
    assert run.code == 1, (run.out, run.err)
    assert f"{empty}: not an Echowatch store" in run.err
    assert empty.stat().st_size == 0
    assert not empty.with_name("empty.db-wal").exists()
