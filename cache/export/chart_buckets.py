"""The buckets of a report's trend chart, on the clock of the zone the report is read in.

Counts come per UTC hour (hours since the epoch). A bucket of one hour is one such hour,
also where a zone's clock repeats an hour (the night summer time ends is two bars); longer
buckets start on the zone's clock: a day bucket at its midnight (and is 23 or 25 hours
long when the clocks change that day), a 6-hour one at 00:00, 06:00, 12:00 and 18:00.
In UTC these are exactly the buckets of `hour // size * size`.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta, tzinfo

_EPOCH_DAY = date(1970, 1, 1).toordinal()


def bucket_bounds(start: int, end: int, size: int, zone: tzinfo = UTC) -> tuple[int, ...]:
    """The first hour of each bucket of `size` hours (1, 2, 3, 6, 12 or a whole number of
    days) from the one holding hour `start` to the one holding `end`, then the first hour
    after the last bucket. Days count from 1970-01-01 on the zone's calendar, so buckets of
    a week or 30 days fall alike in every report."""
    if size == 1:
        return tuple(range(start, end + 2))
    first_day = datetime.fromtimestamp(start * 3600, UTC).astimezone(zone).date()
    step_days, hours_in_day = (size // 24, (0,)) if size >= 24 else (1, range(0, 24, size))
    day = first_day - timedelta(days=(first_day.toordinal() - _EPOCH_DAY) % step_days)
    bounds: list[int] = []
    while True:
        for hour in hours_in_day:
            bound = _hour_of_local(day, hour, zone)
            if bound <= start:
                bounds = [bound]  # the last bound at or before `start` opens the first bucket
            elif not bounds or bound > bounds[-1]:
                bounds.append(bound)
                if bound > end:
                    return tuple(bounds)
        day += timedelta(days=step_days)


def bucketed(per_hour: dict[int, int], bounds: tuple[int, ...]) -> tuple[int, ...]:
    """The counts of `per_hour` summed per bucket of `bounds` (`bucket_bounds`)."""
    counts = [0] * (len(bounds) - 1)
    for hour, count in per_hour.items():
        index = bisect_right(bounds, hour) - 1
        if 0 <= index < len(counts):
            counts[index] += count
    return tuple(counts)


def _hour_of_local(day: date, hour: int, zone: tzinfo) -> int:
    """The UTC hour (since the epoch) holding `hour`:00 of `day` on the zone's clock: the
    moment the clock jumps where it skips that time, the first of two where it repeats."""
    local = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
    return int(local.timestamp() // 3600)
