"""Near-duplicate replies ("text blocks") through MinHash and locality-sensitive hashing.

Two replies are near-duplicates when the Jaccard similarity of their word sets reaches
a threshold (0.8 in the QUT coordination toolkit and CooRTweet). Comparing all pairs is
quadratic; this index files each word set under one MinHash key per band (the 4 smallest
hash values of the set under that band's hash function, a bottom-k sketch) and verifies
only the replies that share a key with the exact Jaccard. Two sets share a band's key
with probability about J**4, so with the default 20 bands a pair at J = 0.8 becomes a
candidate with probability about 1 - (1 - 0.8**4)**20 > 0.9999 (a little less for very
short replies).

Replies with the same word set (the common case for templated text) share one entry, so
the work grows with the number of distinct texts, not with the number of copies.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from filters.signals.mentions import strip_mentions
from filters.signals.signoff import strip_signoff

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_PRIME = (1 << 61) - 1
_SMALL_INTS = tuple(range(1 << 16))
_TOKEN_CACHE_LIMIT = 200_000
"""Most words whose hash columns are kept (about 600 bytes each)."""


def word_set(text: str) -> frozenset[str]:
    """The words a reply is compared by: lower case, without mentions, links, sign-off.

    Hashtags keep their word ("#Pause" -> "pause"); umlauts stay as written, since two
    copies of one template are spelled alike.
    """
    # Links and mentions go first, so a sign-off before a trailing link is found too.
    # A mention goes whole in every platform's form (`@kai-lager.bsky.social`,
    # `@kai@lager.social`): the same reply on X and on Bluesky has the same words.
    body = strip_mentions(_URL.sub(" ", text))
    body = strip_signoff(body)
    return frozenset(_WORD.findall(body.casefold()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|; two empty sets are not similar."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two replies of different accounts whose word sets are near-duplicates."""

    first: str
    second: str
    similarity: float


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A cluster of near-duplicate replies spanning at least two accounts."""

    number: int
    """Stable: blocks are numbered by when their first member was added."""
    members: tuple[str, ...]
    """Reply ids in the order they were added."""
    groups: tuple[str, ...]
    """The accounts using the block, in order of first use."""


@dataclass
class _Entry:
    """One distinct word set and the replies that have it."""

    words: frozenset[str]
    members: list[str]
    groups: list[str]
    neighbours: list[tuple[int, float]]


class NearDuplicateIndex:
    """An incremental MinHash/LSH index of replies, grouped by account.

    `add` replies in time order; `pairs` and `blocks` then describe every near-duplicate
    between different groups. Matching within one group is ignored: an account repeating
    itself is not the coordination signal.
    """

    def __init__(
        self,
        threshold: float = 0.8,
        *,
        min_words: int = 4,
        bands: int = 20,
        rows: int = 4,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.min_words = min_words
        self.bands = bands
        self.rows = rows
        # One universal hash (a*x + b mod p) per band, fixed so results never vary.
        self._coefficients = [
            (1 + _stable_hash(f"a{band}") % (_PRIME - 1), _stable_hash(f"b{band}") % _PRIME)
            for band in range(bands)
        ]
        self._token_signatures: dict[str, tuple[int, ...]] = {}
        self._buckets: list[dict[tuple[int, ...], list[int]]] = [{} for _ in range(bands)]
        self._entries: list[_Entry] = []
        self._by_words: dict[frozenset[str], int] = {}
        self._group_of: dict[str, str] = {}
        self._entry_of: dict[str, int] = {}
        self._sequence: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entry_of)

    def add(self, item_id: str, group: str, words: frozenset[str]) -> bool:
        """Index one reply; False when it is too short to compare (or already indexed)."""
        if len(words) < self.min_words or item_id in self._entry_of:
            return False
        index = self._by_words.get(words)
        if index is None:
            index = self._new_entry(words)
        entry = self._entries[index]
        entry.members.append(item_id)
        entry.groups.append(group)
        self._group_of[item_id] = group
        self._entry_of[item_id] = index
        self._sequence[item_id] = len(self._sequence)
        return True

    def add_text(self, item_id: str, group: str, text: str) -> bool:
        """Index one reply from its text (see `word_set`)."""
        return self.add(item_id, group, word_set(text))

    def matches(self, item_id: str) -> list[tuple[str, float]]:
        """Replies of other groups near-duplicating `item_id`, in the order they were added."""
        index = self._entry_of.get(item_id)
        if index is None:
            return []
        group = self._group_of[item_id]
        found: list[tuple[str, float]] = []
        for other, similarity in [(index, 1.0), *self._entries[index].neighbours]:
            entry = self._entries[other]
            for member, member_group in zip(entry.members, entry.groups, strict=True):
                if member_group != group:
                    found.append((member, similarity))
        found.sort(key=lambda pair: self._position(pair[0]))
        return found

    def best_match(self, item_id: str) -> tuple[str, float] | None:
        """The first-added reply of another group that near-duplicates `item_id`."""
        index = self._entry_of.get(item_id)
        if index is None:
            return None
        group = self._group_of[item_id]
        best: tuple[str, float] | None = None
        best_position = -1
        for other, similarity in [(index, 1.0), *self._entries[index].neighbours]:
            entry = self._entries[other]
            for member, member_group in zip(entry.members, entry.groups, strict=True):
                if member_group != group:
                    # Members are in insertion order: the first foreign one is the earliest.
                    position = self._sequence[member]
                    if best is None or position < best_position:
                        best, best_position = (member, similarity), position
                    break
        return best

    def blocks(self) -> list[TextBlock]:
        """Connected clusters of cross-group near-duplicates, numbered from 1."""
        parent = list(range(len(self._entries)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        linked: set[int] = set()
        for index, entry in enumerate(self._entries):
            own = set(entry.groups)
            if len(own) >= 2:
                linked.add(index)
            for other, _ in entry.neighbours:
                if other < index:
                    continue
                both = own | set(self._entries[other].groups)
                if len(both) >= 2:
                    linked.update((index, other))
                    parent[root(other)] = root(index)
        clusters: dict[int, list[int]] = defaultdict(list)
        for index in sorted(linked):
            clusters[root(index)].append(index)
        # An entry's first member is its earliest, so a block's number follows the moment
        # its first reply arrived: adding replies later never renumbers earlier blocks
        # (unless a new reply bridges two of them into one).
        ordered = sorted(
            clusters.values(),
            key=lambda c: min(self._position(self._entries[i].members[0]) for i in c),
        )
        blocks = []
        for number, cluster in enumerate(ordered, start=1):
            members = sorted(
                (m for i in cluster for m in self._entries[i].members), key=self._position
            )
            groups = list(dict.fromkeys(self._group_of[m] for m in members))
            blocks.append(TextBlock(number, tuple(members), tuple(groups)))
        return blocks

    def pairs(self) -> Iterable[DuplicatePair]:
        """Every cross-group near-duplicate pair (can be many for a popular template)."""
        for index, entry in enumerate(self._entries):
            targets = [(index, 1.0)] + [(o, s) for o, s in entry.neighbours if o > index]
            for other, similarity in targets:
                other_entry = self._entries[other]
                for i, (a, group_a) in enumerate(zip(entry.members, entry.groups, strict=True)):
                    start = i + 1 if other == index else 0
                    for b, group_b in zip(
                        other_entry.members[start:], other_entry.groups[start:], strict=True
                    ):
                        if group_a != group_b:
                            yield DuplicatePair(a, b, similarity)

    # --- internals ------------------------------------------------------------------

    def _new_entry(self, words: frozenset[str]) -> int:
        index = len(self._entries)
        entry = _Entry(words, [], [], [])
        candidates: set[int] = set()
        for bucket, key in zip(self._buckets, self._band_keys(words), strict=True):
            filed = bucket.get(key)
            if filed is None:
                bucket[key] = [index]
            else:
                candidates.update(filed)
                filed.append(index)
        smallest = self.threshold * len(words)
        largest = len(words) / self.threshold
        for other in candidates:
            other_words = self._entries[other].words
            # Length filter: Jaccard >= t needs t*|a| <= |b| <= |a|/t.
            if not smallest <= len(other_words) <= largest:
                continue
            similarity = jaccard(words, other_words)
            if similarity >= self.threshold:
                entry.neighbours.append((other, similarity))
                self._entries[other].neighbours.append((index, similarity))
        self._entries.append(entry)
        self._by_words[words] = index
        return index

    def _band_keys(self, words: frozenset[str]) -> list[tuple[int, ...]]:
        # Each word's column of hash values (one per band) is computed once and cached;
        # a band's key is then the `rows` smallest values of the set under that band's
        # hash: a bottom-k MinHash sketch, equal for two sets with probability about
        # Jaccard**rows. Sorting short tuples runs at C speed.
        cached = self._token_signatures
        columns = [cached.get(w) or self._token_signature(w) for w in words]
        rows = self.rows
        return [tuple(sorted(values)[:rows]) for values in zip(*columns, strict=True)]

    def _token_signature(self, word: str) -> tuple[int, ...]:
        if len(self._token_signatures) >= _TOKEN_CACHE_LIMIT:
            self._token_signatures.clear()  # bounded memory on an endless live stream
        base = _stable_hash(word)
        # The top 16 bits of each permuted hash, as shared small-int objects: a column
        # costs one tuple, and ties between two words' values are rare enough not to
        # matter for banding (a band key is 4 of them).
        column = tuple(_SMALL_INTS[((a * base + b) % _PRIME) >> 45] for a, b in self._coefficients)
        self._token_signatures[word] = column
        return column

    def _position(self, item_id: str) -> int:
        return self._sequence[item_id]


def _stable_hash(text: str) -> int:
    """A 64-bit hash that is the same in every process (Python's `hash` is salted)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")
