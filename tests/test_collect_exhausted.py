"""`collect` with no source left to poll ends with an error, not a silent success."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builders import rss
from tests.feedserver import FeedServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def _config(tmp_path: Path, server: FeedServer, *paths: str) -> Path:
    config = tmp_path / "feeds.toml"
    config.write_text(
        "".join(
            f'[[feeds]]\nname = "f{i}"\nurl = "{server.url(path)}"\n'
            for i, path in enumerate(paths)
        )
    )
    return config


def test_collect_exits_1_when_every_source_stopped_for_good(
    server: FeedServer, tmp_path: Path, db_path: Path, cli
) -> None:
    """Two feeds that are gone (HTTP 410): collect says nothing is left to poll and exits 1."""
    server.feed("/gone-a.xml", b"", status=410)
    server.feed("/gone-b.xml", b"", status=410)
    run = cli(
        "collect",
        "--config",
        _config(tmp_path, server, "/gone-a.xml", "/gone-b.xml"),
        "--db",
        db_path,
    )
    assert run.code == 1
    assert "no source left to poll: all 2 stopped" in run.err


def test_once_with_one_gone_feed_still_stores_the_healthy_one(
    server: FeedServer, tmp_path: Path, db_path: Path, cli
) -> None:
    """`collect --once`: a gone feed is a failure (exit 1) named beside a healthy feed's items."""
    server.feed("/ok.xml", rss("Ok", [{"title": "Streik", "link": "https://n.example/1"}]))
    server.feed("/gone.xml", b"", status=410)
    run = cli(
        "collect",
        "--once",
        "--config",
        _config(tmp_path, server, "/ok.xml", "/gone.xml"),
        "--db",
        db_path,
    )
    assert run.code == 1
    assert "f1" in run.err and "gone" in run.err
