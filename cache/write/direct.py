"""The importer's direct path: API v2 pages straight into row tuples.

`app.py import` spends most of its time turning pages into `Mention` objects and back
into rows. Here a decoded page becomes one tuple per post (`Pre`) with the values the row
will hold, and the payload (`raw`) stays the decoded tweet until a row is actually
written: a referenced copy of a post already stored or already in the batch is never
serialised. `cache.write.ingest_rows` stores these tuples; the stored rows are the same
byte for byte as `sources.x.twitter_v2.parse_response` + `cache.write.ingest.ingest` make
(tests/test_bulk_store_equal.py compares whole stores).

Every rule here mirrors `parse_response`/`mention_from_tweet`; a change there must be made
here too (the whole-store test fails otherwise).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from filters.classification import Classification
from sources.model.records import Account, ParsedBatch, Skipped
from sources.x.twitter_v2 import post_json_encoded, time_from_id, tweet_fields, walk_page

# The fields of a `Pre` tuple (a post as parsed, before the store's own columns).
ID, SOURCE, URL, AUTHOR, AUTHOR_NAME, AUTHOR_KEY, TEXT, LANG = range(8)
CREATED, CREATED_TEXT, KIND, IN_REPLY_TO, QUOTED_ID, CONVERSATION_ID = range(8, 14)
REFERENCED_ONLY, PAYLOAD, TOPICS = 14, 15, 16
Pre = tuple[Any, ...]
"""(id, source, url, author, author_name, author_key, text, lang, created_at (the
`isoformat()` of the aware UTC time, which `sources.model.text.IsoTimeFlags` reads),
created_at as stored, kind, in_reply_to, quoted_id, conversation_id, referenced_only,
payload, topics). Platform `x`, no title, canonical URL or time flag of its own. The
payload is the decoded tweet, or its stored JSON and digest (`Encoded`) in a row made
from a `Ready` one (`pre_of_ready`); the topics are None, or in such a row the index of
its `Topics` in the list `pre_of_ready` returns with it."""
Encoded = tuple[str, str]
"""A payload as the row stores it: (raw JSON, SHA-1 hex digest of its UTF-8 bytes)."""
Topics = tuple[tuple[str, ...], str, str]
"""A text's topics as its row stores them: (topics, their JSON, the JSON of the matched
words; `cache.write.ingest.stored_topics`)."""

# The fields of a `Ready` row that differ from `Pre`'s (the others are where `Pre` has them).
SOURCES_JSON, RAW, RAW_HASH, TOPICS_JSON, MATCHES_JSON, CREATED_ISO = 8, 15, 16, 17, 18, 19
READY_COLUMNS = (
    "id",
    "source",
    "url",
    "author",
    "author_name",
    "author_key",
    "text",
    "lang",
    "sources",
    "created_at",
    "kind",
    "in_reply_to",
    "quoted_id",
    "conversation_id",
    "referenced_only",
    "raw",
    "raw_hash",
    "topics",
    "topic_matches",
)
"""The stored columns a `Ready` row holds, in its order (`CREATED_ISO` follows them)."""
Ready = tuple[Any, ...]
"""A post deduplicated and made ready to store: the values of `READY_COLUMNS` (the
sources as stored JSON), then created_at as `Pre` has it (for the time flag). The columns
every X post has alike (platform, canonical URL, title) and those that need the store or
its clock come from the storing process."""


@dataclass(slots=True)
class RowBatch(ParsedBatch):
    """A parsed page whose posts are `Pre` tuples instead of `Mention` objects."""

    rows: list[Pre] = field(default_factory=list)
    times_from_ids: int = 0
    """Posts without created_at, placed at the time their id encodes (those with an
    unreadable one are placed so too, and told by a warning instead)."""
    ready: bool = False
    """The rows are `Ready` rows (`make_ready`), one per id."""
    copies_left_out: int = 0
    """Referenced copies `rows_from_page` did not make rows (its `full_posts`). A batch
    is cut at a size that counts them, so that it ends where it did when they were rows
    (which posts a transaction holds decides what an import reports as unchanged)."""

    def extend(self, other: ParsedBatch) -> None:
        if self.ready or (isinstance(other, RowBatch) and other.ready):
            # Each is one transaction's rows, deduplicated as a whole: merged, an id
            # could come twice.
            raise ValueError("batches of rows made ready to store are stored as they are")
        ParsedBatch.extend(self, other)
        if isinstance(other, RowBatch):
            self.rows.extend(other.rows)
            self.times_from_ids += other.times_from_ids
            self.copies_left_out += other.copies_left_out

    def __getstate__(self) -> dict[str, Any]:
        # A batch is pickled when the import's worker hands it over (`cache.write.
        # worker_side`). Its rows (plain strings, numbers and the payloads' dicts) go as
        # one marshal record: the worker writes a chunk in 1.2-1.3 µs a row instead of
        # pickle's 2.1-2.4, and the importer reads it as fast as before (bench/README.md).
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        with contextlib.suppress(ValueError):  # a value marshal refuses: rows as they are
            state["rows"] = marshal.dumps(self.rows)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        if isinstance(self.rows, bytes):
            self.rows = marshal.loads(self.rows)


def times_from_ids(batch: ParsedBatch) -> int:
    """How many posts of `batch` have no created_at, their time taken from their id."""
    found = sum(map(time_from_id, batch.mentions))
    return found + batch.times_from_ids if isinstance(batch, RowBatch) else found


def raw_and_digest(payload: Mapping[str, Any] | Encoded) -> Encoded:
    """The stored JSON of a payload and its digest, worked out here unless already done."""
    if isinstance(payload, tuple):
        return payload
    raw, encoded = post_json_encoded(payload)
    return raw, hashlib.sha1(encoded).hexdigest()


def dedupe(rows: list[Pre]) -> tuple[list[Pre], dict[str, list[str]]]:
    """One row per id, in the order ids first come, and the sources that delivered each:
    `cache.write.ingest._dedupe` for X rows, where a later payload wins unless it is only a
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


def make_ready(
    batch: RowBatch,
    classify: Callable[[list[str]], Sequence[Classification]],
    stored: Callable[[Classification], Topics],
    listed: Callable[[tuple[str, ...]], str],
) -> None:
    """Turn the batch's rows into `Ready` rows, one per id (`dedupe`), in place.

    `classify` gives the classification of each text of a list (the texts of the rows
    kept, each once per id); `stored` makes one a `Topics` (called once per distinct
    classification object: the classifier shares them between texts) and `listed`
    writes a list of sources as the row stores it. Done by the import's reading
    process, so that the storing one, the slower of the two, only adds what needs the
    store (role, time flag, clock) to each row before writing it
    (`cache.write.ingest_rows`).
    """
    rows, delivered = dedupe(batch.rows)
    found = classify([row[TEXT] for row in rows])
    topics_of: dict[int, Topics] = {}
    ready: list[Ready] = []
    for row, classification in zip(rows, found, strict=True):
        topics = topics_of.get(id(classification))
        if topics is None:
            topics = topics_of[id(classification)] = stored(classification)
        raw, digest = raw_and_digest(row[PAYLOAD])
        ready.append(
            (
                *row[:CREATED],
                listed(tuple(delivered[row[ID]])),
                *row[CREATED_TEXT:PAYLOAD],
                raw,
                digest,
                topics[1],
                topics[2],
                row[CREATED],
            )
        )
    batch.rows, batch.ready = ready, True


def pre_of_ready(
    batch: RowBatch, ids: Container[str]
) -> tuple[list[Pre], dict[str, list[str]], list[Topics]]:
    """The `Pre` rows, delivering sources and topics (which the rows index) of the `Ready`
    rows of `batch` whose id is one of `ids` (the storing process's general way, for posts
    stored already)."""
    topics_at: dict[tuple[str, str], int] = {}
    topics: list[Topics] = []
    rows: list[Pre] = []
    delivered: dict[str, list[str]] = {}
    for row in batch.rows:
        if row[ID] not in ids:
            continue
        key = (row[TOPICS_JSON], row[MATCHES_JSON])
        at = topics_at.get(key)
        if at is None:
            at = topics_at[key] = len(topics)
            topics.append((tuple(json.loads(key[0])), *key))
        delivered[row[ID]] = json.loads(row[SOURCES_JSON])
        rows.append(
            (
                *row[:CREATED],
                row[CREATED_ISO],
                *row[CREATED_TEXT:PAYLOAD],
                (row[RAW], row[RAW_HASH]),
                at,
            )
        )
    return rows, delivered, topics


def _stored_time(iso_utc: str) -> str:
    """`sources.model.text.format_timestamp` of an aware UTC time from its `isoformat()`
    (always four digits of year, and done in C)."""
    return iso_utc[:19] + "Z"


def _row(
    tweet: Mapping[str, Any],
    users: Mapping[str, Account],
    source: str,
    referenced_only: bool,
    warnings: list[str],
    batch: RowBatch,
) -> Pre | Skipped:
    """`mention_from_tweet` as a tuple (see `Pre`), from the same `tweet_fields`."""
    fields = tweet_fields(tweet, users, warnings)
    if isinstance(fields, Skipped):
        return fields
    mention_id, url, author, name, key, text, lang, created, kind, reply, quote, thread, by_id = (
        fields
    )
    if by_id:
        batch.times_from_ids += 1
    iso_utc = created.isoformat()  # `tweet_fields` gives aware UTC times (`+00:00`)
    return (
        mention_id,
        source,
        url,
        author,
        name,
        key,
        text,
        lang,
        iso_utc,
        _stored_time(iso_utc),
        kind,
        reply,
        quote,
        thread,
        referenced_only,
        tweet,
        None,
    )


FullPosts = dict[tuple[str, str], str]
"""(tweet id, source) -> created_at of the posts read in full so far in one chunk of rows,
when that time was readable (`rows_from_page`'s `full_posts`)."""


def rows_from_page(
    payload: Mapping[str, Any],
    source: str,
    where: str = "",
    full_posts: FullPosts | None = None,
) -> RowBatch:
    """`sources.x.twitter_v2.parse_response` of one v2 page, with posts as `Pre` tuples.

    `full_posts`: the posts the pages before this one in the same batch held in full
    (updated here). A referenced copy of one of them is not made a row at all: the batch
    would drop it anyway (`dedupe`: the full post, read first, stays in its place), and
    in a synthetic stream where a third of the posts answer recent ones, these copies are
    a quarter of all rows. Only a copy
    with the same created_at text is left out, so that it cannot have added a warning or a
    time taken from its id.
    """
    batch = RowBatch()
    where = where or source

    def post(
        tweet: Mapping[str, Any], users: dict[str, Account], referenced: bool, warnings: list[str]
    ) -> None:
        _add(batch, _row(tweet, users, source, referenced, warnings, batch), where)

    def post_once(
        tweet: Mapping[str, Any], users: dict[str, Account], referenced: bool, warnings: list[str]
    ) -> None:
        assert full_posts is not None
        key = (str(tweet.get("id")), source)
        given = tweet.get("created_at")
        if referenced:
            if type(given) is str and full_posts.get(key) == given:
                batch.copies_left_out += 1
                return
            post(tweet, users, referenced, warnings)
            return
        rows, from_ids, warned = len(batch.rows), batch.times_from_ids, len(warnings)
        post(tweet, users, referenced, warnings)
        if (
            type(given) is str
            and len(batch.rows) > rows
            and batch.times_from_ids == from_ids
            and len(warnings) == warned  # no unreadable created_at either
        ):
            full_posts[key] = given

    walk_page(payload, batch, where, post if full_posts is None else post_once)
    return batch


def _add(batch: RowBatch, result: Pre | Skipped, where: str) -> None:
    if isinstance(result, Skipped):
        batch.skipped.append(Skipped(f"{where}: {result.where}", result.reason))
    else:
        batch.rows.append(result)
