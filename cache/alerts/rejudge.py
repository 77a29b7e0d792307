"""Which rule judged the stored alert history, and what survives when it is judged again.

An hour judged for good is not judged again by the incremental check, so a rule that
changes (the `[alerts]` settings, the topics' terms, an alerting view's query) would apply
only to hours not judged yet: the list would keep alerts the rule in force would not raise
and miss ones it would. The store therefore remembers a fingerprint of the rule that judged
its history (meta `alerts.judged_rule`); when it differs, `cache.alerts.rules.evaluate`
judges the whole history again, as a fresh store would, and replaces the stored alerts.

What an alert already had survives when its spike still stands under the new rule (an
alert of the same series whose span overlaps it): its id, `mode`, `raised_at` and
`notified_at`. So a spike announced before is not announced again; alerts that only the
new rule raises in hours already over are `history` and never run `notify_command`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cache.db.store import Store
from cache.read.hourly_counts import Views
from cache.read.selection import Selection
from filters.spikes import SpikeRule

JUDGED_RULE_KEY = "alerts.judged_rule"
"""Meta key: the fingerprint of the rule that judged the stored history."""
OLD_VIEWS_KEY = "alerts.judged_views"
"""Meta key of earlier versions (per-view fingerprints), subsumed by `JUDGED_RULE_KEY`."""


def view_fingerprint(selection: Selection) -> str:
    """What an alert view counts: its compiled SQL and parameters."""
    return json.dumps([selection.where, list(selection.params)], default=str)


def rule_fingerprint(rule: SpikeRule, views: Views, classification: str) -> str:
    """Everything an alert depends on: the rule's numbers, the classification the topic
    counts come from (`Classifier.fingerprint()`), and each alerting view's query."""
    return json.dumps(
        {
            "rule": [
                rule.k,
                rule.min_count,
                rule.cooldown_minutes,
                rule.baseline_days,
                rule.fallback_hours,
            ],
            "classification": classification,
            "views": {series: view_fingerprint(s) for series, s in sorted(views.items())},
        },
        sort_keys=True,
    )


@dataclass(frozen=True)
class Before:
    """A stored alert as it was before the history was judged again."""

    id: int
    topic: str
    started_at: str
    last_hot_at: str
    mode: str
    raised_at: str
    notified_at: str | None


@dataclass(frozen=True)
class Outcome:
    kept: int
    """Alerts that still stand (they keep their id and whether they were announced)."""
    withdrawn: int
    """Earlier alerts no longer listed (the rule in force does not raise them, or merges
    them into one spike with an earlier alert)."""
    added: list[int]
    """Ids of the alerts only the rule in force raises."""


def take_stored(store: Store) -> list[Before]:
    """Every stored alert's identity and announcement, then an empty alerts table (inside
    the caller's write transaction)."""
    rows = store.conn.execute(
        "SELECT id, topic, started_at, last_hot_at, mode, raised_at, notified_at FROM alerts "
        "ORDER BY topic, started_at"
    ).fetchall()
    store.conn.execute("DELETE FROM alerts")
    return [Before(*row) for row in rows]


def carry_over(store: Store, before: list[Before]) -> Outcome:
    """Give the alerts judged again what their earlier selves had (see the module doc)."""
    conn = store.conn
    # New rows were numbered from 1 again: move them above every earlier id first, so an
    # earlier id can go back to the alert that still stands.
    offset = max([b.id for b in before] + [_max_id(store)])
    conn.execute("UPDATE alerts SET id = id + ?", [offset])
    pending: dict[str, list[Before]] = {}
    for old in before:
        pending.setdefault(old.topic, []).append(old)
    kept, added = 0, []
    rows = conn.execute(
        "SELECT id, topic, started_at, last_hot_at FROM alerts ORDER BY topic, started_at"
    ).fetchall()
    for new_id, topic, started_at, last_hot_at in rows:
        olds = pending.get(topic, [])
        matched = [o for o in olds if o.started_at <= last_hot_at and started_at <= o.last_hot_at]
        if not matched:
            added.append(int(new_id))
            continue
        for old in matched:
            olds.remove(old)
        first = matched[0]
        announced = [o.notified_at for o in matched if o.notified_at]
        conn.execute(
            "UPDATE alerts SET id = ?, mode = ?, raised_at = ?, notified_at = ? WHERE id = ?",
            [first.id, first.mode, first.raised_at, min(announced, default=None), new_id],
        )
        kept += 1
    return Outcome(kept, len(before) - kept, added)


def _max_id(store: Store) -> int:
    return int(store.conn.execute("SELECT coalesce(max(id), 0) FROM alerts").fetchone()[0])
