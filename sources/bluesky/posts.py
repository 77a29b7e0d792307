"""Turn Bluesky (AT Protocol) payloads into plain records: the live source, `import` and
Jetstream all parse through here, so a post reads alike whichever way it arrived.

Shapes read (decoded JSON, never SDK models, so a field the SDK does not know yet or a
stale payload never loses a page): a PostView (`uri`, `author`, `record`, `embed`,
`indexedAt`), a feed item (`post`, `reply.parent`, `reply.root`, `reason`), a thread
(`thread.post`, `thread.parent`, `thread.replies`), a quoted `viewRecord` (`value`
instead of `record`), a profile view, and the responses holding them: searchPosts
(`posts`), getAuthorFeed / getTimeline (`feed`), getPostThread (`thread`).

Ids: a post is `bluesky:<at-uri>` and its account `bluesky:<did>`, so a reply's
`reply.parent.uri` names its parent's id without a lookup. Reposts are not new posts
(like retweets on X they add no words): a feed item with a `reason` is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sources.model.not_text import NotTextAccounts, first_not_text, not_text
from sources.model.records import Account, Mention, ParsedBatch, Skipped
from sources.model.text import clean_text, language_code, parse_timestamp
from sources.x.twitter_v2 import raw_json

PLATFORM = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
QUOTE_EMBEDS = ("app.bsky.embed.record", "app.bsky.embed.recordWithMedia")


def mention_id(uri: str) -> str:
    """The store id of the post at an AT URI."""
    return f"{PLATFORM}:{uri}"


def account_key(did: str) -> str:
    return f"{PLATFORM}:{did}"


def web_url(uri: str, handle: str = "") -> str:
    """`at://did/app.bsky.feed.post/rkey` -> `https://bsky.app/profile/<handle|did>/post/rkey`.

    A handle reads better but can change; the DID stays valid, so it is the fallback.
    """
    did, collection, rkey = split_uri(uri)
    if collection != POST_COLLECTION or not rkey:
        return ""
    who = handle if handle and handle != "handle.invalid" else did
    return f"https://bsky.app/profile/{who}/post/{rkey}"


def split_uri(uri: str) -> tuple[str, str, str]:
    """(did, collection, rkey) of an AT URI; empty parts when it is not one."""
    if not uri.startswith("at://"):
        return "", "", ""
    parts = uri[len("at://") :].split("/")
    parts += [""] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


PROFILE_TEXT_FIELDS = ("handle", "displayName", "description")
"""The text of a profile view: an account whose one of these is not a string is skipped."""


def account_from_profile(profile: Mapping[str, Any]) -> Account | None:
    """An `Account` from a profile view (basic or detailed); None without a DID, or with a
    name that is not text (`first_not_text` of `PROFILE_TEXT_FIELDS` says which)."""
    did = clean_text(profile.get("did"))
    if not did.startswith("did:") or first_not_text(profile, PROFILE_TEXT_FIELDS) is not None:
        return None
    return Account(
        key=account_key(did),
        platform=PLATFORM,
        handle=clean_text(profile.get("handle")) or did,
        display_name=clean_text(profile.get("displayName")),
        bio=clean_text(profile.get("description")),
        followers=_count(profile.get("followersCount")),
        following=_count(profile.get("followsCount")),
        post_count=_count(profile.get("postsCount")),
        created_at=parse_timestamp(profile.get("createdAt")),
        raw=raw_json(profile),
    )


def mention_from_record(
    uri: str,
    record: Mapping[str, Any],
    author: Account | None,
    source: str,
    *,
    did: str = "",
    referenced_only: bool = False,
    raw: Mapping[str, Any] | None = None,
) -> Mention | Skipped:
    """A `Mention` from a post record (`app.bsky.feed.post`) at `uri`, or why not."""
    uri_did, collection, rkey = split_uri(uri)
    if collection != POST_COLLECTION or not rkey:
        return Skipped(f"post {uri or '?'}", "not an AT URI of a post")
    problem = not_text(record.get("text"), "text")
    if problem is not None:
        return Skipped(f"post {uri}", problem)
    created = parse_timestamp(record.get("createdAt"))
    if created is None:
        return Skipped(f"post {uri}", f"unreadable createdAt {record.get('createdAt')!r}")
    reply = record.get("reply") if isinstance(record.get("reply"), Mapping) else {}
    assert isinstance(reply, Mapping)
    parent = _ref_uri(reply.get("parent"))
    root = _ref_uri(reply.get("root"))
    quoted = quoted_uri(record.get("embed"))
    langs = record.get("langs")
    lang = language_code(langs[0]) if isinstance(langs, list) and langs else ""
    handle = author.handle if author else (did or uri_did)
    kind = "reply" if parent else ("quote" if quoted else "post")
    return Mention(
        id=mention_id(uri),
        platform=PLATFORM,
        source=source,
        url=web_url(uri, author.handle if author else ""),
        author=handle,
        author_name=author.display_name if author else "",
        author_key=author.key if author else account_key(did or uri_did),
        text=clean_text(record.get("text")),
        lang=lang or "und",
        created_at=created,
        kind=kind,
        in_reply_to=mention_id(parent) if parent else None,
        quoted_id=mention_id(quoted) if quoted else None,
        conversation_id=mention_id(root or uri),
        referenced_only=referenced_only,
        raw=raw_json(raw if raw is not None else {"uri": uri, "record": record}),
    )


def quoted_uri(embed: object) -> str:
    """The AT URI a post's record embed quotes (`record` or `recordWithMedia`); '' if none."""
    if not isinstance(embed, Mapping):
        return ""
    kind = str(embed.get("$type") or "")
    if kind == "app.bsky.embed.record":
        return _ref_uri(embed.get("record"))
    if kind == "app.bsky.embed.recordWithMedia":
        inner = embed.get("record")
        return quoted_uri(inner) if isinstance(inner, Mapping) else ""
    return ""


class _Collector:
    """Gathers the posts and authors of one response; the first full copy of a post wins."""

    def __init__(self, source: str, where: str) -> None:
        self.batch = ParsedBatch()
        self.source = source
        self.where = where
        self._accounts: dict[str, Account] = {}
        self._posts: dict[str, Mention] = {}
        self._not_text = NotTextAccounts(self.batch, where, PROFILE_TEXT_FIELDS)
        """Authors skipped for a name that is not text: their posts are kept under the DID."""

    def author(self, view: object) -> Account | None:
        if not isinstance(view, Mapping):
            return None
        account = account_from_profile(view)
        if account is None:
            self._not_text.skip(view, clean_text(view.get("did")))
            return None
        known = self._accounts.get(account.key)
        if known is None or (account.bio and not known.bio):
            self._accounts[account.key] = account
            return account
        return known

    def post_view(self, view: object, *, referenced_only: bool = False) -> None:
        """A PostView, or a quoted viewRecord (`value` holds the record there)."""
        if not isinstance(view, Mapping):
            return
        uri = clean_text(view.get("uri"))
        record = view.get("record") if "record" in view else view.get("value")
        if not isinstance(record, Mapping) or not uri:
            return  # a blocked, deleted or not-found stub: nothing to store
        if record.get("$type", POST_COLLECTION) != POST_COLLECTION:
            return
        author = self.author(view.get("author"))
        result = mention_from_record(
            uri, record, author, self.source, referenced_only=referenced_only, raw=view
        )
        if isinstance(result, Skipped):
            self.batch.skipped.append(Skipped(f"{self.where}: {result.where}", result.reason))
            return
        known = self._posts.get(result.id)
        if known is None or (known.referenced_only and not referenced_only):
            self._posts[result.id] = result
        self.embedded_quote(view.get("embed"))

    def embedded_quote(self, embed: object) -> None:
        """The quoted post shown inside an embed view, kept as a referenced copy."""
        if not isinstance(embed, Mapping):
            return
        inner = embed.get("record")
        if isinstance(inner, Mapping) and isinstance(inner.get("record"), Mapping):
            inner = inner["record"]  # recordWithMedia#view nests the record view once more
        if isinstance(inner, Mapping) and "value" in inner:
            self.post_view(inner, referenced_only=True)

    def feed_item(self, item: object) -> None:
        if not isinstance(item, Mapping):
            return
        if isinstance(item.get("reason"), Mapping):
            return  # a repost: the reposter adds no words of their own
        self.post_view(item.get("post"))
        reply = item.get("reply")
        if isinstance(reply, Mapping):
            self.post_view(reply.get("parent"), referenced_only=True)
            self.post_view(reply.get("root"), referenced_only=True)

    def thread(self, node: object, depth: int = 0) -> None:
        if not isinstance(node, Mapping) or depth > 200:
            return
        self.post_view(node.get("post"))
        self.thread(node.get("parent"), depth + 1)
        replies = node.get("replies")
        for child in replies if isinstance(replies, list) else []:
            self.thread(child, depth + 1)

    def done(self) -> ParsedBatch:
        self.batch.mentions.extend(self._posts.values())
        self.batch.accounts.extend(self._accounts.values())
        return self.batch


def parse_payload(payload: Mapping[str, Any], source: str, where: str = "") -> ParsedBatch:
    """One response of searchPosts, getAuthorFeed/getTimeline or getPostThread."""
    found = _Collector(source, where or source)
    if isinstance(payload.get("posts"), list):
        for view in payload["posts"]:
            found.post_view(view)
    elif isinstance(payload.get("feed"), list):
        for item in payload["feed"]:
            found.feed_item(item)
    elif isinstance(payload.get("thread"), Mapping):
        found.thread(payload["thread"])
    elif "uri" in payload and "record" in payload:
        found.post_view(payload)
    else:
        found.batch.skipped.append(Skipped(where or source, "not a Bluesky posts response"))
    return found.done()


def looks_like_bluesky(payload: object) -> bool:
    """Whether a decoded JSON value has the shape of a Bluesky posts response."""
    if not isinstance(payload, Mapping):
        return False
    if isinstance(payload.get("posts"), list) or isinstance(payload.get("thread"), Mapping):
        return True
    feed = payload.get("feed")
    if isinstance(feed, list):
        return all(isinstance(item, Mapping) and "post" in item for item in feed)
    uri = payload.get("uri")
    return isinstance(uri, str) and uri.startswith("at://") and "record" in payload


def profile_accounts(payload: Mapping[str, Any]) -> list[Account]:
    """The accounts of a getProfiles response (or of one getProfile)."""
    views = payload.get("profiles") if "profiles" in payload else [payload]
    accounts = [account_from_profile(v) for v in _as_list(views) if isinstance(v, Mapping)]
    return [a for a in accounts if a is not None]


def authors_of(batch: ParsedBatch) -> list[str]:
    """The DIDs of the accounts in a batch, for a profile read."""
    return [a.key.removeprefix(f"{PLATFORM}:") for a in batch.accounts]


def with_profiles(batch: ParsedBatch, profiles: Mapping[str, Account]) -> None:
    """Replace the basic author views with full profiles (bios) where one was read."""
    batch.accounts = [profiles.get(a.key, a) for a in batch.accounts]


def _ref_uri(ref: object) -> str:
    if isinstance(ref, Mapping):
        uri = ref.get("uri")
        if isinstance(uri, str) and uri.startswith("at://"):
            return clean_text(uri)
    return ""


def _count(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return None


def _as_list(value: object) -> Iterable[Any]:
    return value if isinstance(value, list) else []


def looks_like_jetstream(value: object) -> bool:
    """Whether a decoded JSON value is a Jetstream event (`did`, `time_us`, `kind`)."""
    return isinstance(value, Mapping) and "time_us" in value and "kind" in value and "did" in value


def parse_jetstream_event(event: Mapping[str, Any], source: str, where: str = "") -> ParsedBatch:
    """A Jetstream event: a created post becomes a mention (its author known by DID only,
    until a profile read names them); likes, follows, deletes and the rest give nothing."""
    batch = ParsedBatch()
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, Mapping):
        return batch
    if commit.get("collection") != POST_COLLECTION or commit.get("operation") != "create":
        return batch
    record = commit.get("record")
    did = clean_text(event.get("did"))
    if not isinstance(record, Mapping) or not did.startswith("did:"):
        return batch
    uri = f"at://{did}/{POST_COLLECTION}/{clean_text(commit.get('rkey'))}"
    result = mention_from_record(uri, record, None, source, did=did, raw=event)
    if isinstance(result, Skipped):
        batch.skipped.append(Skipped(f"{where or source}: {result.where}", result.reason))
    else:
        batch.mentions.append(result)
        batch.accounts.append(Account(key=account_key(did), platform=PLATFORM, handle=did))
    return batch


def mentioned_dids(record: Mapping[str, Any]) -> set[str]:
    """The DIDs a post mentions (rich-text facets), replies to or quotes."""
    found: set[str] = set()
    for facet in _as_list(record.get("facets")):
        for feature in _as_list(facet.get("features") if isinstance(facet, Mapping) else None):
            if isinstance(feature, Mapping) and feature.get("did"):
                found.add(str(feature["did"]))
    reply = record.get("reply")
    if isinstance(reply, Mapping):
        for part in ("parent", "root"):
            did = split_uri(_ref_uri(reply.get(part)))[0]
            if did:
                found.add(did)
    quoted = split_uri(quoted_uri(record.get("embed")))[0]
    if quoted:
        found.add(quoted)
    return found
