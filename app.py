"""Echowatch's command line and composition root: parse arguments, wire the layers.

Each subcommand is a `_add_<name>` function that declares its arguments and a `_run_<name>`
that does the work by calling into `cache/`, `filters/`, `sources/` or `tui/`.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from cache.db.store import (
    Store,
    StoreError,
    default_db_path,
    demo_db_path,
    describe_sqlite_error,
    why_not_writable,
    write_refusal,
)
from cache.db.upgrade import StoreUpgrade, upgrade_notices
from cache.live.demo_policy import runs_demo
from cache.read.first_page import newest_mentions
from filters.classify import Classifier
from sources.model.config import (
    SECRET_ENVS,
    Config,
    ConfigError,
    find_config_path,
    load_config,
)
from sources.model.counted import counted
from sources.model.secret_env import withheld_secrets
from sources.model.shown_text import json_text, shown_text
from tui.first_paint import EarlyScreen, paint

if TYPE_CHECKING:
    from cache.alerts.rules import Alert
    from filters.views import SavedView

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

Runner = Callable[[argparse.Namespace], int]
Subparsers = argparse._SubParsersAction


def say(text: str, file: TextIO | None = None) -> None:
    """Print `text` for a person (standard output unless `file`), cleaned for a terminal.

    What the commands print quotes posts, names, feed titles, archive queries, configs and
    errors about them: escape sequences, controls and bidi overrides are removed (line
    breaks kept). JSON output is not text for a person: it goes through `json_text`.
    """
    print(shown_text(text), file=file or sys.stdout)


# A command's own `--db`/`--config` default to SUPPRESS: with a default of None, argparse
# would overwrite the value given before the command (`app.py --db X import F` imported
# into the default store). The top-level parser supplies the None.
def _store_args(parser: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    parser.add_argument(
        "--db", metavar="PATH", default=default, help="store file (default: the user data dir)"
    )


def _config_args(parser: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        type=config_path_arg,
        default=default,
        help="config file (default: $ECHOWATCH_CONFIG, then the user config dir)",
    )


def config_path_arg(text: str) -> str:
    """argparse type for `--config`: an empty path (`--config "$CFG"` with CFG unset in a
    script) is refused; taken as "not given" it would run the user's own config."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "empty path: name a config file, or leave --config out to use the default one"
        )
    return text


def load_config_from(args: argparse.Namespace, *, without_view: str | None = None) -> Config:
    """The checked config of the command (`without_view`: that view left out unread)."""
    explicit = getattr(args, "config", None)
    if not hasattr(args, "db"):
        path = find_config_path(explicit)
    else:
        from cache.live.demo_policy import config_path_for

        path = config_path_for(db_path_from(args), explicit)
    return checked(load_config(path, without_view=without_view))


def checked(config: Config) -> Config:
    """The config, once its topics' terms and saved views' queries are checked (the term
    rules and the query language live in `filters/`, which the loader in `sources/` cannot
    use)."""
    from filters.views import check_views

    check_views(config)
    _warn_once(config.warnings)
    return config


_WARNED: set[str] = set()
"""Config warnings printed already: a command may load its config more than once."""


def _warn_once(warnings: Sequence[str]) -> None:
    for warning in warnings:
        if warning not in _WARNED:
            _WARNED.add(warning)
            say(f"echowatch: warning: {warning}", file=sys.stderr)


def db_path_from(args: argparse.Namespace) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def open_store(args: argparse.Namespace, *, readonly: bool = False) -> Store:
    # A reader may upgrade a store an older version wrote; never under --read-only.
    upgrade = not getattr(args, "read_only", False)
    return Store.open(db_path_from(args), readonly=readonly, upgrade=upgrade)


def refused_read_only(args: argparse.Namespace, command: str, nothing_done: str) -> bool:
    """Whether the global `--read-only` refuses a command that cannot help writing (said
    on stderr as `views --delete` says it): the flag promises that nothing is written."""
    if not getattr(args, "read_only", False):
        return False
    say(f"echowatch {command}: {nothing_done}: --read-only writes nothing", file=sys.stderr)
    return True


def reclassify_if_config_changed(store: Store, classifier: Classifier) -> None:
    """Before writing: re-apply topics and roles to stored mentions if the rules changed."""
    from cache.write.reclassify import reclassify_if_changed

    result = reclassify_if_changed(store, classifier)
    if result is not None:
        say(
            f"classification rules changed: re-classified {result.mentions_changed} of "
            f"{result.mentions_checked} mentions and {result.accounts_changed} of "
            f"{result.accounts_checked} accounts",
            file=sys.stderr,
        )


def warn_if_rules_changed(store: Store, config: Config) -> None:
    """Before reading: say when the store's roles or topics are from other rules than the
    config's (its lists edited since the last write), which only a writer applies."""
    from cache.read.stale_rules import stale_rules_note

    note = stale_rules_note(store, config)
    if note:
        _warn_once([note])


# --- import ---------------------------------------------------------------------------


def _add_import(sub: Subparsers) -> Runner:
    parser = sub.add_parser(
        "import",
        help="load saved X (Twitter API v2), Bluesky and Mastodon answers and RSS/Atom/RDF files",
        description="Load archives into the store. X (Twitter API v2): a response object, "
        "JSON Lines of response pages (twarc2), one tweet per line, or a filtered-stream "
        "capture. Bluesky: saved searchPosts, getAuthorFeed, getTimeline or getPostThread "
        "answers, or a Jetstream capture (JSON Lines). Mastodon: saved status lists, "
        "statuses, search answers or thread contexts. Feeds: RSS, Atom or RDF files. Files "
        "may be gzip-compressed; - reads standard input. Importing the same file again "
        "changes nothing. X retweets are kept aside, not counted as mentions (the posts "
        "they repost are), and an edited post is one mention.",
        epilog="exit status: 0 every file was read (lines skipped inside a file are listed, "
        "they are no failure); 1 at least one file could not be read at all (the others "
        "are still imported); 2 a usage or config error (nothing imported).",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", type=Path, help="files to import (- for stdin)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="load the whole bundled demo scenario instead, into the demo's own store "
        "unless --db names another (never your own store; classified with the demo's "
        "own config unless --config is given)",
    )
    parser.add_argument(
        "--batch",
        type=_positive_int,
        default=None,
        metavar="N",
        help="mentions per transaction (default 20000): smaller batches use less memory "
        "and a killed import redoes less; larger ones are faster",
    )
    parser.add_argument(
        "--max-line-mb",
        type=_positive_float,
        default=4.0,
        metavar="MB",
        help="longest JSON line read (default 4 MiB); a longer line is skipped with its "
        "line number and size, without being read into memory",
    )
    parser.add_argument(
        "--instance",
        type=_instance_host,
        default=None,
        metavar="HOST",
        help="the Mastodon instance saved Mastodon answers came from (mastodon.social), "
        "for answers that do not say: their status ids are that instance's own, and "
        "statuses whose instance is unknown are skipped",
    )
    _store_args(parser)
    _config_args(parser)
    return _run_import


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text}")
    return value


_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?")


def _instance_host(text: str) -> str:
    """`--instance`: a host (`mastodon.social`) or an instance's address, as its host."""
    from sources.mastodon.statuses import host_of
    from sources.model.feed_rules import url_problem

    try:
        host = host_of(text.strip())
    except ValueError:  # what urlsplit cannot take apart (`http://[::1`)
        host = ""
    if not _HOST.fullmatch(host):
        raise argparse.ArgumentTypeError(
            f"expected a host name such as mastodon.social, got {text!r}"
        )
    # The port is checked as `[mastodon] instance` and a feed's address are: `host:99999`
    # or `host:0` would store every status again under an instance that cannot exist.
    problem = url_problem(f"https://{host}")
    if problem:
        raise argparse.ArgumentTypeError(f"{text!r} {problem}")
    return host


def _run_import(args: argparse.Namespace) -> int:
    from cache.write.importer import import_paths
    from filters.classify import Classifier

    if args.demo:
        if args.paths:
            say("echowatch import: --demo takes no PATH", file=sys.stderr)
            return EXIT_USAGE
        if refused_read_only(args, "import", "nothing imported"):
            return EXIT_USAGE
        return _run_import_demo(args)
    if not args.paths:
        say("echowatch import: give at least one PATH (or --demo)", file=sys.stderr)
        return EXIT_USAGE
    if refused_read_only(args, "import", "nothing imported"):
        return EXIT_USAGE
    config = load_config_from(args)
    classifier = Classifier(config)
    with open_store(args) as store, _stop_on_signals() as stop:
        reclassify_if_config_changed(store, classifier)
        report = import_paths(
            store,
            args.paths,
            classifier,
            batch=args.batch,
            stdin=sys.stdin.buffer,
            max_line_bytes=int(args.max_line_mb * 1024 * 1024),
            stop=stop,
            mastodon_instance=args.instance or "",
        )
    totals = report.totals
    say(
        f"imported {totals.new} new, {totals.updated} updated, {totals.skipped} skipped "
        f"({totals.unchanged} unchanged, {totals.accounts} accounts new or changed, "
        f"{report.files_read} of {len(args.paths)} files read)"
    )
    if totals.reposts:
        say(
            f"  note {totals.reposts} retweets kept aside: no mentions of their own "
            "(the posts they repost are stored as mentions)"
        )
    if totals.versions:
        say(
            f"  note {totals.versions} earlier versions of edited posts kept aside: the edited "
            "post is one mention, its newest version"
        )
    if report.times_from_ids:
        say(
            f"  note {report.times_from_ids} posts had no created_at: their time is the one "
            "their id encodes (derived; their stored payload has no created_at)"
        )
    for skipped in report.skipped:
        say(f"  skipped {skipped.where}: {skipped.reason}")
    for warning in report.warnings:
        say(f"  warning {warning}")
    for problem in report.unreadable:
        say(f"  error {problem}", file=sys.stderr)
    if report.interrupted:
        say(
            f"echowatch import: interrupted by {stop.signal_name}: {totals.new} new and "
            f"{totals.updated} updated mentions were stored before it; run the same import "
            "again to add the rest (nothing stored twice)",
            file=sys.stderr,
        )
        return 128 + stop.signal_number
    if report.unreadable:
        return EXIT_FAILED
    return EXIT_OK


class _SignalStop(threading.Event):
    """Set by SIGTERM or SIGINT; remembers which one, for the message and the exit code."""

    signal_number = 0
    signal_name = ""


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[_SignalStop]:
    """SIGTERM and Ctrl-C ask the import to stop after the transaction being written,
    instead of killing it mid-batch with no word about what was stored."""
    import signal

    stop = _SignalStop()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # only the main thread may handle signals (an embedding caller's)
        return

    def on_signal(signum: int, frame: object) -> None:
        stop.signal_number, stop.signal_name = signum, signal.Signals(signum).name
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_import_demo(args: argparse.Namespace) -> int:
    from cache.live.demo import load_demo
    from cache.live.demo_policy import DemoStoreRefused, claim_demo_store, demo_store_path
    from filters.classify import Classifier
    from sources.demo import demo_config_path

    config = checked(load_config(Path(args.config) if args.config else demo_config_path()))
    # The monitor's rule (cache.live.demo_policy): the demo goes into its own store, never into
    # the user's, nor into any store that holds real mentions.
    path = demo_store_path(args.db)
    try:
        claim_demo_store(path)
    except DemoStoreRefused as exc:
        say(f"echowatch import: {exc}", file=sys.stderr)
        return EXIT_USAGE
    warnings: list[str] = []
    with Store.open(path) as store:
        classifier = Classifier(config)
        reclassify_if_config_changed(store, classifier)
        totals = load_demo(store, classifier, on_warning=warnings.append)
    say(
        f"imported {totals.new} new, {totals.updated} updated, {totals.skipped} skipped "
        f"(the demo scenario; {totals.unchanged} unchanged, "
        f"{totals.accounts} accounts new or changed) "
        f"into {path}"
    )
    for warning in warnings:
        say(f"  warning {warning}")
    return EXIT_OK


# --- export ---------------------------------------------------------------------------

EXPORT_FORMATS: dict[str, tuple[str, ...]] = {
    "mentions": ("csv", "jsonl", "md", "html"),
    "threads": ("json", "md"),
    "ambassadors": ("csv", "json", "md"),
}
"""Per `--report`, the formats it can be written in; the first is the default."""


def _add_export(sub: Subparsers) -> Runner:
    parser = sub.add_parser(
        "export",
        help="write mentions or a report of them, newest first",
        description="Export what the query selects: the mentions themselves (default) or a "
        "report. A file is written atomically: a crash never leaves half of one.",
        epilog="CSV rows end in CRLF (RFC 4180). A CSV file (-o FILE) starts with a UTF-8 "
        "byte-order mark so that spreadsheets read it as UTF-8; standard output has none. "
        "HTML and Markdown reports list the newest 1,000 mentions (their counts and trends "
        "cover all); --format csv or jsonl writes every one.",
    )
    parser.add_argument(
        "--report",
        choices=sorted(EXPORT_FORMATS),
        default="mentions",
        help="what to export (default: mentions)",
    )
    all_formats = sorted({f for formats in EXPORT_FORMATS.values() for f in formats})
    per_report = "; ".join(
        f"{report}: {', '.join(formats)}" for report, formats in EXPORT_FORMATS.items()
    )
    parser.add_argument(
        "--format",
        choices=all_formats,
        default=None,
        metavar="FORMAT",
        help=f"file format, per report ({per_report}); default: the first",
    )
    parser.add_argument("--query", default="", metavar="TEXT", help="only mentions matching")
    parser.add_argument(
        "--view",
        metavar="NAME",
        help="only mentions of this saved view ([views] in the config); with --query, "
        "mentions matching both",
    )
    parser.add_argument(
        "--ids",
        action="store_true",
        help="write only the ids of the X posts, one per line (the form in which tweet data "
        "may be shared)",
    )
    parser.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="output file, or - for standard output (default)",
    )
    _store_args(parser)
    _config_args(parser)
    return _run_export


def _run_export(args: argparse.Namespace) -> int:
    import sqlite3
    from dataclasses import replace

    from cache.export.request import ExportRequest
    from cache.export.run import SidecarNotWritten, export_to
    from cache.export.target import ExportTargetError
    from cache.read.search import QueryError, query_selection, rare_topics
    from cache.read.views import combined_query
    from filters.topics import topic_ids
    from sources.model.records import utc_now

    formats = EXPORT_FORMATS[args.report]
    fmt = args.format or formats[0]
    if args.ids:
        if args.report != "mentions" or args.format:
            say(
                "echowatch export: --ids writes plain post ids: leave out --report and --format",
                file=sys.stderr,
            )
            return EXIT_USAGE
        fmt = "ids"
    elif fmt not in formats:
        say(
            f"echowatch export: --report {args.report} is written as "
            f"{' or '.join(formats)}, not {fmt}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.report == "ambassadors" and (args.view or args.query):
        # The report profiles every ambassador over all stored posts: a selection it
        # would silently ignore must not look applied.
        flag = "--view" if args.view else "--query"
        say(
            f"echowatch export: --report ambassadors covers every ambassador: it takes no {flag}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    config = load_config_from(args)
    captured_at = utc_now()
    try:
        # Checked alone first, so that a mistake's position is a column of --query.
        query_selection(args.query, captured_at, topics=topic_ids(config))
    except QueryError as exc:
        say(f"echowatch export: bad query: {exc}", file=sys.stderr)
        return EXIT_USAGE
    view = _export_view(args, config)
    if isinstance(view, int):
        return view
    query = combined_query(view, args.query)
    try:
        # Each is fine alone; together they may nest or hold more than a query may.
        selection = query_selection(query, captured_at, topics=topic_ids(config))
    except QueryError as exc:
        say(f"echowatch export: bad query: --view and --query together: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # A spreadsheet recognises UTF-8 CSV by its byte-order mark; streams stay plain.
    encoding = "utf-8-sig" if fmt == "csv" and args.output != "-" else "utf-8"
    request = ExportRequest(
        report=args.report,
        format=fmt,
        query=query,
        selection=selection,
        config=config,
        output=args.output,
        captured_at=captured_at,
        view=view,
    )
    with open_store(args, readonly=True) as store:
        warn_if_rules_changed(store, config)
        # Checked above before touching the store; compiled again knowing its rare topics.
        rare = rare_topics(store, topic_ids(config))
        request = replace(
            request,
            selection=query_selection(
                query, captured_at, topics=topic_ids(config), rare_topics=rare
            ),
        )
        try:
            count = export_to(store, request, encoding=encoding)
        except sqlite3.OperationalError as exc:
            say(f"echowatch export: the query cannot be run: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except ExportTargetError as exc:
            say(f"echowatch export: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except SidecarNotWritten as exc:
            say(f"echowatch export: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except BrokenPipeError:
            raise
        except OSError as exc:  # no space, no permission, no such folder: say so, keep the old file
            return _export_write_failed(args.output, exc)
    if args.output != "-":
        what = "id" if args.ids else "row"
        say(f"exported {counted(count, what)} to {args.output}", file=sys.stderr)
    return EXIT_OK


def _export_view(args: argparse.Namespace, config: Config) -> SavedView | int | None:
    """The saved view `--view` names (None without it), or the exit code of a usage error."""
    from filters.views import UnknownView, find_view

    if not args.view:
        return None
    try:
        return find_view(config, args.view)
    except UnknownView as exc:
        say(f"echowatch export: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE


def _export_write_failed(output: str, exc: OSError) -> int:
    import os

    where = "standard output" if output == "-" else output
    say(
        f"echowatch export: cannot write {where}: {exc.strerror or exc}; "
        "no partial file was left behind",
        file=sys.stderr,
    )
    if output == "-":  # the unwritable buffer would fail again at exit: drop it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_FAILED


# --- status ---------------------------------------------------------------------------


def _add_status(sub: Subparsers) -> Runner:
    parser = sub.add_parser("status", help="mentions per platform and source, source health")
    _store_args(parser)
    return _run_status


def _run_status(args: argparse.Namespace) -> int:
    from cache.read.status import format_status, store_status

    with open_store(args, readonly=True) as store:
        say(format_status(store_status(store)))
        # The one command that answers "is my store all right": it checks every page.
        damage = store.damage()
    if damage:
        say(f"echowatch: {damage}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


# --- collect --------------------------------------------------------------------------


def _add_collect(sub: Subparsers) -> Runner:
    parser = sub.add_parser(
        "collect",
        help="poll the configured sources (X, Bluesky, Mastodon, RSS/Atom feeds) and store "
        "what arrives",
        description="Run every configured source on its schedule and store new mentions: "
        "X queries, mentions, timelines and the filtered stream ([x]), Bluesky and Mastodon "
        "handles, hashtags, accounts, queries and streams ([bluesky], [mastodon]), and "
        "RSS/Atom/RDF feeds ([[feeds]]). Logs one line per poll to stderr. SIGINT/SIGTERM "
        "finish the current write and exit.",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="poll every source once and exit: 0 all succeeded, 1 some failed, 2 bad config",
    )
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="log failures only")
    noise.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log skipped items too (without it, a feed item that cannot be stored is named "
        "once, at the first poll that skips it)",
    )
    _store_args(parser)
    _config_args(parser)
    return _run_collect


def _run_collect(args: argparse.Namespace) -> int:
    import signal
    import threading

    from cache.alerts.watch import AlertWatcher
    from cache.live.collector import Collector, nothing_to_poll
    from cache.live.poll_report import PollReport, describe_report, describe_warning
    from filters.classify import Classifier

    if refused_read_only(args, "collect", "nothing polled"):
        return EXIT_USAGE
    path = find_config_path(args.config)
    if path is None:
        say(
            "echowatch collect: nothing configured to collect: give --config PATH, set "
            "$ECHOWATCH_CONFIG, or create a config file in the user config dir",
            file=sys.stderr,
        )
        return EXIT_USAGE
    config = checked(load_config(path))
    collector = Collector(config, db_path_from(args))
    if not collector.sources:  # said before the store is opened: none is made for nothing
        say(
            f"echowatch collect: nothing to poll in {path}: {nothing_to_poll(config)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with open_store(args) as store:
        reclassify_if_config_changed(store, Classifier(config))
    log = _collect_logging(args)
    # Spike alerts are judged after every stored page and logged (with notify_command).
    collector.add_listener(AlertWatcher(config, db_path=db_path_from(args)).on_batch)
    stop = threading.Event()

    from filters.views import check_views
    from sources.model.config_watch import ConfigWatch

    # The sources are built once: an edit while collecting is said, not applied.
    config_watch = ConfigWatch(path, check=check_views)

    def log_report(report: PollReport) -> None:
        log.log(logging.ERROR if report.error else logging.INFO, "%s", describe_report(report))
        if change := config_watch.change():
            log.warning("%s", change.describe("collect"))
        for warning in report.warnings:
            log.warning("%s", describe_warning(report, warning))
        for skipped in report.verbose:
            log.debug("%s", describe_warning(report, skipped))

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if not args.once:
            if collector.run_forever(stop, on_report=log_report):
                say(
                    f"echowatch collect: no source left to poll: all {len(collector.sources)} "
                    "stopped for good (see their errors above); fix them and start again",
                    file=sys.stderr,
                )
                return EXIT_FAILED
            return EXIT_OK
        reports = collector.run_once(stop)
        for report in reports:
            log_report(report)
        failed = [r for r in reports if r.error]
        if failed:
            total = len(collector.sources)
            say(f"collect: {len(failed)} of {total} sources failed:", file=sys.stderr)
            for report in failed:
                say(f"  {report.name}: {report.error}", file=sys.stderr)
        return EXIT_FAILED if failed else EXIT_OK
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for log_handler in list(log.handlers):
            log.removeHandler(log_handler)
        # Hand the logger back as it was found: a program (or a test run) that calls
        # `collect` in-process must see echowatch's records through its own handlers again.
        log.propagate = True
        log.setLevel(logging.NOTSET)


class _TerminalLog(logging.Filter):
    """Every log line as a terminal may show it: through the one redaction (secrets, bearer
    tokens, Authorization), then cleaned as printed text is (`say`): the lines name feeds
    and queries and quote what servers answered."""

    def __init__(self, tokens: Sequence[str] = ()) -> None:
        super().__init__()
        self.tokens = list(tokens)

    def filter(self, record: logging.LogRecord) -> bool:
        from sources.model.redact import redact

        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = shown_text(redact(message, self.tokens))
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_text:
            record.exc_text = shown_text(redact(record.exc_text, self.tokens))
        return True


def _clean_unhandled_logs() -> None:
    """Records no handler takes (a warning while exporting, a crash in `serve`'s collector)
    reach stderr through logging's last resort: they are cleaned as well."""
    last = logging.lastResort
    if last is not None and not any(isinstance(f, _TerminalLog) for f in last.filters):
        last.addFilter(_TerminalLog())


def _collect_logging(args: argparse.Namespace) -> logging.Logger:
    """A stderr logger for the collector that can never print a token or password."""
    from sources.model.secret_env import source_environ

    env = source_environ()
    tokens = [t for t in (env.get(name, "") for name in SECRET_ENVS) if t]

    # tweepy logs request headers, bearer token included, at DEBUG: never let that through.
    logging.getLogger("tweepy").setLevel(logging.WARNING)
    log = logging.getLogger("echowatch")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    handler.addFilter(_TerminalLog(tokens))
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.ERROR if args.quiet else logging.DEBUG if args.verbose else logging.INFO)
    return log


# --- alerts ---------------------------------------------------------------------------


ALERTS_EPILOG = """\
the rule:
  For each topic and for all mentions (`all`), the count of each clock hour (UTC) is
  compared with the same hour on the previous baseline_days days (the previous 12 hours
  while the store is younger than a day). An hour is hot when its count exceeds
  mean + k x stdev (stdev never below sqrt(mean)) and reaches min_count. One spike is one
  alert; it ends after cooldown_minutes without an hour above mean + 1 x stdev.

notify_command ([alerts] in the config):
  Runs through /bin/sh for each live alert, with one JSON object on standard input: the
  alert's fields (topic, started_at, count, baseline, stdev, threshold, k, min_count,
  baseline_kind, baseline_hours, peak_count, peak_at, last_hot_at, top_ids, top_sources,
  mode, raised_at), `summary` (one line) and `top_posts` (id, author, author_name, text,
  url, created_at, source; `stored` false when a post is not in the store yet).
  The secrets {secrets}
  are removed from its environment; it is stopped after
  notify_timeout_seconds. The README's section "Spike alerts" has more.
""".format(secrets=", ".join(SECRET_ENVS[:-1]) + " and " + SECRET_ENVS[-1])


def _add_alerts(sub: Subparsers) -> Runner:
    parser = sub.add_parser(
        "alerts",
        help="list the spike alerts of the store, newest first",
        description="List the store's spike alerts, newest first. Hours not judged yet (a "
        "store that no collector watched: an import, the demo) are judged first, exactly as "
        "the live rule would have, and the alerts found are stored. When the alert rule "
        "changed since the history was judged ([alerts], the [topics], an alerting view's "
        "query), the whole history is judged again first, once: alerts the rule now in "
        "force would not raise are withdrawn, those it would raise are added (as history).",
        epilog=ALERTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output (default: text)"
    )
    parser.add_argument(
        "--notify-dry-run",
        action="store_true",
        help="print the JSON that notify_command gets for the newest alert (with its top "
        "posts' text, author and link) instead of the list; runs nothing, marks nothing. "
        "Pipe it into your command to try it: alerts --notify-dry-run | my-notifier",
    )
    _store_args(parser)
    _config_args(parser)
    return _run_alerts


def _run_alerts(args: argparse.Namespace) -> int:
    config = load_config_from(args)
    path = db_path_from(args)
    # Judging history writes what it finds: `--read-only` lists, as a store that cannot be
    # written does, rather than refusing what is there to read.
    read_only = why_not_writable(path)
    unwritable = f"the store is read-only ({read_only})" if read_only else None
    if args.read_only:
        unwritable = "--read-only writes nothing"
    try:
        return _alerts_listed(args, config, unwritable)
    except (StoreError, sqlite3.OperationalError) as exc:
        # A full disk shows only when judging writes: reading what is stored needs no space.
        refused = None if unwritable else write_refusal(exc)
        if refused is None:
            raise
        return _alerts_listed(args, config, f"the store cannot be written ({refused})")


def _alerts_listed(args: argparse.Namespace, config: Config, unwritable: str | None) -> int:
    """`alerts` after judging the stored history, or (`unwritable`: why not) without."""
    from cache.alerts.rules import (
        evaluate,
        format_alerts,
        judged_by_another_rule,
        list_alerts,
        rule_from_config,
    )
    from cache.read.views import alert_views
    from filters.classify import Classifier

    path = db_path_from(args)
    classifier = Classifier(config)
    rule, views = rule_from_config(config), alert_views(config)
    with Store.open(
        path, create=False, readonly=bool(unwritable), upgrade=not args.read_only
    ) as store:
        evaluation = None
        if unwritable:
            warn_if_rules_changed(store, config)
            # Judging history stores what it finds; a store that cannot take that still has
            # its alerts to list (as `status` and `export` still read it).
            stale = judged_by_another_rule(store, rule, views, classifier.fingerprint())
            say(
                f"echowatch alerts: {path}: {unwritable}, so stored "
                "history was not judged; listing the alerts already stored"
                + (
                    ", which an earlier alert rule judged ([alerts], [topics] or an alerting "
                    "view has changed since): they are judged again once the store can be "
                    "written"
                    if stale
                    else ""
                ),
                file=sys.stderr,
            )
        else:
            # The alerts count the topics the store holds: bring them up to this config first.
            reclassify_if_config_changed(store, classifier)
            evaluation = evaluate(store, rule, views=views, classification=classifier.fingerprint())
        if evaluation and evaluation.rejudged:
            say(
                f"judged {counted(evaluation.hours_judged, 'hour')} of stored history again, "
                "under the alert rule now in force ([alerts], [topics] and alerting views): "
                f"{counted(evaluation.kept, 'alert')} still standing, "
                f"{evaluation.withdrawn} withdrawn, {len(evaluation.opened)} new",
                file=sys.stderr,
            )
        elif evaluation and evaluation.hours_judged:
            say(
                f"judged {counted(evaluation.hours_judged, 'hour')} of stored history: "
                f"{counted(len(evaluation.opened), 'new alert')}",
                file=sys.stderr,
            )
        alerts = list_alerts(store)
        if args.notify_dry_run:
            return _notify_dry_run(store, alerts, config)
    if args.format == "json":
        print(json_text([a.to_json() for a in alerts], indent=2))
    else:
        say(format_alerts(alerts))
    return EXIT_OK


def _notify_dry_run(store: Store, alerts: list[Alert], config: Config) -> int:
    from cache.alerts.notify import notify_payload

    if not alerts:
        say("echowatch alerts: no alerts in this store: nothing to send", file=sys.stderr)
        return EXIT_OK
    command = config.alerts.notify_command
    say(
        f"notify_command would run: {command}" if command else "no notify_command configured",
        file=sys.stderr,
    )
    print(json_text(notify_payload(store, alerts[0]), indent=2))
    return EXIT_OK


# --- views -----------------------------------------------------------------------------


def _add_views(sub: Subparsers) -> Runner:
    parser = sub.add_parser(
        "views",
        help="list the saved views ([views] in the config) with their counts",
        description="List the saved views of the config with how many stored mentions "
        "each selects in the last hour, day and week (up to now, or with --to-newest up "
        "to the newest stored post, as the offline monitor counts; stderr says which).",
    )
    parser.add_argument("--json", action="store_true", help="a JSON array instead of a table")
    parser.add_argument(
        "--to-newest",
        action="store_true",
        help="count up to the newest stored post instead of now (as the offline monitor does)",
    )
    parser.add_argument(
        "--delete",
        metavar="NAME",
        help="delete the view NAME from the config file (its other lines and comments stay)",
    )
    # Also after the command (`views --delete X --read-only`); SUPPRESS keeps the global one.
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="write nothing: --delete is refused",
    )
    _store_args(parser)
    _config_args(parser)
    return _run_views


WEEK = timedelta(days=7)
"""The widest window `views` counts: a store whose newest post is older shows all zeros."""


def _run_views(args: argparse.Namespace) -> int:
    from cache.read.search import rare_topics
    from cache.read.views import CountsEnd, counts_end, format_view_counts, view_counts
    from filters.topics import topic_ids
    from filters.views import saved_views
    from sources.model.records import utc_now
    from sources.model.text import format_timestamp

    if args.delete is not None:
        return _delete_view(args)
    config = load_config_from(args)
    views = saved_views(config)
    with Store.open(db_path_from(args), create=False, readonly=True) as store:
        warn_if_rules_changed(store, config)
        rare = rare_topics(store, topic_ids(config))
        now = utc_now()
        newest = counts_end(store, now, to_newest=True)
        end = newest if args.to_newest else CountsEnd(now)
        counts = view_counts(store, views, config, end.at, rare_topics=rare)
    # Which "now" the windows end at, on stderr: the table and the JSON keep their shape.
    until = "the newest stored post" if end.newest_post else "now"
    note = f"echowatch views: counts up to {until}, {format_timestamp(end.at)}"
    if not args.to_newest and newest.newest_post and newest.at < now - WEEK:
        note += (
            f"; the newest stored post is older ({format_timestamp(newest.at)}): "
            "--to-newest counts up to it, as the offline monitor does"
        )
    say(note, file=sys.stderr)
    if args.json:
        rows = [{**c.view.as_json(), "alert": c.view.alert, **c.counts} for c in counts]
        print(json_text(rows, indent=2))
    elif not views:
        where = config.path or "the config"
        say(f"no saved views in {where} (add a [views] table)")
    else:
        say(format_view_counts(counts))
    return EXIT_OK


def _delete_view(args: argparse.Namespace) -> int:
    """`views --delete NAME`: the view's entry leaves the config file, nothing else does."""
    from filters.views import UnknownView, find_view
    from sources.demo import is_bundled
    from sources.model.config_write import ConfigReadOnly, remove_view

    name = args.delete
    config, unusable = _config_deleting(args, name)
    refused = f"echowatch views: view {name!r} not deleted"
    if args.read_only:
        say(f"{refused}: --read-only writes nothing", file=sys.stderr)
        return EXIT_USAGE
    path = config.path
    if is_bundled(path):
        say(f"{refused}: the demo's config is bundled with the program", file=sys.stderr)
        return EXIT_USAGE
    if unusable is None:
        try:
            view = find_view(config, name)
        except UnknownView as exc:
            say(f"echowatch views: {exc}", file=sys.stderr)
            return EXIT_USAGE
        deleted, why = f"{view.name} ({view.query})", ""
    else:
        deleted, why = name, f"; it kept the config from loading: {unusable}"
    assert path is not None  # the view was in the config, so it came from a file
    try:
        remove_view(path, name)
    except ConfigReadOnly as exc:
        say(f"{refused}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        say(
            f"{refused}: cannot write {exc.filename or path}: {exc.strerror or exc}; "
            "edit [views] by hand",
            file=sys.stderr,
        )
        return EXIT_FAILED
    say(f"deleted view {deleted} from {path}{why}")
    return EXIT_OK


def _config_deleting(args: argparse.Namespace, name: str) -> tuple[Config, str | None]:
    """The config for `views --delete NAME`, and None; or, when the view NAME alone keeps
    it from loading, the config without that view and the loader's reason.

    The way out of a view the loader refuses (one the user wrote by hand, or an older
    version saved) must not be that very loader: a config error anywhere else still
    stops the command, naming it.
    """
    try:
        return load_config_from(args), None
    except ConfigError as exc:
        config = load_config_from(args, without_view=name)  # raises for any other error
        reason = str(exc)
        if config.path is not None:
            reason = reason.removeprefix(f"{config.path}: ")
        return config, reason


# --- the main job -----------------------------------------------------------------------


def _monitor_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo", action="store_true", help="watch the bundled demo replay (in its own store)"
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, metavar="X", help="demo replay speed (default: 1)"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="browse the store without polling anything (your read/starred marks are kept)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help=(
            "write nothing: no export, no marks, saved views kept for the session, "
            "and poll nothing, as with --offline (serve's viewers); before a command, "
            "import, collect and feeds import are refused, alerts lists without judging "
            "new hours, and serve polls nothing"
        ),
    )


def _run_default(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """No command: the live monitor (tui.launch decides what it watches).

    The newest rows go on the screen first (tui/first_paint.py), before the monitor's
    modules (Textual, the whole cache layer) are imported: those take over a second.
    """
    early = _early_screen(_store_shown_first(args))
    try:
        # Imported here, after the first screen: loading the monitor is what it covers.
        from tui.launch import run_monitor
    except BaseException:
        if early is not None:
            early.restore()
        raise
    return run_monitor(
        db=args.db,
        config_path=args.config,
        demo=args.demo,
        offline=args.offline,
        speed=args.speed,
        export_formats=EXPORT_FORMATS["mentions"],
        read_only=args.read_only,
        early=early,
        paint_early=_early_screen,
    )


def _store_shown_first(args: argparse.Namespace) -> Path | None:
    """The store whose rows the monitor will show, when that is known before the launch
    (tui.launch's rules); None for the demo replay, which may start its store afresh:
    the launch paints that one once the store is settled."""
    if args.offline or args.read_only:
        return Path(args.db) if args.db else (demo_db_path() if args.demo else default_db_path())
    found = None if args.demo else find_config_path(args.config)
    if runs_demo(demo=args.demo, config_found=found is not None, db_named=args.db is not None):
        return None
    return Path(args.db) if args.db else default_db_path()


def _early_screen(path: Path | None) -> EarlyScreen | None:
    """The newest rows of `path` drawn at once on a terminal (None: nothing drawn)."""
    if path is None:
        return None
    return paint(lambda count: newest_mentions(path, count), title=f"Echowatch — {path}")


# --- serve ------------------------------------------------------------------------------


def _port_number(text: str) -> int:
    """argparse type for `serve --port`: a TCP port, 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range (1-65535)")
    return port


def _add_serve(sub: Subparsers) -> Runner:
    parser = sub.add_parser(
        "serve",
        help="the monitor in a browser for the team (textual-serve), read-only by default",
        description="Serve the monitor at http://HOST:PORT/. Each browser gets its own "
        "monitor on the one store these options name; one collector runs in this process "
        "(the demo replay, or the config's sources; none with --offline) and every viewer "
        "sees what it stores. Viewers write nothing (no export, no saved views written) "
        "unless --writable. Exit codes: 0 stopped with Ctrl-C or SIGTERM; 1 the store "
        "cannot be used; 2 a usage error (a host or port that cannot be listened on).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=_port_number, default=8000, help="TCP port (default: 8000)")
    parser.add_argument(
        "--writable",
        action="store_true",
        help="viewers may export (files on this machine) and save views into the config",
    )
    # The monitor's own options, also after the command (`serve --demo`); SUPPRESS keeps
    # a value given before it.
    for flag, help_text in (
        ("--db", "store file (default: the user data dir; the demo's own with --demo)"),
        ("--config", "config file (default: $ECHOWATCH_CONFIG, else the user config dir)"),
    ):
        kind = config_path_arg if flag == "--config" else None
        parser.add_argument(
            flag, metavar="PATH", type=kind, default=argparse.SUPPRESS, help=help_text
        )
    for flag, help_text in (
        ("--demo", "serve the bundled demo replay (in its own store)"),
        ("--offline", "serve the store as it is, polling nothing"),
    ):
        parser.add_argument(flag, action="store_true", default=argparse.SUPPRESS, help=help_text)
    parser.add_argument(
        "--speed", type=float, metavar="X", default=argparse.SUPPRESS, help="demo replay speed"
    )
    return _run_serve


def _run_serve(args: argparse.Namespace) -> int:
    from tui.serve import ServeRequest, run_serve

    if args.read_only and args.writable:
        say("echowatch serve: --read-only writes nothing: leave out --writable", file=sys.stderr)
        return EXIT_USAGE
    return run_serve(
        ServeRequest(
            program=Path(__file__).resolve(),
            host=args.host,
            port=args.port,
            db=args.db,
            config_path=args.config,
            demo=args.demo,
            # Its collector writes the store: `--read-only` serves it as it is.
            offline=args.offline or args.read_only,
            speed=args.speed,
            writable=args.writable,
        )
    )


# --- classify ---------------------------------------------------------------------------


def _add_classify(sub: Subparsers) -> Runner:
    parser = sub.add_parser(
        "classify",
        help="classify JSON Lines from stdin: topics, matched words, author role",
        description='Read one JSON object per line on stdin ({"text", "id", "lang", '
        '"parent_text", "author": {"handle", "name", "bio"}}, or a row of export --format '
        "jsonl, whose author is the handle and author_name the name) and write one JSON line "
        "per input with id, topics, topics_from_thread, matches and (with an author) role and "
        "role_reason. A text that names no topic itself takes the topics of its "
        "parent_text (the post it replies to or quotes); those are listed in "
        "topics_from_thread as well as in topics. A line that "
        "cannot be read gives an error line and the rest go on; the exit code is then 1.",
    )
    _config_args(parser)
    return _run_classify


def _run_classify(args: argparse.Namespace) -> int:
    import json

    from filters.classify import ClassifyInputError, classify_record
    from sources.archive.files import RefusedJson, json_mistake, load_json

    classifier = Classifier(load_config_from(args))
    failed = 0
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        answer: dict[str, object]
        try:
            line = raw.decode("utf-8").strip()
            if not line:
                continue
            # import's reader: a line nested too deep is refused before json recurses on it
            answer = {"line": number, **classify_record(load_json(line), classifier)}
        except (UnicodeDecodeError, json.JSONDecodeError, RefusedJson, ClassifyInputError) as exc:
            failed += 1
            reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)
            if isinstance(exc, RefusedJson):
                reason = f"JSON {exc}"
            elif isinstance(exc, json.JSONDecodeError):
                reason = f"not valid JSON ({json_mistake(exc)})"
            answer = {"line": number, "error": f"line {number}: {reason}"}
        sys.stdout.write(json_text(answer) + "\n")
        sys.stdout.flush()
    if failed:
        say(f"echowatch classify: {failed} line(s) could not be classified", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


# --- feeds ----------------------------------------------------------------------------


def _add_feeds(sub: Subparsers) -> Runner:
    parser = sub.add_parser(
        "feeds",
        help="list the configured feeds and their health; import or export them as OPML",
        description="Feed lists in OPML, the format feed readers (newsboat, Miniflux, "
        "Feedly) import and export. `feeds import` appends to the config file that "
        "--config names (else $ECHOWATCH_CONFIG, else the user config dir, created if "
        "needed), keeping everything already in it, comments included.",
    )
    actions = parser.add_subparsers(dest="feeds_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="configured feeds and their last poll")
    imported = actions.add_parser("import", help="add the feeds of an OPML file to the config")
    imported.add_argument("opml", metavar="FILE.opml", type=Path, help="OPML file, or -")
    actions.add_parser("export", help="write the configured feeds as OPML to standard output")
    _store_args(parser)
    _config_args(parser)
    for action in actions.choices.values():
        # Also after the action (`feeds list --db X`); SUPPRESS keeps a value given before it.
        action.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="as above")
        action.add_argument(
            "--config",
            metavar="PATH",
            type=config_path_arg,
            default=argparse.SUPPRESS,
            help="as above",
        )
    del listing
    return _run_feeds


def _run_feeds(args: argparse.Namespace) -> int:
    from sources.feeds.config import add_feeds, default_config_path
    from sources.feeds.opml import OpmlError, OpmlFeed, parse_opml, write_opml
    from sources.model.config_write import ConfigReadOnly
    from sources.model.records import utc_now

    if args.feeds_action == "import":
        if refused_read_only(args, "feeds", "no feed added"):
            return EXIT_USAGE
        try:
            data = sys.stdin.buffer.read() if str(args.opml) == "-" else args.opml.read_bytes()
            listed = parse_opml(data)
        except OSError as exc:
            say(f"echowatch feeds: {args.opml}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        except OpmlError as exc:
            say(f"echowatch feeds: {args.opml}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        path = find_config_path(args.config) or default_config_path()
        try:
            result = add_feeds(path, listed.feeds)
        except ConfigReadOnly as exc:
            say(f"echowatch feeds: feeds not imported: {exc}", file=sys.stderr)
            return EXIT_FAILED
        say(
            f"added {counted(len(result.added), 'feed')} to {path} "
            f"({len(result.already):,} already there, "
            f"{len(listed.skipped):,} skipped)"
        )
        for feed in result.added:
            say(f"  added {feed.title}: {feed.url}")
        for renamed in result.renamed:
            say(f"  renamed {renamed}")
        for reason in listed.skipped:
            say(f"  skipped {reason}")
        return EXIT_OK
    config = checked(load_config(find_config_path(args.config)))
    if args.feeds_action == "export":
        feeds = [OpmlFeed(feed.name, feed.url) for feed in config.feeds]
        sys.stdout.write(write_opml(feeds, title="Echowatch feeds", created=utc_now()))
        return EXIT_OK
    from cache.read.feed_health import feed_health, format_feed_health

    say(format_feed_health(feed_health(config.feeds, db_path_from(args))))
    return EXIT_OK


SUBCOMMANDS = [
    _add_import,
    _add_export,
    _add_status,
    _add_collect,
    _add_alerts,
    _add_views,
    _add_classify,
    _add_feeds,
    _add_serve,
]


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Runner]]:
    from sources.model.program import program_name

    parser = argparse.ArgumentParser(
        prog=program_name(),
        description="Watch what people say about a company, who answers, and how.",
    )
    _store_args(parser, default=None)
    _config_args(parser, default=None)
    _monitor_args(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    runners = {}
    for add in SUBCOMMANDS:
        runner = add(sub)
        runners[list(sub.choices)[-1]] = runner
    return parser, runners


DASH_VALUED = ("--query", "--view", "--delete")
"""Options whose value may start with `-`: a query's exclusion (`-topic:strikes`), a view
so named. argparse takes such a token for an option and refused `--query -topic:strikes`
("expected one argument"), though the query language writes exclusions that way."""


def with_dash_values_joined(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """`argv` with `--query -x` written `--query=-x`, which argparse reads as meant.

    Only a value that argparse would refuse changes: one starting with a single `-` that
    is not itself an option of the program (`--query -o FILE` still lacks its query).
    """
    options = _option_strings(parser)
    out: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":  # everything after it is positional anyway
            return out + list(argv[index:])
        value = argv[index + 1] if index + 1 < len(argv) else ""
        if token in DASH_VALUED and _dash_value(value) and value not in options:
            out.append(f"{token}={value}")
            index += 2
        else:
            out.append(token)
            index += 1
    return out


def _dash_value(token: str) -> bool:
    return token.startswith("-") and not token.startswith("--") and token != "-"


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string of `parser` and of its commands (`-o`, `-q`, `--db`, ...)."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                found |= _option_strings(command)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser, runners = build_parser()
    given = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(with_dash_values_joined(given, parser))
    _clean_unhandled_logs()
    _WARNED.clear()  # once per command, also when commands run in one process (tests)
    # Before anything can start a child (a browser, a viewer, notify_command): only the
    # sources read the secrets, and no child inherits them.
    with withheld_secrets(), upgrade_notices(_say_upgrade):
        return _run_command(args, parser, runners)


def _say_upgrade(upgrade: StoreUpgrade) -> None:
    """A store an older version wrote is being upgraded: say so before the wait."""
    say(f"echowatch: {upgrade}", file=sys.stderr)


def _run_command(
    args: argparse.Namespace, parser: argparse.ArgumentParser, runners: dict[str, Runner]
) -> int:
    try:
        if args.command is None:
            return _run_default(args, parser)
        return runners[args.command](args)
    except ConfigError as exc:
        say(f"echowatch: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        say(f"echowatch: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except sqlite3.DatabaseError as exc:
        # A write the store refused (read-only, disk full) or a damaged page met while
        # reading: name the file and what to do, never a traceback.
        if type(exc) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
            raise  # an integrity or programming error is a bug, not a store problem
        say(f"echowatch: {describe_sqlite_error(db_path_from(args), exc)}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # an output file that cannot be written (full disk, permissions)
        where = f"{exc.filename}: " if exc.filename else ""
        say(f"echowatch: cannot write {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
