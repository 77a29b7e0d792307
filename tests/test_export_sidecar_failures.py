"""When `FILE.meta.json` cannot be written, the error names it and says what was written."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.store_helpers import fill


def test_a_folder_where_the_sidecar_goes_stops_before_anything_is_written(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """`side.csv.meta.json` is a folder: exit 2 naming it, and `side.csv` keeps its old rows."""
    fill(db_path, ["Streik heute"])
    target = tmp_path / "side.csv"
    target.write_text("old\n")
    (tmp_path / "side.csv.meta.json").mkdir()
    run = cli("export", "--db", db_path, "-o", target)
    assert run.code == 2
    assert f"{tmp_path / 'side.csv.meta.json'}: is a directory" in run.err
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@contextmanager
def _immutable(path: Path) -> Iterator[None]:
    """`path` cannot be replaced or removed while the block runs (root, chattr +i)."""
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("no chattr here")
    made = subprocess.run([chattr, "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot make a file immutable here: {made.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def test_a_sidecar_that_cannot_be_replaced_is_named_and_called_stale(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """An immutable `imm.csv.meta.json`: exit 1; the error names it, says the CSV was
    written and that the old sidecar no longer describes it, not "no partial file"."""
    fill(db_path, ["Streik heute"])
    target = tmp_path / "imm.csv"
    sidecar = tmp_path / "imm.csv.meta.json"
    sidecar.write_text("x\n")
    with _immutable(sidecar):
        run = cli("export", "--db", db_path, "-o", target)
    assert run.code == 1
    assert str(sidecar) in run.err and str(target) in run.err
    assert "stale" in run.err and "no partial file" not in run.err
    assert "Streik heute" in target.read_text(encoding="utf-8-sig")
    assert sidecar.read_text() == "x\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
