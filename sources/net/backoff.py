"""Exponential backoff with jitter, shared by the X source and the feed source.

Jitter spreads retries so that twenty feeds failing together (a network outage) do not
all come back in the same second; the random source is injectable so tests are exact.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sources.model.text import parse_timestamp


@dataclass(frozen=True)
class Backoff:
    """Delay after the n-th consecutive failure: base * factor**(n-1), capped, +-jitter."""

    base: float
    """Seconds after the first failure."""
    cap: float
    """Longest delay, whatever the number of failures."""
    factor: float = 2.0
    jitter: float = 0.2
    """Fraction by which a delay is randomly shortened or lengthened."""

    def delay(self, failures: int, rng: random.Random) -> float:
        steps = max(0, failures - 1)
        # Compare in log space first so that a huge failure count cannot overflow.
        raw = self.cap if steps > 64 else min(self.cap, self.base * self.factor**steps)
        spread = 1.0 - self.jitter + 2 * self.jitter * rng.random()
        return max(0.0, min(self.cap, raw * spread))


def load_extra(raw: str | None) -> dict[str, Any]:
    """The `extra` JSON of a SourceState as a dict (an unreadable one counts as empty)."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def dump_extra(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def paused(paused_until: str | None, now: datetime) -> datetime | None:
    """When a stored pause ends, or None when there is no pause left at `now`."""
    until = parse_timestamp(paused_until) if paused_until else None
    return until if until is not None and until > now else None
