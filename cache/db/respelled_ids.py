"""Ids and names that earlier versions spelled differently from today's (migration m024).

- A Mastodon instance given with its default port (`--instance mastodon.social:443`) was
  `mastodon.social:443` in every id and author key; today it is `mastodon.social`
  (`sources.mastodon.statuses.host_of`).
- A feed name with characters that show nothing (a zero-width space, a bidi mark) was
  stored as typed: in `source`, in the `sources` lists, in the ids of items keyed by their
  own guid (`rss:<feed>:<hash>`), in author keys and in the feed's state row; today every
  name is `plain_name`'s.

Today's version stores those posts again under today's spelling, so a store written by
both holds two copies of such a post. `respell` gives every old spelling today's, and
where both copies are stored keeps one, as an ingest of the second copy would have: its
sources together, the newer payload (`_kept_payload`), the earliest marks.

Cheap when there is nothing to do (every store runs it once): the Mastodon hosts are
found by stepping through the id and link indexes one host at a time, the feed names by
stepping through `mention_sources` one name at a time; no row of `mentions` is read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from sources.model.shown_text import plain_name

_DEFAULT_PORT = "443"
"""The port an instance named without a scheme was served on (`host_of` drops it)."""
_LINK_COLUMNS = ("id", "in_reply_to", "quoted_id")
"""The indexed columns of `mentions` that hold a mention id (the links' indexes are
partial, `IS NOT NULL`, which every range below implies)."""


@dataclass(frozen=True)
class Prefix:
    """Ids and author keys that start with `old` start with `new` today."""

    old: str
    new: str

    @property
    def end(self) -> str:
        """The first text after every text that starts with `old` (which ends in `:`)."""
        return self.old[:-1] + chr(ord(self.old[-1]) + 1)

    def id_for(self, value: str) -> str | None:
        """Today's spelling of a mention id, None when `value` is not one of these ids.
        The rest is one status id or hash (no `:`), so `rss:A:` never takes feed `A:B`'s."""
        rest = value[len(self.old) :] if value.startswith(self.old) else ":"
        return None if ":" in rest else self.new + rest

    def key_for(self, value: str) -> str | None:
        """Today's spelling of an author key (its handle may hold `:`)."""
        return self.new + value[len(self.old) :] if value.startswith(self.old) else None

    def range_sql(self, column: str) -> str:
        """A condition on `column` an index answers: it starts with `old`, one id after."""
        return f"{column} >= ? AND {column} < ? AND instr(substr({column}, ?), ':') = 0"

    def range_params(self) -> tuple[str, str, int]:
        return (self.old, self.end, len(self.old) + 1)


@dataclass
class Respelling:
    prefixes: list[Prefix]
    names: dict[str, str]
    """Old feed name -> today's."""

    def mention_id(self, value: str | None) -> str | None:
        if value is None:
            return None
        for prefix in self.prefixes:
            if (respelled := prefix.id_for(value)) is not None:
                return respelled
        return value

    def author_key(self, value: str) -> str:
        for prefix in self.prefixes:
            if (respelled := prefix.key_for(value)) is not None:
                return respelled
        return value

    def sources(self, value: str) -> str:
        """A stored `sources` list with today's names, each once (as stored if not a list)."""
        try:
            names = json.loads(value)
        except json.JSONDecodeError:
            return value
        if not isinstance(names, list):
            return value
        return json.dumps(list(dict.fromkeys(self.names.get(n, n) for n in names)))


def respell(conn: sqlite3.Connection) -> None:
    """Give every id, key and name that an earlier version spelled differently today's
    spelling, merging the copies of one post (see the module docstring)."""
    respelling = Respelling(_port_prefixes(conn), _unclean_feed_names(conn))
    respelling.prefixes += [
        Prefix(f"rss:{old}:", f"rss:{new}:") for old, new in respelling.names.items()
    ]
    if not respelling.prefixes:
        return
    moved = _move_mentions(conn, respelling)
    _respell_links(conn, respelling)
    _rename_sources(conn, respelling)
    _rename_states(conn, respelling.names)
    _respell_alerts(conn, respelling)
    if _newly_linked(conn, moved):
        # A post stored under today's id answers one that was stored only under the old:
        # they are a thread now, and the reply may take the post's topics. The next write
        # with the config classifies the store again, which settles every thread (m007).
        conn.execute("DELETE FROM meta WHERE key = 'classifier_fingerprint'")


def _port_prefixes(conn: sqlite3.Connection) -> list[Prefix]:
    """`mastodon:<host>:443:` -> `mastodon:<host>:` for each host some stored id or link
    names with the port."""
    hosts: set[str] = set()
    for column in _LINK_COLUMNS:
        hosts.update(_hosts_in(conn, column))
    found = []
    for host in sorted(hosts):
        prefix = Prefix(f"mastodon:{host}:{_DEFAULT_PORT}:", f"mastodon:{host}:")
        if any(_holds(conn, column, prefix) for column in _LINK_COLUMNS):
            found.append(prefix)
    return found


def _hosts_in(conn: sqlite3.Connection, column: str) -> Iterator[str]:
    """The hosts of the Mastodon ids in `column`, one index step each (not one a row)."""
    after = "mastodon:"
    while True:
        row = conn.execute(
            f"SELECT {column} FROM mentions WHERE {column} > ? AND {column} < 'mastodon;' "
            f"ORDER BY {column} LIMIT 1",
            (after,),
        ).fetchone()
        if row is None:
            return
        host = str(row[0])[len("mastodon:") :].split(":", 1)[0]
        yield host
        after = f"mastodon:{host};"  # past every id of this host


def _holds(conn: sqlite3.Connection, column: str, prefix: Prefix) -> bool:
    found = conn.execute(
        f"SELECT 1 FROM mentions WHERE {prefix.range_sql(column)} LIMIT 1", prefix.range_params()
    ).fetchone()
    return found is not None


def _unclean_feed_names(conn: sqlite3.Connection) -> dict[str, str]:
    """Feed names stored (as a source, or a feed's state row) that `plain_name` changes."""
    names: set[str] = set()
    after = ""
    while True:  # one step a source name, through the table's key
        row = conn.execute(
            "SELECT source FROM mention_sources WHERE source > ? ORDER BY source LIMIT 1",
            (after,),
        ).fetchone()
        if row is None:
            break
        after = str(row[0])
        names.add(after)
    feeds = {str(n) for (n,) in conn.execute("SELECT name FROM source_state WHERE kind = 'rss'")}
    found = {}
    for name in sorted(names | feeds):
        clean = plain_name(name)
        if clean and clean != name and (name in feeds or _feed_source(conn, name)):
            found[name] = clean
    return found


def _feed_source(conn: sqlite3.Connection, name: str) -> bool:
    """Whether `name` is a source of a feed item (not an X or Mastodon label)."""
    found = conn.execute(
        "SELECT 1 FROM mention_sources AS s JOIN mentions AS m ON m.id = s.mention_id "
        "WHERE s.source = ? AND m.platform = 'rss' LIMIT 1",
        (name,),
    ).fetchone()
    return found is not None


def _columns(conn: sqlite3.Connection) -> list[str]:
    return [str(r[1]) for r in conn.execute("PRAGMA table_info(mentions)")]


def _move_mentions(conn: sqlite3.Connection, respelling: Respelling) -> set[str]:
    """Give each mention stored under an old id today's id (merged into the copy stored
    under it, if any); returns today's ids of the mentions moved."""
    old_ids: list[str] = []
    for prefix in respelling.prefixes:
        rows = conn.execute(
            f"SELECT id FROM mentions WHERE {prefix.range_sql('id')}", prefix.range_params()
        )
        old_ids += [str(i) for (i,) in rows]
    columns = _columns(conn)
    moved = set()
    for old_id in old_ids:
        new_id = respelling.mention_id(old_id)
        if new_id is None or new_id == old_id:
            continue
        old = _row(conn, columns, old_id)
        new = _row(conn, columns, new_id)
        assert old is not None  # listed just before, in this transaction
        old_key = str(old["author_key"])
        _respell_row(old, respelling, new_id)
        if new is None:
            _replace_row(conn, columns, old_id, old)
        else:
            _merge_rows(conn, columns, old_id, old, new)
        _move_topics(conn, old_id, new_id, keep_old=new is None or _kept_payload(old, new) is old)
        _move_marks(conn, old_id, new_id)
        _move_accounts(conn, respelling, [old_key])
        moved.add(new_id)
    return moved


def _row(conn: sqlite3.Connection, columns: list[str], mention_id: str) -> dict[str, object] | None:
    found = conn.execute(
        f"SELECT rowid, {', '.join(columns)} FROM mentions WHERE id = ?", (mention_id,)
    ).fetchone()
    return None if found is None else dict(zip(["rowid", *columns], found, strict=True))


def _respell_row(row: dict[str, object], respelling: Respelling, new_id: str) -> None:
    """A row's id, links and author key in today's spelling."""
    row["id"] = new_id
    for column in ("in_reply_to", "quoted_id", "conversation_id"):
        row[column] = respelling.mention_id(row[column])  # type: ignore[arg-type]
    row["author_key"] = respelling.author_key(str(row["author_key"]))


def _replace_row(
    conn: sqlite3.Connection, columns: list[str], old_id: str, row: dict[str, object]
) -> None:
    """The row under its new id, at its rowid: deleted and inserted again, so that every
    trigger-kept list (full text, sources, reactions, facets) follows."""
    names = ["rowid", *columns]
    conn.execute("DELETE FROM mentions WHERE id = ?", (old_id,))
    conn.execute(
        f"INSERT INTO mentions ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [row[n] for n in names],
    )


def _kept_payload(old: dict[str, object], new: dict[str, object]) -> dict[str, object]:
    """Of two copies of one post, the one whose payload an ingest keeps: the later stored
    (today's on a tie), unless it is only a referenced copy or comes without the words
    the other has (`cache.write.ingest`: neither overwrites a stored post)."""
    earlier, later = (new, old) if str(old["updated_at"]) > str(new["updated_at"]) else (old, new)
    if later["referenced_only"] and not earlier["referenced_only"]:
        return earlier
    if str(earlier["text"]).strip() and not str(later["text"]).strip():
        return earlier
    return later


def _merge_rows(
    conn: sqlite3.Connection,
    columns: list[str],
    old_id: str,
    old: dict[str, object],
    new: dict[str, object],
) -> None:
    """Keep one row under today's id (`new`'s rowid) with the kept payload, both copies'
    sources (the first stored's first) and the time the post was first seen."""
    kept = dict(_kept_payload(old, new))
    first, second = sorted((old, new), key=lambda r: str(r["first_seen_at"]))
    sources = [*json.loads(str(first["sources"])), *json.loads(str(second["sources"]))]
    kept["sources"] = json.dumps(list(dict.fromkeys(sources)))
    kept["first_seen_at"] = first["first_seen_at"]
    kept["updated_at"] = max(str(old["updated_at"]), str(new["updated_at"]))
    if old["time_flag"] == new["time_flag"] == "undated":
        kept["created_at"] = first["created_at"]  # undated: the time it was first seen
    conn.execute("DELETE FROM mentions WHERE id = ?", (old_id,))
    changed = [c for c in columns if c != "id" and kept[c] != new[c]]
    if changed:
        conn.execute(
            f"UPDATE mentions SET {', '.join(f'{c} = ?' for c in changed)} WHERE id = ?",
            [*(kept[c] for c in changed), new["id"]],
        )


def _move_topics(conn: sqlite3.Connection, old_id: str, new_id: str, *, keep_old: bool) -> None:
    """The topic rows of the kept payload under today's id (`keep_old`: the old copy's)."""
    if keep_old:
        conn.execute("DELETE FROM mention_topics WHERE mention_id = ?", (new_id,))
        conn.execute(
            "INSERT INTO mention_topics (topic, created_at, mention_id, inherited) "
            "SELECT t.topic, m.created_at, m.id, t.inherited FROM mention_topics AS t "
            "JOIN mentions AS m ON m.id = ? WHERE t.mention_id = ?",
            (new_id, old_id),
        )
    conn.execute("DELETE FROM mention_topics WHERE mention_id = ?", (old_id,))


def _move_marks(conn: sqlite3.Connection, old_id: str, new_id: str) -> None:
    """A reader's marks under today's id; of two, each mark as first set."""
    conn.execute(
        "INSERT INTO mention_marks (mention_id, read_at, starred_at) "
        "SELECT ?, read_at, starred_at FROM mention_marks WHERE mention_id = ? "
        "ON CONFLICT (mention_id) DO UPDATE SET "
        "read_at = CASE WHEN read_at IS NULL OR excluded.read_at < read_at "
        "THEN coalesce(excluded.read_at, read_at) ELSE read_at END, "
        "starred_at = CASE WHEN starred_at IS NULL OR excluded.starred_at < starred_at "
        "THEN coalesce(excluded.starred_at, starred_at) ELSE starred_at END",
        (new_id, old_id),
    )
    conn.execute("DELETE FROM mention_marks WHERE mention_id = ?", (old_id,))


def _move_accounts(conn: sqlite3.Connection, respelling: Respelling, keys: list[str]) -> None:
    """Each account of `keys` under today's key; of two, the one updated last."""
    for old_key in keys:
        new_key = respelling.author_key(old_key)
        if new_key == old_key:
            continue
        conn.execute(
            "DELETE FROM accounts WHERE key = ? AND updated_at <= "
            "(SELECT updated_at FROM accounts WHERE key = ?)",
            (old_key, new_key),
        )
        conn.execute(
            "DELETE FROM accounts WHERE key = ? AND EXISTS (SELECT 1 FROM accounts WHERE key = ?)",
            (new_key, old_key),
        )
        conn.execute("UPDATE accounts SET key = ? WHERE key = ?", (new_key, old_key))


def _respell_links(conn: sqlite3.Connection, respelling: Respelling) -> None:
    """Replies, quotes and conversations of other posts that name an old id."""
    for prefix in respelling.prefixes:
        for column in ("in_reply_to", "quoted_id", "conversation_id"):
            # conversation_id has no index: read only when there is something to respell.
            conn.execute(
                f"UPDATE mentions SET {column} = ? || substr({column}, ?) "
                f"WHERE {prefix.range_sql(column)}",
                (prefix.new, len(prefix.old) + 1, *prefix.range_params()),
            )


def _rename_sources(conn: sqlite3.Connection, respelling: Respelling) -> None:
    """Every mention of a renamed feed (its own source or one in `sources`) with today's
    name, and its author key with it."""
    for old in respelling.names:
        ids = [
            str(i)
            for (i,) in conn.execute(
                "SELECT DISTINCT mention_id FROM mention_sources WHERE source = ?", (old,)
            )
        ]
        keys = []
        for mention_id in ids:
            source, sources, author_key = conn.execute(
                "SELECT source, sources, author_key FROM mentions WHERE id = ?", (mention_id,)
            ).fetchone()
            keys.append(str(author_key))
            conn.execute(
                "UPDATE mentions SET source = ?, sources = ?, author_key = ? WHERE id = ?",
                (
                    respelling.names.get(source, source),
                    respelling.sources(sources),
                    respelling.author_key(str(author_key)),
                    mention_id,
                ),
            )
        _move_accounts(conn, respelling, sorted(set(keys)))


def _rename_states(conn: sqlite3.Connection, names: dict[str, str]) -> None:
    """A renamed feed's state rows (`name`, `name/part`) under today's name; of two, the
    one polled last, with the items both have seen."""
    for old, new in names.items():
        rows = conn.execute(
            "SELECT name FROM source_state WHERE name = ? OR (name > ? AND name < ?)",
            (old, old + "/", old + "0"),
        ).fetchall()
        for (old_name,) in rows:
            new_name = new + str(old_name)[len(old) :]
            seen = conn.execute(
                "SELECT sum(items_seen) FROM source_state WHERE name IN (?, ?)",
                (old_name, new_name),
            ).fetchone()[0]
            conn.execute(
                "DELETE FROM source_state WHERE name = ? AND coalesce(last_poll_at, '') <= "
                "(SELECT coalesce(last_poll_at, '') FROM source_state WHERE name = ?)",
                (old_name, new_name),
            )
            conn.execute(
                "DELETE FROM source_state WHERE name = ? AND EXISTS "
                "(SELECT 1 FROM source_state WHERE name = ?)",
                (new_name, old_name),
            )
            conn.execute(
                "UPDATE source_state SET name = ?, items_seen = ? WHERE name IN (?, ?)",
                (new_name, seen, old_name, new_name),
            )


def _respell_alerts(conn: sqlite3.Connection, respelling: Respelling) -> None:
    """The posts and sources an alert lists as its drivers, in today's spelling."""
    for alert_id, top_ids, top_sources in conn.execute(
        "SELECT id, top_ids, top_sources FROM alerts"
    ).fetchall():
        try:
            ids, sources = json.loads(top_ids), json.loads(top_sources)
        except json.JSONDecodeError:
            continue
        if not (isinstance(ids, list) and isinstance(sources, list)):
            continue
        new_ids = list(
            dict.fromkeys(respelling.mention_id(i) if isinstance(i, str) else i for i in ids)
        )
        counted: dict[object, int] = {}
        for pair in sources:
            if not (isinstance(pair, list) and len(pair) == 2):
                counted = {}
                break
            name = respelling.names.get(pair[0], pair[0]) if isinstance(pair[0], str) else pair[0]
            counted[name] = counted.get(name, 0) + int(pair[1])
        new_sources = [[n, c] for n, c in counted.items()] if counted else sources
        if new_ids != ids or new_sources != sources:
            conn.execute(
                "UPDATE alerts SET top_ids = ?, top_sources = ? WHERE id = ?",
                (json.dumps(new_ids), json.dumps(new_sources), alert_id),
            )


def _newly_linked(conn: sqlite3.Connection, moved: set[str]) -> bool:
    """Whether a post not moved answers or quotes one that was (a thread just joined)."""
    ids = sorted(moved)
    for start in range(0, len(ids), 400):
        chunk = ids[start : start + 400]
        marks = ",".join("?" for _ in chunk)
        for (child,) in conn.execute(
            f"SELECT id FROM mentions WHERE in_reply_to IN ({marks}) "
            f"UNION SELECT id FROM mentions WHERE quoted_id IN ({marks})",
            (*chunk, *chunk),
        ):
            if child not in moved:
                return True
    return False
