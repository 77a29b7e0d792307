"""The Sources view (`s`): every source the store knows, with its health.

A row for each place mentions come from (`x:search`, a feed such as `lagerforum`: the
names `app.py status`, the alerts and the feed use) and for each source the collector
polls (`demo`, `heise`, `x-stream`), merged when they share a name. A place with no poll
state of its own shows the health of what delivers it (`tui.delivered_by`: the endpoints
`mastodon/tag:*` for `mastodon:tag`, the demo replay for every place of the scenario);
an imported file is `stored`. The data is `app.py status`'s own
(`cache.read.status.store_status`, read through the gateway).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.content import Content
from textual.widgets import DataTable

from sources.model.counted import counted
from sources.model.records import SourceState, utc_now
from sources.net.backoff import paused
from sources.net.stream_gaps import stream_gaps
from tui import timefmt
from tui.delivered_by import deliverer
from tui.gateway import Reader, StoreStatus, status_of
from tui.safe_text import clean, plain, shorten
from tui.views import ListScreen


@dataclass(frozen=True)
class SourceRow:
    """One source: its poll state (None when another source delivers it), its mentions."""

    name: str
    platform: str
    mentions: int
    state: SourceState | None
    via: SourceState | None = None
    """The polled source that delivers this one's mentions, when it has no state itself."""
    live_error: str | None = None
    finished: bool = False

    @property
    def key(self) -> str:
        return self.name

    @property
    def health_state(self) -> SourceState | None:
        return self.state or self.via


def health_word(row: SourceRow) -> str:
    state = row.health_state
    if state is not None and paused(state.paused_until, utc_now()):
        return "paused"  # waiting as the server asked, not failing (its reason is below)
    if row.live_error or (state is not None and state.last_error):
        return "error"
    if row.finished:
        return "finished"
    if state is None:
        return "stored"
    if state.paused_until:
        return "paused"
    if state.last_success_at:
        return "ok"
    return "waiting"


HEALTH_STYLES = {"error": "bold red", "paused": "yellow", "ok": "green", "finished": "cyan"}
NAME_MAX = 32
"""The most a source's name takes in the list (an imported file names its source after
itself); the panel below shows it whole."""
VIA_MAX = 16


def source_rows(
    status: StoreStatus,
    live_errors: dict[str, str] | None = None,
    finished: dict[str, bool] | None = None,
) -> list[SourceRow]:
    """Mention origins and polled sources, one row per name (rules in the module docstring)."""
    live_errors = live_errors or {}
    finished = finished or {}
    states = {s.name: s for s in status.sources}
    counts: dict[str, tuple[str, int]] = {}
    for platform, source, count in status.per_source:
        _, before = counts.get(source, (platform, 0))
        counts[source] = (platform, before + count)
    rows = []
    for name in sorted(set(counts) | set(states)):
        platform, mentions = counts.get(name, ("", 0))
        state = states.get(name)
        via = None if state is not None else deliverer(name, states, set(counts))
        # A whole source's run errors and end (the replay, a stream) are keyed by its name;
        # an endpoint's (`mastodon/tag:verdi`) are on its row, as the poll stored them.
        top = via.name if via is not None else name
        rows.append(
            SourceRow(
                name=name,
                platform=platform or (state.kind if state else ""),
                mentions=mentions,
                state=state,
                via=via,
                live_error=live_errors.get(name) or live_errors.get(top),
                finished=finished.get(top, False),
            )
        )
    return rows


class SourcesScreen(ListScreen):
    """Each source's health: last poll, new items, paused until, last error, mentions."""

    TITLE_TEXT = "Sources"
    EMPTY_TEXT = "No source has been polled or imported into this store yet."
    COLUMNS = (
        # What a reader scans for first stays inside 80 columns: which, how, how much.
        ("name", "Source"),
        ("health", "Health"),
        ("mentions", "Mentions"),
        ("via", "Delivered by"),
        ("last_poll", "Last poll"),
        ("new", "New"),
        ("seen", "Seen"),
        ("paused", "Paused until"),
        ("error", "Last error"),
    )

    def column_widths(self) -> dict[str, int]:
        """Names are cut (`…`) to at most `NAME_MAX`, and to what leaves Health and Mentions
        on screen: what a reader scans for comes before the rest of a long name."""
        names = [len(clean(row.name, one_line=True)) for row in self.items]
        vias = [len(clean(row.via.name, one_line=True)) for row in self.items if row.via]
        padding = 2 * self.query_one(DataTable).cell_padding
        beside = len("finished") + len("Mentions") + 2 * padding + 2  # 2: the scroll bar
        name = min(NAME_MAX, max(names, default=0), self.size.width - padding - beside)
        via = min(VIA_MAX, max([len("Delivered by"), *vias]))
        return {"name": max(len("Source"), name), "via": via}

    def read(self, store: Reader) -> list[Any]:
        return source_rows(
            status_of(store),
            dict(self.options.get("live_errors", {})),
            dict(self.options.get("finished", {})),
        )

    def cells(self, item: Any) -> list[Any]:
        row: SourceRow = item
        state = row.health_state
        word = health_word(row)
        error = row.live_error or (state.last_error if state else None)
        when = timefmt.for_app(self.app)
        via = row.via.name if row.via else "itself" if row.state else "–"
        return [
            Text(clean(row.name, one_line=True), no_wrap=True, overflow="ellipsis", end=""),
            Text(word, style=HEALTH_STYLES.get(word, "")),
            Text(str(row.mentions), justify="right"),
            Text(clean(via, one_line=True), no_wrap=True, overflow="ellipsis", end=""),
            Text(when(state.last_poll_at) if state and state.last_poll_at else "never"),
            Text(str(row.state.last_new) if row.state else "–", justify="right"),
            Text(str(row.state.items_seen) if row.state else "–", justify="right"),
            Text(when(state.paused_until) if state and state.paused_until else "–"),
            plain(shorten(clean(error or "–", one_line=True), 60)),
        ]

    def describe(self, item: Any) -> Content:
        row: SourceRow = item
        state = row.health_state
        lines = [
            Content.from_markup(
                "[b]$name[/b] ($platform) · $health · $mentions stored",
                name=clean(row.name, one_line=True),
                platform=clean(row.platform or "?", one_line=True),
                health=health_word(row),
                mentions=counted(row.mentions, "mention"),
            )
        ]
        if row.via is not None:
            lines.append(
                Content.from_markup(
                    "delivered by $via, whose health this row shows",
                    via=clean(row.via.name, one_line=True),
                )
            )
        when = timefmt.for_app(self.app)
        if state is None:
            lines.append(Content("not polled in this store: its mentions were imported"))
        else:
            polls = [
                f"last poll {when(state.last_poll_at) if state.last_poll_at else 'never'}",
                f"last success {when(state.last_success_at) if state.last_success_at else 'never'}",
            ]
            if not row.finished:  # a replay that played out is never polled again
                polls.append(f"next poll {when(state.next_poll_at) if state.next_poll_at else '?'}")
            lines.append(Content(" · ".join(polls)))
            error = row.live_error or state.last_error
            lines.append(Content.from_markup("last error: $e", e=clean(error or "none")))
            lines.extend(Content(gap) for gap in stream_gaps(state))
        if row.finished:
            lines.append(Content("finished: the replay played to its end; nothing more comes"))
        return Content("\n").join(lines)
