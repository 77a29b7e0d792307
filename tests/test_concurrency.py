"""The monitor reads while the collector writes: never "database is locked", no missed rows.

The first test runs for 30 seconds, as the issue asks: a collector process commits page
after page (one transaction per page, as the collector does) until its time is up, while
the monitor's own queries run as fast as they can. What it committed is then checked page
by page, so the test does not depend on how many pages the machine managed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.synth import mention_ids, pages, write_jsonl
from cache.db.store import Store
from cache.live.collector import Collector
from cache.read.monitor_queries import feed_page, topic_counts
from cache.read.search import query_selection
from cache.read.selection import Selection
from sources.base import PollOutcome, PollPage
from sources.model.config import Config
from sources.model.records import SourceState
from sources.x.twitter_v2 import parse_response

pytestmark = pytest.mark.slow  # processes writing one store together for many seconds

ROOT = Path(__file__).resolve().parents[1]
PAGES = 100
PAGE_SIZE = 100
WRITE_SECONDS = 30.0
"""How long the collector process keeps writing while the monitor reads."""
MAX_PAGES = 5000

_COLLECTOR_PROCESS = """
import sys
sys.path.insert(0, sys.argv[1])
from tests.test_concurrency import SynthSource
from cache.live.collector import Collector
from sources.model.config import Config
source = SynthSource(
    "synth", int(sys.argv[3]), int(sys.argv[4]), seed=int(sys.argv[5]), seconds=float(sys.argv[6])
)
collector = Collector(Config(), sys.argv[2], sources=[source])
collector.add_listener(lambda report, result: print(result.new_ids[-1], flush=True))
report = collector.poll_source("synth")
sys.exit(0 if report.ok else 1)
"""


class SynthSource:
    """A live source that delivers synthetic v2 pages and a cursor with each page."""

    kind = "x"

    def __init__(
        self, name: str, pages_: int, page_size: int, *, seed: int, seconds: float = 0.0
    ) -> None:
        self.name = name
        self.pages = pages_
        self.page_size = page_size
        self.seed = seed
        self.seconds = seconds
        """When above 0, the poll ends after the page during which this much time passed."""

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        rows = self.pages * self.page_size
        started = time.monotonic()
        for number, page in enumerate(pages(rows, seed=self.seed, page_size=self.page_size)):
            if self.seconds and number and time.monotonic() - started >= self.seconds:
                return
            state = SourceState(name=self.name, kind=self.kind, cursor=page["meta"]["newest_id"])
            state.items_seen = (number + 1) * self.page_size
            yield PollPage(parse_response(page, self.name, f"page {number}"), [state])

    def outcome(self) -> PollOutcome:
        return PollOutcome(ok=True)


class MonitorReader(threading.Thread):
    """What the monitor's worker does all day: the feed, a topic view, the topic panel."""

    def __init__(self, db: Path, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.stop = stop
        self.errors: list[str] = []
        self.polls = 0
        self.counts: list[int] = []

    def run(self) -> None:
        try:
            with Store.open(self.db, readonly=True) as store:
                topic = query_selection("topic:strikes")
                now = datetime(2026, 1, 6, tzinfo=UTC)
                while not self.stop.is_set():
                    feed_page(store, Selection(), limit=200)
                    feed_page(store, topic, limit=200)
                    topic_counts(store, ["pay", "strikes"], now, timedelta(days=2))
                    self.counts.append(store.count_mentions())
                    self.polls += 1
        except Exception as exc:  # reported by the test, with the reader's own words
            self.errors.append(f"{type(exc).__name__}: {exc}")


def _created(db: Path) -> None:
    with Store.open(db):
        pass  # the schema exists before readers start, as after the first collect


def _start_collector_process(
    db: Path, seed: int, *, pages_: int = PAGES, seconds: float = 0.0
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _COLLECTOR_PROCESS,
            str(ROOT),
            str(db),
            str(pages_),
            str(PAGE_SIZE),
            str(seed),
            str(seconds),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_monitor_reads_while_a_collector_process_writes(db_path: Path) -> None:
    """For 30 s, every page the collector commits is visible at once; no 'locked' ever."""
    _created(db_path)
    stop = threading.Event()
    readers = [MonitorReader(db_path, stop)]
    for reader in readers:
        reader.start()
    writer = _start_collector_process(db_path, seed=11, pages_=MAX_PAGES, seconds=WRITE_SECONDS)
    assert writer.stdout is not None
    committed = 0
    with Store.open(db_path, readonly=True) as checker:
        for line in writer.stdout:  # printed right after each page's transaction commits
            assert checker.mention(line.strip()) is not None, f"{line.strip()} not visible"
            committed += 1
    code = writer.wait(timeout=300)
    stop.set()
    for reader in readers:
        reader.join(timeout=60)
    assert code == 0, writer.stderr.read() if writer.stderr else ""
    assert 0 < committed < MAX_PAGES  # it stopped because its time was up
    for reader in readers:
        assert reader.errors == []
        assert reader.polls > 0
        assert reader.counts == sorted(reader.counts)  # never a row that came and went
    with Store.open(db_path, readonly=True) as store:
        stored = {r["id"] for r in store.rows("SELECT id FROM mentions")}
        state = store.source_state("synth")
        assert store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    rows = MAX_PAGES * PAGE_SIZE
    written = zip(range(committed), pages(rows, seed=11, page_size=PAGE_SIZE), strict=False)
    assert stored == {f"x:{t['id']}" for _, page in written for t in page["data"]}
    assert state.items_seen == committed * PAGE_SIZE


def test_import_and_collector_write_one_store_together_while_the_monitor_reads(
    db_path: Path, tmp_path: Path
) -> None:
    """Two writers (an `import` process and the collector thread) wait for each other."""
    _created(db_path)
    archive = tmp_path / "archive.jsonl"
    write_jsonl(archive, 10_000, seed=21)
    stop = threading.Event()
    reader = MonitorReader(db_path, stop)
    reader.start()
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path))
    env.pop("ECHOWATCH_CONFIG", None)
    importer = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "import", str(archive), "--db", str(db_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    source = SynthSource("synth", 100, PAGE_SIZE, seed=22)
    report = Collector(Config(), db_path, sources=[source]).poll_source("synth")
    _, err = importer.communicate(timeout=300)
    stop.set()
    reader.join(timeout=60)
    assert report.ok, report.error
    assert importer.returncode == 0, err
    assert "locked" not in err and "busy" not in err
    assert reader.errors == []
    expected = set(mention_ids(10_000, seed=21)) | set(
        mention_ids(100 * PAGE_SIZE, seed=22, page_size=PAGE_SIZE)
    )
    with Store.open(db_path, readonly=True) as store:
        stored = {r["id"] for r in store.rows("SELECT id FROM mentions")}
        assert store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # Both writers ran in full: this failed (rows lost, store corrupt) while Store.open read
    # the file header with open()/close(), which dropped this process's SQLite locks.
    assert stored == expected
