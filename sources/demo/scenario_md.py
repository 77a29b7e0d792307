"""SCENARIO.md: the cast, the timeline and the facts of the demo scenario, for people."""

from __future__ import annotations

from typing import Any


def render(facts: dict[str, Any]) -> str:
    return "# placeholder\n"
