"""Re-apply topics and roles to what is stored when the classification rules change.

The classifier's fingerprint (topic vocabulary and role rules, from the config and the
built-in rules) is kept in `meta`. A command that writes calls `reclassify_if_changed`
first; when the fingerprint differs, every account's role and every mention's role and
topics are decided again, in chunks, each chunk in its own transaction: an interrupted
run leaves a consistent store and simply runs again next time (the fingerprint is saved
only at the end). Only rows whose classification changed are written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from cache.db.store import Store, as_json_list
from cache.read.stale_rules import FINGERPRINT_KEY
from cache.write.mention_rows import AUTHORLESS_ROLE
from cache.write.renamed_accounts import earlier_listed_handles
from cache.write.thread_topics import settle
from filters.classify import Classifier

_CHUNK = 2000


@dataclass
class ReclassifyResult:
    accounts_checked: int = 0
    accounts_changed: int = 0
    mentions_checked: int = 0
    mentions_changed: int = 0


def reclassify_if_changed(
    store: Store,
    classifier: Classifier,
    *,
    on_progress: Callable[[ReclassifyResult], None] | None = None,
) -> ReclassifyResult | None:
    """Reclassify the store when its rules differ from `classifier`'s; None when current.

    A store without mentions just records the fingerprint.
    """
    current = classifier.fingerprint()
    stored = store.get_meta(FINGERPRINT_KEY)
    if stored == current:
        return None
    if not store.has_mentions() and not _has_accounts(store):
        with store.writing():
            store.set_meta(FINGERPRINT_KEY, current)
        return None
    # Only the half that changed needs work ("topics|roles").
    old_topics, _, old_roles = (stored or "|").partition("|")
    new_topics, _, new_roles = current.partition("|")
    result = reclassify(
        store,
        classifier,
        topics=old_topics != new_topics,
        roles=old_roles != new_roles,
        on_progress=on_progress,
    )
    with store.writing():
        store.set_meta(FINGERPRINT_KEY, current)
    return result


def reclassify(
    store: Store,
    classifier: Classifier,
    *,
    topics: bool = True,
    roles: bool = True,
    on_progress: Callable[[ReclassifyResult], None] | None = None,
) -> ReclassifyResult:
    """Decide roles and topics again for everything stored (see the module docstring)."""
    result = ReclassifyResult()
    account_roles: dict[str, str] = {}
    if roles:
        account_roles = _reclassify_accounts(store, classifier, result)
    else:
        account_roles = dict(store.conn.execute("SELECT key, role FROM accounts").fetchall())
    last_rowid = 0
    while True:
        rows = store.conn.execute(
            "SELECT rowid, id, author, author_name, author_key, text, lang, created_at,"
            " role, topics, topic_matches, topics_from_thread,"
            " in_reply_to IS NOT NULL OR quoted_id IS NOT NULL"
            " FROM mentions WHERE rowid > ? ORDER BY rowid LIMIT ?",
            [last_rowid, _CHUNK],
        ).fetchall()
        if not rows:
            return result
        last_rowid = rows[-1][0]
        _reclassify_mentions(store, classifier, rows, account_roles, topics, roles, result)
        if on_progress:
            on_progress(result)


def _reclassify_accounts(
    store: Store, classifier: Classifier, result: ReclassifyResult
) -> dict[str, str]:
    decided: dict[str, str] = {}
    changes = []
    rows = store.conn.execute(
        "SELECT key, platform, handle, display_name, bio, role, role_reason FROM accounts"
    ).fetchall()
    # A listed account keeps its role under a new handle (`cache.write.renamed_accounts`).
    earlier = earlier_listed_handles(store.conn, classifier.role_rules)
    for key, platform, handle, name, bio, role, reason in rows:
        decision = classifier.role_rules.decide_account(
            handle, name, bio, platform, earlier.get(key, ())
        )
        decided[key] = decision.role
        result.accounts_checked += 1
        if (decision.role, decision.reason) != (role, reason):
            changes.append((decision.role, decision.reason, key))
    with store.writing():
        store.conn.executemany(
            "UPDATE accounts SET role = ?, role_reason = ? WHERE key = ?", changes
        )
    result.accounts_changed += len(changes)
    return decided


def _reclassify_mentions(
    store: Store,
    classifier: Classifier,
    rows: list[tuple[object, ...]],
    account_roles: dict[str, str],
    topics: bool,
    roles: bool,
    result: ReclassifyResult,
) -> None:
    role_updates: list[tuple[str, str]] = []
    topic_updates: list[tuple[str, str, str]] = []
    topic_rows: list[tuple[str, str, str]] = []
    replies: list[str] = []
    for row in rows:
        _, mention_id, author, author_name, author_key, text, lang = row[:7]
        created_at, role, stored_topics, stored_matches, from_thread, answers = row[7:]
        result.mentions_checked += 1
        if roles:
            # The same rule as ingest: the author's account decides; without an account
            # row the handle and name do; without an author key it is `public`.
            if author_key and author_key in account_roles:
                new_role = account_roles[str(author_key)]
            elif author_key:
                platform = str(mention_id).split(":", 1)[0]  # ids are `x:…` or `rss:…`
                new_role = classifier.role_rules.decide(
                    str(author), str(author_name), platform=platform
                ).role
            else:
                new_role = AUTHORLESS_ROLE
            if new_role != role:
                role_updates.append((new_role, str(mention_id)))
        if topics:
            found = classifier.classify_text(str(text), str(lang))
            new_topics = json.dumps(list(found.topics))
            new_matches = json.dumps(
                {k: list(v) for k, v in found.matches.items()}, ensure_ascii=False
            )
            # Compared with the mention's own topics: those from its thread are settled below.
            inherited = as_json_list(str(from_thread))
            own = json.dumps([t for t in as_json_list(str(stored_topics)) if t not in inherited])
            if answers:
                replies.append(str(mention_id))
            if new_topics != own or new_matches != stored_matches:
                topic_updates.append((new_topics, new_matches, str(mention_id)))
                topic_rows.extend((t, str(created_at), str(mention_id)) for t in found.topics)
    changed = {u[1] for u in role_updates} | {u[2] for u in topic_updates}
    result.mentions_changed += len(changed)
    if not changed and not replies:
        return
    conn = store.conn
    with store.writing():
        conn.executemany("UPDATE mentions SET role = ? WHERE id = ?", role_updates)
        conn.executemany(
            "UPDATE mentions SET topics = ?, topic_matches = ?, topics_from_thread = '[]' "
            "WHERE id = ?",
            topic_updates,
        )
        conn.executemany(
            "DELETE FROM mention_topics WHERE mention_id = ?", [(u[2],) for u in topic_updates]
        )
        conn.executemany(
            "INSERT OR IGNORE INTO mention_topics (topic, created_at, mention_id) VALUES (?, ?, ?)",
            topic_rows,
        )
        # Every reply and quote too: its parent's topics may have changed in another chunk
        # (or never been passed on, in a store from before topics came from the thread).
        settled = settle(conn, [u[2] for u in topic_updates] + replies)
    result.mentions_changed += len(set(settled) - changed)


def _has_accounts(store: Store) -> bool:
    return store.conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None
