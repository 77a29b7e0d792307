"""The one typed configuration object, loaded from TOML.

It lives in `sources/` because every layer reads it and `sources/` is the layer every
other one may import. Each section is a dataclass; the loader checks every key and type
against the dataclasses, so a new setting is one new field with a docstring.
"""

from __future__ import annotations

import math
import os
import re
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from datetime import time
from pathlib import Path
from typing import Any

from sources.model.config_file import ConfigFileError, read_toml
from sources.model.feed_rules import reserved_name_problem, same_url_warnings, url_problem
from sources.model.shown_text import plain_name

CONFIG_ENV = "ECHOWATCH_CONFIG"
"""Environment variable naming a config file (used when `--config` is not given)."""
BEARER_ENV = "X_BEARER_TOKEN"
"""Environment variable holding the X API bearer token: never read from a file."""


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file, key and expectation."""


@dataclass(frozen=True)
class CompanySection:
    name: str = "Kestrel"
    """Company name, used in the default X query and in ambassador/parody patterns."""
    handles: list[str] = field(default_factory=lambda: ["Kestrel"])
    """The company's official accounts (default: the demo company's, for it alone)."""
    timezone: str = "Europe/Berlin"
    """Default local time zone of ambassador accounts (for working-hours signals)."""


@dataclass(frozen=True)
class AccountsSection:
    ambassadors: list[str] = field(default_factory=list)
    """Handles known to be employee ambassadors."""
    ambassador_patterns: list[str] = field(
        default_factory=lambda: ["FC Ambassador", "FC Botschafter"]
    )
    """Phrases in a display name or bio that mark an ambassador."""
    parody: list[str] = field(default_factory=list)
    """Handles known to be parody accounts."""
    parody_patterns: list[str] = field(
        default_factory=lambda: ["parody", "parodie", "satire", "fake", "not affiliated"]
    )
    """Phrases in a display name or bio that mark a parody account."""
    press: list[str] = field(default_factory=list)
    """Handles of news outlets and journalists."""
    timezones: dict[str, str] = field(default_factory=dict)
    """Per-account local time zones (`handle = "America/New_York"`)."""


LISTED_ROLES = (
    ("official", "company.handles"),
    ("parody", "accounts.parody"),
    ("ambassador", "accounts.ambassadors"),
    ("press", "accounts.press"),
)
"""The config's account lists, each with the role it gives: an account named in several
is given the role of the first (`filters.roles`), and the config warns about it."""


@dataclass(frozen=True)
class XSection:
    queries: list[str] = field(default_factory=lambda: ["Kestrel -is:retweet"])
    """Recent-search queries polled each round (default: the company's name)."""
    poll_seconds: int = 60
    """Seconds between poll rounds (the bearer token comes from X_BEARER_TOKEN)."""
    mentions_timeline: bool = True
    """Also poll the mentions timeline of each company handle."""
    ambassador_timelines: bool = True
    """Also poll the timelines of known ambassador accounts."""
    max_pages: int = 5
    """Most pages read per query and round, so one busy query cannot eat the budget."""
    stream: bool = False
    """Read `queries` from the filtered stream (needs a plan that includes it)."""


@dataclass(frozen=True)
class FeedSection:
    name: str
    """Short name of the feed, shown in the screen and used in `source:NAME`."""
    url: str
    """Address of the RSS, Atom or RDF document."""
    poll_seconds: int = 300
    """Seconds between polls of this feed."""
    timeout_seconds: int = 20
    """Longest time for the whole answer (connecting, headers and body), however slowly sent."""
    max_megabytes: int = 10
    """Largest feed document accepted (after decompression); bigger ones are refused."""

    def __post_init__(self) -> None:
        # The name as shown is the name stored and typed in `source:` (a zero-width space
        # or a bidi control in it would make the feed unfindable by the name on screen).
        object.__setattr__(self, "name", plain_name(self.name))


@dataclass(frozen=True)
class TopicSection:
    label: str = ""
    """English label."""
    label_de: str = ""
    """German label."""
    en: list[str] = field(default_factory=list)
    """English terms (`*` at the end of a term matches any ending)."""
    de: list[str] = field(default_factory=list)
    """German terms (`*` at the end of a term matches any ending)."""
    replace: bool = False
    """Replace the default vocabulary of this topic instead of extending it."""


@dataclass(frozen=True)
class AlertsSection:
    k: float = 2.0
    """Standard deviations above the baseline mean that make a spike."""
    min_count: int = 5
    """Fewest mentions in the hour for an alert, whatever the baseline."""
    cooldown_minutes: int = 180
    """After an alert on a topic, no new alert for it for this long."""
    baseline_days: int = 7
    """Days of the same hour used as the baseline."""
    bell: bool = False
    """Ring the terminal bell on an alert."""
    notify_command: str = ""
    """Command run for each alert, with the alert as JSON on stdin."""
    notify_timeout_seconds: float = 10.0
    """Seconds `notify_command` may run before it is stopped (its failure is only logged)."""


@dataclass(frozen=True)
class SignalsSection:
    co_reply_seconds: int = 60
    """Two ambassador replies to one post within this many seconds are a co-reply."""
    near_duplicate_jaccard: float = 0.8
    """Word-set Jaccard similarity at which two replies count as one text block."""
    office_hours: str = "08:00-18:00"
    """Local working hours used for the working-hours share."""
    gap_days: float = 7.0
    """A silence longer than this between posts counts as a gap."""
    disclosure_tags: list[str] = field(
        default_factory=lambda: [
            "#BrandAmbassador",
            "#Markenbotschafter",
            "Markenbotschafter",
            "#ad",
            "#Werbung",
            "#employee",
        ]
    )
    """Tags or phrases by which an account discloses its role."""
    min_posts: int = 5
    """Fewest posts before share-based signals (reply share, working hours) are flagged."""
    reply_share_flag: float = 0.9
    """Reply share at or above which an account is flagged as replying only."""
    office_hours_flag: float = 0.8
    """Share of posts in office hours on weekdays at which the pattern is flagged."""
    co_reply_flag: int = 2
    """Co-replies (with any other ambassador) from which an account is flagged."""
    near_duplicate_min_words: int = 4
    """Replies with fewer distinct words are too short to compare as text blocks."""
    topic_min_mentions: int = 3
    """Critics' posts on a topic before an ambassador who never touches it is noted."""


# --- Bluesky and Mastodon (issue 16) ---------------------------------------------------

BLUESKY_HANDLE_ENV = "BLUESKY_HANDLE"
"""Environment variable naming the Bluesky account that searches (never the config)."""
BLUESKY_PASSWORD_ENV = "BLUESKY_APP_PASSWORD"
"""Environment variable holding that account's app password (never the config)."""
MASTODON_TOKEN_ENV = "MASTODON_ACCESS_TOKEN"
"""Environment variable holding a Mastodon access token, needed for search only."""
SECRET_ENVS = (BEARER_ENV, BLUESKY_PASSWORD_ENV, MASTODON_TOKEN_ENV)
"""Every environment variable whose value must never reach the store, logs or exports."""


@dataclass(frozen=True)
class BlueskySection:
    handles: list[str] = field(default_factory=list)
    """Accounts whose author feeds are read (public: no account needed)."""
    queries: list[str] = field(default_factory=list)
    """Post searches (need BLUESKY_HANDLE and BLUESKY_APP_PASSWORD in the environment)."""
    service: str = "https://public.api.bsky.app"
    """The AppView that serves author feeds and profiles."""
    login_service: str = "https://bsky.social"
    """Where the searching account logs in (its PDS or the bsky.social entryway)."""
    poll_seconds: int = 120
    """Seconds between poll rounds."""
    max_pages: int = 3
    """Most pages read per handle or query and round."""
    jetstream: bool = False
    """Also follow the live public Jetstream (no account), filtered locally."""
    jetstream_url: str = "wss://jetstream2.us-east.bsky.network/subscribe"
    """The Jetstream endpoint to subscribe to."""


@dataclass(frozen=True)
class MastodonSection:
    instance: str = ""
    """Base URL of the instance to read from (https://mastodon.social)."""
    hashtags: list[str] = field(default_factory=list)
    """Public hashtag timelines (no account needed), without the `#`."""
    accounts: list[str] = field(default_factory=list)
    """Accounts whose public statuses are read (`name` or `name@other.host`)."""
    queries: list[str] = field(default_factory=list)
    """Status searches (need MASTODON_ACCESS_TOKEN in the environment)."""
    poll_seconds: int = 120
    """Seconds between poll rounds."""
    max_pages: int = 3
    """Most pages read per hashtag, account or query and round."""
    stream: bool = False
    """Also follow the instance's streaming API for the hashtags, where it allows it."""


@dataclass(frozen=True)
class ViewSection:
    query: str
    """The view's query in the query language, e.g. `topic:strikes lang:de has:reply`."""
    label: str = ""
    """What the screen and reports call the view (default: its name)."""
    alert: bool = False
    """Raise spike alerts for the mentions the view selects, by the rule of `[alerts]`."""


@dataclass(frozen=True)
class Config:
    company: CompanySection = field(default_factory=CompanySection)
    """The company being watched."""
    accounts: AccountsSection = field(default_factory=AccountsSection)
    """How account roles are decided."""
    x: XSection = field(default_factory=XSection)
    """The X/Twitter source."""
    feeds: list[FeedSection] = field(default_factory=list)
    """RSS/Atom/RDF feeds to poll."""
    topics: dict[str, TopicSection] = field(default_factory=dict)
    """Extra topics, or changes to the vocabulary of a default topic."""
    alerts: AlertsSection = field(default_factory=AlertsSection)
    """Spike alert rules."""
    signals: SignalsSection = field(default_factory=SignalsSection)
    """Thresholds of the ambassador authenticity signals."""
    bluesky: BlueskySection = field(default_factory=BlueskySection)
    """The Bluesky source (issue 16)."""
    mastodon: MastodonSection = field(default_factory=MastodonSection)
    """The Mastodon source (issue 16)."""
    views: dict[str, ViewSection] = field(default_factory=dict)
    """Saved views: name -> query (`name = "query"`) or a table with query, label, alert.
    Their queries are checked by `filters.views.check_views` (the query language lives there)."""
    path: Path | None = None
    """The file this was loaded from (None for the built-in defaults)."""
    warnings: tuple[str, ...] = ()
    """What the loader found odd but usable (not a key): each command prints them once."""


def find_config_path(explicit: str | os.PathLike[str] | None) -> Path | None:
    """`--config`, else `$ECHOWATCH_CONFIG`, else the user config dir; None when absent."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env)
    default = user_config_file()
    return default if default.exists() else None


def user_config_file() -> Path:
    """The config file in the user config dir (it may not exist yet)."""
    from platformdirs import user_config_path

    return user_config_path("echowatch") / "config.toml"


def load_config(path: Path | None, *, without_view: str | None = None) -> Config:
    """Load and check a config file; defaults when `path` is None.

    `without_view`: the view of that name is left out before anything is read, so
    `views --delete NAME` can remove a view the loader refuses (the user's way out of a
    broken view) while every other key is still checked.
    """
    if path is None:
        return Config()
    try:
        data = read_toml(path)
    except ConfigFileError as exc:
        raise ConfigError(str(exc)) from None
    data = _short_views(_without_view(data, without_view), str(path))
    values = _with_company_defaults(_build(Config, dict(data), str(path), ""), data)
    config = Config(**values, path=path)
    _check_feed_entries(config, str(path))
    _check_feeds(config, str(path))
    _check_social(config, str(path))
    _check_values(config, str(path))
    config = _with_feed_warnings(config, str(path))
    return _with_account_warnings(_with_topic_warnings(config, str(path)), str(path))


def _with_company_defaults(values: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The X query and official handles a config leaves out follow the company it names:
    the built-in ones belong to the demo company, and searching X for it (or polling its
    mentions) on another company's behalf stores unrelated posts and spends paid quota."""
    company: CompanySection = values.get("company", CompanySection())
    if company.name == CompanySection.name:
        return values
    given = data.get("company", {}).keys(), data.get("x", {}).keys()
    if "handles" not in given[0]:
        company = replace(company, handles=[])
    if "queries" not in given[1]:
        x: XSection = values.get("x", XSection())
        values = {**values, "x": replace(x, queries=default_x_queries(company.name))}
    return {**values, "company": company}


def default_x_queries(company: str) -> list[str]:
    """`Acme -is:retweet`; a name of several words (or with X operator characters) is
    quoted as one phrase; a blank name searches for nothing."""
    name = company.strip()
    if not name:
        return []
    if not re.fullmatch(r"\w+", name):
        # X has no escape for a quote inside a phrase; its phrase match ignores
        # punctuation anyway, so the name's own quotes become spaces.
        name = '"' + " ".join(name.replace('"', " ").split()) + '"'
    return [f"{name} -is:retweet"]


def _without_view(data: dict[str, Any], name: str | None) -> dict[str, Any]:
    views = data.get("views")
    if name is None or not isinstance(views, dict) or name not in views:
        return data
    return {**data, "views": {key: value for key, value in views.items() if key != name}}


def _short_views(data: dict[str, Any], file: str) -> dict[str, Any]:
    """`[views]` entries may be a bare query string: the short form of `{query = "..."}`."""
    views = data.get("views")
    if not isinstance(views, dict):
        return data
    tables: dict[str, Any] = {}
    for name, value in views.items():
        if isinstance(value, str):
            tables[name] = {"query": value}
        elif isinstance(value, dict):
            tables[name] = value
        else:
            raise _type_error(file, f"views.{name}", "a query string or a table", value)
    return {**data, "views": tables}


def _build(cls: type, data: dict[str, Any], file: str, prefix: str) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if f.name not in ("path", "warnings")}
    for key in data:
        if key not in known:
            if variable := _secret_variable(prefix, str(key)):
                raise ConfigError(
                    f"{file}: unknown key {_key(prefix + str(key))}: secrets are never read "
                    f"from the config file; set the {variable} environment variable instead"
                )
            expected = ", ".join(sorted(known))
            raise ConfigError(
                f"{file}: unknown key {_key(prefix + str(key))} (expected one of: {expected})"
            )
    values: dict[str, Any] = {}
    for name, spec in known.items():
        key = f"{prefix}{name}"
        if name not in data:
            if spec.default is MISSING and spec.default_factory is MISSING:
                raise ConfigError(f"{file}: missing key '{key}'")
            continue
        values[name] = _convert(hints[name], data[name], file, key)
    return values


def _secret_variable(prefix: str, key: str) -> str | None:
    """The environment variable a secret written into the config belongs in, or None."""
    name = key.lower()
    by_key = {env.lower(): env for env in (*SECRET_ENVS, BLUESKY_HANDLE_ENV)}
    by_key |= {
        "bearer_token": BEARER_ENV,
        "app_password": BLUESKY_PASSWORD_ENV,
        "access_token": MASTODON_TOKEN_ENV,
    }
    by_section = {
        ("x.", "token"): BEARER_ENV,
        ("bluesky.", "password"): BLUESKY_PASSWORD_ENV,
        ("mastodon.", "token"): MASTODON_TOKEN_ENV,
    }
    return by_key.get(name) or by_section.get((prefix, name))


def _convert(kind: Any, value: Any, file: str, key: str) -> Any:
    origin = typing.get_origin(kind)
    if isinstance(kind, type) and is_dataclass(kind):
        if not isinstance(value, dict):
            raise _type_error(file, key, "a table", value)
        return kind(**_build(kind, value, file, f"{key}."))
    if origin is list:
        (item_kind,) = typing.get_args(kind)
        if not isinstance(value, list):
            raise _type_error(file, key, f"a list of {_name(item_kind)}", value)
        return [_convert(item_kind, item, file, f"{key}[{i}]") for i, item in enumerate(value)]
    if origin is dict:
        _, item_kind = typing.get_args(kind)
        if not isinstance(value, dict):
            raise _type_error(file, key, "a table", value)
        return {str(k): _convert(item_kind, v, file, f"{key}.{k}") for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _convert(options[0], value, file, key)
    if kind is bool:
        if not isinstance(value, bool):
            raise _type_error(file, key, "true or false", value)
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(file, key, "a whole number", value)
        if value < 0:
            raise ConfigError(f"{file}: key {_key(key)} must not be negative, got {value}")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _type_error(file, key, "a number", value)
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise _type_error(file, key, "a string", value)
        return value
    raise ConfigError(f"{file}: key '{key}' has a type this version cannot read")


def _name(kind: Any) -> str:
    return {str: "strings", int: "whole numbers", float: "numbers", bool: "booleans"}.get(
        kind, "tables"
    )


def _type_error(file: str, key: str, expected: str, value: Any) -> ConfigError:
    got = {
        bool: "a boolean",
        int: "a whole number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    return ConfigError(f"{file}: key {_key(key)} should be {expected}, got {got} ({value!r})")


def _key(key: str) -> str:
    """A key as an error names it, quoted, from the file: its invisible and control
    characters written as escapes (`'x.poll_seconds\\u200b'`), as the view-name check does,
    so it neither looks like a right key nor loses the characters that make it wrong."""
    return repr(key)


def _check_feeds(config: Config, file: str) -> None:
    seen: set[str] = set()
    for index, feed in enumerate(config.feeds):
        if not feed.name.strip():
            raise ConfigError(f"{file}: key 'feeds[{index}].name' must not be empty")
        if feed.name in seen:
            raise ConfigError(f"{file}: feed name '{feed.name}' is used twice")
        seen.add(feed.name)
        if feed.poll_seconds < 1:
            raise ConfigError(f"{file}: key 'feeds[{index}].poll_seconds' must be at least 1")
        if feed.timeout_seconds < 1 or feed.max_megabytes < 1:
            raise ConfigError(
                f"{file}: keys 'feeds[{index}].timeout_seconds' and 'max_megabytes' "
                "must be at least 1"
            )
        _check_at_most(file, f"feeds[{index}].poll_seconds", feed.poll_seconds, MAX_POLL_SECONDS)
        _check_at_most(
            file, f"feeds[{index}].timeout_seconds", feed.timeout_seconds, MAX_TIMEOUT_SECONDS
        )


def _check_feed_entries(config: Config, file: str) -> None:
    """Each feed's address can be polled, and its name is not a built-in source's (which
    would replace that source, or be replaced by it, without a word)."""
    for index, feed in enumerate(config.feeds):
        problem = url_problem(feed.url, ("http", "https", "file"))
        if problem:
            raise ConfigError(
                f"{file}: key 'feeds[{index}].url' of feed '{feed.name}': {feed.url!r} {problem}"
            )
        problem = reserved_name_problem(feed.name)
        if problem:
            raise ConfigError(
                f"{file}: key 'feeds[{index}].name': {problem}; give the feed another name"
            )


def _with_feed_warnings(config: Config, file: str) -> Config:
    """Two feeds with one address still load (configs that have them keep working), with
    a warning naming both."""
    found = same_url_warnings((feed.name, feed.url) for feed in config.feeds)
    return replace(config, warnings=(*config.warnings, *(f"{file}: {w}" for w in found)))


def _with_account_warnings(config: Config, file: str) -> Config:
    """A handle in two account lists (ambassador and parody) still loads, with a warning
    saying which list decides: silently one of them looked like the other was ignored."""
    lists = {
        "company.handles": config.company.handles,
        "accounts.parody": config.accounts.parody,
        "accounts.ambassadors": config.accounts.ambassadors,
        "accounts.press": config.accounts.press,
    }
    sections: dict[str, list[str]] = {}
    spelled: dict[str, str] = {}
    for _, section in LISTED_ROLES:
        for handle in lists[section]:
            key = handle.strip().lstrip("@").lower()
            if key and section not in sections.setdefault(key, []):
                sections[key].append(section)
                spelled.setdefault(key, handle.strip().lstrip("@"))
    roles = dict((section, role) for role, section in LISTED_ROLES)
    order = ", ".join(section for _, section in LISTED_ROLES)
    found = [
        f"{file}: '@{spelled[key]}' is in {' and '.join(named)}: it counts as "
        f"{roles[named[0]]} (the first of {order} that names an account decides); "
        "remove it from the other list"
        for key, named in sections.items()
        if len(named) > 1
    ]
    return replace(config, warnings=(*config.warnings, *found))


def _with_topic_warnings(config: Config, file: str) -> Config:
    """`replace = true` with no terms still loads (a way to switch a default topic off),
    with a warning: silently matching nothing looked like a broken topic."""
    found = [
        f"{file}: topic '{topic_id}' has no terms: it matches nothing "
        f"(key 'topics.{topic_id}' has replace = true and no en or de terms)"
        for topic_id, topic in config.topics.items()
        if topic.replace and not (topic.en or topic.de)
    ]
    return replace(config, warnings=(*config.warnings, *found))


def _check_social(config: Config, file: str) -> None:
    for key, url in (
        ("bluesky.service", config.bluesky.service),
        ("bluesky.login_service", config.bluesky.login_service),
        ("mastodon.instance", config.mastodon.instance),
    ):
        problem = url_problem(url) if url else None
        if problem:
            raise ConfigError(f"{file}: key '{key}': {url!r} {problem}")
    if not config.bluesky.jetstream_url.startswith(("ws://", "wss://")):
        raise ConfigError(
            f"{file}: key 'bluesky.jetstream_url' should be a ws(s) address, "
            f"got {config.bluesky.jetstream_url!r}"
        )
    masto = config.mastodon
    if (masto.hashtags or masto.accounts or masto.queries) and not masto.instance:
        raise ConfigError(f"{file}: key 'mastodon.instance' is needed to read from Mastodon")
    for index, tag in enumerate(masto.hashtags):
        if len(tag.split()) > 1:  # the timeline of "ver di" is asked for, and always empty
            raise ConfigError(
                f"{file}: key 'mastodon.hashtags[{index}]': {tag!r} is not a hashtag "
                "(hashtags have no spaces: write it as one word, or as two hashtags)"
            )
    for section, poll in (
        ("bluesky", config.bluesky.poll_seconds),
        ("mastodon", masto.poll_seconds),
    ):
        if poll < 1:
            raise ConfigError(f"{file}: key '{section}.poll_seconds' must be at least 1")
        _check_at_most(file, f"{section}.poll_seconds", poll, MAX_POLL_SECONDS)


# --- values that parse but cannot be meant ------------------------------------------------

MAX_POLL_SECONDS = 7 * 24 * 3600
"""The longest interval between two polls of a source: a week. A longer one is a typo,
and a huge one overflows the date arithmetic of the schedule."""
MAX_TIMEOUT_SECONDS = 3600
"""The longest wait for one feed's whole answer: an hour."""


def _check_at_most(file: str, key: str, value: int, most: int) -> None:
    if value > most:
        raise ConfigError(
            f"{file}: key '{key}' must be at most {most} ({_span(most)}), got {value}"
        )


def _span(seconds: int) -> str:
    days, hours = seconds // 86400, seconds // 3600
    return f"{days} days" if days > 1 else f"{hours} hour" + ("s" if hours != 1 else "")


_AT_LEAST_ONE = {
    "x": ("poll_seconds", "max_pages"),
    "bluesky": ("max_pages",),
    "mastodon": ("max_pages",),
    "alerts": ("min_count", "baseline_days"),
    "signals": (
        "co_reply_seconds",
        "min_posts",
        "co_reply_flag",
        "near_duplicate_min_words",
        "topic_min_mentions",
    ),
}
"""Whole-number keys for which 0 makes no sense (a count, a period, a page budget)."""
_POSITIVE = {"alerts": ("k", "notify_timeout_seconds"), "signals": ("gap_days",)}
"""Number keys that must be above 0 (a threshold of 0 standard deviations is no spike)."""
_SHARES = {"signals": ("near_duplicate_jaccard", "reply_share_flag", "office_hours_flag")}
"""Shares and similarities: between 0 and 1."""


def _check_values(config: Config, file: str) -> None:
    """Refuse values that parse but cannot be meant, naming the key (checked at load, so
    a bad one stops the command at once instead of surfacing in some later report)."""
    for section, keys in _AT_LEAST_ONE.items():
        for key in keys:
            if getattr(getattr(config, section), key) < 1:
                raise ConfigError(f"{file}: key '{section}.{key}' must be at least 1")
    _check_at_most(file, "x.poll_seconds", config.x.poll_seconds, MAX_POLL_SECONDS)
    for section, keys in _POSITIVE.items():
        for key in keys:
            value = getattr(getattr(config, section), key)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(
                    f"{file}: key '{section}.{key}' must be a number above 0, got {value}"
                )
    for section, keys in _SHARES.items():
        for key in keys:
            value = getattr(getattr(config, section), key)
            if not 0 <= value <= 1:  # also false for nan
                raise ConfigError(
                    f"{file}: key '{section}.{key}' must be between 0 and 1, got {value}"
                )
    _check_zone(config.company.timezone, file, "company.timezone")
    for handle, zone in config.accounts.timezones.items():
        _check_zone(zone, file, f"accounts.timezones.{handle}")
    try:
        parse_office_hours(config.signals.office_hours)
    except ValueError as exc:
        raise ConfigError(f"{file}: key 'signals.office_hours': {exc}") from None


def _check_zone(name: str, file: str, key: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{file}: key {_key(key)}: unknown time zone {name!r} (an IANA name such as "
            "'Europe/Berlin' or 'America/New_York')"
        ) from None


def parse_office_hours(value: str) -> tuple[time, time]:
    """`"08:00-18:00"` -> (08:00, 18:00); ValueError naming the problem otherwise."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
    if match is None:
        raise ValueError(f"office hours should look like 08:00-18:00, got {value!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 23, 59
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise ValueError(f"office hours {value!r}: {exc}") from None
    if start >= end:
        raise ValueError(f"office hours {value!r}: the start must be before the end")
    return start, end
