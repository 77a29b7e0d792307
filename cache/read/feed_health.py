"""`feeds list`: each configured feed with its health, as the collector last recorded it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cache.db.store import Store
from sources.model.config import FeedSection
from sources.model.program import program_name
from sources.model.records import SourceState, utc_now
from sources.model.shown_text import shown_text
from sources.net.backoff import paused


@dataclass(frozen=True)
class FeedHealth:
    feed: FeedSection
    state: SourceState | None
    """None when no collector polled this feed into the store yet."""

    @property
    def health(self) -> str:
        if self.state is None or not self.state.last_poll_at:
            return "never polled"
        pause = paused_health(self.state)
        if pause:
            return pause
        if self.state.last_error:
            return f"failing: {shown_text(self.state.last_error, one_line=True)}"
        return "ok"


def paused_health(state: SourceState, now: datetime | None = None) -> str | None:
    """`paused until HH:MM (why)` (local time) while the server's pause lasts, else None:
    a paused source waits as asked; it is not failing (the status line says the same)."""
    until = paused(state.paused_until, now or utc_now())
    if until is None:
        return None
    why = f" ({shown_text(state.last_error, one_line=True)})" if state.last_error else ""
    return f"paused until {until.astimezone().strftime('%H:%M')}{why}"


def feed_health(feeds: list[FeedSection], db: Path) -> list[FeedHealth]:
    """The configured feeds in config order, each with its state in the store at `db`."""
    states: dict[str, SourceState] = {}
    if db.is_file():
        with Store.open(db, readonly=True) as store:
            states = {s.name: s for s in store.source_states()}
    return [FeedHealth(feed, states.get(feed.name)) for feed in feeds]


def format_feed_health(rows: list[FeedHealth]) -> str:
    """One block per feed: name, address, schedule, health and the last poll."""
    if not rows:
        return (
            f"no feeds configured (add some with `{program_name()} feeds import FILE.opml` "
            "or [[feeds]] tables in the config)"
        )
    lines = []
    for row in rows:
        state = row.state
        name, url = (shown_text(text, one_line=True) for text in (row.feed.name, row.feed.url))
        lines.append(f"{name}  {row.health}")
        lines.append(f"  url: {url}  (every {row.feed.poll_seconds} s)")
        if state is not None and state.last_poll_at:
            lines.append(
                f"  last poll {state.last_poll_at}, last success "
                f"{state.last_success_at or 'never'}, {state.items_seen} items seen, "
                f"{state.last_new} new in the last poll"
            )
    return "\n".join(lines)
