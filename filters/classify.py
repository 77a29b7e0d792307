"""The classification applied to every mention at ingest: topics and the author's role.

`cache/` calls `Classifier.classify_mention` and `Classifier.classify_account`; the rules
themselves live in `filters.topics` and `filters.roles`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from filters.roles import RoleDecision, RoleRules
from filters.topics import TopicMatcher
from sources.config import Config
from sources.records import Account, Mention


@dataclass(frozen=True, slots=True)
class Classification:
    """What a mention is about, with the terms that decided it."""

    topics: tuple[str, ...] = ()
    matches: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Classifier:
    """Topic and role classification for one configuration."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.topic_matcher = TopicMatcher.from_config(config)
        self.role_rules = RoleRules.from_config(config)

    def classify_text(self, text: str, lang: str = "") -> Classification:
        matches = self.topic_matcher.match(text)
        return Classification(topics=tuple(matches), matches=matches)

    def classify_mention(self, mention: Mention) -> Classification:
        return self.classify_text(mention.text, mention.lang)

    def classify_account(self, account: Account) -> RoleDecision:
        return self.role_rules.decide(
            account.handle, account.display_name, account.bio, platform=account.platform
        )

    def fingerprint(self) -> str:
        """Changes whenever a setting that affects classification changes."""
        return f"{self.topic_matcher.fingerprint()}|{self.role_rules.fingerprint()}"
