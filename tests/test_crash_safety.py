"""A writer killed with SIGKILL at random moments never corrupts, loses or duplicates data.

Each scenario starts a real `app.py` process on a real store file, kills it (SIGKILL: no
cleanup code runs) at seeded random moments, restarts it, and finally lets it finish. The
moments are chosen two ways so that both kinds of danger are hit: a random delay after
start (opening, migrating, the first transaction) and "as soon as the store holds at least
K mentions, plus a random fraction of a transaction" (in the middle of a later write).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.synth import mention_ids, write_jsonl

pytestmark = pytest.mark.slow  # writers killed with SIGKILL at random moments

ROOT = Path(__file__).resolve().parents[1]
ROWS = 20_000
KILLS = 20
EARLY_KILLS = 5
"""Of the kills, how many land at a random time after start instead of after progress."""
SEED = 20_261_102
RUN_LIMIT_S = 120.0
"""A single import or collect run that takes longer than this is a hang: the test fails."""


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path))
    env.pop("ECHOWATCH_CONFIG", None)
    env.pop("X_BEARER_TOKEN", None)
    return env


def _count(db: Path) -> int:
    """Mentions committed so far, read the way a second process would (0 before creation)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM mentions").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0  # schema not created yet


def _kill_runs(
    start: Callable[[], subprocess.Popen[bytes]],
    db: Path,
    total: int,
    rng: random.Random,
    kills: int = KILLS,
    early: int = EARLY_KILLS,
) -> list[str]:
    """Start and SIGKILL the writer `kills` times; returns how each run ended."""
    endings = []
    targets = sorted(rng.sample(range(total // 20, total), kills - early))
    plan: list[tuple[str, float]] = [("early", rng.uniform(0.0, 1.5)) for _ in range(early)]
    plan += [(f"after {target}", rng.uniform(0.0, 0.3)) for target in targets]
    for when, extra in plan:
        child = start()
        deadline = time.monotonic() + RUN_LIMIT_S
        if when.startswith("after"):
            target = int(when.split()[1])
            while child.poll() is None and _count(db) < target:
                assert time.monotonic() < deadline, f"no progress to {target} mentions"
                time.sleep(0.01)
        time.sleep(extra)  # the random part of the moment: somewhere inside a transaction
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            endings.append("killed")
        else:
            endings.append(f"finished {child.returncode}")
        child.wait(timeout=RUN_LIMIT_S)
        _assert_intact(db)
    return endings


def _assert_intact(db: Path) -> None:
    """The file is a sound SQLite database and its derived tables agree with the mentions."""
    if not db.exists():
        return
    conn = sqlite3.connect(db, timeout=30)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        if "mentions" not in tables:
            return
        # Raises if the FTS index and the content table disagree.
        conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
        fts = conn.execute("SELECT count(*) FROM mentions_fts").fetchone()[0]
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT id) FROM mentions"
        ).fetchone()
        assert fts == total == distinct
        orphans = conn.execute(
            "SELECT count(*) FROM mention_topics WHERE mention_id NOT IN (SELECT id FROM mentions)"
        ).fetchone()[0]
        assert orphans == 0
        untagged = conn.execute(
            "SELECT count(*) FROM mentions AS m WHERE m.topics != '[]' AND NOT EXISTS "
            "(SELECT 1 FROM mention_topics AS t WHERE t.mention_id = m.id)"
        ).fetchone()[0]
        assert untagged == 0
    finally:
        conn.close()


def _stored_ids(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT id FROM mentions")]
    finally:
        conn.close()


def test_import_killed_twenty_times_stores_every_mention_exactly_once(tmp_path: Path) -> None:
    """However often an import is killed and restarted, the store ends whole and complete."""
    archive = tmp_path / "archive.jsonl"
    write_jsonl(archive, ROWS, seed=3)
    expected = set(mention_ids(ROWS, seed=3))
    assert len(expected) == ROWS
    db = tmp_path / "store.db"
    env = _env(tmp_path)
    # Small transactions put many commit points (and the classifying worker) under the kills.
    batch = ["--batch", "1000"]
    command = [
        sys.executable,
        str(ROOT / "app.py"),
        "import",
        str(archive),
        *batch,
        "--db",
        str(db),
    ]

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    endings = _kill_runs(start, db, ROWS, random.Random(SEED))
    assert endings.count("killed") >= KILLS // 2, endings  # the kills really hit running work

    final = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_LIMIT_S
    )
    assert final.returncode == 0, final.stderr
    _assert_intact(db)
    stored = _stored_ids(db)
    assert len(stored) == ROWS
    assert set(stored) == expected
    # A second full run finds nothing new: nothing was half-stored and later "completed".
    again = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_LIMIT_S
    )
    assert again.returncode == 0, again.stderr
    assert "imported 0 new, 0 updated" in again.stdout
    assert _count(db) == ROWS


FEEDS = 40
ITEMS_PER_FEED = 100
COLLECT_KILLS = 10


def _feed_items(feed: int) -> list[dict[str, str]]:
    return [
        {
            "title": f"Streik {feed}-{item}: Beschäftigte bei Kestrel fordern mehr Lohn",
            "link": f"https://news.example/{feed}/{item}",
            "description": f"Bericht {item} aus Feed {feed} über Arbeitsbedingungen. " * 3,
            "pubDate": f"Mon, 02 Nov 2026 {item % 24:02d}:{feed % 60:02d}:00 GMT",
        }
        for item in range(ITEMS_PER_FEED)
    ]


def test_collector_killed_ten_times_keeps_cursors_behind_stored_items(tmp_path: Path) -> None:
    """`collect` killed mid-round: a feed's ETag is only ever saved with all its items."""
    from tests.builders import rss
    from tests.feedserver import FeedServer

    with FeedServer() as server:
        config_lines = []
        links: dict[str, set[str]] = {}
        for feed in range(FEEDS):
            items = _feed_items(feed)
            server.feed(f"/f/{feed}.xml", rss(f"Feed {feed}", items), etag=f'"e{feed}"')
            links[f"feed-{feed}"] = {i["link"] for i in items}
            config_lines.append(
                f'[[feeds]]\nname = "feed-{feed}"\nurl = "{server.url(f"/f/{feed}.xml")}"\n'
            )
        config = tmp_path / "feeds.toml"
        config.write_text("\n".join(config_lines), encoding="utf-8")
        db = tmp_path / "store.db"
        env = _env(tmp_path)
        command = [
            sys.executable, str(ROOT / "app.py"), "collect", "--once", "-q",
            "--config", str(config), "--db", str(db),
        ]  # fmt: skip

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )

        total = FEEDS * ITEMS_PER_FEED
        rng = random.Random(SEED + 1)
        endings = _kill_runs(start, db, total, rng, kills=COLLECT_KILLS, early=3)
        assert endings.count("killed") >= COLLECT_KILLS // 2, endings
        _assert_cursors_consistent(db, links)
        final = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_LIMIT_S
        )
        assert final.returncode == 0, final.stderr
    _assert_intact(db)
    _assert_cursors_consistent(db, links)
    stored = _stored_ids(db)
    assert len(stored) == total == len(set(stored))


def _assert_cursors_consistent(db: Path, links: dict[str, set[str]]) -> None:
    """Every feed whose ETag was saved has every item of that document stored."""
    if not db.exists():
        return
    conn = sqlite3.connect(db)
    try:
        stored_urls = {r[0] for r in conn.execute("SELECT url FROM mentions")}
        for name, etag in conn.execute("SELECT name, etag FROM source_state"):
            if etag and name in links:
                assert links[name] <= stored_urls, f"{name} saved ETag {etag} past unstored items"
    finally:
        conn.close()
