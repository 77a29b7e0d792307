"""Turn RSS, Atom and RDF documents into plain records through feedparser.

The live feed source fetches bytes itself (with timeouts and a size cap) and hands them
here; the importer reads them from files; the demo replay from the package. Same parser.
"""

from __future__ import annotations

import json
import re
import xml.sax
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from sources.feeds.ampersands import escape_bare_ampersands
from sources.feeds.item_time import read_item_time
from sources.feeds.language import detect_language
from sources.model.records import Account, Mention, ParsedBatch, Skipped
from sources.model.text import (
    TIME_OK,
    TIME_UNDATED,
    canonical_link,
    clean_text,
    collapse_whitespace,
    html_to_text,
    language_code,
    short_hash,
)

MAX_TEXT = 4000
"""Feed summaries are cut here: a mention is a post, not the whole article."""
_CUT_MARK = "…"
_WORD_BACKTRACK = 40
"""How far a cut may step back to end at a word: further, a long token is cut inside."""

_RAW_KEYS = ("id", "title", "link", "author", "published", "updated", "summary", "tags")


def parse_feed(
    data: bytes,
    feed_name: str,
    *,
    headers: Mapping[str, str] | None = None,
    base_url: str = "",
    seen_at: datetime | None = None,
    date_warnings: dict[str, str] | None = None,
) -> ParsedBatch:
    """Parse one feed document. Items without a date get `seen_at`, flagged `undated`.

    An item whose date cannot be read (or names a time zone that cannot be) is stored
    undated or at its other date, with a warning: in the batch's warnings, or in
    `date_warnings` under the item's id when given (the live source says each one once).

    A malformed document still yields what feedparser's loose parser recovered, with a
    warning; one with nothing usable gives a `Skipped` that says why. A feed that is
    readable but has no items (yet) is no failure: an empty batch, with a warning.
    """
    batch = ParsedBatch()
    try:
        parsed = _feedparser(data, headers)
        served_problem = _describe_bozo(parsed.get("bozo_exception"))
        repaired = escape_bare_ampersands(data) if _loose(parsed) else data
        if repaired != data:
            # Only a document the XML parser gave up on: a well-formed one reads as before.
            parsed = _feedparser(repaired, headers)
    except Exception as exc:  # feedparser itself fails on some input (`&#x110000;`)
        batch.skipped.append(Skipped(feed_name, f"not a readable feed: {_describe_bozo(exc)}"))
        return batch
    if repaired != data and not _loose(parsed):
        # Its bare `&` was all that was wrong with the XML: read in full, but the feed's
        # owner may want to know (the problem named is the one in the document as served).
        batch.warnings.append(
            f"{feed_name}: malformed feed ({served_problem}): a bare & was read as the "
            "character itself; the feed was read in full"
        )
    if parsed.get("bozo"):
        # Where the loose parser read it, the served document's first error says more
        # than the one in its repaired copy (whose columns are off by each `&amp;`).
        problem = served_problem if _loose(parsed) else _describe_bozo(parsed.get("bozo_exception"))
        if parsed.entries and not _loose(parsed):
            # The XML parser read it all; only how it was served or declared was off
            # (text/plain, an encoding that was overridden): not a malformed feed.
            batch.warnings.append(f"{feed_name}: {problem}; the feed was read in full")
        elif parsed.entries:
            batch.warnings.append(
                f"{feed_name}: malformed feed, read what could be recovered ({problem})"
            )
        elif _loose(parsed) or not parsed.get("version"):
            batch.skipped.append(Skipped(feed_name, f"not a readable feed: {problem}"))
            return batch
        # else the XML parser read a whole feed (served as text/plain, say): it is empty
    if not parsed.entries:
        if not parsed.get("version"):
            batch.skipped.append(Skipped(feed_name, "not an RSS, Atom or RDF document"))
        else:
            batch.warnings.append(f"{feed_name}: feed has no items")
        return batch
    feed = parsed.feed
    feed_title = collapse_whitespace(clean_text(feed.get("title"))) or feed_name
    feed_lang = language_code(feed.get("language"))
    generator = clean_text(feed.get("generator")).lower()
    fallback_time = seen_at or datetime.now(UTC)
    read = _Reading(feed_name, feed_title, feed_lang, base_url, fallback_time, _loose(parsed))
    dates_unread: dict[str, str] = {}
    accounts: dict[str, Account] = {}
    merged: Counter[str] = Counter()
    first_with_guid: dict[str, int] = {}
    for index, entry in enumerate(parsed.entries):
        mention = _mention_from_entry(entry, read, index, batch.warnings, dates_unread)
        if isinstance(mention, Skipped):
            batch.skipped.append(mention)
            continue
        if mention.canonical_url and not mention.link_id:  # keyed by its link
            merged[mention.id] += 1
        elif (guid := read.plain(entry.get("id")).strip()) and mention.id in first_with_guid:
            # The same guid twice in one document: the first item is the one stored (as
            # ever), and the second is listed as skipped (at -v) rather than lost unseen.
            first = first_with_guid[mention.id]
            batch.skipped.append(
                Skipped(
                    f"{feed_name}: item {index + 1}",
                    f"its guid {guid[:200]!r} repeats that of item {first + 1}; the first is kept",
                )
            )
            continue
        elif guid:
            first_with_guid[mention.id] = index
        batch.mentions.append(mention)
        if mention.author_key not in accounts:
            accounts[mention.author_key] = Account(
                key=mention.author_key,
                platform=people_platform(mention.url, generator) or "rss",
                handle=mention.author,
                display_name=mention.author_name,
            )
    batch.accounts.extend(accounts.values())
    if date_warnings is None:
        batch.warnings.extend(dates_unread.values())
    else:
        date_warnings.update(dates_unread)
    for mention_id, count in merged.items():
        if count > 1:  # no guid tells them apart: say so rather than merge in silence
            shown = next(m.url for m in batch.mentions if m.id == mention_id)
            batch.warnings.append(
                f"{feed_name}: {count} items without their own guid share the link "
                f"{shown[:200]}; stored as one mention"
            )
    return batch


def _feedparser(data: bytes, headers: Mapping[str, str] | None) -> Any:
    return feedparser.parse(
        data,
        response_headers=dict(headers or {}),
        sanitize_html=False,
        resolve_relative_uris=False,
    )


@dataclass(frozen=True)
class _Reading:
    """What every item of one feed document is read with."""

    feed_name: str
    feed_title: str
    feed_lang: str
    base_url: str
    fallback_time: datetime
    loose: bool
    """feedparser's loose parser read it (`_loose`): some texts keep their XML escapes."""

    def plain(self, value: object) -> str:
        """A text element that is not HTML (author, guid) as the XML parser reads it."""
        text = clean_text(value)
        return _xml_unescape(text) if self.loose and "&" in text else text


def _loose(parsed: Any) -> bool:
    """Whether feedparser read the document with its loose parser (the XML parser gave up
    on a malformed document, or no encoding could be told). That parser decodes titles
    and summaries but leaves the XML escapes (`&amp;`, `&lt;`...) in the text of elements
    it does not take for HTML, such as `<author>` and `<guid>`."""
    return isinstance(parsed.get("bozo_exception"), xml.sax.SAXException) or not parsed.get(
        "encoding"
    )


def _xml_unescape(text: str) -> str:
    """`text` with XML's five escapes undone, as the XML parser undoes them (`&amp;` last,
    so a text that said `&amp;lt;` keeps `&lt;`); feedparser's loose parser has already
    turned the numeric forms of these five into these."""
    for escaped, character in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(escaped, character)
    return text.replace("&amp;", "&")


def _mention_from_entry(
    entry: Any, read: _Reading, index: int, warnings: list[str], dates_unread: dict[str, str]
) -> Mention | Skipped:
    feed_name, feed_title = read.feed_name, read.feed_title
    link = clean_text(entry.get("link")).strip()
    if link and urlsplit(link).scheme.lower() not in ("", "http", "https"):
        # Only http(s) addresses are links anywhere in Echowatch (a data: or javascript:
        # address opens nothing and links nowhere): the item is kept, its address is not.
        warnings.append(
            f"{feed_name}: item {index + 1}: its link {link[:80]!r} is not an http(s) "
            "address; the item is kept without it"
        )
        link = ""
    title = collapse_whitespace(html_to_text(clean_text(entry.get("title"))))
    summary = html_to_text(clean_text(_summary_html(entry)))
    if summary.startswith(title):
        text = summary or title
    else:
        text = f"{title} — {summary}" if title and summary else (title or summary)
    text = _cut(text, MAX_TEXT)
    guid = read.plain(entry.get("id")).strip()
    if not (link or guid or text):
        return Skipped(
            f"{feed_name}: item {index + 1}",
            "item has no link, id, title or text",
            _item_key(entry),
        )
    canonical = canonical_link(link) if link else ""
    mention_id, link_id = item_ids(feed_name, guid, canonical, title, summary)
    author_name, handle = _author(entry, read, link)
    # No invented time: an undated item keeps the moment it was first seen, marked as such,
    # so it neither poses as news of this hour nor counts towards a spike.
    entry_time, unread = _entry_time(entry)
    if unread:
        # The first item of those stored as one mention (by guid or link) is the one kept.
        dates_unread.setdefault(mention_id, f"{feed_name}: item {index + 1}: {unread}")
    created = entry_time or read.fallback_time
    # Feeds that declare no language get one from the text (sources.feeds.language).
    lang = language_code(entry.get("language")) or read.feed_lang or detect_language(text)
    raw = {key: entry.get(key) for key in _RAW_KEYS if entry.get(key)}
    source_title = (entry.get("source") or {}).get("title")
    if source_title:
        raw["source_title"] = source_title
    raw["feed_title"] = feed_title
    return Mention(
        id=mention_id,
        platform="rss",
        source=feed_name,
        url=link or read.base_url,
        author=handle,
        author_name=author_name,
        author_key=f"rss:{feed_name}:{handle}",
        text=text,
        lang=lang,
        created_at=created,
        kind="article",
        title=title,
        canonical_url=canonical,
        time_flag=TIME_OK if entry_time else TIME_UNDATED,
        raw=json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str),
        link_id=link_id,
    )


def _item_key(entry: Any) -> str:
    """What tells a skipped item from the others in every copy of its feed, wherever it
    sits (`Skipped.item`): a hash of the fields it has. Only an item lost whole has one
    (`collect` names it once); a repeated guid's second item stays a detail for `-v`."""
    fields = {key: entry.get(key) for key in _RAW_KEYS if entry.get(key)}
    return short_hash(json.dumps(fields, sort_keys=True, default=str))


def item_ids(
    feed_name: str, guid: str, canonical: str, title: str, summary: str
) -> tuple[str, str]:
    """(id, link id) of a feed item: keyed by its guid when the feed gives one.

    Items with distinct guids that share one `<link>` (a live blog, a press page listing
    several releases) are distinct items. Where the guid is the link itself (most feeds:
    `<guid isPermaLink="true">`) or there is no guid, the canonical link is the key, global
    rather than per feed, so one article reaching two feeds stays one mention. A guid of
    its own keys the item within its feed (guids such as `123` repeat across feeds).

    The link id is what such an item was keyed by before guids were: ingest keeps a stored
    item under it when it holds the same guid, so an upgrade never duplicates an item.
    """
    link_id = f"rss:{short_hash(canonical)}" if canonical else ""
    if guid and canonical_link(guid) != canonical:
        return f"rss:{feed_name}:{short_hash(guid)}", link_id
    if link_id:
        return link_id, ""
    return f"rss:{feed_name}:{short_hash(title, summary)}", ""


def _summary_html(entry: Any) -> str:
    for content in entry.get("content") or []:
        if content.get("value"):
            return str(content["value"])
    return str(entry.get("summary") or entry.get("description") or "")


_MASTODON_LINK = re.compile(r"https?://([^/]+)/@([^/]+)/")
_BLUESKY_LINK = re.compile(r"https?://bsky\.app/profile/([^/]+)/")
_NITTER_LINK = re.compile(r"https?://[^/]+/([^/]+)/status/")


def _author(entry: Any, read: _Reading, link: str) -> tuple[str, str]:
    """(display name, handle) for the kinds of feeds people really follow."""
    feed_title = read.feed_title
    source_title = collapse_whitespace(clean_text((entry.get("source") or {}).get("title")))
    name = collapse_whitespace(read.plain(entry.get("author")))
    detail = entry.get("author_detail") or {}
    name = name or collapse_whitespace(read.plain(detail.get("name")))
    if match := _MASTODON_LINK.match(link):
        return name or match.group(2), f"{match.group(2)}@{match.group(1)}"
    if match := _BLUESKY_LINK.match(link):
        return name or feed_title, match.group(1)
    if name.startswith("/u/"):  # Reddit
        return name, name.removeprefix("/u/")
    if name.startswith("@"):  # Nitter puts the handle in dc:creator
        return name, name.removeprefix("@")
    if source_title:  # Google News names the publisher in <source>
        return source_title, source_title
    if name:
        return name, name
    if match := _NITTER_LINK.match(link):
        return match.group(1), match.group(1)
    return feed_title, feed_title


_REDDIT_LINK = re.compile(r"https?://([\w-]+\.)*reddit\.com/")


def people_platform(link: str, generator: str = "") -> str:
    """`mastodon`, `bluesky`, `reddit` or `nitter` when a feed item is a person's post on
    such a site (by its link, or the feed's generator); '' for anything else.

    The author of such an item is a person and gets a role like any poster (`public`,
    `ambassador`, ...), not `press` as the author of a news outlet's item does.
    """
    if _BLUESKY_LINK.match(link):
        return "bluesky"
    if _REDDIT_LINK.match(link):
        return "reddit"
    if _MASTODON_LINK.match(link) or "mastodon" in generator:
        return "mastodon"
    if "nitter" in (urlsplit(link).hostname or ""):  # an X mirror: posts by people too
        return "nitter"
    return ""


_DATE_KEYS = ("published", "updated", "created")
"""An item's dates as feedparser names them (RSS `pubDate` is `published`, `dc:date` is
`updated`), in the order they date it."""


def _entry_time(entry: Any) -> tuple[datetime | None, str]:
    """When the item was published, or None; and what could not be read ('' if nothing).

    A date that cannot be read, or names a time zone that cannot be, is not guessed at:
    read as UTC it could be half a day off, in the wrong hour of every count. The item
    is dated by its next date instead, or stays undated (counted nowhere, shown as such)."""
    unread = ""
    for key in _DATE_KEYS:
        written = clean_text(entry.get(key)).strip()
        reading = read_item_time(written, entry.get(f"{key}_parsed"))
        if reading.moment is not None:
            return reading.moment, f"{unread}; dated by its {key} date instead" if unread else ""
        if written and not unread:
            why = (
                f"names a time zone Echowatch cannot read ({reading.zone[:20]})"
                if reading.zone
                else "cannot be read"
            )
            unread = f"its {key} date {written[:80]!r} {why}"
    return None, f"{unread}; stored as undated (the time it was first seen)" if unread else ""


def _describe_bozo(exc: object) -> str:
    if exc is None:
        return "unknown parse error"
    message = collapse_whitespace(str(exc)) or type(exc).__name__
    return message[:200]


def looks_like_feed(data: bytes) -> bool:
    """A cheap sniff: does this file start like XML or a feed rather than JSON?"""
    head = data[:2048].lstrip(b"\xef\xbb\xbf\xff\xfe\r\n\t ").lower()
    if head.startswith(b"<") or head.startswith(b"<\x00"):
        return True
    return b"<rss" in head or b"<feed" in head or b"<rdf" in head or b"\x00<\x00" in data[:16]


def _cut(text: str, limit: int) -> str:
    """`text` of at most `limit` characters: a longer one ends at a word with `…`, so a
    reader sees that the article goes on (the item's link has the rest)."""
    if len(text) <= limit:
        return text
    kept = text[: limit - len(_CUT_MARK)]
    space = kept.rfind(" ", len(kept) - _WORD_BACKTRACK)
    if space > 0:
        kept = kept[:space]
    return kept.rstrip() + _CUT_MARK
