"""Browsing a store starts without the source adapters: the monitor's first rows come sooner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.monitor_scenario import build_store

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("tweepy", "feedparser", "requests", "atproto", "mastodon", "py3langid", "websockets")
"""Libraries only polling needs (X, feeds, Bluesky, Mastodon, language detection)."""

PROBE = """
import json, sys
import app
from tui.launch import plan_launch
from tui.monitor import MonitorApp, MonitorOptions
parser, runners = app.build_parser()
args = parser.parse_args(sys.argv[2:])
plan = plan_launch(db=args.db, config_path=args.config, demo=args.demo,
                   offline=args.offline, speed=args.speed)
MonitorApp(MonitorOptions(db_path=plan.db_path, mode=plan.mode, config=plan.config))
heavy = json.loads(sys.argv[1])
print(json.dumps([name for name in heavy if name in sys.modules]))
"""


def loaded_on_start(*args: str) -> list[str]:
    answer = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(answer.stdout))


def test_browsing_a_store_imports_no_source_library(tmp_path: Path) -> None:
    """`app.py --db STORE --offline` (and each `serve` viewer) loads no source adapter."""
    store = build_store(tmp_path / "store.db").path
    assert loaded_on_start("--db", str(store), "--offline") == []


def test_the_demo_still_polls_with_its_adapters(tmp_path: Path) -> None:
    """The demo replay, which polls, still gets the adapters it needs (the probe sees them)."""
    loaded = loaded_on_start("--demo", "--db", str(tmp_path / "demo.db"))
    assert "feedparser" in loaded  # the replay parses its feeds with feedparser
