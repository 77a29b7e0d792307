"""Deciding what the monitor watches, then running it (called by `app.py` without a command).

- `--demo` (or no config and no `--db`): the bundled replay, into a demo store of its own;
- a config (`--config`, `$ECHOWATCH_CONFIG`, the user config dir): its sources, live;
- `--offline` (or `--db` without a config): browse a store, poll nothing.
A store is marked when demo data goes into it, so the demo never writes into a user's own
store and live sources never write into a demo store.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cache.alerts.watch import AlertWatcher
from cache.db.store import Store, StoreError, default_db_path, demo_db_path
from cache.live.collector import Collector
from cache.write.reclassify import reclassify_if_changed
from filters.classify import Classifier
from filters.views import check_views
from sources.demo.replay import ReplaySource, demo_config_path
from sources.model.config import Config, find_config_path, load_config, user_config_file

DEMO_META_KEY = "demo_store"


class LaunchError(Exception):
    """The monitor cannot start as asked; the message says why and what to do."""


@dataclass(frozen=True)
class LaunchPlan:
    mode: str
    db_path: Path
    config: Config
    collector: Collector | None
    subtitle: str
    alerts: AlertWatcher | None = None
    """Judges spikes after every batch the collector stores; None when nothing is polled."""


def topic_labels(config: Config) -> dict[str, str]:
    """Topic id -> label, in the classifier's order (the panel's order)."""
    return {t.id: t.label for t in Classifier(config).topic_matcher.topics}


def plan_launch(
    *,
    db: str | None,
    config_path: str | None,
    demo: bool,
    offline: bool,
    speed: float,
) -> LaunchPlan:
    """What to watch, following the rules in the module docstring."""
    found = None if demo else find_config_path(config_path)
    if offline:
        # `--demo --offline` browses the demo's own store; otherwise the user's.
        path = Path(db) if db else (demo_db_path() if demo else default_db_path())
        if not path.exists():
            raise LaunchError(f"{path}: no store here to browse (import or collect first)")
        _refuse_damaged_store(path)
        config = check_views(load_config(found))
        return LaunchPlan("offline", path, config, None, f"{path} · offline")
    if demo or (found is None and db is None):
        return _demo_plan(Path(db) if db else demo_db_path(), speed)
    config = check_views(load_config(found))
    path = Path(db) if db else default_db_path()
    if found is None:
        if not path.exists():
            raise LaunchError(f"{path}: no store here to browse (import or collect first)")
        _refuse_damaged_store(path)
        return LaunchPlan("offline", path, config, None, f"{path} · no config, nothing polled")
    _refuse_demo_store(path)
    collector = _collector(config, path, sources=None)
    watcher = _alert_watcher(config, path, collector)
    return LaunchPlan("live", path, config, collector, f"{path} · {found}", watcher)


def _demo_plan(path: Path, speed: float) -> LaunchPlan:
    replay = ReplaySource(speed=speed)
    _claim_demo_store(path, replay)
    config = check_views(load_config(demo_config_path()))
    collector = _collector(config, path, sources=[replay])
    watcher = _alert_watcher(config, path, collector)
    return LaunchPlan("demo", path, config, collector, f"demo ×{speed:g} · {path}", watcher)


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


def _refuse_damaged_store(path: Path) -> None:
    """Browsing opens the store read-only, so the writers' check is done here: a damaged
    page would otherwise surface as errors in whichever panel happens to read it."""
    with Store.open(path, readonly=True) as store:
        damage = store.damage()
    if damage:
        raise LaunchError(damage)


def _refuse_demo_store(path: Path) -> None:
    if not path.exists():
        return
    with Store.open(path, readonly=True) as store:
        if store.get_meta(DEMO_META_KEY) == "1":
            raise LaunchError(
                f"{path} is a demo store; live sources never write into it. "
                "Use --db with another file (or none for your own store)."
            )


def _collector(config: Config, path: Path, *, sources: list[Any] | None) -> Collector:
    # Create and migrate the store before readers open it read-only, and re-apply topics
    # and roles if the config's rules changed since the store was last written.
    with Store.open(path) as store:
        reclassify_if_changed(store, Classifier(config))
    return Collector(config, path, sources=sources)


def _alert_watcher(config: Config, path: Path, collector: Collector) -> AlertWatcher:
    """Spikes judged after every stored batch, in the poll's own thread; the monitor
    listens to the watcher (MonitorApp.on_mount) to show them."""
    watcher = AlertWatcher(config, db_path=path)
    collector.add_listener(watcher.on_batch)
    return watcher


def views_file(plan: LaunchPlan) -> Path | None:
    """Where the monitor saves views: the config in use, else the user's config file (to be
    created); None for the demo, whose config is bundled with the program."""
    if plan.mode == "demo":
        return None
    return plan.config.path or user_config_file()


def run_monitor(
    *,
    db: str | None,
    config_path: str | None,
    demo: bool,
    offline: bool,
    speed: float,
    export_formats: tuple[str, ...],
) -> int:
    """Run the monitor until the reader quits; returns the exit code."""
    from tui.monitor import MonitorApp, MonitorOptions

    if speed < 0:
        print("echowatch: --speed must be 0 (everything at once) or more", file=sys.stderr)
        return 2
    try:
        plan = plan_launch(db=db, config_path=config_path, demo=demo, offline=offline, speed=speed)
    except LaunchError as exc:
        print(f"echowatch: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"echowatch: {exc}", file=sys.stderr)
        return 1
    options = MonitorOptions(
        db_path=plan.db_path,
        mode=plan.mode,
        config=plan.config,
        collector=plan.collector,
        alerts=plan.alerts,
        export_formats=export_formats,
        output_dir=Path(os.getcwd()),
        topics=topic_labels(plan.config),
        subtitle=plan.subtitle,
        views_file=views_file(plan),
    )
    MonitorApp(options).run()
    return 0
