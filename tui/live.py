"""Glue between the monitor and the live parts: the collector's sources, their health,
and the spike alerts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from textual.content import Content

from cache.alerts import Alert, describe
from cache.store import SourceState
from sources.text import parse_timestamp
from tui.safe_text import clean, shorten

RETRY_SECONDS = 30.0
"""After a poll that crashed (not one that reported an error), try again this much later."""
MIN_DELAY, MAX_DELAY = 0.05, 3600.0


def source_names(collector: Any) -> list[str]:
    """The names of the sources a collector polls, whatever shape it exposes them in."""
    for attribute in ("source_names", "names"):
        value = getattr(collector, attribute, None)
        if callable(value):
            value = value()
        if value:
            return [str(v) for v in value]
    sources = getattr(collector, "sources", None)
    if isinstance(sources, dict):
        return [str(k) for k in sources]
    if sources:
        return [str(getattr(s, "name", s)) for s in sources]
    return []


def seconds_until(when: Any, now: datetime) -> float | None:
    """Seconds from `now` to `when` (a datetime or stored timestamp), clamped; None: never."""
    if when is None:
        return None
    if isinstance(when, str):
        try:
            when = parse_timestamp(when)
        except ValueError:
            return None
    if not isinstance(when, datetime):
        return None
    return min(MAX_DELAY, max(MIN_DELAY, (when - now).total_seconds()))


def _top_level(states: dict[str, SourceState]) -> Iterable[SourceState]:
    # `source/part` rows (one X query each) are details of their source; the status line
    # shows each source once.
    names = {name.split("/", 1)[0] for name in states}
    for name in sorted(names):
        yield states.get(name) or next(s for n, s in states.items() if n.startswith(name + "/"))


def clock_time(stored: str | None, tz: tzinfo | None) -> str:
    """A stored timestamp as HH:MM in the display time zone ("never" when missing)."""
    moment = parse_timestamp(stored) if stored else None
    if moment is None:
        return "never"
    return (moment.astimezone(tz) if tz else moment.astimezone()).strftime("%H:%M")


def source_summaries(
    states: dict[str, SourceState], live_errors: dict[str, str], tz: tzinfo | None = None
) -> list[Content]:
    """One short piece of the status line per source: name, health, newest numbers."""
    parts: list[Content] = []
    for state in _top_level(states):
        name = clean(state.name.split("/", 1)[0], one_line=True)
        error = live_errors.get(name) or state.last_error
        if error:
            parts.append(
                Content.from_markup(
                    "$name [b $error]✗[/] $why",
                    name=name,
                    why=shorten(clean(error, one_line=True), 40),
                )
            )
        elif state.paused_until:
            parts.append(
                Content.from_markup(
                    "$name [b $warning]paused[/] until $until",
                    name=name,
                    until=clock_time(state.paused_until, tz),
                )
            )
        else:
            when = clock_time(state.last_success_at or state.last_poll_at, tz)
            parts.append(
                Content.from_markup(
                    "$name [b $success]✓[/] $when +$new",
                    name=name,
                    when=when,
                    new=str(state.last_new),
                )
            )
    for name, error in sorted(live_errors.items()):
        if name not in states and not any(n.startswith(name + "/") for n in states):
            parts.append(
                Content.from_markup(
                    "$name [b $error]✗[/] $why",
                    name=clean(name, one_line=True),
                    why=shorten(clean(error, one_line=True), 40),
                )
            )
    return parts


def describe_alert(alert: Alert) -> str:
    """One line about a spike alert, as cache.alerts describes it (cleaned for display)."""
    return clean(describe(alert), one_line=True)
