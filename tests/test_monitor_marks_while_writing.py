"""Marks set in the monitor while a collector writes the same store: every one is stored,
in the order the reader set them, and the feed keeps showing them."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest

from cache.db.store import Store
from cache.read.marks import marks_for
from tests.monitor_scenario import build_store
from tests.test_monitor_marks import go_to
from tests.tui_helpers import feed_of, make_app, settle, workers_done
from tui.messages import MentionsStored
from tui.monitor import MonitorApp

pytestmark = pytest.mark.pilot
"""Drives the monitor through Textual's Pilot: the pilot tier."""

ROOT = Path(__file__).resolve().parents[1]
WRITER_POSTS = 300
"""Posts the collector stores again in each of its transactions (long enough that most
of the reader's marks wait for its write lock)."""

MARKED = 8
"""Posts the reader marks (before the fix two or three of eight came out wrong)."""

_WRITER_PROCESS = """
import sys
from datetime import timedelta
sys.path.insert(0, sys.argv[1])
from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user
writer = user("busy_writer", user_id="777")
classifier = Classifier(Config())
with Store.open(sys.argv[2]) as store:
    for round_ in range(1_000_000):
        posts = [
            tweet(writer, f"Wages round {round_} post {number}", tweet_id=str(900_000 + number),
                  at=BASE_TIME - timedelta(days=400, minutes=number))
            for number in range(int(sys.argv[3]))
        ]
        ingest(store, parse_response(page(posts, [writer]), "x:search"), classifier)
        print(round_, flush=True)
"""
"""A collector in a process of its own: one transaction after another, each storing old
posts again with new words; it prints a line after each commit."""


def _tell_the_monitor(lines: IO[str], app: MonitorApp, shown: list[str]) -> None:
    """After each of the writer's commits, tell the monitor that the posts on screen
    changed, as its own collector does when a poll captures them again."""
    for _ in lines:
        app.post_message(MentionsStored([], shown))


async def test_marks_set_while_a_collector_writes_are_all_stored_and_shown(
    tmp_path: Path,
) -> None:
    """Star (three presses: on, off, on) and mark read every post while another
    connection writes the store without pause: afterwards each post is starred and read,
    in the store and on screen."""
    scenario = build_store(tmp_path / "store.db")
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = list(feed_of(app).row_ids)[:MARKED]
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER_PROCESS, str(ROOT), str(scenario.path), "300"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        writer.stdout.readline()  # it stores, and holds the write lock again and again
        teller = threading.Thread(
            target=_tell_the_monitor, args=(writer.stdout, app, shown), daemon=True
        )
        teller.start()
        try:
            for mention_id in shown:
                await go_to(pilot, app, mention_id)
                await pilot.press("asterisk", "asterisk", "asterisk", "m")
            await workers_done(app)  # the marks are written while the writer goes on
        finally:
            writer.terminate()
            writer.wait()
            teller.join()
        await settle(pilot)
        on_screen = {i: feed_of(app).known[i] for i in shown}
    with Store.open(scenario.path, readonly=True) as store:
        stored = marks_for(store, shown)
    not_stored = [i for i in shown if not (i in stored and stored[i].read and stored[i].starred)]
    not_shown = [i for i in shown if not (on_screen[i].read and on_screen[i].starred)]
    assert (not_stored, not_shown) == ([], [])
