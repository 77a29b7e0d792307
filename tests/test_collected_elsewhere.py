"""An `--offline` monitor says `● LIVE collected by another process` only while one polls."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cache.db.store import Store
from sources.model.records import SourceState, utc_now
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
