"""The import's worker process, its side: read archive files and classify texts for the
importer (`cache.write.pipeline.ClassifyWorker` starts it as `pipeline_worker`).

The messages it reads and writes (`ReadRequest`, `ReadChunk`, `ReadEnd`, lists of texts
and their answers) are defined in `cache.write.pipeline`, so that both ends pickle and
unpickle the same classes.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from cache.write import cycles
from cache.write.direct import (
    FullPosts,
    RowBatch,
    make_ready,
    rows_from_page,
    times_from_ids,
)
from cache.write.ingest import ACCOUNTS_KEPT, json_list, stored_topics
from cache.write.pipeline import (
    FIRST_CHUNK,
    Answer,
    ReadChunk,
    ReadEnd,
    ReadRequest,
    chunk_texts,
    mentions_in,
)
from filters.classify import Classifier
from sources.archive.files import read_archive
from sources.model.records import Account, ParsedBatch, newest_accounts


def serve(incoming: BinaryIO, outgoing: BinaryIO) -> None:
    """The worker's loop: the config first, then a list of texts in and their topics out,
    or a `ReadRequest` in and the file's chunks out."""

    def send(reply: object) -> None:
        # With pickle's memo: a chunk's rows share their repeated strings (the source, the
        # language, an empty topic list), each then written once and unpickled as one
        # object. Without it (`Pickler.fast`, an earlier round's choice) the worker spent
        # as much (2.6-3.6 µs a row either way, three chunks of 20,000, four files) and
        # the importer 2.8-3.1 µs a row unpickling against 2.0-2.5, for 11 % more bytes.
        pickle.dump(reply, outgoing, protocol=pickle.HIGHEST_PROTOCOL)
        outgoing.flush()

    cycles.pause()  # this process only imports: collected after each file or reply instead
    try:
        classifier = Classifier(pickle.load(incoming))
        sent = SentAccounts()
        while (message := pickle.load(incoming)) is not None:
            if isinstance(message, ReadRequest):
                for chunk in _read_file(classifier, message, sent):
                    send(chunk)
                cycles.collect_young()  # (the last chunk, still alive here, is the small ReadEnd)
                continue
            try:
                reply: Answer | None = _classify_all(classifier, message)
            except Exception:  # a bug here must not stop the import: it classifies itself
                reply = None
            send(reply)
            cycles.collect_young()
    except (EOFError, OSError):  # the importer is gone
        return


class SentAccounts:
    """The accounts a worker has sent the importer in this import, the latest one per key.

    The same authors come back in every chunk of an archive. An account equal to the last
    one sent for its key is left out of the next chunks: the importer stored it with the
    chunk that carried it (chunks are stored in order; once one fails to store, the
    importer gives the worker up and reads the rest itself, every account included) and
    knows its role (`cache.write.ingest.ImportAccounts.fill_roles`; a store's other
    readers of roles take the stored account's). Pickling an account here and unpickling
    it there cost about 2 µs per mention.
    """

    def __init__(self) -> None:
        self._last: dict[str, Account] = {}

    def keep_new_or_changed(self, batch: ParsedBatch) -> None:
        """Leave in `batch` the accounts to send: one per key (the one `store_accounts`
        would store, `newest_accounts`), with its capture time, and none sent before as
        it is."""
        fresh = [
            (account, captured)
            for account, captured in newest_accounts(batch.accounts, batch.account_captures)
            if self._last.get(account.key) != account
        ]
        if len(self._last) + len(fresh) > ACCOUNTS_KEPT:
            self._last.clear()  # sent again from here: the importer takes them as ever
        self._last.update((account.key, account) for account, _ in fresh)
        batch.accounts = [account for account, _ in fresh]
        if batch.account_captures is not None:
            batch.account_captures = [captured or "" for _, captured in fresh]


def _read_file(
    classifier: Classifier, request: ReadRequest, sent: SentAccounts
) -> Iterator[ReadChunk | ReadEnd]:
    """`read_archive` of the file as the importer reads it, merged into chunks of
    `request.size` mentions (one kind of batch per chunk; the first ones smaller,
    `FIRST_CHUNK`, if `request.small_first`), each with its topics."""
    pending, yields, times = ParsedBatch(), 0, 0
    size = min(FIRST_CHUNK, request.size) if request.small_first else request.size
    # The posts of the chunk being filled that it holds in full: their copies are left out.
    full_posts: FullPosts = {}

    def rows_once(page: dict[str, Any], source: str, where: str) -> RowBatch:
        return rows_from_page(page, source, where, full_posts)

    try:
        for parsed in read_archive(
            Path(request.path),
            source=request.source,
            seen_at=request.seen_at,
            max_line_bytes=request.max_line_bytes,
            parse_v2=rows_once,
            mastodon_instance=request.mastodon_instance,
        ):
            if yields and type(parsed) is not type(pending):
                yield _chunk(classifier, pending, yields, times, sent)
                yields = 0
                full_posts.clear()
            if not yields:
                pending, times = type(parsed)(), 0
            pending.extend(parsed)
            yields += 1
            times += times_from_ids(parsed)
            if mentions_in(pending) + _copies_left_out(pending) >= size:
                yield _chunk(classifier, pending, yields, times, sent)
                yields, size = 0, min(size * 2, request.size)
                full_posts.clear()
    except Exception as exc:  # the importer reports it, as if it had read the file itself
        if yields:
            yield _chunk(classifier, pending, yields, times, sent)
        yield ReadEnd(_sendable(exc))
        return
    if yields:
        yield _chunk(classifier, pending, yields, times, sent)
    yield ReadEnd()


def _copies_left_out(batch: ParsedBatch) -> int:
    return batch.copies_left_out if isinstance(batch, RowBatch) else 0


def _chunk(
    classifier: Classifier, batch: ParsedBatch, yields: int, times: int, sent: SentAccounts
) -> ReadChunk:
    # Each page repeats its authors: send each account once, the one `store_accounts`
    # would keep, and only if it is new to the importer.
    sent.keep_new_or_changed(batch)
    if isinstance(batch, RowBatch):
        # Each row arrives deduplicated (in the order ids first came, as the live ingest
        # stores them: a copy that comes before its full post keeps its place), with its
        # payload's JSON and its topics, in the order of the columns it fills: the
        # importer only adds what needs the store. A dropped copy is never serialised.
        make_ready(batch, classifier.classify_many, stored_topics, json_list)
    return ReadChunk(batch, _classify_all(classifier, chunk_texts(batch)), yields, times)


def _sendable(error: Exception) -> BaseException:
    """`error` itself if it survives pickling, else one that says the same."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _classify_all(classifier: Classifier, texts: list[str]) -> Answer:
    # The whole batch at once: the classifier splits and looks up all texts in one go.
    answer: Answer = {}
    for index, result in enumerate(classifier.classify_many(texts)):
        if result.topics:
            answer[index] = (result.topics, result.matches)
    return answer
