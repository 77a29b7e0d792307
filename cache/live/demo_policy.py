"""Demo policy, in one place: when the demo runs, which store it plays into, and the rule
that demo data never enters a user's store (nor live data a demo store).

- the demo runs when asked (`--demo`), or when nothing else is set up: no config found and
  no `--db` named;
- it plays into a store of its own (`demo_db_path()`, or the file `--db` names);
- a store is marked when demo data first goes into it (`DEMO_META_KEY`); a store that
  holds mentions but no mark is the user's and is refused; a marked store is refused to
  live sources; the user's default store is never a demo store, even when empty;
- a marked store whose replay already played to the end is started afresh, so that every
  run of the demo ends "now" and keeps moving; the reader's marks (read, starred) are kept:
  the replay stores the same posts under the same ids, and they apply to them again.

The monitor (`tui.launch`, through `tui.gateway`), `app.py import --demo` and every
command's choice of config for a store (`config_path_for`) all ask here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from cache.db.store import Store, default_db_path, demo_db_path, stored_meta
from cache.read.marks import every_mark
from cache.write.marks import restore_marks
from sources.demo import demo_config_path
from sources.model.config import find_config_path

if TYPE_CHECKING:
    # Only its type: the replay brings the feed parser, which browsing a store never needs.
    from sources.demo.replay import ReplaySource

DEMO_META_KEY = "demo_store"
"""The store's meta key that marks it as a demo store ("1")."""


class DemoStoreRefused(Exception):
    """Demo data would enter a user's store, or live data a demo store; the message says
    which and what to do instead."""


def runs_demo(*, demo: bool, config_found: bool, db_named: bool) -> bool:
    """Whether the monitor plays the demo: asked for, or nothing else set up."""
    return demo or (not config_found and not db_named)


def demo_store_path(db: str | Path | None) -> Path:
    """The store the demo plays into: the one named, else the demo's own."""
    return Path(db) if db else demo_db_path()


def is_demo_store(path: Path) -> bool:
    """Whether `path` is a store the demo marked (False for no file or not a store)."""
    if not path.is_file():
        return False
    # Read as stored: asked before a command opens the store, also under --read-only,
    # so it must not be what upgrades a store an older version wrote.
    return stored_meta(path, DEMO_META_KEY) == "1"  # None: not a store, the command says so


def config_path_for(db: Path, explicit: str | os.PathLike[str] | None) -> Path | None:
    """The config file a command reads store `db` with (None: the built-in defaults).

    `--config` when given; else, for a demo store, the demo's own (the store was classified
    with its company, ambassadors and views); else the user's (`find_config_path`). Every
    command and the monitor in every mode ask here, so one store reads the same everywhere.
    """
    if not explicit and is_demo_store(db):
        return demo_config_path()
    return find_config_path(explicit)


def claim_demo_store(path: Path, *, replay: ReplaySource | None = None) -> None:
    """Mark `path` as a demo store before demo data goes in; refuse a user's store.

    With `replay` (the monitor's demo), a store whose replay already played to the end is
    started afresh, with the reader's marks; `import --demo` passes none and adds to what
    is there.
    """
    if path.resolve() == default_db_path().resolve():
        raise DemoStoreRefused(
            f"{path} is your own store; the fictional demo is never loaded into it. "
            "Leave out --db (the demo has its own store) or name a new file."
        )
    with Store.open(path) as store:
        marked = store.get_meta(DEMO_META_KEY) == "1"
        has_rows = store.conn.execute("SELECT 1 FROM mentions LIMIT 1").fetchone() is not None
        if has_rows and not marked:
            raise DemoStoreRefused(
                f"{path} holds your own mentions; the demo never writes into them. "
                "Leave out --db (the demo has its own store) or name a new file."
            )
        reset = marked and replay is not None and replay.finished(store.source_state(replay.name))
        marks = every_mark(store) if reset else []
    if reset:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    with Store.open(path) as store, store.writing():
        store.set_meta(DEMO_META_KEY, "1")
        restore_marks(store, marks)


def refuse_demo_store(path: Path) -> None:
    """Live sources never write into a demo store."""
    if is_demo_store(path):
        raise DemoStoreRefused(
            f"{path} is a demo store; live sources never write into it. "
            "Use --db with another file (or none for your own store)."
        )
