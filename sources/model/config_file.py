"""Reading a config file's TOML as editors save it (the checking is `config.load_config`'s).

TOML is UTF-8 by definition, and `tomllib` takes nothing else: Windows Notepad's "UTF-8
with BOM" (and PowerShell 5's `Out-File -Encoding utf8`) start the file with a byte-order
mark, which `tomllib` reads as a statement at line 1, column 1, where the reader sees
nothing wrong. It is UTF-8, so it is read as such. A file in another encoding is named
by the line and column of its first bad byte, as every other config error is.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

BOM = b"\xef\xbb\xbf"


class ConfigFileError(Exception):
    """The file cannot be read as TOML; the message names the file and where."""


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML table in `path`; ConfigFileError (its message starting with the path)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigFileError(f"{path}: config file not found") from None
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read config file: {exc.strerror or exc}") from None
    data = data.removeprefix(BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_and_column(data, exc.start)
        raise ConfigFileError(
            f"{path}: not UTF-8 text (line {line}, column {column} holds byte "
            f"0x{data[exc.start]:02x}); save the config file as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path}: not valid TOML: {exc}") from None


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as an editor counts) of byte `offset`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    before = data[line_start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1
