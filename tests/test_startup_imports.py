"""Browsing a store starts without the source adapters: the monitor's first rows come sooner."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.monitor_scenario import build_store
from tui.gateway import reading as gateway_reading

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


WRITE_MACHINERY = ("sqlite_utils", "numpy", "click", "dateutil", "pluggy")
"""What only writing needs: sqlite-utils (migrations) and what it loads."""

READ_PROBE = """
import json, sys
from pathlib import Path
import app
from tui import gateway
from tui.launch import plan_launch
from tui.monitor import MonitorApp, MonitorOptions
from cache.read.selection import Selection
plan = plan_launch(db=sys.argv[2], config_path=None, demo=False, offline=True, speed=1.0)
MonitorApp(MonitorOptions(db_path=plan.db_path, mode=plan.mode, config=plan.config))
with gateway.reading(Path(sys.argv[2])) as reader:
    rows = gateway.feed_page(reader, Selection(), limit=50)
heavy = json.loads(sys.argv[1])
print(json.dumps({"rows": len(rows), "loaded": [n for n in heavy if n in sys.modules]}))
"""


def test_the_monitor_starts_without_loading_the_write_machinery(tmp_path: Path) -> None:
    """Browsing a store and reading its first page loads neither sqlite-utils nor numpy
    (about a CPU second of imports the monitor's first screen would wait for)."""
    store = build_store(tmp_path / "store.db").path
    answer = subprocess.run(
        [sys.executable, "-c", READ_PROBE, json.dumps(WRITE_MACHINERY), str(store)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(answer.stdout)
    assert seen["rows"] > 0  # the page was really read
    assert seen["loaded"] == []


def test_a_store_from_an_older_version_is_still_upgraded_before_reading(tmp_path: Path) -> None:
    """The pending-migrations probe (plain sqlite3) still sees a missing migration: an old
    store opened by the monitor gets the columns its queries read."""
    store = build_store(tmp_path / "store.db").path
    with sqlite3.connect(store) as conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm010_reaction_indexes'")
        conn.execute("DROP INDEX mentions_parody_reply")
    conn.close()
    with gateway_reading(store):
        pass
    with sqlite3.connect(store) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM _sqlite_migrations")}
        index = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'mentions_parody_reply'"
        ).fetchone()
    conn.close()
    assert "m010_reaction_indexes" in names
    assert index is not None
