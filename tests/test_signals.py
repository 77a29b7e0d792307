"""Pure authenticity signals on hand-made posts: time zones, co-replies, disclosure, gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from filters.signals import measures as signals
from filters.signals.measures import Post

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = signals.parse_office_hours("08:00-18:00")


def post(post_id: str, at: datetime, *, author: str = "x:anne", **kwargs: object) -> Post:
    return Post(id=post_id, author_key=author, handle=author[2:], created_at=at, **kwargs)  # type: ignore[arg-type]


def test_office_hours_follow_berlin_daylight_saving_change() -> None:
    """06:30 UTC is 08:30 (inside) before the October change and 07:30 (outside) after it."""
    before = post("x:1", datetime(2026, 10, 23, 6, 30, tzinfo=UTC))  # Friday, CEST
    after = post("x:2", datetime(2026, 10, 26, 6, 30, tzinfo=UTC))  # Monday, CET
    hours = signals.working_hours([before, after], BERLIN, OFFICE)
    assert hours.office_ids == ("x:1",)
    assert hours.other_ids == ("x:2",)
    assert hours.heatmap[4][8] == 1  # Friday 08:00 local
    assert hours.heatmap[0][7] == 1  # Monday 07:00 local
    assert hours.office_hours_share == 0.5


def test_each_account_is_judged_in_its_own_time_zone() -> None:
    """12:30 UTC on a Friday is inside office hours in New York (08:30) and in Berlin."""
    friday = post("x:1", datetime(2026, 10, 30, 12, 30, tzinfo=UTC))  # New York still EDT
    monday = post("x:2", datetime(2026, 11, 2, 12, 30, tzinfo=UTC))  # New York on EST: 07:30
    new_york = signals.working_hours([friday, monday], NEW_YORK, OFFICE)
    assert new_york.office_ids == ("x:1",)
    assert new_york.heatmap[0][7] == 1
    berlin = signals.working_hours([friday, monday], BERLIN, OFFICE)
    assert berlin.office_ids == ("x:1", "x:2")


def test_weekend_posts_are_never_office_hours() -> None:
    """A Saturday 10:00 post counts against both the weekday and the office-hours share."""
    saturday = post("x:1", datetime(2026, 10, 31, 9, 0, tzinfo=UTC))
    tuesday = post("x:2", datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    hours = signals.working_hours([saturday, tuesday], BERLIN, OFFICE)
    assert hours.weekday_share == 0.5
    assert hours.office_ids == ("x:2",)


@pytest.mark.parametrize("bad", ["8-18", "18:00-08:00", "08:00-25:00", ""])
def test_bad_office_hours_are_refused_with_the_value(bad: str) -> None:
    """A malformed `office_hours` setting names what is wrong instead of miscounting."""
    with pytest.raises(ValueError, match="office hours"):
        signals.parse_office_hours(bad)


def test_co_reply_window_counts_59_seconds_but_not_61() -> None:
    """Two ambassadors 59 s apart on one post co-reply; 61 s apart they do not."""
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    replies = [
        post("x:a1", start, in_reply_to="x:p1", kind="reply"),
        post("x:b1", start + timedelta(seconds=59), author="x:bernd", in_reply_to="x:p1"),
        post("x:a2", start, in_reply_to="x:p2", kind="reply"),
        post("x:b2", start + timedelta(seconds=61), author="x:bernd", in_reply_to="x:p2"),
    ]
    found = signals.co_replies(replies, 60)
    assert [(c.parent_id, c.first_id, c.second_id, c.seconds) for c in found] == [
        ("x:p1", "x:a1", "x:b1", 59.0)
    ]
    assert signals.co_reply_counts(found) == {("x:anne", "x:bernd"): 1}


def test_one_account_replying_twice_is_not_a_co_reply() -> None:
    """An account answering the same post twice in a minute is not coordination."""
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    replies = [
        post("x:a1", start, in_reply_to="x:p1"),
        post("x:a2", start + timedelta(seconds=10), in_reply_to="x:p1"),
    ]
    assert signals.co_replies(replies, 60) == []


def test_reply_share_counts_self_replies_as_own_posts() -> None:
    """Continuing one's own thread is not replying to others."""
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    posts = [
        post("x:1", at),
        post("x:2", at, kind="reply", in_reply_to="x:1"),
        post("x:3", at, kind="reply", in_reply_to="x:critic"),
    ]
    share = signals.reply_share(posts, {"x:1": "x:anne", "x:critic": "x:someone"})
    assert share.reply_ids == ("x:3",)
    assert share.own_post_ids == ("x:1", "x:2")
    assert share.share == pytest.approx(1 / 3)


def test_disclosure_tag_matches_whole_words_only() -> None:
    """'#ad' discloses; '#adidas' does not; a phrase in the bio is found case-blind."""
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    posts = [post("x:1", at, text="Neue Schuhe #adidas"), post("x:2", at, text="Mein Job #ad")]
    found = signals.disclosure(
        "Ich bin MARKENBOTSCHAFTER bei Kestrel", posts, ["#ad", "Markenbotschafter"]
    )
    assert found.disclosed
    assert found.in_bio == ("Markenbotschafter",)
    assert found.post_ids == ("x:2",)
    assert not signals.disclosure("", posts[:1], ["#ad"]).disclosed


def test_gaps_are_silences_longer_than_the_setting() -> None:
    """Ten days of silence between bursts is a gap at 7 days, with both posts as evidence."""
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    posts = [
        post("x:1", at),
        post("x:2", at + timedelta(days=1)),
        post("x:3", at + timedelta(days=11)),
    ]
    [gap] = signals.gaps(posts, 7.0)
    assert (gap.before_id, gap.after_id, gap.days) == ("x:2", "x:3", 10.0)


def test_audience_flags_only_zero_followers_and_zero_following() -> None:
    """Zero followers AND following nobody is flagged; unknown counts are not."""
    now = datetime(2026, 11, 2, tzinfo=UTC)
    created = now - timedelta(days=120)
    assert signals.audience(0, 0, created, now).empty
    assert signals.audience(0, 0, created, now).account_age_days == 120
    assert not signals.audience(0, 3, created, now).empty
    assert not signals.audience(None, None, None, now).empty


def test_topics_avoided_are_critics_topics_never_answered() -> None:
    """A topic critics raise is avoided unless a reply (or the post it answers) touches it."""
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    replies = [post("x:r1", at, in_reply_to="x:c1", topics=("pay",))]
    coverage = signals.topic_coverage(
        replies,
        {"x:c1": ("working_conditions",)},
        {"pay": ("x:c1",), "working_conditions": ("x:c1",), "taxes": ("x:c9",)},
    )
    assert dict(coverage.answered) == {"pay": ("x:r1",), "working_conditions": ("x:r1",)}
    assert dict(coverage.avoided) == {"taxes": ("x:c9",)}
