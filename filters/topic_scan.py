"""One pass over a folded text: its whitespace-separated chunks looked up in a table.

Every decision of the topic matcher (`filters.topics`) depends on the words of a text, and
no word crosses whitespace: the tokens of a text are the tokens of its chunks (the runs
between whitespace), at the same places. So a text is split once (`str.split`, in C), the
distinct chunks are taken minus those known to be about nothing (one set difference), and
each remaining chunk is read from a table filled the first time it is seen:

- its topical tokens (offset, end, topics), decided by the word rules of the matcher;
- the anchors it holds, i.e. which phrase, pattern and exclusion groups could match.

Before that, one pass of an Aho-Corasick automaton (C) over the text looks for every
literal a topic can come from; a text without any is about nothing and costs no more.
Regular expressions run only for the groups whose anchor occurs, and within a group only
the phrases whose other words occur in the text (a substring test).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import ahocorasick

from filters.pattern_starts import Span, literal_starts, spans_of

_CACHE_LIMIT = 200_000
_TOKEN = re.compile(r"\w+(?:[*:_/·]in(?:nen)?(?!\w))?(?:[-'’]\w+(?:[*:_/·]in(?:nen)?(?!\w))?)*")
_WORD_ONLY = re.compile(r"^\w+$")


@dataclass(eq=False)
class AnchorGroup:
    """The patterns filed under one anchor: those that count for a topic, those that block.

    Each pattern comes with the literals every match of it holds besides the anchor (the
    other words of a phrase): a text without one of them cannot match, which a substring
    test answers far faster than a search."""

    count: list[tuple[str, re.Pattern[str], tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=list
    )
    """(topic, pattern, other literals, literal starts of its matches)"""
    block: dict[str, list[tuple[re.Pattern[str], tuple[str, ...], tuple[str, ...]]]] = field(
        default_factory=dict
    )
    """{topic: [(pattern, other literals, literal starts of its matches)]}"""

    def add(self, label: str, pattern: re.Pattern[str], needs: tuple[str, ...]) -> None:
        starts = literal_starts(pattern)
        if label[0] == "+":
            self.count.append((label[1:], pattern, needs, starts))
        else:
            self.block.setdefault(label[1:], []).append((pattern, needs, starts))


class AnchorTable:
    """Groups keyed by anchor, in three kinds: a whole word of the text, a piece of one
    word (letters and digits only), or any other text (`$`, `€`, `/h`)."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], AnchorGroup] = {}

    def add(
        self,
        anchor: str,
        whole_word: bool,
        label: str,
        pattern: re.Pattern[str],
        needs: tuple[str, ...] = (),
    ) -> None:
        if whole_word:
            kind = "word"
        elif _WORD_ONLY.match(anchor):
            # `^\w+$` also takes a word followed by a newline; no word contains one, so
            # such an anchor never occurs (as before): filed under a kind never looked at.
            kind = "inner" if _WORD_ONLY.fullmatch(anchor) else "never"
        else:
            kind = "body"
        # The longest first: the likeliest to be missing from a text, which ends the check.
        kept = (n for n in dict.fromkeys(needs) if n and n != anchor)
        needs = tuple(sorted(kept, key=len, reverse=True))
        self.groups.setdefault((kind, anchor), AnchorGroup()).add(label, pattern, needs)


_Chunk = tuple[tuple[tuple[int, int, tuple[str, ...]], ...], tuple[AnchorGroup, ...]]
"""A chunk's topical tokens (offset, end, topics) and the groups whose anchor it holds."""


class ChunkScanner:
    """Finds the topic spans of a folded text.

    `token_topics` decides a single token; `literals` holds, for each word term, a piece
    of text every token it matches contains (see `spans` for what that buys)."""

    def __init__(
        self,
        table: AnchorTable,
        token_topics: Callable[[str], tuple[str, ...]],
        literals: Iterable[str],
    ) -> None:
        self._token_topics = token_topics
        groups = table.groups
        self._word_groups = {a: g for (kind, a), g in groups.items() if kind == "word"}
        self._inner_groups = [(a, g) for (kind, a), g in groups.items() if kind == "inner"]
        # Anchors with other characters lie inside one chunk unless they hold whitespace
        # (or are empty): those are looked for in the whole text instead.
        body = [(a, g) for (kind, a), g in groups.items() if kind == "body"]
        self._chunk_groups = [(a, g) for a, g in body if a and not _has_space(a)]
        self._text_groups = [(a, g) for a, g in body if not a or _has_space(a)]
        self._pieces = _automaton(
            {a: g for a, g in [*self._inner_groups, *self._chunk_groups]}.items()
        )
        self._chunks: dict[str, _Chunk] = {}
        self._plain: set[str] = set()
        literals = list(literals)
        self._gate = _gate(literals, [a for (_, a), g in groups.items() if g.count])
        # Every literal a chunk can hold a topical token or an anchor group through (the
        # groups that only block count here too: they matter beside another chunk).
        self._chunk_gate = _gate(literals, [a for (kind, a) in groups if kind != "never"])

    def maybe_topical(self, chunk: str) -> bool:
        """False only for a folded chunk that can hold no topical token and no anchor
        group: it holds none of the literals they come from (one automaton pass)."""
        if self._chunk_gate is None:
            return True
        for _ in self._chunk_gate.iter(chunk):
            return True
        return False

    @property
    def chunk_local(self) -> bool:
        """Whether every anchor lies inside one chunk (none holds whitespace or is empty)."""
        return not self._text_groups

    def chunk_info(self, chunk: str) -> _Chunk | None:
        """A folded chunk's topical tokens and anchor groups; None if it holds neither."""
        if chunk in self._plain:
            return None
        return self._chunks.get(chunk) or self._read(chunk)

    def spans(self, body: str) -> dict[str, list[Span]]:
        """{topic: spans in `body` that count for it}, exclusions applied."""
        # A text can be about something only through a topical word, which contains its
        # term's literal, or a phrase or pattern, which contains its anchor: one pass of
        # the automaton over all of these answers most texts about nothing.
        if self._gate is not None:
            for _ in self._gate.iter(body):
                break
            else:
                return {}
        fresh = set(body.split())
        fresh -= self._plain
        text_groups = [g for a, g in self._text_groups if a in body]
        if not fresh and not text_groups:
            return {}
        known = self._chunks
        hits: dict[str, list[Span]] = {}
        active: dict[AnchorGroup, None] = dict.fromkeys(text_groups)
        for chunk in fresh:
            info = known.get(chunk) or self._read(chunk)
            if info is not None:
                if info[0]:
                    _place(body, chunk, info[0], hits)
                for group in info[1]:
                    active[group] = None
        for group in active:
            for topic, pattern, needs, starts in group.count:
                for need in needs:
                    if need not in body:
                        break
                else:
                    found = spans_of(pattern, starts, body)
                    if found:
                        hits.setdefault(topic, []).extend(found)
        if not hits:
            return hits
        blocked: dict[str, list[Span]] = {}
        for group in active:
            for topic, patterns in group.block.items():
                if topic not in hits:
                    continue
                for pattern, needs, starts in patterns:
                    for need in needs:
                        if need not in body:
                            break
                    else:
                        found = spans_of(pattern, starts, body)
                        if found:
                            blocked.setdefault(topic, []).extend(found)
        for topic, spans_out in blocked.items():
            hits[topic] = [s for s in hits[topic] if not any(_overlap(s, b) for b in spans_out)]
        return hits

    def _read(self, chunk: str) -> _Chunk | None:
        """A chunk seen for the first time: its tokens and anchors, remembered."""
        if len(self._chunks) + len(self._plain) >= _CACHE_LIMIT:
            self._chunks.clear()
            self._plain.clear()
        if not self.maybe_topical(chunk):
            # Most chunks of a text (links, handles, plain words) hold no literal: one
            # automaton pass instead of reading each token against every topic.
            self._plain.add(chunk)
            return None
        tokens = _TOKEN.findall(chunk)
        topical = []
        end = 0
        for token in tokens:
            start = chunk.find(token, end)
            end = start + len(token)
            topics = self._token_topics(token)
            if topics:
                topical.append((start, end, topics))
        words = set(tokens)
        for token in tokens:
            if "-" in token:
                words.update(token.split("-"))
        present = [self._word_groups[w] for w in sorted(words) if w in self._word_groups]
        if self._pieces is not None:  # anchors inside the chunk, found in one pass
            present.extend(dict.fromkeys(group for _, group in self._pieces.iter(chunk)))
        if not topical and not present:
            self._plain.add(chunk)
            return None
        info: _Chunk = (tuple(topical), tuple(present))
        self._chunks[chunk] = info
        return info


def _gate(literals: Iterable[str], anchors: Iterable[str]) -> ahocorasick.Automaton | None:
    """An automaton over every literal a topic can come from, or None when some literal
    is empty (a term of `*` alone, an exclusion-free `re:` pattern): then every text is read.

    A gender mark before `in` is dropped inside a word (`Fahrer*innen` is read as
    `fahrerinnen`), which can join a literal that the text itself splits: a text with
    one is always read."""
    keys = {*literals, *anchors, *(mark + "in" for mark in "*:_/·")}
    if "" in keys:
        return None
    return _automaton((key, key) for key in keys)


def _automaton(entries: Iterable[tuple[str, object]]) -> ahocorasick.Automaton | None:
    """An Aho-Corasick automaton over (key, value) pairs, None when there are none."""
    automaton = ahocorasick.Automaton()
    for key, value in entries:
        automaton.add_word(key, value)
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def _place(
    body: str,
    chunk: str,
    tokens: tuple[tuple[int, int, tuple[str, ...]], ...],
    hits: dict[str, list[Span]],
) -> None:
    """Add the spans of `tokens` at every place `chunk` stands as a chunk of `body`."""
    size, length = len(chunk), len(body)
    start = body.find(chunk)
    while start >= 0:
        end = start + size
        if (start == 0 or body[start - 1].isspace()) and (end == length or body[end].isspace()):
            for offset, stop, topics in tokens:
                span = (start + offset, start + stop)
                for topic in topics:
                    hits.setdefault(topic, []).append(span)
            start = body.find(chunk, end)
        else:
            start = body.find(chunk, start + 1)


def _has_space(text: str) -> bool:
    return any(ch.isspace() for ch in text)


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]
