"""Ingest: classify parsed records and store them, idempotently, in one transaction.

Every path that stores mentions (import, the collector, the demo replay, the monitor's
own sources) comes through `ingest`, so classification and dedupe apply everywhere.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import operator
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cache.db import edit_versions, fts, known_authors, reposts
from cache.db.store import (
    SourceState,
    Store,
    StoreError,
    as_json_list,
    describe_sqlite_error,
    now_text,
)
from cache.write.direct import Topics
from cache.write.mention_rows import (
    ALL_COLUMNS,
    MENTION_COLUMNS,
    TOPICS_OF_NEW_ROWS,
    InsertLayout,
    author_role,
    insert,
)
from cache.write.renamed_accounts import earlier_listed_handles, renamed_decision, settle_renamed
from cache.write.thread_topics import Stored, settle
from filters.classify import Classification, Classifier
from filters.roles import RoleDecision
from sources.model.records import Account, Mention, ParsedBatch, newest_accounts, utc_now
from sources.model.text import TIME_UNDATED, format_timestamp, parse_timestamp, time_flag
from sources.x.twitter_v2 import UNKNOWN_AUTHOR, legacy_post_json

_CHUNK = 500
"""Ids per `IN (...)` lookup (SQLite's limit on statement variables is far above)."""
ACCOUNTS_KEPT = 100_000
"""Accounts an import remembers (`ImportAccounts`, `worker_side.SentAccounts`); past that it
starts afresh."""

# New rows go through a staging table and ONE `INSERT ... SELECT` per transaction: FTS5
# flushes its pending index at every statement boundary, so a per-row `executemany` into
# `mentions` made the FTS trigger write one tiny segment per row (about 4x slower ingest,
# see bench/README.md). The bulk path has no trigger to feed and inserts directly.
_STAGE_TABLE = f"CREATE TEMP TABLE IF NOT EXISTS mention_stage ({', '.join(MENTION_COLUMNS)})"
_STAGE_MENTION = (
    f"INSERT INTO temp.mention_stage ({', '.join(MENTION_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in MENTION_COLUMNS)})"
)
_INSERT_STAGED = (
    f"INSERT INTO main.mentions ({', '.join(MENTION_COLUMNS)}) "
    f"SELECT {', '.join(MENTION_COLUMNS)} FROM temp.mention_stage ORDER BY rowid"
)
_UPDATE_COLUMNS = [c for c in MENTION_COLUMNS if c not in ("id", "first_seen_at")]
_AUTHOR_COLUMNS = ("url", "author", "author_name", "author_key", "role")
"""What a post's author decides (an X post's link holds the handle). They change together."""
_NEW = {column: f"?{at}" for at, column in enumerate(_UPDATE_COLUMNS, start=1)}
_KEEP_KNOWN_AUTHOR = (
    f"platform = 'x' AND {_NEW['author']} = '{UNKNOWN_AUTHOR}' AND author != '{UNKNOWN_AUTHOR}'"
)
"""A changed payload without its author (a bare tweet, no `includes.users`) leaves the
author an earlier payload came with (SET reads the row as it was)."""


_KEEP_LINK = f"{_NEW['url']} = ''"
"""A changed payload without a link (a feed item that lost its `<link>`) leaves the link the
row has: the mention stays openable."""


def _set_column(column: str) -> str:
    keep = _KEEP_KNOWN_AUTHOR
    if column == "url":
        keep = f"({keep}) OR {_KEEP_LINK}"
    if column in _AUTHOR_COLUMNS:
        return f"{column} = CASE WHEN {keep} THEN {column} ELSE {_NEW[column]} END"
    return f"{column} = {_NEW[column]}"


_UPDATE_MENTION = (
    f"UPDATE mentions SET {', '.join(map(_set_column, _UPDATE_COLUMNS))} "
    f"WHERE id = ?{len(_UPDATE_COLUMNS) + 1}"
)
_LEARN_AUTHOR = (
    f"UPDATE mentions SET {', '.join(f'{c} = ?' for c in _AUTHOR_COLUMNS)}, updated_at = ? "
    "WHERE id = ?"
)
"""The author of a post stored as `unknown`, from a later copy of the same payload."""


@dataclass
class IngestResult:
    """What one ingest did; `new_ids`/`updated_ids` tell the screen what to show."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    accounts: int = 0
    """Accounts added or changed (an unchanged author delivered again is not counted)."""
    reposts: int = 0
    """Retweets stored, and set aside as no mentions of their own (`cache.db.reposts`)."""
    versions: int = 0
    """Earlier versions of edited posts stored, and kept aside (`cache.db.edit_versions`)."""
    new_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.accounts += other.accounts
        self.reposts += other.reposts
        self.versions += other.versions
        self.new_ids.extend(other.new_ids)
        self.updated_ids.extend(other.updated_ids)


@dataclass
class Existing:
    source: str
    raw_hash: str
    referenced_only: bool
    sources: list[str]
    created_at: str
    time_flag: str
    author: str
    has_text: bool
    """Whether the stored text has words (`blank_copy`)."""
    superseded: bool = False
    """An earlier version of an edited post (`cache.db.edit_versions`): kept as stored."""

    def learns_author(self, platform: str, author: str) -> bool:
        """Whether this post, stored without its author (an X post's `unknown`), now comes
        with one: a copy whose payload changes nothing else still brings it."""
        return self.author == UNKNOWN_AUTHOR and author != UNKNOWN_AUTHOR and platform == "x"

    def blank_copy(self, text: str) -> bool:
        """Whether a new copy of this mention comes without words while the stored one has
        them (a feed that serves an item emptied, an archive with a blank post). It is no
        newer version: storing it would blank the text and drop its topics, so it changes
        nothing but the mention's sources. A bad feed never drops a stored mention."""
        return self.has_text and not text.strip()


def ingest(
    store: Store,
    batch: ParsedBatch,
    classifier: Classifier,
    *,
    states: Sequence[SourceState] = (),
    bulk: bool = False,
) -> IngestResult:
    """Store a batch in one transaction, with the source states that depend on it.

    `bulk` (the importer): new rows go into `mentions` with one `executemany` and the
    full-text index takes them all at the end of the transaction (`fts.deferred_inserts`)
    instead of through the row trigger. The stored rows are the same either way.

    Saving a cursor (since_id, ETag) in the same transaction as the mentions it covers
    means a crash can never record a cursor past mentions that were not stored.
    """
    result = IngestResult(skipped=len(batch.skipped))
    now = now_text()
    with store_errors(store), store.writing():
        roles, result.accounts = store_accounts(
            store, batch.accounts, classifier, now, captures=batch.account_captures
        )
        mentions, delivered = _dedupe(_keep_link_ids(store, batch.mentions))
        fill_missing_roles(
            store,
            ((m.author_key, m.author, m.author_name, m.platform) for m in mentions),
            roles,
            classifier,
        )
        with fts.deferred_inserts(store.conn) if bulk else contextlib.nullcontext() as deferred:
            _store_mentions(
                store,
                mentions,
                delivered,
                roles,
                classifier,
                now,
                result,
                deferred,
                [a.key for a in batch.accounts],
            )
        result.accounts += settle_renamed(store, classifier.role_rules)
        for state in states:
            store.save_source_state(state)
    return result


@contextlib.contextmanager
def store_errors(store: Store) -> Iterator[None]:
    """A store that cannot be written (disk full, read-only, corrupt) as `StoreError`."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if type(exc) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
            raise  # an integrity or programming error is a bug here, not a store problem
        # Disk full, read-only file, corrupt page: the transaction was rolled back whole.
        raise StoreError(describe_sqlite_error(store.path, exc)) from exc


def _keep_link_ids(store: Store, mentions: list[Mention]) -> list[Mention]:
    """Feed items keyed by guid that a store already holds under their link's id keep it.

    Before feed items were keyed by their guid, every item with a link was keyed by the
    link. An item stored then (its guid is in its stored payload) keeps that id, so the
    first poll after an upgrade updates it instead of storing it a second time; another
    item sharing the link (another guid) gets its own id.
    """
    wanted = list({m.link_id for m in mentions if m.link_id})
    if not wanted:
        return mentions
    stored_guids: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        for mention_id, guid in store.conn.execute(
            f"SELECT id, json_extract(raw, '$.id') FROM mentions WHERE id IN ({marks})", chunk
        ):
            stored_guids[mention_id] = str(guid)
    if not stored_guids:
        return mentions
    return [
        replace(m, id=m.link_id)
        if m.link_id in stored_guids and stored_guids[m.link_id] == _guid(m)
        else m
        for m in mentions
    ]


def _guid(mention: Mention) -> str | None:
    guid = json.loads(mention.raw).get("id")
    return None if guid is None else str(guid)


def _dedupe(mentions: Iterable[Mention]) -> tuple[list[Mention], dict[str, list[str]]]:
    """One record per id, and every source that delivered each id in this batch.

    A later tweet payload replaces an earlier one unless it is only a `referenced_only`
    copy; a feed article keeps the payload of the first feed, as across batches.
    """
    chosen: dict[str, Mention] = {}
    delivered: dict[str, list[str]] = {}
    for mention in mentions:
        current = chosen.get(mention.id)
        later_wins = mention.platform != "rss" and (
            current is not None and (current.referenced_only or not mention.referenced_only)
        )
        if current is None or later_wins:
            chosen[mention.id] = mention
        sources = delivered.setdefault(mention.id, [])
        if mention.source not in sources:
            sources.append(mention.source)
    return list(chosen.values()), delivered


@dataclass
class ImportAccounts:
    """What one import (one classifier, one config) knows of the accounts it has stored.

    The same authors come back in every transaction of an archive. Each one's role is
    decided once (`decisions`), and an account exactly equal to one that a committed
    transaction of this import wrote is not written again: its upsert would change
    nothing. If another writer changed that account meanwhile (the collector, with a newer
    profile), the import does not put its older copy back.
    """

    decisions: dict[Account, RoleDecision] = field(default_factory=dict)
    stored: set[Account] = field(default_factory=set)
    """Accounts as committed by this import's transactions."""
    writing: list[Account] = field(default_factory=list)
    """Accounts upserted by the open transaction: stored once it commits."""
    roles: dict[str, str] = field(default_factory=dict)
    """The role of the last account of each key this import was given."""

    def decision(self, account: Account, classifier: Classifier) -> RoleDecision:
        """The account's role decision, decided once; its role is then the one of its key."""
        decision = self.decisions.get(account)
        if decision is None:
            if len(self.decisions) >= ACCOUNTS_KEPT:
                self.decisions.clear()
            decision = self.decisions[account] = classifier.classify_account(account)
        if len(self.roles) >= ACCOUNTS_KEPT:
            self.roles.clear()  # an author not in it: the stored account's role
        self.roles[account.key] = decision.role
        return decision

    def fill_roles(self, keys: Iterable[str], roles: dict[str, str]) -> None:
        """Add to `roles` the role of each author key a batch has no account for but an
        earlier batch of this import had (the worker sends an account only when it is new
        or changed: `cache.write.worker_side.SentAccounts`)."""
        known = self.roles
        for key in keys:
            if key not in roles:
                role = known.get(key)
                if role is not None:
                    roles[key] = role

    def begin(self) -> None:
        """A transaction starts: what a failed one was writing is forgotten."""
        self.writing.clear()

    def committed(self) -> None:
        """The transaction committed: its accounts are stored as written."""
        if len(self.stored) + len(self.writing) > ACCOUNTS_KEPT:
            self.stored.clear()
        self.stored.update(self.writing)
        self.writing.clear()


def store_accounts(
    store: Store,
    accounts: Sequence[Account],
    classifier: Classifier,
    now: str,
    known: ImportAccounts | None = None,
    captures: Sequence[str] | None = None,
) -> tuple[dict[str, str], int]:
    """Upsert the accounts; returns their roles and how many rows were added or changed
    (the same author on every page of an archive counts only when new or changed).

    `known`: what the import this transaction belongs to knows of its accounts.
    `captures`: when an archive captured each account (`ParsedBatch.account_captures`),
    None for accounts polled live. A profile captured before the stored one never
    replaces it: an archive read later may hold an older profile (fewer followers).
    """
    roles: dict[str, str] = {}
    rows = []
    earlier = earlier_listed_handles(store.conn, classifier.role_rules, accounts)
    for account, captured in newest_accounts(accounts, captures):
        decision = renamed_decision(classifier.role_rules, account, earlier)
        if decision is not None:
            if known is not None:
                known.roles[account.key] = decision.role
        elif known is None:
            decision = classifier.classify_account(account)
        else:
            decision = known.decision(account, classifier)
        roles[account.key] = decision.role
        if known is not None:
            if account in known.stored:
                continue
            known.writing.append(account)
        rows.append(
            (
                account.key,
                account.platform,
                account.handle,
                account.display_name,
                account.bio,
                account.followers,
                account.following,
                account.post_count,
                format_timestamp(account.created_at) if account.created_at else None,
                int(account.verified),
                decision.role,
                decision.reason,
                account.raw,
                payload_digest(account.raw),
                now,
                now if captured is None else captured,
                int(captured is None),
            )
        )
    # A feed author carries no profile: never let it blank a richer stored one.
    written = store.conn.executemany(_UPSERT_ACCOUNT, rows)
    return roles, max(written.rowcount, 0)


_UPSERT_ACCOUNT = """
        INSERT INTO accounts (key, platform, handle, display_name, bio, followers, following,
            post_count, created_at, verified, role, role_reason, raw, raw_hash, updated_at,
            captured_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
        ON CONFLICT(key) DO UPDATE SET
            platform = excluded.platform,
            handle = excluded.handle, display_name = excluded.display_name, bio = excluded.bio,
            followers = excluded.followers, following = excluded.following,
            post_count = excluded.post_count, created_at = excluded.created_at,
            verified = excluded.verified, role = excluded.role,
            role_reason = excluded.role_reason, raw = excluded.raw,
            raw_hash = excluded.raw_hash, updated_at = excluded.updated_at,
            captured_at = excluded.captured_at
        WHERE (excluded.raw_hash != accounts.raw_hash
            OR excluded.role != accounts.role OR excluded.role_reason != accounts.role_reason)
            AND (?17 OR excluded.captured_at > accounts.captured_at)
        """
"""Upsert one account (`store_accounts`' rows). ?17: polled live, the newest profile there
is; else the stored profile stays unless this one was captured after it (at the same time,
or both at a time no archive told: the one stored first)."""


def fill_missing_roles(
    store: Store,
    authors: Iterable[tuple[str, str, str, str]],
    roles: dict[str, str],
    classifier: Classifier,
) -> None:
    """Add to `roles` the role of each author (key, handle, name, platform) the batch gave
    no account for: the stored account's, else one decided from the post's own author
    fields (the first post of that author in the batch)."""
    missing: dict[str, tuple[str, str, str, str]] = {}
    for author in authors:
        if author[0] and author[0] not in roles:
            missing.setdefault(author[0], author)
    keys = list(missing)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        for key, role in store.conn.execute(
            f"SELECT key, role FROM accounts WHERE key IN ({marks})", chunk
        ):
            roles[key] = role
    for key, handle, name, platform in missing.values():
        if key not in roles:
            roles[key] = classifier.role_rules.decide(handle, name, platform=platform).role


def _store_mentions(
    store: Store,
    mentions: list[Mention],
    delivered: dict[str, list[str]],
    roles: dict[str, str],
    classifier: Classifier,
    now: str,
    result: IngestResult,
    deferred: fts.Deferred | None = None,
    account_keys: Sequence[str] = (),
) -> None:
    existing = load_existing(store, [m.id for m in mentions])
    seen_at = parse_timestamp(now) or utc_now()
    inserts: list[tuple[object, ...]] = []
    updates: list[tuple[object, ...]] = []
    source_only: list[tuple[str, str, str]] = []
    authors: list[tuple[str, ...]] = []
    topic_rows: list[tuple[str, str, str]] = []
    retopic_ids: list[tuple[str]] = []
    # The new mentions' topics in one batch; a changed one is classified on its own below.
    answers = classifier.answers_for(m.text for m in mentions if m.id not in existing)
    for mention in mentions:
        digest = payload_digest(mention.raw)
        before = existing.get(mention.id)
        sources = delivered[mention.id]
        if before is not None and before.superseded:
            result.unchanged += 1
            continue
        if before is not None:
            sources = before.sources + [s for s in sources if s not in before.sources]
            # A referenced copy from `includes` may lack fields: it never overwrites.
            partial_copy = mention.referenced_only
            same_payload = same_post(mention.platform, mention.raw, digest, before.raw_hash)
            # One article in several feeds: the feed that first delivered it owns the payload.
            other_feed = mention.platform == "rss" and mention.source != before.source
            blank = before.blank_copy(mention.text)
            if partial_copy or same_payload or other_feed or blank:
                # Nothing new to keep, except perhaps one more source for the same item, or
                # the author of a post stored without one.
                learned = before.learns_author(mention.platform, mention.author)
                if learned:
                    key = mention.author_key
                    role = author_role(roles, key)
                    name = mention.author_name
                    authors.append((mention.url, mention.author, name, key, role, now, mention.id))
                if sources != before.sources:
                    source_only.append((json.dumps(sources), now, mention.id))
                if learned or sources != before.sources:
                    result.updated += 1
                    result.updated_ids.append(mention.id)
                else:
                    result.unchanged += 1
                continue
        classification = answers.get(mention.text) or classifier.classify_mention(mention)
        role = author_role(roles, mention.author_key)
        created = format_timestamp(mention.created_at)
        flag = mention.time_flag or time_flag(mention.platform, mention.created_at, seen_at)
        if flag == TIME_UNDATED and before is not None and before.time_flag == TIME_UNDATED:
            created = before.created_at  # still undated: it was first seen back then
        row = _mention_row(mention, sources, role, classification, created, flag, digest, now)
        topic_rows.extend((topic, created, mention.id) for topic in classification.topics)
        if before is None:
            inserts.append(row)
            result.new += 1
            result.new_ids.append(mention.id)
        else:
            updates.append((*row[1:-2], row[-1], mention.id))
            retopic_ids.append((mention.id,))
            result.updated += 1
            result.updated_ids.append(mention.id)
    write_rows(
        store.conn,
        inserts,
        updates,
        source_only,
        retopic_ids,
        topic_rows,
        result,
        deferred,
        authors=authors,
        account_keys=account_keys,
        now=now,
    )


def write_rows(
    conn: sqlite3.Connection,
    inserts: list[tuple[object, ...]],
    updates: list[tuple[object, ...]],
    source_only: list[tuple[str, str, str]],
    retopic_ids: list[tuple[str]],
    topic_rows: list[tuple[str, str, str]],
    result: IngestResult,
    deferred: fts.Deferred | None,
    layout: InsertLayout | None = None,
    *,
    authors: Sequence[tuple[str, ...]] = (),
    account_keys: Iterable[str] = (),
    now: str,
) -> None:
    """Write one transaction's new rows, changed rows, new sources, authors learned
    (`_LEARN_AUTHOR`'s values) and topics (each kind with one statement), give the posts
    still without an author whose account is stored (theirs or `account_keys`, the
    accounts the transaction stored) that account's (`cache.db.known_authors`), then
    settle the thread topics below what was written.
    `deferred`: inside `fts.deferred_inserts` (a bulk load), else None. `layout`: how the
    tuples of `inserts` hold a row (`ready_layout`, only with `deferred`, whose inserts'
    topics are not in `topic_rows`; else every column of `mentions` in
    `MENTION_COLUMNS`' order)."""
    layout = layout or ALL_COLUMNS
    inserted_authors = set(map(layout.author, inserts))
    if inserts and deferred is not None:
        # No row trigger to feed (see `fts.deferred_inserts`): the rows go straight in.
        insert(conn, layout, inserts)
        if layout.topics_from_rows:  # in C, not a bound row per topic (bench/README.md)
            conn.execute(TOPICS_OF_NEW_ROWS, (deferred.since,))
        deferred.list_authors(conn, inserted_authors)
        deferred.list_days(conn, {str(row[layout.created])[:10] for row in inserts})
    elif inserts:
        if layout is not ALL_COLUMNS:
            raise ValueError("rows without every column are only inserted in a bulk load")
        conn.execute(_STAGE_TABLE)
        conn.executemany(_STAGE_MENTION, inserts)
        conn.execute(_INSERT_STAGED)
        conn.execute("DELETE FROM temp.mention_stage")
    conn.executemany(_UPDATE_MENTION, updates)
    conn.executemany("UPDATE mentions SET sources = ?, updated_at = ? WHERE id = ?", source_only)
    conn.executemany(_LEARN_AUTHOR, authors)
    conn.executemany("DELETE FROM mention_topics WHERE mention_id = ?", retopic_ids)
    # A rewritten mention starts again from its own topics; `settle` adds the thread's.
    conn.executemany("UPDATE mentions SET topics_from_thread = '[]' WHERE id = ?", retopic_ids)
    conn.executemany(
        "INSERT OR IGNORE INTO mention_topics (topic, created_at, mention_id) VALUES (?, ?, ?)",
        topic_rows,
    )
    # An earlier version of an edited post is no mention of its own once a later one is
    # stored (whichever came first); the rows are moved before their thread is settled.
    at_raw = _AT["raw"] - 1
    moved = edit_versions.settle(
        conn,
        itertools.chain(
            ((str(row[0]), row[layout.raw]) for row in inserts),
            ((str(row[-1]), row[at_raw]) for row in updates),
        ),
        None if deferred is None else deferred.since,
    )
    # A retweet is no mention of its own either (the post it reposts is one).
    at_kind = _AT["kind"] - 1
    aside = reposts.set_aside(
        conn,
        itertools.chain(
            ((str(row[0]), row[layout.kind]) for row in inserts),
            ((str(row[-1]), row[at_kind]) for row in updates),
        ),
        None if deferred is None else deferred.since,
    )
    result.versions += _not_counted(result, moved)
    result.reposts += _not_counted(result, aside)
    moved |= aside
    _fill_known_authors(conn, inserted_authors, updates, account_keys, now, result)
    written = [str(row[0]) for row in inserts] + [row[0] for row in retopic_ids]
    if moved:
        written = [i for i in written if i not in moved]
    if written:
        known = _settled_columns(inserts, updates, layout)
        # An answer or quote to an earlier version of an edited post is one to the post.
        newest = edit_versions.follow_answers(
            conn, (t for k in known.values() for t in k[2:4] if t is not None)
        )
        if newest:
            for i, (topics, inherited, reply_to, quoted, created) in list(known.items()):
                reply_to = newest.get(reply_to or "", reply_to)
                quoted = newest.get(quoted or "", quoted)
                known[i] = (topics, inherited, reply_to, quoted, created)
        # Replies stored earlier whose topics changed with this batch (their parent came):
        # not counted as updated payloads, but listed so the screen redraws their rows.
        listed = set(result.new_ids) | set(result.updated_ids)
        result.updated_ids.extend(i for i in settle(conn, written, known) if i not in listed)


def _fill_known_authors(
    conn: sqlite3.Connection,
    inserted_authors: set[tuple[object, object]],
    updates: list[tuple[object, ...]],
    account_keys: Iterable[str],
    now: str,
    result: IngestResult,
) -> None:
    """`known_authors.fill` for the posts written without an author and the accounts
    stored: a post whose account is stored is its author's, whichever came first. Posts
    that take an author are counted as updated, unless new in this transaction."""
    keys = {str(key) for key, author in inserted_authors if author == UNKNOWN_AUTHOR and key}
    at_key, at_author = _AT["author_key"] - 1, _AT["author"] - 1
    keys.update(str(row[at_key]) for row in updates if row[at_author] == UNKNOWN_AUTHOR)
    keys.update(account_keys)
    filled = known_authors.fill(conn, keys, now)
    if filled:
        listed = set(result.new_ids) | set(result.updated_ids)
        more = [i for i in filled if i not in listed]
        result.updated += len(more)
        result.updated_ids.extend(more)


def _not_counted(result: IngestResult, aside: set[str]) -> int:
    """Take the posts just kept aside (no mentions of their own) out of the new and
    changed mentions `result` counts; returns how many of them this batch stored."""
    if not aside:
        return 0
    new = [i for i in result.new_ids if i not in aside]
    updated = [i for i in result.updated_ids if i not in aside]
    taken = len(result.new_ids) - len(new) + len(result.updated_ids) - len(updated)
    result.new -= len(result.new_ids) - len(new)
    result.updated -= len(result.updated_ids) - len(updated)
    result.new_ids[:], result.updated_ids[:] = new, updated
    return taken


_AT = {column: index for index, column in enumerate(MENTION_COLUMNS)}
_SETTLED_OF_UPDATE = operator.itemgetter(  # an update's values lack the id in front
    _AT["topics"] - 1, _AT["in_reply_to"] - 1, _AT["quoted_id"] - 1, _AT["created_at"] - 1
)


def _settled_columns(
    inserts: list[tuple[object, ...]], updates: list[tuple[object, ...]], layout: InsertLayout
) -> dict[str, Stored]:
    """What `settle` would read back of the rows just written (`Stored`), from the rows
    themselves: both kinds start with no topics from the thread."""
    known: dict[str, Stored] = {}
    for rows, columns, at_id in (
        (inserts, layout.settled, 0),
        (updates, _SETTLED_OF_UPDATE, -1),
    ):
        for row in rows:
            mention_id: Any = row[at_id]
            topics, reply_to, quoted, created = columns(row)
            known[mention_id] = (as_json_list(topics), [], reply_to, quoted, created)
    return known


def _mention_row(
    mention: Mention,
    sources: list[str],
    role: str,
    classification: Classification,
    created: str,
    flag: str,
    digest: str,
    now: str,
) -> tuple[object, ...]:
    return (
        mention.id,
        mention.platform,
        mention.source,
        json_list(tuple(sources)),
        mention.url,
        mention.canonical_url,
        mention.author,
        mention.author_name,
        mention.author_key,
        mention.text,
        mention.title,
        mention.lang,
        created,
        flag,
        mention.kind,
        mention.in_reply_to,
        mention.quoted_id,
        mention.conversation_id,
        int(mention.referenced_only),
        role,
        json_list(classification.topics),
        matches_json(classification.matches),
        mention.raw,
        digest,
        now,
        now,
    )


def matches_json(matches: Mapping[str, tuple[str, ...]]) -> str:
    """The stored `topic_matches` of a classification: its JSON, "{}" for none."""
    return _matches_json(tuple(matches.items())) if matches else "{}"


def stored_topics(classification: Classification) -> Topics:
    """A classification as an import's row carries it (`cache.write.direct.Topics`)."""
    return (
        classification.topics,
        json_list(classification.topics),
        matches_json(classification.matches),
    )


@functools.lru_cache(maxsize=16384)
def _matches_json(items: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    # The same few words name a topic in most posts: serialise each combination once.
    return json.dumps(dict(items), ensure_ascii=False)


@functools.lru_cache(maxsize=4096)
def json_list(values: tuple[str, ...]) -> str:
    # A few distinct source and topic lists make up nearly every row: serialise each once.
    return json.dumps(list(values))


def load_existing(store: Store, ids: list[str]) -> dict[str, Existing]:
    found: dict[str, Existing] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" for _ in chunk)
        rows = store.conn.execute(
            "SELECT id, source, raw_hash, referenced_only, sources, created_at, time_flag, "
            f"author, text FROM mentions WHERE id IN ({marks})",
            chunk,
        )
        for row in rows:
            found[row[0]] = Existing(
                row[1],
                row[2],
                bool(row[3]),
                as_json_list(row[4]),
                row[5],
                row[6],
                row[7],
                bool((row[8] or "").strip()),
            )
    if edit_versions.any_stored(store.conn):
        missing = [i for i in ids if i not in found]
        for mention_id, digest in edit_versions.stored_versions(store.conn, missing).items():
            # Another copy of an earlier version changes nothing a reader sees.
            found[mention_id] = Existing("", str(digest), True, [], "", "", "", True, True)
    if reposts.any_stored(store.conn):
        missing = [i for i in ids if i not in found]
        for mention_id, digest in reposts.stored_reposts(store.conn, missing).items():
            # A retweet set aside stays aside: another copy of it is no mention either.
            found[mention_id] = Existing("", str(digest), True, [], "", "", "", True, True)
    return found


def same_post(platform: str, raw: str, digest: str, stored_digest: str) -> bool:
    """Whether a payload (`raw`, its `digest`) is the one a row holds (`stored_digest`),
    including an X post stored, unchanged, in the older form (`legacy_post_json`)."""
    if digest == stored_digest:
        return True
    if platform != "x":
        return False
    try:
        return payload_digest(legacy_post_json(raw)) == stored_digest
    except ValueError:  # not JSON: no older form of it was ever stored
        return False


def payload_digest(raw: str) -> str:
    return hashlib.sha1(raw.encode("utf-8", "surrogatepass")).hexdigest()
