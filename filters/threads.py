"""Threads: a critical mention, the ambassador replies to it, and the parody reactions.

Definitions (the screen, `has:reply`/`has:parody` and `export --report threads` share them):

- A **critical mention** is a post whose author is not an ambassador, an official account
  or a parody account (so: public, press, or not yet known), that is not a retweet, and
  that either has at least one topic or got at least one ambassador reply.
- An **ambassador reply** is a post by an ambassador whose `in_reply_to` is the critical
  mention, or (a chain) another ambassador reply of the same thread. Its latency is
  counted from the critical mention's time (each post's first version, when edited); a
  reply dated before the mention counts as answered at once (`DATED_BEFORE_POST`).
- A **parody reaction** is a reply to, or a quote of, the critical mention or one of its
  ambassador replies, written by a parody account. `kind` says which (a post that both
  replies and quotes counts as a reply), `target` is the id reacted to.

Threads are assembled at read time from the links stored with each mention
(`in_reply_to`, `quoted_id`), so pieces may arrive in any order and in any poll round:
a link to a post that is not stored yet is kept, the post is listed in `missing_ids`,
and the next read fills it in once it has arrived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sources.model.text import format_delay, format_timestamp

NOT_CRITICAL_ROLES = ("ambassador", "official", "parody")

DATED_BEFORE_POST = "at once (dated before the post)"
"""How a reply dated before the post it answers is shown: its delay counts as 0."""
"""Authors whose posts are never critical mentions."""


@dataclass(frozen=True, slots=True)
class PostRef:
    """One post as a thread shows it. A post that is referenced but not stored has only
    its `id` (every other field empty, `created_at` None) and is listed in `missing_ids`."""

    id: str
    author: str = ""
    author_name: str = ""
    role: str = ""
    text: str = ""
    created_at: datetime | None = None
    topics: tuple[str, ...] = ()
    url: str = ""

    @property
    def missing(self) -> bool:
        return self.created_at is None


@dataclass(frozen=True, slots=True)
class ParodyReaction:
    post: PostRef
    kind: str
    """`reply` or `quote`."""
    target: str
    """Id of the post reacted to: the critical mention or an ambassador reply."""


@dataclass(frozen=True, slots=True)
class AmbassadorReply:
    post: PostRef
    latency_s: int | None
    """Seconds from the critical mention to this reply; None while the mention is missing;
    0 when the reply is dated before the mention (`dated_before_post`)."""
    reactions: tuple[ParodyReaction, ...] = ()
    dated_before_post: bool = False
    """The reply carries a time before the post it answers (clocks differ): it counts as
    answered at once, and every screen and report says so alike (`delay_text`)."""

    @property
    def delay_text(self) -> str:
        """How long the critic waited, as the thread view and every report say it."""
        if self.dated_before_post:
            return DATED_BEFORE_POST
        return f"after {format_delay(self.latency_s)}"


@dataclass(frozen=True, slots=True)
class Thread:
    root: PostRef
    replies: tuple[AmbassadorReply, ...] = ()
    root_reactions: tuple[ParodyReaction, ...] = ()
    missing_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkedPost:
    """A stored post with the links that place it in a thread."""

    ref: PostRef
    kind: str = "post"
    in_reply_to: str | None = None
    quoted_id: str | None = None
    conversation_id: str | None = None


def can_be_critical(role: str, kind: str) -> bool:
    """Whether a post by an author of `role` could be a critical mention at all."""
    return role not in NOT_CRITICAL_ROLES and kind != "retweet"


def is_critical(role: str, kind: str, topics: Iterable[str], answered: bool) -> bool:
    """The critical-mention rule; `answered` = at least one ambassador replied to it."""
    return can_be_critical(role, kind) and (answered or any(True for _ in topics))


def reaction_kind(post: LinkedPost, target: str) -> str | None:
    """`reply` or `quote` when `post` reacts to `target`, else None."""
    if post.in_reply_to == target:
        return "reply"
    if post.quoted_id == target:
        return "quote"
    return None


def root_candidates(post: LinkedPost) -> list[str]:
    """Ids that may be the critical mention of a thread containing `post`, nearest first.

    The caller walks them: an ambassador reply points at its mention, a parody reaction
    at what it reacted to (which may itself be an ambassador reply).
    """
    if can_be_critical(post.ref.role, post.kind):
        return [post.ref.id]
    targets = [t for t in (post.in_reply_to, post.quoted_id) if t]
    if post.ref.role == "ambassador":
        return targets[:1] if post.in_reply_to else []
    if post.ref.role == "parody":
        return targets
    return []


def assemble_thread(
    root: PostRef,
    pool: Iterable[LinkedPost],
    missing_ids: Iterable[str] = (),
    first_said: datetime | None = None,
    replies_first_said: Mapping[str, datetime] | None = None,
) -> Thread:
    """Link the ambassador replies and parody reactions among `pool` to `root`.

    `pool` may hold unrelated posts and any order; replies come out oldest first.
    `first_said`: an edited root's first version's time; latencies count from it (the
    critic has waited since then, whichever version was answered).
    `replies_first_said`: the same for edited replies (by id); a latency counts to it (the
    answer was given then, an edit later does not make it slower).
    """
    posts = {p.ref.id: p for p in pool if p.ref.id != root.id}
    reply_ids: list[str] = []
    frontier = [root.id]
    while frontier:  # ambassador replies, then ambassador replies to those (a chain)
        nxt = [
            p.ref.id
            for p in posts.values()
            if p.ref.role == "ambassador"
            and p.in_reply_to in frontier
            and p.ref.id not in reply_ids
        ]
        reply_ids.extend(nxt)
        frontier = nxt
    reactions: dict[str, list[ParodyReaction]] = {root.id: [], **{r: [] for r in reply_ids}}
    for post in posts.values():
        if post.ref.role != "parody":
            continue
        for target in (post.in_reply_to, post.quoted_id):
            if target in reactions:
                kind = reaction_kind(post, target)
                assert kind is not None
                reactions[target].append(ParodyReaction(post.ref, kind, target))
                break
    asked = root
    if first_said is not None and root.created_at is not None and first_said < root.created_at:
        asked = PostRef(root.id, created_at=first_said)
    said = replies_first_said or {}
    replies = [
        _reply(asked, posts[rid].ref, said.get(rid), sorted(reactions[rid], key=_reaction_order))
        for rid in reply_ids
    ]
    replies.sort(key=lambda r: (_time_key(r.post), r.post.id))
    missing = list(dict.fromkeys(missing_ids))
    if root.missing and root.id not in missing:
        missing.insert(0, root.id)
    return Thread(
        root=root,
        replies=tuple(replies),
        root_reactions=tuple(sorted(reactions[root.id], key=_reaction_order)),
        missing_ids=tuple(missing),
    )


def _reply(
    asked: PostRef,
    post: PostRef,
    first_said: datetime | None,
    reactions: Iterable[ParodyReaction],
) -> AmbassadorReply:
    answered = post
    if first_said is not None and post.created_at is not None and first_said < post.created_at:
        answered = PostRef(post.id, created_at=first_said)
    seconds = latency_seconds(asked, answered)
    # A reply dated before its post is a clock or data error (the two clocks differ): it
    # came at once, and says so wherever it is shown.
    early = seconds is not None and seconds < 0
    return AmbassadorReply(post, 0 if early else seconds, tuple(reactions), early)


def latency_seconds(root: PostRef, reply: PostRef) -> int | None:
    if root.created_at is None or reply.created_at is None:
        return None
    return int((reply.created_at - root.created_at).total_seconds())


def _time_key(post: PostRef) -> str:
    return format_timestamp(post.created_at) if post.created_at else ""


def _reaction_order(reaction: ParodyReaction) -> tuple[str, str]:
    return (_time_key(reaction.post), reaction.post.id)
