"""The answer of the topic classifier for one text (re-exported by `filters.classify`).

It lives below `filters.topics` so that the matcher's tables can hold finished answers:
a text whose words were seen together before gets the very same object back.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Classification:
    """What a mention is about, with the terms that decided it.

    Objects are shared between texts with the same answer (the matcher keeps them in its
    tables): read `matches`, never change it."""

    topics: tuple[str, ...] = ()
    matches: dict[str, tuple[str, ...]] = field(default_factory=dict)


NOTHING = Classification()
"""The answer of every text about nothing (shared, like all answers)."""


def of(matches: dict[str, tuple[str, ...]]) -> Classification:
    """The answer holding `matches` ({topic: words}, topics in configured order)."""
    return Classification(tuple(matches), matches) if matches else NOTHING
