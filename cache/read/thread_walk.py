"""Reads for walking a thread: who wrote each post, one account's posts, one text block.

The thread view lets a reader move from a post to its author's profile, from an
ambassador reply to every reply sharing its text block, and from a parody account to each
of its reactions. These are the reads behind those steps; they run in a worker with
its own read-only store (through `tui.gateway`), and every text they return is the
stored, untrusted text (the screen cleans it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cache.db import author_index
from cache.db.store import Store
from cache.read.ambassadors import programme_text_blocks
from cache.read.author_posts import posts_of
from cache.read.by_ids import rows_for_ids
from sources.model.config import Config


@dataclass(frozen=True, slots=True)
class PostAuthor:
    """Who wrote a post: the account key (empty when no account is stored) and its role."""

    key: str
    handle: str
    role: str


def post_authors(store: Store, mention_ids: Iterable[str]) -> dict[str, PostAuthor]:
    """The author of each stored mention among `mention_ids` (the account's role first)."""
    sql = (
        "SELECT m.id, m.author_key, m.author, coalesce(nullif(a.role, ''), m.role) AS role "
        "FROM mentions AS m LEFT JOIN accounts AS a ON a.key = m.author_key "
        "WHERE m.id IN ({marks})"
    )
    return {
        row["id"]: PostAuthor(row["author_key"] or "", row["author"], row["role"] or "")
        for row in rows_for_ids(store, sql, mention_ids)
    }


@dataclass(frozen=True, slots=True)
class AccountPost:
    """One post of an account, with the post it answers or quotes (if stored)."""

    id: str
    created_at: str
    text: str
    kind: str
    target_id: str
    """The post replied to or quoted ('' for an own post)."""
    target_author: str
    target_role: str
    target_text: str
    """'' when the target is not stored."""
    reaction: bool = False
    """It answers or quotes someone else's post (one not stored counts: its author is not
    known to be the account). Answering or quoting its own post continues its own thread."""


@dataclass(frozen=True)
class AccountPage:
    """An account as its profile screen shows it: who, why its role, and its newest posts."""

    key: str
    handle: str
    display_name: str
    bio: str
    role: str
    role_reason: str
    platform: str
    followers: int | None
    following: int | None
    created_at: str | None
    posts: int
    """Every stored post of the account."""
    recent: tuple[AccountPost, ...]
    """The newest posts (up to the limit asked for), newest first."""
    own_posts: int = 0
    """The stored posts that reply to or quote nobody else's post (a parody account's own
    posts are no reactions: a reaction is a reply to or a quote of someone else)."""

    @property
    def reactions(self) -> int:
        """The stored posts that reply to or quote someone else's post."""
        return self.posts - self.own_posts


def account_page(store: Store, key: str, *, limit: int = 200) -> AccountPage | None:
    """The account `key` with its `limit` newest posts; None when it is not stored."""
    row = next(store.rows(_ACCOUNT_SQL + " WHERE key = ?", [key]), None)
    return None if row is None else _page(store, row, limit)


def parody_pages(store: Store, *, limit: int = 50) -> list[AccountPage]:
    """Every parody account with its `limit` newest reactions, the busiest first."""
    rows = list(store.rows(_ACCOUNT_SQL + " WHERE role = 'parody'"))
    pages = [_page(store, row, limit) for row in rows]
    pages.sort(key=lambda p: (-p.posts, p.handle.lower(), p.key))
    return pages


_ACCOUNT_SQL = (
    "SELECT key, handle, display_name, bio, role, role_reason, platform, followers, following, "
    "created_at FROM accounts"
)


def _page(store: Store, account: dict[str, Any], limit: int) -> AccountPage:
    authored = posts_of(store, [account["key"]])
    posts = authored.count(store)
    by_author, values = authored.condition()
    recent = tuple(
        AccountPost(
            r["id"],
            r["created_at"],
            r["text"],
            r["kind"],
            r["target_id"] or "",
            r["t_author"] or "",
            r["t_role"] or "",
            r["t_text"] or "",
            not r["own"],
        )
        for r in store.rows(
            "SELECT m.id, m.created_at, m.text, m.kind, "
            "coalesce(m.in_reply_to, m.quoted_id) AS target_id, t.author AS t_author, "
            f"t.role AS t_role, t.text AS t_text, {_OWN_POST} AS own FROM mentions AS m "
            "LEFT JOIN mentions AS t ON t.id = coalesce(m.in_reply_to, m.quoted_id) "
            f"WHERE {by_author} ORDER BY {author_index.NEWEST_FIRST} LIMIT ?",
            (*values, limit),
        )
    )
    return AccountPage(
        key=account["key"],
        handle=account["handle"],
        display_name=account["display_name"] or "",
        bio=account["bio"] or "",
        role=account["role"] or "",
        role_reason=account["role_reason"] or "",
        platform=account["platform"] or "",
        followers=account["followers"],
        following=account["following"],
        created_at=account["created_at"],
        posts=int(posts),
        recent=recent,
        own_posts=_own_posts(store, by_author, values) if posts else 0,
    )


def _by_self(link: str) -> str:
    """`m` links (`link`) to nothing or to a stored post by its own author."""
    return (
        f"(coalesce(m.{link}, '') = '' OR EXISTS (SELECT 1 FROM mentions AS o "
        f"WHERE o.id = m.{link} AND o.author_key = m.author_key))"
    )


_OWN_POST = f"({_by_self('in_reply_to')} AND {_by_self('quoted_id')})"
"""`m` answers and quotes nobody else's post: an own post, or its own thread going on."""


def _own_posts(store: Store, by_author: str, values: list[str]) -> int:
    """How many of an author's posts are its own (`_OWN_POST`; `by_author` on `m`)."""
    sql = f"SELECT count(*) FROM mentions AS m WHERE {by_author} AND {_OWN_POST}"
    return int(store.conn.execute(sql, values).fetchone()[0])


# --- text blocks ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockReply:
    """One reply that uses a text block."""

    id: str
    author_key: str
    handle: str
    created_at: str
    text: str
    in_reply_to: str


@dataclass(frozen=True)
class TextBlockReplies:
    """Every ambassador reply sharing one text block (near-duplicates across accounts)."""

    number: int
    accounts: tuple[str, ...]
    """Handles of the accounts using it, in order of first use."""
    replies: tuple[BlockReply, ...]
    """Oldest first; a reply no longer stored is left out."""


def reply_text_blocks(store: Store, config: Config, mention_ids: Iterable[str]) -> dict[str, int]:
    """The text block number of each ambassador reply among `mention_ids` that has one."""
    blocks = programme_text_blocks(store, config)
    number_of = {member: n for n, members in blocks.blocks.items() for member in members}
    return {i: number_of[i] for i in mention_ids if i in number_of}


def text_block_of(store: Store, config: Config, reply_id: str) -> TextBlockReplies | None:
    """The text block `reply_id` belongs to, with all its replies; None if it has none.

    Looked up by a member rather than by number: a number can change when a new reply
    joins two blocks, a member stays in its block.
    """
    blocks = programme_text_blocks(store, config)
    number = next((n for n, ms in blocks.blocks.items() if reply_id in ms), None)
    if number is None:
        return None
    members = list(blocks.blocks[number])
    rows = {
        row["id"]: row
        for row in rows_for_ids(
            store,
            "SELECT id, author_key, author, created_at, text, in_reply_to FROM mentions "
            "WHERE id IN ({marks})",
            members,
        )
    }
    replies = tuple(
        BlockReply(
            r["id"],
            r["author_key"],
            r["author"],
            r["created_at"],
            r["text"],
            r["in_reply_to"] or "",
        )
        for r in (rows.get(m) for m in members)
        if r is not None
    )
    handles = {r.author_key: r.handle for r in replies}
    accounts = tuple(handles.get(k, k) for k in blocks.block_accounts.get(number, ()))
    return TextBlockReplies(number, accounts, replies)
