"""OPML, the file feed readers (newsboat, Miniflux, Feedly, NetNewsWire) move feed lists in.

Reading: every `<outline>` with a feed address, at any depth (readers nest feeds in
folders), once per address; an outline without one is a folder, and its title becomes
the category of the feeds inside. Writing: OPML 2.0 with one outline per feed.
Titles and addresses are untrusted text: they are read as attribute values and written
escaped by the XML library, never pasted into markup.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from sources.model.feed_rules import same_feed_key, url_problem
from sources.model.shown_text import shown_text
from sources.model.text import clean_text

FEED_SCHEMES = ("http", "https")
"""Addresses Echowatch can poll; newsboat's `exec:`, `filter:` and `query:` feeds cannot."""


class OpmlError(Exception):
    """A file that is not OPML at all (the message says what was found)."""


@dataclass(frozen=True)
class OpmlFeed:
    title: str
    """The outline's title (or text), empty when it has none."""
    url: str
    """The feed document's address (`xmlUrl`)."""
    category: str = ""
    """The folders around it, outermost first, joined with `/`."""


@dataclass
class OpmlList:
    feeds: list[OpmlFeed] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Outlines that were not taken, each with the reason."""


def parse_opml(data: bytes) -> OpmlList:
    """The feeds of an OPML document; raises `OpmlError` if it is not one."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not an OPML document: {exc}") from exc
    if _local(root.tag) != "opml":
        raise OpmlError(f"not an OPML document: the root element is <{_local(root.tag)}>")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise OpmlError("not an OPML document: it has no <body>")
    result = OpmlList()
    seen: set[str] = set()
    _walk(body, (), result, seen)
    return result


def _walk(element: ET.Element, folders: tuple[str, ...], out: OpmlList, seen: set[str]) -> None:
    for outline in element:
        if _local(outline.tag) != "outline":
            continue
        title = clean_text(outline.get("title") or outline.get("text") or "").strip()
        # `url` instead of `xmlUrl` is what some exporters write for type="rss" outlines.
        address = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not address and (outline.get("type") or "").lower() in ("rss", "atom"):
            address = (outline.get("url") or "").strip()
        if not address:
            _walk(outline, (*folders, title) if title else folders, out, seen)
            continue
        shown = title or address
        address = _without_feed_scheme(address)
        problem = url_problem(address, FEED_SCHEMES)
        if problem:
            out.skipped.append(f"{shown}: {address!r} {problem}")
            continue
        scheme = urlsplit(address).scheme.lower()
        key = same_feed_key(address)
        if key in seen:
            out.skipped.append(f"{shown}: {address} is listed twice")
            continue
        seen.add(key)
        # The scheme in lower case, as every address in a config is written (`HTTP://` works
        # as well, but two spellings of one feed should not sit side by side).
        address = f"{scheme}{address[len(scheme) :]}"
        out.feeds.append(OpmlFeed(title, address, "/".join(folders)))


def _without_feed_scheme(address: str) -> str:
    """The http(s) address a feed reader's `feed:` address means: `feed://host/x` is
    `http://host/x`, `feed:https://host/x` is `https://host/x` (subscribe links and some
    readers' exports use them); any other address as it is."""
    scheme, colon, rest = address.partition(":")
    if not colon or scheme.lower() != "feed":
        return address
    if rest.startswith("//"):
        return f"http:{rest}"
    return rest if rest.lower().startswith(("http://", "https://")) else address


def write_opml(feeds: list[OpmlFeed], *, title: str, created: datetime) -> str:
    """An OPML 2.0 document listing `feeds` (folders become nested outlines)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(created)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        parent = body
        path = ""
        for folder in filter(None, feed.category.split("/")):
            path = f"{path}/{folder}"
            if path not in folders:
                folder = shown_text(folder, one_line=True)
                folders[path] = ET.SubElement(parent, "outline", text=folder, title=folder)
            parent = folders[path]
        # XML cannot hold an ESC or other C0 control at all; a title is text for people.
        title, url = shown_text(feed.title, one_line=True), shown_text(feed.url, one_line=True)
        ET.SubElement(parent, "outline", type="rss", text=title, title=title, xmlUrl=url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _local(tag: object) -> str:
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1].lower()
