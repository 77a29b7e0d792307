"""Answers from the whitespace-separated chunks of ORIGINAL texts, a batch at a time.

`TopicMatcher` folds a text, finds spans in the folded text (`topic_scan`), and quotes
each span in the original (the full path). All three depend on the chunks of the text
alone when no phrase, pattern or exclusion matches: folding never turns a character into
whitespace or whitespace into anything else, so the folded chunks are the folded
original chunks, and a quoted word lies inside its chunk. So each original chunk is read
once into a table, and given a one-character CODE ("" for a chunk about nothing):

- its answer: {topic: words as written}, topics in configured order, words in their order;
- the checks of the anchor groups it holds (phrases, patterns, exclusions that could match).

A text is then only `split` and mapped to codes (`"".join(map(codes.__getitem__, chunks))`,
in C; a chunk never seen is read on the way), and the string of its codes is looked up in
a second table of COMBINATIONS: the merged answer of those chunks in that order, a
finished `Classification`, plus the checks that matter for it. A batch of texts is
joined around a separator chunk whose code is a line break, so that one `split`, one
`join` and one `map` serve the whole batch and Python work is left only for texts whose
combination needs checks (the regular expressions run over the folded text, only to see
whether any matches: then, rarely, the full path places every span) or was never seen.

The full path is also taken whenever the shortcut could quote differently from it: a
CamelCase hashtag (it adds lines to the folded text), a soft hyphen (a text whose folding
keeps its length although some character changes width is quoted by position, and only
a soft hyphen folds to nothing), a character folding unlike on its own, or a matcher with
anchors outside any chunk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import chain, repeat

from filters.classification import NOTHING, Classification, of
from filters.normalize import fold, fold_lines, original_index, original_places
from filters.pattern_starts import matches
from filters.topic_scan import AnchorGroup, ChunkScanner

_CACHE_LIMIT = 200_000
_BATCH = 1024
"""Texts joined at a time: enough to spread the per-call costs, few enough that the
joined text and its chunk list stay small (about 200 kB and 35,000 chunks for posts of
200 characters: the bench's stream runs 5-8 % faster than with 4,096 at a time)."""
_SEPARATOR = "\x00"
"""The chunk put between the texts of a batch; a text holding it is classified alone."""
_SOFT_HYPHEN = "\u00ad"
_Test = tuple[str, tuple[str, ...], tuple[str, ...], re.Pattern[str]]
"""A check as run: the first literal every match holds ("" if none), the others, the
texts one of which every match starts with (`pattern_starts`), the regular expression."""
_Checks = tuple[_Test, ...]
"""The checks of one anchor group of one kind (those that count, or those that block one
topic), built once (`ChunkAnswers._group_checks`) and shared by every chunk and
combination holding the group: told apart by identity, never by hashing patterns."""
_Tests = tuple[_Checks, ...]
"""The checks of a chunk or a combination: the shared tuples of its groups."""
_Entry = tuple[dict[str, tuple[str, ...]], _Tests, dict[str, _Tests]]
"""A chunk's answer, the checks that count for a topic (always run), and the checks that
block a topic (run when the topic is found), by topic."""
_FULL: _Entry = ({}, (), {})
"""The entry of a chunk that sends its text down the full path."""
_Combo = Classification | tuple[Classification, _Tests, _Tests] | None
"""A finished answer; or an answer that holds unless one of the tests matches (those of
its topical chunks, those of the chunks beside them: two shared tuples, not one new one
a combination); or None for "take the full path"."""
_UNSEEN: _Combo = ((), ())  # type: ignore[assignment]
"""Not in the table of combinations yet (an object no combination is)."""


class _Codes(dict[str, str]):
    """Chunk -> code ("" for a chunk about nothing). A chunk looked up for the first time
    is read then and there (`__missing__`), so the chunks of a batch are looked up in one
    pass in C, with no second pass to find and fill in those never seen."""

    def __init__(self, read: Callable[[str], str]) -> None:
        super().__init__({_SEPARATOR: "\n"})
        self._read = read

    def __missing__(self, chunk: str) -> str:
        code = self[chunk] = self._read(chunk)
        return code


class ChunkAnswers:
    """Topic answers of texts from the answers of their chunks (see the module docstring);
    `full` is the matcher's full path for one text."""

    def __init__(
        self, scanner: ChunkScanner, order: tuple[str, ...], full: Callable[[str], Classification]
    ) -> None:
        self._scanner = scanner
        self._order = order
        self._full = full
        self._enabled = scanner.chunk_local
        # The checks of each anchor group, built once (the groups live as long as the scanner).
        self._group_checks: dict[AnchorGroup, tuple[_Checks, dict[str, _Checks]]] = {}
        self._reset()

    def _reset(self) -> None:
        self._codes = _Codes(self._new_code)
        self._entries: dict[str, _Entry] = {}
        self._alike: dict[tuple[object, ...], str] = {}
        """The code of each kind of entry (`_likeness`)."""
        self._next = 0
        # A combination's answer depends only on its topical chunks in order, and its
        # tests on which other chunks (with checks only) stand beside them: few of each
        # recur in many combinations, so both halves are kept apart (`_combine`).
        self._side: dict[int, None] = {}
        """Codes of chunks with checks only, for `str.translate` to drop them."""
        self._topical: dict[int, None] = {}
        """Codes of the other chunks (an answer, or the full path), dropped likewise."""
        self._clear_combos()

    def _clear_combos(self) -> None:
        self._combos: dict[str, _Combo] = {"": NOTHING}
        self._by_topical: dict[str, tuple[Classification, _Tests] | None] = {}
        self._by_side: dict[tuple[str, tuple[str, ...]], _Tests] = {}

    def classify(self, text: str) -> Classification:
        """The answer for one text."""
        if not self._enabled or _SOFT_HYPHEN in text or _SEPARATOR in text:
            return self._full(text)
        codes = self._codes_of(text.split())
        found = self._combos.get(codes, _UNSEEN)
        if found.__class__ is Classification:
            return found
        return self._finish(found, codes, text)

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """The answers for many texts, in order: the same as `classify` one by one."""
        # A stream repeats posts word for word (retweets; a quoted or replied-to post comes
        # again with its replies): each distinct text is classified once.
        distinct = list(dict.fromkeys(texts))
        if not self._enabled:
            answers = [self._full(text) for text in distinct]
        else:
            answers = []
            for first in range(0, len(distinct), _BATCH):
                answers.extend(self._batch(distinct[first : first + _BATCH]))
        if len(distinct) == len(texts):
            return answers
        return list(map(dict(zip(distinct, answers, strict=True)).__getitem__, texts))

    def _batch(self, texts: list[str]) -> list[Classification]:
        if not texts:
            return []
        joined = f" {_SEPARATOR} ".join(texts)
        if joined.count(_SEPARATOR) != len(texts) - 1 or _SOFT_HYPHEN in joined:
            # Rare: texts that must be read alone are taken out, the rest joined again.
            alone = [_SEPARATOR in t or _SOFT_HYPHEN in t for t in texts]
            rest = iter(self._batch([t for t, odd in zip(texts, alone, strict=True) if not odd]))
            return [
                self.classify(t) if odd else next(rest) for t, odd in zip(texts, alone, strict=True)
            ]
        # The list of chunks (a hundred thousand or more) lives only inside `_codes_of`:
        # every collection of the garbage collector would walk it while texts are finished.
        lines = self._codes_of(joined.split()).split("\n")
        answers: list[_Combo] = list(map(self._combos.get, lines, repeat(_UNSEEN)))
        pending = [i for i, found in enumerate(answers) if found.__class__ is not Classification]
        for index in pending:  # folded one by one: cheaper than the whole batch
            answers[index] = self._finish(answers[index], lines[index], texts[index])
        return answers  # type: ignore[return-value]

    def _finish(self, found: _Combo, codes: str, text: str) -> Classification:
        """The answer of a text whose combination (`found` in the table, or `_UNSEEN`)
        needs its tests run or is new."""
        if found is _UNSEEN:  # new when the batch was looked up; maybe not any more
            found = self._combos.get(codes, _UNSEEN)
            if found is _UNSEEN:
                found = self._combine(codes)
        if found is None:
            return self._full(text)
        if found.__class__ is Classification:
            return found
        answer, own, beside = found  # type: ignore[misc]
        body = text.lower() if text.isascii() else fold(text)
        if _any_matches(own, body) or (beside and _any_matches(beside, body)):
            # A phrase or pattern that counts, or an exclusion that blocks one of the
            # topics found: the full path places every span.
            return self._full(text)
        return answer

    def _combine(self, codes: str) -> _Combo:
        """A combination of chunks seen for the first time: its merged answer and tests,
        from the answer of its topical chunks in order and the tests of the others."""
        if len(self._combos) >= _CACHE_LIMIT:
            self._clear_combos()
        key = codes.translate(self._side)
        part = self._by_topical.get(key, _UNSEEN)
        if part is _UNSEEN:
            part = self._by_topical[key] = self._topical_part(key)
        if part is None:
            combo: _Combo = None
        else:
            answer, own = part  # type: ignore[misc]
            side = codes.translate(self._topical)
            beside: _Tests = ()
            if side:
                side_key = ("".join(sorted(set(side))), answer.topics)
                found = self._by_side.get(side_key)
                if found is None:
                    entries = [self._entries[code] for code in side_key[0]]
                    found = self._by_side[side_key] = _tests(entries, answer.topics)
                beside = found
            combo = (answer, own, beside) if own or beside else answer
        self._combos[codes] = combo
        return combo

    def _topical_part(self, key: str) -> tuple[Classification, _Tests] | None:
        """The answer of topical chunks standing in this order, and their own tests; None
        if one of them sends the text down the full path."""
        entries = [self._entries[code] for code in dict.fromkeys(key)]
        if any(entry is _FULL for entry in entries):
            return None
        topical = [entry[0] for entry in entries]
        if not topical:
            return NOTHING, ()
        merged = dict(topical[0]) if len(topical) == 1 else self._merge(topical)
        answer = of(merged)
        return answer, _tests(entries, answer.topics)

    def _merge(self, answers: list[dict[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
        """The answers of several topical chunks, in the order they stand in the text."""
        merged: dict[str, list[str]] = {}
        for answer in answers:
            for topic, words in answer.items():
                merged.setdefault(topic, []).extend(words)
        return {
            topic: tuple(dict.fromkeys(merged[topic])) for topic in self._order if topic in merged
        }

    def _codes_of(self, chunks: list[str]) -> str:
        """The codes of these chunks, joined (a chunk never seen is read on the way)."""
        codes = "".join(map(self._codes.__getitem__, chunks))
        if len(self._codes) >= _CACHE_LIMIT:
            # The tables are full: they start afresh with these chunks.
            self._reset()
            codes = "".join(map(self._codes.__getitem__, chunks))
        return codes

    def _new_code(self, chunk: str) -> str:
        """Read a chunk never seen: "" if it is about nothing, else its code."""
        # Most new chunks are plain ASCII words: lower-casing is their whole fold, and one
        # automaton pass over it tells those about nothing from the rest.
        if chunk.isascii() and "#" not in chunk and not self._scanner.maybe_topical(chunk.lower()):
            return ""
        entry = self._entry(chunk)
        if entry is None:
            return ""
        # Chunks read alike ("Kestrel", "@Kestrel", "Kestrel:") share a code, so that texts
        # differing only in those make one combination, not several.
        alike = _likeness(entry)
        code = self._alike.get(alike)
        if code is not None:
            return code
        code = self._alike[alike] = chr(self._next)
        self._next += 1
        if self._next == 0x0A or self._next == 0xD800:  # no line break, no surrogates
            self._next += 1 if self._next == 0x0A else 0x800
        self._entries[code] = entry
        if entry[0] or entry is _FULL:
            self._topical[ord(code)] = None
        else:
            self._side[ord(code)] = None
        return code

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
        count: list[_Checks] = []
        block: dict[str, list[_Checks]] = {}
        for group in dict.fromkeys(groups):
            checks = self._group_checks.get(group)
            if checks is None:
                checks = self._group_checks[group] = _checks(group)
            if checks[0]:
                count.append(checks[0])
            for topic, tests in checks[1].items():
                block.setdefault(topic, []).append(tests)
        return answer, tuple(count), {topic: tuple(tests) for topic, tests in block.items()}


def _checks(group: AnchorGroup) -> tuple[_Checks, dict[str, _Checks]]:
    """The checks of an anchor group: those that count, those that block by topic."""
    count = tuple(_test(pattern, needs, starts) for _, pattern, needs, starts in group.count)
    block = {
        topic: tuple(_test(pattern, needs, starts) for pattern, needs, starts in patterns)
        for topic, patterns in group.block.items()
    }
    return count, block


def _tests(entries: list[_Entry], topics: tuple[str, ...]) -> _Tests:
    """The tests of these chunks given the topics found: every check that counts, the
    checks that block one of `topics` (each group's once)."""
    parts = [entry[1] for entry in entries]
    parts.extend(entry[2][t] for entry in entries if entry[2] for t in topics if t in entry[2])
    return tuple({id(checks): checks for checks in chain.from_iterable(parts)}.values())


def _any_matches(tests: _Tests, body: str) -> bool:
    """Whether one of the checks matches in the folded text."""
    for checks in tests:
        for first, rest, starts, pattern in checks:
            if first not in body:
                continue
            for need in rest:
                if need not in body:
                    break
            else:
                if matches(pattern, starts, body):
                    return True
    return False


def _likeness(entry: _Entry) -> tuple[object, ...]:
    """Equal for entries that act alike: the same answer, the same shared checks."""
    answer, count, block = entry
    by_topic = tuple((topic, tuple(map(id, tests))) for topic, tests in block.items())
    return (entry is _FULL, tuple(answer.items()), tuple(map(id, count)), by_topic)


def _test(pattern: re.Pattern[str], needs: tuple[str, ...], starts: tuple[str, ...]) -> _Test:
    return (needs[0] if needs else "", needs[1:], starts, pattern)
