"""A store damaged in the middle: every command says so, names the file and how to recover.

The damage is real: bytes of a b-tree page in the middle of a real store file are
overwritten, as a failing disk or a copy taken mid-write would leave them.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.synth import pages, write_jsonl
from cache.db.store import Store, StoreError
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import rss
from tests.feedserver import FeedServer
from tests.test_truncated_store import rescue_hint
from tui.monitor import MonitorApp

DAMAGED_TABLES = ["mentions", "mention_topics", "accounts"]
"""Tables whose middle page is damaged: the posts, the topic index, the authors."""


def _build(path: Path) -> None:
    classifier = Classifier(Config())
    with Store.open(path) as store:
        for page in pages(500, seed=41):
            ingest(store, parse_response(page, "import"), classifier)


def _damage_middle_page(path: Path, table: str) -> int:
    """Overwrite the start of the middle leaf page of `table`; returns its page number."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = [
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                [table],
            )
        ]
    conn.close()
    assert len(leaves) >= 3, f"{table} is too small to damage in the middle"
    page = leaves[len(leaves) // 2]
    with path.open("r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(b"\xff" * 16)
    return page


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("healthy") / "store.db"
    _build(path)
    return path


@pytest.fixture(params=DAMAGED_TABLES)
def damaged(request: pytest.FixtureRequest, healthy: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of a 500-mention store with one page in the middle of a table overwritten."""
    path = tmp_path / "damaged.db"
    path.write_bytes(healthy.read_bytes())
    _damage_middle_page(path, request.param)
    assert _quick_check(path) != "ok"
    yield path


def _quick_check(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA quick_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:  # so damaged that the check cannot finish
        return str(exc)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.feed("/news.xml", rss("News", [{"title": "Streik", "link": "https://n.example/1"}]))
        yield running


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _command(name: str, tmp_path: Path, server: FeedServer) -> list[str | Path]:
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[feeds]]\nname = "news"\nurl = "{server.url("/news.xml")}"\n')
    archive = tmp_path / "more.jsonl"
    write_jsonl(archive, 20, seed=7)
    commands: dict[str, list[str | Path]] = {
        "import": ["import", archive],
        "collect": ["collect", "--once", "--config", config],
        "alerts": ["alerts"],
        "status": ["status"],
        "export-csv": ["export", "-o", tmp_path / "out.csv"],
        "export-md": ["export", "--format", "md", "-o", tmp_path / "out.md"],
        "export-ambassadors": ["export", "--report", "ambassadors"],
        "monitor-live": ["--config", config],
        "monitor-offline": ["--offline"],
    }
    return commands[name]


WRITERS = ["import", "collect", "alerts", "monitor-live"]
COMMANDS = [*WRITERS, "status", "export-csv", "export-md", "export-ambassadors", "monitor-offline"]


CHECKING = [*WRITERS, "status", "monitor-offline"]
"""Commands that check every page first; an export reads only what it writes."""
READ_EVERY_MENTION = ["export-csv", "export-md"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_names_a_damaged_store_and_how_to_recover(
    command: str,
    damaged: Path,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    cli,
) -> None:
    """A damaged store gives one clear error (file, the rescue), exit 1, and no traceback."""
    table = request.node.callspec.params["damaged"]
    # Were the monitor to start after all, the test fails instead of waiting on a terminal.
    monkeypatch.setattr(MonitorApp, "run", lambda self: pytest.fail("the monitor started"))
    before = _digest(damaged)
    run = cli(*_command(command, tmp_path, server), "--db", damaged)
    must_notice = command in CHECKING or (table == "mentions" and command in READ_EVERY_MENTION)
    if not must_notice and run.code == 0:
        return  # it read only intact pages: what it wrote is right
    assert run.code == 1, (run.out, run.err)
    assert f"{damaged}: the store is damaged" in run.err
    assert rescue_hint(damaged) in run.err
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.md").exists()
    if command in WRITERS:
        assert _digest(damaged) == before  # nothing written on top of the damage


def test_a_damaged_store_is_refused_for_writing(damaged: Path) -> None:
    """Opening a damaged store to write raises StoreError before any write."""
    before = _digest(damaged)
    with pytest.raises(StoreError, match="the store is damaged"):
        Store.open(damaged)
    assert _digest(damaged) == before


def test_a_healthy_store_is_checked_once_per_process(
    healthy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A healthy store opens for writing; the collector's open per poll checks it only once."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(healthy.read_bytes())
    statements: list[str] = []
    real_connect = sqlite3.connect

    def traced_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced_connect)
    for _ in range(3):
        with Store.open(copy) as store:
            assert store.count_mentions() == 500
    assert sum("quick_check" in sql for sql in statements) == 1
