"""Deciding what the monitor watches, then running it (called by `app.py` without a command).

- `--demo` (or no config and no `--db`): the bundled replay, into a demo store of its own;
- a config (`--config`, `$ECHOWATCH_CONFIG`, the user config dir): its sources, live;
- `--offline` (or `--db` without a config): browse a store, poll nothing;
- `--read-only` browses as `--offline` does: a collector would write into the store.
A browsed store is read with the config every command uses for it
(`cache.live.demo_policy.config_path_for`): a demo store, without `--config`, with the demo's.
When the demo runs and which store it may use is decided in `cache.live.demo_policy` (asked
through `tui.gateway`, the screens' one way into the store).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from filters.classify import Classifier
from filters.views import check_views
from sources.demo import demo_config_path, is_bundled
from sources.model.config import Config, find_config_path, load_config, user_config_file
from tui.clean_text import clean
from tui.first_paint import EarlyScreen
from tui.gateway import (
    AlertWatcher,
    DemoStoreRefused,
    Pollable,
    StoreError,
    StoreUpgrade,
    config_path_for,
    default_db_path,
    demo_db_path,
    demo_replay,
    live_collector,
    refuse_demo_store,
    runs_demo,
    stale_rules,
    store_damage,
    upgrade_notices,
)


class LaunchError(Exception):
    """The monitor cannot start as asked; the message says why and what to do."""


@dataclass(frozen=True)
class LaunchPlan:
    mode: str
    db_path: Path
    config: Config
    collector: Pollable | None
    subtitle: str
    alerts: AlertWatcher | None = None
    """Judges spikes after every batch the collector stores; None when nothing is polled."""


def speed_problem(speed: float) -> str | None:
    """What is wrong with a demo replay `--speed` (None: nothing). NaN compares false with
    everything, so a bare `speed < 0` let it through and the replay never moved."""
    if math.isfinite(speed) and speed >= 0:
        return None
    what = "0 (everything at once) or more"
    return f"--speed must be {what if speed < 0 else 'a finite number, ' + what}, not {speed:g}"


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
    read_only: bool = False,
) -> LaunchPlan:
    """What to watch, following the rules in the module docstring."""
    found = None if demo else find_config_path(config_path)
    if offline or read_only:
        # `--demo --offline` browses the demo's own store; otherwise the user's.
        path = Path(db) if db else (demo_db_path() if demo else default_db_path())
        if not path.exists():
            raise LaunchError(f"{path}: no store here to browse (import or collect first)")
        _refuse_damaged_store(path, upgrade=not read_only)
        config = check_views(load_config(config_path_for(path, config_path)))
        config = _with_stale_rules(config, path)
        return LaunchPlan("offline", path, config, None, f"{path} · offline")
    if runs_demo(demo=demo, config_found=found is not None, db_named=db is not None):
        return _demo_plan(db, speed)
    config = check_views(load_config(found))
    path = Path(db) if db else default_db_path()
    if found is None:
        if not path.exists():
            raise LaunchError(f"{path}: no store here to browse (import or collect first)")
        _refuse_damaged_store(path)
        # No config of the user's; a demo store still has its own (as every command reads it).
        config = _with_stale_rules(check_views(load_config(config_path_for(path, None))), path)
        return LaunchPlan("offline", path, config, None, f"{path} · no config, nothing polled")
    try:
        refuse_demo_store(path)
    except DemoStoreRefused as exc:
        raise LaunchError(str(exc)) from None
    collector, watcher = live_collector(config, path)
    return LaunchPlan("live", path, config, collector, f"{path} · {found}", watcher)


def _demo_plan(db: str | None, speed: float) -> LaunchPlan:
    try:
        path, replay = demo_replay(db, speed)
    except DemoStoreRefused as exc:
        raise LaunchError(str(exc)) from None
    config = check_views(load_config(demo_config_path()))
    collector, watcher = live_collector(config, path, sources=[replay])
    return LaunchPlan("demo", path, config, collector, f"demo ×{speed:g} · {path}", watcher)


def _with_stale_rules(config: Config, path: Path) -> Config:
    """The config, with a warning (the monitor's toast) when the store's roles or topics
    are from other rules than its own: browsing writes nothing, so they stay as they are."""
    note = stale_rules(path, config)
    return config if note is None else replace(config, warnings=(*config.warnings, note))


def _refuse_damaged_store(path: Path, *, upgrade: bool = True) -> None:
    """Browsing opens the store read-only, so the writers' check is done here: a damaged
    page would otherwise surface as errors in whichever panel happens to read it. A clean
    check of the unchanged file on record stands in for reading it all again. This is the
    first open: it upgrades a store an older version wrote (refuses it, not `upgrade`)."""
    damage = store_damage(path, upgrade=upgrade)
    if damage:
        raise LaunchError(damage)


def views_file(plan: LaunchPlan) -> Path | None:
    """Where the monitor saves views: the config in use, else the user's config file (to be
    created); None for the demo's config (the demo, or a demo store browsed with it), which
    is bundled with the program: its views are kept for the session, as `views --delete`
    refuses to change it."""
    if plan.mode == "demo" or is_bundled(plan.config.path):
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
    early: EarlyScreen | None = None,
    paint_early: Callable[[Path], EarlyScreen | None] | None = None,
) -> int:
    """Run the monitor until the reader quits; returns the exit code.

    `early` is the first screen already on the terminal (tui/first_paint.py), if any;
    `paint_early` draws one for a store known only once the launch has settled it (the
    demo's). Until Textual takes the screen over, every way out restores the terminal
    first, so an error message is printed on the reader's own screen.
    """
    try:
        problem = speed_problem(speed)
        if problem:
            _restore(early)
            print(f"echowatch: {problem}", file=sys.stderr)
            return 2
        try:
            with upgrade_notices(_upgrade_shown_on(early)):
                plan = plan_launch(
                    db=db,
                    config_path=config_path,
                    demo=demo,
                    offline=offline,
                    speed=speed,
                    read_only=read_only,
                )
        except (LaunchError, StoreError) as exc:
            _restore(early)
            print(f"echowatch: {clean(exc)}", file=sys.stderr)  # it may quote a config
            return 1
        if early is None and paint_early is not None and plan.mode == "demo":
            early = paint_early(plan.db_path)
        from tui.monitor import MonitorApp, MonitorOptions  # Textual: after the first screen

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
        monitor = MonitorApp(options)
    except BaseException:
        _restore(early)
        raise
    if early is not None:
        early.hand_over()
    with upgrade_notices(None):  # the screen is Textual's now: no line on stderr
        monitor.run()
    # Textual ends `run()` normally after an unhandled error in the app (it prints the
    # traceback and sets the code): a script must see the crash, not a clean exit.
    return monitor.return_code or 0


def _upgrade_shown_on(early: EarlyScreen | None) -> Callable[[StoreUpgrade], None]:
    """Where the launch says that it upgrades a store: on the first screen's loading line
    while it is up, else on stderr (the monitor has not taken the terminal yet)."""

    def show(upgrade: StoreUpgrade) -> None:
        if early is not None and early.show_status(
            f"◌ UPGRADING  {upgrade.what()}; the monitor takes over when it is done"
        ):
            return
        print(f"echowatch: {clean(str(upgrade))}", file=sys.stderr)

    return show


def _restore(early: EarlyScreen | None) -> None:
    if early is not None:
        early.restore()
