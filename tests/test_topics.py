"""Topics: German and English mentions land in the right topics, with the words as proof."""

from __future__ import annotations

from pathlib import Path

import pytest

from filters.topics import TopicMatcher
from sources.model.config import Config, ConfigError, TopicSection, load_config

MATCHER = TopicMatcher.from_config(Config())


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("Die Verdi-Streiks bei Kestrel gehen weiter", {"strikes", "unions"}),
        ("Warnstreik in Leipzig", {"strikes"}),
        ("Heute wird Kestrel bestreikt", {"strikes"}),
        ("Wir streiken bis Weihnachten", {"strikes"}),
        ("Die Streikenden stehen am Tor", {"strikes"}),
        ("Der Mindestlohn reicht nicht", {"pay"}),
        ("Tarifverhandlungen gescheitert", {"pay", "unions"}),
        ("Mitarbeiter*innen gründen einen Betriebsrat", {"unions"}),
        ("Die Arbeitsbedingungen sind hart", {"working_conditions"}),
        ("Ueberwachung im Lager", {"working_conditions"}),
        ("Überwachung im Lager", {"working_conditions"}),
        ("Gewinne gross, Steuern klein", {"taxes"}),
        ("Kestrel zahlt kaum Gewerbesteuer", {"taxes"}),
        ("#PrimeDayStrike is trending", {"strikes"}),
        ("#kestrelstreik Tag 2", {"strikes"}),
        ("Workers walked out at dawn", {"strikes"}),
        ("Kestrel pickers are underpaid", {"pay"}),
        ("I never felt the need for a union", {"unions"}),
        ("Nobody here is on strike, honestly", {"strikes"}),
    ],
)
def test_bilingual_topics_with_german_forms(text: str, topics: set[str]) -> None:
    """Compounds, inflections, gendered forms, ae/ue spellings and hashtags are recognised;
    negation does not remove a topic."""
    assert set(MATCHER.match(text)) == topics


@pytest.mark.parametrize(
    "text",
    [
        "We need to strike a balance between speed and care",
        "Der Kuchen war gehaltvoll",
        "Das Steuerrad war links",
        "Meet me at Union Station",
        "Please pay attention to the road",
        "Lohnt sich das Abo noch?",
        "Die Union will das Gesetz ändern",
        "A striking sunset over the depot",
        "Verdi-Oper heute im Radio",
        "Die Belohnung war klein",
    ],
)
def test_hard_negatives_have_no_topic(text: str) -> None:
    """Words that only look like topic words ("strike a balance", "Steuerrad") match nothing."""
    assert MATCHER.match(text) == {}


def test_matches_name_the_words_as_written() -> None:
    """Each topic comes with the words from the text that decided it, as they were written."""
    matches = MATCHER.match("Verdi-Streiks: Überwachung und Hitze, #PrimeDayStrike")
    assert matches["strikes"] == ("Verdi-Streiks", "#PrimeDayStrike")
    assert matches["unions"] == ("Verdi-Streiks",)
    assert matches["working_conditions"] == ("Überwachung", "Hitze")


def test_topics_carry_english_and_german_labels() -> None:
    """Every default topic has a label in both languages."""
    labels = MATCHER.labels()
    assert labels["strikes"] == ("Strikes", "Streiks")
    assert labels["taxes"] == ("Taxes", "Steuern")
    assert [t.id for t in MATCHER.topics] == [
        "working_conditions",
        "pay",
        "strikes",
        "unions",
        "taxes",
    ]


def test_config_adds_extends_and_replaces_topics() -> None:
    """`[topics.<id>]` adds a topic, extends a default one, or replaces its vocabulary."""
    config = Config(
        topics={
            "delivery": TopicSection(
                label="Delivery", label_de="Zustellung", en=["late parcel*"], de=["*zustellung*"]
            ),
            "pay": TopicSection(de=["knete"]),
            "taxes": TopicSection(en=["levy"], replace=True),
        }
    )
    matcher = TopicMatcher.from_config(config)
    assert set(matcher.match("Schon wieder Fehlzustellung und late parcels")) == {"delivery"}
    assert matcher.match("Mehr Knete, bitte") == {"pay": ("Knete",)}
    assert matcher.match("Kestrel zahlt kaum Steuern") == {}
    assert matcher.match("The new levy") == {"taxes": ("levy",)}
    assert matcher.labels()["delivery"] == ("Delivery", "Zustellung")
    assert matcher.fingerprint() != MATCHER.fingerprint()


@pytest.mark.parametrize("term", ["wa(ge", "*", "st*reik", "", "x", "a?b"])
def test_bad_terms_are_config_errors(tmp_path: Path, term: str) -> None:
    """A term the matcher cannot use is refused with the file, key and the term."""
    path = tmp_path / "config.toml"
    path.write_text(f'[topics.pay]\nde = ["lohn", {term!r}]\n'.replace("'", '"'))
    config = load_config(path)
    with pytest.raises(ConfigError) as info:
        TopicMatcher.from_config(config)
    assert str(path) in str(info.value)
    assert "topics.pay.de[1]" in str(info.value)


def test_bad_topic_id_and_empty_new_topic_are_config_errors() -> None:
    """A topic id a query cannot type, or a new topic without terms, is refused."""
    with pytest.raises(ConfigError, match="lower-case"):
        TopicMatcher.from_config(Config(topics={"Bad Id": TopicSection(en=["x1"])}))
    with pytest.raises(ConfigError, match="at least one term"):
        TopicMatcher.from_config(Config(topics={"empty": TopicSection(label="Empty")}))


def test_hostile_and_empty_text_is_just_text() -> None:
    """Markup, control characters and empty strings never break matching."""
    assert MATCHER.match("") == {}
    assert MATCHER.match("[red]Streik[/] \x1b[2J") == {"strikes": ("Streik",)}
