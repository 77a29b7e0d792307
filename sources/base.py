"""What every live source (X, feeds, the demo replay) looks like to the collector.

A source never touches the store: it is handed the states it saved last time and returns
pages of records together with the states to save *with* those records (one transaction),
so a crash can never record a cursor past mentions that were not stored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sources.model.records import ParsedBatch, SourceState


@dataclass
class PollPage:
    """One page of a poll: records, and the states that become true once they are stored."""

    batch: ParsedBatch = field(default_factory=ParsedBatch)
    states: list[SourceState] = field(default_factory=list)


@dataclass
class PollOutcome:
    """How a whole poll ended, for the source's status line and its next schedule."""

    ok: bool = True
    error: str | None = None
    """A short sentence for the user ("token rejected", "HTTP 404 Not Found")."""
    next_poll_in: float = 60.0
    """Seconds until this source should be polled again (includes backoff and pauses)."""
    stopped: bool = False
    """True when retrying cannot help (bad token, endpoint not in the plan)."""
    finished: bool = False
    """True when the source has nothing more to deliver, ever (a replay played to its end)."""


class Source(Protocol):
    """A live source. `poll` yields pages; its return value (via `StopIteration`) is the
    outcome, which `run_poll` below collects for callers."""

    name: str
    kind: str

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]: ...

    def outcome(self) -> PollOutcome:
        """How the last `poll` ended (read after its iterator is exhausted)."""
        ...
