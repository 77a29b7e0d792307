"""Load the whole bundled demo scenario into a store at once (`app.py import --demo`).

Same path as the live monitor: the replay source at speed 0, every page through `ingest`
with the source state, so a store filled here and one filled by watching the demo agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from cache.db.store import Store
from cache.write.ingest import IngestResult, ingest
from filters.classify import Classifier
from sources.demo.replay import ReplaySource
from sources.model.records import utc_now


def load_demo(
    store: Store,
    classifier: Classifier,
    *,
    clock: Callable[[], datetime] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> IngestResult:
    """Store everything the demo has not delivered yet; returns what ingest did.

    The scenario ends at `clock()` (default: now), to the second, unless the store holds
    part of a replay already: that one's shift is kept. A store that holds all of it gets
    nothing new. Warnings (the feed that arrives broken) go to `on_warning`.
    """
    # Looked up on each call, so a test can pin the clock of `app.py import --demo`.
    clock = clock or utc_now
    source = ReplaySource(speed=0, clock=clock)
    states = {state.name: state for state in store.source_states()}
    total = IngestResult()
    for page in source.poll(states, clock()):
        # No next poll: nothing polls after the import, and a stored one would tell an
        # offline monitor that a collector runs (tui.live.collected_elsewhere).
        unscheduled = [replace(state, next_poll_at=None) for state in page.states]
        total.add(ingest(store, page.batch, classifier, states=unscheduled))
        if on_warning is not None:
            for warning in page.batch.warnings:
                on_warning(warning)
            for skipped in page.batch.skipped:
                on_warning(f"skipped {skipped.where}: {skipped.reason}")
    return total
