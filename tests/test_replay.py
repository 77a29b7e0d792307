"""The demo replay source: what arrives when, and that restarts never duplicate."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.demo import DEMO_DIR, demo_config_path
from sources.demo.replay import (
    FINISHED_POLL_SECONDS,
    MAX_GAP_SECONDS,
    ReplaySource,
    scenario_shift,
    shift_feed,
    shift_payload,
)
from sources.model.config import load_config
from sources.model.records import SourceState
from sources.model.text import format_timestamp

NOW = datetime(2026, 11, 25, 10, 17, 3, tzinfo=UTC)
MANIFEST = json.loads((DEMO_DIR / "scenario.json").read_text("utf-8"))
SCENARIO_END = datetime.fromisoformat(MANIFEST["end"].replace("Z", "+00:00"))


def poll(source: ReplaySource, now: datetime, states: dict[str, SourceState] | None = None):
    """All pages of one poll, and the state the source asked to save last."""
    pages = list(source.poll(states or {}, now))
    state = next((s for p in reversed(pages) for s in p.states), None)
    return pages, state


def mentions_of(pages) -> list:
    return [m for page in pages for m in page.batch.mentions]


@pytest.fixture(scope="module")
def everything():
    """The whole scenario as one poll at speed 0 delivers it."""
    pages, state = poll(ReplaySource(speed=0), NOW)
    return pages, state


def test_speed_zero_delivers_the_whole_scenario_in_one_poll(everything) -> None:
    """`--speed 0` (and `import --demo`) get every item at once and nothing is left."""
    pages, state = everything
    source = ReplaySource(speed=0)
    ids = {m.id for m in mentions_of(pages)}
    assert len(ids) >= 1500
    assert int(state.cursor) == len(source.timeline(NOW))
    again, _ = poll(source, NOW + timedelta(hours=1), {"demo": state})
    assert mentions_of(again) == []
    assert source.outcome().next_poll_in == FINISHED_POLL_SECONDS


def test_items_arrive_in_scenario_time_order(everything) -> None:
    """The feed never shows an older post arriving after a newer one."""
    times = [m.created_at for m in mentions_of(everything[0]) if not m.referenced_only]
    assert times == sorted(times)


def test_scenario_ends_at_the_moment_the_replay_starts(everything) -> None:
    """The strike is happening "now": the newest post is minutes old, none in the future."""
    pages, state = everything
    assert SCENARIO_END + scenario_shift(SCENARIO_END, NOW) == NOW
    assert scenario_shift(SCENARIO_END, NOW.replace(microsecond=999_999)) == NOW - SCENARIO_END
    newest = max(m.created_at for m in mentions_of(pages))
    assert timedelta(0) <= NOW - newest < timedelta(minutes=30)
    assert json.loads(state.extra)["shift_seconds"] == (NOW - SCENARIO_END).total_seconds()


def test_ids_are_the_same_whenever_the_demo_runs(everything) -> None:
    """Two runs started at different moments give the same mentions, only moved in time."""
    later = NOW + timedelta(days=23, hours=5, seconds=41)
    first = {m.id: m.created_at for m in mentions_of(everything[0])}
    second = {m.id: m.created_at for m in mentions_of(poll(ReplaySource(speed=0), later)[0])}
    assert first.keys() == second.keys()
    moved = {second[i] - first[i] for i in first}
    assert moved == {later - NOW}


def test_first_poll_backfills_most_and_the_tail_follows_within_minutes() -> None:
    """The screen fills at once, then something new arrives every second or two."""
    source = ReplaySource(speed=1)
    total = len(source.timeline(NOW))
    pages, state = poll(source, NOW)
    backfill = len(mentions_of(pages))
    assert 0.8 * total < backfill < total
    assert source.outcome().next_poll_in <= MAX_GAP_SECONDS
    now, arrivals, states = NOW, [], {"demo": state}
    while int(states["demo"].cursor) < total:
        now += timedelta(seconds=source.outcome().next_poll_in)
        pages, state = poll(source, now, states)
        states["demo"] = state
        if any(p.batch.mentions or p.batch.warnings for p in pages):
            arrivals.append(now)
    played = (arrivals[-1] - NOW).total_seconds()
    assert 60 <= played <= 360
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(arrivals)]
    assert max(gaps) <= MAX_GAP_SECONDS + 0.01
    assert len(arrivals) >= 60


def test_speed_scales_how_long_the_tail_takes() -> None:
    """`--speed 4` plays the same tail four times faster."""

    def duration(speed: float) -> float:
        source = ReplaySource(speed=speed)
        total = len(source.timeline(NOW))
        _, state = poll(source, NOW)
        now = NOW
        while int(state.cursor) < total:
            now += timedelta(seconds=source.outcome().next_poll_in)
            _, state = poll(source, now, {"demo": state})
        return (now - NOW).total_seconds()

    assert duration(4) == pytest.approx(duration(1) / 4, rel=0.05)


@pytest.mark.slow  # replays the demo twice (seconds)
def test_a_restarted_replay_continues_without_duplicates(tmp_path: Path) -> None:
    """A monitor stopped half-way through the tail picks up where it was, nothing twice."""
    classifier = Classifier(load_config(demo_config_path()))
    path = tmp_path / "demo.db"
    new = unchanged = 0
    with Store.open(path) as store:
        first = ReplaySource(speed=1)
        for moment in (NOW, NOW + timedelta(seconds=40)):
            states = {s.name: s for s in store.source_states()}
            for page in first.poll(states, moment):
                result = ingest(store, page.batch, classifier, states=page.states)
                new, unchanged = new + result.new, unchanged + result.unchanged
        half_way = int(store.source_state("demo").cursor or 0)
        second = ReplaySource(speed=1)  # a new process: no memory but the store
        moment = NOW + timedelta(minutes=30)
        while not second.finished(store.source_state("demo")):
            states = {s.name: s for s in store.source_states()}
            for page in second.poll(states, moment):
                result = ingest(store, page.batch, classifier, states=page.states)
                new, unchanged = new + result.new, unchanged + result.unchanged
            moment += timedelta(seconds=second.outcome().next_poll_in)
        stored = store.count_mentions()
        newest = store.conn.execute("SELECT max(created_at) FROM mentions").fetchone()[0]
    assert 0 < half_way < len(first.timeline(NOW))
    assert unchanged == 0
    assert new == stored >= 1500
    # The restart kept the shift of the first start: the scenario still ends at NOW.
    assert newest == format_timestamp(max(first.timeline(NOW)))


def test_the_broken_feed_gives_a_warning_and_loses_nothing(everything) -> None:
    """The truncated poll of one feed is reported; every article of it still arrives."""
    pages = everything[0]
    warnings = [w for page in pages for w in page.batch.warnings]
    assert any(w.startswith("harbor-ledger: malformed feed") for w in warnings)
    arrived = {m.url for m in mentions_of(pages) if m.source == "harbor-ledger"}
    complete = (DEMO_DIR / "feeds" / "harbor-ledger-4.xml").read_text("utf-8")
    assert arrived and all(url in complete for url in arrived)
    assert len(arrived) == complete.count("<item>")


def test_shifting_keeps_each_timestamp_format() -> None:
    """Moved dates stay in the form the real payload used (v2 ms+Z, RFC 822, ISO offset)."""
    week = timedelta(weeks=2)
    payload = shift_payload(
        {
            "data": [{"id": "1", "text": "x", "created_at": "2026-02-10T05:40:00.000Z"}],
            "includes": {"users": [{"id": "2", "created_at": "2025-10-06T09:12:00.000Z"}]},
        },
        week,
    )
    assert payload["data"][0]["created_at"] == "2026-02-24T05:40:00.000Z"
    assert payload["includes"]["users"][0]["created_at"] == "2025-10-20T09:12:00.000Z"
    feed = shift_feed(
        b"<pubDate>Tue, 10 Feb 2026 06:40:00 +0100</pubDate>"
        b"<published>2026-02-10T09:15:00+01:00</published><title>10 Feb</title>",
        week,
    )
    assert feed == (
        b"<pubDate>Tue, 24 Feb 2026 06:40:00 +0100</pubDate>"
        b"<published>2026-02-24T09:15:00+01:00</published><title>10 Feb</title>"
    )


def test_a_replay_of_another_scenario_version_starts_over() -> None:
    """A stored cursor from an older bundled scenario is not trusted for this one."""
    stale = SourceState(name="demo", cursor="999999", extra='{"digest": "old"}')
    pages, state = poll(ReplaySource(speed=0), NOW, {"demo": stale})
    assert len(mentions_of(pages)) >= 1500
    assert json.loads(state.extra)["digest"] == MANIFEST["digest"]


def test_a_replay_says_when_it_has_played_to_the_end() -> None:
    """The monitor shows "replay finished" instead of LIVE: the replay reports its end."""
    source = ReplaySource(speed=1)
    _, state = poll(source, NOW)
    assert state is not None and not source.outcome().finished
    _, state = poll(source, NOW + timedelta(hours=1), {"demo": state})  # the tail takes minutes
    assert state is not None and int(state.cursor) == len(source.timeline(NOW))
    assert source.outcome().finished
