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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cache.alerts.watch import AlertWatcher
    from cache.live.collector import Collector

from cache.db.store import Store, StoreError, default_db_path, demo_db_path
from filters.classify import Classifier
from filters.views import check_views
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
    # Polling needs the source adapters (tweepy, feedparser, requests; atproto and
    # Mastodon.py behind them). They are imported here, on the paths that poll, and not at
    # the top: browsing a store never needs them, and they were about a sixth of the
    # monitor's start-up before its first rows (bench/startup.py).
    from tui import live_launch

    if demo or (found is None and db is None):
        return live_launch.demo_plan(Path(db) if db else demo_db_path(), speed)
    config = check_views(load_config(found))
    path = Path(db) if db else default_db_path()
    if found is None:
        if not path.exists():
            raise LaunchError(f"{path}: no store here to browse (import or collect first)")
        _refuse_damaged_store(path)
        return LaunchPlan("offline", path, config, None, f"{path} · no config, nothing polled")
    _refuse_demo_store(path)
    collector = live_launch.collector(config, path, sources=None)
    watcher = live_launch.alert_watcher(config, path, collector)
    return LaunchPlan("live", path, config, collector, f"{path} · {found}", watcher)


def _refuse_damaged_store(path: Path) -> None:
    """Browsing opens the store read-only, so the writers' check is done here: a damaged
    page would otherwise surface as errors in whichever panel happens to read it. A clean
    check of the unchanged file on record stands in for reading it all again."""
    with Store.open(path, readonly=True) as store:
        damage = store.damage(trust_record=True)
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
    read_only: bool = False,
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
        views_file=None if read_only else views_file(plan),
        read_only=read_only,
    )
    MonitorApp(options).run()
    return 0
