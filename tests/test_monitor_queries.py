"""The monitor's reads (cache/monitor_queries.py) on a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cache.db.store import Store
from cache.read.monitor_queries import (
    any_ambassador_post,
    feed_page,
    feed_page_sql,
    feed_rows_by_ids,
    topic_counts,
    topic_selection,
)
from cache.read.selection import Selection
from tests.builders import page, tweet, user
from tests.monitor_scenario import NOW, build_store, store_batch


def test_keyset_paging_visits_every_mention_once_even_with_equal_times(tmp_path: Path) -> None:
    """Paging back never skips or repeats a mention, even when many share one second."""
    path = tmp_path / "store.db"
    author = user("same_second", user_id="42")
    same = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    tweets = [tweet(author, f"Kestrel {i}", tweet_id=str(3000 + i), at=same) for i in range(25)]
    store_batch(path, page(tweets, [author]))
    seen: list[str] = []
    with Store.open(path, readonly=True) as store:
        before = None
        while True:
            rows = feed_page(store, Selection(), before=before, limit=7)
            if not rows:
                break
            seen.extend(r["id"] for r in rows)
            before = (rows[-1]["created_at"], rows[-1]["id"])
    assert len(seen) == 25 == len(set(seen))
    assert seen == sorted(seen, reverse=True)


def test_topic_counts_split_the_window_into_a_trend(tmp_path: Path) -> None:
    """Each topic's count is its mentions in the window; the trend puts them in time order."""
    scenario = build_store(tmp_path / "store.db")
    with Store.open(scenario.path, readonly=True) as store:
        counts = {
            c.topic: c for c in topic_counts(store, ["taxes", "pay"], NOW, timedelta(hours=10))
        }
    taxes = counts["taxes"]
    assert taxes.count == 1 == sum(taxes.trend)
    assert len(taxes.trend) == 10
    assert taxes.trend[5] == 1  # exactly 5 hours ago: the sixth of ten one-hour buckets
    assert counts["pay"].count == sum(counts["pay"].trend) >= 3
    assert counts["other"].count >= 1


def test_topic_selection_other_means_no_topic(tmp_path: Path) -> None:
    """Choosing "other" lists only mentions without a topic."""
    scenario = build_store(tmp_path / "store.db")
    with Store.open(scenario.path, readonly=True) as store:
        rows = feed_page(store, topic_selection("other"), limit=50)
    assert rows and all(r["topics"] == [] for r in rows)


def test_any_ambassador_post_tells_whether_badges_may_have_changed(tmp_path: Path) -> None:
    """A batch with an ambassador reply triggers a badge re-read; one without does not."""
    scenario = build_store(tmp_path / "store.db")
    with Store.open(scenario.path, readonly=True) as store:
        assert any_ambassador_post(store, [scenario.critical_id, scenario.lena_reply_id])
        assert not any_ambassador_post(store, [scenario.critical_id, scenario.parody_id])
        assert not any_ambassador_post(store, ["x:not-stored"])


def test_scrolling_back_seeks_the_time_index_instead_of_walking_it(tmp_path: Path) -> None:
    """A page deep in the feed is found by seeking the time index, so scrolling stays fast."""
    scenario = build_store(tmp_path / "store.db")
    with Store.open(scenario.path, readonly=True) as store:
        first = feed_page(store, Selection(), limit=3)
        sql, params = feed_page_sql(Selection(), (first[-1]["created_at"], first[-1]["id"]))
        plan = store.conn.execute("EXPLAIN QUERY PLAN " + sql, (*params, 3)).fetchall()
    steps = " ".join(str(row[-1]) for row in plan)
    assert "SEARCH m USING INDEX mentions_created (created_at<?)" in steps, steps


def _reply_to_a_referenced_post(path: Path) -> tuple[str, str]:
    """A reply about pay, stored with the post it answers: a copy X sent along, no topic."""
    asker, answerer = user("asker", user_id="71"), user("answerer", user_id="72")
    parent = tweet(asker, "What is everyone doing this weekend?", at=NOW - timedelta(hours=2))
    reply = tweet(
        answerer, "Working at Kestrel for this Lohn", reply_to=parent, at=NOW - timedelta(hours=1)
    )
    store_batch(path, page([reply], [asker, answerer], referenced=[parent]))
    return f"x:{parent['id']}", f"x:{reply['id']}"


def test_other_counts_what_the_feed_lists_under_other(tmp_path: Path) -> None:
    """The topic panel's `other` counts every post the feed lists when `other` is chosen,
    a copy stored because a mention answered it included."""
    path = tmp_path / "store.db"
    parent_id, _ = _reply_to_a_referenced_post(path)
    with Store.open(path, readonly=True) as store:
        counts = {c.topic: c for c in topic_counts(store, ["pay"], NOW, timedelta(hours=10))}
        listed = [r["id"] for r in feed_page(store, topic_selection("other"), limit=50)]
    assert listed == [parent_id]
    assert counts["other"].count == len(listed)
    assert counts["pay"].count == 1


def test_a_referenced_copy_arrives_live_as_the_feed_lists_it_after_a_restart(
    tmp_path: Path,
) -> None:
    """A copy stored along with a reply reaches the live feed as it does a reloaded one."""
    path = tmp_path / "store.db"
    parent_id, reply_id = _reply_to_a_referenced_post(path)
    with Store.open(path, readonly=True) as store:
        reloaded = [r["id"] for r in feed_page(store, Selection(), limit=50)]
        arrived = [
            r["id"] for r in feed_rows_by_ids(store, Selection(), [parent_id, reply_id], NOW)
        ]
    assert reloaded == [reply_id, parent_id]
    assert arrived == reloaded
