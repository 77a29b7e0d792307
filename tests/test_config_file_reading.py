"""Reading the config file as editors save it: a UTF-8 byte-order mark is UTF-8, a file
in another encoding is named by the line and column of its first bad byte, and an empty
`--config` is refused instead of meaning the user's config file."""

from __future__ import annotations

from pathlib import Path

import pytest

import app
from sources.model.config import ConfigError, load_config

BOM = b"\xef\xbb\xbf"


def test_a_config_saved_with_a_byte_order_mark_loads(tmp_path: Path, cli) -> None:
    """Notepad's "UTF-8 with BOM" config is read like any UTF-8 one, by every command."""
    path = tmp_path / "bom.toml"
    path.write_bytes(BOM + b'[company]\nname = "Acme"\n\n[[feeds]]\nname = "n"\n')
    path.write_bytes(path.read_bytes() + b'url = "https://n.example/f.xml"\n')
    assert load_config(path).company.name == "Acme"
    run = cli("feeds", "list", "--config", path)
    assert run.code == 0 and "https://n.example/f.xml" in run.out


def test_a_config_in_latin_1_names_the_line_and_column_of_the_first_bad_byte(
    tmp_path: Path, cli, db_path: Path
) -> None:
    """A config saved as Latin-1 is refused naming line 3, column 5 (where the ö is)."""
    path = tmp_path / "latin1.toml"
    path.write_bytes('[company]\nname = "Acme"\n# Größe\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not UTF-8 text")
    assert "line 3, column 5" in message and "0xf6" in message
    run = cli("views", "--config", path, "--db", db_path)
    assert run.code == 2 and "line 3, column 5" in run.err


def test_a_bad_byte_on_the_first_line_after_a_bom_is_named_there(tmp_path: Path) -> None:
    """The position of a bad byte counts characters, not bytes, on its line."""
    path = tmp_path / "mixed.toml"
    path.write_bytes(BOM + "# Grüße ".encode() + b"\xfc\n")
    with pytest.raises(ConfigError, match="line 1, column 9"):
        load_config(path)


@pytest.mark.parametrize(
    "command", [["feeds", "list"], ["views"], ["collect", "--once"], ["serve"], []]
)
def test_an_empty_config_path_is_refused(
    command: list[str], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--config ""` (an unset variable in a script) exits 2 saying the path is empty,
    instead of running with the user's config file."""
    with pytest.raises(SystemExit) as stopped:
        app.main([*command, "--config", "", "--db", str(db_path)])
    assert stopped.value.code == 2
    assert "argument --config: empty path" in capsys.readouterr().err
