"""Read archive files from disk: Twitter API v2 JSON / JSON Lines and RSS/Atom/RDF files.

A file yields parsed batches one page at a time so that a large archive streams.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sources.archive_input import PackingError, open_archive, read_archive_bytes, source_name
from sources.feeds import looks_like_feed, parse_feed
from sources.program import program_name
from sources.records import ParsedBatch, Skipped
from sources.social_import import parse_social
from sources.text import clean_text
from sources.twitter_v2 import looks_like_v2, parse_response

MAX_FEED_BYTES = 64 * 1024 * 1024
"""Feed files larger than this are refused rather than parsed into memory."""


class ArchiveError(Exception):
    """A file that could not be read at all (missing, unreadable, not a known format)."""


def read_archive(
    path: Path,
    *,
    source: str | None = None,
    seen_at: datetime | None = None,
) -> Iterator[ParsedBatch]:
    """Yield the batches in one archive file; raise `ArchiveError` if nothing is readable.

    Posts record `source` as theirs (default: the file's name), or the query of the twarc
    request that fetched their page. A gzip-compressed file is unpacked as it is read.
    """
    source = source or source_name(path)
    try:
        with open_archive(path) as handle:
            head = handle.read(4096)
    except PackingError as exc:
        raise ArchiveError(f"{path}: {exc}") from exc
    except (OSError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ArchiveError(f"{path}: cannot read: {reason}") from exc
    if path.is_dir():
        raise ArchiveError(f"{path}: is a directory")
    if not head.strip():
        raise ArchiveError(f"{path}: file is empty")
    if b"<opml" in head[:1024].lower():
        raise ArchiveError(
            f"{path}: an OPML feed list, not a feed: add its feeds with "
            f"`{program_name()} feeds import {path}`"
        )
    if looks_like_feed(head):
        yield _read_feed(path, seen_at)
        return
    try:
        yield from _read_json(path, source)
    except (EOFError, OSError) as exc:  # a truncated or corrupt gzip stream part way in
        raise ArchiveError(f"{path}: damaged compressed file ({exc}); read up to there") from exc


def _read_feed(path: Path, seen_at: datetime | None) -> ParsedBatch:
    data = read_archive_bytes(path, MAX_FEED_BYTES)
    if len(data) > MAX_FEED_BYTES:
        raise ArchiveError(f"{path}: feed file larger than {MAX_FEED_BYTES} bytes")
    batch = parse_feed(data, path.stem, seen_at=seen_at)
    if not batch.mentions and batch.skipped:
        raise ArchiveError(f"{path}: {batch.skipped[0].reason}")
    return batch


def _read_json(path: Path, source: str) -> Iterator[ParsedBatch]:
    """JSON Lines (one page or tweet per line) as a stream; else one whole JSON document.

    An archive of a million posts is gigabytes of JSON Lines: it is read a line at a time,
    never whole. A file whose first line is not a complete JSON value (a pretty-printed
    document) is read whole, and falls back to lines if it is not one document either.
    """
    with open_archive(path) as handle:
        numbered = enumerate((_decoded(raw) for raw in handle), start=1)
        _, first = next(numbered, (1, ""))
        first = first.lstrip("\ufeff")
        try:
            value = json.loads(first)
        except json.JSONDecodeError:
            pass
        else:
            following = next(((n, line) for n, line in numbered if line.strip()), None)
            if following is None:  # the whole file is one line: a document
                yield from _whole_document(value, path, source)
            else:
                yield from _json_lines(chain([(1, first), following], numbered), path, source)
            return
    with open_archive(path) as handle:
        text = handle.read().decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        yield from _json_lines(enumerate(text.split("\n"), start=1), path, source)
    else:
        yield from _whole_document(whole, path, source)


def _decoded(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _whole_document(whole: object, path: Path, source: str) -> Iterator[ParsedBatch]:
    social = parse_social(whole, source, str(path))  # Bluesky or Mastodon (issue 16)
    if social is not None:
        yield social
        return
    if isinstance(whole, list):  # a JSON array of pages or tweets
        yield from _parse_values(whole, source, str(path))
        return
    if not looks_like_v2(whole):
        raise ArchiveError(
            f"{path}: JSON, but not a Twitter API v2 response or tweet, "
            "nor a Bluesky or Mastodon answer"
        )
    assert isinstance(whole, dict)
    yield parse_response(_strip_twarc(whole), _twarc_query(whole, source), str(path))


def _json_lines(
    numbered: Iterable[tuple[int, str]], path: Path, source: str
) -> Iterator[ParsedBatch]:
    # Lines are split at "\n" only: a post may hold U+2028 or a lone "\r" inside a string.
    readable = 0
    bad = ParsedBatch()
    for number, line in numbered:
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.skipped.append(
                Skipped(
                    f"{path}:{number}",
                    f"invalid or truncated JSON ({exc.msg} at column {exc.colno})",
                )
            )
            continue
        if not looks_like_v2(value):
            social = parse_social(value, source, f"{path}:{number}")
            if social is not None:
                readable += 1
                yield social
                continue
            bad.skipped.append(Skipped(f"{path}:{number}", "not a Twitter API v2 page or tweet"))
            continue
        readable += 1
        yield parse_response(_strip_twarc(value), _twarc_query(value, source), f"{path}:{number}")
    if not readable:
        reason = bad.skipped[0].reason if bad.skipped else "no JSON values"
        raise ArchiveError(f"{path}: not JSON or JSON Lines that can be read ({reason})")
    if bad.skipped:
        yield bad


def _parse_values(values: list[object], source: str, where: str) -> Iterator[ParsedBatch]:
    for index, value in enumerate(values):
        if looks_like_v2(value):
            assert isinstance(value, dict)
            yield parse_response(
                _strip_twarc(value), _twarc_query(value, source), f"{where}[{index}]"
            )
        else:
            yield ParsedBatch(skipped=[Skipped(f"{where}[{index}]", "not a v2 page or tweet")])


def _strip_twarc(value: dict[str, Any]) -> dict[str, Any]:
    # twarc2 adds a bookkeeping key of its own to every page; it is not API data.
    return {key: item for key, item in value.items() if key != "__twarc"}


def _twarc_query(value: dict[str, Any], default: str) -> str:
    """The search query of the twarc2 request that fetched this page, else `default`."""
    # twarc2 records the request URL of every page; a search's `query` parameter says
    # why these posts were collected, which is worth keeping as their source.
    meta = value.get("__twarc")
    url = meta.get("url") if isinstance(meta, dict) else None
    if not isinstance(url, str):
        return default
    query = parse_qs(urlsplit(url).query).get("query")
    return clean_text(query[0]).strip() if query and query[0].strip() else default
