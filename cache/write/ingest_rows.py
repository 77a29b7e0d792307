"""Store the importer's direct rows (`cache.write.direct`) in one transaction.

The same decisions as `cache.write.ingest.ingest` (dedupe within the batch, existing ids
updated or left alone, roles, topics, thread topics), on `Pre` tuples of X posts instead
of `Mention` objects, and with the payload serialised only for rows that are compared or
written. New rows go into `mentions` with one plain INSERT statement (so every trigger on
`mentions` but the full-text one fires as usual); the full-text index takes the
transaction's new rows at its end (`cache.db.fts.deferred_inserts`).

Rows from the import's worker come `Ready` (`cache.write.direct.make_ready`): already one
per id, with their payload's JSON, sources and topics in the columns' order. Those not
stored yet (nearly all: an import mostly brings new posts) are written as they came, with
only their time flag, role and clock added (`_add_new_ready`); those already stored go the
general way, as `Pre` rows again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from cache.db import fts
from cache.db.store import Store, now_text
from cache.write.direct import (
    AUTHOR,
    AUTHOR_KEY,
    AUTHOR_NAME,
    CONVERSATION_ID,
    CREATED,
    CREATED_TEXT,
    ID,
    IN_REPLY_TO,
    KIND,
    LANG,
    PAYLOAD,
    QUOTED_ID,
    REFERENCED_ONLY,
    SOURCE,
    TEXT,
    TOPICS,
    URL,
    Pre,
    RowBatch,
    Topics,
    dedupe,
    pre_of_ready,
    raw_and_digest,
)
from cache.write.ingest import (
    Existing,
    ImportAccounts,
    IngestResult,
    fill_missing_roles,
    json_list,
    load_existing,
    same_post,
    store_accounts,
    store_errors,
    stored_topics,
    write_rows,
)
from cache.write.mention_rows import InsertLayout, author_role, ready_layout
from cache.write.renamed_accounts import settle_renamed
from filters.classify import Classifier
from sources.model.records import utc_now
from sources.model.text import IsoTimeFlags, parse_timestamp


def ingest_rows(
    store: Store,
    batch: RowBatch,
    classifier: Classifier,
    known: ImportAccounts | None = None,
) -> IngestResult:
    """`ingest(store, batch, classifier, bulk=True)` for a batch of direct rows;
    `known`: see `cache.write.ingest.store_accounts`."""
    result = IngestResult(skipped=len(batch.skipped))
    now = now_text()
    if known is not None:
        known.begin()
    with store_errors(store), store.writing():
        roles, result.accounts = store_accounts(
            store, batch.accounts, classifier, now, known, batch.account_captures
        )
        # `Ready` rows hold the author's fields where `Pre` rows do.
        rows, delivered = (batch.rows, {}) if batch.ready else dedupe(batch.rows)
        if known is not None:
            known.fill_roles((r[AUTHOR_KEY] for r in rows), roles)
        fill_missing_roles(
            store,
            ((r[AUTHOR_KEY], r[AUTHOR], r[AUTHOR_NAME], "x") for r in rows),
            roles,
            classifier,
        )
        with fts.deferred_inserts(store.conn) as deferred:
            existing = load_existing(store, [r[ID] for r in rows])
            writes = _Writes()
            topics: list[Topics] = []  # what `Pre` rows of ready ones index
            if batch.ready:
                _add_new_ready(batch, existing, roles, now, result, writes)
                rows, delivered, topics = pre_of_ready(batch, existing)  # the stored ones
            _add_rows(rows, existing, topics, delivered, roles, classifier, now, result, writes)
            write_rows(
                store.conn,
                writes.inserts,
                writes.updates,
                writes.source_only,
                writes.retopic_ids,
                writes.topic_rows,
                result,
                deferred,
                writes.layout,
                authors=writes.authors,
                account_keys=[a.key for a in batch.accounts],
                now=now,
            )
        result.accounts += settle_renamed(store, classifier.role_rules)
    if known is not None:
        known.committed()
    return result


@dataclass
class _Writes:
    """What one transaction writes (`cache.write.ingest.write_rows`)."""

    inserts: list[tuple[object, ...]] = field(default_factory=list)
    updates: list[tuple[object, ...]] = field(default_factory=list)
    source_only: list[tuple[str, str, str]] = field(default_factory=list)
    authors: list[tuple[str, ...]] = field(default_factory=list)
    """Authors of posts stored without one (`cache.write.ingest.write_rows`)."""
    retopic_ids: list[tuple[str]] = field(default_factory=list)
    topic_rows: list[tuple[str, str, str]] = field(default_factory=list)
    layout: InsertLayout | None = None
    """How `inserts` hold a row (None: every column, in `mentions`' order)."""


def _add_new_ready(
    batch: RowBatch,
    existing: dict[str, Existing],
    roles: dict[str, str],
    now: str,
    result: IngestResult,
    writes: _Writes,
) -> None:
    """The inserts of the `Ready` rows not stored yet (nearly all of an import's): each
    row as it came, its time flag, its author's role and the clock bound beside it
    (`ready_layout`: what `_add_rows` would make of it, without rebuilding every row in
    this process, the slower of the import's two). Their topics' rows are listed from
    the rows stored."""
    # A list of its own either way: the batch's stays as it came.
    rows = [row for row in batch.rows if row[ID] not in existing] if existing else [*batch.rows]
    flag = IsoTimeFlags("x", parse_timestamp(now) or utc_now()).flag
    writes.inserts = rows
    writes.layout = ready_layout(flag, roles, now)
    result.new += len(rows)
    result.new_ids.extend(row[ID] for row in rows)


def _add_rows(
    rows: list[Pre],
    existing: dict[str, Existing],
    batch_topics: list[Topics],
    delivered: dict[str, list[str]],
    roles: dict[str, str],
    classifier: Classifier,
    now: str,
    result: IngestResult,
    writes: _Writes,
) -> None:
    """Add to `writes` what storing `rows` (`Pre` rows, one per id) changes."""
    time_flags = IsoTimeFlags("x", parse_timestamp(now) or utc_now())
    inserts, updates, source_only = writes.inserts, writes.updates, writes.source_only
    topic_rows, retopic_ids = writes.topic_rows, writes.retopic_ids
    new_ids = result.new_ids
    # The topics of new mentions the import's worker did not classify, in one batch; a
    # changed one is classified on its own below.
    answers = classifier.answers_for(
        r[TEXT] for r in rows if r[TOPICS] is None and r[ID] not in existing
    )
    for row in rows:
        mention_id = row[ID]
        before = existing.get(mention_id)
        sources = delivered[mention_id]
        raw: str | None = None
        if before is not None and before.superseded:
            result.unchanged += 1
            continue
        if before is not None:
            sources = before.sources + [s for s in sources if s not in before.sources]
            # A referenced copy never overwrites, so its payload is not serialised here
            # (the import's worker may have done it already, `direct.make_ready`).
            same_payload = False
            blank = before.blank_copy(row[TEXT])  # as in `cache.write.ingest`: no change
            if not (row[REFERENCED_ONLY] or blank):
                raw, digest = raw_and_digest(row[PAYLOAD])
                same_payload = same_post("x", raw, digest, before.raw_hash)
            if row[REFERENCED_ONLY] or same_payload or blank:
                # As in `cache.write.ingest`: a post stored without its author learns it.
                learned = before.learns_author("x", row[AUTHOR])
                if learned:
                    key = row[AUTHOR_KEY]
                    role = author_role(roles, key)
                    name = row[AUTHOR_NAME]
                    writes.authors.append((row[URL], row[AUTHOR], name, key, role, now, mention_id))
                if sources != before.sources:
                    source_only.append((json.dumps(sources), now, mention_id))
                if learned or sources != before.sources:
                    result.updated += 1
                    result.updated_ids.append(mention_id)
                else:
                    result.unchanged += 1
                continue
        if raw is None:
            raw, digest = raw_and_digest(row[PAYLOAD])
        if row[TOPICS] is not None:
            topics, topics_json, matches_json = batch_topics[row[TOPICS]]
        else:
            text = row[TEXT]
            found = answers.get(text) or classifier.classify_text(text, row[LANG])
            topics, topics_json, matches_json = stored_topics(found)
        key = row[AUTHOR_KEY]
        created = row[CREATED_TEXT]
        stored = (
            mention_id,
            "x",
            row[SOURCE],
            json_list(tuple(sources)),
            row[URL],
            "",
            row[AUTHOR],
            row[AUTHOR_NAME],
            key,
            row[TEXT],
            "",
            row[LANG],
            created,
            time_flags.flag(row[CREATED]),
            row[KIND],
            row[IN_REPLY_TO],
            row[QUOTED_ID],
            row[CONVERSATION_ID],
            int(row[REFERENCED_ONLY]),
            author_role(roles, key),
            topics_json,
            matches_json,
            raw,
            digest,
            now,
            now,
        )
        for topic in topics:
            topic_rows.append((topic, created, mention_id))
        if before is None:
            inserts.append(stored)
            result.new += 1
            new_ids.append(mention_id)
        else:
            updates.append((*stored[1:-2], now, mention_id))
            retopic_ids.append((mention_id,))
            result.updated += 1
            result.updated_ids.append(mention_id)
