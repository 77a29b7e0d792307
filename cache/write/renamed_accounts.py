"""Accounts the config lists under a handle they have since given up.

An account is its platform id (`x:200`), not its handle. The config lists handles, so an
ambassador who changes her handle (`@AmbAnna` -> `@AnnaAtAcme`) would drop out of the
programme while her earlier posts still count as an ambassador's. Her role follows the
account instead: a listed handle matches the account's current handle or any handle the
account has posted under (`mention_authors`, kept by triggers on every write path), and
the role reason names the listed handle. The current handle, when listed, comes first
(`filters.roles.RoleRules.decide_account`).

Writers ask here before they write an account (`earlier_listed_handles`) so that an
import of the renamed capture decides the role right away, and set the role right after
the posts of a transaction are written (`settle_renamed`): an older capture imported
after a newer one brings the listed handle in with its posts only.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from cache.db.store import Store
from cache.read.author_posts import posts_of
from filters.roles import RoleDecision, RoleRules
from sources.model.records import Account

_CHUNK = 500


def earlier_listed_handles(
    conn: sqlite3.Connection, rules: RoleRules, accounts: Iterable[Account] = ()
) -> dict[str, set[str]]:
    """Account key -> the listed handles it has posted under, or was captured under among
    `accounts` (one batch may hold two captures of an account)."""
    found: dict[str, set[str]] = defaultdict(set)
    listed = sorted(rules.listed_handles)
    if not listed:
        return found
    for account in accounts:
        if rules.listed(account.handle) is not None:
            found[account.key].add(account.handle)
    for start in range(0, len(listed), _CHUNK):
        chunk = listed[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        # NOCASE folds ASCII only: the rule's own comparison picks the rows really listed.
        for key, author in conn.execute(
            "SELECT author_key, author FROM mention_authors "
            f"WHERE author COLLATE NOCASE IN ({marks}) AND author_key != ''",
            chunk,
        ):
            if rules.listed(str(author)) is not None:
                found[str(key)].add(str(author))
    return found


def renamed_decision(
    rules: RoleRules, account: Account, earlier: dict[str, set[str]]
) -> RoleDecision | None:
    """The role of `account` when its current handle is not listed but an earlier one is."""
    names = earlier.get(account.key)
    if not names or rules.listed(account.handle) is not None:
        return None
    return rules.decide_account(
        account.handle, account.display_name, account.bio, account.platform, names
    )


def settle_renamed(store: Store, rules: RoleRules) -> int:
    """Give each stored account that posted under a listed handle it no longer has the
    role of that list, and its posts the same role; returns how many accounts changed.
    Inside the caller's transaction."""
    earlier = earlier_listed_handles(store.conn, rules)
    keys = sorted(earlier)
    changed: list[tuple[str, str, str]] = []
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for key, platform, handle, name, bio, role, reason in store.conn.execute(
            "SELECT key, platform, handle, display_name, bio, role, role_reason "
            f"FROM accounts WHERE key IN ({marks})",
            chunk,
        ):
            if rules.listed(str(handle)) is not None:
                continue  # listed as it is now: decided as every account is
            decision = rules.decide_account(
                str(handle), str(name or ""), str(bio or ""), str(platform), earlier[key]
            )
            if (decision.role, decision.reason) != (role, reason):
                changed.append((decision.role, decision.reason, str(key)))
    store.conn.executemany("UPDATE accounts SET role = ?, role_reason = ? WHERE key = ?", changed)
    for role, _, key in changed:
        condition, values = posts_of(store, [key]).condition()
        store.conn.execute(
            "UPDATE mentions SET role = ? WHERE role != ? AND id IN "
            f"(SELECT m.id FROM mentions AS m WHERE {condition})",
            [role, role, *values],
        )
    return len(changed)
