"""A JSON line nested deeper than the limit is refused with its depth, and the check that
decides it (`sources.archive.files.depth_over_limit`, read in a few C passes) answers as
counting the brackets one by one does, whatever brackets and quotes the strings hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sources.archive.files import MAX_NESTING, depth_over_limit


def _depth(text: bytes) -> int:
    """The deepest running count of the brackets of `text` ("[" and "{" up, "]" and "}"
    down), counted one by one; 0 for none."""
    running, deepest, seen = 0, 0, False
    for byte in text:
        if byte in b"[{":
            running += 1
        elif byte in b"]}":
            running -= 1
        else:
            continue
        deepest = running if not seen else max(deepest, running)
        seen = True
    return deepest


def _counted_one_by_one(text: bytes) -> int | None:
    """The rule as plainly stated: the brackets of the whole text, and past the limit those
    outside strings (escaped backslashes and quotes first taken out)."""
    if _depth(text) <= MAX_NESTING:
        return None
    plain = text.replace(b"\\\\", b"").replace(b'\\"', b"")
    depth = _depth(b"".join(plain.split(b'"')[::2]))
    return depth if depth > MAX_NESTING else None


PIECES = st.sampled_from(["[", "]", "{", "}", '"', "\\", "a", ",", ":", "[]", "{}", '"]"'])


@st.composite
def nested_texts(draw: st.DrawFn) -> bytes:
    """Brackets, quotes and backslashes at random, inside a nest of random depth around the
    limit (balanced or not)."""
    opened = draw(st.integers(0, MAX_NESTING + 8))
    closed = draw(st.integers(0, MAX_NESTING + 8))
    body = "".join(draw(st.lists(PIECES, max_size=60)))
    return ("[{" * (opened // 2) + "[" * (opened % 2) + body + "]" * closed).encode()


@settings(max_examples=400)
@given(nested_texts())
def test_the_depth_check_answers_as_counting_one_by_one(text: bytes) -> None:
    """Every text gets the answer (too deep, and how deep, or not) that counting its
    brackets one by one gives."""
    assert depth_over_limit(text) == _counted_one_by_one(text)
    assert depth_over_limit(text.decode()) == _counted_one_by_one(text)


def test_a_page_of_many_posts_is_not_too_deep() -> None:
    """A page of a hundred posts with nested entities, and brackets in their texts, passes."""
    post = '{"id": "1", "text": "[Update] :-] {{x", "entities": {"urls": [{"a": [1, [2]]}]}}'
    page = ('{"data": [' + ", ".join([post] * 100) + "]}").encode()
    assert depth_over_limit(page) is None
    too_deep = b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1)
    assert depth_over_limit(too_deep) == MAX_NESTING + 1
