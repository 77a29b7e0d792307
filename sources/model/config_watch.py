"""Noticing that the config file in use was edited while a program runs.

`collect`, the monitor and `serve` read the config once, when they start: their sources,
schedules, topics and alert rules are built from it. An edit made while they run (a feed
added by hand or by `feeds import`, a key mistyped) used to change nothing and say
nothing. `ConfigWatch` tells them, once per change, so they can say that a restart
applies it, and whether the file as it is now would load at all.

Asked on every poll round, so it must be cheap: a `stat` of the file; its bytes are read
(and hashed) only when its size or modification time moved, so that a save that changed
nothing (a `touch`, an editor writing the same text) says nothing.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sources.model.config import Config, ConfigError, load_config

Stamp = tuple[int, int, int] | None
"""Size, modification time and inode of the file (None: it is not there)."""


@dataclass(frozen=True)
class ConfigChange:
    """The config file's content changed since it was loaded (or last reported)."""

    path: Path
    problem: str | None
    """Why the file as it is now would not load (a restart would stop there), or None."""

    def describe(self, program: str) -> str:
        """One line saying what changed and what it means for `program` (`collect`...)."""
        kept = f"{program} goes on with the config it started with"
        if self.problem is not None:
            why = self.problem.removeprefix(f"{self.path}: ")
            return f"config {self.path} changed and no longer loads ({why}); {kept}"
        return f"config {self.path} changed: restart {program} to apply it; {kept}"


class ConfigWatch:
    """Reports each change of one config file's content once."""

    def __init__(self, path: Path | None, *, check: Callable[[Config], object] | None = None):
        """`check`: what the program runs on a loaded config beyond the loader (the views'
        queries, `filters.views.check_views`), so "no longer loads" means what it says."""
        self.path = path
        self._check = check
        self._stamp = _stamp(path)
        self._digest = _digest(path)
        self._lock = threading.Lock()
        """Poll reports arrive from several threads: one change is still reported once."""

    def change(self) -> ConfigChange | None:
        """The change since the last call (or the start), or None; each change is
        returned once."""
        if self.path is None:
            return None
        with self._lock:
            return self._change(self.path)

    def _change(self, path: Path) -> ConfigChange | None:
        stamp = _stamp(path)
        if stamp == self._stamp:
            return None
        self._stamp = stamp
        digest = _digest(path)
        if digest == self._digest:
            return None
        self._digest = digest
        return ConfigChange(path, self._problem(path))

    def accept(self) -> None:
        """The program itself just wrote the file (a view saved from the monitor): that is
        no change to report."""
        with self._lock:
            self._stamp, self._digest = _stamp(self.path), _digest(self.path)

    def _problem(self, path: Path) -> str | None:
        try:
            config = load_config(path)
            if self._check is not None:
                self._check(config)
        except ConfigError as exc:
            return str(exc)
        return None


def _stamp(path: Path | None) -> Stamp:
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns, found.st_ino


def _digest(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
