"""Counts in words as a reader says them: `1 follower`, `2,300 followers`, `? followers`."""

from __future__ import annotations


def counted(value: object, noun: str, plural: str = "") -> str:
    """`value` and `noun`, plural unless exactly one (`plural`: an irregular plural);
    `?` when the count is unknown (None or not a number)."""
    many = plural or noun + "s"
    if not isinstance(value, int) or isinstance(value, bool):
        return f"? {many}"
    return f"{value:,} {noun if value == 1 else many}"
