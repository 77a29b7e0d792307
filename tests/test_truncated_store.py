"""A truncated store (a copy cut short, a full disk during a copy): every command names
the file and how to rescue what is readable, exits 1, and leaves the file as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from bench.synth import write_jsonl
from tests.test_serve import free_port

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
    """Status, import, export, alerts and serve name the file and `.recover`, exit 1."""
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
    assert f"sqlite3 {truncated} .recover > dump.sql" in run.err
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
    assert f"sqlite3 {damaged} .recover > dump.sql" in run.err


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
