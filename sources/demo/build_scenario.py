"""Write the demo scenario's data files: `uv run python -m sources.demo.build_scenario`.

Deterministic: one seeded random stream, fixed dates, ids derived from times. Running it
twice writes the same bytes. The output (x/*.jsonl, feeds/*.xml, scenario.json,
expected.json, SCENARIO.md) is committed together with this script.

The story (all fictional): two weeks of talk about Korvando, an online retailer with
logistics centres in Germany and fulfillment centers in the US; the union HLV calls a
two-day strike at two German sites (the spike); scripted employee "ambassadors" answer
critics, a genuine advocate speaks in her own words, parody accounts mock the scripted ones.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sources.demo import cast, phrases
from sources.demo.cast import Person

SEED = 20260213
START = datetime(2026, 1, 30, 17, 30, tzinfo=UTC)
END = datetime(2026, 2, 13, 17, 30, tzinfo=UTC)
STRIKE_DAYS = (date(2026, 2, 10), date(2026, 2, 11))
BERLIN = ZoneInfo("Europe/Berlin")
OUT = Path(__file__).resolve().parent

_LOWER_AFTER_OPENER = {"My", "The", "Is", "Why", "Does", "Trying", "Waiting", "Three", "Got"}
"""English first words that read naturally in lower case after "Honestly, " and the like."""
_HOURLY = (3, 2, 1, 1, 1, 2, 5, 9, 11, 11, 10, 11, 12, 11, 10, 10, 11, 12, 14, 15, 15, 13, 9, 5)
"""Relative activity per local hour of day (people post in the evening most)."""


@dataclass
class Tweet:
    author: Person
    text: str
    at: datetime
    lang: str
    tag: str
    """critic, ordinary, ambassador, advocate, parody, official, press, hostile."""
    topic: str = ""
    reply_to: Tweet | None = None
    quotes: Tweet | None = None
    block: str = ""
    """Ambassadors: the id of the text block the reply was written from."""
    long_text: str = ""
    notes: list[str] = field(default_factory=list)
    id: str = ""

    @property
    def conversation(self) -> str:
        root = self
        while root.reply_to is not None:
            root = root.reply_to
        return root.id


# (ordinary de, ordinary en, critics de {topic: n}, critics en {topic: n}) per day
_W, _P, _S, _U, _T = "working_conditions", "pay", "strikes", "unions", "taxes"
DAY_PLAN: dict[date, tuple[int, int, dict[str, int], dict[str, int]]] = {
    date(2026, 1, 30): (8, 14, {_W: 2, _P: 1}, {_W: 2, _P: 1, _U: 1}),
    date(2026, 1, 31): (24, 26, {_W: 3, _P: 2, _U: 1}, {_W: 2, _P: 2, _U: 1}),
    date(2026, 2, 1): (22, 24, {_W: 2, _P: 1, _U: 1}, {_W: 2, _U: 2}),
    date(2026, 2, 2): (38, 32, {_W: 8, _P: 5, _U: 3}, {_W: 5, _P: 3, _U: 4}),
    date(2026, 2, 3): (38, 32, {_W: 14, _P: 4, _U: 2}, {_W: 4, _P: 3, _U: 3}),
    date(2026, 2, 4): (36, 30, {_T: 14, _P: 3, _W: 5}, {_T: 8, _W: 3, _P: 2}),
    date(2026, 2, 5): (36, 30, {_P: 10, _U: 8, _S: 3, _T: 4, _W: 4}, {_W: 4, _P: 4, _U: 4, _T: 3}),
    date(2026, 2, 6): (36, 30, {_W: 6, _P: 4, _U: 4, _T: 2}, {_U: 9, _W: 3, _P: 3}),
    date(2026, 2, 7): (24, 26, {_W: 2, _P: 2, _S: 1, _U: 1, _T: 1}, {_U: 3, _W: 2, _P: 2}),
    date(2026, 2, 8): (22, 24, {_W: 2, _P: 1, _U: 1}, {_U: 2, _W: 1}),
    date(2026, 2, 9): (40, 30, {_S: 32, _U: 12, _P: 10, _W: 6, _T: 2}, {_S: 6, _W: 4, _U: 4}),
    date(2026, 2, 10): (
        58,
        36,
        {_S: 150, _U: 34, _P: 30, _W: 24, _T: 5},
        {_S: 34, _U: 10, _W: 6, _P: 5},
    ),
    date(2026, 2, 11): (46, 30, {_S: 70, _U: 20, _P: 15, _W: 12, _T: 3}, {_S: 14, _U: 6, _W: 4}),
    date(2026, 2, 12): (40, 30, {_S: 14, _U: 10, _P: 12, _W: 10, _T: 3}, {_W: 6, _P: 4, _U: 5}),
    date(2026, 2, 13): (34, 26, {_W: 9, _P: 6, _S: 5, _U: 4, _T: 2}, {_W: 18, _U: 6, _P: 6}),
}


class Builder:
    """Generates every post of the scenario in a fixed order from one random stream."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.crowd_de = cast.crowd(self.rng, "de", 180)
        self.crowd_en = cast.crowd(self.rng, "en", 170)
        self.crowd_en[7].name = "[bold]Derek[/bold]"  # markup-like display name
        self.tweets: list[Tweet] = []

    # --- helpers --------------------------------------------------------------------

    def add(self, tweet: Tweet) -> Tweet:
        if not START <= tweet.at <= END:
            raise ValueError(f"{tweet.text[:40]!r} at {tweet.at} is outside the scenario")
        self.tweets.append(tweet)
        return tweet

    def local_time(self, day: date, zone: ZoneInfo, hours: range | None = None) -> datetime:
        """A moment on `day` (local), weighted by the daily rhythm, inside the scenario."""
        allowed = list(hours or range(24))
        for _ in range(200):
            hour = self.rng.choices(allowed, weights=[_HOURLY[h] for h in allowed])[0]
            local = datetime.combine(day, time(hour), zone) + timedelta(
                seconds=self.rng.randrange(3600)
            )
            moment = local.astimezone(UTC)
            if START <= moment <= END:
                return moment
        raise ValueError(f"no moment on {day} inside the scenario")

    def fill(self, template: str, lang: str, **extra: str) -> str:
        rng = self.rng
        sites = cast.SITES_DE if lang == "de" else cast.SITES_US
        site, site2 = rng.sample(sites, 2)
        handle = "@KorvandoDE" if lang == "de" else "@Korvando"
        values = {
            "site": site,
            "site2": site2,
            "n": str(rng.choice([3, 4, 5, 7, 9, 12, 14, 18, 20, 700, 850])),
            "wage": rng.choice(["13,90", "14,20", "14,75"]) if lang == "de" else "16.50",
            "item": rng.choice(phrases.ITEMS[lang]),
            "hour": str(rng.choice([7, 8, 9, 10])),
            **extra,
        }

        def company(match: re.Match[str]) -> str:
            glued = match.end() < len(template) and template[match.end()] in "-'"
            return "Korvando" if glued or rng.random() < 0.7 else handle

        text = re.sub(r"\{co\}", company, template)
        return text.format(**values)

    # --- the crowd and the critics ------------------------------------------------------

    def critic_author(self, topic: str, lang: str) -> Person:
        named = {
            ("strikes", "de"): [cast.HLV, cast.HLV_LAHNFELD, cast.KAI, cast.LENA, cast.MAREN],
            ("unions", "de"): [cast.HLV, cast.HLV_LAHNFELD, cast.BRANDAUER],
            ("pay", "de"): [cast.BRANDAUER, cast.LENA, cast.HLV],
            ("taxes", "de"): [cast.BRANDAUER, cast.MAREN],
            ("working_conditions", "de"): [cast.KAI, cast.LENA, cast.MAREN, cast.NOA],
            ("working_conditions", "en"): [cast.RAY, cast.SARAH],
            ("pay", "en"): [cast.WHITFIELD, cast.RAY],
            ("unions", "en"): [cast.WWU, cast.WHITFIELD, cast.RAY],
            ("taxes", "en"): [cast.WHITFIELD, cast.SARAH],
            ("strikes", "en"): [cast.WWU, cast.RAY],
        }[(topic, lang)]
        if self.rng.random() < 0.3:
            return self.rng.choice(named)
        return self.rng.choice(self.crowd_de if lang == "de" else self.crowd_en)

    def day_posts(self, day: date) -> None:
        ordinary_de, ordinary_en, critics_de, critics_en = DAY_PLAN[day]
        east = ZoneInfo("America/New_York")
        for lang, count, zone in (("de", ordinary_de, BERLIN), ("en", ordinary_en, east)):
            crowd = self.crowd_de if lang == "de" else self.crowd_en
            for _ in range(count):
                text = self.fill(self.rng.choice(phrases.ORDINARY[lang]), lang)
                opener, closer = (
                    self.rng.choice(phrases.OPENERS[lang]),
                    self.rng.choice(phrases.CLOSERS[lang]),
                )
                if opener and lang == "en" and text.split()[0] in _LOWER_AFTER_OPENER:
                    text = opener + text[0].lower() + text[1:]
                elif opener:
                    text = opener + text
                author = self.rng.choice(crowd)
                if lang == "en" and self.rng.random() < 0.03:
                    author = cast.SARAH
                self.add(Tweet(author, text + closer, self.local_time(day, zone), lang, "ordinary"))
        for lang, plan, zone in (("de", critics_de, BERLIN), ("en", critics_en, east)):
            for topic, count in plan.items():
                for _ in range(count):
                    hours = None
                    if topic == "strikes" and day in STRIKE_DAYS and lang == "de":
                        hours = range(5, 20)  # picket lines from dawn, quieter after work
                    text = self.fill(self.rng.choice(phrases.CRITICS[(topic, lang)]), lang)
                    at = self.local_time(day, zone, hours)
                    author = self.critic_author(topic, lang)
                    self.add(Tweet(author, text, at, lang, "critic", topic=topic))

    # --- company, press, hostile text ---------------------------------------------------------

    def company_and_press(self) -> None:
        from sources.demo.articles import ARTICLES

        def post(who: Person, at: str, text: str, lang: str, topic: str = "") -> Tweet:
            moment = datetime.fromisoformat(at).replace(tzinfo=UTC)
            tag = "official" if who in cast.OFFICIAL else "press"
            return self.add(Tweet(who, text, moment, lang, tag, topic=topic))

        de, news, us = cast.OFFICIAL[1], cast.OFFICIAL[2], cast.OFFICIAL[0]
        post(
            news,
            "2026-02-02T09:00:00",
            "Korvando eröffnet im Frühjahr ein neues Paketzentrum "
            "in Elbhagen und schafft 250 Arbeitsplätze. Mehr im Newsroom.",
            "de",
        )
        post(
            us,
            "2026-02-03T15:00:00",
            "Starting pay at every Korvando fulfillment center in "
            "the US is now $18.25 an hour, with benefits from day one.",
            "en",
            "pay",
        )
        post(
            news,
            "2026-02-05T13:30:00",
            "Korvando erhöht zum 1. April das Einstiegsgehalt in "
            "allen deutschen Logistikzentren. Details in unserer Mitteilung.",
            "de",
            "pay",
        )
        post(
            de,
            "2026-02-09T13:10:00",
            "Zum Streikaufruf der HLV: Wir respektieren das "
            "Streikrecht. Unsere Beschäftigten erhalten Löhne am oberen Ende der Branche. "
            "Bestellungen werden wie gewohnt zugestellt.",
            "de",
            "strikes",
        )
        post(
            de,
            "2026-02-10T07:30:00",
            "Update zum Streik: Der überwiegende Teil unserer "
            "Mitarbeitenden arbeitet heute regulär. Alle Bestellungen werden zugestellt.",
            "de",
            "strikes",
        )
        post(
            de,
            "2026-02-11T08:00:00",
            "Auch heute arbeiten die meisten Kolleginnen und "
            "Kollegen regulär. Danke an alle Teams in Lahnfeld, Wiesenau und Elbhagen.",
            "de",
        )
        post(
            de,
            "2026-02-12T10:00:00",
            "Wir laden die Beschäftigten in Lahnfeld und Wiesenau "
            "zu Gesprächen über ihre Arbeitsbedingungen ein.",
            "de",
            "working_conditions",
        )
        post(
            us,
            "2026-02-13T15:40:00",
            "Safety is our top priority. We are reviewing the "
            "injury data reported for Millbrook and will share what we find.",
            "en",
            "working_conditions",
        )
        outlets = {
            "lahntaler": cast.LAHNTALER,
            "paketwelt": cast.PAKETWELT,
            "harbor-ledger": cast.HARBOR,
        }
        for article in ARTICLES:
            outlet = outlets.get(article.feed)
            if outlet is None:
                continue
            lang = "en" if article.feed == "harbor-ledger" else "de"
            at = (article.time + timedelta(minutes=6)).isoformat()[:19]
            title = article.title.replace("[bold]", "").replace("[/bold]", "")
            post(outlet, at, f"{title} {article.link}", lang, article.topic)
        for at, text, topic in (
            (
                "2026-02-03T08:40:00",
                "Drei Beschäftigte aus Lahnfeld haben mir heute von "
                "Überwachung am Packtisch erzählt. Alle wollten anonym bleiben.",
                _W,
            ),
            (
                "2026-02-04T11:15:00",
                "Auffällig: Die Korvando-Botschafter antworten auf Kritik "
                "an Pausen und Lohn in Minuten. Auf die Frage nach Steuern nie.",
                _T,
            ),
            (
                "2026-02-10T05:12:00",
                "Lahnfeld, 6:10 Uhr: Die ersten Streikposten stehen am Tor "
                "2. Es ist kalt, die Stimmung ist gut. #Streik",
                _S,
            ),
            (
                "2026-02-10T06:45:00",
                "Wiesenau meldet ebenfalls Streik. Die HLV spricht von "
                "mehr als 700 Beschäftigten. #Korvando",
                _S,
            ),
            (
                "2026-02-10T09:20:00",
                "Korvando-Sprecher: 'Geringe Auswirkungen'. Vor dem Tor "
                "in Lahnfeld sehe ich gerade keinen einzigen Lkw ausfahren. #Streik",
                _S,
            ),
            (
                "2026-02-11T07:05:00",
                "Zweiter Streiktag in Lahnfeld. Weniger Leute, aber dieselbe Entschlossenheit.",
                _S,
            ),
            (
                "2026-02-12T14:30:00",
                "Ich habe 60 Antworten der Korvando-Botschafter "
                "verglichen. Viele sind fast Wort für Wort gleich, nur die Stadt wechselt.",
                "",
            ),
        ):
            post(cast.MAREN, at, text, "de", topic)

    def hostile(self) -> None:
        def at(text: str) -> datetime:
            return datetime.fromisoformat(text).replace(tzinfo=UTC)

        crowd_de, crowd_en = self.crowd_de, self.crowd_en
        entries = (
            (
                crowd_de[3],
                "2026-02-10T10:02:00",
                "de",
                _S,
                "[bold red]Streik[/] bei Korvando und keiner merkt's? Mein Paket steckt seit "
                "Montag fest.",
            ),
            (
                crowd_de[11],
                "2026-02-06T12:40:00",
                "de",
                _W,
                "Schichtplan a [/] b getauscht und niemand sagt Bescheid. Arbeitsbedingungen bei "
                "Korvando eben.",
            ),
            (
                cast.SPAMMER,
                "2026-02-11T02:33:00",
                "de",
                "",
                "[@click=app.quit]Gratis Korvando-Gutschein hier abholen[/] 🎁🎁🎁 "
                "https://korvando-gewinn.example",
            ),
            (
                cast.SPAMMER,
                "2026-02-12T02:41:00",
                "de",
                "",
                "Dein Rücksende-Etikett für Korvando: etikett_\u202efdp.exe\u202c – jetzt öffnen!",
            ),
            (
                cast.KAI,
                "2026-02-03T05:20:00",
                "de",
                _W,
                "Nach der Nachtschicht will ich nur noch \x1b[2J alles löschen. Leistungsdruck "
                "bei Korvando macht mürbe.",
            ),
            (
                crowd_de[20],
                "2026-02-09T16:05:00",
                "de",
                "",
                "🚚📦📦📦 Korvando heute: 3 Pakete, 3 Boten, 0 Geduld 😤🇩🇪👩🏽‍🔧",
            ),
            (
                crowd_en[9],
                "2026-02-05T20:15:00",
                "en",
                "",
                "Korvando box → cat fort 🏰🐈‍⬛✨ best part of any order tbh",
            ),
            (
                cast.NOA,
                "2026-02-07T11:30:00",
                "de",
                "",
                "Korvando-Kartons sind erstaunlich gute Zeichenunterlagen. Typografie-Tipp: "
                "Helvetica auf Wellpappe 📦✏️",
            ),
        )
        for who, when, lang, topic, text in entries:
            self.add(Tweet(who, text, at(when), lang, "hostile", topic=topic))
        long_text = _KAI_NIGHT_SHIFT
        self.add(
            Tweet(
                cast.KAI,
                long_text[:270].rstrip() + "…",
                at("2026-02-10T03:48:00"),
                "de",
                "hostile",
                topic=_W,
                long_text=long_text,
            )
        )


_KAI_NIGHT_SHIFT = (
    "Letzte Nachtschicht vor dem Streik bei Korvando in Lahnfeld. Ein langer Text, sorry. "
    "Um 21:45 Uhr einstempeln, Scanner holen, Akku halb leer wie immer. Die Vorgabe heute: "
    "140 Teile pro Stunde. Wer drunter liegt, bekommt nach der Pause ein Gespräch. Die "
    "Pausen sind 30 Minuten, davon gehen sechs für den Weg zur Kantine drauf, weil die Halle "
    "so groß ist wie vier Fußballfelder. Um zwei Uhr nachts ist es im Gang 17 so kalt, dass "
    "ich die Handschuhe anbehalte, obwohl der Scanner dann schlechter reagiert. Die Kamera "
    "über dem Packtisch blinkt rot. Niemand weiß genau, wer da zuschaut, aber alle wissen, "
    "dass jemand zuschaut. Überwachung ist hier kein Gefühl, sondern ein Dashboard. Mein "
    "Kollege Ahmet hat seit Oktober Rückenschmerzen und traut sich nicht, sich krank zu "
    "melden, weil sein Vertrag befristet ist. Die Schichtleitung ist freundlich, wirklich, "
    "aber sie hat selbst eine Quote. Um vier Uhr gibt es Kaffee aus dem Automaten, der "
    "Becher kostet 80 Cent. Um fünf fangen die Leute von der Frühschicht an zu tuscheln: "
    "Gehst du morgen raus? Ich gehe raus. Nicht weil ich Korvando hasse. Ich arbeite gern "
    "mit meinen Leuten, ich mag sogar das Geräusch der Förderbänder, so verrückt das klingt. "
    "Ich gehe raus, weil ich nach sechs Jahren immer noch 14,20 Euro verdiene und weil "
    "Arbeitsbedingungen keine Naturgesetze sind. Die Botschafter auf X schreiben, bei ihnen "
    "sei alles super. Vielleicht ist es das in ihrer Halle. In meiner Halle ist es morgen "
    "früh still. #Streik #Arbeitsbedingungen"
)


def main() -> None:
    """Build the scenario and write every file."""
    from sources.demo.replies import add_reactions
    from sources.demo.writers import write_all

    builder = Builder()
    day = START.date()
    while day <= END.date():
        builder.day_posts(day)
        day += timedelta(days=1)
    builder.company_and_press()
    builder.hostile()
    add_reactions(builder)
    write_all(builder, OUT)


if __name__ == "__main__":
    main()
