"""The one-pass topic matcher agrees with a plain scan of every term, on generated texts.

The reference below applies the documented rules (`filters.topics`) the slow, obvious way:
every token against every word term, every phrase, pattern and exclusion whose anchor
occurs run over the whole text. The matcher under test reads chunks from tables, gates
texts with an automaton and skips phrases whose other words are missing; none of that may
change an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cache.write.worker_side import _classify_all
from filters import topic_answers
from filters.classify import Classification, Classifier, Precomputed
from filters.normalize import _FOLD, Folded, fold, fold_for_matching
from filters.topic_vocab import DEFAULT_TOPICS
from filters.topics import Topic, TopicMatcher, term_regex
from sources.model.config import Config

TOKEN = re.compile(r"\w+(?:[*:_/·]in(?:nen)?(?!\w))?(?:[-'’]\w+(?:[*:_/·]in(?:nen)?(?!\w))?)*")
GENDER = re.compile(r"[*:_/·](?=in)")
ANCHORED_REGEX = re.compile(r"^re\(([^()]+)\):")
TOKEN_WORD = re.compile(r"\w+(?:'\w+)*")
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _longest(term: str) -> tuple[str, bool]:
    words = fold(term.strip()).replace("-", " ").split()
    longest = max(words, key=lambda w: len(w.strip("*")))
    return longest.strip("*"), "*" not in longest and TOKEN_WORD.fullmatch(longest) is not None


def _by_word(term: str) -> bool:
    """A term matched token by token: no space, and every word one a token can be (a word
    with `&`, `.`, `+`, `#` is matched over the text, as a phrase)."""
    words = fold(term.strip()).replace("-", " ").split()
    return " " not in term.strip() and all(TOKEN_WORD.fullmatch(w.strip("*")) for w in words)


@cache
def _phrase_regex(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + term_regex(term) + r")(?!\w)")


@cache
def _word_regex(term: str) -> re.Pattern[str]:
    return re.compile(term_regex(term))


def reference(topics: list[Topic], text: str) -> dict[str, tuple[str, ...]]:
    """Topic -> words, by trying every term of every topic on the whole text."""
    if not text:
        return {}
    folded = fold_for_matching(text)
    body = folded.text
    tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(body)]
    words = {t for _, _, t in tokens}
    words |= {part for _, _, t in tokens if "-" in t for part in t.split("-")}

    def occurs(anchor: str, whole_word: bool) -> bool:
        if whole_word:
            return anchor in words
        if re.fullmatch(r"\w+", anchor):
            return any(anchor in word for word in words)
        return anchor in body

    hits: dict[str, list[tuple[int, int]]] = {}
    for topic in topics:
        singles = [t for t in topic.terms if _by_word(t)]
        for start, end, token in tokens:
            parts = [GENDER.sub("", token)]
            if "-" in token or "'" in token:
                parts += [GENDER.sub("", p) for p in re.split(r"[-'’]", token) if p]
            if any(_word_regex(t).fullmatch(p) for t in singles for p in parts):
                hits.setdefault(topic.id, []).append((start, end))
        for phrase in (t for t in topic.terms if not _by_word(t)):
            if occurs(*_longest(phrase)):
                for match in _phrase_regex(phrase).finditer(body):
                    hits.setdefault(topic.id, []).append(match.span())
        for literal, expression in topic.patterns:
            if occurs(literal, False):
                for match in re.finditer(expression, body):
                    hits.setdefault(topic.id, []).append(match.span())
    for topic in topics:
        if topic.id not in hits:
            continue
        blocked: list[tuple[int, int]] = []
        for entry in topic.excludes:
            anchored = ANCHORED_REGEX.match(entry)
            if entry.startswith("re:"):
                anchor, pattern = ("", False), re.compile(entry[3:])
            elif anchored:
                anchor = (anchored.group(1), False)
                pattern = re.compile(entry[anchored.end() :])
            else:
                anchor, pattern = _longest(entry), _phrase_regex(entry)
            if occurs(*anchor):
                blocked += [m.span() for m in pattern.finditer(body)]
        hits[topic.id] = [
            s for s in hits[topic.id] if not any(s[0] < b[1] and b[0] < s[1] for b in blocked)
        ]
    found: dict[str, tuple[str, ...]] = {}
    for topic in topics:
        spans = sorted(hits.get(topic.id, []))
        if spans:
            found[topic.id] = tuple(dict.fromkeys(folded.surface(s, e) for s, e in spans))
    return found


DEFAULT = TopicMatcher.from_config(Config())
VOCABULARY = sorted(
    {
        w
        for spec in DEFAULT_TOPICS.values()
        for key in ("en", "de", "exclude")
        for w in spec.get(key, [])
        if not w.startswith("re")
    }
    | {anchor for spec in DEFAULT_TOPICS.values() for anchor, _ in spec.get("patterns", [])}
)
GLUE = [" ", "  ", "\n", "\t", "-", "'", "’", "*", ":", "_", "/", "·", ".", ",", "!", "#", "$",
        "€", "%", "\u00ad", "\u00a0", "(", ")", "\"", "@", "😀"]  # fmt: skip
SPELLINGS: list[Callable[[str], str]] = [str, str.upper, str.title, str.capitalize]
UMLAUTS = {"ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}


@st.composite
def vocabulary_texts(draw: st.DrawFn) -> str:
    """Terms, exclusions and anchors of the default topics, respelled and glued together."""
    pieces = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.integers(0, 3))
        if kind <= 1:
            word = draw(st.sampled_from(VOCABULARY))
            word = word.replace("*", draw(st.sampled_from(["", "s", "er", "warn", "innen"])))
            if draw(st.booleans()):
                for plain, umlaut in UMLAUTS.items():
                    word = word.replace(plain, umlaut)
            pieces.append(draw(st.sampled_from(SPELLINGS))(word))
        elif kind == 2:
            pieces.append(draw(st.sampled_from(GLUE)))
        else:
            pieces.append(draw(st.text(alphabet="abcäßXY1 #-*:'in", max_size=6)))
        pieces.append(draw(st.sampled_from(GLUE)))
    return "".join(pieces)


@SETTINGS
@given(vocabulary_texts())
@example("PREPAY pay, Streik im STREIKPOSTEN")
@example("\u00adx Streik \u00e4")  # folding keeps the length, so words are quoted by position
@example("#OutNow walk")  # the hashtag's words, a line of their own, finish a phrase
def test_default_topics_agree_with_a_plain_scan(text: str) -> None:
    """A post gets the same topics and the same quoted words as a term-by-term scan gives."""
    assert DEFAULT.match(text) == reference(DEFAULT.topics, text)


TINY = "ain"
tiny_word = st.text(alphabet=TINY, min_size=2, max_size=4)
tiny_term = st.builds(
    lambda lead, word, tail: ("*" if lead else "") + word + ("*" if tail else ""),
    st.booleans(),
    tiny_word,
    st.booleans(),
)
tiny_phrase = st.lists(tiny_term, min_size=2, max_size=3).map(" ".join)


@st.composite
def tiny_topics(draw: st.DrawFn) -> list[Topic]:
    """One or two topics over a two-letter alphabet, so that terms collide everywhere."""
    topics = []
    for name in draw(st.sampled_from([["t"], ["t", "u"]])):
        hyphenated = tiny_word.map(lambda w: w[0] + "-" + w[1:])
        punctuated = st.builds(
            lambda w, mark: w[0] + mark + w[1:], tiny_word, st.sampled_from("&.")
        )
        terms = draw(
            st.lists(
                st.one_of(tiny_term, tiny_phrase, hyphenated, punctuated), min_size=1, max_size=4
            )
        )
        excludes = draw(st.lists(st.one_of(tiny_phrase, tiny_term), max_size=2))
        patterns = draw(st.lists(st.sampled_from([("#", r"#\w+"), ("ab", r"ab\s+b")]), max_size=1))
        topics.append(Topic(name, name, name, tuple(terms), tuple(excludes), tuple(patterns)))
    return topics


TINY_PIECES = ["a", "i", "n", "ai", "na", "A", "IN", "*in", ":innen", "_in", "/in", "·in", "-",
               "'", "’", " ", "\n", "#", "ä", "ß", "\u00ad", ".", "&", "x"]  # fmt: skip
tiny_text = st.lists(st.sampled_from(TINY_PIECES), max_size=16).map("".join)


@SETTINGS
@given(tiny_topics(), st.lists(tiny_text, min_size=1, max_size=4))
@example([Topic("t", "t", "t", ("fahrerinnen",))], ["Fahrer*innen und Fahrer:innen"])
@example([Topic("t", "t", "t", ("a&i", "n.a n*"))], ["A&I-na a&in N.A Na #a&i"])
def test_configured_topics_agree_with_a_plain_scan(topics: list[Topic], texts: list[str]) -> None:
    """Topics written in the config (wildcards, phrases, exclusions) decide as a plain scan does,
    also when the matcher has already read other texts (its tables are filled as it goes)."""
    matcher = TopicMatcher(topics)
    for text in texts:
        assert matcher.match(text) == reference(topics, text)


HOSTILE = ["", " ", "\x00", "Streik\x00Lohn", " \x00 ", "\n\x00\n", "\u00adStreik ä", "\u2028"]
batch_texts = st.lists(
    st.one_of(vocabulary_texts(), st.text(max_size=20), st.sampled_from(HOSTILE)), max_size=12
)


@SETTINGS
@given(batch_texts, st.integers(1, 5), st.integers(2, 40))
@example(["Streik\x00Lohn", "Lohn", "\x00", ""], 2, 40)
@example(["pay back", "Streik Lohn", "pay back", "Streik Lohn", ""], 3, 40)  # posts repeated
def test_a_batch_gets_the_answers_of_each_text_alone(
    texts: list[str], batch: int, limit: int
) -> None:
    """The import classifies texts in batches; each gets the topics and words it gets alone,
    whatever sits beside it (NUL characters, soft hyphens, empty posts, any script), also when
    the batch is cut in pieces and the tables fill up and start over in the middle of it."""
    alone = [dict(DEFAULT.classify(text).matches) for text in texts]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(topic_answers, "_BATCH", batch)
        patch.setattr(topic_answers, "_CACHE_LIMIT", limit)
        found = [dict(answer.matches) for answer in DEFAULT.classify_many(texts)]
        again = [dict(answer.matches) for answer in DEFAULT.classify_many(texts)]
    assert found == again == alone == [reference(DEFAULT.topics, text) for text in texts]


@SETTINGS
@given(tiny_topics(), st.lists(tiny_text, max_size=8))
def test_configured_topics_agree_in_a_batch(topics: list[Topic], texts: list[str]) -> None:
    """Topics written in the config decide the same for a batch of posts as for each alone."""
    matcher = TopicMatcher(topics)
    assert [dict(a.matches) for a in matcher.classify_many(texts)] == [
        reference(topics, text) for text in texts
    ]


@SETTINGS
@given(st.text())
def test_fold_is_lower_then_the_table(text: str) -> None:
    """Folding any text (any script, emoji, soft hyphens) gives what the folding table says."""
    assert fold(text) == text.lower().translate(_FOLD)


@SETTINGS
@given(st.text(alphabet="aÄäöÜßẞ\u00adİx #", max_size=30), st.data())
def test_words_are_quoted_from_the_right_place_of_the_original(
    text: str, data: st.DataObject
) -> None:
    """The quoted word of a match is the original text behind it, umlauts and soft hyphens
    included (each folded character is traced back to the character it came from)."""
    folded = Folded(text, fold(text), len(fold(text)), ())
    offsets = [i for i, ch in enumerate(text) for _ in fold(ch)]
    if not folded.text or len(offsets) != len(folded.text) or len(text) == len(folded.text):
        return  # traced back only when folding changed the length (as before this matcher)
    start = data.draw(st.integers(0, len(folded.text) - 1))
    end = data.draw(st.integers(start + 1, len(folded.text)))
    first, last = offsets[start], offsets[end - 1]
    if first > 0 and text[first - 1] == "#":
        first -= 1
    assert folded.surface(start, end) == text[first : last + 1]


POSTS = ["Streik bei Kestrel", "", "pay attention", "Lohn\x00Streik", "tax avoidance at work"]


def test_the_import_worker_answers_a_batch_as_one_by_one() -> None:
    """The import's classifying worker gives each post the topics it gets on its own."""
    classifier = Classifier(Config())
    alone = [classifier.classify_text(text) for text in POSTS]
    expected = {i: (c.topics, c.matches) for i, c in enumerate(alone) if c.topics}
    assert expected and _classify_all(Classifier(Config()), POSTS) == expected


def test_answers_worked_out_elsewhere_are_used_and_the_rest_classified() -> None:
    """A batch partly answered by the worker keeps those answers and classifies the others."""
    base = Classifier(Config())
    known = {"Streik bei Kestrel": Classification(("custom",), {"custom": ("x",)})}
    found = Precomputed(base, known).classify_many(POSTS)
    assert found[0] is known["Streik bei Kestrel"]
    assert found[1:] == [base.classify_text(text) for text in POSTS[1:]]
