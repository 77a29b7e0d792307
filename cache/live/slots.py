"""Who may start a poll now: a few polls at a time, and never all of them stuck.

`parallel` polls run at once. Two rules keep slow and failing servers from taking every
slot, so a healthy source is polled on time whatever the others do:

- Sources whose last poll failed hold at most half the slots (at least one), counting
  every poll of theirs still running: a host that stalls until its deadline cannot fill
  the rest, which are kept for sources whose last poll succeeded (or that were never
  polled).
- A poll still running after `slow_s` gives its slot back. It goes on to its own
  deadline (a feed's `timeout_seconds`) in its thread, but no longer holds a healthy
  source back. This is what keeps a first run on time, when nobody knows yet which
  hosts stall. Each source runs one poll at a time, so the extra threads stay bounded
  by the number of sources, and a source whose poll failed falls under the first rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sources.model.records import SourceState

SLOW_SECONDS = 5.0
"""After this long a poll is slow and no longer holds a slot (feeds answer in about 1 s)."""


class PollSlots:
    """The slot bookkeeping of one scheduler; not thread-safe (one loop owns it)."""

    def __init__(
        self,
        parallel: int,
        clock: Callable[[], datetime],
        *,
        slow_s: float = SLOW_SECONDS,
        states: Mapping[str, SourceState] | None = None,
    ) -> None:
        self.parallel = max(1, parallel)
        self.failing_share = max(1, self.parallel // 2)
        self.slow_s = slow_s
        self._clock = clock
        # Whose last poll failed, as the store remembers it (until they succeed again).
        self._failing = {name for name, state in (states or {}).items() if state.last_error}
        self._started: dict[str, datetime] = {}

    @property
    def running(self) -> list[str]:
        return list(self._started)

    def may_start(self, name: str) -> bool:
        if name in self._started:
            return False  # two polls of one source never overlap
        now = self._clock()
        holding = sum(
            1 for at in self._started.values() if (now - at).total_seconds() < self.slow_s
        )
        if holding >= self.parallel:
            return False
        if name in self._failing:
            failing_running = sum(1 for n in self._started if n in self._failing)
            return failing_running < self.failing_share
        return True

    def start(self, name: str) -> None:
        self._started[name] = self._clock()

    def ended(self, name: str, *, ok: bool) -> None:
        self._started.pop(name, None)
        if ok:
            self._failing.discard(name)
        else:
            self._failing.add(name)
