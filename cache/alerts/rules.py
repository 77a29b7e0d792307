"""Spike alerts over the store: hourly counts from SQL, the rule of `filters.spikes`, storage.

Alerts live in the `alerts` table, one row per (topic, start hour), so a restart, a second
`app.py alerts` or two processes judging the same hour never repeat one. The meta key
`alerts.judged_through` remembers the last hour that was judged for good; every later hour
is judged on the next check, so hours missed while nothing was running are not forgotten.
The meta key `alerts.judged_rule` remembers the rule that judged them; a check under another
rule (a changed `[alerts]`, topic or alerting view) judges the whole history again first
(`cache.alerts.rejudge`).

The newest hour with data (or the current clock hour, if that is earlier) stays open: it
is judged again on every check, because it may still be filling up. An alert raised in the
current clock hour or the one just ended is a `live` alert (it is news: the watcher runs
`notify_command` for it and the screen shows it); one found in any earlier hour is a
`history` alert (stored and listed), also when that hour is the newest the store holds: a
first poll or an import of posts from years ago brings no news. A history alert whose
spike is still going by the clock (hot within the cooldown) is announced once too: a
watcher that starts in the middle of a spike (a restart, the demo loading its past) must
still tell people about it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cache.alerts.rejudge import (
    JUDGED_RULE_KEY,
    OLD_VIEWS_KEY,
    carry_over,
    rule_fingerprint,
    take_stored,
)
from cache.db.store import Store, now_text
from cache.read.hourly_counts import CountCache, Views, history_hours, hourly_counts
from filters.spikes import (
    ALL_SERIES,
    SeriesState,
    SpikeRule,
    SpikeStep,
    hour_from_text,
    hour_of,
    hour_start,
    walk,
)
from filters.views import view_of_series
from sources.model.config import Config
from sources.model.records import utc_now
from sources.model.shown_text import shown_text
from sources.model.text import format_timestamp

log = logging.getLogger("echowatch.alerts")

JUDGED_THROUGH_KEY = "alerts.judged_through"
"""Meta key: the last hour (stored timestamp form) judged for good."""
TOP_POSTS = 5
"""How many posts (and sources) an alert names as driving it."""
DRIVER_HOURS = 6
"""The drivers of a spike are taken from its first hours: what set it off."""

LIVE, HISTORY = "live", "history"


@dataclass(frozen=True)
class Alert:
    """One spike of one topic (or `all`), as stored and listed."""

    topic: str
    started_at: str
    """Start of the first hot hour (stored timestamp form, UTC)."""
    count: int
    """Mentions in that first hour."""
    baseline: float
    """Mean of the baseline hours."""
    stdev: float
    threshold: float
    """The count had to be above this: baseline + k * stdev."""
    k: float
    min_count: int
    baseline_kind: str
    """`same_hour` (the same hour on previous days) or `previous_hours`."""
    baseline_hours: int
    peak_count: int
    peak_at: str
    last_hot_at: str
    """Start of the latest hour of this spike that was still above its threshold."""
    top_ids: tuple[str, ...]
    """Ids of the posts driving the spike: the most replied-to or quoted first."""
    top_sources: tuple[tuple[str, int], ...]
    """(source, mentions) of the sources that delivered most of it."""
    mode: str
    """`live` (raised while its hour was current) or `history` (found afterwards)."""
    raised_at: str
    notified_at: str | None = None
    id: int = 0

    @property
    def view(self) -> str | None:
        """The saved view this alert is about (its topic is `view:NAME`), else None."""
        return view_of_series(self.topic)

    def to_json(self) -> dict[str, Any]:
        """The JSON form (`app.py alerts --format json`, `notify_command`'s stdin)."""
        data = asdict(self)
        data["view"] = self.view
        data["top_ids"] = list(self.top_ids)
        data["top_sources"] = [{"source": s, "count": n} for s, n in self.top_sources]
        return data


def rule_from_config(config: Config) -> SpikeRule:
    section = config.alerts
    return SpikeRule(
        k=section.k,
        min_count=section.min_count,
        cooldown_minutes=section.cooldown_minutes,
        baseline_days=section.baseline_days,
    )


# --- judging ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """What one check did."""

    opened: list[Alert]
    """Alerts raised by this check, oldest first."""
    hours_judged: int
    judged_through: str | None
    live_from: str | None = None
    """Start of the hour just ended by the clock: alerts from then on are live (news)."""
    rejudged: bool = False
    """The stored history was judged again: the rule that had judged it changed."""
    kept: int = 0
    """When rejudged: earlier alerts that still stand."""
    withdrawn: int = 0
    """When rejudged: earlier alerts the rule in force does not raise."""


def evaluate(
    store: Store,
    rule: SpikeRule,
    now: datetime | None = None,
    *,
    cache: CountCache | None = None,
    views: Views | None = None,
    classification: str = "",
) -> Evaluation:
    """Judge every hour not yet judged for good, store the alerts, return the new ones.

    Used by `app.py alerts` (the whole stored history on first use) and by `AlertWatcher`
    after each stored batch; both judge an hour the same way. `views` are the saved views
    with `alert = true` (`cache.read.views.alert_views(config)`) and `classification` is
    `Classifier.fingerprint()` of the config whose topics the store holds: pass both
    wherever the rule comes from a config. When any of them (or the rule) is not the one
    that judged the stored history, the whole history is judged again (`cache.alerts.rejudge`).
    """
    bounds = history_hours(store)
    if bounds is None:
        return Evaluation([], 0, None)
    history_start, data_end = bounds
    current = hour_of(now or utc_now())
    open_hour = min(data_end, current)
    judged, judged_rule = _judged(store)
    # Live by the clock, not by the data: the newest stored hour may be years old.
    live_hour = current - 1
    live_from = format_timestamp(hour_start(live_hour))
    views = dict(views or {})
    fingerprint = rule_fingerprint(rule, views, classification)
    if judged_rule != fingerprint:
        if cache is not None:
            cache.clear()  # counted under another classification, perhaps
        return _judge_all(
            store, rule, views, fingerprint, (history_start, open_hour, live_hour), judged
        )
    first = history_start if judged is None else max(history_start, hour_from_text(judged) + 1)
    if first > open_hour:
        return Evaluation([], 0, judged, live_from)
    cache = cache or CountCache(views)
    counts = cache.get(store, first - rule.lookback_hours, open_hour, open_hour + 1)
    states = series_states(store)
    steps: list[SpikeStep] = []
    for series, per_hour in counts.items():
        found, _ = walk(
            series,
            per_hour,
            first,
            open_hour,
            history_start,
            rule,
            states.get(series, SeriesState()),
        )
        steps.extend(found)
    steps.sort(key=lambda s: (s.verdict.hour, s.series))
    judged_through = format_timestamp(hour_start(open_hour - 1))
    with store.writing():
        opened = _record(store, rule, steps, live_from=live_hour, views=views)
        if judged is None or judged_through > judged:
            store.set_meta(JUDGED_THROUGH_KEY, judged_through)
    return Evaluation(opened, open_hour - first + 1, judged_through, live_from)


def _judge_all(
    store: Store,
    rule: SpikeRule,
    views: Views,
    fingerprint: str,
    hours: tuple[int, int, int],
    judged: str | None,
) -> Evaluation:
    """Judge the whole history from a clean state, as a fresh store would, and replace the
    stored alerts with what that finds (keeping what an alert that still stands had)."""
    history_start, open_hour, live_hour = hours
    counts = hourly_counts(store, history_start, open_hour + 1, views)
    steps: list[SpikeStep] = []
    for series, per_hour in counts.items():
        found, _ = walk(series, per_hour, history_start, open_hour, history_start, rule)
        steps.extend(found)
    steps.sort(key=lambda s: (s.verdict.hour, s.series))
    judged_through = format_timestamp(hour_start(open_hour - 1))
    with store.writing():
        # Taken inside the write lock: an alert another process announced meanwhile keeps
        # its announcement.
        before = take_stored(store)
        _record(store, rule, steps, live_from=live_hour, views=views)
        outcome = carry_over(store, before)
        store.set_meta(JUDGED_THROUGH_KEY, judged_through)
        store.set_meta(JUDGED_RULE_KEY, fingerprint)
        store.conn.execute("DELETE FROM meta WHERE key = ?", [OLD_VIEWS_KEY])
    opened = [a for a in (alert_by_id(store, i) for i in outcome.added) if a is not None]
    opened.sort(key=lambda a: (a.started_at, a.topic))
    return Evaluation(
        opened,
        max(0, open_hour - history_start + 1),
        judged_through,
        format_timestamp(hour_start(live_hour)),
        rejudged=judged is not None,
        kept=outcome.kept,
        withdrawn=outcome.withdrawn,
    )


def _judged(store: Store) -> tuple[str | None, str | None]:
    """(last hour judged for good, fingerprint of the rule that judged it): one read."""
    found = dict(
        store.conn.execute(
            "SELECT key, value FROM meta WHERE key IN (?, ?)", [JUDGED_THROUGH_KEY, JUDGED_RULE_KEY]
        ).fetchall()
    )
    return found.get(JUDGED_THROUGH_KEY), found.get(JUDGED_RULE_KEY)


def judged_by_another_rule(
    store: Store, rule: SpikeRule, views: Views | None = None, classification: str = ""
) -> bool:
    """Whether the stored alerts were judged by a rule other than this one (read only)."""
    _, judged_rule = _judged(store)
    current = rule_fingerprint(rule, dict(views or {}), classification)
    return judged_rule is not None and judged_rule != current


def series_states(store: Store) -> dict[str, SeriesState]:
    """Per series, the latest alert (what the cooldown needs), from the alerts table."""
    states: dict[str, SeriesState] = {}
    for topic, started, last_hot in store.conn.execute(
        "SELECT topic, max(started_at), last_hot_at FROM alerts GROUP BY topic"
    ):
        states[topic] = SeriesState(hour_from_text(started), hour_from_text(last_hot))
    return states


def _record(
    store: Store, rule: SpikeRule, steps: list[SpikeStep], live_from: int, views: Views
) -> list[Alert]:
    opened: list[Alert] = []
    now = now_text()
    for step in steps:
        verdict = step.verdict
        alert_start = format_timestamp(hour_start(step.alert_hour))
        hour_text = format_timestamp(hour_start(verdict.hour))
        existing = store.conn.execute(
            "SELECT id, peak_count, last_hot_at FROM alerts WHERE topic = ? AND started_at = ?",
            [step.series, alert_start],
        ).fetchone()
        if existing is None:
            top_ids, top_sources = drivers(
                store, step.series, step.alert_hour, verdict.hour + 1, views
            )
            mode = LIVE if verdict.hour >= live_from else HISTORY
            cursor = store.conn.execute(
                """
                INSERT INTO alerts (topic, started_at, count, baseline, stdev, threshold, k,
                    min_count, baseline_kind, baseline_hours, peak_count, peak_at, last_hot_at,
                    top_ids, top_sources, mode, raised_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    step.series,
                    alert_start,
                    verdict.count,
                    verdict.mean,
                    verdict.stdev,
                    verdict.threshold,
                    rule.k,
                    rule.min_count,
                    verdict.baseline.kind,
                    len(verdict.baseline.hours),
                    verdict.count,
                    hour_text,
                    hour_text,
                    json.dumps(top_ids),
                    json.dumps(top_sources),
                    mode,
                    now,
                ],
            )
            alert = alert_by_id(store, int(cursor.lastrowid or 0))
            if alert is not None:
                opened.append(alert)
            continue
        alert_id, peak_count, last_hot_at = existing
        last_hot = max(last_hot_at, hour_text)
        peak = verdict.count > peak_count
        if verdict.hour < step.alert_hour + DRIVER_HOURS:
            window_end = min(hour_from_text(last_hot), step.alert_hour + DRIVER_HOURS - 1) + 1
            top_ids, top_sources = drivers(store, step.series, step.alert_hour, window_end, views)
            store.conn.execute(
                "UPDATE alerts SET top_ids = ?, top_sources = ? WHERE id = ?",
                [json.dumps(top_ids), json.dumps(top_sources), alert_id],
            )
        store.conn.execute(
            """
            UPDATE alerts SET last_hot_at = ?,
                peak_count = CASE WHEN ? THEN ? ELSE peak_count END,
                peak_at = CASE WHEN ? THEN ? ELSE peak_at END,
                count = CASE WHEN started_at = ? THEN ? ELSE count END
            WHERE id = ?
            """,
            [
                last_hot,
                peak,
                verdict.count,
                peak,
                hour_text,
                hour_text,
                verdict.count,
                alert_id,
            ],
        )
    return opened


def drivers(
    store: Store, series: str, first_hour: int, end_hour: int, views: Views | None = None
) -> tuple[list[str], list[tuple[str, int]]]:
    """The posts and sources driving a spike in [first_hour, end_hour).

    A post drives a spike by being replied to or quoted in it (or by being in it), so
    posts are ranked by how many of the spike's mentions are it or answer it.
    """
    low = format_timestamp(hour_start(first_hour))
    high = format_timestamp(hour_start(end_hour))
    if series == ALL_SERIES:
        scope = (
            "FROM mentions AS m WHERE m.created_at >= ? AND m.created_at < ? AND m.time_flag = ''"
        )
        params: list[Any] = [low, high]
    elif views and series in views:
        selection = views[series]
        scope = (
            "FROM mentions AS m WHERE m.created_at >= ? AND m.created_at < ? "
            f"AND ({selection.where})"
        )
        params = [low, high, *selection.params]
    else:
        scope = (
            "FROM mention_topics AS t JOIN mentions AS m ON m.id = t.mention_id "
            "WHERE t.topic = ? AND t.created_at >= ? AND t.created_at < ? AND m.time_flag = ''"
        )
        params = [series, low, high]
    posts = store.conn.execute(
        "SELECT coalesce(m.in_reply_to, m.quoted_id, m.id) AS root, count(*) AS n, "
        f"min(m.created_at) AS first {scope} GROUP BY root ORDER BY n DESC, first, root LIMIT ?",
        [*params, TOP_POSTS],
    ).fetchall()
    sources = store.conn.execute(
        f"SELECT m.source, count(*) AS n {scope} GROUP BY m.source ORDER BY n DESC, m.source "
        "LIMIT ?",
        [*params, TOP_POSTS],
    ).fetchall()
    return [str(r[0]) for r in posts], [(str(r[0]), int(r[1])) for r in sources]


# --- reading ---------------------------------------------------------------------------

ALERT_COLUMNS = (
    "id, topic, started_at, count, baseline, stdev, threshold, k, min_count, baseline_kind, "
    "baseline_hours, peak_count, peak_at, last_hot_at, top_ids, top_sources, mode, raised_at, "
    "notified_at"
)


def alert_from_row(row: dict[str, Any]) -> Alert:
    sources = json.loads(row.pop("top_sources") or "[]")
    ids = json.loads(row.pop("top_ids") or "[]")
    return Alert(
        **row,
        top_ids=tuple(str(i) for i in ids),
        top_sources=tuple((str(s), int(n)) for s, n in sources),
    )


def list_alerts(store: Store, limit: int | None = None) -> list[Alert]:
    """The stored alerts, newest first."""
    sql = f"SELECT {ALERT_COLUMNS} FROM alerts ORDER BY started_at DESC, topic"
    params: list[Any] = []
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [alert_from_row(row) for row in store.rows(sql, params)]


def alert_by_id(store: Store, alert_id: int) -> Alert | None:
    row = next(store.rows(f"SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?", [alert_id]), None)
    return None if row is None else alert_from_row(row)


def format_alerts(alerts: list[Alert]) -> str:
    """The text form of `app.py alerts`: one line per alert, newest first."""
    if not alerts:
        return "no alerts"
    lines = []
    for alert in alerts:
        baseline = f"{alert.baseline:.1f} ± {alert.stdev:.1f}"
        kind = "same hour, previous days" if alert.baseline_kind == "same_hour" else "prev. hours"
        topic = shown_text(alert.topic, one_line=True)
        lines.append(
            f"{alert.started_at}  {topic:<20} count {alert.count:>5}  "
            f"baseline {baseline} ({kind})  k {alert.k:g}  "
            f"peak {alert.peak_count} at {_when(alert.peak_at, alert.started_at)}  "
            f"[{alert.mode}]"
        )
        if alert.top_ids:
            lines.append(f"    top posts: {shown_text(', '.join(alert.top_ids), one_line=True)}")
        if alert.top_sources:
            named = (f"{shown_text(s, one_line=True)} ({n})" for s, n in alert.top_sources)
            lines.append(f"    sources: {', '.join(named)}")
    return "\n".join(lines)


def _when(moment: str, reference: str) -> str:
    """`HH:MM`, with the date in front when it is not the reference's day."""
    return moment[11:16] if moment[:10] == reference[:10] else f"{moment[:10]} {moment[11:16]}"


def describe(alert: Alert) -> str:
    """One line for logs and notifications: what spiked and how much."""
    hour = alert.started_at[:13].replace("T", " ") + ":00Z"
    what = f"view {alert.view}" if alert.view else alert.topic
    return (
        f"{what}: {alert.count} mentions in the hour from {hour} "
        f"(baseline {alert.baseline:.1f} ± {alert.stdev:.1f}, k={alert.k:g})"
    )
