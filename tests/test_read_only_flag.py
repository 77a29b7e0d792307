"""The global `--read-only` before a command that writes refuses it (exit 2, naming the
flag), as `views --delete` does, instead of writing anyway."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from bench.synth import write_jsonl

OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
<outline text="A feed" type="rss" xmlUrl="http://127.0.0.1:9/a.xml"/></body></opml>"""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_is_refused_and_creates_no_store(tmp_path: Path, db_path: Path, cli: Any) -> None:
    """`--read-only import FILE` imports nothing, creates no store, and says why (exit 2)."""
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, 5, seed=3)
    run = cli("--read-only", "import", "--db", db_path, archive)
    assert run.code == 2, (run.out, run.err)
    assert "--read-only writes nothing" in run.err
    assert not db_path.exists()


def test_feeds_import_is_refused_and_leaves_the_config(tmp_path: Path, cli: Any) -> None:
    """`--read-only feeds import FILE.opml` adds no feed to the config file (exit 2)."""
    config = tmp_path / "c.toml"
    config.write_text('[company]\nname = "Korvando"\n', encoding="utf-8")
    before = config.read_bytes()
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(OPML)
    run = cli("--read-only", "feeds", "--config", config, "import", opml)
    assert run.code == 2, (run.out, run.err)
    assert "--read-only writes nothing" in run.err
    assert config.read_bytes() == before


def test_collect_is_refused_and_creates_no_store(tmp_path: Path, db_path: Path, cli: Any) -> None:
    """`--read-only collect --once` polls nothing and creates no store (exit 2)."""
    config = tmp_path / "c.toml"
    config.write_text(
        '[company]\nname = "Korvando"\n[[feeds]]\nname = "A"\nurl = "http://127.0.0.1:9/a.xml"\n',
        encoding="utf-8",
    )
    run = cli("--read-only", "collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 2, (run.out, run.err)
    assert "--read-only writes nothing" in run.err
    assert not db_path.exists()


def test_serve_with_writable_viewers_is_refused(cli: Any) -> None:
    """`--read-only serve --writable` asks for two opposite things: refused (exit 2)."""
    run = cli("--read-only", "serve", "--writable", "--offline")
    assert run.code == 2, (run.out, run.err)
    assert "--read-only" in run.err and "--writable" in run.err


def test_serve_polls_nothing(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--read-only serve` serves the store as it is: no collector writes it (as --offline)."""
    import tui.serve

    asked: list[Any] = []

    def serve(request: Any) -> int:
        asked.append(request)
        return 0

    monkeypatch.setattr(tui.serve, "run_serve", serve)
    assert cli("--read-only", "serve").code == 0
    assert asked[0].offline and not asked[0].writable
