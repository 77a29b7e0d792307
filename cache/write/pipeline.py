"""Bulk ingest: large transactions, the next batch classified in a worker meanwhile.

`app.py import` and `bench/run.py` store through here. Topic classification costs about
as much as parsing and storing together, so on a machine with a second core a worker
process classifies batch N+1 while this process writes batch N. Each batch is still one
`cache.write.ingest.ingest` transaction: a crash loses at most the batches not yet committed,
and importing the same files again picks them up.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from cache.db.store import Store
from cache.write.direct import TEXT, RowBatch
from cache.write.ingest import IngestResult, ingest
from cache.write.ingest_rows import ingest_rows
from filters.classify import Classification, Classifier, Precomputed
from filters.roles import RoleDecision
from sources.model.config import SECRET_ENVS, Config
from sources.model.records import Account, ParsedBatch

FLUSH_MENTIONS = 20_000
"""Mentions per transaction. Large on purpose: every commit writes each index page it
changed, and the author indexes change in thousands of places per batch, so fewer,
larger commits write far less (bench/README.md has the figures)."""

_Answer = dict[int, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]]
"""Index of a text in the batch -> (topics, matched words); texts about nothing are left out."""


class ClassifyWorker:
    """A child process that classifies texts with the same configuration as this one.

    It is a fresh interpreter (`python -m cache.write.pipeline`), not a fork, so it holds nothing
    of this process (no store connection) and never re-runs the caller's main module. Its
    only link is its stdin and stdout, so it ends by itself when this process dies, even by
    SIGKILL. Objects go both ways as pickles: the child is this program, not a stranger.
    """

    def __init__(self, config: Config) -> None:
        # The folder that holds the top package, however deep this module sits in it.
        root = str(Path(__file__).resolve().parents[__name__.count(".")])
        path = os.environ.get("PYTHONPATH")
        env = dict(os.environ, PYTHONPATH=root + (os.pathsep + path if path else ""))
        for name in SECRET_ENVS:  # it classifies text: it has no use for any token
            env.pop(name, None)
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self.alive = True
        self._send(config)

    @property
    def pid(self) -> int:
        return self._process.pid

    def submit(self, texts: list[str]) -> None:
        self._send(texts)

    def answers(self, texts: list[str]) -> dict[str, Classification]:
        """The classification of each submitted text, or {} if the worker failed."""
        answer: _Answer | None = None
        if self.alive:
            assert self._process.stdout is not None
            try:
                answer = pickle.load(self._process.stdout)
            except Exception:
                # A worker that dies mid-answer leaves a torn pickle, and loading one can
                # raise nearly anything (TypeError, ValueError, UnicodeDecodeError, ...).
                # Whatever it is, this batch is classified here instead.
                answer = None
        if not isinstance(answer, dict):
            self.alive = False
            return {}
        empty = Classification()
        known = dict.fromkeys(texts, empty)
        for index, (topics, matches) in answer.items():
            known[texts[index]] = Classification(topics, matches)
        return known

    def close(self) -> None:
        self._send(None)
        with contextlib.suppress(OSError):
            assert self._process.stdin is not None
            self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def _send(self, value: object) -> None:
        if not self.alive:
            return
        assert self._process.stdin is not None
        try:
            pickle.dump(value, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._process.stdin.flush()
        except (OSError, ValueError):
            self.alive = False


def _serve(incoming: BinaryIO, outgoing: BinaryIO) -> None:
    """The worker's loop: the config first, then a list of texts in, their topics out."""
    try:
        classifier = Classifier(pickle.load(incoming))
        while (texts := pickle.load(incoming)) is not None:
            try:
                reply: _Answer | None = _classify_all(classifier, texts)
            except Exception:  # a bug here must not stop the import: it classifies itself
                reply = None
            pickle.dump(reply, outgoing, protocol=pickle.HIGHEST_PROTOCOL)
            outgoing.flush()
    except (EOFError, OSError):  # the importer is gone
        return


def _classify_all(classifier: Classifier, texts: list[str]) -> _Answer:
    # The whole batch at once: the classifier splits and looks up all texts in one go.
    answer: _Answer = {}
    for index, result in enumerate(classifier.classify_many(texts)):
        if result.topics:
            answer[index] = (result.topics, result.matches)
    return answer


class BulkIngest:
    """Collects parsed batches and stores them `flush` mentions at a time.

    `add` as batches are parsed, then `flush`; `on_stored(batch, result)` is called
    after each transaction, in the order the batches were added.
    """

    def __init__(
        self,
        store: Store,
        classifier: Classifier,
        *,
        flush: int = FLUSH_MENTIONS,
        parallel: bool | None = None,
        on_stored: Callable[[ParsedBatch, IngestResult], None] | None = None,
    ) -> None:
        self.store = store
        self.classifier = classifier
        self.batch_size = flush
        self.on_stored = on_stored
        self.totals = IngestResult()
        self.worker_classified = 0
        """Distinct texts whose topics came from the worker process."""
        # One core would only take turns between the two processes: no gain, more memory.
        self._parallel = (os.cpu_count() or 1) >= 2 if parallel is None else parallel
        self._pending = ParsedBatch()
        self._in_flight: tuple[ParsedBatch, list[str]] | None = None
        self._worker: ClassifyWorker | None = None
        self._decisions: dict[Account, RoleDecision] = {}
        """Role decisions of the accounts seen in this import (one classifier, one config)."""

    @property
    def worker_pid(self) -> int | None:
        """The classifying worker's process id, once one is running."""
        return self._worker.pid if self._worker is not None else None

    def add(self, batch: ParsedBatch) -> None:
        if type(batch) is not type(self._pending):
            # Direct rows and parsed objects are stored by different code: a file that
            # mixes them (X pages and Bluesky lines) is stored in order, kind by kind.
            if _size(self._pending) or self._pending.skipped or self._pending.warnings:
                self._hand_over(self._pending)
            self._pending = RowBatch() if isinstance(batch, RowBatch) else ParsedBatch()
        self._pending.extend(batch)
        if _size(self._pending) >= self.batch_size:
            batch, self._pending = self._pending, type(self._pending)()
            self._hand_over(batch)

    def flush(self) -> IngestResult:
        """Store everything added so far; returns the totals of the whole run.

        The importer flushes at the end of each file, so a file's counts do not depend on
        the files around it (one article in two feeds is new, then updated).
        """
        self._store_in_flight()
        batch, self._pending = self._pending, ParsedBatch()
        self._store(batch, self.classifier)
        return self.totals

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def __enter__(self) -> BulkIngest:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _hand_over(self, batch: ParsedBatch) -> None:
        if not self._parallel:
            self._store(batch, self.classifier)
            return
        if self._worker is None:
            self._worker = ClassifyWorker(self.classifier.config)
        # Collect the worker's answers for the batch before, give it this one, then store
        # the one before while it works: both cores are busy until the next batch is full.
        previous = self._take_in_flight()
        texts = [mention.text for mention in batch.mentions]
        if isinstance(batch, RowBatch):
            texts.extend(row[TEXT] for row in batch.rows)
        self._worker.submit(texts)
        self._in_flight = (batch, texts)
        if previous is not None:
            self._store(*previous)

    def _take_in_flight(self) -> tuple[ParsedBatch, Classifier] | None:
        if self._in_flight is None or self._worker is None:
            return None
        batch, texts = self._in_flight
        self._in_flight = None
        known = self._worker.answers(texts)
        self.worker_classified += len(known)
        return batch, Precomputed(self.classifier, known)

    def _store_in_flight(self) -> None:
        previous = self._take_in_flight()
        if previous is not None:
            self._store(*previous)

    def _store(self, batch: ParsedBatch, classifier: Classifier) -> None:
        if not (_size(batch) or batch.accounts or batch.skipped or batch.warnings):
            return
        if isinstance(batch, RowBatch):
            result = ingest_rows(self.store, batch, classifier, self._decisions)
        else:
            result = ingest(self.store, batch, classifier, bulk=True)
        self.totals.add(result)
        if self.on_stored is not None:
            self.on_stored(batch, result)


def _size(batch: ParsedBatch) -> int:
    return len(batch.mentions) + (len(batch.rows) if isinstance(batch, RowBatch) else 0)


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
