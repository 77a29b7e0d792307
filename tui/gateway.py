"""The screens' one way into the store: each function opens its own read-only store.

Screens call these from worker threads (a SQLite connection belongs to the thread that
opened it), so no screen opens the store itself. The reads live in `cache/`; here they
are only wrapped with the opening and closing of the store. The marks a reader keeps
(read, starred) are the one write: it opens its own short writing connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cache.db.store import Store, StoreError, describe_sqlite_error
from cache.read import marks
from cache.read.monitor_queries import MentionDetail, feed_reply_badges, mention_detail
from cache.read.thread_walk import (
    AccountPage,
    PostAuthor,
    TextBlockReplies,
    account_page,
    parody_pages,
    post_authors,
    reply_text_blocks,
    text_block_of,
)
from cache.read.threads import thread_for
from filters.threads import Thread
from sources.model.config import Config, ConfigError


@dataclass(frozen=True)
class ThreadRead:
    """One mention, its thread and who wrote each post of it."""

    detail: MentionDetail | None
    thread: Thread | None
    authors: dict[str, PostAuthor] = field(default_factory=dict)


def thread_ids(mention_id: str, thread: Thread | None) -> list[str]:
    """Every post id the thread view shows: the mention, the root, replies, reactions."""
    ids = [mention_id]
    if thread is not None:
        ids.append(thread.root.id)
        ids.extend(r.post.id for r in thread.root_reactions)
        for reply in thread.replies:
            ids.append(reply.post.id)
            ids.extend(r.post.id for r in reply.reactions)
    return list(dict.fromkeys(ids))


def read_thread(db_path: Path, mention_id: str) -> ThreadRead:
    """The mention `mention_id`, the thread it belongs to, and the author of every post."""
    with Store.open(db_path, readonly=True) as store:
        detail = mention_detail(store, mention_id)
        if detail is None:
            return ThreadRead(None, None)
        thread = thread_for(store, mention_id)
        return ThreadRead(detail, thread, post_authors(store, thread_ids(mention_id, thread)))


@dataclass(frozen=True)
class ReplySignals:
    """The badges of ambassador replies and the text block each one uses."""

    badges: dict[str, tuple[str, ...]]
    blocks: dict[str, int]


def read_reply_signals(db_path: Path, config: Config, ids: Sequence[str]) -> ReplySignals:
    """Badges and text blocks of the replies `ids` (none when the config cannot be used:
    the feed already says why)."""
    with Store.open(db_path, readonly=True) as store:
        try:
            return ReplySignals(
                feed_reply_badges(store, config, ids), reply_text_blocks(store, config, ids)
            )
        except ConfigError:
            return ReplySignals({}, {})


def read_text_block(db_path: Path, config: Config, reply_id: str) -> TextBlockReplies | None:
    """Every reply sharing the text block of `reply_id`."""
    with Store.open(db_path, readonly=True) as store:
        return text_block_of(store, config, reply_id)


def read_account(db_path: Path, key: str) -> AccountPage | None:
    """One account with its newest posts (a parody account: its reactions)."""
    with Store.open(db_path, readonly=True) as store:
        return account_page(store, key)


def read_parody_accounts(db_path: Path) -> list[AccountPage]:
    """Every parody account with its newest reactions, the busiest first."""
    with Store.open(db_path, readonly=True) as store:
        return parody_pages(store)


def attach_marks(store: Store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give feed rows their `read` and `starred` flags (rows are changed and returned)."""
    found = marks.marks_for(store, (row["id"] for row in rows))
    for row in rows:
        mark = found.get(row["id"], marks.Marks())
        row["read"], row["starred"] = mark.read, mark.starred
    return rows


def unread_text(store: Store) -> str:
    """The unread count as the status line says it (`37`, `more than 10,000`)."""
    count = marks.unread_count(store)
    return f"more than {marks.UNREAD_CAP:,}" if count > marks.UNREAD_CAP else f"{count:,}"


def save_marks(
    db_path: Path,
    ids: Sequence[str],
    now: datetime,
    *,
    read: bool | None = None,
    starred: bool | None = None,
) -> str | None:
    """Store the marks; None when saved, else the sentence saying why they were not.

    A store that cannot be written (read-only file or filesystem, busy, damaged) is not an
    error of the monitor: the reader is told, and the marks stay as they were.
    """
    try:
        with Store.open(db_path, create=False) as store:
            marks.set_marks(store, ids, now, read=read, starred=starred)
    except StoreError as exc:
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return describe_sqlite_error(db_path, exc)
    return None
