"""Read archive files from disk: Twitter API v2 JSON / JSON Lines and RSS/Atom/RDF files.

A file yields parsed batches one page at a time so that a large archive streams.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import accumulate, chain
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

import orjson

from sources.archive.packing import PackingError, open_archive, read_archive_bytes, source_name
from sources.archive.social import parse_social
from sources.feeds.parse import looks_like_feed, parse_feed
from sources.model.program import program_name
from sources.model.records import ParsedBatch, Skipped
from sources.model.text import clean_text, format_timestamp, parse_timestamp
from sources.x.twitter_v2 import looks_like_v2, not_tweet_keys, parse_response

V2Parser = Callable[[dict[str, Any], str, str], ParsedBatch]
"""(page, source, where) -> batch: `sources.x.twitter_v2.parse_response` or a faster twin."""

MAX_FEED_BYTES = 64 * 1024 * 1024
"""Feed files larger than this are refused rather than parsed into memory."""


class ArchiveError(Exception):
    """A file that could not be read at all (missing, unreadable, not a known format)."""


DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024
"""Longest JSON line imported (4 MiB): a page of 100 posts with its includes is well under
1 MB. A longer line is skipped with its number and size, read past in bounded chunks."""
MAX_NESTING = 64
"""Deepest nesting of arrays and objects accepted in one JSON value (API v2 pages go about
8 deep). Deeper lines are skipped before parsing: Python's parser would recurse until it
raised RecursionError."""
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""Largest file read whole as one JSON document (pretty-printed); larger ones are read as
JSON Lines, a line at a time."""
_DRAIN_CHUNK = 1024 * 1024


def read_archive(
    path: Path,
    *,
    source: str | None = None,
    seen_at: datetime | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    parse_v2: V2Parser = parse_response,
    mastodon_instance: str = "",
) -> Iterator[ParsedBatch]:
    """Yield the batches in one archive file; raise `ArchiveError` if nothing is readable.

    Posts record `source` as theirs (default: the file's name), or the query of the twarc
    request that fetched their page. A gzip-compressed file is unpacked as it is read.
    `parse_v2(page, source, where)` turns each API v2 page into a batch (the importer
    passes its direct row parser, `cache.write.direct.rows_from_page`).
    `mastodon_instance`: the instance saved Mastodon answers came from, for the answers
    that do not say (`import --instance`).
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
        yield from _read_json(
            path, source, max_line_bytes, _value_parser(parse_v2, mastodon_instance)
        )
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


Line = tuple[int, bytes | None, int]
"""(line number, its bytes or None when it is over the limit, its size in bytes)."""


def _read_json(
    path: Path, source: str, max_line_bytes: int, parse: ValueParser
) -> Iterator[ParsedBatch]:
    """JSON Lines (one page or tweet per line) as a stream; else one whole JSON document.

    An archive of a million posts is gigabytes of JSON Lines: it is read a line at a time,
    never whole, and no line longer than `max_line_bytes` is held in memory. A file whose
    first line is not a complete JSON value (a pretty-printed document), or that is one
    line longer than `max_line_bytes` (a compact document), is read whole when it is at
    most `MAX_DOCUMENT_BYTES`, and falls back to lines if it is not one document.
    """
    with open_archive(path) as handle:
        lines = _bounded_lines(handle, max_line_bytes)
        first_line = next(lines, (1, b"", 0))
        _, first_raw, size = first_line
        if first_raw is None:
            following = _next_line(lines)
            if following is not None or size > MAX_DOCUMENT_BYTES:
                # A line of JSON Lines over the limit: skipped with its size, the rest read.
                read = chain([first_line], [following] if following else [], lines)
                yield from _json_lines(read, path, source, max_line_bytes, parse)
                return
            # else the file is this one line: a compact document, read whole below
        elif depth_over_limit(first_raw) is not None:
            # Over the limits: so it is one complete (hostile) line of JSON Lines; skip it
            # with its reason and read on, line by line.
            yield from _json_lines(chain([first_line], lines), path, source, max_line_bytes, parse)
            return
        else:
            invalid: list[int] = []
            first = _decoded(first_raw, invalid).lstrip("\ufeff")
            try:
                value = load_json(first)
            except NumberTooLong as exc:  # a whole value but for a number
                following = _next_line(lines)
                if following is None:  # the whole file: a document that cannot be read
                    raise ArchiveError(f"{path}: JSON {exc}") from None
                rest = chain([first_line, following], lines)  # JSON Lines: that line skipped
                yield from _json_lines(rest, path, source, max_line_bytes, parse)
                return
            except (json.JSONDecodeError, TooDeep):
                pass  # not a whole value: a pretty-printed document, read whole below
            else:
                following = _next_line(lines)
                if following is None:  # the whole file is one line: a document
                    yield from _replaced_bytes(str(path), invalid)
                    yield from _whole_document(value, path, source, parse)
                else:  # its first line, as read (`_json_lines` warns of bytes not UTF-8)
                    rest = chain([(1, _without_bom(first_raw), size), following], lines)
                    yield from _json_lines(rest, path, source, max_line_bytes, parse)
                return
    with open_archive(path) as handle:  # at most MAX_DOCUMENT_BYTES, decompressed
        data = handle.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        with open_archive(path) as handle:
            lines = _bounded_lines(handle, max_line_bytes)
            yield from _json_lines(lines, path, source, max_line_bytes, parse)
        return
    invalid = []
    text = _decoded(data, invalid).lstrip("\ufeff")
    yield from _replaced_bytes(str(path), invalid)
    try:
        whole = load_json(text)
    except TooDeep as exc:
        raise ArchiveError(f"{path}: {exc}") from None
    except NumberTooLong as exc:  # one document, JSON but for that number
        raise ArchiveError(f"{path}: JSON {exc}") from None
    except json.JSONDecodeError:
        split = text.split("\n")  # (decoded with replacement: no lone surrogate to encode)
        yield from _json_lines(
            ((n, line.encode("utf-8"), len(line)) for n, line in enumerate(split, start=1)),
            path,
            source,
            DEFAULT_MAX_LINE_BYTES,
            parse,
        )
    else:
        yield from _whole_document(whole, path, source, parse)


def _next_line(lines: Iterator[Line]) -> Line | None:
    """The next line that is not blank (an over-long one counts), or None at the end."""
    return next((line for line in lines if line[1] is None or _decoded(line[1]).strip()), None)


def _bounded_lines(handle: BinaryIO, limit: int) -> Iterator[Line]:
    """The lines of a binary file split at b"\\n", none longer than `limit` held whole."""
    number = 0
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield number, raw, len(raw.rstrip(b"\n"))
            continue
        size = len(raw)
        while not raw.endswith(b"\n"):  # read past the rest, a bounded chunk at a time
            raw = handle.readline(_DRAIN_CHUNK)
            if not raw:
                break
            size += len(raw)
        yield number, None, size - (1 if raw.endswith(b"\n") else 0)


class RefusedJson(ValueError):
    """A JSON text import does not read, though its syntax may be right; the message says
    why in the user's words, after "JSON " (`JSON nested 71 levels deep ...`)."""


class TooDeep(RefusedJson):
    """A JSON value nested deeper than `MAX_NESTING`."""


class NumberTooLong(RefusedJson):
    """A JSON text, valid but for an integer of more digits than Python converts
    (`sys.get_int_max_str_digits()`, 4,300 unless set: CVE-2020-10735)."""


_NOT_BRACKET = bytes(c for c in range(256) if c not in b"[]{}")
_TO_SQUARE = bytes.maketrans(b"{}", b"[]")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def depth_over_limit(text: str | bytes) -> int | None:
    """The nesting depth of a JSON text (or its UTF-8 bytes) when it is over `MAX_NESTING`,
    else None.

    Strings do not count. The brackets are first taken from the whole text in one C pass
    and their depth bounded in a few more (`_shallow`); only when that bound and then
    their exact depth say deeper than the limit are strings taken out and the depth
    counted again, so a post full of "[[[" is no reason.
    """
    raw = _utf8(text)
    brackets = raw.translate(_TO_SQUARE, _NOT_BRACKET)
    if _shallow(brackets) or _bracket_depth(brackets) <= MAX_NESTING:
        return None
    # Take out escaped backslashes and quotes, then everything inside strings.
    plain = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(plain.split(b'"')[::2])
    depth = _bracket_depth(outside.translate(None, _NOT_BRACKET))
    return depth if depth > MAX_NESTING else None


def _shallow(brackets: bytes) -> bool:
    """Whether `brackets` (only `[` and `]`) surely nest no deeper than `MAX_NESTING`.

    Each pass takes out every innermost pair `[]`, which lowers the deepest point (never
    below the start's 0) by one at most; what no pass takes out (brackets without a
    partner, from inside strings) is counted as it stands. A page of a hundred posts
    nests 6 deep: six C passes over its brackets, where counting them one by one took
    1.2 µs of a post's 1.7 (`_bracket_depth` stays for what this cannot settle)."""
    passes = 0
    while passes <= MAX_NESTING:
        fewer = brackets.replace(b"[]", b"")
        if len(fewer) == len(brackets):
            return passes + max(_bracket_depth(brackets), 0) <= MAX_NESTING
        brackets, passes = fewer, passes + 1
    return False


def _bracket_depth(brackets: bytes) -> int:
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


_NUMBER_SHAPE = bytes.maketrans(b"0123456789[,", b"0000000000::")
_JSON_SPACE_AND_MINUS = b" \t\r\n-"
_LONG_AFTER_SEPARATOR = b":" + b"0" * 19


def has_long_number(text: str | bytes) -> bool:
    """Whether `text` may hold a bare number of 19 digits or more after `:`, `[` or `,`.

    orjson turns integers beyond 64 bits into floats, json keeps them exact: such a line
    (or one with such digits inside a string, after a colon or comma) goes to json. A
    regex starting at every `:` and `,` of a page cost about as much as parsing it; here
    two C passes over the bytes do it: every digit becomes 0, `[` and `,` become `:`, JSON
    whitespace and minus signs go, and one search finds `:` followed by 19 zeros.
    """
    shape = _utf8(text).translate(_NUMBER_SHAPE, _JSON_SPACE_AND_MINUS)
    return _LONG_AFTER_SEPARATOR in shape


def load_json(text: str) -> Any:
    """`json.loads`, refusing values nested deeper than `MAX_NESTING` before parsing them."""
    depth = depth_over_limit(text)
    if depth is not None:
        raise TooDeep(_too_deep(depth))
    if not has_long_number(text):
        try:
            return orjson.loads(text)  # about twice as fast as json.loads, same values
        except orjson.JSONDecodeError:
            pass  # json decides: lone surrogates, NaN, the error message with its column
    try:
        return json.loads(text)
    except RecursionError:  # brackets inside strings hid the depth: never a traceback
        raise TooDeep(f"nested too deeply (the limit is {MAX_NESTING})") from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # json's bare ValueError for an integer too long to convert
        raise _why_not_read(text) from None


def _why_not_read(text: str) -> Exception:
    """What to raise for a text json refused with a bare ValueError: `NumberTooLong` when
    it is JSON but for its numbers, else the JSONDecodeError it then is (so a line cut
    after such a number is "invalid or truncated", and a file is told a document from
    JSON Lines as ever). Read again, numbers taken as text: on this rare path only."""
    longest = 0

    def count_digits(number: str) -> int:
        nonlocal longest
        longest = max(longest, len(number.lstrip("-")))
        return 0

    try:
        json.loads(text, parse_int=count_digits)
    except json.JSONDecodeError as exc:
        return exc
    except RecursionError:
        return TooDeep(f"nested too deeply (the limit is {MAX_NESTING})")
    limit = sys.get_int_max_str_digits()
    return NumberTooLong(f"holds a number of {longest} digits (the limit is {limit})")


_BLANK = object()
"""`_line_value` of a line with nothing but whitespace."""


def _line_value(raw: bytes, invalid: list[int] | None = None) -> Any:
    """`load_json` of a line's decoded text, or `_BLANK` when that text is blank; where
    the line is not UTF-8, the byte that is not goes into `invalid` (`_decoded`).

    A line that orjson reads as it is (valid UTF-8, no number too long for it: nearly
    every line) is never decoded: decoding a page, then encoding it twice more for the
    checks above, and orjson reading a `str` cost 7.0-7.6 µs per post against 5.6-6.1 for
    the bytes. The checks only look at ASCII bytes (brackets, quotes, digits), which
    decoding with replacement leaves as they are, so they decide alike on either form;
    every other line takes the text's way, as before."""
    depth = depth_over_limit(raw)
    if depth is not None:
        raise TooDeep(_too_deep(depth))
    if not has_long_number(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # invalid UTF-8, a BOM, blank, or not JSON: the text decides, as before
    text = _decoded(raw, invalid)
    if not text.strip():
        return _BLANK
    return load_json(text)


def json_mistake(exc: json.JSONDecodeError) -> str:
    """What is wrong with a JSON text and where: `Expecting value at column 4`."""
    # Some of json's messages end in "at" already ("Unterminated string starting at").
    return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"


def _too_deep(depth: int) -> str:
    return f"nested {depth} levels deep (the limit is {MAX_NESTING})"


def _utf8(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB ({size} bytes)"
    return f"{size} bytes"


def _decoded(raw: bytes, invalid: list[int] | None = None) -> str:
    """`raw` as text, each byte that is not UTF-8 read as U+FFFD; the place (from 1) of the
    first such byte goes into `invalid`, for a warning (`_replaced_bytes`)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if invalid is not None:
            invalid.append(exc.start + 1)
        return raw.decode("utf-8", errors="replace")


def _replaced_bytes(where: str, invalid: list[int]) -> Iterator[ParsedBatch]:
    """A warning that `where` was read with U+FFFD for bytes that are not UTF-8."""
    if invalid:
        yield ParsedBatch(warnings=[_replaced_warning(where, invalid[0])])


def _replaced_warning(where: str, byte: int) -> str:
    return (
        f"{where}: invalid UTF-8 at byte {byte}; read with U+FFFD in place of the "
        "bytes that are not UTF-8"
    )


MAX_UTF8_WARNINGS = 10
"""Lines of one file named one by one for bytes that are not UTF-8; the rest are counted."""

_BOM = b"\xef\xbb\xbf"


def _without_bom(raw: bytes) -> bytes:
    while raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    return raw


def _whole_document(
    whole: object, path: Path, source: str, parse: ValueParser
) -> Iterator[ParsedBatch]:
    batch = parse(whole, source, str(path))
    if batch is not None:
        yield batch
    elif isinstance(whole, list):  # a JSON array of pages, tweets or answers
        yield from _parse_values(whole, source, str(path), parse)
    else:
        raise ArchiveError(f"{path}: JSON, but {_unknown_reason(whole)}")


ValueParser = Callable[[object, str, str], "ParsedBatch | None"]
"""(decoded JSON value, source, where) -> its records, or None when it is no answer
import reads (`_value_parser`)."""


def _value_parser(parse_v2: V2Parser, mastodon_instance: str) -> ValueParser:
    def parse(value: object, source: str, where: str) -> ParsedBatch | None:
        """The records of one decoded JSON value: a Twitter API v2 page or tweet, or a
        saved Bluesky or Mastodon answer (a status list too); None when it is none of
        these. The one place import decides which platform a value is, for documents,
        lines and array items alike."""
        batch: ParsedBatch | None
        if looks_like_v2(value):
            assert isinstance(value, dict)
            batch = parse_v2(_strip_twarc(value), _twarc_query(value, source), where)
        else:
            batch = parse_social(value, source, where, mastodon_instance)
        if batch is not None and batch.accounts:
            batch.account_captures = [_captured_at(value, batch)] * len(batch.accounts)
        return batch

    return parse


def _captured_at(value: object, batch: ParsedBatch) -> str:
    """When an archive captured the accounts of one value (stored time text, '' if it
    does not tell): twarc's `retrieved_at` for the page, else the time of the newest
    post on it (a profile is at least as new as the posts that came with it)."""
    meta = value.get("__twarc") if isinstance(value, dict) else None
    if isinstance(meta, dict):
        retrieved = parse_timestamp(meta.get("retrieved_at"))
        if retrieved is not None:
            return format_timestamp(retrieved)
    newest = max((m.created_at for m in batch.mentions), default=None)
    if newest is None and isinstance(value, dict):
        newest = _newest_post_time(value)
    return format_timestamp(newest) if newest is not None else ""


def _newest_post_time(page: dict[str, Any]) -> datetime | None:
    """The newest `created_at` of a v2 page's posts (the import's direct rows leave
    `batch.mentions` empty). X writes every time of a page alike
    (`2021-09-22T16:20:00.000Z`): the greatest text is the newest, read once."""
    data = page.get("data")
    tweets = data if isinstance(data, list) else [page if "text" in page else data]
    includes = page.get("includes")
    if isinstance(includes, dict) and isinstance(includes.get("tweets"), list):
        tweets = [*tweets, *includes["tweets"]]
    times = (t.get("created_at") for t in tweets if isinstance(t, dict))
    return parse_timestamp(
        max((t for t in times if type(t) is str and t[:1].isdigit()), default=None)
    )


def _unknown_reason(value: object) -> str:
    """Why `_parse_value` found no platform's answer in `value`."""
    if isinstance(value, dict) and "id" in value and "text" in value and not_tweet_keys(value):
        return (
            f"not an X tweet (it has Mastodon's {', '.join(not_tweet_keys(value))}) nor a "
            "whole Mastodon status (one has an `account` object)"
        )
    return "not a Twitter API v2 response or tweet, nor a Bluesky or Mastodon answer"


def _json_lines(
    numbered: Iterable[Line],
    path: Path,
    source: str,
    limit: int,
    parse: ValueParser,
) -> Iterator[ParsedBatch]:
    # Lines are split at "\n" only: a post may hold U+2028 or a lone "\r" inside a string.
    readable = 0
    bad = ParsedBatch()
    replaced = 0  # lines read with U+FFFD for bytes that are not UTF-8
    invalid: list[int] = []
    for number, line, size in numbered:
        if line is None:
            bad.skipped.append(
                Skipped(
                    f"{path}:{number}",
                    f"line of {_size_text(size)} is over the limit of {_size_text(limit)}"
                    " (import --max-line-mb)",
                )
            )
            continue
        invalid.clear()
        try:
            value = _line_value(line, invalid)
        except RefusedJson as exc:
            bad.skipped.append(Skipped(f"{path}:{number}", f"JSON {exc}"))
            continue
        except json.JSONDecodeError as exc:
            bad.skipped.append(
                Skipped(f"{path}:{number}", f"invalid or truncated JSON ({json_mistake(exc)})")
            )
            continue
        if value is _BLANK:
            continue
        batch = parse(value, source, f"{path}:{number}")
        if batch is None:
            bad.skipped.append(Skipped(f"{path}:{number}", _unknown_reason(value)))
            continue
        readable += 1
        if invalid:
            replaced += 1
            if replaced <= MAX_UTF8_WARNINGS:
                bad.warnings.append(_replaced_warning(f"{path}:{number}", invalid[0]))
        yield batch
    if not readable:
        reason = bad.skipped[0].reason if bad.skipped else "no JSON values"
        raise ArchiveError(f"{path}: not JSON or JSON Lines that can be read ({reason})")
    if replaced > MAX_UTF8_WARNINGS:
        bad.warnings.append(
            f"{path}: {replaced - MAX_UTF8_WARNINGS} more lines with invalid UTF-8, read the "
            "same way"
        )
    if bad.skipped or bad.warnings:
        yield bad


def _parse_values(
    values: list[object], source: str, where: str, parse: ValueParser
) -> Iterator[ParsedBatch]:
    for index, value in enumerate(values):
        batch = parse(value, source, f"{where}[{index}]")
        if batch is None:
            batch = ParsedBatch(skipped=[Skipped(f"{where}[{index}]", _unknown_reason(value))])
        yield batch


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
