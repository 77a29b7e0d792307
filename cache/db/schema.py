"""The store's schema, created and changed only through sqlite-utils migrations.

Add a migration at the end to change the schema; never edit one that has shipped.

The migrations are listed here without importing sqlite-utils: every start of the monitor
asks whether any are pending (a plain sqlite3 read of the table sqlite-utils records them
in), and importing sqlite-utils costs about a CPU second there (it loads numpy, click,
dateutil and its plugins). sqlite-utils' own `Migrations` applies them, loaded only by a
writer that has something to apply.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cache.db import mention_facets, mention_lists
from cache.db.write_lock import immediate

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MigrationFunction = Callable[["Database"], None]


@dataclass(frozen=True)
class Migration:
    name: str
    fn: MigrationFunction
    transactional: bool


class MigrationList:
    """The store's migrations in order, declared like sqlite-utils' `Migrations`
    (`@migrations()`, `@migrations(transactional=False)`) and recorded the way it records
    them (`_sqlite_migrations`: one row per applied name of the set)."""

    table = "_sqlite_migrations"

    def __init__(self, set_name: str) -> None:
        self.set_name = set_name
        self.migrations: list[Migration] = []

    def __call__(
        self, *, name: str | None = None, transactional: bool = True
    ) -> Callable[[MigrationFunction], MigrationFunction]:
        def register(fn: MigrationFunction) -> MigrationFunction:
            migration_name = name or fn.__name__
            if migration_name in self.names():
                raise ValueError(f"migration {migration_name!r} is declared twice")
            self.migrations.append(Migration(migration_name, fn, transactional))
            return fn

        return register

    def names(self) -> list[str]:
        return [m.name for m in self.migrations]

    def applied_names(self, conn: sqlite3.Connection) -> list[str]:
        """The names recorded as applied in the store, in the order they were applied."""
        if not _has_table(conn, self.table):
            return []
        rows = conn.execute(
            f"SELECT name FROM {self.table} WHERE migration_set = ? ORDER BY rowid",
            [self.set_name],
        )
        return [str(name) for (name,) in rows]

    def pending_names(self, conn: sqlite3.Connection) -> list[str]:
        """The migrations not yet applied to the store (a read; plain sqlite3)."""
        applied = set(self.applied_names(conn))
        return [name for name in self.names() if name not in applied]

    def apply(self, db: Database, *, stop_before: str | Iterable[str] | None = None) -> None:
        """Apply the pending migrations through sqlite-utils' `Migrations`, each one with
        its record in a transaction that holds the write lock from its start.

        Whether a migration is pending is asked again under that lock: two writers opening
        a new or older store at once then apply each migration once, the second waiting
        for the first (in sqlite-utils' own transactions both saw it pending, and the
        second failed on "table already exists" or "database is locked"). A migration
        declared `transactional=False` runs in it too: the lock is what keeps the other
        writer out.

        Temporary data goes to files meanwhile: migrations rebuild tables and indexes of a
        whole store (m008's rebuild sorted 650 MB in memory for 300,000 mentions), and
        SQLite changes `temp_store` only outside a transaction, so it is set here, before
        them (m008 asks for the same inside its transaction, which is then no change)."""
        stops = {stop_before} if isinstance(stop_before, str) else set(stop_before or ())
        (previous,) = db.conn.execute("PRAGMA temp_store").fetchone()
        db.conn.execute("PRAGMA temp_store = FILE")
        try:
            for count, migration in enumerate(self.migrations, start=1):
                if migration.name in stops:
                    return
                with immediate(db.conn):
                    if migration.name not in self.applied_names(db.conn):
                        self._runner(self.migrations[:count]).apply(db)
        finally:
            db.conn.execute(f"PRAGMA temp_store = {int(previous)}")

    def _runner(self, listed: list[Migration]) -> Migrations:
        """sqlite-utils' `Migrations` for `listed` (its table, its records)."""
        # Imported here, not at the top: only a writer with pending migrations needs it,
        # and every reader's start would pay its import (see the module docstring).
        from sqlite_utils.migrations import Migrations

        runner = Migrations(self.set_name)
        for migration in listed:
            runner(name=migration.name, transactional=migration.transactional)(migration.fn)
        return runner


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]
    ).fetchone()
    return found is not None


migrations = MigrationList("echowatch")


@migrations()
def m001_mentions_accounts_sources(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE mentions (
            id TEXT PRIMARY KEY,
            platform TEXT NOT NULL,
            source TEXT NOT NULL,
            sources TEXT NOT NULL DEFAULT '[]',
            url TEXT NOT NULL DEFAULT '',
            canonical_url TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            author_name TEXT NOT NULL DEFAULT '',
            author_key TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            lang TEXT NOT NULL DEFAULT 'und',
            created_at TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'post',
            in_reply_to TEXT,
            quoted_id TEXT,
            conversation_id TEXT,
            referenced_only INTEGER NOT NULL DEFAULT 0,
            role TEXT NOT NULL DEFAULT '',
            topics TEXT NOT NULL DEFAULT '[]',
            topic_matches TEXT NOT NULL DEFAULT '{}',
            raw TEXT NOT NULL DEFAULT '{}',
            raw_hash TEXT NOT NULL DEFAULT '',
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX mentions_created ON mentions(created_at);
        CREATE INDEX mentions_platform_created ON mentions(platform, created_at);
        CREATE INDEX mentions_source_created ON mentions(source, created_at);
        CREATE INDEX mentions_author_created ON mentions(author COLLATE NOCASE, created_at);
        CREATE INDEX mentions_author_key ON mentions(author_key, created_at);
        CREATE INDEX mentions_role_created ON mentions(role, created_at);
        CREATE INDEX mentions_lang_created ON mentions(lang, created_at);
        CREATE INDEX mentions_in_reply_to ON mentions(in_reply_to);
        CREATE INDEX mentions_quoted ON mentions(quoted_id);
        CREATE INDEX mentions_conversation ON mentions(conversation_id);
        CREATE INDEX mentions_canonical ON mentions(canonical_url) WHERE canonical_url != '';

        -- One row per (mention, topic) so that `topic:pay` newest-first uses an index.
        CREATE TABLE mention_topics (
            topic TEXT NOT NULL,
            created_at TEXT NOT NULL,
            mention_id TEXT NOT NULL,
            PRIMARY KEY (topic, mention_id)
        );
        CREATE INDEX mention_topics_topic_created ON mention_topics(topic, created_at);
        CREATE INDEX mention_topics_mention ON mention_topics(mention_id);

        CREATE VIRTUAL TABLE mentions_fts USING fts5(
            text, content='mentions', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN
            INSERT INTO mentions_fts(rowid, text) VALUES (new.rowid, new.text);
        END;
        CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN
            INSERT INTO mentions_fts(mentions_fts, rowid, text)
                VALUES ('delete', old.rowid, old.text);
        END;
        CREATE TRIGGER mentions_fts_update AFTER UPDATE OF text ON mentions BEGIN
            INSERT INTO mentions_fts(mentions_fts, rowid, text)
                VALUES ('delete', old.rowid, old.text);
            INSERT INTO mentions_fts(rowid, text) VALUES (new.rowid, new.text);
        END;

        CREATE TABLE accounts (
            key TEXT PRIMARY KEY,
            platform TEXT NOT NULL,
            handle TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '',
            bio TEXT NOT NULL DEFAULT '',
            followers INTEGER,
            following INTEGER,
            post_count INTEGER,
            created_at TEXT,
            verified INTEGER NOT NULL DEFAULT 0,
            role TEXT NOT NULL DEFAULT '',
            role_reason TEXT NOT NULL DEFAULT '',
            raw TEXT NOT NULL DEFAULT '{}',
            raw_hash TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL
        );
        CREATE INDEX accounts_handle ON accounts(handle COLLATE NOCASE);
        CREATE INDEX accounts_role ON accounts(role);

        -- Per-source state: resume cursors, HTTP validators, health. `name` is the
        -- source's name, or `source/part` for a part of it (one X query).
        CREATE TABLE source_state (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT '',
            cursor TEXT,
            etag TEXT,
            last_modified TEXT,
            url TEXT,
            last_poll_at TEXT,
            last_success_at TEXT,
            last_error TEXT,
            last_error_at TEXT,
            items_seen INTEGER NOT NULL DEFAULT 0,
            last_new INTEGER NOT NULL DEFAULT 0,
            paused_until TEXT,
            rate_remaining INTEGER,
            next_poll_at TEXT,
            extra TEXT NOT NULL DEFAULT '{}'
        );

        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )


@migrations()
def m002_alerts(db: Database) -> None:
    # One row per spike: (topic, start hour) is unique, so judging an hour twice (a restart,
    # `app.py alerts` beside a collector) updates the alert instead of repeating it.
    db.executescript(
        """
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            topic TEXT NOT NULL,
            started_at TEXT NOT NULL,
            count INTEGER NOT NULL,
            baseline REAL NOT NULL,
            stdev REAL NOT NULL,
            threshold REAL NOT NULL,
            k REAL NOT NULL,
            min_count INTEGER NOT NULL,
            baseline_kind TEXT NOT NULL,
            baseline_hours INTEGER NOT NULL,
            peak_count INTEGER NOT NULL,
            peak_at TEXT NOT NULL,
            last_hot_at TEXT NOT NULL,
            top_ids TEXT NOT NULL DEFAULT '[]',
            top_sources TEXT NOT NULL DEFAULT '[]',
            mode TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            notified_at TEXT,
            UNIQUE (topic, started_at)
        );
        CREATE INDEX alerts_started ON alerts(started_at);
        """
    )


@migrations()
def m003_untopiced_index(db: Database) -> None:
    # The monitor's topic panel counts "other" (no topic) per time bucket; without this
    # partial index that is a scan of every mention in the window (7 d = half a million).
    db.execute(
        "CREATE INDEX IF NOT EXISTS mentions_untopiced_created ON mentions(created_at) "
        "WHERE topics = '[]' AND referenced_only = 0"
    )


@migrations()
def m004_platform_source_index(db: Database) -> None:
    # `status` counts mentions per (platform, source): with this index that is a walk of a
    # small index instead of a million row lookups. No query filters on (source,
    # created_at): `source:` also matches the other feeds of an article, which that
    # index cannot answer.
    db.executescript(
        """
        DROP INDEX IF EXISTS mentions_source_created;
        CREATE INDEX IF NOT EXISTS mentions_platform_source ON mentions(platform, source);
        """
    )


@migrations()
def m005_time_flags(db: Database) -> None:
    # Times outside a sane window (Go's zero time `0001-01-01` in Hugo feeds, an epoch of 0,
    # 9999, a clock years ahead) are kept but flagged, and left out of every count; undated
    # feed items carry the time first seen, flagged `undated`. Older stores wrote year 1 as
    # `1-01-01T00:00:00Z` (strftime does not pad the year): rewrite such rows in the one
    # fixed-width form so that they sort and slice like every other time.
    from cache.db.time_repair import repair_stored_times

    db.executescript(
        """
        ALTER TABLE mentions ADD COLUMN time_flag TEXT NOT NULL DEFAULT '';
        CREATE INDEX IF NOT EXISTS mentions_time_flagged ON mentions(created_at)
            WHERE time_flag != '';
        """
    )
    repair_stored_times(db.conn)


@migrations()
def m007_topics_from_thread(db: Database) -> None:
    # A reply whose own words name no topic takes the topics of the post it answers
    # (cache.write.thread_topics). `topics` keeps every topic of a mention, these columns say
    # which came from the thread, so `topic:` stays one index probe and `own:` one more test.
    db.executescript(
        """
        ALTER TABLE mentions ADD COLUMN topics_from_thread TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE mention_topics ADD COLUMN inherited INTEGER NOT NULL DEFAULT 0;
        -- Classify what is stored again at the next write, which also passes the topics of
        -- the posts already stored on to their replies.
        DELETE FROM meta WHERE key = 'classifier_fingerprint';
        """
    )


@migrations(transactional=False)
def m008_mentions_author_fk(db: Database) -> None:
    # Declare mentions.author_key -> accounts.key so that Datasette links a mention to its
    # author and sqlite-utils/pandas users see the relation. SQLite can only add a foreign
    # key by rebuilding the table; sqlite-utils' transform copies every column, the rowid
    # and every index. The key is declared, not enforced: the store never turns on
    # PRAGMA foreign_keys, because real data breaks it: a feed item or a referenced post
    # arrives before (or without) its author's account, and an unknown author is ''.
    # The full-text triggers go with the old table; m008b declares them anew.
    from cache.db import fts

    if any(fk.column == "author_key" for fk in db.table("mentions").foreign_keys):
        return  # done already (this migration is idempotent: see below)
    # Not in the migration's own transaction: the rebuild sorts every index anew, and a
    # writer keeps temporary data in memory (cache/store.py), 650 MB for 300,000 mentions.
    # temp_store can only change outside a transaction. The rebuild is still one
    # transaction; if the process dies before the migration is recorded, the next open
    # finds the key declared and only records it.
    (previous,) = db.execute("PRAGMA temp_store").fetchone()
    db.execute("PRAGMA temp_store = FILE")
    try:
        with db.atomic():
            fts.drop_triggers(db)
            db.execute(f'DROP TABLE IF EXISTS "{fts.FTS_TABLE}"')
            db.table("mentions").transform(add_foreign_keys=[("author_key", "accounts", "key")])
    finally:
        db.execute(f"PRAGMA temp_store = {int(previous)}")


@migrations()
def m008b_fts_sqlite_utils(db: Database) -> None:
    # The full-text index as sqlite-utils' enable_fts(create_triggers=True) declares it, so
    # `sqlite-utils search` and Datasette's search box find it (see cache/fts.py).
    from cache.db import fts

    fts.recreate(db)


@migrations()
def m009_mention_marks(db: Database) -> None:
    # What a reader keeps about a mention (read, starred) lives beside the mentions, keyed
    # by id: an import, a re-ingest or a rebuild of `mentions` (m008) never touches it, and
    # a mention stored again under the same id keeps its marks. No foreign key: a mark may
    # outlive its mention (deleted, re-imported later) and then applies again.
    db.executescript(
        """
        CREATE TABLE mention_marks (
            mention_id TEXT PRIMARY KEY,
            read_at TEXT,
            starred_at TEXT
        );
        -- `is:starred` lists the few starred mentions instead of walking the feed.
        CREATE INDEX mention_marks_starred ON mention_marks(starred_at)
            WHERE starred_at IS NOT NULL;
        """
    )


@migrations()
def m010_reaction_indexes(db: Database) -> None:
    # `has:parody` and `has:reply` test each mention of the feed for replies and quotes by
    # parody accounts or ambassadors. Through `mentions_in_reply_to` each test read the
    # replying row to learn its role (a million rows read to count `has:parody`); these
    # partial indexes hold only those replies and quotes, so the test reads no row (`role`
    # and `id` are in them only so that SQLite needs nothing from the row itself).
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS mentions_parody_reply ON mentions(in_reply_to, role)
            WHERE role = 'parody';
        CREATE INDEX IF NOT EXISTS mentions_parody_quote ON mentions(quoted_id, role)
            WHERE role = 'parody';
        CREATE INDEX IF NOT EXISTS mentions_ambassador_reply ON mentions(in_reply_to, role, id)
            WHERE role = 'ambassador';
        """
    )


@migrations()
def m011_mention_sources(db: Database) -> None:
    # `source:NAME` also matches the other feeds of an article (the JSON list `sources`),
    # which no index on `mentions` can answer: each page parsed that list row by row. The
    # table lists every (source, created_at, mention) in index order, kept by triggers.
    mention_lists.create_sources(db)


@migrations()
def m012_mention_reactions(db: Database) -> None:
    # `has:parody` / `has:reply` depend on other mentions (replies, quotes, their roles):
    # listed per kind newest first, kept by triggers, so a page is an index range.
    mention_lists.create_reactions(db)


@migrations()
def m013_mention_authors(db: Database) -> None:
    # One per-author index instead of two: the names each author key posted under are
    # listed (nearly always one), so an account's posts are read through the name index that
    # `author:` walks, and each new mention no longer lands at a random place in a second
    # large index (cache.db.mention_lists.AUTHORS_TABLE_SQL says what that cost).
    mention_lists.create_authors(db)
    db.execute("DROP INDEX IF EXISTS mentions_author_key")


@migrations()
def m014_fts_merge_wider(db: Database) -> None:
    # Each import transaction adds a segment to the full-text index; merging them 16 at a
    # time instead of 4 rewrites each entry about half as often (cache.db.fts.AUTOMERGE).
    from cache.db import fts

    fts.merge_wider(db)


LEANER_WRITES_SQL = (
    """CREATE TABLE mention_topics_keyed (
        topic TEXT NOT NULL,
        created_at TEXT NOT NULL,
        mention_id TEXT NOT NULL,
        inherited INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (topic, created_at, mention_id)
    ) WITHOUT ROWID""",
    "INSERT INTO mention_topics_keyed (topic, created_at, mention_id, inherited) "
    "SELECT topic, created_at, mention_id, inherited FROM mention_topics",
    "DROP TABLE mention_topics",
    "ALTER TABLE mention_topics_keyed RENAME TO mention_topics",
    "CREATE UNIQUE INDEX mention_topics_mention ON mention_topics(mention_id, topic)",
    "DROP INDEX IF EXISTS mentions_in_reply_to",
    "CREATE INDEX mentions_in_reply_to ON mentions(in_reply_to) WHERE in_reply_to IS NOT NULL",
    "DROP INDEX IF EXISTS mentions_quoted",
    "CREATE INDEX mentions_quoted ON mentions(quoted_id) WHERE quoted_id IS NOT NULL",
    "DROP INDEX IF EXISTS mentions_conversation",
)
"""The statements of m015, in order."""


@migrations()
def m015_leaner_writes(db: Database) -> None:
    # Fewer index entries per stored mention (each costs an import about a microsecond):
    # - `mention_topics` keyed by what `topic:` reads, (topic, created_at, mention_id), with
    #   no rowid: two b-trees per topic row instead of four. The unique index on
    #   (mention_id, topic) keeps one row per pair and serves the per-mention probes.
    # - reply and quote links indexed only where a post has one (most reply to nothing):
    #   every reader compares them with `=` or `IN`, which SQLite knows implies IS NOT NULL,
    #   so the partial indexes serve them all.
    # - no index of conversation ids: no reader ever looked one up.
    # One statement at a time: executescript() would commit the migration's transaction.
    for statement in LEANER_WRITES_SQL:
        db.execute(statement)


@migrations()
def m016_author_index_by_day(db: Database) -> None:
    # The per-author index led by the day of each post (cache.db.author_index says why):
    # led by the author, each new mention landed at a random place in it. Written out,
    # not taken from author_index.CREATE_SQL, so that this migration never changes.
    db.execute("DROP INDEX IF EXISTS mentions_author_created")
    db.execute(
        "CREATE INDEX mentions_author_created "
        "ON mentions(substr(created_at, 1, 10), author COLLATE NOCASE, created_at)"
    )


@migrations()
def m017_mention_days(db: Database) -> None:
    # The days of the stored posts in a table of their own, kept by triggers: readers of
    # the per-author index went through them by listing them from the index, one step a
    # day in every statement (cache.db.mention_lists.DAYS_TABLE_SQL says what that cost).
    mention_lists.create_days(db)


@migrations()
def m018_mention_facets(db: Database) -> None:
    # Each mention's language, role and platform by its rowid, kept by triggers: a search
    # read from its words' match list tests them there instead of reading each match's
    # row (cache.db.mention_facets says what that cost).
    mention_lists.create_facets(db)


@migrations()
def m019_facets_topics_and_time(db: Database) -> None:
    # The facets gain the default topics (as bits) and the time (as a number), and hold the
    # role as a number: a search of words, topics and such conditions then tests all of
    # them there, and its page looks up only the newest of its matches
    # (cache.db.mention_facets). A store m018 made since has them already.
    if "role_code" in db["mention_facets"].columns_dict:
        return
    for name in mention_facets.TRIGGER_NAMES:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute("DROP TABLE mention_facets")
    mention_lists.create_facets(db)


@migrations()
def m020_fts_larger_hash(db: Database) -> None:
    # An import transaction's full-text entries written as one segment instead of one per
    # megabyte: the merging each segment sets off grew with the index (cache.db.fts.HASH_BYTES).
    from cache.db import fts

    fts.hash_larger(db)


ESCAPED_X_TEXT = (
    "platform = 'x' AND instr(text, '&') "
    "AND (instr(text, '&lt;') OR instr(text, '&gt;') OR instr(text, '&amp;'))"
)
"""The X posts whose text holds one of X's three HTML escapes (m021)."""
_ESCAPE_WORD = re.compile(r"(?<!\w)(amp|lt|gt)(?!\w)", re.IGNORECASE)


@migrations()
def m021_x_texts_unescaped(db: Database) -> None:
    # X sends `&`, `<` and `>` in post texts as `&amp;`, `&lt;` and `&gt;`; the X parser now
    # stores the characters, and the texts stored before get the same single step (`&amp;`
    # last, so `&amp;lt;` reads `&lt;`: `sources.x.twitter_v2.X_TEXT_UNESCAPE_SQL`, written
    # out here because a shipped migration never changes). Only rows holding an escape are
    # written, and the full-text index follows through its trigger on `text` (mentions_au).
    # Topics: the words inside the escapes (amp, lt, gt) are the only difference a topic
    # term can see, so topics change only where a configured term matched one of them. A
    # migration has no config to decide them with; the classifier's record is dropped
    # instead, so the next write with the config classifies the store again (as m007).
    conn = db.conn
    matched = conn.execute(
        f"SELECT topic_matches FROM mentions WHERE {ESCAPED_X_TEXT} AND topic_matches != '{{}}'"
    )
    if any(_names_escape_word(str(found)) for (found,) in matched):
        conn.execute("DELETE FROM meta WHERE key = 'classifier_fingerprint'")
    conn.execute(
        "UPDATE mentions SET text = "
        "replace(replace(replace(text, '&lt;', '<'), '&gt;', '>'), '&amp;', '&') "
        f"WHERE {ESCAPED_X_TEXT}"
    )


def _names_escape_word(topic_matches: str) -> bool:
    """Whether a stored `topic_matches` (JSON: topic -> words matched) holds one of the
    words inside X's escapes as a word of a match."""
    try:
        found = json.loads(topic_matches)
    except json.JSONDecodeError:
        return True  # cannot tell: decide again
    if not isinstance(found, dict):
        return True
    return any(
        _ESCAPE_WORD.search(str(word))
        for words in found.values()
        for word in (words if isinstance(words, list) else [words])
    )


@migrations()
def m022_edited_x_posts(db: Database) -> None:
    # Each version of an edited X post came as a mention of its own; the newest stays the
    # mention, the earlier ones move to `mention_versions` (cache.db.edit_versions).
    from cache.db import edit_versions

    db.executescript(edit_versions.SCHEMA)
    _settle_edited(db)


def _settle_edited(db: Database) -> None:
    """Settle every stored X post whose history names more than one version."""
    from cache.db import edit_versions

    rows = db.conn.execute(
        "SELECT id, raw FROM mentions WHERE platform = 'x' "
        "AND CASE WHEN json_valid(raw) "
        "THEN json_array_length(raw, '$.edit_history_tweet_ids') END > 1"
    ).fetchall()
    edit_versions.settle(db.conn, [(str(i), raw) for i, raw in rows])


@migrations()
def m023_retweets_set_aside(db: Database) -> None:
    # A retweet is no mention of its own (cache.db.reposts): those stored as mentions
    # move to `mention_reposts`, and stop counting in feeds, topics and spikes.
    from cache.db import reposts

    db.executescript(reposts.SCHEMA)
    # X's default fields leave `referenced_tweets` out: such a retweet was stored as a post.
    # Read again, its fields say what it is now (`tweet_fields`).
    from sources.x.twitter_v2 import retweet_by_text

    db.conn.executemany(
        "UPDATE mentions SET kind = 'retweet' WHERE id = ?",
        [
            (i,)
            for i, text, raw in db.conn.execute(
                "SELECT id, text, raw FROM mentions "
                "WHERE platform = 'x' AND kind = 'post' AND text LIKE 'RT @%'"
            ).fetchall()
            if retweet_by_text(text, raw)
        ],
    )
    ids = db.conn.execute("SELECT id FROM mentions WHERE kind = 'retweet'").fetchall()
    reposts.set_aside(db.conn, [(str(i), "retweet") for (i,) in ids])


@migrations()
def m024_ids_as_spelled_today(db: Database) -> None:
    # Mastodon ids with the instance's default port (`mastodon:host:443:<id>`) and feed
    # names with invisible characters, as earlier versions stored them, in today's spelling:
    # today's version stored such posts a second time (cache.db.respelled_ids).
    from cache.db import respelled_ids

    respelled_ids.respell(db.conn)


@migrations()
def m025_untopiced_with_copies(db: Database) -> None:
    # `other` counts every post without a topic, as the feed lists them when `other` is
    # chosen: a copy stored because a mention answered or quoted it is one of them.
    db.execute("DROP INDEX IF EXISTS mentions_untopiced_created")
    db.execute(
        "CREATE INDEX mentions_untopiced_created ON mentions(created_at) WHERE topics = '[]'"
    )


@migrations()
def m026_edit_histories(db: Database) -> None:
    # The version ids each edited post's history names (`edit_history`), so that a version
    # whose payload predates the edit is recognised; settling the edited posts again also
    # makes what named an earlier version (answers, marks, alerts) name the mention.
    from cache.db import edit_versions

    for statement in edit_versions.SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    _settle_edited(db)


@migrations()
def m027_known_authors(db: Database) -> None:
    # X posts stored as `unknown` whose account the store knows take its author
    # (cache.db.known_authors); the partial index finds those still waiting for one.
    from cache.db import known_authors
    from sources.model.records import utc_now
    from sources.model.text import format_timestamp

    db.execute(known_authors.INDEX)
    known_authors.fill_all(db.conn, format_timestamp(utc_now()))


@migrations()
def m028_authorless_posts_public(db: Database) -> None:
    # An X post with no author at all (X's default payload) was stored with no role: it is
    # `public`, as a post of an unknown account is. Only such posts have no author key.
    db.execute("UPDATE mentions SET role = 'public' WHERE role = ''")


@migrations()
def m029_account_captures(db: Database) -> None:
    # When the stored profile was captured (cache.write.ingest.store_accounts): an older
    # capture read later no longer replaces it. Unknown for the profiles stored before.
    db.execute("ALTER TABLE accounts ADD COLUMN captured_at TEXT NOT NULL DEFAULT ''")


@migrations()
def m030_retweet_marks_to_reposted_posts(db: Database) -> None:
    # Marks set on a retweet while it counted as a mention (before m023) would stay with it,
    # aside and out of sight: the post it reposts takes them (cache.db.reposts.carry_marks).
    from cache.db import reposts

    reposts.carry_marks(db.conn)


@migrations()
def m031_languages_without_region(db: Database) -> None:
    # Bluesky posts kept a language's region (`en-us`), feed items and X posts did not
    # (`en`): `lang:en` missed the former. Every stored language is its primary subtag, as
    # posts are stored now (sources.model.text.language_code).
    from sources.model.text import language_code

    # The distinct languages come from the (lang, created_at) index, not the table.
    stored = [str(lang) for (lang,) in db.execute("SELECT DISTINCT lang FROM mentions")]
    for lang in stored:
        code = language_code(lang) or "und"
        if code != lang:
            db.execute("UPDATE mentions SET lang = ? WHERE lang = ?", [code, lang])


@migrations()
def m032_authorless_posts_public_again(db: Database) -> None:
    # A classification run after a config change (cache.write.reclassify, before this
    # version) set posts with no author back to no role: they are `public` again, as m028
    # made them and as an import stores them.
    db.execute("UPDATE mentions SET role = 'public' WHERE role = ''")


@migrations()
def m033_parody_reactions_to_others(db: Database) -> None:
    # A parody account answering or quoting its own post mocks nobody: `has:parody` lists
    # a post only for another account's parody reply or quote. The parody reply and quote
    # indexes hold the author too, so the test still reads no reply's row (m010).
    for link, name in (("in_reply_to", "reply"), ("quoted_id", "quote")):
        db.execute(f"DROP INDEX IF EXISTS mentions_parody_{name}")
        db.execute(
            f"CREATE INDEX mentions_parody_{name} ON mentions({link}, role, author_key) "
            "WHERE role = 'parody'"
        )
    mention_lists.relist_reactions(db)
