"""The monitor reads a store with the config the command line uses for it: on a demo
store without `--config`, the demo's own (its views, its ambassadors' time zones)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from filters.views import saved_views
from sources.demo import demo_config_path
from tests.store_helpers import IMPORTED_AT, import_demo
from tui.launch import plan_launch, views_file


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole demo, imported by `app.py import --demo` with its clock pinned."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    import_demo(path, IMPORTED_AT)
    return path


def _user_config() -> Path:
    """A config of the reader's own in the user config dir (found without --config)."""
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "echowatch" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[company]\nname = "Kestrel"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["offline", "read_only", "db_only"])
def test_a_browsed_demo_store_uses_the_demo_config(demo_db: Path, how: str) -> None:
    """`--db demo.db` browsed (--offline, --read-only, or no config at all) lists the
    demo's saved views and counts Dwayne's hours in New York, as `app.py views` does."""
    plan = plan_launch(
        db=str(demo_db),
        config_path=None,
        demo=False,
        offline=how == "offline",
        read_only=how == "read_only",
        speed=1,
    )
    assert plan.mode == "offline"
    assert plan.config.path == demo_config_path()
    assert len(saved_views(plan.config)) == 3
    assert plan.config.accounts.timezones["KorvandoFCDwayne"] == "America/New_York"


def test_a_user_config_found_does_not_replace_the_demo_config(cli, demo_db: Path) -> None:
    """With a config in the user config dir, the offline monitor and `app.py views` both
    still read a demo store with the demo's config; `--config` overrides both."""
    mine = _user_config()
    plan = plan_launch(db=str(demo_db), config_path=None, demo=False, offline=True, speed=1)
    assert plan.config.path == demo_config_path()
    run = cli("views", "--db", demo_db)
    assert run.code == 0 and "streik_de" in run.out
    chosen = plan_launch(db=str(demo_db), config_path=str(mine), demo=False, offline=True, speed=1)
    assert chosen.config.path == mine
    assert "no saved views" in cli("views", "--db", demo_db, "--config", mine).out


@pytest.mark.parametrize("how", ["offline", "read_only", "db_only", "config_named"])
def test_views_saved_on_a_browsed_demo_store_never_go_into_the_bundled_config(
    demo_db: Path, how: str
) -> None:
    """ctrl+s and d on a demo store opened with --db (or --config naming the demo's own
    file) keep views for the session: the program's bundled demo.toml is never written."""
    plan = plan_launch(
        db=str(demo_db),
        config_path=str(demo_config_path()) if how == "config_named" else None,
        demo=False,
        offline=how in ("offline", "config_named"),
        read_only=how == "read_only",
        speed=1,
    )
    assert plan.config.path == demo_config_path()
    assert views_file(plan) is None
