"""The config's account lists: a handle in two of them, and lists edited since the last write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sources.model.config import load_config
from tests.builders import page, tweet, user
from tui.launch import plan_launch

BOTH = '[accounts]\nambassadors = ["AmbAnna", "@bothbert"]\nparody = ["BothBert"]\n'


def _page_file(tmp_path: Path) -> Path:
    bert = user("BothBert", "Bert", user_id="500")
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page([tweet(bert, "Acme is great", tweet_id="900")], [bert])))
    return path


def test_a_handle_listed_as_ambassador_and_parody_is_warned_about(tmp_path: Path) -> None:
    """The loader names the handle, both lists and the role it gets (parody)."""
    config = tmp_path / "config.toml"
    config.write_text(BOTH)
    (warning,) = load_config(config).warnings
    assert warning.startswith(
        f"{config}: '@BothBert' is in accounts.parody and accounts.ambassadors"
    )
    assert "it counts as parody" in warning


def test_commands_print_the_double_listing_on_stderr(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """`import` says it once on stderr, and the account is stored as parody."""
    config = tmp_path / "config.toml"
    config.write_text(BOTH)
    run = cli("import", "--db", db_path, "--config", config, _page_file(tmp_path))
    assert run.code == 0
    assert run.err.count("'@BothBert' is in accounts.parody and accounts.ambassadors") == 1
    exported = cli("export", "--db", db_path, "--config", config, "--ids", "--query", "role:parody")
    assert exported.out.split() == ["900"]


def test_separate_lists_give_no_warning(tmp_path: Path) -> None:
    """A handle in one list only (in any spelling) is no overlap."""
    config = tmp_path / "config.toml"
    config.write_text('[accounts]\nambassadors = ["AmbAnna", "ambanna"]\nparody = ["ParoPete"]\n')
    assert load_config(config).warnings == ()


STALE = "in the store are as of its last write"


def _edited_after_import(cli: Any, db_path: Path, tmp_path: Path) -> Path:
    """A store imported under one ambassador list, and its config edited since."""
    config = tmp_path / "config.toml"
    config.write_text('[accounts]\nambassadors = ["BothBert"]\n')
    assert cli("import", "--db", db_path, "--config", config, _page_file(tmp_path)).code == 0
    config.write_text('[accounts]\nparody = ["BothBert"]\n')
    return config


def test_a_report_after_the_lists_changed_says_its_roles_are_old(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """`export` says once that roles are from the last write, and how to apply the new ones."""
    config = _edited_after_import(cli, db_path, tmp_path)
    run = cli("export", "--db", db_path, "--config", config, "--report", "ambassadors")
    assert run.code == 0
    assert run.out.splitlines()[1].startswith("BothBert,")  # still the stored role
    (note,) = [line for line in run.err.splitlines() if STALE in line]
    assert str(config) in note and "import" in note and "without --offline" in note
    views = cli("views", "--db", db_path, "--config", config)
    assert STALE in views.err


def test_after_a_write_the_note_is_gone(cli: Any, db_path: Path, tmp_path: Path) -> None:
    """An import applies the edited lists; the read-only commands then say nothing of it."""
    config = _edited_after_import(cli, db_path, tmp_path)
    assert cli("import", "--db", db_path, "--config", config, _page_file(tmp_path)).code == 0
    run = cli("export", "--db", db_path, "--config", config, "--ids", "--query", "role:parody")
    assert run.out.split() == ["900"]
    assert STALE not in run.err


def test_the_offline_monitor_warns_of_old_roles(cli: Any, db_path: Path, tmp_path: Path) -> None:
    """`--offline` carries the same line as a config warning (the monitor's toast)."""
    config = _edited_after_import(cli, db_path, tmp_path)
    plan = plan_launch(db=str(db_path), config_path=str(config), demo=False, offline=True, speed=1)
    assert [w for w in plan.config.warnings if STALE in w]
    unchanged = tmp_path / "same.toml"
    unchanged.write_text('[accounts]\nambassadors = ["BothBert"]\n')
    plan = plan_launch(
        db=str(db_path), config_path=str(unchanged), demo=False, offline=True, speed=1
    )
    assert not [w for w in plan.config.warnings if STALE in w]
