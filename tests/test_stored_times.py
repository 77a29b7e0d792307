"""Times no real post can have (year 1, 1969, 9999, decades ahead) and undated feed items:
kept, flagged, never crashing a reader, never counted as news of the hour."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cache.alerts.watch import AlertWatcher
from cache.db.store import Store
from cache.read.hourly_counts import hourly_counts
from cache.read.monitor_queries import topic_counts
from cache.write.ingest import ingest
from filters.classify import Classifier
from filters.spikes import ALL_SERIES, hour_of
from sources.feeds.parse import parse_feed
from sources.model.config import Config
from sources.model.records import utc_now
from sources.model.text import format_display_time, format_timestamp, parse_timestamp
from tests.builders import page, rss, tweet, user
from tests.store_templates import copy_of
from tests.tui_helpers import workers_done
from tui.feed import FeedTable
from tui.monitor import MonitorApp, MonitorOptions

GOOD_TEXT = "Kestrel strike at the Leipzig site"
BAD_TEXT = "Kestrel pay talks"
FEED_DATES = {
    "go-zero": "Mon, 01 Jan 0001 00:00:00 +0000",
    "epoch-minus-1": "Wed, 31 Dec 1969 23:59:59 +0000",
    "before-1990": "Sun, 01 Jan 1989 00:00:00 +0000",
    "year-9999": "Fri, 31 Dec 9999 23:59:59 +0000",
    "far-future": "Thu, 01 Jan 2099 00:00:00 +0000",
}
TWEET_DATES = {
    "year-1": "0001-01-01T00:00:00.000Z",
    "epoch-minus-1": "1969-12-31T23:59:59.000Z",
    "before-x": "2005-12-31T23:59:59.000Z",
    "year-9999": "9999-12-31T23:59:59.000Z",
    "far-future": "2099-01-01T00:00:00.000Z",
}
CASES = [("feed", k, v) for k, v in FEED_DATES.items()] + [
    ("tweet", k, v) for k, v in TWEET_DATES.items()
]
CASE_IDS = [f"{kind}-{name}" for kind, name, _ in CASES]


def write_archive(folder: Path, kind: str, bad_date: str) -> Path:
    """One archive with a mention dated now and one with `bad_date`."""
    recent = utc_now().replace(microsecond=0) - timedelta(minutes=5)
    if kind == "feed":
        items = [
            {"title": GOOD_TEXT, "link": "https://news.example/good", "pubDate": _rfc(recent)},
            {"title": BAD_TEXT, "link": "https://news.example/bad", "pubDate": bad_date},
        ]
        path = folder / "hugo.xml"
        path.write_bytes(rss("Hugo", items))
        return path
    critic = user("critic")
    bad = tweet(critic, BAD_TEXT, tweet_id="1860000000000000002")
    bad["created_at"] = bad_date
    good = tweet(critic, GOOD_TEXT, tweet_id="1860000000000000001", at=recent)
    path = folder / "tweets.jsonl"
    path.write_text(json.dumps(page([good, bad], [critic])) + "\n", encoding="utf-8")
    return path


def _rfc(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


@pytest.fixture(params=CASES, ids=CASE_IDS)
def bad_store(request: pytest.FixtureRequest, db_path: Path, cli) -> Path:
    """A store that `app.py import` filled with a post dated now and one at the bad time
    (imported once per case and process, copied for each test)."""
    kind, name, bad_date = request.param

    def build(at: Path) -> None:
        folder = at.with_suffix(".archive")
        folder.mkdir()
        run = cli("import", write_archive(folder, kind, bad_date), "--db", at)
        assert run.code == 0, run.err

    copy_of(db_path, f"bad-time-{kind}-{name}", build)
    return db_path


def bad_row(db_path: Path) -> dict[str, object]:
    with Store.open(db_path, readonly=True) as store:
        rows = list(store.rows("SELECT * FROM mentions WHERE text LIKE ?", [f"%{BAD_TEXT}%"]))
    assert len(rows) == 1
    return rows[0]


def test_a_bad_time_is_kept_in_the_fixed_width_form_and_flagged(bad_store: Path) -> None:
    """A year-1 (or 1969, 9999, 2099) post is stored, sortable as text, and marked out of range."""
    row = bad_row(bad_store)
    stored = str(row["created_at"])
    assert len(stored) == 20 and stored[4] == "-" and stored.endswith("Z")
    assert row["time_flag"] == "out_of_range"


@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("alerts", "--format", "text"),
        ("alerts", "--format", "json"),
        ("export", "--format", "html"),
        ("export", "--format", "md"),
        ("export", "--format", "csv"),
        ("export", "--format", "jsonl"),
    ],
    ids=lambda c: "-".join(c),
)
def test_every_command_reads_a_store_holding_a_bad_time(
    bad_store: Path,
    command: tuple[str, ...],
    cli,
) -> None:
    """`status`, `alerts` and every export answer (exit 0) on a store with a year-1 post."""
    run = cli(*command, "--db", bad_store)
    assert run.code == 0, run.err
    if command[0] == "export":
        assert BAD_TEXT in run.out and GOOD_TEXT in run.out
    if command[0] == "status":
        assert "1 out of range" in run.out
        assert "oldest: 0" not in run.out and "newest: 9" not in run.out


def test_the_collectors_alert_watcher_judges_a_store_with_a_bad_time(bad_store: Path) -> None:
    """The watcher run after each stored batch neither throws nor walks 2,000 years of hours."""
    watcher = AlertWatcher(Config(), db_path=bad_store, run_command=False)
    assert watcher.check() == []
    assert watcher.check(new_ids=["rss:x", "x:1860000000000000002"]) == []


@pytest.mark.pilot
@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
async def test_the_monitor_starts_on_a_store_with_a_bad_time(bad_store: Path, zone: str) -> None:
    """The monitor opens and lists both posts, even where year 1 or 9999 leaves the calendar
    (a post dated ahead is left out of the feed's head, and `until:` a later date lists it)."""
    ahead = str(bad_row(bad_store)["created_at"]) > "2098"
    app = MonitorApp(
        MonitorOptions(db_path=bad_store, mode="offline", tz=ZoneInfo(zone), output_dir=Path())
    )
    async with app.run_test() as pilot:
        for _ in range(2):
            await pilot.pause()
            await workers_done(app)
        await pilot.pause()
        assert app.is_running
        assert app.query_one(FeedTable).row_count == (1 if ahead else 2)
        if ahead:
            await pilot.press("slash", *"until:9999-12-31", "enter")
            for _ in range(2):
                await pilot.pause()
                await workers_done(app)
            await pilot.pause()
            assert app.is_running
            assert app.query_one(FeedTable).row_count == 2


def test_a_store_written_by_the_old_formatter_is_repaired_on_upgrade(
    tmp_path: Path,
    db_path: Path,
    cli,
) -> None:
    """A store holding `1-01-01T00:00:00Z` (the old form) works after upgrade: status, alerts."""
    cli("import", write_archive(tmp_path, "feed", FEED_DATES["go-zero"]), "--db", db_path)
    with Store.open(db_path) as store:
        newest = store.schema_version
        # Put the file back the way schema 4 left it: no flag column, year 1 unpadded.
        store.conn.executescript(
            """
            DROP INDEX mentions_time_flagged;
            ALTER TABLE mentions DROP COLUMN time_flag;
            UPDATE mentions SET created_at = '1-01-01T00:00:00Z'
                WHERE created_at LIKE '0001-%';
            UPDATE mention_topics SET created_at = '1-01-01T00:00:00Z'
                WHERE created_at LIKE '0001-%';
            DELETE FROM _sqlite_migrations WHERE name = 'm005_time_flags';
            PRAGMA user_version = 4;
            """
        )
    status = cli("status", "--db", db_path)  # a reader comes first: it upgrades the store
    assert status.code == 0 and "1 out of range" in status.out, status.err
    assert f"(schema {newest})" in status.out
    row = bad_row(db_path)
    assert (row["created_at"], row["time_flag"]) == ("0001-01-01T00:00:00Z", "out_of_range")
    with Store.open(db_path, readonly=True) as store:
        topic_times = {r[0] for r in store.conn.execute("SELECT created_at FROM mention_topics")}
    assert "1-01-01T00:00:00Z" not in topic_times
    for command in (("alerts",), ("export", "--format", "html"), ("export", "--format", "md")):
        run = cli(*command, "--db", db_path)
        assert run.code == 0, run.err


def test_a_row_whose_time_cannot_be_read_is_skipped_by_counts_with_a_reason(
    db_path: Path,
    cli,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row another tool wrote with `created_at = 'soon'` is listed, logged, and breaks nothing."""
    # `collect` (run by other tests in this process) stops echowatch's log from propagating.
    monkeypatch.setattr(logging.getLogger("echowatch"), "propagate", True)
    critic = user("critic")
    with Store.open(db_path) as store:
        ingest(store, _parsed(page([tweet(critic, GOOD_TEXT)], [critic])), Classifier(Config()))
        store.conn.execute("UPDATE mentions SET created_at = '2026-11-02Tsoon'")
        store.conn.execute("UPDATE mention_topics SET created_at = '2026-11-02Tsoon'")
        store.conn.commit()
    for command in (("alerts",), ("export", "--format", "html"), ("status",)):
        run = cli(*command, "--db", db_path)
        assert run.code == 0, run.err
    assert "not readable: '2026-11-02Tsoon'" in caplog.text


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ],
)
def test_one_formatter_one_parser_round_trip_at_fixed_width(moment: datetime) -> None:
    """Every stored time has 20 characters and reads back as itself, whatever the year."""
    text = format_timestamp(moment)
    assert len(text) == 20 and parse_timestamp(text) == moment


def test_go_zero_time_in_a_feed_is_year_1_not_2001() -> None:
    """`Mon, 01 Jan 0001` (Hugo's zero time) is read as year 1, not as a plausible 2001."""
    assert parse_timestamp(FEED_DATES["go-zero"]) == datetime(1, 1, 1, tzinfo=UTC)
    assert parse_timestamp("1-01-01T00:00:00Z") == datetime(1, 1, 1, tzinfo=UTC)


# --- undated feed items -------------------------------------------------------------------


def _parsed(payload: dict[str, object]):
    from sources.x.twitter_v2 import parse_response

    return parse_response(payload, "x:search")


def _undated_feed(count: int) -> bytes:
    items = [
        {"title": f"Kestrel strike update {i}", "link": f"https://news.example/u{i}"}
        for i in range(count)
    ]
    return rss("Undated", items)


def test_undated_items_keep_the_time_first_seen_and_are_not_counted(db_path: Path) -> None:
    """Ten undated strike items polled now neither fill this hour's counts nor the topic panel."""
    classifier = Classifier(Config())
    first_seen = utc_now().replace(microsecond=0)
    with Store.open(db_path) as store:
        ingest(store, parse_feed(_undated_feed(10), "undated", seen_at=first_seen), classifier)
        flags = {r[0] for r in store.conn.execute("SELECT time_flag FROM mentions")}
        assert flags == {"undated"}
        hour = hour_of(first_seen)
        counts = hourly_counts(store, hour - 1, hour + 1)
        assert counts.get(ALL_SERIES, {}) == {} and counts.get("strikes", {}) == {}
        panel = topic_counts(store, ["strikes"], first_seen, timedelta(hours=1))
        assert [(t.topic, t.count) for t in panel] == [("strikes", 0), ("other", 0)]
        # Polled again an hour later, with a changed summary: still the time first seen.
        later = first_seen + timedelta(hours=1)
        changed = _undated_feed(10).replace(b"update 3", b"update 3 (corrected)")
        ingest(store, parse_feed(changed, "undated", seen_at=later), classifier)
        times = {r[0] for r in store.conn.execute("SELECT created_at FROM mentions")}
    assert times == {format_timestamp(first_seen)}


def test_dated_items_beside_undated_ones_are_still_counted(db_path: Path) -> None:
    """The subtraction of undated items leaves the dated strike posts of the hour counted."""
    now = utc_now().replace(microsecond=0)
    items = [
        {
            "title": f"Kestrel strike day {i}",
            "link": f"https://news.example/d{i}",
            "pubDate": _rfc(now),
        }
        for i in range(3)
    ]
    with Store.open(db_path) as store:
        classifier = Classifier(Config())
        ingest(store, parse_feed(rss("Dated", items), "dated", seen_at=now), classifier)
        ingest(store, parse_feed(_undated_feed(4), "undated", seen_at=now), classifier)
        hour = hour_of(now)
        counts = hourly_counts(store, hour, hour + 1)
    assert counts[ALL_SERIES] == {hour: 3} and counts["strikes"] == {hour: 3}


def test_a_saved_views_alert_series_leaves_undated_items_out(db_path: Path) -> None:
    """A view with `alert = true` counts the dated strike posts of the hour, not undated ones."""
    from cache.read.selection import Selection

    now = utc_now().replace(microsecond=0)
    items = [
        {
            "title": f"Kestrel strike day {i}",
            "link": f"https://news.example/d{i}",
            "pubDate": _rfc(now),
        }
        for i in range(2)
    ]
    with Store.open(db_path) as store:
        classifier = Classifier(Config())
        ingest(store, parse_feed(rss("Dated", items), "dated", seen_at=now), classifier)
        ingest(store, parse_feed(_undated_feed(5), "undated", seen_at=now), classifier)
        hour = hour_of(now)
        counts = hourly_counts(store, hour, hour + 1, {"view:all": Selection()})
    assert counts["view:all"] == {hour: 2}


def test_an_older_store_marks_its_undated_feed_items_on_upgrade(db_path: Path) -> None:
    """Undated items stamped with their import time before the fix are flagged by m005."""
    now = utc_now().replace(microsecond=0)
    with Store.open(db_path) as store:
        ingest(store, parse_feed(_undated_feed(2), "undated", seen_at=now), Classifier(Config()))
        store.conn.executescript(
            """
            DROP INDEX mentions_time_flagged;
            ALTER TABLE mentions DROP COLUMN time_flag;
            DELETE FROM _sqlite_migrations WHERE name = 'm005_time_flags';
            """
        )
    with Store.open(db_path) as store:
        flags = [r[0] for r in store.conn.execute("SELECT time_flag FROM mentions")]
    assert flags == ["undated", "undated"]


@pytest.mark.pilot
async def test_the_monitor_marks_undated_and_out_of_range_times(db_path: Path) -> None:
    """An undated item reads "undated" and a year-1 item shows its year, not a clock time."""
    now = utc_now().replace(microsecond=0)
    items = [
        {"title": "Kestrel dated", "link": "https://news.example/dated", "pubDate": _rfc(now)},
        {
            "title": "Kestrel zero",
            "link": "https://news.example/zero",
            "pubDate": FEED_DATES["go-zero"],
        },
        {"title": "Kestrel undated", "link": "https://news.example/undated"},
    ]
    with Store.open(db_path) as store:
        ingest(store, parse_feed(rss("Mixed", items), "mixed", seen_at=now), Classifier(Config()))
        ids = {r[1]: r[0] for r in store.conn.execute("SELECT id, title FROM mentions")}
    app = MonitorApp(MonitorOptions(db_path=db_path, mode="offline", tz=UTC, output_dir=Path()))
    async with app.run_test() as pilot:
        for _ in range(2):
            await pilot.pause()
            await workers_done(app)
        table = app.query_one(FeedTable)
        label = {title: str(table.get_row(key)[0]) for title, key in ids.items()}
    assert label["Kestrel undated"] == "undated"
    assert label["Kestrel zero"] == "0001-01-01"
    assert label["Kestrel dated"] == format_display_time(now, "%H:%M", UTC)


def test_an_empty_store_has_no_history_and_logs_nothing(
    db_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first alert check on a new store is silent: no "time not readable" noise."""
    monkeypatch.setattr(logging.getLogger("echowatch"), "propagate", True)
    from cache.read.hourly_counts import history_hours

    with Store.open(db_path) as store:
        assert history_hours(store) is None
    assert "not readable" not in caplog.text


def _ambassador_thread(tmp_path: Path, bad_date: str) -> Path:
    """A critical post answered by an ambassador twice, once with `bad_date`."""
    ambassador = user("KestrelAva", "Ava FC Ambassador", user_id="202")
    critic = user("critic", user_id="101")
    root = tweet(critic, "Kestrel Streik wegen Lohn", tweet_id="1860000000000000010")
    good = tweet(ambassador, "Wir zahlen fair", tweet_id="1860000000000000011", reply_to=root)
    bad = tweet(ambassador, "Liebe Grüße vom Team", tweet_id="1860000000000000012", reply_to=root)
    bad["created_at"] = bad_date
    archive = tmp_path / "thread.jsonl"
    archive.write_text(json.dumps(page([root, good, bad], [ambassador, critic])) + "\n")
    return archive


@pytest.mark.pilot
@pytest.mark.parametrize("bad_date", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
async def test_the_monitors_ambassador_view_opens_with_a_bad_reply_time(
    tmp_path: Path,
    db_path: Path,
    cli,
    bad_date: str,
) -> None:
    """`a` lists the ambassador, in a zone where year 1 and 9999 leave the calendar."""
    from tui.views import AmbassadorsScreen

    assert cli("import", _ambassador_thread(tmp_path, bad_date), "--db", db_path).code == 0
    zone = ZoneInfo("America/New_York" if bad_date.startswith("0001") else "Asia/Tokyo")
    app = MonitorApp(MonitorOptions(db_path=db_path, mode="offline", tz=zone, output_dir=Path()))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await workers_done(app)
        await pilot.press("a")
        for _ in range(2):
            await pilot.pause()
            await workers_done(app)
        assert isinstance(app.screen, AmbassadorsScreen)
        from textual.widgets import DataTable

        assert app.screen.query_one(DataTable).row_count == 1


@pytest.mark.parametrize("bad_date", list(TWEET_DATES.values()), ids=list(TWEET_DATES))
@pytest.mark.parametrize(
    "command",
    [
        ("export", "--report", "ambassadors", "--format", "csv"),
        ("export", "--report", "ambassadors", "--format", "md"),
        ("export", "--report", "threads", "--format", "md"),
        ("export", "--format", "html"),
    ],
    ids=lambda c: "-".join(c[1:]),
)
def test_ambassador_and_thread_reports_read_replies_with_a_bad_time(
    tmp_path: Path,
    db_path: Path,
    cli,
    bad_date: str,
    command: tuple[str, ...],
) -> None:
    """An ambassador reply dated year 1 or 9999 leaves the signals, never the report (exit 0)."""

    def build(at: Path) -> None:  # imported once per date and process, copied per command
        folder = at.with_suffix(".archive")
        folder.mkdir()
        assert cli("import", _ambassador_thread(folder, bad_date), "--db", at).code == 0

    copy_of(db_path, f"ambassador-thread-{bad_date[:4]}-{bad_date[5:7]}", build)
    run = cli(*command, "--db", db_path)
    assert run.code == 0, run.err
    assert "could not be computed" not in run.out
