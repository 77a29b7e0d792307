"""Patterns tried only at their literal openings find what a full search finds."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from filters.pattern_starts import literal_starts, matches, spans_of
from filters.topic_vocab import DEFAULT_TOPICS
from filters.topics import TopicMatcher
from sources.model.config import Config

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MATCHER = TopicMatcher.from_config(Config())
PATTERNS = sorted(
    {
        pattern
        for group in MATCHER._scanner._word_groups.values()
        for pattern in [p for _, p, _, _ in group.count]
        + [p for patterns in group.block.values() for p, _, _ in patterns]
    }
    | {
        pattern
        for _, group in MATCHER._scanner._inner_groups + MATCHER._scanner._chunk_groups
        for pattern in [p for _, p, _, _ in group.count]
        + [p for patterns in group.block.values() for p, _, _ in patterns]
    },
    key=lambda p: p.pattern,
)
WORDS = sorted(
    {
        word
        for spec in DEFAULT_TOPICS.values()
        for entry in [*spec["en"], *spec["de"], *spec.get("exclude", [])]
        for word in re.findall(r"[a-z.]+", entry.lower())
    }
)


@SETTINGS
@given(
    st.sampled_from(PATTERNS),
    st.lists(
        st.one_of(st.sampled_from(WORDS), st.sampled_from([" ", "  ", "-", ".", "\n", "$15/hr"])),
        max_size=12,
    ),
)
@example(re.compile(r"(?<!\w)(is|as|like)\s+an?\s+tax(?!\w)"), ["this", " ", "is a tax"])
@example(re.compile(r"(?<!\w)pa(y|ys|id)(?!\w)[^.!?\n]{0,45}?tax"), ["pay", "paid", "tax", "tax"])
def test_a_pattern_tried_at_its_openings_matches_as_a_search_does(
    pattern: re.Pattern[str], words: list[str]
) -> None:
    """An exclusion or pattern of the default topics, tried only where one of its literal
    openings stands, finds the same matches (spans) in a text as a search of every place."""
    text = " ".join(words)
    starts = literal_starts(pattern)
    assert spans_of(pattern, starts, text) == [m.span() for m in pattern.finditer(text)]
    assert matches(pattern, starts, text) == (pattern.search(text) is not None)


def test_openings_of_alternatives_are_each_tried() -> None:
    """A pattern opening with alternatives is tried at each of them; one opening with no
    fixed text (a digit) leaves the pattern to a full search."""
    assert literal_starts(re.compile(r"(?<!\w)(is|as|like)\s+tax")) == ("as", "is", "like")
    assert literal_starts(re.compile(r"(?<!\w)(shift|shifts|shifting)\s")) == ("shift",)
    assert literal_starts(re.compile(r"\d+\s*euro")) == ()
