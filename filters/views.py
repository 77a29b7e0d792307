"""Saved views: named queries from `[views]` in the config, checked like any config key.

A view is a name and a query in the query language (`filters.query`), optionally a label
for the screen and `alert = true` for spike alerts of its own. The config loader in
`sources/` only reads the table (it cannot know the query language); `check_views` is
where a bad query becomes a config error naming the view and the position, and every
command that loads a config calls it.

A view's spike alerts are stored under the series name `view:NAME` (the alerts table's
`topic` column already holds pseudo-series such as `all`; a view name never contains a
colon, so `view:NAME` can never be confused with a topic id the query language accepts).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from filters.query import And, Node, Not, Or, QueryError, TimeBound, parse
from filters.query_caret import caret_lines
from filters.topics import check_topics, topic_ids
from sources.model.config import Config, ConfigError

VIEW_SERIES_PREFIX = "view:"
"""Alerts of a view are stored with `topic = "view:NAME"`."""
NAME_RULE = "letters, digits, '_' and '-' (at most 64, no spaces)"
MOST_NAME_CHARACTERS = 64


def view_name_problem(name: str) -> str | None:
    """What is wrong with `name` as a view name, or None.

    A name is typed on a command line (`--view NAME`) and a TOML key: letters and digits
    of any script (German names are first-class: `Löhne_ausland`; the config writer
    quotes such a key), `_` and `-`. Nothing that splits or hides it: no space, no control
    or invisible character (a zero-width space would make two names look alike). A
    leading `-` is allowed: `--view -ohne` reads it as the name (`app.py`).
    """
    if _valid_name(name):
        return None
    rule = f"a view name may hold only {NAME_RULE}"
    composed = unicodedata.normalize("NFC", name)
    mark = next((c for c in name if unicodedata.combining(c)), None)
    if mark is not None and _valid_name(composed):
        # Text pasted from a PDF spells `ö` as `o` and a combining mark: the name looks
        # right, so the refusal says what it holds and the name to type instead.
        return (
            f"{rule}; this one holds a letter and a combining mark (U+{ord(mark):04X}) "
            f"that look like one letter: write it as {composed!r}"
        )
    return rule


def _valid_name(name: str) -> bool:
    return 0 < len(name) <= MOST_NAME_CHARACTERS and all(c.isalnum() or c in "_-" for c in name)


@dataclass(frozen=True)
class SavedView:
    """One view of the config, its query already checked."""

    name: str
    query: str
    label: str = ""
    alert: bool = False

    @property
    def title(self) -> str:
        """What the screen calls the view: its label, else its name (untrusted: show as text)."""
        return self.label or self.name

    @property
    def series(self) -> str:
        """The alert series of the view (`view:NAME`)."""
        return VIEW_SERIES_PREFIX + self.name

    def as_json(self) -> dict[str, str]:
        """The view as recorded in sidecars and report headers."""
        return {"name": self.name, "query": self.query, "label": self.label}


class UnknownView(LookupError):
    """A view name that the config does not define; the message lists the known ones."""


def view_of_series(series: str) -> str | None:
    """The view name of an alert series, or None for a topic or `all`."""
    return series[len(VIEW_SERIES_PREFIX) :] if series.startswith(VIEW_SERIES_PREFIX) else None


def saved_views(config: Config) -> list[SavedView]:
    """The config's views in file order, every query checked (raises `ConfigError`)."""
    topics = topic_ids(config)
    file = str(config.path) if config.path else "config"
    views = []
    for name, section in config.views.items():
        key = f"views.{name}"
        if problem := view_name_problem(name):
            raise ConfigError(f"{file}: key {key!r}: {problem}")
        problem = query_problem(section.query, topics, alert=section.alert)
        if problem:
            raise ConfigError(f"{file}: key '{key}': {problem}")
        views.append(SavedView(name, section.query.strip(), section.label, section.alert))
    return views


def check_views(config: Config) -> Config:
    """Raise `ConfigError` if a topic or a view of `config` cannot be used (what the loader
    in `sources/` cannot check); returns the config."""
    check_topics(config)
    saved_views(config)
    return config


def query_problem(query: str, topics: tuple[str, ...], *, alert: bool = False) -> str | None:
    """What is wrong with `query` as a view's query (with the position), or None."""
    if not query.strip():
        return "the query must not be empty (a view of everything needs no view)"
    try:
        tree = parse(query, topics=topics)
    except QueryError as exc:
        shown, caret = caret_lines(query, exc.position)
        return f"bad query: {exc}\n  {shown}\n  {caret}"
    if tree is None:  # only words the query ignores (`&`, an emoji): a view of everything
        return "the query has no letters or digits to search for"
    if alert and tree is not None and _has_time_bound(tree):
        return (
            "a view with alert = true cannot use since: or until: (the spike rule counts "
            "every hour itself)"
        )
    return None


def _has_time_bound(node: Node) -> bool:
    if isinstance(node, TimeBound):
        return True
    if isinstance(node, Not):
        return _has_time_bound(node.node)
    if isinstance(node, And | Or):
        return any(_has_time_bound(n) for n in node.nodes)
    return False


def find_view(config: Config, name: str) -> SavedView:
    """The view called `name`; `UnknownView` listing the known names otherwise."""
    views = saved_views(config)
    for view in views:
        if view.name == name:
            return view
    known = ", ".join(v.name for v in views) or "none: add a [views] table to the config"
    raise UnknownView(f"no view named {name!r} (known views: {known})")
