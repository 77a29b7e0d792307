"""Whether the store's roles and topics were decided under the config's rules.

A reader (export, views, the offline monitor) applies no new rules: roles and topics are
columns its queries and indexes read. It only says so, and this module is all it needs
for that (the writers' re-classification, `cache.write.reclassify`, is far heavier to
import for a command that writes nothing).
"""

from __future__ import annotations

from cache.db.store import Store
from filters.classify import Classifier
from sources.model.config import Config

FINGERPRINT_KEY = "classifier_fingerprint"
"""The meta key where a writer records the rules (`Classifier.fingerprint`) it classified
the stored mentions under."""


def stale_rules_note(store: Store, config: Config) -> str | None:
    """One line for a reader when the store's roles or topics were decided under other
    rules than the config's (its lists edited since the last write); None when they are
    current, for a store that never recorded its rules, and for the built-in config (no
    list the reader edited).

    A reader does not apply them: roles and topics are columns its queries and indexes
    read (`role:`, `has:reply`, the reports), so only a writer can change them.
    """
    if config.path is None:
        return None
    stored = store.get_meta(FINGERPRINT_KEY)
    if stored is None:
        return None
    old_topics, _, old_roles = stored.partition("|")
    new_topics, _, new_roles = Classifier(config).fingerprint().partition("|")
    behind = [
        what
        for what, old, new in (("roles", old_roles, new_roles), ("topics", old_topics, new_topics))
        if old != new
    ]
    if not behind:
        return None
    return (
        f"the {' and '.join(behind)} in the store are as of its last write, under other "
        f"rules than {config.path} sets now: a command that writes to the store applies "
        "them (import, collect, alerts, or the monitor without --offline)"
    )
