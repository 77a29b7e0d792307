"""The SQLite store: one file, WAL mode, a connection per thread that uses it.

A `Store` wraps one sqlite3 connection. It belongs to the thread that opened it (sqlite3
enforces this); a worker thread opens its own `Store` on the same path. sqlite-utils'
`Database` over the same connection (`Store.db`) is built on first use, by the writers
that need it: importing sqlite-utils loads numpy, click and dateutil, about a CPU second
that the monitor's start (a reader) does not pay.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cache.db import author_index
from cache.db.access import read_only_uri, why_not_writable
from cache.db.errors import StoreError, describe_sqlite_error, write_refusal
from cache.db.intact import checked_damage, record_own_writes
from cache.db.rescue import damaged_store_message, rescue_if_store
from cache.db.schema import migrations
from cache.db.upgrade import StoreUpgrade, announce, refusal
from cache.db.write_lock import immediate, retry_while_busy
from sources.model.records import SourceState, utc_now
from sources.model.redact import redact_optional
from sources.model.text import format_timestamp

if TYPE_CHECKING:
    from sqlite_utils import Database

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
"""How long a writer waits for another writer before reporting the store as busy."""
WRITER_CACHE_KIB = 65_536
"""Page cache of a writing connection (64 MiB), against spills in large ingest batches."""
NEW_STORE_PAGE_SIZE = 8_192
"""Bytes per page of a store created now (SQLite's default is 4,096). A row holds a post's
payload (1-4 KB), so twice the page takes more rows, and each of the 16 indexes a new
mention goes into is shallower: an import of 1,000,000 mentions into a new store ran 4-6 %
faster, with 6-9 % less CPU in the storing process. Stores made before keep their size."""


def default_db_path() -> Path:
    """The store in the user data dir (platformdirs), used when `--db` is not given."""
    from platformdirs import user_data_path

    return user_data_path("echowatch") / "echowatch.db"


def demo_db_path() -> Path:
    """The demo replay's own store, so a user's store never mixes with demo data."""
    from platformdirs import user_data_path

    return user_data_path("echowatch") / "demo.db"


class Store:
    """An open store file. Use `Store.open`; close it (or use `with`) when done."""

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly

    @functools.cached_property
    def db(self) -> Database:
        """sqlite-utils' `Database` on this store's connection, for the writers that use
        its table tools (migrations, nested transactions)."""
        # Imported on first use, not at the top: the monitor's start only reads, and
        # importing sqlite-utils (numpy, click, dateutil, plugins) is about a CPU second.
        from sqlite_utils import Database

        return Database(self.conn)

    @classmethod
    def open(
        cls, path: Path | str, *, readonly: bool = False, create: bool = True, upgrade: bool = True
    ) -> Store:
        """Open (and migrate) the store at `path`; raise `StoreError` with a clear reason.

        A file that is not SQLite, or (to write) another application's SQLite database,
        is refused before anything is written to it. A store written by an older version
        is upgraded first, also to be read; read-only without `upgrade` (`--read-only`),
        or where it cannot be written, it is refused instead (cache/db/upgrade.py).
        """
        path = Path(path)
        new_file = not path.exists() or path.stat().st_size == 0
        if path.exists():
            if path.is_dir():
                raise StoreError(f"{path}: is a directory, not a store file")
            _check_header(path, writing=not readonly and not new_file)
        elif readonly or not create:
            raise StoreError(f"{path}: no store here (import or collect something first)")
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{path}: cannot create the store's folder: {exc}") from exc
        if new_file and not create and path.exists():
            # An empty file (a name a script `touch`ed, a mistyped --db) is not a store:
            # only a writer that may create one makes it one, as the readers refuse it.
            raise StoreError(f"{path}: not an Echowatch store (no mentions table)")
        if readonly and path.exists():
            _upgrade_before_reading(path, may_write=upgrade)
        try:
            if readonly:
                conn = sqlite3.connect(
                    read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000
                )
            else:
                conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if new_file and not readonly:
                conn.execute(f"PRAGMA page_size = {NEW_STORE_PAGE_SIZE}")  # before any write
            store = cls(conn, path, readonly)
            if not readonly:
                _check_intact_once(conn, path)
                store._prepare_for_writing()
            elif not _has_mentions_table(conn):
                raise StoreError(f"{path}: not an Echowatch store (no mentions table)")
        except sqlite3.DatabaseError as exc:
            raise StoreError(describe_sqlite_error(path, exc)) from exc
        return store

    def _prepare_for_writing(self) -> None:
        # A new file is switched by whichever writer comes first; the switch reads the
        # header, then writes it, so a second writer is refused at once instead of waiting
        # (cache/db/write_lock.py). Once switched, the mode stays with the file.
        mode = retry_while_busy(
            lambda: self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0],
            BUSY_TIMEOUT_MS / 1000,
        )
        if mode != "wal":
            raise StoreError(f"{self.path}: cannot switch the store to WAL mode (got {mode})")
        # NORMAL is durable against a killed process in WAL mode; FULL only adds power-loss
        # safety for the last transactions at a large cost in write speed.
        self.conn.execute("PRAGMA synchronous = NORMAL")
        # A batch of new mentions changes thousands of pages of the author indexes; with
        # SQLite's default 2 MB page cache they spill to the WAL and are read back before the
        # commit. The cache only grows as far as a writer's transactions need it.
        self.conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        # Ingest stages each batch in a temporary table: keep it in memory, not in a file.
        self.conn.execute("PRAGMA temp_store = MEMORY")
        # sqlite-utils' Database turns recursive triggers on, and stores were always written
        # so: a REPLACE of a mention (sqlite-utils' own tools do them) then fires the delete
        # trigger that takes the old text out of the full-text index. Kept for writers now
        # that a `Database` is built only when one is used.
        self.conn.execute("PRAGMA recursive_triggers = ON")
        if migrations.pending_names(self.conn):
            if migrations.applied_names(self.conn):  # not a new store: an older version's
                announce(_upgrade_of(self.conn, self.path))
            migrations.apply(self.db)  # each under the write lock: applied once by one writer
            applied = len(migrations.applied_names(self.conn))
            self.conn.execute(f"PRAGMA user_version = {applied}")
        # An earlier release's import left the per-author index out or built it led by
        # the author (cache.db.author_index).
        author_index.make_current(self.conn)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Store]:
        """A write transaction that takes the write lock at its start (BEGIN IMMEDIATE).

        A deferred transaction that reads first and writes later can fail at once with
        "database is locked" when another process wrote in between (the busy timeout
        does not apply then); taking the lock up front makes writers wait their turn.
        Nested use becomes a savepoint of the outer transaction.
        """
        if self.conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        with immediate(self.conn):
            yield self

    def close(self) -> None:
        self.conn.close()
        if not self.readonly and _found_intact(self.path):
            record_own_writes(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # --- source state -------------------------------------------------------------

    def source_state(self, name: str) -> SourceState:
        """The stored state of a source, or a fresh one."""
        row = self.conn.execute("SELECT * FROM source_state WHERE name = ?", [name]).fetchone()
        if row is None:
            return SourceState(name=name)
        columns = [
            c[0] for c in self.conn.execute("SELECT * FROM source_state LIMIT 0").description
        ]
        return _state_from_row(columns, row)

    def source_states(self) -> list[SourceState]:
        cursor = self.conn.execute("SELECT * FROM source_state ORDER BY name")
        columns = [c[0] for c in cursor.description]
        return [_state_from_row(columns, row) for row in cursor]

    def save_source_state(self, state: SourceState) -> None:
        """Write a source's state (inside the caller's transaction when there is one)."""
        values = {f.name: getattr(state, f.name) for f in fields(state)}
        values["last_error"] = redact_optional(state.last_error)  # servers echo secrets
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.conn.execute(
            f"INSERT OR REPLACE INTO source_state ({columns}) VALUES ({marks})",
            list(values.values()),
        )

    # --- meta -------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    # --- reading ------------------------------------------------------------------

    def rows(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Iterator[dict[str, Any]]:
        """Stream the rows of a query as dicts (one at a time: constant memory)."""
        cursor = self.conn.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        for row in cursor:
            yield dict(zip(columns, row, strict=True))

    def mention(self, mention_id: str) -> dict[str, Any] | None:
        return next(self.rows("SELECT * FROM mentions WHERE id = ?", [mention_id]), None)

    def account(self, key: str) -> dict[str, Any] | None:
        return next(self.rows("SELECT * FROM accounts WHERE key = ?", [key]), None)

    def damage(self, *, trust_record: bool = False) -> str | None:
        """The store's damage as a sentence with the way to recover, or None when intact.

        With `trust_record`, a clean check of the unchanged file on record (cache/db/intact.py)
        stands in for reading every page again.
        """
        if trust_record:
            problem = checked_damage(self.conn, self.path, self._check_interruptibly)
        else:
            problem = self._check_interruptibly(self.conn)
        return None if problem is None else damaged_store_message(self.path, problem)

    def _check_interruptibly(self, conn: sqlite3.Connection) -> str | None:
        """`quick_check` on a connection of its own in a helper thread, this thread waiting.

        The monitor's start and `status` run this check before anything else, for minutes
        at a million mentions on a busy disk, while the first screen offers ctrl+c. SQLite
        walks the pages in one step that no signal handler or progress handler can enter
        (the first progress call came 21.7 s into a check of a 2.2 GB store); waiting on a
        thread can be interrupted at once. On Ctrl-C the check is told to stop and the
        KeyboardInterrupt goes on (the program is ending; the helper thread is a daemon).
        """
        checker = sqlite3.connect(
            read_only_uri(self.path), uri=True, check_same_thread=False, timeout=5
        )
        found: list[str | None] = []
        failed: list[BaseException] = []

        def run() -> None:
            try:
                found.append(quick_check(checker))
            except BaseException as exc:  # handed to the waiting thread
                failed.append(exc)

        helper = threading.Thread(target=run, name="echowatch-damage-check", daemon=True)
        helper.start()
        try:
            while helper.is_alive():
                helper.join(0.25)
        except BaseException:
            checker.interrupt()
            raise
        checker.close()
        if failed:
            raise failed[0]
        return found[0]

    def count_mentions(self) -> int:
        """Every stored mention, counted exactly: a walk of the smallest index (tens of
        milliseconds at a million). To know whether there are any, ask `has_mentions`."""
        return int(self.conn.execute("SELECT count(*) FROM mentions").fetchone()[0])

    def holds_more_mentions_than(self, count: int) -> bool:
        """Whether more than `count` mentions are stored: a walk of at most `count + 1`
        entries of the smallest index, whatever the store's size (`count_mentions` walks
        them all: 8 ms at a million once read, 0.28 s from the disk)."""
        found = self.conn.execute("SELECT 1 FROM mentions LIMIT 1 OFFSET ?", (count,))
        return found.fetchone() is not None

    def has_mentions(self) -> bool:
        """Whether any mention is stored: one index probe, at any size."""
        return bool(self.conn.execute("SELECT EXISTS (SELECT 1 FROM mentions)").fetchone()[0])


def _upgrade_before_reading(path: Path, *, may_write: bool) -> None:
    """Apply pending migrations to a store a reader is about to open.

    Readers query tables and columns that later migrations add (`mention_days`, m017) and
    rely on what they set aside: a store written by an older version is upgraded once, by
    a short writing connection, before it is read, or refused when it cannot or may not be
    written (cache/db/upgrade.py).
    """
    try:
        probe = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            upgrade = None
            if _has_mentions_table(probe) and migrations.pending_names(probe):
                upgrade = _upgrade_of(probe, path)
        finally:
            probe.close()
    except sqlite3.DatabaseError:
        return  # the readonly open below reports what is wrong with the file
    if upgrade is None:
        return
    why = "--read-only writes nothing" if not may_write else why_not_writable(path)
    if why:
        raise StoreError(refusal(upgrade, why=why, read_only_flag=not may_write))
    try:
        Store.open(path).close()
    except StoreError as exc:
        refused = write_refusal(exc)
        if refused is None:
            raise
        raise StoreError(refusal(upgrade, why=refused, read_only_flag=False)) from exc


def _upgrade_of(conn: sqlite3.Connection, path: Path) -> StoreUpgrade:
    """The upgrade a store with pending migrations gets: from the schema `status` shows
    (its user_version; the count of applied migrations where an early store left none)."""
    at = int(conn.execute("PRAGMA user_version").fetchone()[0])
    return StoreUpgrade(path, at or len(migrations.applied_names(conn)), len(migrations.names()))


def stored_meta(path: Path, key: str) -> str | None:
    """The meta value `key` of the store at `path` as it is stored, read without opening
    it as a store (no upgrade, nothing written): every version keeps meta the same way."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return None if row is None else str(row[0])


def _has_mentions_table(conn: sqlite3.Connection) -> bool:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mentions'"
    ).fetchone()
    return found is not None


def _state_from_row(columns: list[str], row: Any) -> SourceState:
    # Redacted on the way out too: a store written before redaction may hold a token.
    state = SourceState(**dict(zip(columns, row, strict=True)))
    state.last_error = redact_optional(state.last_error)
    return state


def _check_header(path: Path, *, writing: bool = False) -> None:
    """Refuse a file that is not SQLite and, `writing`, a database of another application:
    migrating it would add the store's tables beside its own (or fail half-way on a name
    they share) and switch its journal mode."""
    # Ask SQLite, never a plain open()/close() of the file: closing ANY descriptor of a
    # database file drops every POSIX lock this process holds on it, so another thread's
    # connection silently lost its locks and a second process could checkpoint and delete
    # the WAL under it, corrupting the store (tests/test_concurrency.py caught this).
    # SQLite's own connections share one lock table per file and defer such closes.
    try:
        probe = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            probe.execute("PRAGMA schema_version").fetchone()
            if writing and not _holds_nothing_or_a_store(probe):
                raise StoreError(
                    f"{path}: not an Echowatch store (a SQLite database with tables of its "
                    "own); it was left untouched. Give --db a new file, or an Echowatch store"
                )
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        if "not a database" not in str(exc):
            # A truncated or damaged store ("malformed") gets the rescue hint, a busy or
            # unopenable one what to do about that.
            raise StoreError(describe_sqlite_error(path, exc)) from exc
        raise StoreError(
            f"{path}: not an Echowatch store (the file is not a SQLite database); "
            f"it was left untouched. {rescue_if_store(path)}"
        ) from exc


def _holds_nothing_or_a_store(conn: sqlite3.Connection) -> bool:
    """Whether the database is empty (no table, index, view or trigger) or an Echowatch
    store of any version (its migrations recorded, from the first store on)."""
    holds = conn.execute("SELECT 1 FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' LIMIT 1")
    return holds.fetchone() is None or bool(migrations.applied_names(conn))


_checked_intact: set[tuple[Path, int]] = set()
_checked_lock = threading.Lock()


def _intact_key(path: Path) -> tuple[Path, int]:
    return (path.resolve(), path.stat().st_ino)


def _found_intact(path: Path) -> bool:
    """Whether this process found `path` intact before writing to it."""
    try:
        return _intact_key(path) in _checked_intact
    except OSError:
        return False


def _check_intact_once(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse to write into a damaged store: `PRAGMA quick_check`, once per file and process.

    Writing on top of a damaged page spreads the damage, so a writer looks before its
    first write. quick_check reads every page but skips the costly index-content checks
    (see bench/README.md for its cost); the collector opens the store for every poll, so a
    file is checked once per process, and not at all while a clean check of the unchanged
    file is on record (cache/db/intact.py). Damage that appears later is caught when a
    write or a read meets it (describe_sqlite_error).
    """
    try:
        key = _intact_key(path)
    except OSError:
        return  # a new store: nothing to check
    if key in _checked_intact:
        return
    with _checked_lock:
        if key in _checked_intact:
            return
        problem = checked_damage(conn, path, quick_check)
        if problem is not None:
            raise StoreError(damaged_store_message(path, problem, "nothing was written to it"))
        _checked_intact.add(key)


def quick_check(conn: sqlite3.Connection) -> str | None:
    """What `PRAGMA quick_check` finds wrong with the file (its first few findings), or None.

    It reads every page: about 1.2 s for a 415 MB store of 200,000 mentions from the page
    cache; a cold disk and a busy machine make it slower (19 s measured, 2 busy cores).
    """
    try:
        problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.OperationalError:
        raise  # cannot open, busy, read-only: not damage, and described as what it is
    except sqlite3.DatabaseError as exc:  # so damaged that the check cannot finish
        return str(exc)
    return None if problems == ["ok"] else "; ".join(problems)


def now_text() -> str:
    return format_timestamp(utc_now())


def as_json_list(value: str | None) -> list[str]:
    """Decode a JSON list column (topics, sources), tolerating empty values."""
    if not value or value == "[]":
        return []  # most rows: no topic from the thread, often no topic at all
    return list(_decoded_list(value))


@functools.lru_cache(maxsize=4096)
def _decoded_list(value: str) -> tuple[str, ...]:
    # A few distinct topic and source lists make up nearly every row (ingest reads each
    # written row back to settle thread topics): decode each distinct list once.
    try:
        decoded = json.loads(value)
    except json.JSONDecodeError:
        return ()
    return tuple(str(item) for item in decoded) if isinstance(decoded, list) else ()
