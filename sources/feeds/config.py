"""Adding feeds to a config file without disturbing what is already in it.

`feeds import` edits a file the user wrote by hand: tomlkit keeps its comments, order and
formatting, and only appends `[[feeds]]` tables. The new text is checked with the same
loader as every command before it replaces the old file (atomically), so a failed import
leaves the file as it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import tomlkit

from sources.feeds.opml import OpmlFeed
from sources.model.config import Config, ConfigError, load_config
from sources.model.config_write import temp_file_beside
from sources.model.feed_rules import reserved_name_problem, same_feed_key
from sources.model.shown_text import plain_name

MAX_NAME = 80
"""Longest feed name made from an OPML title (it is shown in a table column)."""


@dataclass
class FeedsAdded:
    added: list[OpmlFeed] = field(default_factory=list)
    """The feeds appended, with the names they were given as `title`."""
    already: list[OpmlFeed] = field(default_factory=list)
    """Feeds whose address the file lists already (left as they are)."""
    renamed: list[str] = field(default_factory=list)
    """Why a feed was not named by its title (a built-in source's name), one line each."""


def default_config_path() -> Path:
    """Where a config file goes when none is named: `config.toml` in the user config dir."""
    from platformdirs import user_config_path

    return user_config_path("echowatch") / "config.toml"


def add_feeds(path: Path, feeds: list[OpmlFeed]) -> FeedsAdded:
    """Append `feeds` to the config at `path` (created if missing); raises `ConfigError`."""
    existing = load_config(path) if path.exists() else Config()
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from exc
    known = {same_feed_key(f.url) for f in existing.feeds}
    names = {f.name for f in existing.feeds}
    result = FeedsAdded()
    for feed in feeds:
        if same_feed_key(feed.url) in known:
            result.already.append(feed)
            continue
        known.add(same_feed_key(feed.url))
        name = _unique_name(feed, names)
        problem = reserved_name_problem(name)
        if problem:  # `mastodon`, `x`: the feed would replace that source, or vice versa
            name = _unique_name(replace(feed, title=f"feed {name}"), names)
            result.renamed.append(f"{feed.title!r} is named {name!r}: {problem}")
        names.add(name)
        result.added.append(OpmlFeed(name, feed.url, feed.category))
    if not result.added:
        return result
    # The old text stays byte for byte; `[[feeds]]` tables are appended after it (valid
    # wherever the file ends). tomlkit writes them, so every title is a correct TOML string.
    blocks = [_feed_table(feed) for feed in result.added]
    separator = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
    new_text = text + separator + "\n".join(blocks)
    _replace(path, new_text)
    return result


def _feed_table(feed: OpmlFeed) -> str:
    """One `[[feeds]]` table as TOML text."""
    table = tomlkit.table()
    if feed.category:
        folder = " ".join(feed.category.split())  # one line: a comment ends at a newline
        table.add(tomlkit.comment(f"in the OPML folder {folder}"))
    table.add("name", feed.title)
    table.add("url", feed.url)
    tables = tomlkit.aot()
    tables.append(table)
    document = tomlkit.document()
    document.append("feeds", tables)
    return tomlkit.dumps(document)


def _unique_name(feed: OpmlFeed, taken: set[str]) -> str:
    """The feed's title as its name (what the user knows it by), made unique."""
    from urllib.parse import urlsplit

    # The name the config will hold (`FeedSection` makes every name plain): taken names
    # are compared in that form, so two titles that look alike get two names.
    base = plain_name(feed.title)[:MAX_NAME] or urlsplit(feed.url).netloc or feed.url
    name, number = base, 2
    while name in taken:
        name, number = f"{base} ({number})", number + 1
    return name


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = temp_file_beside(path)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        try:  # the same checks every command makes, before the new text counts
            load_config(Path(temporary))
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(temporary, str(path))) from None
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
