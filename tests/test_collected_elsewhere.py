"""An `--offline` monitor says `● LIVE collected by another process` only while one polls."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cache.db.store import Store
from sources.model.records import SourceState, utc_now
from sources.model.text import format_timestamp, parse_timestamp
from tests.builders import rss
from tests.feedserver import FeedServer
from tests.store_helpers import IMPORTED_AT, import_demo
from tui.live import collected_elsewhere


def stored_states(path: Path) -> list[SourceState]:
    with Store.open(path, readonly=True) as store:
        return store.source_states()


def test_collect_once_leaves_no_collector_behind(tmp_path: Path, db_path: Path, cli) -> None:
    """After `collect --once` has ended, an offline monitor does not claim a collector runs."""
    with FeedServer() as server:
        server.feed("/a.xml", rss("A", [{"title": "Kestrel", "link": "https://n.example/1"}]))
        config = tmp_path / "one.toml"
        url = server.url("/a.xml")
        config.write_text(f'[[feeds]]\nname = "afeed"\nurl = "{url}"\n', encoding="utf-8")
        assert cli("collect", "--once", "--config", config, "--db", db_path).code == 0
    states = stored_states(db_path)
    assert [s.name for s in states] == ["afeed"] and states[0].last_success_at
    assert not collected_elsewhere(states, utc_now() + timedelta(seconds=1))


def test_import_demo_leaves_no_collector_behind(db_path: Path) -> None:
    """After `import --demo`, an offline monitor on its store says nothing is polled."""
    import_demo(db_path, IMPORTED_AT)
    assert not collected_elsewhere(stored_states(db_path), IMPORTED_AT + timedelta(minutes=5))


def test_a_failed_sources_retry_time_is_no_running_collector(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """After `collect --once` with a feed that failed (its retry time kept for the next
    run), an offline monitor does not claim a collector runs before that time comes."""
    with FeedServer() as server:
        server.feed("/a.xml", rss("A", [{"title": "Kestrel", "link": "https://n.example/1"}]))
        server.status("/down.xml", 500)
        config = tmp_path / "two.toml"
        config.write_text(
            "".join(
                f'[[feeds]]\nname = "{name}"\nurl = "{server.url(path)}"\n'
                for name, path in (("afeed", "/a.xml"), ("down", "/down.xml"))
            ),
            encoding="utf-8",
        )
        assert cli("collect", "--once", "--config", config, "--db", db_path).code == 1
    failed = next(s for s in stored_states(db_path) if s.name == "down")
    retry = parse_timestamp(failed.next_poll_at)
    assert failed.last_error and retry and retry > utc_now()  # the backoff the next run keeps
    assert not collected_elsewhere(stored_states(db_path), utc_now() + timedelta(seconds=1))


def test_a_collector_polling_beside_a_failed_source_still_counts(db_path: Path) -> None:
    """A collector that keeps a healthy source on schedule is seen running, whatever a
    failed source's retry time says."""
    now = utc_now()
    with Store.open(db_path) as store, store.writing():
        for state in (
            SourceState(
                name="ok",
                last_poll_at=format_timestamp(now - timedelta(seconds=30)),
                last_success_at=format_timestamp(now - timedelta(seconds=30)),
                next_poll_at=format_timestamp(now + timedelta(seconds=30)),
            ),
            SourceState(
                name="down",
                last_poll_at=format_timestamp(now - timedelta(seconds=30)),
                last_error="HTTP 500",
                next_poll_at=format_timestamp(now + timedelta(hours=1)),
            ),
        ):
            store.save_source_state(state)
    assert collected_elsewhere(stored_states(db_path), now)
    assert not collected_elsewhere(stored_states(db_path), now + timedelta(minutes=5))
