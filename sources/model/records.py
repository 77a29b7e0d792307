"""The plain records every source emits: no tweepy or feedparser objects past this point.

Classification (topics, roles) is not part of a `Mention`: `filters/` computes it and
`cache/` stores it beside the mention, so a source never changes when classification does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

PLATFORMS = ("x", "rss", "bluesky", "mastodon")
"""Every platform a mention can come from."""

KINDS = ("post", "reply", "quote", "retweet", "article")
"""What kind of post a mention is; a reply that also quotes counts as a reply."""


@dataclass(frozen=True, slots=True)
class Account:
    """Who wrote a mention, as the platform describes them."""

    key: str
    """Stable store key: `x:<user id>`, `rss:<feed>:<author>`, `bluesky:<did>` or
    `mastodon:<instance host>:<account id>`."""
    platform: str
    handle: str
    """Username without `@` (X) or the author's name as the feed gives it."""
    display_name: str = ""
    bio: str = ""
    followers: int | None = None
    following: int | None = None
    post_count: int | None = None
    created_at: datetime | None = None
    verified: bool = False
    raw: str = "{}"
    """The platform's own JSON for this account, kept for later re-analysis."""


@dataclass(frozen=True, slots=True)
class Mention:
    """One post or feed item that talks about the company."""

    id: str
    """Stable id: `x:<tweet id>`, `rss:<hash of canonical link or guid>`,
    `bluesky:<at:// uri>` or `mastodon:<instance host>:<status id>`."""
    platform: str
    source: str
    """Name of the source that delivered it (a feed name, `x:search`, `import`)."""
    url: str
    author: str
    """Author handle (see `Account.handle`)."""
    author_name: str
    text: str
    lang: str
    created_at: datetime
    """Always timezone-aware UTC."""
    author_key: str = ""
    """`Account.key` of the author, empty when unknown."""
    kind: str = "post"
    in_reply_to: str | None = None
    """Mention id this one replies to (`x:<id>`)."""
    quoted_id: str | None = None
    conversation_id: str | None = None
    title: str = ""
    """Feed items only: the headline (also the start of `text`)."""
    canonical_url: str = ""
    """Feed items only: the link used to spot one article arriving through two feeds."""
    time_flag: str = ""
    """Why `created_at` is not to be trusted: `''` (it is), `undated` (the source gave no
    time: it is when first seen) or `out_of_range` (see `sources.model.text.time_flag`)."""
    referenced_only: bool = False
    """True when it came only as a referenced post in `includes`, which can be incomplete."""
    raw: str = "{}"
    """The platform's own JSON (tweet object or feed entry), kept for re-analysis."""
    link_id: str = ""
    """Feed items keyed by their guid: the id their link gave them before (see
    `sources.feeds.parse.item_ids`); ingest keeps an item already stored under it there."""

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError(f"created_at of {self.id} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Skipped:
    """An item or a whole file that could not be used, and why (shown to the user)."""

    where: str
    reason: str
    item: str = ""
    """What tells this item from others from one poll to the next, wherever it sits in the
    document (a hash of a feed item's fields); '' when nothing does."""
    first_report: bool = False
    """The live source remembers the items it skipped (a feed does), and no earlier poll
    skipped this one: `collect` says so as `import` would. Other skipped items are listed
    at `collect -v` only, as a source that reads its newest posts again would repeat them."""


@dataclass(slots=True)
class ParsedBatch:
    """What one response page, feed document or archive line turned into."""

    mentions: list[Mention] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Problems that did not lose data (a malformed feed the loose parser recovered)."""
    account_captures: list[str] | None = None
    """When an archive captured each of `accounts` (same order; stored time text, '' when
    the archive does not tell), or None: accounts polled live, the newest there are."""

    def extend(self, other: ParsedBatch) -> None:
        if self.account_captures is not None or other.account_captures is not None:
            mine = self.account_captures or [""] * len(self.accounts)
            self.account_captures = [*mine, *(other.account_captures or [""] * len(other.accounts))]
        self.mentions.extend(other.mentions)
        self.accounts.extend(other.accounts)
        self.skipped.extend(other.skipped)
        self.warnings.extend(other.warnings)


def newest_accounts(
    accounts: Sequence[Account], captures: Sequence[str] | None
) -> list[tuple[Account, str | None]]:
    """One account per key, with its capture time (`ParsedBatch.account_captures`): the
    last one given if they were polled live (`captures` None), else the one captured last,
    the first one read of those captured at the same time (an archive that does not tell
    when: the first one read). So importing the same files again picks the same ones.

    A later capture of the same profile keeps the time of the first: the store keeps a
    profile as first written (an equal one changes nothing), whether the captures come
    in one batch or in several."""
    if captures is None:
        return [(a, None) for a in {a.key: a for a in accounts}.values()]
    chosen: dict[str, tuple[Account, str | None]] = {}
    for account, captured in zip(accounts, captures, strict=True):
        current = chosen.get(account.key)
        if current is None or (captured > (current[1] or "") and account != current[0]):
            chosen[account.key] = (account, captured)
    return list(chosen.values())


@dataclass
class SourceState:
    """What a source remembers between polls (cursors, HTTP validators) and shows as health.

    Stored as one row of `source_state`; `name` is the source name, or `source/part` for
    one part of a source (one X query).
    """

    name: str
    kind: str = ""
    cursor: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    url: str | None = None
    last_poll_at: str | None = None
    last_success_at: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    items_seen: int = 0
    last_new: int = 0
    paused_until: str | None = None
    rate_remaining: int | None = None
    next_poll_at: str | None = None
    extra: str = "{}"


def sum_parts(main: SourceState, parts: Iterable[SourceState]) -> None:
    """Make a source's own row (`x`, `mastodon`) tell what its parts did: the posts they
    have seen, and its last success theirs when a round with one failing part still read
    the others (the row's own success is a round without any error)."""
    parts = list(parts)
    main.items_seen = sum(p.items_seen for p in parts)
    successes = [t for t in (main.last_success_at, *(p.last_success_at for p in parts)) if t]
    # Stored times share one format (`format_timestamp`), so the text order is time order.
    main.last_success_at = max(successes, default=None)


def utc_now() -> datetime:
    """The current time, aware UTC (a seam the tests can replace through a clock)."""
    return datetime.now(UTC)
