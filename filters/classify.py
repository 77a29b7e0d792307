"""The classification applied to every mention at ingest: topics and the author's role.

`cache/` calls `Classifier.classify_mention` and `Classifier.classify_account`; the rules
themselves live in `filters.topics` and `filters.roles`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from filters.classification import Classification
from filters.roles import RoleDecision, RoleRules
from filters.thread_topics import inherited
from filters.topics import TopicMatcher
from sources.model.config import Config
from sources.model.not_text import json_kind, not_text
from sources.model.records import Account, Mention

__all__ = ["Classification", "Classifier", "Precomputed", "classify_record"]


class Classifier:
    """Topic and role classification for one configuration."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.topic_matcher = TopicMatcher.from_config(config)
        self.role_rules = RoleRules.from_config(config)

    def classify_text(self, text: str, lang: str = "") -> Classification:
        """The topics of one text (the answer may be shared with other texts: read-only)."""
        return self.topic_matcher.classify(text)

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """The topics of each text, in order: what `classify_text` gives one by one, at a
        fraction of the cost per text (the import classifies whole batches this way)."""
        return self.topic_matcher.classify_many(texts)

    def answers_for(self, texts: Iterable[str]) -> dict[str, Classification]:
        """Each distinct text's topics, classified together (`classify_many`): a write
        path asks for all its new mentions at once, then looks each one up."""
        distinct = list(dict.fromkeys(texts))
        return dict(zip(distinct, self.classify_many(distinct), strict=True))

    def classify_mention(self, mention: Mention) -> Classification:
        return self.classify_text(mention.text, mention.lang)

    def classify_account(self, account: Account) -> RoleDecision:
        return self.role_rules.decide(
            account.handle, account.display_name, account.bio, platform=account.platform
        )

    def fingerprint(self) -> str:
        """Changes whenever a setting that affects classification changes."""
        return f"{self.topic_matcher.fingerprint()}|{self.role_rules.fingerprint()}"


class Precomputed(Classifier):
    """A classifier that already has the topics of some texts, worked out elsewhere.

    The bulk import classifies the next batch in a worker process while this one is
    written (`cache.write.pipeline`); the worker's answers for the same rules are handed in
    here, and a text without one is classified as usual.
    """

    def __init__(self, base: Classifier, known: Mapping[str, Classification]) -> None:
        # Shares the base's rules instead of building them again from the config.
        self.config = base.config
        self.topic_matcher = base.topic_matcher
        self.role_rules = base.role_rules
        self._known = known

    def classify_text(self, text: str, lang: str = "") -> Classification:
        found = self._known.get(text)
        return found if found is not None else super().classify_text(text, lang)

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        answers = list(map(self._known.get, texts))
        missing = [text for text, found in zip(texts, answers, strict=True) if found is None]
        if not missing:
            return answers  # type: ignore[return-value]
        rest = iter(super().classify_many(missing))
        return [found if found is not None else next(rest) for found in answers]


class ClassifyInputError(ValueError):
    """One input line of `app.py classify` that cannot be classified, and why."""


def classify_record(record: object, classifier: Classifier) -> dict[str, Any]:
    """The `app.py classify` answer for one decoded input object.

    Input: `text` (required), optional `id`, `lang`, `parent_text` (the post it replies
    to or quotes) and `author` {handle, name, bio}; or a row of `export --format jsonl`.
    Output: `id` (as given, null when absent), `topics` (all of them), `topics_from_thread`
    (those taken from `parent_text` because the text names none itself), `matches` (the
    words of the text's own topics) and, when an author was given, `role` and `role_reason`.
    """
    if not isinstance(record, dict):
        raise ClassifyInputError(f"expected a JSON object, got {json_kind(record)}")
    record_id = record.get("id")
    if record_id is not None and not isinstance(record_id, str | int):
        raise ClassifyInputError(f"'id' should be a string or a number, got {json_kind(record_id)}")
    if "text" not in record:
        raise ClassifyInputError("'text' is missing (a string is required)")
    text = record.get("text")
    if not isinstance(text, str):
        raise ClassifyInputError(f"'text' should be a string, got {json_kind(text)}")
    lang = record.get("lang", "")
    if not isinstance(lang, str):
        raise ClassifyInputError(f"'lang' should be a string, got {json_kind(lang)}")
    parent_text = record.get("parent_text")
    if parent_text is not None and not isinstance(parent_text, str):
        raise ClassifyInputError(f"'parent_text' should be a string, got {json_kind(parent_text)}")
    result = classifier.classify_text(text, lang)
    from_thread: list[str] = []
    if parent_text:
        from_thread = inherited(result.topics, classifier.classify_text(parent_text).topics)
    answer: dict[str, Any] = {
        "id": record_id,
        "topics": [*result.topics, *from_thread],
        "topics_from_thread": from_thread,
        "matches": {topic: list(words) for topic, words in result.matches.items()},
    }
    author = _author(record)
    if author is not None:
        decision = classifier.role_rules.decide(*author)
        answer["role"] = decision.role
        answer["role_reason"] = decision.reason
    return answer


def _author(record: dict[str, Any]) -> tuple[str, str, str, str] | None:
    """(handle, name, bio, platform) of the record's author; None when it names none.

    Two shapes: the documented `author` {handle, name, bio}, and the rows of `export
    --format jsonl`, whose `author` is the handle and `author_name` the name (with
    `platform`, which decides the role of a feed item's author as in the store). A null
    name or bio is no name (a Bluesky account without a display name has one).
    """
    author = record.get("author")
    if author is None:
        return None
    if isinstance(author, str):
        fields = {"handle": author, "name": record.get("author_name"), "bio": None}
        where = {"handle": "author", "name": "author_name", "bio": ""}
    elif isinstance(author, dict):
        fields = {key: author.get(key) for key in ("handle", "name", "bio")}
        where = {key: f"author.{key}" for key in fields}
    else:
        raise ClassifyInputError(
            f"'author' should be an object or a handle string, got {json_kind(author)}"
        )
    values = {key: _text_or_nothing(value, where[key]) for key, value in fields.items()}
    platform = _text_or_nothing(record.get("platform"), "platform")
    return values["handle"], values["name"], values["bio"], platform


def _text_or_nothing(value: object, key: str) -> str:
    problem = not_text(value, key)
    if problem is not None:
        raise ClassifyInputError(problem)
    return value if isinstance(value, str) else ""
