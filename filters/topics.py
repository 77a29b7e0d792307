"""Topics: what a mention is about, bilingual and explainable.

A topic is a list of terms. Term syntax (the same in `[topics.<id>]` of the config):

- `lohn`     the whole word (`Lohn`, `LOHN`, never `Lohnt`);
- `streik*`  the word and any ending (`Streiks`, `Streikenden`);
- `*streik*` also inside a compound (`Warnstreik`, `Verdi-Streiks`, `bestreikt`);
- `*steuer`  at the end of a compound (`Gewerbesteuer`);
- `tax avoidance`, `walk* out`  several words in a row (spaces or hyphens between them);
- `AT&T`, `R&D`, `e.V.`, `#metoo`  a word with `&`, `+`, `.`, `#` in it (or an apostrophe
  at its edge): the text written the same way, as a whole word (`AT&T's`, `#AT&T`, never
  `AT and T` or `xAT&T`). The text's words split at those characters, so such a term is
  matched over the text like a phrase, not word by word.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from filters.classification import Classification, of
from filters.normalize import Folded, fold, fold_lines
from filters.topic_answers import ChunkAnswers
from filters.topic_scan import AnchorTable, ChunkScanner
from filters.topic_vocab import DEFAULT_TOPICS
from sources.model.config import Config, ConfigError

_MATCHING_VERSION = 2
"""Bump when the same terms come to match other texts, so stored topics are decided again
(2: a word with `&`, `+`, `.` or `#` in it, such as the built-in `ver.di`, matches)."""
_TOPIC_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TERM = re.compile(r"^\*?[\w#&+.']+(?:[ -][\w#&+.']+\*?)*\*?$")
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
        # grouped by that word: `+<topic>` counts for the topic, `-<topic>` is a sense in
        # which the topic's words do not count (`filters.topic_scan` reads the groups).
        anchors = AnchorTable()
        for topic in topics:
            words = [t for t in topic.terms if " " not in t.strip() and _word_by_word(t)]
            phrases = [t for t in topic.terms if " " in t.strip() or not _word_by_word(t)]
            positive = _alternation(words, whole=True)
            if positive is not None:
                self._words.append((topic.id, positive))
            for phrase in phrases:
                anchor = _anchor(phrase)
                anchors.add(*anchor, "+" + topic.id, _anchored(phrase), _pieces(phrase))
            for literal, expression in topic.patterns:
                anchors.add(literal, False, "+" + topic.id, re.compile(expression))
            for entry in topic.excludes:
                anchor, needs, pattern = _exclusion(entry)
                anchors.add(*anchor, "-" + topic.id, pattern, needs)
        # Every word read so far, split in two so that the plain words of a text (nearly
        # all of them) are dropped by one set difference instead of a lookup each.
        self._topical: dict[str, tuple[str, ...]] = {}
        self._plain: set[str] = set()
        literals = [
            _literal(t)
            for topic in topics
            for t in topic.terms
            if " " not in t.strip() and _word_by_word(t)
        ]
        self._order = tuple(topic.id for topic in topics)
        self._scanner = ChunkScanner(anchors, self._token_topics, literals)
        self._answers = ChunkAnswers(self._scanner, self._order, self._full)

    @classmethod
    def from_config(cls, config: Config) -> TopicMatcher:
        """The default topics changed and extended by `[topics.<id>]`; ConfigError if bad."""
        check_topics(config)
        topics: list[Topic] = []
        for topic_id, spec in DEFAULT_TOPICS.items():
            terms = [*spec["en"], *spec["de"]]
            excludes = list(spec.get("exclude", []))
            patterns = [tuple(p) for p in spec.get("patterns", [])]
            label, label_de = str(spec["label"][0]), str(spec["label"][1])
            extra = config.topics.get(topic_id)
            if extra is not None:
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
        return dict(self.classify(text).matches)

    def classify(self, text: str) -> Classification:
        """The answer for `text` (shared with other texts of the same answer: read-only)."""
        return self._answers.classify(text)

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """The answers for `texts`, in order; the same as `classify` of each, for less."""
        return self._answers.classify_many(texts)

    def _full(self, text: str) -> Classification:
        """The full path: fold, place every span, apply exclusions, quote the words."""
        return of(self._spans_quoted(text)) if text else of({})

    def _spans_quoted(self, text: str) -> dict[str, tuple[str, ...]]:
        body, body_length, hashtags = fold_lines(text)
        hits = self._scanner.spans(body)
        if not hits:
            return {}
        found: dict[str, tuple[str, ...]] = {}
        if not hashtags and body_length == len(text):
            # Folding kept every character in place: a span of the folded text is the
            # same span of the original (`Folded.surface` without its mapping), with the
            # sign of a hashtag in front.
            for topic_id in self._order:
                spans = hits.get(topic_id)
                if spans:
                    spans.sort()
                    words = [
                        text[start - 1 : end]
                        if start and text[start - 1] == "#"
                        else text[start:end]
                        for start, end in spans
                    ]
                    found[topic_id] = tuple(dict.fromkeys(words))
            return found
        folded = Folded(text, body, body_length, hashtags)
        for topic_id in self._order:
            spans = hits.get(topic_id)
            if spans:
                words = [folded.surface(start, end) for start, end in sorted(spans)]
                found[topic_id] = tuple(dict.fromkeys(words))
        return found

    def _token_topics(self, token: str) -> tuple[str, ...]:
        known = self._topical.get(token)
        if known is not None:
            return known
        if token in self._plain:
            return ()
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
        if _MATCHING_VERSION > 1:  # version 1 left the text as it was: old stores keep theirs
            text += f"|{_MATCHING_VERSION}"
        return hashlib.sha1(text.encode()).hexdigest()[:12]


def check_topics(config: Config) -> None:
    """Raise `ConfigError` naming the key of a `[topics]` entry that cannot be used: a bad
    id, a bad term, a new topic without terms. Every command checks this when it loads
    the config (`filters.views.check_views`), before it opens a store."""
    where = str(config.path) if config.path else "config"
    for topic_id, extra in config.topics.items():
        new = topic_id not in DEFAULT_TOPICS
        if new and not _TOPIC_ID.match(topic_id):
            raise ConfigError(
                f"{where}: topic id {topic_id!r} should be lower-case letters, digits "
                "and _ (it is typed in queries as topic:<id>)"
            )
        _check_terms(where, topic_id, extra.en, extra.de)
        if new and not (extra.en or extra.de):
            raise ConfigError(
                f"{where}: new topic 'topics.{topic_id}' needs at least one term in en or de"
            )


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


def _pieces(term: str) -> tuple[str, ...]:
    """The literal words of a term, each of which every match of it contains."""
    return tuple(w.strip("*") for w in fold(term.strip()).replace("-", " ").split())


def _literal(term: str) -> str:
    """The longest piece of `term` without wildcards: every word the term matches holds it."""
    words = fold(term.strip()).replace("-", " ").split()
    return max((w.strip("*") for w in words), key=len, default="")


def _alternation(terms: Iterable[str], *, whole: bool) -> re.Pattern[str] | None:
    parts = sorted({term_regex(t) for t in terms}, key=len, reverse=True)
    if not parts:
        return None
    if whole:  # matched with fullmatch against one word
        return re.compile("|".join(parts))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _anchored(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + term_regex(term) + r")(?!\w)")


def _anchor(term: str) -> tuple[str, bool]:
    """The longest literal word of a term (a text without it cannot match the term), and
    whether it must occur as a word of its own (a word the text's tokens can be)."""
    words = fold(term.strip()).replace("-", " ").split()
    longest = max(words, key=lambda w: len(w.strip("*")))
    return longest.strip("*"), "*" not in longest and _TOKEN_WORD.fullmatch(longest) is not None


_TOKEN_WORD = re.compile(r"\w+(?:'\w+)*")
"""A term word the tokens of a text can equal: `&`, `+`, `.`, `#` split a text's words
(`AT&T` is read as `at` and `t`), and so does an apostrophe at the edge of a word."""


def _word_by_word(term: str) -> bool:
    """Whether a term without spaces is matched against the text's words one by one; a
    word with other punctuation (`AT&T`, `e.V.`) is matched over the text, as a phrase is."""
    return all(
        _TOKEN_WORD.fullmatch(word.strip("*"))
        for word in fold(term.strip()).replace("-", " ").split()
    )


_ANCHORED_REGEX = re.compile(r"^re\(([^()]+)\):")


def _exclusion(entry: str) -> tuple[tuple[str, bool], tuple[str, ...], re.Pattern[str]]:
    """(anchor, the other literals every match holds, pattern) of one exclusion."""
    if entry.startswith("re:"):
        return ("", False), (), re.compile(entry[3:])  # always tried
    anchored = _ANCHORED_REGEX.match(entry)
    if anchored:
        return (anchored.group(1), False), (), re.compile(entry[anchored.end() :])
    return _anchor(entry), _pieces(entry), _anchored(entry)


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
