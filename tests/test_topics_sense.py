"""Topics hold on how people really write: everyday words found, other senses left alone.

The sentences are written for this test (never copied from the labelled real posts); each
stands for a class of wording, not for one post.
"""

from __future__ import annotations

import pytest

from filters.topics import Topic, TopicMatcher
from sources.model.config import Config, TopicSection

MATCHER = TopicMatcher.from_config(Config())


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        # English terms inside other English words
        ("They cheat at cards, the cheaters", "working_conditions"),
        ("Wheat prices rose again", "taxes|pay|strikes|unions|working_conditions"),
        ("The sewage plant flooded", "taxes|pay|strikes|unions|working_conditions"),
        ("A warm reunion with the communion class", "taxes|pay|strikes|unions|working_conditions"),
        # other senses and idioms
        ("Big companies should pay their fair share", "pay"),
        ("Kestrel paid no federal income taxes last year", "pay"),
        ("Kestrel must pay real costs (and taxes) now!", "pay"),
        ("Time to break up the company, says the senator", "working_conditions"),
        ("Regulators want to break Kestrel up", "working_conditions"),
        ("Houthis strike a ship in the Red Sea", "strikes"),
        ("US strikes on Houthi positions overnight", "strikes"),
        ("The pressure on the share price grows", "working_conditions"),
        ("Make Kestrel Pay, say the protesters", "pay"),
        ("Please pay attention at the crossing", "pay"),
        ("Inflation is a regressive tax on the poor", "taxes"),
        ("Für jeden Verdienstausfall der Fahrgäste muss jemand aufkommen", "pay"),
        ("They raise prices every Prime Day", "pay"),
        ("Shift the blame onto the drivers, as always", "working_conditions"),
    ],
)
def test_other_senses_are_not_topics(text: str, topic: str) -> None:
    """An English word inside another word, an idiom or a military strike is not a topic."""
    assert not set(MATCHER.match(text)) & set(topic.split("|"))


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("I can use the bathroom whenever I want at my site", "working_conditions"),
        ("We have restrooms and water stations on every floor", "working_conditions"),
        ("People pee in bottles because the toilets are too far", "working_conditions"),
        ("They keep pushing them past their limits every peak", "working_conditions"),
        ("Got written up for going to the nurse", "working_conditions"),
        ("She was fired two days after she spoke to the press", "working_conditions"),
        ("The way they treat workers there is shameful", "working_conditions"),
        ("10 hour shifts on your feet, four days a week", "working_conditions"),
        ("Der Toilettengang wird als Leerlauf gezählt", "working_conditions"),
        ("Überstunden ohne Ende und keine Pausen", "working_conditions"),
        ("Sie haben die Kollegin nach der Krankheit gekündigt", "working_conditions"),
        ("Kestrel pays 30% more than the shop next door", "pay"),
        ("Starting at $15/hr is not enough to live on", "pay"),
        ("They make $17.50 an hour and rent is 1400", "pay"),
        ("Für 12 Euro die Stunde schleppt hier keiner Pakete", "pay"),
        ("Das Trinkgeld wird nicht an die Fahrer weitergegeben", "pay"),
        ("The money I make does not cover groceries", "pay"),
        ("No raises this year, again", "pay"),
        ("Don't cross the picket line this weekend", "strikes"),
        ("Boycott Kestrel until the strikers get a contract", "strikes"),
        ("Die Lokführer legen die Arbeit nieder", "strikes"),
        ("Ab Mitternacht stehen alle Räder still", "strikes"),
        ("Die GDL ruft wieder auf, ab Donnerstag", "strikes"),
        ("Der Notfahrplan gilt bis Montag", "strikes"),
        ("Workers at the store voted to join Workers United", "unions"),
        ("The ALU won the election in Staten Island", "unions"),
        ("RWDSU says the vote will be rerun", "unions"),
        ("IG Metall fordert mehr Mitbestimmung", "unions"),
        ("Ver.di und Kestrel: Tarifrunde ohne Ergebnis", "unions"),
    ],
)
def test_everyday_words_find_the_topic(text: str, topic: str) -> None:
    """Bathrooms, pay per hour, picket lines, named unions: how people say it counts."""
    assert topic in MATCHER.match(text)


def test_patterns_name_the_words_as_written() -> None:
    """A pay amount per hour is shown as the evidence, as written."""
    assert MATCHER.match("Now $15/hr at Kestrel")["pay"] == ("$15/hr",)


def test_replaced_topic_drops_builtin_patterns_and_exclusions() -> None:
    """A user who replaces a topic's words gets exactly their words, nothing built in."""
    config = Config(topics={"pay": TopicSection(en=["salary"], replace=True)})
    matcher = TopicMatcher.from_config(config)
    pay = next(t for t in matcher.topics if t.id == "pay")
    assert pay == Topic("pay", "Pay", "Bezahlung", ("salary",))
    assert "pay" not in matcher.match("Starting at $15/hr")
    assert "pay" in matcher.match("My salary is late")
