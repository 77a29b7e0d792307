"""`views --delete NAME` removes a view the config loader refuses: one broken view must not
lock the user out of the command that deletes it, while every other config error still
stops the command; and the config writer refuses to add a view the loader would refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from filters.views import check_views, saved_views
from sources.model.config import ConfigError, load_config
from sources.model.config_write import add_view

HEAD = '# my config\n[company]\nname = "Kestrel"\n\n[views]\nfirst = "Twitter"\n'

REFUSED_VIEWS = {
    "only a star": ('qv4 = "*"\n', "the query has no letters or digits to search for"),
    "only an emoji": ('qv4 = "🔥"\n', "the query has no letters or digits to search for"),
    "a bad query": ('qv4 = "topic:nope"\n', "unknown topic 'nope'"),
    "not a string": ("qv4 = 5\n", "views.qv4"),
    "an unknown key": ('qv4 = { query = "Streik", colour = "red" }\n', "views.qv4.colour"),
    "a time bound on an alert": (
        'qv4 = { query = "Streik since:1h", alert = true }\n',
        "cannot use since: or until:",
    ),
}


@pytest.mark.parametrize("entry, reason", REFUSED_VIEWS.values(), ids=list(REFUSED_VIEWS))
def test_views_delete_removes_the_one_view_the_loader_refuses(
    cli, tmp_path: Path, entry: str, reason: str
) -> None:
    """The loader's refusal of `qv4` does not block `views --delete qv4`: it exits 0, says
    why the view was unusable, and every other line stays; the config loads again."""
    config = tmp_path / "rc.toml"
    config.write_text(HEAD + entry, encoding="utf-8")
    refused = cli("views", "--config", config)
    assert refused.code == 2 and reason in refused.err
    run = cli("views", "--config", config, "--delete", "qv4")
    assert run.code == 0, run.err
    assert run.out.startswith(f"deleted view qv4 from {config}")
    assert reason in run.out
    assert config.read_text("utf-8") == HEAD
    assert [v.name for v in saved_views(load_config(config))] == ["first"]


def test_views_delete_removes_a_view_whose_name_the_loader_refuses(cli, tmp_path: Path) -> None:
    """A view named with a space (refused as a name) is deleted by that name."""
    config = tmp_path / "rc.toml"
    config.write_text(HEAD + '"two words" = "Streik"\n', encoding="utf-8")
    run = cli("views", "--config", config, "--delete", "two words")
    assert run.code == 0, run.err
    assert config.read_text("utf-8") == HEAD


def test_another_config_error_still_stops_views_delete(cli, tmp_path: Path) -> None:
    """A second broken view, or a bad key elsewhere, is still a config error (exit 2)
    naming it, and the file is left as it was."""
    config = tmp_path / "rc.toml"
    two_broken = HEAD + 'qv4 = "*"\nqv5 = "&"\n'
    config.write_text(two_broken, encoding="utf-8")
    run = cli("views", "--config", config, "--delete", "qv4")
    assert run.code == 2 and "views.qv5" in run.err, run.err
    assert config.read_text("utf-8") == two_broken
    bad_key = "[x]\npoll_secs = 5\n" + HEAD + 'qv4 = "*"\n'
    config.write_text(bad_key, encoding="utf-8")
    run = cli("views", "--config", config, "--delete", "qv4")
    assert run.code == 2 and "unknown key 'x.poll_secs'" in run.err, run.err
    assert config.read_text("utf-8") == bad_key


def test_views_delete_of_another_name_still_reports_the_broken_view(cli, tmp_path: Path) -> None:
    """Deleting a good view while another is broken is refused with the broken view's
    error: only the view being deleted may be the broken one."""
    config = tmp_path / "rc.toml"
    broken = HEAD + 'qv4 = "*"\n'
    config.write_text(broken, encoding="utf-8")
    run = cli("views", "--config", config, "--delete", "first")
    assert run.code == 2 and "views.qv4" in run.err
    assert config.read_text("utf-8") == broken


def test_the_config_writer_refuses_a_view_the_loader_would_refuse(tmp_path: Path) -> None:
    """`add_view` given the loader's check writes nothing for `*` and says why."""
    config = tmp_path / "rc.toml"
    config.write_text(HEAD, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        add_view(config, "qv4", "*", check=check_views)
    assert "the query has no letters or digits to search for" in str(info.value)
    assert f"{config}: key 'views.qv4'" in str(info.value)
    assert config.read_text("utf-8") == HEAD
    assert list(tmp_path.iterdir()) == [config]  # no temporary file left behind
    add_view(config, "qv5", "Streik", check=check_views)
    assert [v.name for v in saved_views(load_config(config))] == ["first", "qv5"]
