"""The config's account lists: a handle in two of them, and lists edited since the last write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sources.model.config import load_config
from tests.builders import page, tweet, user

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
