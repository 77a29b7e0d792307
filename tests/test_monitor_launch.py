"""What `app.py` without a command watches: demo, configured sources, or a store offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from cache.db.store import Store, demo_db_path
from cache.live.demo_policy import DEMO_META_KEY
from cache.read.marks import Marks, marks_for, unread_count
from cache.write.marks import set_marks
from tests.monitor_scenario import build_store
from tests.store_helpers import IMPORTED_AT, import_demo
from tui.launch import LaunchError, plan_launch


def test_offline_browses_an_existing_store_without_polling(tmp_path: Path) -> None:
    """`--db PATH --offline` opens that store and polls nothing."""
    scenario = build_store(tmp_path / "mine.db")
    plan = plan_launch(db=str(scenario.path), config_path=None, demo=False, offline=True, speed=1)
    assert plan.mode == "offline" and plan.collector is None
    assert plan.db_path == scenario.path


def test_offline_without_a_store_says_so(cli, tmp_path: Path) -> None:
    """Browsing a store that does not exist exits with a message naming the file."""
    missing = tmp_path / "nothing.db"
    run = cli("--db", missing, "--offline")
    assert run.code == 1
    assert str(missing) in run.err and "no store here" in run.err
    assert not missing.exists()


def test_negative_speed_is_refused(cli) -> None:
    """`--speed -1` is refused before anything starts (0 means everything at once)."""
    run = cli("--demo", "--speed", "-1")
    assert run.code == 2 and "--speed" in run.err


@pytest.mark.parametrize("speed", ["nan", "inf"])
def test_speed_that_is_no_finite_number_is_refused(cli, speed: str) -> None:
    """`--speed nan` (or inf) is refused as -1 is, instead of a replay that never moves."""
    run = cli("--demo", "--speed", speed)
    assert run.code == 2
    assert (
        f"--speed must be a finite number, 0 (everything at once) or more, not {speed}" in run.err
    )
    assert not demo_db_path().exists()  # refused before the demo store was made


@pytest.mark.slow  # plays the demo out in the monitor
def test_a_played_out_demo_starts_afresh(tmp_path: Path) -> None:
    """A demo store whose replay already ended is replaced, so the demo moves again."""
    from cache.live.demo import load_demo
    from filters.classify import Classifier
    from sources.demo import demo_config_path
    from sources.demo.replay import ReplaySource
    from sources.model.config import load_config

    path = tmp_path / "demo.db"
    with Store.open(path) as store:
        load_demo(store, Classifier(load_config(demo_config_path())))
        store.set_meta(DEMO_META_KEY, "1")
        store.conn.commit()
        assert ReplaySource().finished(store.source_state("demo"))
    plan_launch(db=str(path), config_path=None, demo=True, offline=False, speed=0)
    with Store.open(path) as store:
        assert store.count_mentions() == 0
        assert store.get_meta(DEMO_META_KEY) == "1"


def test_a_played_out_demo_started_afresh_keeps_the_readers_marks(tmp_path: Path) -> None:
    """`--demo --db PATH` of a finished demo starts it afresh; posts read or starred stay so."""
    path = tmp_path / "demo.db"
    import_demo(path, IMPORTED_AT)
    with Store.open(path) as store:
        read_id, starred_id = store_ids(store)[:2]
        set_marks(store, [read_id], IMPORTED_AT, read=True)
        set_marks(store, [starred_id], IMPORTED_AT, starred=True)
        unread = unread_count(store)
    plan_launch(db=str(path), config_path=None, demo=True, offline=False, speed=0)
    with Store.open(path) as store:
        assert store.count_mentions() == 0  # started afresh: the replay comes again
    import_demo(path, IMPORTED_AT)  # the same posts, as the replay delivers them
    with Store.open(path) as store:
        assert marks_for(store, [read_id, starred_id]) == {
            read_id: Marks(read=True),
            starred_id: Marks(starred=True),
        }
        assert unread_count(store) == unread


def store_ids(store: Store) -> list[str]:
    return [str(row[0]) for row in store.conn.execute("SELECT id FROM mentions ORDER BY id")]


def test_demo_never_writes_into_a_users_store(tmp_path: Path) -> None:
    """`--demo --db` naming a store with the user's own mentions is refused, untouched."""
    scenario = build_store(tmp_path / "mine.db")
    before = scenario.path.read_bytes()
    with pytest.raises(LaunchError, match="holds your own mentions"):
        plan_launch(db=str(scenario.path), config_path=None, demo=True, offline=False, speed=1)
    with Store.open(scenario.path, readonly=True) as store:
        assert store.get_meta(DEMO_META_KEY) is None
    assert scenario.path.read_bytes() == before


def test_live_sources_never_write_into_a_demo_store(tmp_path: Path) -> None:
    """A config's sources refuse a store that holds demo data."""
    demo_store = tmp_path / "demo.db"
    with Store.open(demo_store) as store, store.db.atomic():
        store.set_meta(DEMO_META_KEY, "1")
    config = tmp_path / "config.toml"
    config.write_text('[company]\nname = "Kestrel"\n', encoding="utf-8")
    with pytest.raises(LaunchError, match="is a demo store"):
        plan_launch(db=str(demo_store), config_path=str(config), demo=False, offline=False, speed=1)


def test_without_config_or_db_the_demo_uses_its_own_store(tmp_path: Path) -> None:
    """No config and no --db: the demo store in the data dir, never the user's store."""
    pytest.importorskip("sources.demo.replay")
    plan = plan_launch(db=None, config_path=None, demo=False, offline=False, speed=5)
    assert plan.mode == "demo"
    assert plan.db_path == demo_db_path()
    assert plan.collector is not None
    with Store.open(plan.db_path, readonly=True) as store:
        assert store.get_meta(DEMO_META_KEY) == "1"


def test_db_without_config_browses_it(tmp_path: Path) -> None:
    """`--db PATH` with no config anywhere shows that store and polls nothing."""
    scenario = build_store(tmp_path / "mine.db")
    plan = plan_launch(db=str(scenario.path), config_path=None, demo=False, offline=False, speed=1)
    assert plan.mode == "offline" and plan.collector is None


def test_demo_offline_browses_the_demo_store(tmp_path: Path) -> None:
    """`--demo --offline` shows the demo's own store, never the user's."""
    demo_db_path().parent.mkdir(parents=True, exist_ok=True)
    with Store.open(demo_db_path()) as store, store.db.atomic():
        store.set_meta(DEMO_META_KEY, "1")
    plan = plan_launch(db=None, config_path=None, demo=True, offline=True, speed=1)
    assert plan.mode == "offline" and plan.db_path == demo_db_path()


def test_read_only_polls_nothing_even_with_configured_sources(tmp_path: Path) -> None:
    """`--read-only --config` with a feed browses the store: no collector, no fetch, no write."""
    from tests.builders import rss
    from tests.feedserver import FeedServer

    scenario = build_store(tmp_path / "mine.db")
    before = scenario.path.read_bytes()
    with FeedServer() as server:
        entry = {"title": "Kestrel news", "link": "https://news.example/1"}
        server.feed("/feed.xml", rss("Feed", [entry]))
        config = tmp_path / "config.toml"
        config.write_text(
            f'[[feeds]]\nname = "afeed"\nurl = "{server.url("/feed.xml")}"\n', encoding="utf-8"
        )
        plan = plan_launch(
            db=str(scenario.path),
            config_path=str(config),
            demo=False,
            offline=False,
            read_only=True,
            speed=1,
        )
        assert plan.mode == "offline" and plan.collector is None and plan.alerts is None
        assert not server.hits
    assert scenario.path.read_bytes() == before


def test_read_only_browses_a_demo_store_with_a_config(tmp_path: Path) -> None:
    """`--read-only` alone on a demo store browses it, as `--offline --read-only` does."""
    demo_store = tmp_path / "demo.db"
    with Store.open(demo_store) as store, store.db.atomic():
        store.set_meta(DEMO_META_KEY, "1")
    before = demo_store.read_bytes()
    config = tmp_path / "config.toml"
    config.write_text('[company]\nname = "Kestrel"\n', encoding="utf-8")
    plan = plan_launch(
        db=str(demo_store),
        config_path=str(config),
        demo=False,
        offline=False,
        read_only=True,
        speed=1,
    )
    assert plan.mode == "offline" and plan.collector is None
    assert demo_store.read_bytes() == before


@pytest.mark.pilot
def test_a_monitor_that_dies_of_an_error_exits_non_zero(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A monitor that stops on an unhandled error exits 1, never 0 (scripts see the crash)."""
    from tui.monitor import MonitorApp

    def crash(self: MonitorApp) -> None:
        raise RuntimeError("a bug in the monitor")

    headless_run = MonitorApp.run
    monkeypatch.setattr(MonitorApp, "on_mount", crash)
    monkeypatch.setattr(MonitorApp, "run", lambda self: headless_run(self, headless=True))
    Store.open(tmp_path / "s.db").close()
    run = cli("--db", tmp_path / "s.db", "--offline")
    assert run.code == 1
