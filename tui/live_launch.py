"""The monitor's launch plans that poll: the demo replay and the configured sources.

Kept apart from `tui.launch` so that browsing a store (`--offline`, `--db` without a
config, every viewer of `app.py serve`) never imports the collector and the source
adapters behind it; `tui.launch.plan_launch` imports this module only on the paths that
poll.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cache.alerts.watch import AlertWatcher
from cache.db.store import Store
from cache.live.collector import Collector
from cache.write.reclassify import reclassify_if_changed
from filters.classify import Classifier
from filters.views import check_views
from sources.demo.replay import ReplaySource, demo_config_path
from sources.model.config import Config, load_config
from tui.launch import DEMO_META_KEY, LaunchError, LaunchPlan


def demo_plan(path: Path, speed: float) -> LaunchPlan:
    replay = ReplaySource(speed=speed)
    _claim_demo_store(path, replay)
    config = check_views(load_config(demo_config_path()))
    polling = collector(config, path, sources=[replay])
    watcher = alert_watcher(config, path, polling)
    return LaunchPlan("demo", path, config, polling, f"demo ×{speed:g} · {path}", watcher)


def _claim_demo_store(path: Path, replay: ReplaySource) -> None:
    """Mark `path` as a demo store, refusing one that holds a user's own mentions.

    A demo store whose replay already played to the end is started afresh, so that every
    run of the demo ends "now" and keeps moving instead of showing a finished story.
    """
    with Store.open(path) as store:
        marked = store.get_meta(DEMO_META_KEY) == "1"
        has_rows = store.conn.execute("SELECT 1 FROM mentions LIMIT 1").fetchone() is not None
        if has_rows and not marked:
            raise LaunchError(
                f"{path} holds your own mentions; the demo never writes into them. "
                "Leave out --db (the demo has its own store) or name a new file."
            )
        played_out = marked and replay.finished(store.source_state(replay.name))
    if played_out:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    with Store.open(path) as store, store.writing():
        store.set_meta(DEMO_META_KEY, "1")


def collector(config: Config, path: Path, *, sources: list[Any] | None) -> Collector:
    # Create and migrate the store before readers open it read-only, and re-apply topics
    # and roles if the config's rules changed since the store was last written.
    with Store.open(path) as store:
        reclassify_if_changed(store, Classifier(config))
    return Collector(config, path, sources=sources)


def alert_watcher(config: Config, path: Path, polling: Collector) -> AlertWatcher:
    """Spikes judged after every stored batch, in the poll's own thread; the monitor
    listens to the watcher (MonitorApp.on_mount) to show them."""
    watcher = AlertWatcher(config, db_path=path)
    polling.add_listener(watcher.on_batch)
    return watcher
