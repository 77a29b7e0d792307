"""Topic vocabulary and matching (bilingual, explainable).

First version: whole-word and prefix matches over a small default vocabulary. The
topics issue deepens this (compounds, inflections, spelling variants, evaluation).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sources.config import Config

DEFAULT_TOPICS: dict[str, dict[str, object]] = {
    "working_conditions": {
        "label": "Working conditions",
        "label_de": "Arbeitsbedingungen",
        "en": ["working condition*", "safety", "surveillance", "injur*", "quota*"],
        "de": ["arbeitsbedingung*", "überwachung*", "leistungsdruck", "pause*", "hitze"],
    },
    "pay": {
        "label": "Pay",
        "label_de": "Bezahlung",
        "en": ["wage*", "pay", "salary", "salaries", "benefits", "401k", "bonus*"],
        "de": ["gehalt*", "lohn*", "löhne*", "tarifvertrag*", "stundenlohn*"],
    },
    "strikes": {
        "label": "Strikes",
        "label_de": "Streiks",
        "en": ["strike*", "walkout*", "picket*"],
        "de": ["streik*", "verdi", "arbeitsniederlegung*"],
    },
    "unions": {
        "label": "Unions",
        "label_de": "Gewerkschaften",
        "en": ["union*", "organizing", "organising"],
        "de": ["gewerkschaft*", "betriebsrat*", "betriebsräte*"],
    },
    "taxes": {
        "label": "Taxes",
        "label_de": "Steuern",
        "en": ["tax", "taxes", "tax avoidance"],
        "de": ["steuer*", "steuerzahlung*"],
    },
}


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    label_de: str
    terms: tuple[str, ...]


class TopicMatcher:
    """Finds the topics of a text and the terms that matched."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        self._patterns = [(t.id, _compile(t.terms)) for t in topics]

    @classmethod
    def from_config(cls, config: Config) -> TopicMatcher:
        topics: list[Topic] = []
        for topic_id, spec in DEFAULT_TOPICS.items():
            extra = config.topics.get(topic_id)
            terms = [*spec["en"], *spec["de"]]  # type: ignore[misc]
            if extra is not None:
                terms = [*extra.en, *extra.de] if extra.replace else [*terms, *extra.en, *extra.de]
            topics.append(Topic(topic_id, str(spec["label"]), str(spec["label_de"]), tuple(terms)))
        for topic_id, extra in config.topics.items():
            if topic_id not in DEFAULT_TOPICS:
                topics.append(
                    Topic(
                        topic_id,
                        extra.label or topic_id,
                        extra.label_de or topic_id,
                        (*extra.en, *extra.de),
                    )
                )
        return cls(topics)

    def match(self, text: str) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        for topic_id, pattern in self._patterns:
            terms = tuple(dict.fromkeys(m.group(0).lower() for m in pattern.finditer(text)))
            if terms:
                found[topic_id] = terms
        return found

    def fingerprint(self) -> str:
        text = repr([(t.id, t.terms) for t in self.topics])
        return hashlib.sha1(text.encode()).hexdigest()[:12]


def _compile(terms: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for term in terms:
        body = re.escape(term.rstrip("*"))
        parts.append(body + (r"\w*" if term.endswith("*") else r"\b"))
    return re.compile(r"(?<!\w)#?(?:" + "|".join(parts) + ")", re.IGNORECASE)


def topic_ids(config: Config) -> tuple[str, ...]:
    """Every topic id the config knows (the defaults plus `[topics.<id>]`), for queries."""
    return tuple(dict.fromkeys([*DEFAULT_TOPICS, *config.topics]))
