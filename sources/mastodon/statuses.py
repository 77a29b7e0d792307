"""Turn Mastodon statuses (REST answers, streaming events, saved status lists) into
plain records. The live source, the stream and `import` all parse through here.

Ids: status and account ids are local to the instance that answered, and so are the
`in_reply_to_id` links, so a post is `mastodon:<instance host>:<status id>` and its
author `mastodon:<instance host>:<account id>`; a reply then names its parent's id
without a lookup. Handles are always full (`name@host`): a local account's `acct` has
no host, and `anna` on two instances are two people.

HTML is reduced to plain text and never rendered; the "RE: <link>" paragraph Mastodon
adds for clients without quote support is dropped, since the quote is linked anyway.
A boost (reblog) is not a new mention: the booster adds no words of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sources.model.not_text import NotTextAccounts, first_not_text
from sources.model.program import program_name
from sources.model.records import Account, Mention, ParsedBatch, Skipped
from sources.model.text import clean_text, html_to_text, language_code, parse_timestamp
from sources.x.twitter_v2 import raw_json

PLATFORM = "mastodon"
_QUOTE_FALLBACK = re.compile(r"<p class=\"quote-inline\">.*?</p>", re.DOTALL)


_DEFAULT_PORTS = {"https": "443", "http": "80", "": "443"}
"""A host without a scheme is an instance served over https, as every Mastodon is."""


def host_of(url: str) -> str:
    """The host of an instance base URL (`https://mastodon.social/` -> `mastodon.social`).

    The port its scheme implies is dropped (`mastodon.social:443` is `mastodon.social`:
    one instance, so one id for each of its posts); another port stays, as it names
    another server (`mastodon.social:8443`).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower() if parts.netloc else ""  # `host:443` parses as a scheme
    netloc = (parts.netloc or url).lower().rstrip("/")
    host, colon, port = netloc.rpartition(":")
    if colon and port == _DEFAULT_PORTS.get(scheme):
        return host
    return netloc


def mention_id(host: str, status_id: str) -> str:
    return f"{PLATFORM}:{host}:{status_id}"


ACCOUNT_TEXT_FIELDS = ("acct", "username", "display_name", "note")
"""The text of an account entity: an account whose one of these is not a string is skipped."""
STATUS_TEXT_FIELDS = ("content", "text", "spoiler_text")
"""The text of a status (`status_text`): a status whose one of these is not a string is
skipped."""


def account_from(account: Mapping[str, Any], host: str) -> Account | None:
    """An `Account` from a Mastodon account entity; None without an id, or with a name
    that is not text (`first_not_text` of `ACCOUNT_TEXT_FIELDS` says which)."""
    account_id = clean_text(account.get("id"))
    if not account_id or first_not_text(account, ACCOUNT_TEXT_FIELDS) is not None:
        return None
    acct = clean_text(account.get("acct") or account.get("username")) or account_id
    handle = acct if "@" in acct else f"{acct}@{host}"
    return Account(
        key=f"{PLATFORM}:{host}:{account_id}",
        platform=PLATFORM,
        handle=handle,
        display_name=clean_text(account.get("display_name")),
        bio=html_to_text(clean_text(account.get("note"))),
        followers=_count(account.get("followers_count")),
        following=_count(account.get("following_count")),
        post_count=_count(account.get("statuses_count")),
        created_at=_time(account.get("created_at")),
        raw=raw_json(account),
    )


def status_text(status: Mapping[str, Any]) -> str:
    """The words of a status: content warning and body, as plain text. A status has its
    body as HTML `content`; the answer to DELETE has the plain source `text` instead."""
    if status.get("content") is None and isinstance(status.get("text"), str):
        text = clean_text(status["text"])
    else:
        text = html_to_text(_QUOTE_FALLBACK.sub("", clean_text(status.get("content"))))
    warning = clean_text(status.get("spoiler_text")).strip()
    return f"{warning}: {text}" if warning and text else (warning or text)


def quoted_status_id(status: Mapping[str, Any]) -> str:
    """The id a status quotes (Mastodon 4.5 `quote`), '' when it quotes nothing it shows."""
    quote = status.get("quote")
    if not isinstance(quote, Mapping):
        return ""
    inner = quote.get("quoted_status")
    if isinstance(inner, Mapping) and inner.get("id"):
        return clean_text(inner["id"])
    return clean_text(quote.get("quoted_status_id"))


class _Collector:
    def __init__(self, source: str, host: str, where: str, refused: str = "") -> None:
        self.batch = ParsedBatch()
        self.source, self.host, self.where = source, host, where
        self.refused = refused
        """Why no status of this answer can be stored (its instance is unknown), or ''."""
        self._posts: dict[str, Mention] = {}
        self._accounts: dict[str, Account] = {}
        self._not_text = NotTextAccounts(self.batch, where, ACCOUNT_TEXT_FIELDS)
        """Accounts skipped for a name that is not text: their statuses are kept."""

    def status(self, status: object, *, referenced_only: bool = False) -> None:
        if not isinstance(status, Mapping):
            return
        if status.get("reblog"):
            return  # a boost: not a new mention
        status_id = clean_text(status.get("id"))
        created = _time(status.get("created_at"))
        if not status_id or created is None:
            self.batch.skipped.append(
                Skipped(f"{self.where}: status {status_id or '?'}", "no id or creation time")
            )
            return
        if self.refused:
            self.batch.skipped.append(Skipped(f"{self.where}: status {status_id}", self.refused))
            return
        problem = first_not_text(status, STATUS_TEXT_FIELDS)
        if problem is not None:
            self.batch.skipped.append(Skipped(f"{self.where}: status {status_id}", problem))
            return
        raw_account = status.get("account")
        author = None
        if isinstance(raw_account, Mapping):
            author = account_from(raw_account, self.host)
            if author is None:
                self._not_text.skip(raw_account, clean_text(raw_account.get("id")))
        if author is not None:
            self._accounts.setdefault(author.key, author)
        parent = clean_text(status.get("in_reply_to_id"))
        quoted = quoted_status_id(status)
        kind = "reply" if parent else ("quote" if quoted else "post")
        mention = Mention(
            id=mention_id(self.host, status_id),
            platform=PLATFORM,
            source=self.source,
            url=clean_text(status.get("url") or status.get("uri")),
            author=author.handle if author else "unknown",
            author_name=author.display_name if author else "",
            author_key=author.key if author else "",
            text=status_text(status),
            lang=language_code(status.get("language")) or "und",
            created_at=created,
            kind=kind,
            in_reply_to=mention_id(self.host, parent) if parent else None,
            quoted_id=mention_id(self.host, quoted) if quoted else None,
            # The API names no thread root; a post that replies to nothing is its own.
            conversation_id=None if parent else mention_id(self.host, status_id),
            referenced_only=referenced_only,
            raw=raw_json(status),
        )
        known = self._posts.get(mention.id)
        if known is None or (known.referenced_only and not referenced_only):
            self._posts[mention.id] = mention
        quote = status.get("quote")
        if isinstance(quote, Mapping) and isinstance(quote.get("quoted_status"), Mapping):
            self.status(quote["quoted_status"], referenced_only=True)

    def done(self) -> ParsedBatch:
        self.batch.mentions.extend(self._posts.values())
        self.batch.accounts.extend(self._accounts.values())
        return self.batch


def parse_statuses(
    payload: object, source: str, host: str = "", where: str = "", *, instance: str = ""
) -> ParsedBatch:
    """A status list, one status, a search answer (`statuses`) or a context (`ancestors`,
    `descendants`). `host` is the instance that answered (the live sources know it).
    Without it (an import) the answer is asked (`answering_hosts`), then `instance`
    (`import --instance`); with neither, each status is skipped saying so, since a status
    id names a status only together with the instance that gave it."""
    where = where or source
    refused = warning = ""
    if not host:
        host, refused, warning = _import_host(payload, instance, where)
    found = _Collector(source, host, where, refused)
    if warning:
        found.batch.warnings.append(warning)
    if isinstance(payload, list):
        for status in payload:
            found.status(status)
    elif isinstance(payload, Mapping) and isinstance(payload.get("statuses"), list):
        for status in payload["statuses"]:
            found.status(status)
    elif isinstance(payload, Mapping) and (
        isinstance(payload.get("ancestors"), list) or isinstance(payload.get("descendants"), list)
    ):
        for status in [*_list(payload.get("ancestors")), *_list(payload.get("descendants"))]:
            found.status(status)
    elif looks_like_status(payload):
        found.status(payload)
    else:
        found.batch.skipped.append(Skipped(where, "not Mastodon statuses"))
    return found.done()


def looks_like_status(value: object) -> bool:
    """Whether a decoded JSON value is one status: an `id`, an `account` object, and its
    words (`content`; `text` in the answer to DELETE) or its `uri`."""
    return (
        isinstance(value, Mapping)
        and "id" in value
        and isinstance(value.get("account"), Mapping)
        and ("content" in value or "text" in value or "uri" in value)
    )


def looks_like_mastodon(payload: object) -> bool:
    """Whether a decoded JSON value is a Mastodon status list, status or search answer."""
    if isinstance(payload, list):
        return bool(payload) and all(looks_like_status(s) for s in payload)
    if isinstance(payload, Mapping):
        if isinstance(payload.get("statuses"), list) and "accounts" in payload:
            return True
        if isinstance(payload.get("ancestors"), list) and "descendants" in payload:
            return True
    return looks_like_status(payload)


def answering_hosts(payload: object) -> list[str]:
    """The instances a saved answer itself says served it, in the order found: the host of
    the address of a local account in it (a local `acct` has no `@`: an author, a
    mentioned account, an account a search found) and of a hashtag's page (an instance
    links every hashtag to its own page). A remote author's address says nothing: the
    status ids in an answer are the answering instance's own, whoever wrote the posts."""
    found: dict[str, None] = {}
    accounts: list[Any] = []
    tags: list[Any] = []
    if isinstance(payload, Mapping):
        accounts += _list(payload.get("accounts"))
        tags += _list(payload.get("hashtags"))
    for status in _statuses_in(payload):
        accounts += [status.get("account"), *_list(status.get("mentions"))]
        tags += _list(status.get("tags"))
    for account in accounts:
        if isinstance(account, Mapping):
            acct = account.get("acct")
            if isinstance(acct, str) and acct and "@" not in acct:
                found.setdefault(_web_host(account.get("url")))
    for tag in tags:
        if isinstance(tag, Mapping):
            url = clean_text(tag.get("url"))
            if urlsplit(url).path.startswith(("/tags/", "/tag/")):
                found.setdefault(_web_host(url))
    found.pop("", None)
    return list(found)


def _statuses_in(payload: object) -> list[Mapping[str, Any]]:
    """Every status of an answer, with the ones boosted or quoted inside them."""
    statuses: list[Any] = []
    if isinstance(payload, list):
        statuses = list(payload)
    elif isinstance(payload, Mapping):
        statuses = [
            *_list(payload.get("statuses")),
            *_list(payload.get("ancestors")),
            *_list(payload.get("descendants")),
            payload,
        ]
    found: list[Mapping[str, Any]] = []
    while statuses:
        status = statuses.pop()
        if isinstance(status, Mapping):  # (JSON nests 64 levels at most: see the importer)
            found.append(status)
            quote = status.get("quote")
            statuses.append(status.get("reblog"))
            statuses.append(quote.get("quoted_status") if isinstance(quote, Mapping) else None)
    return found


def _web_host(url: object) -> str:
    text = clean_text(url)
    return host_of(text) if text.startswith(("https://", "http://")) else ""


def _import_host(payload: object, instance: str, where: str) -> tuple[str, str, str]:
    """(host, why no status can be stored, a warning) for a saved answer: the instance the
    answer says, else `instance`; without either, no host and the reason."""
    said = answering_hosts(payload)
    if len(said) == 1:
        warning = ""
        if instance and instance != said[0]:
            warning = (
                f"{where}: the answer came from {said[0]}, not --instance {instance} (a "
                f"local account or hashtag page of {said[0]} is in it): stored as {said[0]}'s"
            )
        return said[0], "", warning
    if instance:
        return instance, "", ""
    how = (
        "a status id is that instance's own: import the file with "
        f"`{program_name()} import --instance HOST`, HOST being the instance it came from"
    )
    if said:
        return "", f"the answer names more than one instance ({', '.join(said)}); {how}", ""
    return "", f"the answer does not say which Mastodon instance served it; {how}", ""


def newest_id(ids: Iterable[str]) -> str | None:
    """The newest of some status ids (numeric, growing with time)."""
    found = [i for i in ids if i.isdigit()]
    return max(found, key=lambda i: (len(i), i)) if found else None


def id_newer(a: str, b: str) -> bool:
    return (len(a), a) > (len(b), b)


def _time(value: object) -> datetime | None:
    if isinstance(value, datetime):  # Mastodon.py has already decoded it
        return parse_timestamp(value.isoformat())
    return parse_timestamp(value)


def _count(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
