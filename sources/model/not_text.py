"""Fields that should be text but are not: a list, a number, an object, true/false where
a post's text or an author's name belongs. Such a value would be stored as Python's
spelling of it (`['not', 'a', 'string']`); the record is skipped with its reason instead,
in `classify`'s words ("'text' should be a string, got a list")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sources.model.records import ParsedBatch, Skipped
from sources.model.text import clean_text


def not_text(value: object, key: str) -> str | None:
    """Why `value`, the field `key` of a record, cannot be its text, or None: a string is
    text and so is nothing (null, absent); anything else would be stored as Python's
    spelling of it. The reason is `classify`'s: "'text' should be a string, got a list"."""
    if value is None or type(value) is str or isinstance(value, str):
        return None
    return f"'{key}' should be a string, got {json_kind(value)}"


def first_not_text(record: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    """`not_text` of the first of `keys` of `record` that is not text, or None."""
    for key in keys:
        problem = not_text(record.get(key), key)
        if problem is not None:
            return problem
    return None


def json_kind(value: object) -> str:
    """What a decoded JSON value is, in a reader's words: "a list", "a number"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    names: dict[type, str] = {dict: "an object", list: "a list", str: "a string"}
    return names.get(type(value), type(value).__name__)


class NotTextAccounts:
    """The accounts of one answer skipped for a name that is not text (`fields`), each
    told once in `batch.skipped`; their posts are kept, as by an author not described."""

    def __init__(self, batch: ParsedBatch, where: str, fields: tuple[str, ...]) -> None:
        self.batch, self.where, self.fields = batch, where, fields
        self._told: set[str] = set()

    def skip(self, account: Mapping[str, Any], account_id: str) -> None:
        """Tell that `account` (`account_id`: its DID or id) was skipped, and why, once."""
        problem = first_not_text(account, self.fields)
        if problem is not None and account_id not in self._told:
            self._told.add(account_id)
            where = f"{self.where}: account {clean_text(account_id)[:80] or '?'}"
            self.batch.skipped.append(Skipped(where, problem))
