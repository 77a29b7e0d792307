"""Ctrl-C during the store's whole-file damage check ends the program at once: the first
screen offers ctrl+c while the check runs, and at a million mentions it takes minutes."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from pathlib import Path
from types import FrameType

import pytest

from cache.db.store import Store
from tests.monitor_scenario import build_store


def big_store(path: Path) -> Path:
    """The monitor's scenario plus about 8 MB of other pages for the check to read."""
    build_store(path)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE ballast (x NOT NULL)")
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000) "
            "INSERT INTO ballast SELECT randomblob(800) FROM n"
        )
        conn.execute("CREATE INDEX ballast_x ON ballast(x)")
    conn.close()
    return path


def checked_in(store: Store) -> float:
    started = time.perf_counter()
    assert store.damage() is None
    return time.perf_counter() - started


class CtrlC:
    """Sends SIGALRM to the main thread once the damage check's helper thread runs; its
    handler raises KeyboardInterrupt as Ctrl-C does, and only while the test waits for it."""

    def __init__(self) -> None:
        self.armed = False
        self.main = threading.get_ident()

    def handler(self, signum: int, frame: FrameType | None) -> None:
        if self.armed:
            self.armed = False
            raise KeyboardInterrupt

    def press_during_check(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(t.name == "echowatch-damage-check" for t in threading.enumerate()):
                signal.pthread_kill(self.main, signal.SIGALRM)
                return
            time.sleep(0.0005)


def test_ctrl_c_ends_the_damage_check_at_once(tmp_path: Path) -> None:
    """A SIGINT while every page is being checked raises KeyboardInterrupt right away,
    not once SQLite has read the whole file."""
    with Store.open(big_store(tmp_path / "store.db"), readonly=True) as store:
        whole = min(checked_in(store) for _ in range(2))
        ctrl_c = CtrlC()
        previous = signal.signal(signal.SIGALRM, ctrl_c.handler)
        presser = threading.Thread(target=ctrl_c.press_during_check)
        try:
            ctrl_c.armed = True
            presser.start()
            started = time.perf_counter()
            with pytest.raises(KeyboardInterrupt):
                store.damage()
            stopped_after = time.perf_counter() - started
        finally:
            ctrl_c.armed = False
            presser.join()
            signal.signal(signal.SIGALRM, previous)
        assert stopped_after < whole / 2
        assert store.damage() is None  # the store is still usable afterwards
