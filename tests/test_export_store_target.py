"""An export never writes over the store it reads (nor the store's -wal/-shm/-journal)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cache.export.target import ExportTargetError
from cache.read.search import query_selection
from sources.model.config import Config
from tests.store_helpers import fill
from tui.dialogs import ExportChoice, write_export


def _written_exports(folder: Path) -> list[str]:
    """Files in `folder` that hold an export (a CSV header) or a half-written one."""
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name.endswith(".part") or (p.is_file() and b"id,platform" in p.read_bytes())
    )


@pytest.mark.parametrize("fmt", ["md", "csv"])
def test_export_onto_the_store_itself_is_refused(db_path: Path, cli, fmt: str) -> None:
    """`export -o STORE` exits 2 naming the file, and the store is unchanged byte for byte."""
    fill(db_path, ["Streik heute", "Lohn morgen"])
    before = db_path.read_bytes()
    run = cli("export", "--db", db_path, "--format", fmt, "-o", db_path)
    assert run.code == 2
    assert f"{db_path}: is the store being exported" in run.err
    assert "exported 2 rows" not in run.err
    assert db_path.read_bytes() == before
    assert cli("status", "--db", db_path).code == 0


def test_export_onto_the_store_by_another_name_is_refused(db_path: Path, cli) -> None:
    """A symlink to the store, or its path spelt through `..`, is the store too."""
    fill(db_path, ["Streik heute"])
    before = db_path.read_bytes()
    link = db_path.parent / "link.db"
    link.symlink_to(db_path)
    detour = db_path.parent / "sub" / ".." / db_path.name
    (db_path.parent / "sub").mkdir()
    for target in (link, detour):
        run = cli("export", "--db", db_path, "-o", target)
        assert run.code == 2, target
        assert f"{target}: is the store being exported" in run.err
    assert db_path.read_bytes() == before
    assert link.is_symlink()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_export_onto_a_companion_of_the_store_is_refused(db_path: Path, cli, suffix: str) -> None:
    """`export -o STORE-wal` (or -shm, -journal) is refused, whether the file exists or not."""
    fill(db_path, ["Streik heute"])
    before = db_path.read_bytes()
    target = db_path.with_name(db_path.name + suffix)
    run = cli("export", "--db", db_path, "-o", target)
    assert run.code == 2
    assert f"{target}: is the store's {suffix[1:]} file" in run.err
    assert db_path.read_bytes() == before
    assert _written_exports(db_path.parent) == []


def test_export_whose_sidecar_would_be_the_store_is_refused(tmp_path: Path, cli) -> None:
    """A CSV export whose `.meta.json` would land on the store is refused before writing."""
    db_path = tmp_path / "store.csv.meta.json"
    fill(db_path, ["Streik heute"])
    before = db_path.read_bytes()
    target = tmp_path / "store.csv"
    run = cli("export", "--db", db_path, "-o", target)
    assert run.code == 2
    assert f"{db_path}: is the store being exported" in run.err
    assert db_path.read_bytes() == before
    assert not target.exists()


def test_monitor_export_dialog_refuses_the_store(db_path: Path) -> None:
    """The monitor's `e` dialog, given the store's own path, raises and leaves it intact."""
    fill(db_path, ["Streik heute"])
    before = db_path.read_bytes()
    now = datetime(2026, 11, 12, tzinfo=UTC)
    for fmt in ("csv", "md"):
        with pytest.raises(ExportTargetError, match="is the store being exported"):
            write_export(
                db_path, Config(), ExportChoice(fmt, db_path), query_selection("", now), "", now
            )
    assert db_path.read_bytes() == before
    assert _written_exports(db_path.parent) == []
