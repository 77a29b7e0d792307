"""Load threads from the store: the critical mention, ambassador replies, parody reactions.

The rules live in `filters.threads`; this module only fetches the posts a thread may
contain (by the indexed link columns `in_reply_to` and `quoted_id`) and hands them over.
Nothing about threads is stored: each read assembles them from the links kept with every
mention, so a post that arrives late simply shows up in the next read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from cache.db import edit_versions
from cache.db.store import Store, as_json_list
from cache.read.by_ids import rows_for_ids
from cache.read.search import select_sql
from cache.read.selection import Selection
from filters.threads import (
    NOT_CRITICAL_ROLES,
    LinkedPost,
    PostRef,
    Thread,
    assemble_thread,
    can_be_critical,
    is_critical,
)
from sources.model.text import parse_timestamp

_COLUMNS = (
    "id, author, author_name, role, text, created_at, topics, url, kind, in_reply_to, "
    "quoted_id, conversation_id"
)
_NOT_CRITICAL = "(" + ", ".join(f"'{role}'" for role in NOT_CRITICAL_ROLES) + ")"
CRITICAL_SQL = (
    f"(m.role NOT IN {_NOT_CRITICAL} AND m.kind != 'retweet' AND (m.topics != '[]' "
    "OR EXISTS (SELECT 1 FROM mentions AS r WHERE r.in_reply_to = m.id "
    "AND +r.role = 'ambassador')))"
)
"""The critical-mention rule of `filters.threads` as a condition on `mentions AS m`."""

_MAX_WALK = 25
"""Most links followed from a mention up to its critical post (guards against cycles)."""
_CHUNK = 400


def thread_for(store: Store, mention_id: str) -> Thread | None:
    """The thread that `mention_id` belongs to, rooted at its critical mention.

    Any member works: the critical mention, an ambassador reply, or a parody reaction.
    None when the mention belongs to no thread (an answer to a parody post is in none).
    When the critical mention itself is not
    stored yet, the thread is still returned with a bare root listed in `missing_ids`.
    """
    root_id = _root_id(store, mention_id)
    if root_id is None:
        return None
    root_post = _load(store, [root_id]).get(root_id)
    pool = _thread_pool(store, [root_id])
    if root_post is None:
        root = PostRef(root_id)
        if not pool:
            return None
    else:
        root = root_post.ref
        answered = any(
            p.ref.role == "ambassador" and p.in_reply_to == root_id for p in pool.values()
        )
        if not is_critical(root.role, root_post.kind, root.topics, answered):
            return None
    said = _first_said(store, [root_id, *_replies_of(pool)])
    return assemble_thread(
        root, pool.values(), first_said=said.get(root_id), replies_first_said=said
    )


def critical_threads(store: Store, selection: Selection, limit: int | None = 50) -> list[Thread]:
    """The threads of the newest critical mentions that `selection` selects."""
    return list(iter_critical_threads(store, selection, limit=limit))


def iter_critical_threads(
    store: Store, selection: Selection, *, limit: int | None = None
) -> Iterator[Thread]:
    """Every critical mention of `selection` with its thread, newest first, streamed."""
    where = Selection(
        f"({selection.where}) AND {CRITICAL_SQL}", selection.params, by_author=selection.by_author
    )
    columns = ", ".join(f"m.{c.strip()}" for c in _COLUMNS.split(","))
    sql, params = select_sql(where, columns=columns, limit=limit)
    rows = store.rows(sql, params)
    while True:
        chunk = [_linked(row) for _, row in zip(range(_CHUNK), rows, strict=False)]
        if not chunk:
            return
        pool = _thread_pool(store, [p.ref.id for p in chunk])
        by_target: dict[str, list[LinkedPost]] = {}
        for member in pool.values():
            for target in {member.in_reply_to, member.quoted_id} - {None}:
                by_target.setdefault(str(target), []).append(member)
        first_said = _first_said(store, [*(p.ref.id for p in chunk), *_replies_of(pool)])
        for post in chunk:
            members = _members(post.ref.id, by_target)
            yield assemble_thread(
                post.ref,
                members,
                first_said=first_said.get(post.ref.id),
                replies_first_said=first_said,
            )


def _replies_of(pool: dict[str, LinkedPost]) -> list[str]:
    """The ambassador replies in `pool` (whose edits a delay must see through)."""
    return [key for key, post in pool.items() if post.ref.role == "ambassador"]


def _first_said(store: Store, ids: Sequence[str]) -> dict[str, datetime]:
    """Of the mentions `ids`, the edited ones with their first version's time."""
    found = edit_versions.first_times(store.conn, ids)
    return {i: t for i, text in found.items() if (t := parse_timestamp(text)) is not None}


def _members(root_id: str, by_target: dict[str, list[LinkedPost]]) -> list[LinkedPost]:
    """The posts of the shared pool that hang below `root_id` (so assembly stays small)."""
    found: dict[str, LinkedPost] = {}
    frontier = [root_id]
    while frontier:
        nxt = []
        for target in frontier:
            for post in by_target.get(target, ()):
                if post.ref.id not in found and post.ref.id != root_id:
                    found[post.ref.id] = post
                    if post.ref.role == "ambassador":
                        nxt.append(post.ref.id)
        frontier = nxt
    return list(found.values())


def _root_id(store: Store, mention_id: str) -> str | None:
    current = mention_id
    followed = False  # a link was followed: `current` is no longer the post opened
    for _ in range(_MAX_WALK):
        post = _load(store, [current]).get(current)
        if post is None and (newer := edit_versions.newest_of(store.conn, [current])):
            current = newer[current]  # an earlier version of an edited post: the mention
            continue
        if post is None:
            # Not stored (yet): it is the root if some post answers or reacts to it.
            return current if current != mention_id or _is_referenced(store, current) else None
        if can_be_critical(post.ref.role, post.kind):
            return current
        if post.ref.role == "parody" and followed:
            # A thread reaches a parody post only as a reaction, which nothing hangs from:
            # an answer to it (an ambassador's or another parody's) is in no thread.
            return None
        if post.ref.role == "ambassador" and post.in_reply_to:
            current = post.in_reply_to
        elif post.ref.role == "parody" and (post.in_reply_to or post.quoted_id):
            current = post.in_reply_to or post.quoted_id or ""
        else:
            return None
        followed = True
    return None


def _is_referenced(store: Store, mention_id: str) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM mentions WHERE in_reply_to = ? OR quoted_id = ? LIMIT 1",
        [mention_id, mention_id],
    ).fetchone()
    return row is not None


def _thread_pool(store: Store, root_ids: Sequence[str]) -> dict[str, LinkedPost]:
    """Ambassador replies (and chains of them) to the roots, and parody reactions to all."""
    pool: dict[str, LinkedPost] = {}
    # Answers to an earlier version of an edited root belong to its thread.
    earlier = edit_versions.earlier_of(store.conn, root_ids)
    frontier = [*root_ids, *earlier]
    members = set(frontier)
    for _ in range(_MAX_WALK):
        replies = _linked_to(store, frontier, "in_reply_to", "ambassador")
        fresh = [p for p in replies if p.ref.id not in members]
        if not fresh:
            break
        for post in fresh:
            pool[post.ref.id] = post
            members.add(post.ref.id)
        frontier = [p.ref.id for p in fresh]
    targets = list(members)
    for link in ("in_reply_to", "quoted_id"):
        for post in _linked_to(store, targets, link, "parody"):
            pool.setdefault(post.ref.id, post)
    if earlier:
        for key, post in pool.items():
            pool[key] = replace(
                post,
                in_reply_to=earlier.get(post.in_reply_to or "", post.in_reply_to),
                quoted_id=earlier.get(post.quoted_id or "", post.quoted_id),
            )
    return pool


def _linked_to(store: Store, targets: Sequence[str], link: str, role: str) -> list[LinkedPost]:
    # `+role`: the link index finds the few answers; the role index would walk every post
    # by, say, all parody accounts.
    sql = f"SELECT {_COLUMNS} FROM mentions WHERE {link} IN ({{marks}}) AND +role = ?"
    return [_linked(row) for row in rows_for_ids(store, sql, targets, [role])]


def _load(store: Store, ids: Sequence[str]) -> dict[str, LinkedPost]:
    sql = f"SELECT {_COLUMNS} FROM mentions WHERE id IN ({{marks}})"
    return {row["id"]: _linked(row) for row in rows_for_ids(store, sql, ids)}


def _linked(row: dict[str, Any]) -> LinkedPost:
    ref = PostRef(
        id=row["id"],
        author=row["author"],
        author_name=row["author_name"],
        role=row["role"],
        text=row["text"],
        created_at=parse_timestamp(row["created_at"]),
        topics=tuple(as_json_list(row["topics"])),
        url=row["url"],
    )
    return LinkedPost(
        ref,
        kind=row["kind"],
        in_reply_to=row["in_reply_to"],
        quoted_id=row["quoted_id"],
        conversation_id=row["conversation_id"],
    )
