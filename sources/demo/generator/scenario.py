"""Write the demo scenario's data files: `uv run python -m sources.demo.generator.scenario`.

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

from sources.demo.generator import cast, phrases
from sources.demo.generator.articles import ARTICLES
from sources.demo.generator.cast import Person

SEED = 20260211
END = datetime(2026, 2, 11, 12, 0, tzinfo=UTC)
"""Wednesday 13:00 in Berlin, the second strike day: the replay moves this moment to "now".

Midday in Europe on purpose: a demo started during the European working day moves the
clock by a few hours at most, so the scripted ambassadors still reply in daytime."""
START = END - timedelta(days=14)
STRIKE_CALLED = datetime(2026, 2, 9, 9, 0, tzinfo=UTC)
"""Monday 10:00 Berlin: HLV calls a two-day strike from Tuesday's early shift."""
STRIKE_BEGINS = datetime(2026, 2, 10, 4, 0, tzinfo=UTC)
"""Tuesday 05:00 Berlin: the early shift stays out, the first pickets stand at the gates."""
STRIKE_DAYS = (date(2026, 2, 10), date(2026, 2, 11))
"""Berlin dates of the strike (the second is cut off by the end: the strike is "now")."""
BERLIN = ZoneInfo("Europe/Berlin")
OUT = Path(__file__).resolve().parents[1]
"""Where the data files go: `sources/demo/`, beside the replay that plays them."""

_LOWER_AFTER_OPENER = {"My", "The", "Is", "Why", "Does", "Trying", "Waiting", "Three", "Got"}
"""English first words that read naturally in lower case after "Honestly, " and the like."""
_HOURLY = (3, 2, 1, 1, 1, 2, 5, 9, 11, 11, 10, 11, 12, 11, 10, 10, 11, 12, 14, 15, 15, 13, 9, 5)
"""Relative activity per local hour of day (people post in the evening most)."""
_STRIKE_HOURLY = (0, 0, 0, 0, 0, 4, 10, 14, 14, 13, 12, 11, 10, 10, 10, 9, 9, 9, 8, 7, 5, 3, 0, 0)
"""A strike day: picket lines from dawn, the busiest hours in the morning."""


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


# (ordinary de, ordinary en, critics de {topic: n}, critics en {topic: n}) per Berlin day
# (English posts per New York day). Weekdays busier than weekends; the strike call on
# Monday is news but not yet a spike; the strike fills the last day and a half.
_W, _P, _S, _U, _T = "working_conditions", "pay", "strikes", "unions", "taxes"
DAY_PLAN: dict[date, tuple[int, int, dict[str, int], dict[str, int]]] = {
    date(2026, 1, 28): (20, 26, {_W: 3, _P: 1, _U: 1}, {_W: 3, _P: 2, _U: 1}),
    date(2026, 1, 29): (38, 32, {_W: 6, _P: 4, _U: 3}, {_W: 5, _P: 3, _U: 3}),
    date(2026, 1, 30): (36, 30, {_W: 5, _P: 4, _U: 2, _T: 1}, {_W: 4, _P: 3, _U: 3}),
    date(2026, 1, 31): (28, 28, {_W: 3, _P: 2, _U: 1}, {_W: 2, _P: 2, _U: 1}),
    date(2026, 2, 1): (26, 26, {_W: 2, _P: 1, _U: 1}, {_W: 2, _U: 2}),
    date(2026, 2, 2): (38, 32, {_W: 8, _P: 5, _U: 3}, {_W: 5, _P: 3, _U: 4}),
    date(2026, 2, 3): (38, 32, {_W: 14, _P: 4, _U: 2}, {_W: 4, _P: 3, _U: 3}),
    date(2026, 2, 4): (36, 30, {_T: 14, _P: 3, _W: 5}, {_T: 8, _W: 3, _P: 2}),
    date(2026, 2, 5): (36, 30, {_P: 10, _U: 8, _S: 3, _T: 4, _W: 4}, {_W: 14, _P: 4, _U: 3}),
    date(2026, 2, 6): (34, 30, {_W: 6, _P: 4, _U: 4, _T: 2}, {_U: 9, _W: 5, _P: 3, _T: 3}),
    date(2026, 2, 7): (28, 28, {_W: 2, _P: 2, _S: 1, _U: 1, _T: 1}, {_U: 3, _W: 2, _P: 2}),
    date(2026, 2, 8): (26, 26, {_W: 2, _P: 1, _U: 1}, {_U: 2, _W: 1}),
    date(2026, 2, 9): (40, 30, {_S: 24, _U: 8, _P: 8, _W: 5, _T: 2}, {_S: 4, _W: 4, _U: 3}),
    date(2026, 2, 10): (
        58,
        36,
        {_S: 170, _U: 20, _P: 20, _W: 16, _T: 4},
        {_S: 34, _U: 8, _W: 6, _P: 4},
    ),
    date(2026, 2, 11): (26, 6, {_S: 90, _U: 8, _P: 6, _W: 6, _T: 1}, {_S: 5, _W: 1}),
}


def _strike_hours(day: date, lang: str) -> range | None:
    """Local hours of strike posts: after the call on Monday, picket lines from dawn."""
    if day == STRIKE_CALLED.astimezone(BERLIN).date():
        return range(10, 23) if lang == "de" else range(6, 24)
    if day in STRIKE_DAYS and lang == "de":
        return range(5, 22)
    return None


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

    def spread(
        self,
        day: date,
        zone: ZoneInfo,
        count: int,
        hours: range | None = None,
        rhythm: tuple[int, ...] = _HOURLY,
    ) -> list[datetime]:
        """`count` moments on `day` (local) inside the scenario, in random order, that follow
        the daily rhythm hour by hour (each hour gets its share, rounded by largest
        remainder) rather than being drawn at random: a real day of talk about a company
        is that regular, and an hour that is busy by chance would look like a spike."""
        allowed = []
        for hour in hours or range(24):
            begins = datetime.combine(day, time(hour), zone).astimezone(UTC)
            if begins >= START and begins + timedelta(hours=1) <= END:
                allowed.append((hour, begins))
        if count and not allowed:
            raise ValueError(f"no hour on {day} inside the scenario")
        total = sum(rhythm[h] for h, _ in allowed)
        shares = [count * rhythm[h] / total for h, _ in allowed]
        per_hour = [int(share) for share in shares]
        order = sorted(
            range(len(allowed)), key=lambda i: (per_hour[i] - shares[i], self.rng.random())
        )
        for index in order[: count - sum(per_hour)]:
            per_hour[index] += 1
        moments = [
            begins + timedelta(seconds=self.rng.randrange(3600))
            for (_, begins), n in zip(allowed, per_hour, strict=True)
            for _ in range(n)
        ]
        self.rng.shuffle(moments)
        return moments

    def fill(self, template: str, lang: str, sites: tuple[str, ...] = (), **extra: str) -> str:
        rng = self.rng
        sites = sites or (cast.SITES_DE if lang == "de" else cast.SITES_US)
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
        for lang, ordinary, plan, zone in (
            ("de", ordinary_de, critics_de, BERLIN),
            ("en", ordinary_en, critics_en, east),
        ):
            # Ordinary talk and criticism share the day's rhythm; strike posts have hours
            # of their own (after the call, picket lines from dawn).
            kinds = ["", *[topic for topic, n in plan.items() for _ in range(n)]]
            kinds = [""] * ordinary + kinds[1:]
            strike_hours = _strike_hours(day, lang)
            apart = [k for k in kinds if k == "strikes" and strike_hours]
            together = [k for k in kinds if not (k == "strikes" and strike_hours)]
            self.rng.shuffle(together)
            timed = list(zip(together, self.spread(day, zone, len(together)), strict=True))
            rhythm = _STRIKE_HOURLY if day in STRIKE_DAYS else _HOURLY
            timed += zip(
                apart, self.spread(day, zone, len(apart), strike_hours, rhythm), strict=True
            )
            for topic, at in timed:
                if topic:
                    self.add(self.critic(topic, lang, at))
                else:
                    self.add(self.ordinary(lang, at))

    def ordinary(self, lang: str, at: datetime) -> Tweet:
        crowd = self.crowd_de if lang == "de" else self.crowd_en
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
        return Tweet(author, text + closer, at, lang, "ordinary")

    def critic(self, topic: str, lang: str, at: datetime) -> Tweet:
        # Only Lahnfeld and Wiesenau strike; Elbhagen works on (and takes their orders).
        sites = cast.SITES_DE[:2] if (topic, lang) == ("strikes", "de") else ()
        bank = phrases.CRITICS[(topic, lang)]
        if topic == "strikes" and at < STRIKE_BEGINS:
            bank = phrases.STRIKE_BEFORE[("called" if at >= STRIKE_CALLED else "talk", lang)]
        text = self.fill(self.rng.choice(bank), lang, sites)
        return Tweet(self.critic_author(topic, lang), text, at, lang, "critic", topic=topic)

    # --- company, press, hostile text ---------------------------------------------------------

    def company_and_press(self) -> None:
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
            "2026-02-11T10:15:00",
            "Wir laden die Beschäftigten in Lahnfeld und Wiesenau "
            "zu Gesprächen über ihre Arbeitsbedingungen ein.",
            "de",
            "working_conditions",
        )
        post(
            us,
            "2026-02-05T21:40:00",
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
                "2026-02-10T14:10:00",
                "Kundgebung vor dem Tor in Lahnfeld, die HLV zählt 700 Streikende. Korvando "
                "bleibt bei 'geringen Auswirkungen'. #Streik",
                _S,
            ),
            (
                "2026-02-10T16:45:00",
                "Schichtwechsel in Wiesenau: Die Spätschicht bleibt draußen. Der Streik geht "
                "morgen weiter, sagt die HLV. #Streik",
                _S,
            ),
            (
                "2026-02-11T07:05:00",
                "Zweiter Streiktag in Lahnfeld. Weniger Leute, aber dieselbe Entschlossenheit.",
                _S,
            ),
            (
                "2026-02-06T14:30:00",
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
                "2026-02-10T15:02:00",
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
                "2026-02-07T02:41:00",
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
        long_text = phrases.KAI_NIGHT_SHIFT
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
