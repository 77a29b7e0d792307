"""An import pauses Python's automatic cycle collector and does that work itself, per file."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.synth import write_jsonl
from cache.db.store import Store, StoreError
from cache.write.importer import ImportReport, import_paths
from filters.classify import Classifier
from sources.model.config import Config


class _Node:
    """An object that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self) -> None:
        self.me = self


def _archives(folder: Path, count: int) -> list[Path]:
    paths = []
    for number in range(count):
        path = folder / f"part-{number}.jsonl"
        write_jsonl(path, 300, seed=40 + number)
        paths.append(path)
    return paths


def _import(store: Store, paths: list[Path], progress: Callable[[ImportReport], None]) -> None:
    import_paths(
        store, paths, Classifier(Config()), batch=100, parallel=False, on_progress=progress
    )


def test_an_import_turns_the_cycle_collector_back_on_when_it_ends(tmp_path: Path) -> None:
    """The collector is off while an import stores and on again once it has returned."""
    seen: list[bool] = []
    with Store.open(tmp_path / "store.db") as store:
        _import(store, _archives(tmp_path, 1), lambda _: seen.append(gc.isenabled()))
    assert seen and not any(seen)
    assert gc.isenabled()


def test_an_import_that_fails_still_turns_the_collector_back_on(tmp_path: Path) -> None:
    """A store error in the middle of an import does not leave the process uncollected."""

    def fail(_: ImportReport) -> None:
        raise StoreError("the disk went away")

    with Store.open(tmp_path / "store.db") as store, pytest.raises(StoreError):
        _import(store, _archives(tmp_path, 1), fail)
    assert gc.isenabled()


def test_cycles_made_while_one_file_is_imported_are_freed_before_the_next(
    tmp_path: Path,
) -> None:
    """Memory held by reference cycles does not pile up over a long several-file import."""
    paths = _archives(tmp_path, 2)
    with Store.open(tmp_path / "first.db") as store:
        in_first_file = import_paths(store, paths[:1], Classifier(Config())).totals.new
    watched: list[weakref.ref[_Node]] = []
    alive_in_later_files: list[int] = []

    def progress(report: ImportReport) -> None:
        if report.totals.new <= in_first_file:
            watched.append(weakref.ref(_Node()))
        else:
            alive_in_later_files.append(sum(ref() is not None for ref in watched))

    with Store.open(tmp_path / "store.db") as store:
        _import(store, paths, progress)
    assert watched and alive_in_later_files
    assert alive_in_later_files == [0] * len(alive_in_later_files)
