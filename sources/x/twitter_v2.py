"""Turn Twitter API v2 payloads (live responses, twarc2 archives) into plain records.

Used by the importer, the live X source and the demo replay, so all three parse alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeGuard

import orjson

from sources.model.not_text import first_not_text, not_text
from sources.model.records import Account, Mention, ParsedBatch, Skipped
from sources.model.text import clean_text, language_code, parse_timestamp

_SURROGATE = re.compile("[\ud800-\udfff]")

MAX_TEXT = 100_000
"""Longest post text kept, in characters (four times X's longest posts)."""
UNKNOWN_AUTHOR = "unknown"
"""Handle given to a tweet whose author is missing from `includes.users`."""


_ACCOUNT_CACHE_LIMIT = 20_000
_accounts_seen: dict[bytes | str, tuple[dict[str, Any], Account]] = {}
"""A decoded user object's key -> (the object, its `Account`): the same author comes back on
nearly every page, and building an `Account` (its sorted `raw` JSON above all) costs more
than recognising the object. The key is the object's orjson encoding (`_user_key`): two
plain decoded JSON values with the same encoding are equal and make the same `Account`,
except where orjson wrote null, which it also writes for NaN and the infinities (NaN
equals nothing). A hit whose key holds `null`, or is a `repr`, is therefore also compared
with the object filed (`==`, done in C), so such an object is never taken for another;
other hits are not (without the comparison, walking pages into rows takes about 11 %
less). Only objects checked to be plain decoded JSON are filed; the check (a walk of the
whole object) runs on misses only."""


def account_from_user(user: Mapping[str, Any]) -> Account | Skipped:
    """An `Account` from a v2 user object, or why it cannot be one (a name that is not
    text, `USER_TEXT_FIELDS`)."""
    if type(user) is not dict:
        return _account_from_user(user)
    key = _user_key(user)
    seen = _accounts_seen.get(key)
    if seen is not None and ((type(key) is bytes and b"null" not in key) or seen[0] == user):
        return seen[1]
    account = _account_from_user(user)
    if isinstance(account, Account) and _decoded_json(user):  # (a refusal is not filed)
        if len(_accounts_seen) >= _ACCOUNT_CACHE_LIMIT:
            _accounts_seen.clear()
        _accounts_seen[key] = (user, account)
    return account


def _user_key(user: dict[str, Any]) -> bytes | str:
    """orjson's encoding of a user object (a quarter of the time of its `repr`, which was
    the key before), or its `repr` when orjson refuses it (integers beyond 64 bits, lone
    surrogates): one key per value either way, told apart by type."""
    try:
        return orjson.dumps(user)
    except (orjson.JSONEncodeError, TypeError):
        return repr(user)


_JSON_SCALARS = (str, int, float, bool, type(None))


def _decoded_json(value: object) -> bool:
    """Whether `value` holds only the types `json.loads` makes (no subclass of them)."""
    if isinstance(value, dict):
        return type(value) is dict and all(
            type(k) is str and _decoded_json(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return type(value) is list and all(_decoded_json(v) for v in value)
    return type(value) in _JSON_SCALARS


USER_TEXT_FIELDS = ("username", "name", "description")
"""The text of a v2 user object: an account whose one of these is not a string is skipped."""


def _account_from_user(user: Mapping[str, Any]) -> Account | Skipped:
    problem = first_not_text(user, USER_TEXT_FIELDS)
    if problem is not None:
        return Skipped(f"user {clean_text(user.get('id'))[:40] or '?'}", problem)
    metrics = user.get("public_metrics")
    metrics = metrics if isinstance(metrics, Mapping) else {}
    return Account(
        key=f"x:{user['id']}",
        platform="x",
        handle=clean_text(user.get("username")) or str(user["id"]),
        display_name=clean_text(user.get("name")),
        bio=clean_text(user.get("description")),
        followers=_int_or_none(metrics.get("followers_count")),
        following=_int_or_none(metrics.get("following_count")),
        post_count=_int_or_none(metrics.get("tweet_count")),
        created_at=parse_timestamp(user.get("created_at")),
        verified=bool(user.get("verified")),
        raw=raw_json(user),
    )


_ASCII_ID = re.compile(r"[0-9]+")
_RETWEET_TEXT = re.compile(r"RT @\w{1,15}: ", re.ASCII)
"""How X begins a retweet's text: "RT @handle: " (a handle is 1-15 letters, digits, _)."""
MAX_TWEET_ID_DIGITS = 19
"""Tweet ids are unsigned 64-bit snowflakes below 2**63: at most 19 ASCII digits."""
_FIRST_TOO_LARGE = str(1 << 63)


def tweet_id_problem(tweet_id: str) -> str | None:
    """Why `tweet_id` cannot be a tweet id, or None. `str.isdigit` is not enough: it
    accepts full-width (`１２３`) and Arabic-Indic (`١٢٣`) digits, which no X id has."""
    if tweet_id.isascii() and tweet_id.isdigit():  # as `_ASCII_ID`, without a regex call
        if len(tweet_id) < MAX_TWEET_ID_DIGITS:
            return None
        if len(tweet_id) == MAX_TWEET_ID_DIGITS and tweet_id < _FIRST_TOO_LARGE:
            return None  # digits of one length compare as the numbers they write
    if not tweet_id:
        return "tweet has no id"
    if not _ASCII_ID.fullmatch(tweet_id):
        return f"tweet id {tweet_id[:40]!r} is not made of the digits 0-9"
    if len(tweet_id) > MAX_TWEET_ID_DIGITS or int(tweet_id) >= 1 << 63:
        return f"tweet id of {len(tweet_id)} digits is larger than any X id (64 bits)"
    return None


TweetFields = tuple[
    str, str, str, str, str, str, str, datetime, str, "str | None", "str | None", "str | None", bool
]
"""What a v2 tweet object says, as `tweet_fields` reads it: (id, url, author, author_name,
author_key, text, lang, created_at, kind, in_reply_to, quoted_id, conversation_id, whether
the tweet had no created_at and its time was taken from its id; an unreadable created_at
replaced so is told by a warning instead). A tuple: the import's direct path builds millions."""


def tweet_fields(
    tweet: Mapping[str, Any], users: Mapping[str, Account], warnings: list[str] | None = None
) -> TweetFields | Skipped:
    """The fields of a post from a v2 tweet object, or why it cannot be one: the one reading
    of a tweet that `mention_from_tweet` and the import's direct rows share.

    A `created_at` that cannot be read is replaced by the time in the tweet's id, and
    `warnings` (when given) says so: a replaced value is never silent.
    """
    tweet_id = str(tweet.get("id") or "")
    problem = tweet_id_problem(tweet_id)
    if problem is not None:
        return Skipped(f"tweet {tweet_id[:40] or '?'}", problem)
    sent_text = _sent_text(tweet)
    if not isinstance(sent_text, str):
        return sent_text
    given = tweet.get("created_at")
    created = _tweet_time(given)
    from_id = False
    if created is None:
        created = snowflake_time(tweet_id)
        if created is None:
            # Without a time a tweet cannot be placed in the feed or any report.
            return Skipped(f"tweet {tweet_id}", _no_time(given, tweet_id))
        # None or "": no created_at (counted as derived); else unreadable (a warning).
        from_id = given is None or given == ""
        if not from_id and warnings is not None:
            warnings.append(
                f"tweet {tweet_id}: unreadable created_at {str(given)[:60]!r}; "
                "placed at the time its id encodes"
            )
    author_id = str(tweet.get("author_id") or "")
    account = users.get(author_id)
    in_reply_to = quoted = None
    kind = "post"
    refs = tweet.get("referenced_tweets")
    if refs is not None:  # most posts have none: no list to build
        types = {
            ref.get("type"): clean_text(ref.get("id")) for ref in _as_list(refs) if _is_mapping(ref)
        }
        in_reply_to = f"x:{types['replied_to']}" if "replied_to" in types else None
        quoted = f"x:{types['quoted']}" if "quoted" in types else None
        if "retweeted" in types:
            kind = "retweet"
        elif in_reply_to:
            kind = "reply"
        elif quoted:
            kind = "quote"
    conversation = clean_text(tweet.get("conversation_id"))
    # Capped: no real post is this long (X allows 25,000 characters); the whole payload
    # stays in `raw`, bounded by the importer's line limit.
    text = clean_text(unescape_x_text(sent_text))[:MAX_TEXT]
    if refs is None and text.startswith("RT @") and _RETWEET_TEXT.match(text):
        # X's default fields leave `referenced_tweets` out: a retweet's text still says it.
        kind = "retweet"
    return (
        f"x:{tweet_id}",
        f"https://x.com/{account.handle if account else 'i/web'}/status/{tweet_id}",
        account.handle if account else UNKNOWN_AUTHOR,
        account.display_name if account else "",
        account.key if account else (f"x:{author_id}" if author_id else ""),
        text,
        language_code(tweet.get("lang")) or "und",
        created,
        kind,
        in_reply_to,
        quoted,
        f"x:{conversation}" if conversation else None,
        from_id,
    )


def _no_time(given: object, tweet_id: str) -> str:
    """Why a tweet has no time: its `created_at` and its id, each in turn."""
    if given is None or given == "":
        told = "no created_at"
    else:
        told = f"unreadable created_at {str(given)[:60]!r}"
    if int(tweet_id) < SNOWFLAKE_START:
        return (
            f"{told}, and its id is too old to carry its time "
            "(X ids before November 2010 carry none)"
        )
    return f"{told}, and its id carries no time that can be read"


def _tweet_time(given: object) -> datetime | None:
    """`parse_timestamp(given)`, with X's own form (`2026-01-05T06:00:01.123Z`) read at once."""
    if (
        type(given) is str
        and len(given) == 24
        and given[-1] == "Z"
        and given[10] == "T"
        and given[4] == "-"
        and given[:4].isdigit()
    ):
        # The steps `parse_timestamp` takes for this form, without its other tries first.
        try:
            return datetime.fromisoformat(given.replace("Z", "+00:00")).astimezone(UTC)
        except (ValueError, OverflowError):
            pass
    return parse_timestamp(given)


def mention_from_tweet(
    tweet: Mapping[str, Any],
    users: Mapping[str, Account],
    source: str,
    *,
    referenced_only: bool = False,
    warnings: list[str] | None = None,
) -> Mention | Skipped:
    """A `Mention` from a v2 tweet object (`tweet_fields`), or why it cannot be one."""
    fields = tweet_fields(tweet, users, warnings)
    if isinstance(fields, Skipped):
        return fields
    mention_id, url, author, name, key, text, lang, created, kind, reply, quote, thread, _ = fields
    return Mention(
        id=mention_id,
        platform="x",
        source=source,
        url=url,
        author=author,
        author_name=name,
        author_key=key,
        text=text,
        lang=lang,
        created_at=created,
        kind=kind,
        in_reply_to=reply,
        quoted_id=quote,
        conversation_id=thread,
        referenced_only=referenced_only,
        raw=post_json(tweet),
    )


TWITTER_EPOCH_MS = 1288834974657
"""Start of the time embedded in snowflake ids (4 Nov 2010)."""


SNOWFLAKE_START = 1 << 32
"""Smaller tweet ids were given before November 2010 (in order, not from a clock): they
carry no time."""


def snowflake_time(tweet_id: str) -> datetime | None:
    """The creation time encoded in a post-2010 tweet id, for payloads without created_at."""
    value = int(tweet_id)
    if value < SNOWFLAKE_START:  # pre-snowflake ids carry no time
        return None
    try:
        return datetime.fromtimestamp(((value >> 22) + TWITTER_EPOCH_MS) / 1000, UTC)
    except (OverflowError, OSError, ValueError):  # an id from no real clock
        return None


def time_from_id(mention: Mention) -> bool:
    """Whether `mention`'s time is derived from its id: its payload has no created_at.

    Such a time is to the millisecond what X recorded, but it is derived, not reported:
    the stored payload (`raw`) keeps the absence, so the store can always tell.
    """
    if mention.platform != "x" or not mention.id.startswith("x:"):
        return False
    derived = snowflake_time(mention.id[2:]) if mention.id[2:].isdigit() else None
    if derived is None or derived != mention.created_at:
        return False  # cheap test first: a reported time almost never has these milliseconds
    reported = json.loads(mention.raw).get("created_at") if mention.raw else None
    return reported is None or reported == ""  # (an unreadable one is a warning instead)


def post_json(tweet: Mapping[str, Any]) -> str:
    """A post's payload as stored: its JSON with sorted keys and no spaces, written by
    orjson (a fifth of the time of `json`, which writes ", " and ": "). A value orjson
    refuses (lone surrogates, integers beyond 64 bits, keys that are not text) is
    stored as `raw_json` writes it; a float that is not a number, which JSON has no
    word for, becomes null. Earlier releases stored every post as `raw_json`
    writes it; `legacy_post_json` lets ingest tell such a row unchanged from changed.
    """
    return post_json_encoded(tweet)[0]


def post_json_encoded(tweet: Mapping[str, Any]) -> tuple[str, bytes]:
    """`post_json(tweet)` and its UTF-8 bytes: orjson writes the bytes, so they need not
    be encoded again from the text (for the payload's digest, half a µs a post)."""
    try:
        encoded = orjson.dumps(tweet, option=orjson.OPT_SORT_KEYS, default=str)
    except (orjson.JSONEncodeError, TypeError):
        text = raw_json(tweet)
        return text, text.encode("utf-8")
    return encoded.decode(), encoded


def legacy_post_json(stored: str) -> str:
    """The text `raw_json` would have stored for the post whose `post_json` is `stored`."""
    return raw_json(json.loads(stored))


def raw_json(value: Mapping[str, Any]) -> str:
    """The payload as stored JSON; lone surrogates (valid JSON escapes) stay escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if _SURROGATE.search(text):  # SQLite stores UTF-8, which cannot hold them raw
        text = json.dumps(value, ensure_ascii=True, sort_keys=True, default=str)
    return text


def retweet_by_text(text: str, raw: str) -> bool:
    """Whether a stored X post is a retweet known only by its text ("RT @name: ", and no
    `referenced_tweets` in its payload), as `tweet_fields` now reads such a tweet."""
    if not _RETWEET_TEXT.match(text):
        return False
    try:
        payload = json.loads(raw)
    except ValueError:
        return False
    return isinstance(payload, dict) and payload.get("referenced_tweets") is None


def _sent_text(tweet: Mapping[str, Any]) -> str | Skipped:
    """A post's whole text as X sent it, or why it has none that can be read: one that is
    not a string would be stored as Python's spelling of it (`['a', 'b']`)."""
    # Long posts carry their whole text in note_tweet; `text` is cut at 280 characters.
    note = tweet.get("note_tweet")
    key, sent = "text", tweet.get("text")
    if note is not None and isinstance(note, Mapping) and note.get("text"):
        key, sent = "note_tweet.text", note["text"]
    if type(sent) is str:
        return sent
    problem = not_text(sent, key)
    return "" if problem is None else Skipped(f"tweet {tweet.get('id')}", problem)


X_TEXT_UNESCAPE_SQL = "replace(replace(replace(text, '&lt;', '<'), '&gt;', '>'), '&amp;', '&')"
"""X's escaping of post texts, undone: the API sends a post's `text` (and a long post's
`note_tweet` text) with exactly three characters escaped, `&` as `&amp;`, `<` as `&lt;`
and `>` as `&gt;`, and nothing else (a typed `&copy;` or `&quot;` arrives as typed, so
`html.unescape` would change what the author wrote). `&lt;` and `&gt;` are undone first
and `&amp;` last, so a typed `&amp;` (sent as `&amp;amp;`) comes out as `&amp;`.

This is the rule as an SQLite expression over a column `text`, for a store migration to
apply to texts stored before; `unescape_x_text` applies the same rule in Python."""


def unescape_x_text(text: str) -> str:
    """A post text as its author typed it, from the text X sent (`X_TEXT_UNESCAPE_SQL`)."""
    if "&" not in text:  # nearly every post: no new string, no three scans
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape_x_text(text: str) -> str:
    """A post text as X sends it (the inverse of `unescape_x_text`), for payloads written
    here (the demo)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _int_or_none(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None  # not a count, or too large for any store column


def _is_mapping(value: object) -> TypeGuard[Mapping[str, Any]]:
    """`isinstance(value, Mapping)`, answered at once for the dicts JSON decoding makes
    (the abstract class's own check costs several times as much, for every tweet)."""
    return type(value) is dict or isinstance(value, Mapping)


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    return []


def parse_response(payload: Mapping[str, Any], source: str, where: str = "") -> ParsedBatch:
    """Parse one v2 response object (or a bare tweet object) into mentions and accounts.

    `data` may be a list (search, timelines) or a single object (tweet lookup);
    referenced tweets in `includes.tweets` are returned too, marked `referenced_only`.
    """
    batch = ParsedBatch()
    where = where or source

    def post(
        tweet: Mapping[str, Any], users: dict[str, Account], referenced: bool, warnings: list[str]
    ) -> None:
        mention = mention_from_tweet(
            tweet, users, source, referenced_only=referenced, warnings=warnings
        )
        _add(batch, mention, where)

    walk_page(payload, batch, where, post)
    return batch


PostHandler = Callable[[Mapping[str, Any], dict[str, Account], bool, list[str]], None]
"""Called for each tweet of a page: (tweet, the page's authors by id, referenced only,
the page's warnings to add to)."""


def walk_page(
    payload: Mapping[str, Any], batch: ParsedBatch, where: str, post: PostHandler
) -> None:
    """Walk one v2 page: its authors into `batch.accounts`, what is not a post into
    `batch.skipped`, and each tweet to `post`, `data` first, then the `includes.tweets`
    not already in `data` (referenced only). Shared by `parse_response` and the import's
    direct rows (`cache.write.direct`), so both read a page the same way."""
    if "data" not in payload and looks_like_tweet(payload):
        payload = {"data": [payload]}  # one tweet per line, as some archives store them
    includes = payload.get("includes") if isinstance(payload.get("includes"), Mapping) else {}
    assert isinstance(includes, Mapping)
    users: dict[str, Account] = {}

    def add_user(user: Mapping[str, Any]) -> None:
        account = account_from_user(user)
        if isinstance(account, Account):
            users[str(user["id"])] = account
        else:  # its posts are kept, as by an author the page does not describe
            batch.skipped.append(Skipped(f"{where}: {account.where}", account.reason))

    for user in _as_list(includes.get("users")):
        if isinstance(user, Mapping) and user.get("id"):
            add_user(user)
    data = _as_list(payload.get("data"))
    tweets = [item for item in data if _is_mapping(item) and "text" in item]
    if not tweets and data and all(isinstance(d, Mapping) and "username" in d for d in data):
        # A users lookup: accounts without posts are still worth keeping.
        for user in data:
            if user.get("id"):
                add_user(user)
    elif data and not tweets:
        batch.skipped.append(Skipped(where, _describe_non_tweets(data)))
    batch.accounts.extend(users.values())
    primary_ids = set()
    warnings: list[str] = []
    for tweet in tweets:
        post(tweet, users, False, warnings)
        primary_ids.add(str(tweet.get("id")))
    for tweet in _as_list(includes.get("tweets")):
        if _is_mapping(tweet) and str(tweet.get("id")) not in primary_ids:
            post(tweet, users, True, warnings)
    batch.warnings.extend(f"{where}: {warning}" for warning in warnings)
    if not data and not includes:
        batch.skipped.append(Skipped(where, _describe_empty(payload)))


def _add(batch: ParsedBatch, result: Mention | Skipped, where: str) -> None:
    if isinstance(result, Mention):
        batch.mentions.append(result)
    else:
        batch.skipped.append(Skipped(f"{where}: {result.where}", result.reason))


def _describe_non_tweets(data: Iterable[Any]) -> str:
    first = next(iter(data), None)
    if isinstance(first, Mapping) and "tweet_count" in first:
        return "tweet counts, not posts: nothing to import"
    return "response data holds no tweets"


def _describe_empty(payload: Mapping[str, Any]) -> str:
    errors = _as_list(payload.get("errors"))
    if errors:
        first = errors[0] if isinstance(errors[0], Mapping) else {}
        detail = first.get("detail") or first.get("message") or payload.get("detail") or "error"
        return f"API error response: {clean_text(detail)}"
    meta = payload.get("meta")
    if isinstance(meta, Mapping) and meta.get("result_count") == 0:
        return "empty result page (result_count 0)"
    return "not a Twitter API v2 response (no data, includes or errors)"


def looks_like_v2(payload: object) -> bool:
    """Whether a decoded JSON value has the shape of a v2 response, page or tweet."""
    if not isinstance(payload, Mapping):
        return False
    return bool({"data", "includes", "errors"} & payload.keys()) or looks_like_tweet(payload)


NOT_TWEET_KEYS = ("account", "uri", "content")
"""Keys of a Mastodon status that no v2 tweet object has (X names a tweet's author by
`author_id`, and has no `uri` or HTML `content`). A status has `id`, and its answer to
DELETE also `text`: one of these keys says it is not a tweet."""


def looks_like_tweet(value: Mapping[str, Any]) -> bool:
    """Whether a decoded object is one bare v2 tweet (as some archives store one a line):
    `id` and `text`, and none of `NOT_TWEET_KEYS`."""
    return "id" in value and "text" in value and not not_tweet_keys(value)


def not_tweet_keys(value: Mapping[str, Any]) -> list[str]:
    """The `NOT_TWEET_KEYS` that `value` has."""
    return [key for key in NOT_TWEET_KEYS if key in value]
