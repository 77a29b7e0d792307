"""Stores the reader cannot write (a read-only file, a folder of another user) and
`--read-only`: a store of this version is read as it is; a store an older version wrote is
upgraded once, saying so, and never read in its old layout nor upgraded behind `--read-only`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cache.db.schema import migrations
from tests.store_helpers import OLDER_SCHEMA, older_store
from tests.unprivileged import needs_permissions, run_app
from tui.monitor import MonitorApp

NOW_SCHEMA = len(migrations.names())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def older(stored: Path, tmp_path: Path) -> Path:
    """The 500 mentions of `stored` in a store an older version wrote."""
    (tmp_path / "old").mkdir()
    return older_store(tmp_path / "old" / "older.db", stored)


@pytest.fixture
def locked_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder for a store that the test locks (made writable again for the clean-up)."""
    folder = tmp_path / "shared"
    folder.mkdir()
    yield folder
    folder.chmod(0o755)


def _lock(folder: Path) -> None:
    folder.chmod(0o555)


def _assert_refused_as_older(code: int, err: str, path: Path, because: str) -> None:
    assert code == 1, err
    assert f"{path}: this store was written by an older version of Echowatch" in err
    assert f"(schema {OLDER_SCHEMA}; this version reads schema {NOW_SCHEMA})" in err
    assert because in err
    assert "no such table" not in err and "Traceback" not in err


# --- a store of this version ---------------------------------------------------------------


@needs_permissions
def test_a_store_in_a_folder_the_reader_cannot_write_is_read(
    stored: Path, locked_folder: Path, tmp_path: Path
) -> None:
    """A store whose folder belongs to someone else: status and export still read it."""
    path = locked_folder / "store.db"
    path.write_bytes(stored.read_bytes())
    _lock(locked_folder)
    status = run_app(tmp_path, "status", "--db", path)
    assert status.returncode == 0, status.stderr
    assert "mentions: 500" in status.stdout
    out = tmp_path / "out.csv"
    export = run_app(tmp_path, "export", "--db", path, "-o", out)
    assert export.returncode == 0, export.stderr
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 501
    assert sorted(p.name for p in locked_folder.iterdir()) == ["store.db"]


# --- a store an older version wrote ---------------------------------------------------------


@needs_permissions
def test_an_older_store_as_a_read_only_file_is_refused_naming_its_version(
    older: Path, tmp_path: Path
) -> None:
    """An older store kept read-only: status and export say it needs its one upgrade,
    from which version, and to copy it; they never blame permissions or read it wrongly."""
    older.chmod(0o444)
    before = _digest(older)
    for command in (["status"], ["export", "-o", tmp_path / "out.csv"]):
        run = run_app(tmp_path, *command, "--db", older)
        _assert_refused_as_older(run.returncode, run.stderr, older, "the file cannot be written")
        assert "copy" in run.stderr
        assert "check the file's permissions" not in run.stderr
    assert _digest(older) == before
    assert not (tmp_path / "out.csv").exists()


@needs_permissions
def test_an_older_store_in_a_folder_the_reader_cannot_write_is_refused(
    older: Path, locked_folder: Path, tmp_path: Path
) -> None:
    """An older store in another user's folder: refused with the folder named, not read in
    its old layout (no 'no such table', no wrong counts)."""
    path = locked_folder / "older.db"
    path.write_bytes(older.read_bytes())
    _lock(locked_folder)
    run = run_app(tmp_path, "export", "--db", path, "--ids", "--query", "lang:de")
    because = f"its folder {locked_folder} cannot be written"
    _assert_refused_as_older(run.returncode, run.stderr, path, because)
    assert run.stdout == ""


def test_read_only_never_upgrades_an_older_store(
    older: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--read-only` writes nothing, so an older store is refused (status, alerts, monitor)
    with what to do, and its file stays byte for byte as it was."""
    monkeypatch.setattr(MonitorApp, "run", lambda self: pytest.fail("the monitor started"))
    before = _digest(older)
    for args in (["--read-only", "status"], ["--read-only", "alerts"], ["--read-only"]):
        run = cli(*args, "--db", older)
        _assert_refused_as_older(run.code, run.err, older, "--read-only writes nothing")
        assert "without --read-only" in run.err
    assert _digest(older) == before


def test_the_first_open_of_an_older_store_says_it_upgrades_it_once(older: Path, cli: Any) -> None:
    """The first command on an older store says on stderr that it upgrades it, from which
    version, and that this happens once; the next command says nothing of it."""
    first = cli("status", "--db", older)
    assert first.code == 0, first.err
    assert (
        f"{older}: upgrading the store from schema {OLDER_SCHEMA} to {NOW_SCHEMA}, "
        "once (an older version wrote it)"
    ) in first.err
    assert "mentions: 500" in first.out
    again = cli("status", "--db", older)
    assert again.code == 0, again.err
    assert "upgrading" not in again.err


def test_an_import_into_an_older_store_says_it_upgrades_it(
    older: Path, tmp_path: Path, cli: Any
) -> None:
    """A writing command upgrades too, and says so before its own report."""
    archive = tmp_path / "one.json"
    archive.write_text(
        '{"data": [{"id": "1999999999999999999", "text": "Kestrel Streik", '
        '"created_at": "2026-01-10T23:00:00Z", "author_id": "1"}]}'
    )
    run = cli("import", "--db", older, archive)
    assert run.code == 0, run.err
    assert f"upgrading the store from schema {OLDER_SCHEMA} to {NOW_SCHEMA}" in run.err
    assert "imported 1 new" in run.out
