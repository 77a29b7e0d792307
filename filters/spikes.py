"""The spike rule: hourly mention counts and a baseline in, spike decisions out (pure).

Time is counted in whole UTC clock hours, as integers (hours since the epoch), so the
rule is the same whether it judges a stored history hour by hour or the hour that is
filling up right now: counts only grow within an hour and the baseline of an hour is
fixed by the hours before it, so a live check fires in an hour exactly when the judgement
of the complete hour would.

The rule, for one series (a topic, or `all` mentions) and one hour `h`:
- baseline: the counts of the same hour on each of the previous `baseline_days` days
  (fewer while the history is younger than that); while it does not reach back a whole
  day, the previous `fallback_hours` hours; before it reaches back even that far, no
  judgement (too little history to compare with).
- hot: count(h) > mean + k * stdev and count(h) >= min_count, where stdev is the sample
  standard deviation of the baseline, but at least sqrt(mean) (the Poisson spread).
- one spike is one alert: once an alert is raised, the spike goes on while the series
  stays elevated (count > mean + min(1, k) * stdev); it is over only after `cooldown`
  without an elevated hour. Hot or elevated hours of a spike that is not over update its
  alert (peak, last active hour); only a hot hour after the end raises a new one. So a
  strike that keeps a topic busy for two days is one alert, not one every few hours.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

ALL_SERIES = "all"
"""The series of every mention, whatever its topics."""

SAME_HOUR = "same_hour"
"""Baseline kind: the same hour on each of the previous days."""
PREVIOUS_HOURS = "previous_hours"
"""Baseline kind: the hours just before (used while the history is short)."""

FALLBACK_HOURS = 12
"""Hours used as the baseline while the history is shorter than `baseline_days`."""


def hour_of(moment: datetime) -> int:
    """The clock hour containing `moment`, as hours since the epoch (UTC)."""
    return math.floor(moment.timestamp() / 3600)


def hour_start(hour: int) -> datetime:
    """The aware UTC start of an hour number."""
    return datetime.fromtimestamp(hour * 3600, UTC)


def hour_from_text(text: str) -> int:
    """The hour of a stored timestamp (`YYYY-MM-DDTHH...`, at least 13 characters).

    Raises ValueError for anything else (`cache.read.hourly_counts.safe_hour` skips such rows).
    """
    if len(text) < 13 or text[4] != "-" or text[10] != "T":
        raise ValueError(f"not a stored timestamp: {text!r}")
    moment = datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), tzinfo=UTC)
    return int(moment.timestamp()) // 3600


@dataclass(frozen=True, slots=True)
class SpikeRule:
    """The parameters of the rule (from `[alerts]` in the config)."""

    k: float = 2.0
    min_count: int = 5
    cooldown_minutes: int = 180
    baseline_days: int = 7
    fallback_hours: int = FALLBACK_HOURS

    @property
    def lookback_hours(self) -> int:
        """How many hours before an hour the rule may look at."""
        return max(self.baseline_days * 24, self.fallback_hours)


@dataclass(frozen=True, slots=True)
class Baseline:
    """What an hour is compared with."""

    kind: str
    """`same_hour` or `previous_hours`."""
    hours: tuple[int, ...]
    """The hours whose counts make the baseline."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The rule applied to one hour of one series."""

    hour: int
    count: int
    mean: float
    stdev: float
    threshold: float
    """The count must be above this (mean + k * stdev)."""
    baseline: Baseline
    hot: bool
    elevated: bool
    """Above mean + min(1, k) * stdev: keeps a running spike going."""


@dataclass(frozen=True, slots=True)
class SeriesState:
    """What the cooldown needs to know about a series: its latest alert."""

    alert_hour: int | None = None
    """Start hour of the latest alert."""
    last_hot_hour: int | None = None
    """Latest hour of that alert's spike that was hot or elevated."""


@dataclass(frozen=True, slots=True)
class SpikeStep:
    """An hour that opens an alert or keeps its spike going."""

    series: str
    verdict: Verdict
    alert_hour: int
    """Start hour of the alert (equal to the verdict's hour when `opens`)."""
    opens: bool
    """True when this hour starts a new alert, False when it continues one."""


def baseline_for(hour: int, history_start: int, rule: SpikeRule) -> Baseline | None:
    """The baseline hours of `hour`, or None when the history is too short to judge it."""
    # The days the history covers, up to baseline_days: a young store (a week of search
    # backfill is rare) compares with the days it has rather than with the night before.
    days = min(rule.baseline_days, (hour - history_start) // 24)
    if days > 0:
        return Baseline(SAME_HOUR, tuple(hour - 24 * d for d in range(1, days + 1)))
    if rule.fallback_hours > 0 and hour - rule.fallback_hours >= history_start:
        return Baseline(PREVIOUS_HOURS, tuple(hour - h for h in range(1, rule.fallback_hours + 1)))
    return None


def judge(
    hour: int, counts: Mapping[int, int], history_start: int, rule: SpikeRule
) -> Verdict | None:
    """The rule for one hour of one series (`counts`: hour -> mentions); None: no judgement."""
    baseline = baseline_for(hour, history_start, rule)
    if baseline is None:
        return None
    count = counts.get(hour, 0)
    values = [counts.get(h, 0) for h in baseline.hours]
    mean = sum(values) / len(values)
    sample = (
        math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
        if len(values) > 1
        else 0.0
    )
    # Counts of independent posts scatter at least like a Poisson count (stdev = sqrt of
    # the mean): without this floor a perfectly even baseline would make every extra post
    # in an hour a spike.
    stdev = max(sample, math.sqrt(mean))
    threshold = mean + rule.k * stdev
    hot = count > threshold and count >= max(rule.min_count, 1)
    elevated = hot or (count > mean + min(1.0, rule.k) * stdev and count > 0)
    return Verdict(hour, count, mean, stdev, threshold, baseline, hot, elevated)


def continues(state: SeriesState, hour: int, rule: SpikeRule) -> bool:
    """Whether the spike of the series' latest alert is still going at `hour`."""
    if state.last_hot_hour is None or state.alert_hour is None or hour < state.alert_hour:
        return False
    return (hour - state.last_hot_hour) * 60 <= rule.cooldown_minutes


def walk(
    series: str,
    counts: Mapping[int, int],
    first_hour: int,
    last_hour: int,
    history_start: int,
    rule: SpikeRule,
    state: SeriesState = SeriesState(),
) -> tuple[list[SpikeStep], SeriesState]:
    """Judge every hour from `first_hour` to `last_hour` (inclusive), in order.

    Returns the hours that open an alert or keep its spike going, and the state after
    the last one. Outside a spike, hours below `min_count` cannot open one and are skipped
    without computing a baseline, which keeps a walk over years of history fast.
    """
    floor = max(rule.min_count, 1)
    steps: list[SpikeStep] = []
    for hour in range(first_hour, last_hour + 1):
        going = continues(state, hour, rule)
        if not going and counts.get(hour, 0) < floor:
            continue
        verdict = judge(hour, counts, history_start, rule)
        if verdict is None:
            continue
        if going and verdict.elevated:
            assert state.alert_hour is not None
            steps.append(SpikeStep(series, verdict, state.alert_hour, opens=False))
            state = SeriesState(state.alert_hour, max(hour, state.last_hot_hour or hour))
        elif not going and verdict.hot:
            steps.append(SpikeStep(series, verdict, hour, opens=True))
            state = SeriesState(hour, hour)
    return steps, state
