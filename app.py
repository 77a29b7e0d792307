"""Echowatch's command line and composition root: parse arguments, wire the layers.

Each subcommand is a `_add_<name>` function that declares its arguments and a `_run_<name>`
that does the work by calling into `cache/`, `filters/`, `sources/` or `tui/`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cache.store import Store, StoreError, default_db_path
from sources.config import Config, ConfigError, find_config_path, load_config

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

Runner = Callable[[argparse.Namespace], int]
Subparsers = argparse._SubParsersAction


def _store_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH", help="store file (default: the user data dir)")


def _config_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $ECHOWATCH_CONFIG, then the user config dir)",
    )


def load_config_from(args: argparse.Namespace) -> Config:
    return load_config(find_config_path(getattr(args, "config", None)))


def db_path_from(args: argparse.Namespace) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def open_store(args: argparse.Namespace, *, readonly: bool = False) -> Store:
    return Store.open(db_path_from(args), readonly=readonly)


# --- import ---------------------------------------------------------------------------


def _add_import(sub: Subparsers) -> Runner:
    parser = sub.add_parser(
        "import",
        help="load Twitter API v2 JSON/JSONL archives and RSS/Atom/RDF files",
        description="Load archives into the store. Twitter API v2: a response object, JSON "
        "Lines of response pages (twarc2), or one tweet per line. Feeds: RSS, "
        "Atom or RDF files. Importing the same file again changes nothing.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", type=Path, help="files to import")
    _store_args(parser)
    _config_args(parser)
    return _run_import


def _run_import(args: argparse.Namespace) -> int:
    from cache.importer import import_paths
    from filters.classify import Classifier

    if not args.paths:
        print("echowatch import: give at least one PATH", file=sys.stderr)
        return EXIT_USAGE
    config = load_config_from(args)
    with open_store(args) as store:
        report = import_paths(store, args.paths, Classifier(config))
    totals = report.totals
    print(
        f"imported {totals.new} new, {totals.updated} updated, {totals.skipped} skipped "
        f"({totals.unchanged} unchanged, {totals.accounts} accounts, "
        f"{report.files_read} of {len(args.paths)} files read)"
    )
    for skipped in report.skipped:
        print(f"  skipped {skipped.where}: {skipped.reason}")
    for warning in report.warnings:
        print(f"  warning {warning}")
    for problem in report.unreadable:
        print(f"  error {problem}", file=sys.stderr)
    if report.unreadable:
        return EXIT_FAILED
    return EXIT_OK


# --- export ---------------------------------------------------------------------------

EXPORT_FORMATS: dict[str, tuple[str, ...]] = {
    "mentions": ("csv", "jsonl"),
}
"""Per `--report`, the formats it can be written in; the first is the default."""


def _add_export(sub: Subparsers) -> Runner:
    parser = sub.add_parser(
        "export",
        help="write mentions or a report of them, newest first",
        description="Export what the query selects: the mentions themselves (default) or a "
        "report. A file is written atomically: a crash never leaves half of one.",
    )
    parser.add_argument(
        "--report",
        choices=sorted(EXPORT_FORMATS),
        default="mentions",
        help="what to export (default: mentions)",
    )
    all_formats = sorted({f for formats in EXPORT_FORMATS.values() for f in formats})
    parser.add_argument(
        "--format",
        choices=all_formats,
        default=None,
        help="file format (default: the report's first; mentions: csv)",
    )
    parser.add_argument("--query", default="", metavar="TEXT", help="only mentions matching")
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

    from cache.export import ExportRequest, atomic_output, run_export
    from cache.search import QueryError, query_selection
    from filters.topics import topic_ids

    formats = EXPORT_FORMATS[args.report]
    fmt = args.format or formats[0]
    if fmt not in formats:
        print(
            f"echowatch export: --report {args.report} is written as "
            f"{' or '.join(formats)}, not {fmt}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    config = load_config_from(args)
    try:
        selection = query_selection(args.query, topics=topic_ids(config))
    except QueryError as exc:
        print(f"echowatch export: bad query: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # A spreadsheet recognises UTF-8 CSV by its byte-order mark; streams stay plain.
    encoding = "utf-8-sig" if fmt == "csv" and args.output != "-" else "utf-8"
    request = ExportRequest(
        report=args.report,
        format=fmt,
        query=args.query,
        selection=selection,
        config=config,
        output=args.output,
    )
    with open_store(args, readonly=True) as store:
        try:
            with atomic_output(args.output, encoding=encoding) as out:
                count = run_export(store, request, out)
        except sqlite3.OperationalError as exc:
            print(f"echowatch export: the query cannot be run: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if args.output != "-":
        print(f"exported {count} rows to {args.output}", file=sys.stderr)
    return EXIT_OK


# --- status ---------------------------------------------------------------------------


def _add_status(sub: Subparsers) -> Runner:
    parser = sub.add_parser("status", help="mentions per platform and source, source health")
    _store_args(parser)
    return _run_status


def _run_status(args: argparse.Namespace) -> int:
    from cache.status import format_status, store_status

    with open_store(args, readonly=True) as store:
        print(format_status(store_status(store)))
    return EXIT_OK


# --- the main job -----------------------------------------------------------------------


def _run_default(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    path = db_path_from(args)
    print()
    if not path.exists():
        print(f"No store yet at {path}. Start with: app.py import PATH...")
        return EXIT_OK
    return _run_status(args)


SUBCOMMANDS = [_add_import, _add_export, _add_status]


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Runner]]:
    parser = argparse.ArgumentParser(
        prog="echowatch", description="Watch what people say about a company, who answers, and how."
    )
    _store_args(parser)
    _config_args(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    runners = {}
    for add in SUBCOMMANDS:
        runner = add(sub)
        runners[list(sub.choices)[-1]] = runner
    return parser, runners


def main(argv: Sequence[str] | None = None) -> int:
    parser, runners = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _run_default(args, parser)
        return runners[args.command](args)
    except ConfigError as exc:
        print(f"echowatch: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"echowatch: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
