"""Stores built once per test process and copied for each test that asks for one.

Building a scenario store through the real path (payload -> parse -> classify -> ingest,
with every migration) costs a few tenths of a CPU second here, for every test of the
monitor; copying the finished file costs a millisecond. The copy is a fresh file (new
inode and times, as a newly built store has), so nothing a test checks can tell them apart.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

_folder: Path | None = None


def _templates() -> Path:
    """This process's folder of finished stores (removed when the process ends)."""
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="echowatch-store-templates-"))
        atexit.register(shutil.rmtree, _folder, ignore_errors=True)
    return _folder


def copy_of(path: Path, key: str, build: Callable[[Path], object]) -> bool:
    """Put at `path` a copy of the store `build` makes for `key` (built at the first call).

    Returns False, copying nothing, when `path` already exists: a build into an existing
    store adds to it, which a copy cannot stand in for (the caller builds it then).
    """
    if path.exists():
        return False
    template = _templates() / f"{key}.db"
    if not template.exists():
        partial = template.with_name(f"{key}.partial.db")
        build(partial)
        leftovers = [p for p in partial.parent.glob(f"{partial.name}-*")]
        # Store.close checkpoints the WAL and removes it; a leftover would hold rows
        # that a copy of the main file alone would lose.
        assert not leftovers, f"a store template left {leftovers} behind"
        partial.rename(template)
    shutil.copyfile(template, path)
    return True
