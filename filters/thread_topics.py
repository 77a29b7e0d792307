"""The thread rule for topics, in one place for the store, `classify` and the bench.

A reply or quote whose own words name no topic is about what the post it answers is
about ("Not at my site!" under a post about bathroom breaks): it takes that post's
topics, all of them, including those the post took from further up. A post with a topic
of its own keeps only its own: it has said what it is about.
"""

from __future__ import annotations

from collections.abc import Sequence


def may_inherit(own: Sequence[str], *, answers_a_post: bool) -> bool:
    """Whether a mention can take topics from its thread at all: only without topics of
    its own, and only when it replies to or quotes a post."""
    return not own and answers_a_post


def inherited(
    own: Sequence[str], replied_to: Sequence[str], quoted: Sequence[str] = ()
) -> list[str]:
    """The topics a mention takes from its thread: none if it has its own; else those of
    the post it replies to, or, when that has none, of the post it quotes."""
    if not may_inherit(own, answers_a_post=True):  # no post above: both lists are empty
        return []
    return list(dict.fromkeys(replied_to or quoted))
