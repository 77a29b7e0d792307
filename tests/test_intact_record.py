"""A store found intact is not read page by page again at the next start, until it changes.

The damage check (`PRAGMA quick_check`) reads the whole file before the monitor's first rows;
a clean check of the unchanged file is remembered in the user's state dir instead.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cache.db import intact, store
from cache.db.store import Store, StoreError
from tests.test_damaged_store import _build, _damage_middle_page
from tui.launch import LaunchError, plan_launch


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("intact") / "store.db"
    _build(path)
    return path


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    path.write_bytes(built.read_bytes())
    return path


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as left alone at once (the real rule waits a second of wall time)."""
    monkeypatch.setattr(intact, "SETTLED_S", 0.0)


def _quick_checks(statements: list[str]) -> int:
    return sum("quick_check" in sql for sql in statements)


def _browse(path: Path) -> None:
    plan_launch(db=str(path), config_path=None, demo=False, offline=True, speed=1.0)


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what this process checked, as a fresh start of the program would."""
    monkeypatch.setattr(store, "_checked_intact", set())


def _traced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    statements: list[str] = []
    real_connect = sqlite3.connect

    def traced_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced_connect)
    return statements


@pytest.mark.usefixtures("settled")
def test_an_unchanged_clean_store_opens_without_reading_every_page(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second start on an unchanged, checked store skips the whole-file damage check."""
    statements = _traced(monkeypatch)
    _browse(copy)
    assert _quick_checks(statements) == 1
    _browse(copy)
    _new_process(monkeypatch)
    with Store.open(copy):  # a writer in a new process trusts the record too
        pass
    assert _quick_checks(statements) == 1


@pytest.mark.usefixtures("settled")
def test_a_store_damaged_after_its_clean_check_is_still_refused(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Damage written after a clean check is found: the browse and every writer refuse."""
    _browse(copy)
    assert intact.recorded_intact(copy)
    stat = os.stat(copy)
    _damage_middle_page(copy, "mentions")
    # Even with its modification time put back, the change time shows the write.
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(LaunchError, match="the store is damaged"):
        _browse(copy)
    _new_process(monkeypatch)
    with pytest.raises(StoreError, match="the store is damaged"):
        Store.open(copy)
    assert not intact.recorded_intact(copy)


@pytest.mark.usefixtures("settled")
def test_a_write_by_another_program_means_a_new_check(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write by anything but Echowatch (into the WAL, then the file) brings the check back."""
    _browse(copy)
    statements = _traced(monkeypatch)
    other = sqlite3.connect(copy)
    other.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('touched', '1')")
    other.commit()
    _browse(copy)  # the write sits in the WAL while the other program has it open
    assert _quick_checks(statements) == 1
    other.close()
    _browse(copy)  # the WAL was checkpointed into the file at close
    assert _quick_checks(statements) == 2


def test_a_mark_saved_does_not_bring_the_check_back(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starring a post (an Echowatch writer on a checked store) keeps the next start fast."""
    statements = _traced(monkeypatch)
    with Store.open(copy) as writer, writer.writing():  # checks every page once
        writer.set_meta("touched", "1")
    _new_process(monkeypatch)
    _browse(copy)
    assert _quick_checks(statements) == 1
    assert intact.recorded_intact(copy)


def test_a_store_changed_just_before_its_check_is_not_recorded(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written within the last second is checked at every start (time ticks are coarse)."""
    statements = _traced(monkeypatch)
    _browse(copy)
    _browse(copy)
    assert _quick_checks(statements) == 2
    assert not intact.record_file().exists()
