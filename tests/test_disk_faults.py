"""A full disk, a read-only store or a foreign file: a clear error, and nothing stored is lost.

A real full disk needs a small filesystem, which an unprivileged test cannot mount; SQLite's
`PRAGMA max_page_count` makes the store "full" at its current size instead, which is the
same SQLITE_FULL the store sees on a full disk. For output, `/dev/full` is a real ENOSPC.
Read-only files: the commands run as an ordinary user would (tests/unprivileged.py).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import cache.db.store
from bench.synth import pages, write_jsonl
from cache.db.store import Store, StoreError
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.unprivileged import needs_permissions, run_app

pytestmark = pytest.mark.slow  # full disks and read-only stores over a 500-mention store


def _digest(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes() if path.exists() else b"<absent>")
    return digest.hexdigest()


def _count(db: Path) -> int:
    with Store.open(db, readonly=True) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return store.count_mentions()


# --- a full store ---------------------------------------------------------------------


def _fill_up(store: Store) -> None:
    pages_now = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages_now}")


def test_a_full_store_refuses_the_write_and_keeps_what_was_committed(stored: Path) -> None:
    """When the disk fills up mid-batch, the error names the file and no mention is lost."""
    classifier = Classifier(Config())
    batch = parse_response(next(pages(2000, seed=42, page_size=2000)), "import")
    with Store.open(stored) as store:
        _fill_up(store)
        with pytest.raises(StoreError) as caught:
            ingest(store, batch, classifier)
        assert str(stored) in str(caught.value)
        assert "full" in str(caught.value)
        assert store.count_mentions() == 500  # the whole batch was rolled back
        store.conn.execute("PRAGMA max_page_count = 1073741823")  # space again
        assert ingest(store, batch, classifier).new == 2000
    assert _count(stored) == 2500


def test_import_into_a_full_store_exits_with_a_clear_error(
    stored: Path, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`app.py import` on a full disk says so in one line, exits 1, and loses nothing."""
    archive = tmp_path / "more.jsonl"
    write_jsonl(archive, 3000, seed=43)
    real_open: Callable[..., Store] = Store.open.__func__  # type: ignore[attr-defined]

    def open_full(cls: type[Store], path: Path | str, **kwargs: object) -> Store:
        store = real_open(cls, path, **kwargs)
        if not kwargs.get("readonly"):
            _fill_up(store)
        return store

    monkeypatch.setattr(cache.db.store.Store, "open", classmethod(open_full))
    result = cli("import", archive, "--db", stored)
    assert result.code == 1
    assert str(stored) in result.err and "full" in result.err
    assert "Traceback" not in result.err
    monkeypatch.undo()
    assert _count(stored) == 500


# --- read-only store ------------------------------------------------------------------


@needs_permissions
def test_import_into_a_read_only_store_fails_clearly_and_changes_nothing(
    stored: Path, tmp_path: Path
) -> None:
    """A store file without write permission: import names the file, exits 1, bytes intact."""
    archive = tmp_path / "more.jsonl"
    write_jsonl(archive, 300, seed=44)
    stored.chmod(0o444)
    before = _digest(stored)
    result = run_app(tmp_path, "import", archive, "--db", stored)
    assert result.returncode == 1, result.stderr
    assert str(stored) in result.stderr and "read-only" in result.stderr
    assert "Traceback" not in result.stderr
    assert _digest(stored) == before
    assert _count(stored) == 500


@needs_permissions
def test_a_read_only_store_still_exports_and_reports_status(stored: Path, tmp_path: Path) -> None:
    """Reading never needs write permission: export and status work on a read-only store."""
    stored.chmod(0o444)
    out = tmp_path / "out.csv"
    exported = run_app(tmp_path, "export", "--db", stored, "-o", out)
    assert exported.returncode == 0, exported.stderr
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 501
    status = run_app(tmp_path, "status", "--db", stored)
    assert status.returncode == 0, status.stderr
    assert "500" in status.stdout


def test_a_store_opened_read_only_refuses_a_write_with_a_clear_error(stored: Path) -> None:
    """A write through a read-only handle (the monitor's) is a StoreError, not a crash."""
    batch = parse_response(next(pages(10, seed=45)), "import")
    with Store.open(stored, readonly=True) as store, pytest.raises(StoreError) as caught:
        ingest(store, batch, Classifier(Config()))
    assert str(stored) in str(caught.value) and "read-only" in str(caught.value)
    assert _count(stored) == 500


# --- not a store ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["import", "export", "status"])
def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(
    tmp_path: Path, command: str, cli
) -> None:
    """Pointing --db at the wrong file never damages it: every command refuses it."""
    foreign = tmp_path / "notes.db"
    foreign.write_bytes(b"My notes, not a database.\n" * 200 + b"\x00\x01\x02")
    before = foreign.read_bytes()
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, 10, seed=46)
    commands: dict[str, list[str | Path]] = {
        "import": ["import", archive],
        "export": ["export"],
        "status": ["status"],
    }
    args = commands[command]
    result = cli(*args, "--db", foreign)
    assert result.code == 1
    assert str(foreign) in result.err and "not a SQLite database" in result.err
    assert foreign.read_bytes() == before
    assert not foreign.with_name("notes.db-wal").exists()


# --- export targets -------------------------------------------------------------------


def test_export_to_a_full_disk_fails_clearly(stored: Path, tmp_path: Path) -> None:
    """Standard output on a full disk (/dev/full): one clear line and exit 1, no traceback."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        result = run_app(tmp_path, "export", "--db", stored, "-o", "-", stdout=full.fileno())
    assert result.returncode == 1
    assert "cannot write standard output" in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr


@pytest.mark.parametrize("where", ["missing-folder", "under-a-file"])
def test_export_to_an_impossible_path_fails_clearly(
    stored: Path, tmp_path: Path, where: str
) -> None:
    """An output path that cannot exist gives a clear error naming it."""
    (tmp_path / "plain.txt").write_text("x")
    target = {
        "missing-folder": tmp_path / "no" / "such" / "out.csv",
        "under-a-file": tmp_path / "plain.txt" / "out.csv",
    }[where]
    result = run_app(tmp_path, "export", "--db", stored, "-o", target)
    assert result.returncode == 1
    assert f"cannot write {target}" in result.stderr
    assert "Traceback" not in result.stderr


@needs_permissions
def test_export_into_a_read_only_folder_fails_and_keeps_the_old_file(
    stored: Path, tmp_path: Path
) -> None:
    """No permission to write the folder: a clear error, the previous export stays as it was."""
    folder = tmp_path / "exports"
    folder.mkdir()
    previous = folder / "mentions.csv"
    previous.write_text("the previous snapshot\n")
    folder.chmod(0o555)
    try:
        result = run_app(tmp_path, "export", "--db", stored, "-o", previous)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1
    assert f"cannot write {previous}" in result.stderr and "Permission denied" in result.stderr
    assert previous.read_text() == "the previous snapshot\n"
    assert sorted(p.name for p in folder.iterdir()) == ["mentions.csv"]


def test_sqlite_errors_name_the_store_file(tmp_path: Path) -> None:
    """Every store error message starts with the file, so the user knows which one."""
    path = tmp_path / "s.db"
    for message in ("database or disk is full", "attempt to write a readonly database"):
        text = cache.db.store.describe_sqlite_error(path, sqlite3.OperationalError(message))
        assert text.startswith(f"{path}: ")
