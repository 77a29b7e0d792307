"""Authenticity signals of ambassador accounts: pure functions over plain post records.

Each function returns its value together with the ids of the posts behind it, so that
every badge on the screen leads to the posts that justify it. Thresholds come from the
config (`[signals]`); their defaults follow published work (see the docstrings of
`sources.model.config.SignalsSection`).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from itertools import pairwise
from zoneinfo import ZoneInfo

from filters.signals.mentions import leading_mentions
from filters.signals.near_duplicates import NearDuplicateIndex, word_set
from filters.signals.signoff import addresses, find_signoff, signoff_matches
from sources.model.config import (
    parse_office_hours as parse_office_hours,  # one parser, checked at load
)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Post:
    """What the signals need to know about one post."""

    id: str
    author_key: str
    handle: str
    created_at: datetime
    """Aware UTC."""
    text: str = ""
    kind: str = "post"
    in_reply_to: str | None = None
    topics: tuple[str, ...] = ()


# --- reply share ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplyShare:
    share: float | None
    """Replies to others among all posts; None without posts."""
    reply_ids: tuple[str, ...]
    own_post_ids: tuple[str, ...]
    """Posts that are not replies to others (own posts, quotes, self-replies)."""


def reply_share(posts: Sequence[Post], parent_authors: Mapping[str, str]) -> ReplyShare:
    """Share of an account's posts that reply to someone else.

    A reply to one's own post continues a thread: it counts as an own post.
    `parent_authors` maps a post id to its author key, where known.
    """
    replies, own = [], []
    for post in posts:
        parent_author = parent_authors.get(post.in_reply_to or "")
        if post.kind == "reply" and parent_author != post.author_key:
            replies.append(post.id)
        else:
            own.append(post.id)
    share = len(replies) / len(posts) if posts else None
    return ReplyShare(share, tuple(replies), tuple(own))


# --- reply delay ------------------------------------------------------------------------


def reply_delays(replies: Iterable[Post], parent_times: Mapping[str, datetime]) -> dict[str, float]:
    """Seconds from each parent post to the reply, for parents in the store; 0 for a reply
    dated before its parent (`dated_before_parent`)."""
    delays = {}
    for reply in replies:
        parent_at = parent_times.get(reply.in_reply_to or "")
        if parent_at is not None:
            # Dated before the post: the two clocks differ, the answer came at once (the
            # thread view and the threads report count it so too).
            delays[reply.id] = max(0.0, (reply.created_at - parent_at).total_seconds())
    return delays


def dated_before_parent(
    replies: Iterable[Post], parent_times: Mapping[str, datetime]
) -> tuple[str, ...]:
    """The replies that carry a time before the post they answer (a clock or data error)."""
    return tuple(
        r.id
        for r in replies
        if (at := parent_times.get(r.in_reply_to or "")) is not None and r.created_at < at
    )


def median_or_none(values: Iterable[float]) -> float | None:
    collected = list(values)
    return statistics.median(collected) if collected else None


# --- working hours ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkingHours:
    timezone: str
    weekday_share: float | None
    """Posts on Monday to Friday (local time)."""
    office_hours_share: float | None
    """Posts on a weekday inside office hours (local time)."""
    heatmap: tuple[tuple[int, ...], ...]
    """7 rows (Monday first) of 24 hourly counts, local time."""
    office_ids: tuple[str, ...]
    other_ids: tuple[str, ...]
    """Posts outside office hours or on a weekend."""


def working_hours(posts: Iterable[Post], zone: ZoneInfo, office: tuple[time, time]) -> WorkingHours:
    """When an account posts, in its own local time (zoneinfo handles daylight saving)."""
    grid = [[0] * 24 for _ in range(7)]
    weekday = total = 0
    inside: list[str] = []
    outside: list[str] = []
    start, end = office
    for post in posts:
        local = post.created_at.astimezone(zone)
        grid[local.weekday()][local.hour] += 1
        total += 1
        on_weekday = local.weekday() < 5
        weekday += on_weekday
        if on_weekday and start <= local.time() < end:
            inside.append(post.id)
        else:
            outside.append(post.id)
    return WorkingHours(
        timezone=zone.key,
        weekday_share=weekday / total if total else None,
        office_hours_share=len(inside) / total if total else None,
        heatmap=tuple(tuple(row) for row in grid),
        office_ids=tuple(inside),
        other_ids=tuple(outside),
    )


# --- co-replies -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoReply:
    """Two accounts replying to the same post within the window."""

    parent_id: str
    first_id: str
    first_key: str
    second_id: str
    second_key: str
    seconds: float
    """Time between the two replies."""

    def involves(self, key: str) -> bool:
        return key in (self.first_key, self.second_key)

    def other(self, key: str) -> tuple[str, str, str]:
        """(own reply id, other reply id, other account key) from `key`'s side."""
        if key == self.first_key:
            return self.first_id, self.second_id, self.second_key
        return self.second_id, self.first_id, self.first_key


def co_replies(replies: Iterable[Post], window_seconds: float) -> list[CoReply]:
    """Two accounts answering one post at most `window_seconds` apart: one co-reply per
    post and pair of accounts (an account answering twice is still one coincidence), shown
    by the pair of their replies closest in time.

    The window is inclusive (60 s apart counts at a 60 s window). Sorted by parent, then time.
    """
    by_parent: dict[str, list[Post]] = defaultdict(list)
    for reply in replies:
        if reply.in_reply_to:
            by_parent[reply.in_reply_to].append(reply)
    found = []
    for parent_id in sorted(by_parent):
        thread = sorted(by_parent[parent_id], key=lambda p: (p.created_at, p.id))
        closest: dict[frozenset[str], CoReply] = {}
        order = {p.id: n for n, p in enumerate(thread)}
        for i, first in enumerate(thread):
            for second in thread[i + 1 :]:
                seconds = (second.created_at - first.created_at).total_seconds()
                if seconds > window_seconds:
                    break
                pair = frozenset((first.author_key, second.author_key))
                if len(pair) == 2 and (pair not in closest or seconds < closest[pair].seconds):
                    closest[pair] = CoReply(
                        parent_id, first.id, first.author_key, second.id, second.author_key, seconds
                    )
        found.extend(
            sorted(closest.values(), key=lambda c: (order[c.first_id], order[c.second_id]))
        )
    return found


def co_reply_counts(pairs: Iterable[CoReply]) -> dict[tuple[str, str], int]:
    """Co-replies per pair of accounts (the pair's keys sorted)."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for pair in pairs:
        a, b = sorted((pair.first_key, pair.second_key))
        counts[(a, b)] += 1
    return dict(counts)


# --- near-duplicate text ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """One reply and the earliest reply of another account that near-duplicates it."""

    reply_id: str
    other_id: str
    other_key: str
    similarity: float
    block: int


@dataclass(frozen=True, slots=True)
class NearDuplicates:
    """Near-duplicate replies across accounts: per reply its match, and the text blocks."""

    matches: Mapping[str, DuplicateMatch]
    """Reply id -> its match, for every reply that has one."""
    blocks: Mapping[int, tuple[str, ...]]
    """Text block number -> member reply ids, in time order."""
    block_accounts: Mapping[int, tuple[str, ...]]
    """Text block number -> the account keys using it."""


def near_duplicates(
    replies: Sequence[Post], threshold: float, min_words: int = 4
) -> NearDuplicates:
    """Find text blocks among the replies of all accounts (add them oldest first)."""
    index = NearDuplicateIndex(threshold, min_words=min_words)
    author = {}
    for reply in sorted(replies, key=lambda p: (p.created_at, p.id)):
        if index.add(reply.id, reply.author_key, word_set(reply.text)):
            author[reply.id] = reply.author_key
    block_of: dict[str, int] = {}
    blocks: dict[int, tuple[str, ...]] = {}
    block_accounts: dict[int, tuple[str, ...]] = {}
    for block in index.blocks():
        blocks[block.number] = block.members
        block_accounts[block.number] = block.groups
        for member in block.members:
            block_of[member] = block.number
    matches = {}
    for reply_id in block_of:
        best = index.best_match(reply_id)
        if best is not None:
            other_id, similarity = best
            matches[reply_id] = DuplicateMatch(
                reply_id, other_id, author[other_id], similarity, block_of[reply_id]
            )
    return NearDuplicates(matches, blocks, block_accounts)


# --- sign-offs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedReply:
    reply_id: str
    name: str
    """The first name the reply is signed with."""
    matches_account: bool
    """Whether that name belongs to the account (display name or handle)."""


def signoffs(
    posts: Iterable[Post],
    display_name: str,
    handle: str,
    parent_names: Mapping[str, Sequence[str]] | None = None,
) -> list[SignedReply]:
    """Every post of the account that ends with a sign-off, and whether the name fits.

    A closing that thanks the person answered by name ("Thanks, Mike!") is no sign-off:
    that person is whoever the post opens with (@mike_t) or, from `parent_names` (parent
    id -> handle and display name), the author of the post it answers.
    """
    found = []
    for post in posts:
        signed = find_signoff(post.text)
        if signed is None:
            continue
        answered = (parent_names or {}).get(post.in_reply_to or "", ())
        if not addresses(signed, [*leading_mentions(post.text), *answered]):
            found.append(
                SignedReply(
                    post.id, signed.name, signoff_matches(signed.name, display_name, handle)
                )
            )
    return found


# --- audience -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Audience:
    followers: int | None
    following: int | None
    account_age_days: float | None
    empty: bool
    """No followers and following nobody (both known to be zero)."""


def audience(
    followers: int | None, following: int | None, created_at: datetime | None, now: datetime
) -> Audience:
    age = (now - created_at).total_seconds() / 86400 if created_at else None
    return Audience(followers, following, age, followers == 0 and following == 0)


# --- disclosure -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Disclosure:
    disclosed: bool
    in_bio: tuple[str, ...]
    """The tags or phrases found in the profile (display name or bio)."""
    post_ids: tuple[str, ...]
    """Posts that carry a tag or phrase."""


def disclosure(profile: str, posts: Iterable[Post], tags: Sequence[str]) -> Disclosure:
    """Whether the account says what it is: a configured tag or phrase in profile or posts.

    `profile` is the display name and bio.

    Matched as a whole word, case-insensitive: `#ad` does not match `#adidas`.
    """
    wanted = [tag for tag in tags if tag.strip()]
    if not wanted:
        return Disclosure(False, (), ())
    patterns = [(tag, re.compile(_whole(re.escape(tag)), re.IGNORECASE)) for tag in wanted]
    in_bio = tuple(tag for tag, pattern in patterns if pattern.search(profile))
    # One pass per post for all tags: an account can have thousands of posts.
    any_tag = re.compile(_whole("|".join(re.escape(t) for t in wanted)), re.IGNORECASE)
    post_ids = tuple(post.id for post in posts if any_tag.search(post.text))
    return Disclosure(bool(in_bio or post_ids), in_bio, post_ids)


def _whole(alternatives: str) -> str:
    return rf"(?<!\w)(?:{alternatives})(?!\w)"


# --- topic coverage -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicCoverage:
    answered: Mapping[str, tuple[str, ...]]
    """Topic -> the account's replies that touch it (in the reply or the post answered)."""
    avoided: Mapping[str, tuple[str, ...]]
    """Topic critics raise that the account never touches -> some of those critics' posts."""


def topic_coverage(
    replies: Iterable[Post],
    parent_topics: Mapping[str, tuple[str, ...]],
    critic_topics: Mapping[str, tuple[str, ...]],
) -> TopicCoverage:
    """Topics an account answers, and topics critics raise that it never answers.

    `critic_topics` maps each topic critics raise (often enough to matter; the caller
    decides) to example post ids.
    """
    answered: dict[str, list[str]] = defaultdict(list)
    for reply in replies:
        for topic in dict.fromkeys(
            (*reply.topics, *parent_topics.get(reply.in_reply_to or "", ()))
        ):
            answered[topic].append(reply.id)
    avoided = {t: ids for t, ids in sorted(critic_topics.items()) if t not in answered}
    return TopicCoverage({t: tuple(answered[t]) for t in sorted(answered)}, avoided)


# --- gaps -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gap:
    """A silence between two consecutive posts."""

    before_id: str
    after_id: str
    days: float


def gaps(posts: Iterable[Post], gap_days: float) -> list[Gap]:
    """Silences longer than `gap_days` between consecutive posts of one account."""
    ordered = sorted(posts, key=lambda p: (p.created_at, p.id))
    found = []
    for before, after in pairwise(ordered):
        days = (after.created_at - before.created_at).total_seconds() / 86400
        if days > gap_days:
            found.append(Gap(before.id, after.id, days))
    return found
