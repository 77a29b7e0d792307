"""The screens' one way into the store: each function opens its own read-only store.

Screens call these from worker threads (a SQLite connection belongs to the thread that
opened it), so no screen opens the store itself. The reads live in `cache/`; here they
are only wrapped with the opening and closing of the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cache.monitor_queries import MentionDetail, feed_reply_badges, mention_detail
from cache.store import Store
from cache.thread_walk import (
    AccountPage,
    PostAuthor,
    TextBlockReplies,
    account_page,
    parody_pages,
    post_authors,
    reply_text_blocks,
    text_block_of,
)
from cache.threads import thread_for
from filters.threads import Thread
from sources.config import Config, ConfigError


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
