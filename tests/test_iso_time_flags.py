"""Times outside a platform's sane window are flagged alike whether the import reads them
as text (`sources.model.text.IsoTimeFlags`, the direct path) or as datetimes (`time_flag`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.write.importer import import_paths
from sources.model.text import (
    EARLIEST_TIME,
    LATEST_AHEAD,
    TIME_OUT_OF_RANGE,
    IsoTimeFlags,
    format_timestamp,
    time_flag,
)
from tests.builders import page, tweet, user
from tests.store_helpers import CLASSIFIER, write_jsonl

SEEN = datetime(2026, 11, 3, 9, 30, 15, tzinfo=UTC)
_NEAR = (
    timedelta(0),
    timedelta(microseconds=1),
    timedelta(microseconds=-1),
    timedelta(milliseconds=500),
    timedelta(milliseconds=-500),
    timedelta(seconds=1),
    timedelta(seconds=-1),
)


@pytest.mark.parametrize("platform", ["x", "rss"])
@pytest.mark.parametrize("seen_at", [SEEN, SEEN + timedelta(microseconds=250_000)])
def test_text_flags_equal_datetime_flags_at_both_ends_of_the_window(
    platform: str, seen_at: datetime
) -> None:
    """Every time around both ends (to the microsecond), and far ones, gets the same flag."""
    flags = IsoTimeFlags(platform, seen_at)
    ends = (EARLIEST_TIME[platform], seen_at + LATEST_AHEAD)
    moments = [end + step for end in ends for step in _NEAR]
    moments += [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC), SEEN]
    for moment in moments:
        assert flags.flag(moment.isoformat()) == time_flag(platform, moment, seen_at), moment


def test_an_import_flags_a_post_half_a_second_past_a_day_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the import's moment pinned, a post 0.5 s past one day ahead is out of range and
    one 0.5 s before that is not; a post from before X existed is out of range too."""
    monkeypatch.setattr("cache.write.ingest_rows.now_text", lambda: format_timestamp(SEEN))
    author = user("critic", "A Critic")
    limit = SEEN + LATEST_AHEAD
    times = {
        "late": limit + timedelta(milliseconds=500),
        "in time": limit - timedelta(milliseconds=500),
        "early": datetime(2005, 12, 31, 23, 59, 59, 900_000, tzinfo=UTC),
    }
    posts = [tweet(author, text) for text in times]
    for post, moment in zip(posts, times.values(), strict=True):
        post["created_at"] = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    archive = write_jsonl(tmp_path / "a.jsonl", [page(posts, [author])])
    with Store.open(tmp_path / "s.db") as store:
        import_paths(store, [archive], CLASSIFIER, parallel=False)
        flags = dict(store.conn.execute("SELECT text, time_flag FROM mentions"))
    assert flags == {"late": TIME_OUT_OF_RANGE, "in time": "", "early": TIME_OUT_OF_RANGE}
