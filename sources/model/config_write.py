"""Adding or deleting a saved view in the config file, keeping everything else as the user
wrote it.

The file is edited with tomlkit, which keeps comments, order and formatting; only the new
`name = "query"` line is added to `[views]` (created at the end when there is none), or
the one view's entry removed. The result is written beside the file, loaded again as a
check, and only then renamed over it, so a failed write never leaves a broken or
half-written config behind. A file without write permission is refused, not replaced:
the rename would otherwise go through, though the user marked the file read-only.

`read_config_text` and `replace_config` are how every writer of the config (also
`feeds import`) reads and replaces it: a link is written through to its file, the file
keeps its permissions, its line ends (CRLF stays CRLF) and its byte-order mark.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import InlineTable, Table

from sources.model.config import Config, ConfigError, load_config
from sources.model.file_replace import pending_file, write_target

NEW_FILE_HEADER = (
    "# Echowatch configuration (created by the monitor when a view was saved).\n"
    "# Every key and its default: see the README, section Configuration.\n"
)


class ViewNameTaken(ConfigError):
    """The config already has a view (or another `views` key) of that name."""


class ConfigReadOnly(ConfigError):
    """The config file may not be written (its permissions say so)."""


def add_view(
    path: Path,
    name: str,
    query: str,
    *,
    label: str = "",
    check: Callable[[Config], object] | None = None,
) -> None:
    """Add the view `name` to the config at `path` (created if it does not exist).

    `check`: what every command applies to a loaded config beyond this loader
    (`filters.views.check_views`: the view's name and query), run on the new file before
    it replaces the old one; a view the commands would refuse is never written.

    Raises `ViewNameTaken` when the name is in use, `ConfigReadOnly` when the file may not
    be written, `ConfigError` when it cannot be read or would not load afterwards,
    `OSError` when it cannot be written.
    """
    original = read_config_text(path, NEW_FILE_HEADER)
    document = _document(path, original)
    views = document.get("views")
    if views is None:
        views = tomlkit.table()
        document.add("views", views)
    elif not isinstance(views, Table | InlineTable):
        raise ConfigError(f"{path}: key 'views' should be a table; fix it before saving a view")
    if name in views:
        raise ViewNameTaken(f"{path}: a view named {name!r} exists already")
    if label:
        entry = tomlkit.inline_table()
        entry.update({"query": query, "label": label})
        views.add(name, entry)
    else:
        views.add(name, query)
    new_text = tomlkit.dumps(document)
    _check_added(path, new_text, name, query)
    replace_config(path, replace(original, text=new_text), check)


def remove_view(path: Path, name: str) -> None:
    """Delete the view `name` (its line, or its `[views.NAME]` table) from the config at
    `path`; every other line, comments included, stays as written.

    Raises `ConfigError` when the file has no such view or would not load afterwards,
    `ConfigReadOnly` when it may not be written, `OSError` when writing fails.
    """
    original = read_config_text(path)
    document = _document(path, original)
    views = document.get("views")
    if not isinstance(views, Table | InlineTable) or name not in views:
        raise ConfigError(f"{path}: no view named {name!r} in [views]")
    del views[name]
    new_text = tomlkit.dumps(document)
    try:
        left = tomllib.loads(new_text).get("views", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: the view could not be deleted ({exc})") from exc
    if name in left:
        raise ConfigError(f"{path}: the view could not be deleted (it read back)")
    replace_config(path, replace(original, text=new_text))


@dataclass(frozen=True)
class ConfigText:
    """A config file's text to edit, its lines ending in `\n`, and how the file is saved."""

    text: str
    newline: str = "\n"
    """`\r\n` when the file's lines end so (a config saved on Windows): written back so."""
    bom: bool = False
    """The file starts with a UTF-8 byte-order mark (Notepad's "UTF-8 with BOM"): kept."""


_BOM = b"\xef\xbb\xbf"


def read_config_text(path: Path, new_file: str | None = None) -> ConfigText:
    """The config at `path`, to be edited and then given to `replace_config`.

    `new_file`: the text when there is no file yet (None: a missing file is an error).
    Raises `ConfigReadOnly` for a file without write permission, before anything else.
    """
    if new_file is not None and not path.exists():
        return ConfigText(new_file)
    refuse_read_only(path)
    try:
        data = path.read_bytes()
        bom = data.startswith(_BOM)
        text = data.removeprefix(_BOM).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from exc
    # The first line end says how the file is saved; tomlkit and the new lines use `\n`.
    first = text.find("\n")
    newline = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
    return ConfigText(text.replace("\r\n", "\n"), newline, bom)


def _document(path: Path, original: ConfigText) -> tomlkit.TOMLDocument:
    """The config text as an editable document."""
    try:
        return tomlkit.parse(original.text)
    except TOMLKitError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def refuse_read_only(path: Path) -> None:
    """Raise `ConfigReadOnly` when the config file at `path` may not be written."""
    # The mode bits as well as access(): for root, access() allows every write.
    if not path.exists():
        return
    if not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222:
        raise ConfigReadOnly(
            f"{path}: the config file is read-only (no write permission); "
            "allow writing to it, or edit it by hand"
        )


def _check_added(path: Path, text: str, name: str, query: str) -> None:
    """The new text must load as a config and hold exactly the view that was added."""
    try:
        entry = tomllib.loads(text)["views"][name]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: the view could not be added ({exc})") from exc
    saved = entry if isinstance(entry, str) else entry.get("query")
    if saved != query:
        raise ConfigError(f"{path}: the view could not be added (it read back differently)")


def replace_config(
    path: Path, edited: ConfigText, check: Callable[[Config], object] | None = None
) -> None:
    """Replace the config at `path` (through a link: the file it points to) with
    `edited`, saved as the file was (line ends, BOM), once it loads as every command loads
    it and passes `check`; raises `ConfigError` (the file untouched) or `OSError`."""
    write_target(path).parent.mkdir(parents=True, exist_ok=True)
    encoding = "utf-8-sig" if edited.bom else "utf-8"
    with pending_file(path, encoding=encoding, newline=edited.newline) as pending:
        pending.stream.write(edited.text)
        pending.finish()
        try:
            loaded = load_config(pending.temp)  # the whole file still loads (every key)
            if check is not None:
                check(loaded)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(str(pending.temp), str(path))) from None
        pending.commit()
