"""The live monitor, driven through Textual's Pilot against a real SQLite store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from cache.db.store import Store
from cache.read.search import QueryError, query_selection
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.monitor_scenario import (
    CONFIG,
    NOW,
    Scenario,
    arrivals,
    build_store,
)
from tests.tui_helpers import feed_of, filter_line_of, make_app, settle, status_of
from tui.messages import MentionsStored
from tui.topics_panel import TopicPanel

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


async def test_feed_shows_stored_mentions_newest_first(scenario: Scenario, tmp_path: Path) -> None:
    """Opening the monitor lists the store's mentions, the newest at the top."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ids = feed_of(app).row_ids
        assert ids[0] == "x:1006"  # 20 minutes ago: the newest
        assert ids[-1] == "x:1005"  # 5 hours ago: the oldest
        assert set(ids) >= {scenario.critical_id, scenario.lena_reply_id, scenario.parody_id}
        assert "LIVE" in status_of(app)


async def test_arrivals_appear_without_moving_the_cursor(
    scenario: Scenario, tmp_path: Path
) -> None:
    """New mentions join the top; the reader's cursor stays on the mention it was on."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=3)
        watched = feed.current_id
        new_ids = arrivals(scenario.path, 3)
        app.post_message(MentionsStored(new_ids))
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        assert feed.row_ids[:3] == sorted(new_ids, reverse=True)
        assert feed.current_id == watched
        assert feed.cursor_row == 6


async def test_a_shown_mention_that_is_updated_shows_its_new_text_and_topics(
    scenario: Scenario, tmp_path: Path
) -> None:
    """A later capture of a post on screen replaces its text and topic chips in place."""
    app = make_app(scenario, tmp_path)
    (shown_id,) = arrivals(scenario.path, 1, start=9100)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index(shown_id))
        _, _, _, topics, text = (str(cell) for cell in feed.get_row(shown_id))
        assert "Neue Meldung 0" in text and "strike" not in topics
        author = user("late_news", "Late News", user_id="501")
        edited = tweet(
            author,
            "Korrektur: Streik bei Kestrel ab Montag",
            tweet_id=shown_id.removeprefix("x:"),
            at=NOW - timedelta(minutes=1),
            lang="de",
        )
        with Store.open(scenario.path) as store:
            result = ingest(
                store, parse_response(page([edited], [author]), "x:search"), Classifier(CONFIG)
            )
        assert result.updated_ids == [shown_id]
        app.post_message(MentionsStored([], result.updated_ids))
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        _, _, _, topics, text = (str(cell) for cell in feed.get_row(shown_id))
        assert "Korrektur: Streik bei Kestrel" in text
        assert "strike" in topics
        assert feed.current_id == shown_id  # refreshed in place: the cursor did not move


async def test_pause_counts_arrivals_and_resume_shows_them(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Space pauses the feed, a counter says how many arrived, space again shows them."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = feed_of(app).row_ids
        await pilot.press("space")
        new_ids = arrivals(scenario.path, 4)
        app.post_message(MentionsStored(new_ids))
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        assert app.paused and app.paused_count == 4
        assert "PAUSED 4 new" in status_of(app)
        assert feed_of(app).row_ids == before
        await pilot.press("space")
        await settle(pilot)
        assert not app.paused
        assert set(new_ids) <= set(feed_of(app).row_ids)
        assert "PAUSED" not in status_of(app)


async def test_filter_narrows_the_feed_and_escape_clears_it(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`/` + a query filters the feed, the filter stays visible, escape brings all back."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        everything = feed_of(app).row_ids
        await pilot.press("slash")
        assert app.query_one("#filter", Input).has_focus
        await pilot.press(*"role:ambassador", "enter")
        await settle(pilot)
        assert set(feed_of(app).row_ids) == {scenario.lena_reply_id, scenario.tom_reply_id}
        assert "role:ambassador" in filter_line_of(app)
        await pilot.press("escape")
        await settle(pilot)
        assert feed_of(app).row_ids == everything
        assert app.filter_text == ""
        assert "no filter" in filter_line_of(app)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("lang:de (pay", "position 13: expected ')' to close the '(' at position 9"),
        ("lang:de pay)", "position 12: unmatched ')'"),
    ],
)
async def test_bad_filter_shows_position_and_keeps_running(
    scenario: Scenario, tmp_path: Path, typed: str, problem: str
) -> None:
    """A mistake in the query (a missing or a stray parenthesis) is shown inline with its
    column; the feed stays as it was."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        everything = feed_of(app).row_ids
        await pilot.press("slash", *typed, "enter")
        await settle(pilot)
        with pytest.raises(QueryError) as mistake:
            query_selection(typed)
        assert str(mistake.value) == problem
        message, query, caret = filter_line_of(app).split("\n")
        assert message == f"✗ {mistake.value}"
        assert query == f"  {typed}"
        assert caret.index("^") == 2 + mistake.value.position - 1  # 1-based column
        assert app.filter_error is not None
        assert feed_of(app).row_ids == everything
        assert app.is_running
        await pilot.press("escape")
        await settle(pilot)
        assert app.filter_error is None


async def test_choosing_a_topic_filters_the_feed(scenario: Scenario, tmp_path: Path) -> None:
    """Selecting a topic in the side panel shows only its mentions, with counts beside it."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.query_one(TopicPanel)
        assert panel.counts["taxes"] == 1  # the press post, 5 h ago, inside 24 h
        assert panel.counts["pay"] >= 3
        panel.focus()
        index = next(
            i for i in range(panel.option_count) if panel.get_option_at_index(i).id == "taxes"
        )
        panel.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert feed_of(app).row_ids == ["x:1005"]
        assert app.topic == "taxes"
        assert "topic:taxes" in filter_line_of(app)


async def test_topic_window_switches(scenario: Scenario, tmp_path: Path) -> None:
    """`t` switches the counts from 24 h to 7 d to 1 h; an hour holds fewer mentions."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.query_one(TopicPanel)
        assert panel.window_name == "24h"
        await pilot.press("t", "t")
        await settle(pilot)
        assert panel.window_name == "1h"
        assert panel.counts["taxes"] == 0
        # the safety post, 50 min ago, and Tom's "I love my job" reply, 55 min ago (an
        # upbeat post about the job is about working conditions, as the labelled posts have it)
        assert panel.counts["working_conditions"] == 2


async def test_other_groups_mentions_without_topic(scenario: Scenario, tmp_path: Path) -> None:
    """Mentions with no topic are counted and filtered as "other"."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.query_one(TopicPanel)
        assert panel.counts["other"] >= 1
        app.post_message(TopicPanel.TopicChosen("other"))
        await settle(pilot)
        ids = feed_of(app).row_ids
        assert ids and scenario.critical_id not in ids
        assert "x:1102" in ids  # "[@click=app.quit]x" has no topic


async def test_older_mentions_page_in_at_the_bottom(tmp_path: Path) -> None:
    """Scrolling to the end loads older mentions from the store, keyset by keyset."""
    scenario = build_store(tmp_path / "big.db", filler=450)
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        assert feed.row_count == 200
        feed.move_cursor(row=feed.row_count - 1)
        await settle(pilot)
        assert feed.row_count == 400
        feed.move_cursor(row=feed.row_count - 1)
        await settle(pilot)
        assert feed.row_count == 462  # 12 scenario posts + 450 filler: all of them
        assert not feed.has_older
        assert len(set(feed.row_ids)) == feed.row_count


async def test_quit_key_ends_the_app(scenario: Scenario, tmp_path: Path) -> None:
    """`q` quits."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_typing_keys_into_the_filter_does_not_trigger_them(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`q`, space, `a` and `e` typed into the filter bar are text, not commands."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"quiet area", "enter")
        await settle(pilot)
        assert app.is_running and not app.paused
        assert app.screen is app.screen_stack[0]
        assert app.filter_text == "quiet area"
        assert feed_of(app).row_ids == []


@pytest.mark.parametrize("width", [60, 80, 120])
async def test_a_long_bad_query_keeps_the_caret_under_the_mistake(
    scenario: Scenario, tmp_path: Path, width: int
) -> None:
    """A query longer than the line shows the part around the mistake, the caret under it."""
    query = (
        "topic:strikes role:ambassador lang:de platform:x author:@KorvandoFCTobias since:7d "
        'streik* "volle solidarität" role:banana'
    )
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *query, "enter")
        await settle(pilot)
        line = app.query_one("#filter-line", Static)
        room = line.content_region.width
        _, shown, caret = filter_line_of(app).split("\n")
        assert len(shown) <= room and len(caret) <= room  # neither wraps
        assert shown[caret.index("^") :].startswith("banana")
        assert caret.strip() == "^"
