"""Which polled state delivers a place mentions come from, for the Sources view (`s`).

A place without a poll state of its own (`mastodon:tag`, `x:search`, `x:stream`) is
filled by the states whose kind names it: the endpoints `mastodon/tag:verdi` and
`mastodon/tag:streik`, or a stream's own row. Its health is theirs, not that of the
whole service, whose error may be another endpoint's (a search without a login); what
stops the whole service (a missing token, a rate limit) shows on the service's own row.
In the demo the replay delivers every place. Anything else (an imported file) was
delivered by no poller here: a live source of the same platform says nothing about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from sources.model.records import SourceState


def deliverer(name: str, states: Mapping[str, SourceState], places: set[str]) -> SourceState | None:
    """The state whose health the place `name` shows, or None when nothing polled here
    delivers it (`places`: the names mentions are stored under)."""
    if ":" in name:  # a live source's label (`platform:kind`); files are named after themselves
        parts = [s for s in states.values() if s.kind == name and s.name != name]
        if parts:
            return _together(parts)
    replays = [s for s in states.values() if s.kind == "replay" and s.name not in places]
    return replays[0] if len(replays) == 1 else None


def _together(parts: list[SourceState]) -> SourceState:
    """One state for the parts that fill a place: a single part as it is; several as one,
    with the newest times and every failing part's error."""
    if len(parts) == 1:
        return replace(parts[0])
    failing = [p for p in parts if p.last_error]
    return SourceState(
        name=", ".join(p.name for p in parts),
        kind=parts[0].kind,
        last_poll_at=_latest(p.last_poll_at for p in parts),
        last_success_at=_latest(p.last_success_at for p in parts),
        last_error="; ".join(f"{p.name}: {p.last_error}" for p in failing) or None,
        last_error_at=_latest(p.last_error_at for p in failing),
        next_poll_at=min((p.next_poll_at for p in parts if p.next_poll_at), default=None),
        # Paused while every part waits, until the first of them may go on.
        paused_until=min((p.paused_until or "" for p in parts), default=None) or None,
    )


def _latest(times: Iterable[str | None]) -> str | None:
    # Stored times share one format (`format_timestamp`), so the text order is time order.
    return max((t for t in times if t), default=None)
