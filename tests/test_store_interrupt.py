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

from cache.db import store as store_module
from cache.db.store import Store
from tests.monitor_scenario import build_store


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


def test_ctrl_c_ends_the_damage_check_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SIGINT while every page is being checked raises KeyboardInterrupt right away,
    not once SQLite has read the whole file."""
    release = threading.Event()
    ended = threading.Event()
    outcome: list[str] = []
    real_check = store_module.quick_check

    def long_check(conn: sqlite3.Connection) -> str | None:
        # Like SQLite's walk of the pages: one step of SQLite that no signal handler of its
        # thread can enter, lasting until its connection is interrupted (or, should the
        # code under test fail, until it has counted far or the test lets it go).
        conn.create_function("released", 0, release.is_set)
        try:
            conn.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                "WHERE i < 20000000 AND NOT released()) SELECT count(*) FROM n"
            ).fetchone()
            outcome.append("ran to its end")
        except sqlite3.Error as exc:
            outcome.append(str(exc))
            raise
        finally:
            ended.set()
        return real_check(conn)

    build_store(tmp_path / "store.db")
    monkeypatch.setattr(store_module, "quick_check", long_check)
    with Store.open(tmp_path / "store.db", readonly=True) as store:
        ctrl_c = CtrlC()
        previous = signal.signal(signal.SIGALRM, ctrl_c.handler)
        presser = threading.Thread(target=ctrl_c.press_during_check)
        try:
            ctrl_c.armed = True
            presser.start()
            with pytest.raises(KeyboardInterrupt):
                store.damage()
            # Raised while the check still ran, or after the interrupt stopped it (a Ctrl-C
            # before its first step leaves it running in its daemon thread, ending with
            # the program); never after it ran to its end.
            stopped_in_time = not ended.is_set() or outcome == ["interrupted"]
        finally:
            ctrl_c.armed = False
            release.set()
            presser.join()
            signal.signal(signal.SIGALRM, previous)
        assert stopped_in_time, outcome
        ended.wait(60)
        assert store.damage() is None  # the store is still usable afterwards
