"""The spike rule itself (filters/spikes.py): baselines, thresholds, cooldown."""

from __future__ import annotations

from datetime import UTC, datetime

from filters.spikes import (
    PREVIOUS_HOURS,
    SAME_HOUR,
    SeriesState,
    SpikeRule,
    baseline_for,
    hour_from_text,
    hour_of,
    hour_start,
    judge,
    walk,
)

RULE = SpikeRule(k=2.0, min_count=5, cooldown_minutes=180, baseline_days=7)
START = hour_of(datetime(2026, 11, 1, 0, tzinfo=UTC))


def daily(hours: int, per_hour: int = 3) -> dict[int, int]:
    """A steady history: `per_hour` mentions in every hour from START."""
    return {START + h: per_hour for h in range(hours)}


def test_hour_numbers_round_trip_through_stored_timestamps() -> None:
    """An hour number, its start and the stored text form agree with each other."""
    moment = datetime(2026, 11, 12, 9, 41, 7, tzinfo=UTC)
    hour = hour_of(moment)
    assert hour_start(hour) == datetime(2026, 11, 12, 9, tzinfo=UTC)
    assert hour_from_text("2026-11-12T09:41:07Z") == hour


def test_a_week_of_history_compares_the_same_hour_on_previous_days() -> None:
    """With seven days behind it, an hour is compared with the same hour of those days."""
    hour = START + 7 * 24 + 10
    baseline = baseline_for(hour, START, RULE)
    assert baseline is not None and baseline.kind == SAME_HOUR
    assert baseline.hours == tuple(hour - 24 * d for d in range(1, 8))


def test_a_few_days_of_history_compare_the_days_there_are() -> None:
    """With three days behind it, an hour is compared with the same hour of those three."""
    hour = START + 3 * 24 + 5
    baseline = baseline_for(hour, START, RULE)
    assert baseline is not None and baseline.kind == SAME_HOUR
    assert baseline.hours == (hour - 24, hour - 48, hour - 72)


def test_less_than_a_day_falls_back_to_the_previous_twelve_hours() -> None:
    """With less than one day behind it, an hour is compared with the twelve before it."""
    hour = START + 20
    baseline = baseline_for(hour, START, RULE)
    assert baseline is not None and baseline.kind == PREVIOUS_HOURS
    assert baseline.hours == tuple(hour - h for h in range(1, 13))


def test_the_first_hours_of_a_store_are_not_judged() -> None:
    """Less than twelve hours of history gives no judgement rather than a false alarm."""
    counts = {START + 5: 50}
    assert judge(START + 5, counts, START, RULE) is None


def test_a_jump_far_above_the_baseline_is_hot() -> None:
    """Forty mentions against a steady three per hour is a spike."""
    counts = daily(24 * 8)
    hour = START + 24 * 7 + 10
    counts[hour] = 40
    verdict = judge(hour, counts, START, RULE)
    assert verdict is not None and verdict.hot
    assert verdict.mean == 3 and verdict.count == 40


def test_a_spike_below_min_count_is_not_hot() -> None:
    """Four mentions in an hour that is usually silent stays quiet (min_count 5)."""
    counts = {START + h: 0 for h in range(24 * 8)}
    hour = START + 24 * 7 + 3
    counts[hour] = 4
    verdict = judge(hour, counts, START, RULE)
    assert verdict is not None and not verdict.hot


def test_a_count_within_k_deviations_is_not_hot() -> None:
    """A busy hour inside the usual spread of that hour is no spike."""
    values = [10, 14, 8, 12, 16, 9, 11]
    hour = START + 24 * 7 + 12
    counts = {hour - 24 * (d + 1): v for d, v in enumerate(values)}
    counts[hour] = 17
    verdict = judge(hour, counts, START, RULE)
    assert verdict is not None and not verdict.hot
    assert verdict.threshold > 17


def test_a_slow_rise_never_fires() -> None:
    """A topic that grows by 5 % a day for two weeks raises no alert."""
    counts = {START + h: round(10 * 1.05 ** (h / 24)) for h in range(14 * 24)}
    steps, _ = walk("pay", counts, START, START + 14 * 24 - 1, START, RULE)
    assert steps == []


def test_a_steady_climb_within_the_first_day_never_fires() -> None:
    """One more mention every hour, judged against the previous twelve hours, is no spike."""
    counts = {START + h: 5 + h for h in range(24)}
    steps, _ = walk("pay", counts, START, START + 23, START, RULE)
    assert steps == []


def test_a_long_spike_is_one_alert() -> None:
    """Three hot hours in a row open one alert; the later ones continue it."""
    counts = daily(24 * 8)
    first = START + 24 * 7 + 9
    for hour in (first, first + 1, first + 2):
        counts[hour] = 40
    steps, state = walk("strikes", counts, START, START + 24 * 8 - 1, START, RULE)
    assert [s.opens for s in steps] == [True, False, False]
    assert {s.alert_hour for s in steps} == {first}
    assert state == SeriesState(first, first + 2)


def test_after_the_cooldown_a_new_spike_is_a_new_alert() -> None:
    """Two spikes six hours apart (cooldown three hours) are two alerts."""
    counts = daily(24 * 9)
    first = START + 24 * 7 + 9
    counts[first] = 40
    counts[first + 6] = 40
    steps, _ = walk("strikes", counts, START, START + 24 * 9 - 1, START, RULE)
    assert [(s.alert_hour, s.opens) for s in steps] == [(first, True), (first + 6, True)]


def test_a_stored_state_continues_the_spike_across_walks() -> None:
    """A walk that starts where an earlier one stopped continues the earlier alert."""
    counts = daily(24 * 8)
    first = START + 24 * 7 + 9
    counts[first] = counts[first + 1] = 40
    steps, _ = walk("strikes", counts, first + 1, first + 1, START, RULE, SeriesState(first, first))
    assert len(steps) == 1 and not steps[0].opens and steps[0].alert_hour == first


def test_a_busy_day_with_short_lulls_stays_one_alert() -> None:
    """A strike day (busy, with one quiet hour) is one alert; its peak comes later."""
    counts = {START + h: 0 for h in range(24 * 9)}
    day = START + 24 * 7
    for offset, n in enumerate([6, 9, 3, 0, 12, 28, 15, 2, 4]):
        counts[day + 6 + offset] = n
    steps, state = walk("strikes", counts, START, START + 24 * 9 - 1, START, RULE)
    assert [s.opens for s in steps].count(True) == 1
    assert max(s.verdict.count for s in steps) == 28
    assert state == SeriesState(day + 6, day + 14)
