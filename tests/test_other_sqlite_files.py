"""`--db` naming another application's SQLite database: refused, and left as it was.

Only an Echowatch store (or an empty file, or a new path) is ever written: every command
that opens a store for writing names the file, exits 1, and changes not one byte of it (no
tables, no journal mode, no page size).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cache.db.store import Store, StoreError
from tests.builders import page, rss, tweet, user
from tests.feedserver import FeedServer
from tests.store_helpers import write_jsonl
from tui.launch import plan_launch


def _foreign(path: Path, table: str = "customers") -> Path:
    """A small SQLite database of another application."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute(f"INSERT INTO {table} (name) VALUES ('Ada')")
    conn.close()
    return path


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def _config(tmp_path: Path, server: FeedServer) -> Path:
    server.feed("/feed", rss("News", [{"title": "Kestrel", "link": "https://n/1"}]))
    config = tmp_path / "config.toml"
    config.write_text(f'[[feeds]]\nname = "news"\nurl = "{server.url("/feed")}"\n')
    return config


@pytest.mark.parametrize(
    "command",
    ["import", "import --demo", "collect", "alerts", "export", "status", "views", "feeds"],
)
@pytest.mark.parametrize("table", ["customers", "accounts"])
def test_every_command_refuses_another_applications_database(
    tmp_path: Path, cli, server: FeedServer, command: str, table: str
) -> None:
    """Each command names the file, says it is not an Echowatch store, exits 1, and the
    file keeps every byte (also when one of its tables has a name the store uses)."""
    foreign = _foreign(tmp_path / "other.db", table)
    before = foreign.read_bytes()
    author = user("critic")
    archive = write_jsonl(tmp_path / "a.jsonl", [page([tweet(author, "Streik")], [author])])
    config = _config(tmp_path, server)
    commands: dict[str, list[str | Path]] = {
        "import": ["import", archive],
        "import --demo": ["import", "--demo"],
        "collect": ["collect", "--once", "--config", config],
        "alerts": ["alerts", "--config", config],
        "export": ["export"],
        "status": ["status"],
        "views": ["views", "--config", config],
        "feeds": ["feeds", "--config", config, "list"],
    }
    run = cli(*commands[command], "--db", foreign)
    assert run.code == 1, run.out
    assert str(foreign) in run.err and "not an Echowatch store" in run.err
    assert foreign.read_bytes() == before
    assert not foreign.with_name("other.db-wal").exists()
    assert server.hits["/feed"] == 0  # refused before anything was polled


@pytest.mark.parametrize("demo", [False, True], ids=["live", "demo"])
def test_the_monitor_refuses_another_applications_database(
    tmp_path: Path, server: FeedServer, monkeypatch: pytest.MonkeyPatch, demo: bool
) -> None:
    """The monitor with a config (live polling) or the demo replay refuses the file
    before it polls anything, and leaves it as it was."""
    foreign = _foreign(tmp_path / "other.db")
    before = foreign.read_bytes()
    monkeypatch.setenv("ECHOWATCH_CONFIG", str(_config(tmp_path, server)))
    with pytest.raises(StoreError, match="not an Echowatch store"):
        plan_launch(db=str(foreign), config_path=None, demo=demo, offline=False, speed=1)
    assert foreign.read_bytes() == before


def test_the_refusal_names_the_file_and_what_to_do(tmp_path: Path) -> None:
    """The message says which file, that it was left untouched, and what to give instead."""
    foreign = _foreign(tmp_path / "other.db")
    with pytest.raises(StoreError) as raised:
        Store.open(foreign)
    message = str(raised.value)
    assert message.startswith(f"{foreign}: not an Echowatch store")
    assert "left untouched" in message and "--db" in message


@pytest.mark.parametrize("kind", ["empty file", "SQLite without tables"])
def test_an_empty_file_becomes_a_store(tmp_path: Path, kind: str) -> None:
    """A file of no bytes, or a SQLite database that holds nothing, becomes a new store."""
    path = tmp_path / "new.db"
    if kind == "empty file":
        path.write_bytes(b"")
    else:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE gone (x)")
        conn.execute("DROP TABLE gone")
        conn.close()
        assert path.stat().st_size > 0
    with Store.open(path) as store:
        assert not store.has_mentions()
