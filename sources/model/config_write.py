"""Adding or deleting a saved view in the config file, keeping everything else as the user
wrote it.

The file is edited with tomlkit, which keeps comments, order and formatting; only the new
`name = "query"` line is added to `[views]` (created at the end when there is none), or
the one view's entry removed. The result is written beside the file, loaded again as a
check, and only then renamed over it, so a failed write never leaves a broken or
half-written config behind. A file without write permission is refused, not replaced:
the rename would otherwise go through, though the user marked the file read-only.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import InlineTable, Table

from sources.model.config import Config, ConfigError, load_config

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
    document = _document(path, NEW_FILE_HEADER)
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
    _replace(path, new_text, check)


def remove_view(path: Path, name: str) -> None:
    """Delete the view `name` (its line, or its `[views.NAME]` table) from the config at
    `path`; every other line, comments included, stays as written.

    Raises `ConfigError` when the file has no such view or would not load afterwards,
    `ConfigReadOnly` when it may not be written, `OSError` when writing fails.
    """
    document = _document(path, None)
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
    _replace(path, new_text)


def _document(path: Path, new_file: str | None) -> tomlkit.TOMLDocument:
    """The config at `path` as an editable document (`new_file` when there is none yet)."""
    if path.exists():
        _refuse_read_only(path)
    try:
        text = path.read_text("utf-8") if new_file is None or path.exists() else new_file
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from exc
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _refuse_read_only(path: Path) -> None:
    # The mode bits as well as access(): for root, access() allows every write.
    if not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222:
        raise ConfigReadOnly(
            f"{path}: the config file is read-only (no write permission); "
            "allow writing to it, or edit [views] by hand"
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


def temp_file_beside(path: Path, suffix: str = "") -> tuple[int, str]:
    """`tempfile.mkstemp` in the folder of `path`, for the new text that then replaces it.
    A folder that takes no new file is reported as `path` that cannot be written: the
    temporary name tried there means nothing to the user."""
    try:
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        reason = f"{exc.strerror or exc} (its folder takes no new file)"
        raise OSError(exc.errno, reason, str(path)) from exc


def _replace(path: Path, text: str, check: Callable[[Config], object] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, temp_name = temp_file_beside(path, ".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp_name, mode)
        try:
            loaded = load_config(Path(temp_name))  # the whole file still loads (every key)
            if check is not None:
                check(loaded)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(temp_name, str(path))) from None
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
