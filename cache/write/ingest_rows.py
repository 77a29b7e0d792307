"""Store the importer's direct rows (`cache.write.direct`) in one transaction.

The same decisions as `cache.write.ingest.ingest` (dedupe within the batch, existing ids
updated or left alone, roles, topics, thread topics), on `Pre` tuples of X posts instead
of `Mention` objects, and with the payload serialised only for rows that are compared or
written. New rows go into `mentions` with one plain INSERT statement (so every trigger on
`mentions` but the full-text one fires as usual); the full-text index takes the
transaction's new rows at its end (`cache.db.fts.deferred_inserts`).
"""

from __future__ import annotations

import json

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
    raw_and_digest,
)
from cache.write.ingest import (
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
        roles, result.accounts = store_accounts(store, batch.accounts, classifier, now, known)
        rows, delivered = _dedupe(batch.rows)
        if known is not None:
            known.fill_roles((r[AUTHOR_KEY] for r in rows), roles)
        fill_missing_roles(
            store,
            ((r[AUTHOR_KEY], r[AUTHOR], r[AUTHOR_NAME], "x") for r in rows),
            roles,
            classifier,
        )
        with fts.deferred_inserts(store.conn) as deferred:
            _store(store, rows, batch.topics, delivered, roles, classifier, now, result, deferred)
    if known is not None:
        known.committed()
    return result


def _dedupe(rows: list[Pre]) -> tuple[list[Pre], dict[str, list[str]]]:
    """`cache.write.ingest._dedupe` for X rows: a later payload wins unless it is only a
    referenced copy (which a full one never gives way to)."""
    chosen: dict[str, Pre] = {}
    delivered: dict[str, list[str]] = {}
    for row in rows:
        key = row[ID]
        current = chosen.get(key)
        if current is None or current[REFERENCED_ONLY] or not row[REFERENCED_ONLY]:
            chosen[key] = row
        sources = delivered.get(key)
        if sources is None:
            delivered[key] = [row[SOURCE]]
        elif row[SOURCE] not in sources:
            sources.append(row[SOURCE])
    return list(chosen.values()), delivered


def _store(
    store: Store,
    rows: list[Pre],
    batch_topics: list[Topics],
    delivered: dict[str, list[str]],
    roles: dict[str, str],
    classifier: Classifier,
    now: str,
    result: IngestResult,
    deferred: fts.Deferred,
) -> None:
    existing = load_existing(store, [r[ID] for r in rows])
    time_flags = IsoTimeFlags("x", parse_timestamp(now) or utc_now())
    inserts: list[tuple[object, ...]] = []
    updates: list[tuple[object, ...]] = []
    source_only: list[tuple[str, str, str]] = []
    topic_rows: list[tuple[str, str, str]] = []
    retopic_ids: list[tuple[str]] = []
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
        if before is not None:
            sources = before.sources + [s for s in sources if s not in before.sources]
            # A referenced copy never overwrites, so its payload is not serialised here
            # (the import's worker may have done it already, `direct.encode_payloads`).
            same_payload = False
            if not row[REFERENCED_ONLY]:
                raw, digest = raw_and_digest(row[PAYLOAD])
                same_payload = same_post("x", raw, digest, before.raw_hash)
            if row[REFERENCED_ONLY] or same_payload:
                if sources != before.sources:
                    source_only.append((json.dumps(sources), now, mention_id))
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
            roles.get(key, "") if key else "",
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
    write_rows(store.conn, inserts, updates, source_only, retopic_ids, topic_rows, result, deferred)
