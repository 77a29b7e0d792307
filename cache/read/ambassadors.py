"""Ambassador profiles: every authenticity signal of every ambassador, with its evidence.

Loads the ambassador accounts (accounts.role = 'ambassador'), their posts and the posts
they replied to, and runs the pure signals of `filters.signals.measures` over them. Signals that
compare accounts (co-replies, text blocks) are computed once for the whole programme and
memoised per store file until its ambassador data changes, so the live feed can ask for
badges after every arrival without redoing the near-duplicate index each time.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cache.db import edit_versions
from cache.db.store import Store, as_json_list
from cache.read.author_posts import posts_of
from cache.read.by_ids import CHUNK, rows_for_ids
from filters.signals import findings as flags
from filters.signals import measures as signals
from filters.signals.findings import Finding
from filters.signals.measures import (
    Disclosure,
    Gap,
    NearDuplicates,
    Post,
    SignedReply,
    WorkingHours,
)
from sources.model.config import Config, ConfigError
from sources.model.records import utc_now
from sources.model.reply_parents import parent_author_key
from sources.model.text import parse_timestamp

log = logging.getLogger("echowatch.ambassadors")

_AVOIDED_EXAMPLES = 5
"""Critics' posts kept as evidence for each topic an ambassador never answers."""


@dataclass(frozen=True, slots=True)
class CoReplyEvidence:
    """A co-reply from one account's side: its reply, the other's, and the time between."""

    parent_id: str
    reply_id: str
    other_reply_id: str
    other_handle: str
    seconds: float


@dataclass(frozen=True, slots=True)
class DuplicateEvidence:
    """A reply of this account and the earliest near-duplicate by another ambassador."""

    reply_id: str
    other_id: str
    other_handle: str
    similarity: float
    block: int


@dataclass(frozen=True)
class AmbassadorProfile:
    """Everything Echowatch can say about one ambassador account, with the evidence ids."""

    key: str
    handle: str
    display_name: str
    bio: str
    posts: int
    """All stored posts of the account."""
    replies: int
    """Replies to others."""
    reply_share: float | None
    reply_ids: tuple[str, ...]
    own_post_ids: tuple[str, ...]
    median_reply_delay_seconds: float | None
    fastest_reply_delay_seconds: float | None
    """Both from `reply_delays`: what the monitor and every report show."""
    reply_delays: tuple[tuple[str, float], ...]
    """(reply id, seconds after the post it answers), for parents in the store."""
    dated_before_post: tuple[str, ...]
    """Replies dated before the post they answer: their delay counts as 0 (at once)."""
    working_hours: WorkingHours
    co_replies: tuple[CoReplyEvidence, ...]
    near_duplicate_share: float | None
    """Replies that near-duplicate a reply of another ambassador, among all replies."""
    near_duplicates: tuple[DuplicateEvidence, ...]
    text_blocks: tuple[int, ...]
    signoffs: tuple[SignedReply, ...]
    followers: int | None
    following: int | None
    account_age_days: float | None
    audience_empty: bool
    disclosure: Disclosure
    topics_answered: tuple[str, ...]
    topics_avoided: tuple[str, ...]
    topic_evidence: Mapping[str, tuple[str, ...]]
    """Answered topic -> replies touching it; avoided topic -> critics' posts raising it."""
    gaps: tuple[Gap, ...]
    findings: tuple[Finding, ...]
    """The badges, warnings first, each with its evidence."""

    @property
    def weekday_share(self) -> float | None:
        return self.working_hours.weekday_share

    @property
    def office_hours_share(self) -> float | None:
        return self.working_hours.office_hours_share

    @property
    def signoff_mismatches(self) -> int:
        return sum(1 for s in self.signoffs if not s.matches_account)

    @property
    def disclosed(self) -> bool:
        return self.disclosure.disclosed

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings that are signs of scripted activity (empty for a genuine advocate)."""
        return tuple(f for f in self.findings if f.severity == "warning")


@dataclass(frozen=True)
class _Account:
    key: str
    handle: str
    display_name: str
    bio: str
    followers: int | None
    following: int | None
    created_at: datetime | None


@dataclass(frozen=True)
class _Programme:
    """The cross-account part of the analysis, memoised per store state."""

    accounts: tuple[_Account, ...]
    posts: Mapping[str, tuple[Post, ...]]
    """Account key -> its posts, oldest first."""
    parent_authors: Mapping[str, str]
    parent_times: Mapping[str, datetime]
    parent_topics: Mapping[str, tuple[str, ...]]
    parent_names: Mapping[str, tuple[str, ...]]
    """Parent id -> its author's handle and display name (whom a reply thanks by name)."""
    co_replies: tuple[signals.CoReply, ...]
    duplicates: NearDuplicates
    replies: frozenset[str]
    """Ids of all ambassador replies to others (the ones compared across accounts)."""


_memo: dict[str, tuple[tuple[object, ...], _Programme]] = {}


def ambassador_profiles(
    store: Store, config: Config, now: datetime | None = None
) -> list[AmbassadorProfile]:
    """A profile per ambassador account, sorted by handle (case-insensitive)."""
    now = now or utc_now()
    programme = _programme(store, config)
    settings = config.signals
    office = _office_hours(config)
    critic_topics = _critic_topics(store, settings.topic_min_mentions)
    handles = {a.key: a.handle for a in programme.accounts}
    rules = flags.FlagRules(
        min_posts=settings.min_posts,
        reply_share=settings.reply_share_flag,
        office_hours_share=settings.office_hours_flag,
        co_replies=settings.co_reply_flag,
    )
    profiles = []
    for account in programme.accounts:
        posts = programme.posts.get(account.key, ())
        share = signals.reply_share(posts, programme.parent_authors)
        reply_set = set(share.reply_ids)
        replies = [p for p in posts if p.id in reply_set]
        delays = signals.reply_delays(replies, programme.parent_times)
        hours = signals.working_hours(posts, _zone(config, account.handle), office)
        own_co = [c for c in programme.co_replies if c.involves(account.key)]
        duplicates = [
            programme.duplicates.matches[r.id]
            for r in replies
            if r.id in programme.duplicates.matches
        ]
        signed = signals.signoffs(
            replies, account.display_name, account.handle, programme.parent_names
        )
        people = signals.audience(account.followers, account.following, account.created_at, now)
        disclosed = signals.disclosure(
            f"{account.display_name}\n{account.bio}", posts, settings.disclosure_tags
        )
        coverage = signals.topic_coverage(replies, programme.parent_topics, critic_topics)
        silences = signals.gaps(posts, settings.gap_days)
        findings = flags.findings(
            account_key=account.key,
            posts=len(posts),
            share=share,
            hours=hours,
            own_co_replies=own_co,
            handles=handles,
            duplicates=duplicates,
            signed=signed,
            people=people,
            disclosed=disclosed,
            coverage=coverage,
            silences=silences,
            gap_days=settings.gap_days,
            rules=rules,
        )
        co_evidence = []
        for pair in own_co:
            mine, theirs, other_key = pair.other(account.key)
            co_evidence.append(
                CoReplyEvidence(
                    pair.parent_id, mine, theirs, handles.get(other_key, other_key), pair.seconds
                )
            )
        profiles.append(
            AmbassadorProfile(
                key=account.key,
                handle=account.handle,
                display_name=account.display_name,
                bio=account.bio,
                posts=len(posts),
                replies=len(replies),
                reply_share=share.share,
                reply_ids=share.reply_ids,
                own_post_ids=share.own_post_ids,
                median_reply_delay_seconds=signals.median_or_none(delays.values()),
                fastest_reply_delay_seconds=min(delays.values(), default=None),
                reply_delays=tuple(delays.items()),
                dated_before_post=signals.dated_before_parent(replies, programme.parent_times),
                working_hours=hours,
                co_replies=tuple(co_evidence),
                near_duplicate_share=len(duplicates) / len(replies) if replies else None,
                near_duplicates=tuple(
                    DuplicateEvidence(
                        d.reply_id,
                        d.other_id,
                        handles.get(d.other_key, d.other_key),
                        d.similarity,
                        d.block,
                    )
                    for d in duplicates
                ),
                text_blocks=tuple(sorted({d.block for d in duplicates})),
                signoffs=tuple(signed),
                followers=account.followers,
                following=account.following,
                account_age_days=people.account_age_days,
                audience_empty=people.empty,
                disclosure=disclosed,
                topics_answered=tuple(coverage.answered),
                topics_avoided=tuple(coverage.avoided),
                topic_evidence={**coverage.answered, **coverage.avoided},
                gaps=tuple(silences),
                findings=findings,
            )
        )
    return profiles


def reply_badges(store: Store, config: Config, mention_ids: Iterable[str]) -> dict[str, list[str]]:
    """Badges for the ambassador replies among `mention_ids` (others are left out).

    E.g. `["co-reply 40 s with @anne", "text block #3", "signed: Andrea (not own name)"]`.
    """
    programme = _programme(store, config)
    wanted = [i for i in dict.fromkeys(mention_ids) if i in programme.replies]
    if not wanted:
        return {}
    handles = {a.key: a.handle for a in programme.accounts}
    owners = {p.id: (a, p) for a in programme.accounts for p in programme.posts.get(a.key, ())}
    co_by_reply: dict[str, list[str]] = defaultdict(list)
    for pair in programme.co_replies:
        for own_id, other_key in (
            (pair.first_id, pair.second_key),
            (pair.second_id, pair.first_key),
        ):
            co_by_reply[own_id].append(
                f"co-reply {pair.seconds:.0f} s with @{handles.get(other_key, other_key)}"
            )
    badges: dict[str, list[str]] = {}
    for mention_id in wanted:
        account, post = owners[mention_id]
        found = list(co_by_reply.get(mention_id, ()))
        match = programme.duplicates.matches.get(mention_id)
        if match is not None:
            found.append(f"text block #{match.block}")
        for signed in signals.signoffs(
            [post], account.display_name, account.handle, programme.parent_names
        ):
            suffix = "" if signed.matches_account else " (not own name)"
            found.append(f"signed: {signed.name}{suffix}")
        if found:
            badges[mention_id] = found
    return badges


def programme_text_blocks(store: Store, config: Config) -> NearDuplicates:
    """The programme's text blocks (near-duplicate replies across accounts), memoised."""
    return _programme(store, config).duplicates


@dataclass(frozen=True, slots=True)
class EvidencePost:
    """A post shown as evidence: who, when, what (untrusted text, shown literally)."""

    id: str
    handle: str
    created_at: str
    text: str
    url: str


def evidence_posts(store: Store, ids: Iterable[str]) -> dict[str, EvidencePost]:
    """The stored posts behind evidence ids (ids not in the store are left out)."""
    sql = "SELECT id, author, created_at, text, url FROM mentions WHERE id IN ({marks})"
    return {
        row["id"]: EvidencePost(
            row["id"], row["author"], row["created_at"], row["text"], row["url"]
        )
        for row in rows_for_ids(store, sql, ids)
    }


def profile_evidence_ids(profile: AmbassadorProfile) -> set[str]:
    """Every post id a profile's detail view may show."""
    ids = set(profile.reply_ids) | set(profile.own_post_ids)
    for c in profile.co_replies:
        ids.update((c.parent_id, c.other_reply_id))
    for d in profile.near_duplicates:
        ids.add(d.other_id)
    for topic_ids in profile.topic_evidence.values():
        ids.update(topic_ids)
    return ids


# --- loading ------------------------------------------------------------------------------


def _programme(store: Store, config: Config) -> _Programme:
    # Keyed by what the analysis reads, not by connection: the monitor opens a fresh
    # read-only store in each worker, and should still reuse the last analysis.
    state = (_fingerprint(store), repr(config.signals), repr(config.accounts.timezones))
    path = str(Path(store.path).resolve())
    cached = _memo.get(path)
    if cached is not None and cached[0] == state:
        return cached[1]
    programme = _load_programme(store, config)
    _memo.clear()  # one store at a time is plenty; keeps memory bounded
    _memo[path] = (state, programme)
    return programme


def _fingerprint(store: Store) -> tuple[object, ...]:
    """Changes whenever a mention arrives or an ambassador's account or post changes."""
    row = store.conn.execute(
        """
        SELECT (SELECT max(rowid) FROM mentions),
               (SELECT count(*) || ':' || ifnull(max(updated_at), '')
                  FROM mentions WHERE role = 'ambassador'),
               (SELECT group_concat(key || '@' || updated_at || '@' || role)
                  FROM accounts WHERE role = 'ambassador')
        """
    ).fetchone()
    return tuple(row)


def _load_programme(store: Store, config: Config) -> _Programme:
    settings = config.signals
    if not 0.0 < settings.near_duplicate_jaccard <= 1.0:
        raise ConfigError(
            f"{_where(config)}: key 'signals.near_duplicate_jaccard' must be above 0 and "
            f"at most 1, got {settings.near_duplicate_jaccard}"
        )
    accounts = tuple(
        _Account(
            key=row["key"],
            handle=row["handle"],
            display_name=row["display_name"] or "",
            bio=row["bio"] or "",
            followers=row["followers"],
            following=row["following"],
            created_at=parse_timestamp(row["created_at"]),
        )
        for row in store.rows(
            "SELECT key, handle, display_name, bio, followers, following, created_at "
            "FROM accounts WHERE role = 'ambassador' ORDER BY handle COLLATE NOCASE, key"
        )
    )
    posts: dict[str, list[Post]] = defaultdict(list)
    keys = [a.key for a in accounts]
    # In chunks, as `rows_for_ids` reads: each key brings its names as parameters too.
    for start in range(0, len(keys), CHUNK // 2):
        by_author, values = posts_of(store, keys[start : start + CHUNK // 2]).condition()
        for row in store.rows(
            # Signals are about when people post: a post whose time is flagged (undated,
            # year 1, 9999) has no time to judge, and is left out of every signal.
            "SELECT m.id, m.author_key, m.author, m.created_at, m.text, m.kind, "
            f"m.in_reply_to, m.topics FROM mentions AS m WHERE {by_author} "
            "AND m.time_flag = '' ORDER BY m.created_at, m.id",
            values,
        ):
            post = _post(row)
            if post is not None:
                posts[row["author_key"]].append(post)
    _date_from_first_versions(store, posts)
    parent_ids = {p.in_reply_to for ps in posts.values() for p in ps if p.in_reply_to}
    parent_authors: dict[str, str] = {}
    parent_times: dict[str, datetime] = {}
    parent_topics: dict[str, tuple[str, ...]] = {}
    for row in rows_for_ids(
        store,
        "SELECT id, author_key, created_at, time_flag, topics FROM mentions WHERE id IN ({marks})",
        sorted(parent_ids),
    ):
        parent_authors[row["id"]] = row["author_key"]
        created = parse_timestamp(row["created_at"])
        if created is not None and not row["time_flag"]:  # no delay from an untrusted time
            parent_times[row["id"]] = created
        parent_topics[row["id"]] = tuple(as_json_list(row["topics"]))
    parent_authors.update(_unstored_parent_authors(store, posts.values(), parent_authors))
    # An edited post was said when its first version was: a delay counts from then.
    for parent_id, text in edit_versions.first_times(store.conn, list(parent_times)).items():
        first = parse_timestamp(text)
        if first is not None and first < parent_times[parent_id]:
            parent_times[parent_id] = first
    replies = [
        p
        for ps in posts.values()
        for p in ps
        if p.kind == "reply" and parent_authors.get(p.in_reply_to or "") != p.author_key
    ]
    return _Programme(
        accounts=accounts,
        posts={key: tuple(ps) for key, ps in posts.items()},
        parent_authors=parent_authors,
        parent_times=parent_times,
        parent_topics=parent_topics,
        parent_names=_author_names(store, parent_authors),
        co_replies=tuple(signals.co_replies(replies, settings.co_reply_seconds)),
        duplicates=signals.near_duplicates(
            replies, settings.near_duplicate_jaccard, settings.near_duplicate_min_words
        ),
        replies=frozenset(p.id for p in replies),
    )


def _date_from_first_versions(store: Store, posts: dict[str, list[Post]]) -> None:
    """Date each edited post of `posts` when its first version was posted: an answer was
    given then (an edit later makes it neither slower nor apart from a co-reply)."""
    ids = [p.id for ps in posts.values() for p in ps]
    first = {
        i: t
        for i, text in edit_versions.first_times(store.conn, ids).items()
        if (t := parse_timestamp(text)) is not None
    }
    if not first:
        return
    for key, ps in posts.items():
        dated = [
            replace(p, created_at=first[p.id])
            if first.get(p.id, p.created_at) < p.created_at
            else p
            for p in ps
        ]
        posts[key] = sorted(dated, key=lambda p: (p.created_at, p.id))


def _post(row: dict[str, Any]) -> Post | None:
    created = parse_timestamp(row["created_at"])
    if created is None:
        log.warning(
            "mention %s: stored time %r is not readable, skipped", row["id"], row["created_at"]
        )
        return None
    return Post(
        id=row["id"],
        author_key=row["author_key"],
        handle=row["author"],
        created_at=created,
        text=row["text"] or "",
        kind=row["kind"],
        in_reply_to=row["in_reply_to"],
        topics=tuple(as_json_list(row["topics"])),
    )


def _critic_topics(store: Store, min_mentions: int) -> dict[str, tuple[str, ...]]:
    """Topics raised by non-ambassador, non-official posts often enough, with examples."""
    found: dict[str, tuple[str, ...]] = {}
    # All per topic (the topic index alone) minus the company's own (few, by the role
    # index): a join over every mention would read the whole store.
    everyone = store.rows("SELECT topic, count(*) AS n FROM mention_topics GROUP BY topic")
    own = {
        row["topic"]: row["n"]
        for row in store.rows(
            "SELECT mt.topic AS topic, count(*) AS n FROM mentions AS m "
            "JOIN mention_topics AS mt ON mt.mention_id = m.id "
            "WHERE m.role IN ('ambassador', 'official') GROUP BY mt.topic"
        )
    }
    for row in sorted(everyone, key=lambda r: r["topic"]):
        if row["n"] - own.get(row["topic"], 0) < max(1, min_mentions):
            continue
        examples = store.rows(
            "SELECT mt.mention_id AS id FROM mention_topics AS mt "
            "JOIN mentions AS m ON m.id = mt.mention_id "
            "WHERE mt.topic = ? AND m.role NOT IN ('ambassador', 'official') "
            "ORDER BY mt.created_at DESC, mt.mention_id LIMIT ?",
            [row["topic"], _AVOIDED_EXAMPLES],
        )
        found[row["topic"]] = tuple(r["id"] for r in examples)
    return found


def _zone(config: Config, handle: str) -> ZoneInfo:
    zones = {k.lstrip("@").lower(): v for k, v in config.accounts.timezones.items()}
    name = zones.get(handle.lower(), config.company.timezone)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        key = f"accounts.timezones.{handle}" if handle.lower() in zones else "company.timezone"
        raise ConfigError(f"{_where(config)}: key '{key}': unknown time zone {name!r}") from exc


def _office_hours(config: Config) -> tuple[time, time]:
    try:
        return signals.parse_office_hours(config.signals.office_hours)
    except ValueError as exc:
        raise ConfigError(f"{_where(config)}: key 'signals.office_hours': {exc}") from None


def _where(config: Config) -> str:
    return str(config.path) if config.path else "built-in config"


def _author_names(store: Store, authors: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Post id -> its author's handle and display name, for authors the store knows."""
    names = {
        row["key"]: (row["handle"] or "", row["display_name"] or "")
        for row in rows_for_ids(
            store,
            "SELECT key, handle, display_name FROM accounts WHERE key IN ({marks})",
            sorted(set(authors.values())),
        )
    }
    return {post: names[key] for post, key in authors.items() if key in names}


def _unstored_parent_authors(
    store: Store, posts: Iterable[Iterable[Post]], stored: Mapping[str, str]
) -> dict[str, str]:
    """Parent id -> author key, for replies whose parent is not stored, as each reply names
    it: without this a reply continuing one's own thread would count as answering others."""
    waiting = {
        p.id: p.in_reply_to
        for ps in posts
        for p in ps
        if p.in_reply_to and p.in_reply_to not in stored
    }
    found: dict[str, str] = {}
    for row in rows_for_ids(
        store, "SELECT id, raw FROM mentions WHERE id IN ({marks})", sorted(waiting)
    ):
        parent = waiting[row["id"]] or ""
        author = parent_author_key(row["id"], parent, row["raw"])
        if author:
            found[parent] = author
    return found
