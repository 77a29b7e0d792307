"""Bulk ingest: large transactions, the next batch read and classified in a worker meanwhile.

`app.py import` and `bench/run.py` store through here. Reading an archive (JSON, the
page walk, the payload's stored JSON) and classifying topics cost about as much as
storing, so on a machine with a second core a worker process reads and classifies
batch N+1 of a file while this process writes batch N (`BulkIngest.read`); batches
handed in with `add` are classified there the same way. Each batch is still one
transaction: a crash loses at most the batches not yet committed, and importing the
same files again picks them up.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # Windows: pipes keep their default size
    fcntl = None  # type: ignore[assignment]

from cache.db.store import Store
from cache.write import checkpoints, cycles
from cache.write.direct import (
    TEXT,
    RowBatch,
    rows_from_page,
    times_from_ids,
)
from cache.write.ingest import ImportAccounts, IngestResult, ingest
from cache.write.ingest_rows import ingest_rows
from filters.classify import Classification, Classifier, Precomputed
from sources.archive.files import read_archive
from sources.model.config import Config
from sources.model.records import ParsedBatch, utc_now
from sources.model.secret_env import child_environ

FLUSH_MENTIONS = 20_000
"""Mentions per transaction. Large on purpose: every commit writes each index page it
changed, and the author indexes change in thousands of places per batch, so fewer,
larger commits write far less (bench/README.md has the figures)."""

WORKER_MODULE = f"{__name__.rpartition('.')[0]}.pipeline_worker"
"""The worker's entry point: a module of its own, so the messages' classes are this
module's on both ends of the pipe (run as `__main__`, this one would define them twice)."""

Answer = dict[int, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]]
"""Index of a text in the batch -> (topics, matched words); texts about nothing are left out."""
_FAILED = object()
"""What the reply reader queues when the worker's output could not be read."""
FIRST_CHUNK = 1_000
"""Mentions in the first chunk the worker sends of a file; each next one is twice as large,
up to the transaction's size. The importer has nothing to store until the first chunk
comes: with a whole transaction's worth (20,000 mentions) an import of 100,000 posts
committed its first transaction after 1.6 s, with this after 0.3 s (bench/README.md)."""
_READ_AHEAD = 2
"""Replies read from the worker before they are asked for (see `ClassifyWorker.receive`)."""

REPLY_PIPE_BYTES = 1 << 20
"""What the worker's output pipe holds (Linux; 64 KB by default, 1 MB the most an
unprivileged process may ask for). A chunk is about a kilobyte a post, 20 MB a transaction:
with 64 KB the worker stopped at every 64 KB until the reader took it. Importing 300,000
posts, nine alternated pairs: the importer's wait for the worker 3.6-5.3 against 4.8-6.5
µs a mention, 0.97x-1.09x the speed, 1.02x in the middle."""


WORKER_MALLOC = {"MALLOC_TRIM_THRESHOLD_": str(512 << 20), "MALLOC_MMAP_THRESHOLD_": str(32 << 20)}
"""The worker's settings of glibc's allocator (other C libraries ignore them). By default
it gives freed memory back to the system and maps each large block afresh, and the worker
builds and drops a chunk's worth at a time (tens of MB, its rows' payloads and the
record it sends): each chunk then faulted all of its pages in again. Kept (up to 512 MB
free at the top of the heap, blocks up to 32 MB from the heap), the next chunk reuses
them: 300,000 posts, alternated, the worker's kernel time 0.70-0.77 µs a post against
1.30-1.47, its CPU 29.5-29.7 against 30.7-30.8. Values the user set are kept."""


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """Ask the worker to read one archive file and send it back `size` mentions at a time."""

    path: str
    source: str | None
    seen_at: datetime
    max_line_bytes: int
    size: int
    small_first: bool = True
    """Start with `FIRST_CHUNK` mentions (the importer waits for them); a file handed over
    ahead is read while the importer still stores the one before, so it starts whole."""
    mastodon_instance: str = ""
    """The instance saved Mastodon answers came from, where they do not say (`--instance`)."""


@dataclass(slots=True)
class ReadChunk:
    """Some batches of a file read by the worker, merged, with the topics of their texts."""

    batch: ParsedBatch
    answer: Answer
    """The topics of the texts of `chunk_texts(batch)`; direct rows carry their own."""
    yields: int
    """How many batches of `read_archive` this holds (to go on from there if need be)."""
    times_from_ids: int


@dataclass(slots=True)
class ReadEnd:
    """The file is read; `error` is what stopped the reading, if anything did."""

    error: BaseException | None = None


def _widen_pipe(fd: int) -> None:
    """Let the pipe hold `REPLY_PIPE_BYTES`, where the system allows it (a smaller one only
    costs speed)."""
    widen = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if widen is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, widen, REPLY_PIPE_BYTES)


class ClassifyWorker:
    """A child process that classifies texts (and reads archive files, `ReadRequest`) with
    the same configuration as this one.

    It is a fresh interpreter (`python -m cache.write.pipeline_worker`), not a fork, so it
    holds nothing of this process (no store connection) and never re-runs the caller's main
    module. Its only link is its stdin and stdout, so it ends by itself when this process
    dies, even by SIGKILL. Objects go both ways as pickles: the child is this program, not
    a stranger.
    """

    def __init__(self, config: Config) -> None:
        # The folder that holds the top package, however deep this module sits in it.
        root = str(Path(__file__).resolve().parents[__name__.count(".")])
        path = os.environ.get("PYTHONPATH")
        # It classifies text: it has no use for any token (even when not started by app.py).
        env = dict(child_environ(), PYTHONPATH=root + (os.pathsep + path if path else ""))
        for name, value in WORKER_MALLOC.items():
            env.setdefault(name, value)
        self._process = subprocess.Popen(
            # -P: not the current folder first on the path; a `cache/` folder wherever
            # the user runs the import must not stand in for this package.
            [sys.executable, "-P", "-m", WORKER_MODULE],
            # The chunks come in frames of 64 KB and more: read as much of the pipe at once
            # as it holds, not 8 KB at a time.
            bufsize=REPLY_PIPE_BYTES,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert self._process.stdout is not None
        _widen_pipe(self._process.stdout.fileno())
        self.alive = True
        self._queued: ReadRequest | None = None
        self._replies: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._credit = threading.Semaphore(_READ_AHEAD)
        self._reader: threading.Thread | None = None
        self._send(config)

    @property
    def pid(self) -> int:
        return self._process.pid

    def submit(self, texts: list[str]) -> None:
        self._send(texts)

    def answers(self, texts: list[str]) -> dict[str, Classification]:
        """The classification of each submitted text, or {} if the worker failed."""
        answer = self.receive()
        if not isinstance(answer, dict):
            self.alive = False
            return {}
        return _known(texts, answer)

    def queue_read(self, request: ReadRequest) -> None:
        """Hand the worker the file it reads after the one it is reading: it starts on it
        as soon as that one is read, while the importer still stores its last chunks
        (`read` of the same request then sends nothing)."""
        if self._queued is None:
            self._send(request)
            self._queued = request

    def read(self, request: ReadRequest) -> Iterator[ReadChunk | ReadEnd]:
        """The worker's replies to `request` until its `ReadEnd`; they stop early (and the
        worker is given up) if it dies or answers out of turn."""
        queued, self._queued = self._queued, None
        if queued is None:
            self._send(request)
        elif queued != request:  # the importer changed its mind: out of step
            self.alive = False
        return self._file_replies()

    def _file_replies(self) -> Iterator[ReadChunk | ReadEnd]:
        while self.alive:
            reply = self.receive()
            if not isinstance(reply, ReadChunk | ReadEnd):
                self.alive = False
                return
            yield reply
            if isinstance(reply, ReadEnd):
                return

    def receive(self) -> object:
        """The worker's next answer, or None if it failed.

        A thread of this process reads the answers as the worker writes them, up to
        `_READ_AHEAD` before they are asked for: the worker hands over a chunk and goes on
        to the next while this process is still storing the one before, instead of both
        waiting for each other at every hand-over.
        """
        if not self.alive:
            return None
        if self._reader is None:  # started on first use, so a test can swap the pipe
            self._reader = threading.Thread(
                target=self._read_replies, name="import-worker-replies", daemon=True
            )
            self._reader.start()
        reply = self._replies.get()
        self._credit.release()
        if reply is _FAILED:
            self.alive = False
            return None
        return reply

    def _read_replies(self) -> None:
        assert self._process.stdout is not None
        while True:
            self._credit.acquire()
            try:
                reply = pickle.load(self._process.stdout)
            except Exception:
                # A worker that dies mid-answer leaves a torn pickle, and loading one can
                # raise nearly anything (TypeError, ValueError, UnicodeDecodeError, ...).
                # Whatever it is, the importer does the worker's part from here on.
                self._replies.put(_FAILED)
                return
            self._replies.put(reply)

    def close(self) -> None:
        if not self.alive:
            # Given up part way through a file, or failed: whatever it is doing, nobody
            # will read it. Killed, it also ends the reply reader's wait for its output.
            self._process.kill()
        self._send(None)
        with contextlib.suppress(OSError):
            assert self._process.stdin is not None
            self._process.stdin.close()
        # A worker part way through a file is blocked writing to us: without a reader
        # it gets EPIPE and ends at once instead of after the timeout below.
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._credit.release()  # a reader waiting for its turn finds the pipe closed and ends
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _send(self, value: object) -> None:
        if not self.alive:
            return
        assert self._process.stdin is not None
        try:
            pickle.dump(value, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._process.stdin.flush()
        except (OSError, ValueError):
            self.alive = False


def texts_of(batch: ParsedBatch) -> list[str]:
    """The texts of a batch's posts, in the order a worker's `Answer` indexes them."""
    texts = chunk_texts(batch)
    if isinstance(batch, RowBatch):
        texts.extend(row[TEXT] for row in batch.rows)
    return texts


def chunk_texts(batch: ParsedBatch) -> list[str]:
    """The texts a `ReadChunk`'s `Answer` indexes: its mentions' (the worker gave its
    direct rows their topics, `cache.write.direct.Topics`)."""
    return [mention.text for mention in batch.mentions]


def _known(texts: list[str], answer: Answer) -> dict[str, Classification]:
    """The worker's answer for `texts` as a classification of each text."""
    empty = Classification()
    known = dict.fromkeys(texts, empty)
    for index, (topics, matches) in answer.items():
        known[texts[index]] = Classification(topics, matches)
    return known


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
        """Texts whose topics came from the worker process: the distinct ones of each batch
        it classified, and every direct row of the files it read."""
        # One core would only take turns between the two processes: no gain, more memory.
        self._parallel = (os.cpu_count() or 1) >= 2 if parallel is None else parallel
        self._pending = ParsedBatch()
        self._in_flight: tuple[ParsedBatch, list[str]] | None = None
        self._worker: ClassifyWorker | None = None
        self._accounts = ImportAccounts()
        self._ahead: ReadRequest | None = None
        """The file handed to the worker before its turn (`read`'s `then`)."""
        self._checkpointer: checkpoints.Checkpointer | None = None
        self._checkpointing = False
        self._collector_was_on: bool | None = None
        """Python's cycle collector before `__enter__` paused it (`cache.write.cycles`)."""

    @property
    def worker_pid(self) -> int | None:
        """The classifying worker's process id, once one is running."""
        return self._worker.pid if self._worker is not None else None

    def read(
        self,
        path: Path,
        *,
        source: str | None,
        seen_at: datetime,
        max_line_bytes: int,
        then: Path | None = None,
        mastodon_instance: str = "",
    ) -> Iterator[tuple[ParsedBatch, Classifier | None, int]]:
        """The batches of one archive file (`read_archive`), each with the classifier that
        has its topics (None: none yet) and its count of times taken from ids.

        With a worker process the worker reads the file and classifies it, a transaction's
        worth at a time, while this process stores the chunk before; if the worker dies,
        this process reads the rest of the file itself from where the worker was.

        `then`: the file that is read next (with the source its name gives). The worker is
        handed it now, so that it reads on while this process stores this file's last
        chunks; it keeps the time it was handed over as its `seen_at`.

        `mastodon_instance`: as `sources.archive.files.read_archive` takes it.
        """
        done = 0
        if self._parallel:
            self._store_in_flight()  # the worker answers one request at a time
            worker = self._started_worker()
            request = ReadRequest(
                str(path),
                source,
                seen_at,
                max_line_bytes,
                self.batch_size,
                mastodon_instance=mastodon_instance,
            )
            ahead, self._ahead = self._ahead, None
            if ahead is not None and replace(ahead, seen_at=seen_at, small_first=True) == request:
                request = ahead  # as the worker was handed it
            finished = False
            try:
                replies = worker.read(request)
                if then is not None:
                    self._ahead = ReadRequest(
                        str(then),
                        None,
                        utc_now(),
                        max_line_bytes,
                        self.batch_size,
                        False,
                        mastodon_instance,
                    )
                    worker.queue_read(self._ahead)
                for reply in replies:
                    if isinstance(reply, ReadEnd):
                        finished = True
                        if reply.error is not None:
                            raise reply.error
                        return
                    done += reply.yields
                    known = _known(chunk_texts(reply.batch), reply.answer)
                    self.worker_classified += len(known) + _rows_in(reply.batch)
                    yield reply.batch, Precomputed(self.classifier, known), reply.times_from_ids
            finally:
                if not finished:  # left part way (stopped, or a store error): out of step
                    worker.alive = False
        for index, parsed in enumerate(
            read_archive(
                path,
                source=source,
                seen_at=seen_at,
                max_line_bytes=max_line_bytes,
                parse_v2=rows_from_page,
                mastodon_instance=mastodon_instance,
            )
        ):
            if index >= done:
                yield parsed, None, times_from_ids(parsed)

    def add(self, batch: ParsedBatch, classified: Classifier | None = None) -> None:
        """Store `batch` with what was added before, `flush` mentions a transaction;
        `classified`: a classifier that has its topics already (stored as it comes)."""
        if classified is not None:
            self._store_in_flight()
            pending, self._pending = self._pending, ParsedBatch()
            self._store(pending, self.classifier)
            self._store(batch, classified)
            return
        if type(batch) is not type(self._pending):
            # Direct rows and parsed objects are stored by different code: a file that
            # mixes them (X pages and Bluesky lines) is stored in order, kind by kind.
            if mentions_in(self._pending) or self._pending.skipped or self._pending.warnings:
                self._hand_over(self._pending)
            self._pending = RowBatch() if isinstance(batch, RowBatch) else ParsedBatch()
        self._pending.extend(batch)
        if mentions_in(self._pending) >= self.batch_size:
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
        del batch  # stored: not to be scanned by the collection
        if self._collector_was_on is not None:
            cycles.collect_young()
        return self.totals

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        if self._collector_was_on is not None:
            cycles.resume(self._collector_was_on)
            self._collector_was_on = None

    def __enter__(self) -> BulkIngest:
        self._collector_was_on = cycles.pause()
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
        worker = self._started_worker()
        # Collect the worker's answers for the batch before, give it this one, then store
        # the one before while it works: both cores are busy until the next batch is full.
        previous = self._take_in_flight()
        texts = texts_of(batch)
        worker.submit(texts)
        self._in_flight = (batch, texts)
        if previous is not None:
            self._store(*previous)

    def _started_worker(self) -> ClassifyWorker:
        if self._worker is None:
            self._worker = ClassifyWorker(self.classifier.config)
        return self._worker

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
        if not (mentions_in(batch) or batch.accounts or batch.skipped or batch.warnings):
            return
        if not self._checkpointing:  # the first transaction: from here on, in a thread
            self._checkpointing = True
            self._checkpointer = checkpoints.start_for(self.store)
        if self._checkpointer is not None:
            self._checkpointer.before_transaction()
        if isinstance(batch, RowBatch):
            result = ingest_rows(self.store, batch, classifier, self._accounts)
        else:
            result = ingest(self.store, batch, classifier, bulk=True)
        if self._checkpointer is not None:
            self._checkpointer.request()
        self.totals.add(result)
        if self.on_stored is not None:
            self.on_stored(batch, result)


def _rows_in(batch: ParsedBatch) -> int:
    return len(batch.rows) if isinstance(batch, RowBatch) else 0


def mentions_in(batch: ParsedBatch) -> int:
    """Posts in a batch, parsed objects and direct rows alike (referenced copies count)."""
    return len(batch.mentions) + _rows_in(batch)
