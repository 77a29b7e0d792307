"""The three commands that write the config (`feeds import`, `views --delete`, the monitor's
save view) write through a link, refuse a read-only file alike and keep line ends and BOM."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from filters.views import check_views
from sources.model.config import ConfigError, load_config
from sources.model.config_write import add_view

READER_EXPORT = Path(__file__).parent / "data" / "opml" / "reader_export.opml"
CONFIG = """# my config
[company]
name = "Kestrel"   # keep this comment

[views]
answered = "Streik"
"""
READ_ONLY = "the config file is read-only (no write permission)"

Writer = Callable[..., tuple[int, str]]


def _feeds_import(cli, config: Path) -> tuple[int, str]:
    run = cli("feeds", "import", READER_EXPORT, "--config", config)
    return run.code, run.err


def _views_delete(cli, config: Path) -> tuple[int, str]:
    run = cli("views", "--config", config, "--delete", "answered")
    return run.code, run.err


def _save_view(cli, config: Path) -> tuple[int, str]:
    """What the monitor's ctrl+s does with the view the user named."""
    try:
        add_view(config, "neu", "Lohn", check=check_views)
    except ConfigError as exc:
        return 1, str(exc)
    return 0, ""


WRITERS = {"feeds import": _feeds_import, "views --delete": _views_delete, "save view": _save_view}
writers = pytest.mark.parametrize("write", WRITERS.values(), ids=list(WRITERS))


def _changed(config: Path) -> bool:
    """The writer's change is in the file: a feed was added, `answered` or `neu` moved."""
    loaded = load_config(config)
    names = set(loaded.views)
    return bool(loaded.feeds) or "answered" not in names or "neu" in names


@writers
def test_a_config_that_is_a_link_is_changed_where_it_points(
    tmp_path: Path, cli, write: Writer
) -> None:
    """A dotfiles link stays a link; the file it points to gets the change, nothing is left."""
    dotfiles, home = tmp_path / "dotfiles", tmp_path / "home"
    dotfiles.mkdir()
    home.mkdir()
    real = dotfiles / "echowatch.toml"
    real.write_text(CONFIG, encoding="utf-8")
    link = home / "config.toml"
    link.symlink_to(real)
    code, err = write(cli, link)
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == real
    assert _changed(real)
    assert real.read_text(encoding="utf-8").startswith("# my config\n[company]")
    assert sorted(p.name for p in dotfiles.iterdir()) == ["echowatch.toml"]
    assert sorted(p.name for p in home.iterdir()) == ["config.toml"]


@writers
def test_a_read_only_config_is_refused_alike(tmp_path: Path, cli, write: Writer) -> None:
    """A 0444 config: exit 1 with the same message naming the file; not a byte changes."""
    config = tmp_path / "c.toml"
    config.write_text(CONFIG, encoding="utf-8")
    config.chmod(0o444)
    code, err = write(cli, config)
    assert code == 1
    assert f"{config}: {READ_ONLY}; allow writing to it, or edit it by hand" in err
    assert config.read_text(encoding="utf-8") == CONFIG
    assert stat.S_IMODE(config.stat().st_mode) == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["c.toml"]


@writers
def test_a_crlf_config_keeps_its_line_ends(tmp_path: Path, cli, write: Writer) -> None:
    """A config saved with Windows line ends keeps CRLF on every line, old and new."""
    config = tmp_path / "c.toml"
    config.write_bytes(CONFIG.replace("\n", "\r\n").encode("utf-8"))
    code, err = write(cli, config)
    assert code == 0, err
    data = config.read_bytes()
    assert _changed(config)
    assert data.startswith(
        b'# my config\r\n[company]\r\nname = "Kestrel"   # keep this comment\r\n'
    )
    assert data.count(b"\n") == data.count(b"\r\n")


@writers
def test_a_config_with_a_byte_order_mark_keeps_it(tmp_path: Path, cli, write: Writer) -> None:
    """A UTF-8 config saved with a BOM (Windows Notepad) keeps the BOM after the change."""
    config = tmp_path / "c.toml"
    config.write_bytes(b"\xef\xbb\xbf" + CONFIG.encode("utf-8"))
    code, err = write(cli, config)
    assert code == 0, err
    assert _changed(config)
    assert config.read_bytes().startswith(b"\xef\xbb\xbf# my config\n[company]\n")
