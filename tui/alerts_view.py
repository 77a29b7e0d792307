"""The alert list: every stored spike alert, newest first, with what drove it.

The table shows what spiked and how much; the panel below shows the highlighted alert's
numbers, its top posts (author and text, shown literally) and its sources. Reading
happens in a worker. Hours that were never judged (an imported store, the demo) are
judged first, exactly like `app.py alerts` does.

`announce(app, alerts, config)` is for the monitor: a toast per new alert (never markup)
and the terminal bell when `[alerts] bell` is on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App
from textual.content import Content

from sources.model.config import Config
from sources.model.handles import platform_of, shown_author
from tui import timefmt
from tui.gateway import (
    Alert,
    Reader,
    StoreError,
    evidence_posts,
    judge_alert_hours,
    stored_alerts,
)
from tui.live import describe_alert
from tui.safe_text import clean, plain, shorten, shown_name
from tui.views import ListScreen

log = logging.getLogger("echowatch.tui")

LISTED_ALERTS = 500
"""Most alerts listed (the newest)."""


@dataclass(frozen=True)
class TopPost:
    id: str
    author: str
    text: str
    stored: bool


@dataclass(frozen=True)
class AlertItem:
    """An alert with the text of its top posts, read in the worker."""

    alert: Alert
    posts: tuple[TopPost, ...]

    @property
    def key(self) -> str:
        return f"{self.alert.topic}@{self.alert.started_at}"


def load_alert_items(store: Reader, limit: int = LISTED_ALERTS) -> list[AlertItem]:
    """The newest alerts with their top posts' authors and texts."""
    items = []
    for alert in stored_alerts(store, limit):
        found = evidence_posts(store, alert.top_ids)
        posts = [
            TopPost(i, found[i].handle, found[i].text, True)
            if i in found
            else TopPost(i, "", "", False)
            for i in alert.top_ids
        ]
        items.append(AlertItem(alert, tuple(posts)))
    return items


def _judge_unjudged_hours(db_path: Path, config: Config) -> None:
    """Judge the hours no collector judged, when the store can be written; else skip."""
    try:
        judge_alert_hours(db_path, config)
    except StoreError as exc:  # a read-only store still lists what it has
        log.info("alerts not judged: %s", exc)


class AlertsScreen(ListScreen):
    """Spike alerts, newest first: topic, start, count against the baseline, drivers."""

    TITLE_TEXT = "Spike alerts"
    EMPTY_TEXT = "No spike alerts: no topic rose above its baseline yet."
    COLUMNS = (
        ("started", "Started"),
        ("topic", "Topic"),
        ("count", "Count"),
        ("baseline", "Baseline"),
        ("ratio", "×"),
        ("peak", "Peak"),
        ("mode", "Raised"),
    )
    BINDINGS: ClassVar[list[Any]] = [*ListScreen.BINDINGS]

    def __init__(
        self, db_path: Path, config: Config | None = None, *, may_write: bool = False
    ) -> None:
        super().__init__(db_path)
        self.config = config or Config()
        self.may_write = may_write
        """Judge hours not judged yet (a write) first; never while browsing offline (which
        keeps only the reader's marks)."""
        if not may_write:
            self.EMPTY_TEXT = (
                "No spike alerts stored. Browsing offline judges no alert hours: "
                "`app.py alerts` judges the hours not judged yet."
            )

    def read(self, store: Reader) -> list[Any]:
        if self.may_write:
            _judge_unjudged_hours(self.db_path, self.config)
        return load_alert_items(store)

    def key_of(self, item: Any) -> str:
        return str(item.key)

    def cells(self, item: Any) -> list[Any]:
        alert: Alert = item.alert
        ratio = alert.count / alert.baseline if alert.baseline > 0 else None
        return [
            Text(timefmt.for_app(self.app)(alert.started_at)),
            plain(alert.topic, one_line=True),
            Text(str(alert.count), justify="right"),
            Text(f"{alert.baseline:.1f} ± {alert.stdev:.1f}", justify="right"),
            Text("new" if ratio is None else f"{ratio:.1f}", justify="right"),
            Text(str(alert.peak_count), justify="right"),
            Text(alert.mode),
        ]

    def describe(self, item: Any) -> Content:
        alert: Alert = item.alert
        kind = (
            f"the same hour on {alert.baseline_hours} previous days"
            if alert.baseline_kind == "same_hour"
            else f"the previous {alert.baseline_hours} hours"
        )
        when = timefmt.for_app(self.app)
        lines = [
            Content.from_markup(
                "[b]$topic[/b] spiked: [b]$count[/b] mentions in the hour from $start",
                topic=clean(alert.topic, one_line=True),
                count=str(alert.count),
                start=when(alert.started_at),
            ),
            Content(
                f"Baseline {alert.baseline:.1f} ± {alert.stdev:.1f} ({kind}); alert above "
                f"{alert.threshold:.1f} (k = {alert.k:g}) and at least {alert.min_count}."
            ),
            Content(
                f"Peak {alert.peak_count} in the hour from {when(alert.peak_at)}; "
                f"last hot hour {when(alert.last_hot_at)}."
            ),
            Content(""),
            Content.from_markup("[b]Top posts[/b]"),
        ]
        for post in item.posts:
            if post.stored:
                entry = Content.from_markup(
                    "  [b]$author[/b] $text",
                    # A feed item's author is a name, not an account: no `@`.
                    author=shown_name(shown_author(post.author, platform_of(post.id)) or "?"),
                    text=shorten(clean(post.text, one_line=True), 200),
                )
                lines.extend(self.entry_lines(entry))
            else:
                lines.append(
                    Content.from_markup("  $id (not stored)", id=clean(post.id, one_line=True))
                )
        if not item.posts:
            lines.append(Content("  –"))
        sources = ", ".join(f"{clean(s, one_line=True)} ({n})" for s, n in alert.top_sources)
        lines.append(Content(""))
        lines.append(Content.from_markup("[b]Sources[/b] $sources", sources=sources or "–"))
        return Content("\n").join(lines)


def alerts_screen(
    db_path: Path, config: Config | None = None, *, may_write: bool = False
) -> AlertsScreen:
    """The alert list screen for a store (what the monitor's alerts key opens)."""
    return AlertsScreen(db_path, config, may_write=may_write)


def announce(app: App[Any], alerts: list[Alert], config: Config) -> None:
    """Show each new alert as a toast (literal text) and ring the bell if configured.

    Call on the app's thread (e.g. from a message handler), never from a worker thread.
    """
    for alert in alerts:
        app.notify(
            describe_alert(alert, timefmt.for_app(app)),
            title="Spike alert",
            severity="warning",
            timeout=15,
            markup=False,
        )
    if alerts and config.alerts.bell:
        app.bell()
