"""An import of several files: the worker reads the next file while this one is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.synth import write_jsonl
from cache.db.store import Store
from cache.write import pipeline
from cache.write.importer import ImportReport, import_paths
from filters.classify import Classifier
from sources.model.config import Config

BATCH = 200

pytestmark = pytest.mark.slow  # a worker process reads the archives


def _files(folder: Path) -> list[Path]:
    """Two archives of three transactions each, and an unreadable file between them."""
    first, broken, second = folder / "a.jsonl", folder / "broken.jsonl", folder / "b.jsonl"
    write_jsonl(first, 3 * BATCH, seed=11)
    broken.write_bytes(b"\x00\x01 not json at all\n")
    write_jsonl(second, 3 * BATCH, seed=12)
    return [first, broken, second]


def _import(db: Path, paths: list[Path], *, parallel: bool, **options: Any) -> ImportReport:
    with Store.open(db) as store:
        return import_paths(
            store, paths, Classifier(Config()), batch=BATCH, parallel=parallel, **options
        )


def _rows(db: Path) -> list[tuple[Any, ...]]:
    with Store.open(db, readonly=True) as store:
        return [
            tuple(row)
            for row in store.conn.execute(
                "SELECT id, source, topics, role, first_seen_at != '' FROM mentions ORDER BY id"
            )
        ]


def test_the_worker_is_handed_the_next_file_before_this_one_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next file goes to the worker when this one starts, not after its last
    transaction, so the worker reads on while the importer stores."""
    paths = _files(tmp_path)
    committed: list[int] = []
    handed: dict[str, int] = {}
    real_send = pipeline.ClassifyWorker._send

    def noting_send(worker: pipeline.ClassifyWorker, value: object) -> None:
        if isinstance(value, pipeline.ReadRequest):
            handed.setdefault(Path(value.path).name, len(committed))
        real_send(worker, value)

    monkeypatch.setattr(pipeline.ClassifyWorker, "_send", noting_send)
    report = _import(
        tmp_path / "s.db",
        paths,
        parallel=True,
        on_progress=lambda report: committed.append(report.totals.new),
    )
    assert report.files_read == 2 and report.totals.new == 6 * BATCH
    transactions_of_a = committed.index(3 * BATCH) + 1
    assert handed == {"a.jsonl": 0, "broken.jsonl": 0, "b.jsonl": transactions_of_a}, handed


def test_files_read_ahead_are_stored_as_files_read_one_by_one_here(tmp_path: Path) -> None:
    """Worker and importer in step over several files (one of them unreadable): the same
    rows, counts and report as an import that reads every file itself."""
    paths = _files(tmp_path)
    ahead = _import(tmp_path / "ahead.db", paths, parallel=True)
    here = _import(tmp_path / "here.db", paths, parallel=False)
    assert _rows(tmp_path / "ahead.db") == _rows(tmp_path / "here.db")
    assert (ahead.totals.new, ahead.totals.updated, ahead.totals.unchanged) == (
        here.totals.new,
        here.totals.updated,
        here.totals.unchanged,
    )
    assert ahead.files_read == here.files_read == 2
    assert [line.split(":")[0] for line in ahead.unreadable] == [str(paths[1])]
    assert ahead.unreadable == here.unreadable


def test_a_file_read_ahead_is_stored_in_whole_transactions_from_its_start(
    tmp_path: Path,
) -> None:
    """Only the import's first file starts with a small transaction (the importer has
    nothing else to do meanwhile); the next one, read while the first was stored, goes in
    whole transactions from its first post, and the rows are those of a one-by-one import."""
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(first, 2_500, seed=11)
    write_jsonl(second, 2_500, seed=12)
    transactions: list[tuple[int, int]] = []  # (files read before it, new mentions after it)

    def note(report: ImportReport) -> None:
        transactions.append((report.files_read, report.totals.new))

    with Store.open(tmp_path / "ahead.db") as store:
        import_paths(
            store,
            [first, second],
            Classifier(Config()),
            batch=2_000,
            parallel=True,
            on_progress=note,
        )
    sizes: dict[int, list[int]] = {0: [], 1: []}
    before = 0
    for file_number, new in transactions:
        sizes[file_number].append(new - before)
        before = new
    # Transactions count posts read, referenced copies included: fewer of them are new.
    assert sizes[0][0] <= pipeline.FIRST_CHUNK, sizes
    assert sizes[1][0] > pipeline.FIRST_CHUNK, sizes
    _import(tmp_path / "here.db", [first, second], parallel=False)
    assert _rows(tmp_path / "ahead.db") == _rows(tmp_path / "here.db")
