"""Topics: what a mention is about, bilingual and explainable.

A topic is a list of terms. Term syntax (the same in `[topics.<id>]` of the config):

- `lohn`     the whole word (`Lohn`, `LOHN`, never `Lohnt`);
- `streik*`  the word and any ending (`Streiks`, `Streikenden`);
- `*streik*` also inside a compound (`Warnstreik`, `Verdi-Streiks`, `bestreikt`);
- `*steuer`  at the end of a compound (`Gewerbesteuer`);
- `tax avoidance`, `walk* out`  several words in a row (spaces or hyphens between them).

Text and terms are folded alike (`filters.normalize`): case, `ä/ae`, `ö/oe`, `ü/ue`, `ß/ss`.
Gendered forms (`Mitarbeiter*innen`, `Kolleg:innen`) are read as one word, hyphenated
compounds count as a whole and by part, and CamelCase hashtags are split into words.
Negation does not remove a topic: "I never felt the need for a union" is about unions.
Each default topic also has exclusions, phrases in which a term means something else
("strike a balance", "pay attention", "Steuerrad", "lohnt sich"), and patterns for what a
word list cannot say ("$15/hr", "15 Euro die Stunde"); both are built in and dropped when the
config replaces the topic's vocabulary. The built-in English terms never match inside another
English word ("heat" is not in "cheat", "wage" not in "sewage"); a leading `*` is for German
compounds.

The matcher reads each distinct word once (a bounded cache maps a word to its topics),
so classifying at ingest costs a few regular-expression passes per mention.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from filters.normalize import Folded, fold, fold_for_matching
from filters.topic_vocab import DEFAULT_TOPICS
from sources.model.config import Config, ConfigError

_TOPIC_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TERM = re.compile(r"^\*?[\w#&+.']+(?:[ -][\w#&+.']+\*?)*\*?$")
_TOKEN = re.compile(r"\w+(?:[*:_/·]in(?:nen)?(?!\w))?(?:[-'’]\w+(?:[*:_/·]in(?:nen)?(?!\w))?)*")
_GENDER_MARK = re.compile(r"[*:_/·](?=in)")
_CACHE_LIMIT = 100_000


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    label_de: str
    terms: tuple[str, ...]
    excludes: tuple[str, ...] = ()
    """Regular expressions over folded text in which this topic's terms do not count."""
    patterns: tuple[tuple[str, str], ...] = ()
    """(anchor, regular expression over folded text) that count for this topic: constructions
    a word list cannot say ("$15/hr", "15 Euro die Stunde"); tried only when the anchor, a
    literal piece of the match, occurs in the text."""


class TopicMatcher:
    """Finds the topics of a text and the words that decided them."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        self._words: list[tuple[str, re.Pattern[str]]] = []
        # Phrases, patterns and exclusions are each tried only when their longest literal
        # word (their anchor) occurs in the text, which skips nearly all of them. They are
        # grouped by that word, all in one table so that one look per text finds the few
        # candidates: labelled `+<topic>` (counts for the topic) or `-<topic>` (a sense
        # in which the topic's words do not count).
        self._anchored = _Anchored()
        for topic in topics:
            words = [t for t in topic.terms if " " not in t.strip()]
            phrases = [t for t in topic.terms if " " in t.strip()]
            positive = _alternation(words, whole=True)
            if positive is not None:
                self._words.append((topic.id, positive))
            for phrase in phrases:
                self._anchored.add(_anchor(phrase), "+" + topic.id, _anchored(phrase))
            for literal, expression in topic.patterns:
                self._anchored.add(_Anchor(literal, False), "+" + topic.id, re.compile(expression))
            for entry in topic.excludes:
                anchor, _, pattern = _exclusion(entry)
                self._anchored.add(anchor, "-" + topic.id, pattern)
        # Every word read so far, split in two so that the plain words of a text (nearly
        # all of them) are dropped by one set difference instead of a lookup each.
        self._topical: dict[str, tuple[str, ...]] = {}
        self._plain: set[str] = set()

    @classmethod
    def from_config(cls, config: Config) -> TopicMatcher:
        """The default topics changed and extended by `[topics.<id>]`; ConfigError if bad."""
        where = str(config.path) if config.path else "config"
        topics: list[Topic] = []
        for topic_id, spec in DEFAULT_TOPICS.items():
            terms = [*spec["en"], *spec["de"]]
            excludes = list(spec.get("exclude", []))
            patterns = [tuple(p) for p in spec.get("patterns", [])]
            label, label_de = str(spec["label"][0]), str(spec["label"][1])
            extra = config.topics.get(topic_id)
            if extra is not None:
                _check_terms(where, topic_id, extra.en, extra.de)
                if extra.replace:
                    terms, excludes, patterns = [*extra.en, *extra.de], [], []
                else:
                    terms = [*terms, *extra.en, *extra.de]
                label = extra.label or label
                label_de = extra.label_de or label_de
            topics.append(
                Topic(
                    topic_id,
                    label,
                    label_de,
                    _clean(terms),
                    tuple(excludes),
                    tuple((str(a), str(e)) for a, e in patterns),
                )
            )
        for topic_id, extra in config.topics.items():
            if topic_id in DEFAULT_TOPICS:
                continue
            if not _TOPIC_ID.match(topic_id):
                raise ConfigError(
                    f"{where}: topic id '{topic_id}' should be lower-case letters, digits "
                    "and _ (it is typed in queries as topic:<id>)"
                )
            _check_terms(where, topic_id, extra.en, extra.de)
            if not (extra.en or extra.de):
                raise ConfigError(
                    f"{where}: new topic 'topics.{topic_id}' needs at least one term in en or de"
                )
            topics.append(
                Topic(
                    topic_id,
                    extra.label or topic_id,
                    extra.label_de or extra.label or topic_id,
                    _clean([*extra.en, *extra.de]),
                )
            )
        return cls(topics)

    def match(self, text: str) -> dict[str, tuple[str, ...]]:
        """{topic id: matched words as written in the text}, topics in configured order."""
        if not text:
            return {}
        folded = fold_for_matching(text)
        body = folded.text
        # Most words are about nothing: look each distinct word up once, and walk the
        # text for positions only when some word is about a topic.
        tokens = _TOKEN.findall(body)
        words = set(tokens)
        known = self._topical
        topical: dict[str, tuple[str, ...]] = {}
        for word in words - self._plain:
            topics = known.get(word) or self._token_topics(word)
            if topics:
                topical[word] = topics
        hits: dict[str, list[tuple[int, int]]] = {}
        if topical:
            # Every token starts with a word character and only non-word characters lie
            # between tokens, so a token starts at its first occurrence after the end of
            # the one before: its span without a second regular-expression pass.
            find = body.find
            end = 0
            for word in tokens:
                start = find(word, end)
                end = start + len(word)
                for topic_id in topical.get(word, ()):
                    hits.setdefault(topic_id, []).append((start, end))
        for word in [w for w in words if "-" in w]:
            words.update(word.split("-"))
        candidates = self._anchored.candidates(words, body)
        for label, pattern in candidates:
            if label[0] == "+":
                for found in pattern.finditer(body):
                    hits.setdefault(label[1:], []).append(found.span())
        if not hits:
            return {}
        blocked: dict[str, list[tuple[int, int]]] = {}
        for label, pattern in candidates:
            if label[0] == "-" and label[1:] in hits:
                for found in pattern.finditer(body):
                    blocked.setdefault(label[1:], []).append(found.span())
        for topic_id, spans_out in blocked.items():
            hits[topic_id] = [
                s for s in hits[topic_id] if not any(_overlap(s, b) for b in spans_out)
            ]
        return self._explain(folded, hits)

    def _explain(
        self, folded: Folded, hits: dict[str, list[tuple[int, int]]]
    ) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        for topic in self.topics:
            spans = hits.get(topic.id)
            if spans:
                words = (folded.surface(start, end) for start, end in sorted(spans))
                found[topic.id] = tuple(dict.fromkeys(words))
        return found

    def _token_topics(self, token: str) -> tuple[str, ...]:
        parts = [_GENDER_MARK.sub("", token)]
        if "-" in token or "'" in token:
            parts.extend(_GENDER_MARK.sub("", p) for p in re.split(r"[-'’]", token) if p)
        topics = tuple(
            topic_id
            for topic_id, pattern in self._words
            if any(pattern.fullmatch(p) for p in parts)
        )
        if len(self._topical) + len(self._plain) >= _CACHE_LIMIT:
            self._topical.clear()
            self._plain.clear()
        if topics:
            self._topical[token] = topics
        else:
            self._plain.add(token)
        return topics

    def labels(self) -> dict[str, tuple[str, str]]:
        """{topic id: (English label, German label)}."""
        return {t.id: (t.label, t.label_de) for t in self.topics}

    def fingerprint(self) -> str:
        text = repr([(t.id, t.terms, t.excludes, t.patterns) for t in self.topics])
        return hashlib.sha1(text.encode()).hexdigest()[:12]


def topic_ids(config: Config) -> tuple[str, ...]:
    """Every topic id the config knows (the defaults plus `[topics.<id>]`), for queries."""
    return tuple(dict.fromkeys([*DEFAULT_TOPICS, *config.topics]))


def term_regex(term: str) -> str:
    """The regular expression (over folded text) of one term in the syntax above."""
    words = fold(term.strip()).replace("-", " ").split()
    pieces = []
    for word in words:
        lead = r"\w*" if word.startswith("*") else ""
        tail = r"\w*" if word.endswith("*") else ""
        pieces.append(lead + re.escape(word.strip("*")) + tail)
    return r"[\s\-]+".join(pieces)


def _alternation(terms: Iterable[str], *, whole: bool) -> re.Pattern[str] | None:
    parts = sorted({term_regex(t) for t in terms}, key=len, reverse=True)
    if not parts:
        return None
    if whole:  # matched with fullmatch against one word
        return re.compile("|".join(parts))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _anchored(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + term_regex(term) + r")(?!\w)")


@dataclass(frozen=True, slots=True)
class _Anchor:
    """The longest literal word of a term: a text without it cannot match the term."""

    text: str
    whole_word: bool
    """True when it must occur as a word of its own (a set lookup, not a text search)."""


class _Anchored:
    """Patterns filed under their anchors, to find the few a text could match at once."""

    __slots__ = ("_by_body", "_by_inner", "_by_word", "_inner_of", "_plain", "_word_keys")

    def __init__(self) -> None:
        self._by_word: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        # Anchors of letters and digits only lie inside one word of the text: they are
        # looked up per distinct word (cached), not searched for in every text.
        self._by_inner: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        self._by_body: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        self._word_keys: frozenset[str] = frozenset()
        self._inner_of: dict[str, tuple[str, ...]] = {}
        """word -> the inner anchors it contains, for words that contain some."""
        self._plain: set[str] = set()
        """Words known to contain no inner anchor."""

    def add(self, anchor: _Anchor, label: str, pattern: re.Pattern[str]) -> None:
        if anchor.whole_word:
            table = self._by_word
        elif _WORD_ONLY.match(anchor.text):
            table = self._by_inner
        else:
            table = self._by_body
        table.setdefault(anchor.text, []).append((label, pattern))
        self._word_keys = frozenset(self._by_word)
        self._inner_of.clear()
        self._plain.clear()

    def candidates(self, words: set[str], body: str) -> list[tuple[str, re.Pattern[str]]]:
        """Every (label, pattern) whose anchor occurs: as a word in `words`, inside one of
        `words`, or (for anchors with other characters) in `body`. `words` must hold
        every word of `body` (each run of letters and digits lies inside one of them)."""
        by_word = self._by_word
        found = [entry for word in words & self._word_keys for entry in by_word[word]]
        inner: set[str] = set()
        known = self._inner_of
        for word in words - self._plain:
            anchors = known.get(word)
            if anchors is None:
                anchors = self._inner_anchors(word)
            inner.update(anchors)
        by_inner = self._by_inner
        for anchor in sorted(inner):  # sorted: the same order on every run
            found.extend(by_inner[anchor])
        for text, entries in self._by_body.items():
            if text in body:
                found.extend(entries)
        return found

    def _inner_anchors(self, word: str) -> tuple[str, ...]:
        anchors = tuple(a for a in self._by_inner if a in word)
        if len(self._inner_of) + len(self._plain) >= _CACHE_LIMIT:
            self._inner_of.clear()
            self._plain.clear()
        if anchors:
            self._inner_of[word] = anchors
        else:
            self._plain.add(word)
        return anchors


_WORD_ONLY = re.compile(r"^\w+$")


def _anchor(term: str) -> _Anchor:
    words = fold(term.strip()).replace("-", " ").split()
    longest = max(words, key=lambda w: len(w.strip("*")))
    return _Anchor(longest.strip("*"), "*" not in longest)


_ANCHORED_REGEX = re.compile(r"^re\(([^()]+)\):")


def _exclusion(entry: str) -> tuple[_Anchor, str, re.Pattern[str]]:
    if entry.startswith("re:"):
        return _Anchor("", False), entry, re.compile(entry[3:])  # always tried
    anchored = _ANCHORED_REGEX.match(entry)
    if anchored:
        return _Anchor(anchored.group(1), False), entry, re.compile(entry[anchored.end() :])
    return _anchor(entry), entry, _anchored(entry)


def _check_terms(where: str, topic_id: str, en: list[str], de: list[str]) -> None:
    for lang, terms in (("en", en), ("de", de)):
        for index, term in enumerate(terms):
            text = term.strip()
            letters = re.sub(r"[\W_]", "", text)
            if not _TERM.match(text) or len(letters) < 2:
                raise ConfigError(
                    f"{where}: key 'topics.{topic_id}.{lang}[{index}]' has a bad term {term!r}: "
                    "use letters and digits (at least two), spaces or hyphens between words, "
                    "and * only at the start or end of a word"
                )


def _clean(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in terms if t.strip()))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
