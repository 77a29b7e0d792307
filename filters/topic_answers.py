"""Each whitespace-separated chunk of an ORIGINAL text, answered once: its words, quoted.

`TopicMatcher.match` folds a text, finds spans in the folded text (`topic_scan`), and
quotes each span in the original. All three depend on the chunks of the text alone when
no phrase, pattern or exclusion matches: folding never turns a character into whitespace
or whitespace into anything else, so the folded chunks are the folded original chunks, and
a quoted word lies inside its chunk. So each original chunk is read once into a table:

- its answer: {topic: words as written}, topics in configured order, words in their order;
- the anchor groups it holds (phrases, patterns, exclusions that could match).

A text is then split once, the distinct chunks minus those known to be plain are looked
up, and the answers of the topical ones are merged in text order. The regular expressions
of the active groups still run over the folded text, only to see whether any matches:
then (rarely) the text takes the full path, which places every span and applies them.

The full path is also taken whenever the shortcut could quote differently from it: a
CamelCase hashtag (it adds lines to the folded text), a text whose folding changes no
length although some character changes width (the full path then quotes by position), a
character folding unlike on its own, or a matcher with anchors outside any chunk.
"""

from __future__ import annotations

import re

from filters.normalize import fold, fold_lines, original_index, original_places, widths_kept
from filters.topic_scan import AnchorGroup, ChunkScanner

_CACHE_LIMIT = 200_000
_Check = tuple[str | None, re.Pattern[str], tuple[str, ...], str]
"""(None for a phrase or pattern that counts, else the topic an exclusion blocks), the
regular expression, the literals every match holds, the text every match starts with."""
_Entry = tuple[dict[str, tuple[str, ...]], tuple[_Check, ...]]
_FULL: _Entry = ({}, ())
"""The entry of a chunk that sends its text down the full path."""


class ChunkAnswers:
    """The topic answer of a text from the answers of its chunks, or None for "take the
    full path" (see the module's docstring for when)."""

    def __init__(self, scanner: ChunkScanner, order: tuple[str, ...]) -> None:
        self._scanner = scanner
        self._order = order
        self._entries: dict[str, _Entry] = {}
        self._plain: set[str] = set()
        self._enabled = scanner.chunk_local

    def answer(self, text: str) -> dict[str, tuple[str, ...]] | None:
        if not self._enabled:
            return None
        chunks = text.split()
        fresh = set(chunks)
        fresh -= self._plain
        if not fresh:
            return {}
        entries = self._entries
        topical: list[tuple[str, _Entry]] = []
        checks: list[_Check] = []
        for chunk in fresh:
            entry = entries.get(chunk) or self._read(chunk)
            if entry is None:
                continue
            if entry is _FULL:
                return None
            if entry[0]:
                topical.append((chunk, entry))
            if entry[1]:
                checks.extend(entry[1])
        if not topical and not checks:
            return {}
        if text.isascii():
            body = text.lower()
        else:
            body = fold(text)
            if len(body) == len(text) and not widths_kept(text):
                return None  # the full path quotes by position here
        if checks:
            # A phrase or pattern that counts, or an exclusion that blocks one of the
            # topics found: the full path places every span (rare).
            topics = topical[0][1][0].keys() if len(topical) == 1 else _topics(topical)
            for topic, pattern, needs, prefix in checks:
                if topic is not None and topic not in topics:
                    continue
                for need in needs:
                    if need not in body:
                        break
                else:
                    start = body.find(prefix)
                    if start >= 0 and pattern.search(body, start) is not None:
                        return None
        if not topical:
            return {}
        if len(topical) == 1:
            return dict(topical[0][1][0])
        return self._merge(chunks, dict(topical))

    def _merge(self, chunks: list[str], topical: dict[str, _Entry]) -> dict[str, tuple[str, ...]]:
        """The answers of several topical chunks, in the order they stand in the text."""
        seen: dict[str, None] = {}
        for chunk in chunks:
            if chunk in topical:
                seen[chunk] = None
        merged: dict[str, list[str]] = {}
        for chunk in seen:
            for topic, words in topical[chunk][0].items():
                merged.setdefault(topic, []).extend(words)
        return {
            topic: tuple(dict.fromkeys(merged[topic])) for topic in self._order if topic in merged
        }

    def _read(self, chunk: str) -> _Entry | None:
        """A chunk seen for the first time: its answer and anchor groups, remembered."""
        if len(self._entries) + len(self._plain) >= _CACHE_LIMIT:
            self._entries.clear()
            self._plain.clear()
        entry = self._entry(chunk)
        if entry is None:
            self._plain.add(chunk)
        else:
            self._entries[chunk] = entry
        return entry

    def _entry(self, chunk: str) -> _Entry | None:
        folded, length, hashtags = fold_lines(chunk)
        if hashtags:
            return _FULL
        odd, places_length = original_places(chunk)
        if places_length != length:
            return _FULL  # a character folds unlike on its own: quoted by position
        info = self._scanner.chunk_info(folded) if folded else None
        if info is None:
            return None
        tokens, groups = info
        words: dict[str, list[str]] = {}
        for start, end, topics in tokens:
            first, last = start, end - 1
            if odd:
                first, last = original_index(odd, first, length), original_index(odd, last, length)
            if first > 0 and chunk[first - 1] == "#":
                first -= 1  # a hashtag is shown with its sign, as written
            word = chunk[first : last + 1]
            for topic in topics:
                words.setdefault(topic, []).append(word)
        answer = {
            topic: tuple(dict.fromkeys(words[topic])) for topic in self._order if topic in words
        }
        return answer, _checks(groups)


def _checks(groups: tuple[AnchorGroup, ...]) -> tuple[_Check, ...]:
    checks: list[_Check] = []
    for group in groups:
        checks.extend((None, pattern, needs, prefix) for _, pattern, needs, prefix in group.count)
        for topic, patterns in group.block.items():
            checks.extend((topic, pattern, needs, prefix) for pattern, needs, prefix in patterns)
    return tuple(dict.fromkeys(checks))


def _topics(topical: list[tuple[str, _Entry]]) -> set[str]:
    topics: set[str] = set()
    for _, entry in topical:
        topics.update(entry[0])
    return topics
