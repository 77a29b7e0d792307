"""Who is who in the demo scenario (all fictional): the company, its ambassadors, the
parody accounts, outlets, critics and a crowd of ordinary customers.

Used only by the generator (`sources/demo/generator/`) at development time; the replay
reads the files it wrote.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

COMPANY = "Korvando"
SITES_DE = ("Lahnfeld", "Wiesenau", "Elbhagen")
"""German logistics centres (fictional towns)."""
SITES_US = ("Millbrook", "Riverton")
"""US fulfillment centers (fictional towns)."""
UNION_DE = "HLV"
"""Gewerkschaft Handel, Logistik, Versand: the fictional union that calls the strike."""

TWITTER_EPOCH_MS = 1288834974657


def snowflake(at: datetime, sequence: int) -> int:
    """A snowflake-shaped id for `at` (so ids sort like times, as real ones do)."""
    ms = int(at.timestamp() * 1000) - TWITTER_EPOCH_MS
    return (ms << 22) | (7 << 17) | (sequence & 0x1FFFF)


def iso(at: datetime) -> str:
    """The v2 timestamp form: milliseconds and `Z`."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Person:
    """One X account of the scenario."""

    handle: str
    name: str
    bio: str
    created: datetime
    followers: int
    following: int
    tweet_count: int
    role: str
    """The role the scenario intends (what the product should find), for SCENARIO.md."""
    lang: str = "de"
    site: str = ""
    timezone: str = "Europe/Berlin"
    verified: bool = False
    notes: str = ""
    id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """The v2 user object (identical on every page, as the API returns it)."""
        return {
            "created_at": iso(self.created),
            "description": self.bio,
            "id": self.id,
            "name": self.name,
            "protected": False,
            "public_metrics": {
                "followers_count": self.followers,
                "following_count": self.following,
                "listed_count": 0 if self.followers < 50 else self.followers // 40,
                "tweet_count": self.tweet_count,
            },
            "username": self.handle,
            "verified": self.verified,
        }


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- the company ------------------------------------------------------------------------

OFFICIAL = [
    Person(
        "Korvando",
        "Korvando",
        "Everything you need, delivered. Help: @KorvandoHelp is coming soon – until then, "
        "reply here. 📦",
        _at("2011-03-14T15:02:11"),
        1_284_330,
        212,
        48_210,
        "official",
        lang="en",
        verified=True,
    ),
    Person(
        "KorvandoDE",
        "Korvando Deutschland",
        "Der offizielle Account von Korvando Deutschland. Fragen zu Bestellungen? Schreib "
        "uns. Impressum: korvando.example/impressum",
        _at("2012-09-03T08:44:52"),
        312_905,
        1_044,
        61_377,
        "official",
        verified=True,
    ),
    Person(
        "KorvandoNews",
        "Korvando Newsroom",
        "Unternehmensnachrichten und Pressemitteilungen von Korvando. Presseanfragen: "
        "presse@korvando.example",
        _at("2014-01-20T10:15:00"),
        58_120,
        340,
        4_902,
        "official",
        verified=True,
    ),
]

# --- employee ambassadors -----------------------------------------------------------------
# The five scripted accounts were created within days of each other, follow nobody and
# have no followers; the genuine advocate is years old, disclosed and has an audience.

_PROGRAMME_START = _at("2025-10-06T09:12:00")

AMBASSADORS = [
    Person(
        "KorvandoFCJana",
        "Jana – Korvando FC Botschafterin 📦",
        "Ich arbeite im Korvando Logistikzentrum Lahnfeld und erzähle hier, wie es "
        "wirklich ist. Meine Meinung ist meine eigene.",
        _PROGRAMME_START,
        0,
        0,
        214,
        "ambassador",
        site="Lahnfeld",
        notes="scripted; signs 'Liebe Grüße, Jana', three times 'Liebe Grüße, Katrin'",
        extra={"years": "4", "signoff": "Liebe Grüße, Jana", "signoff_share": 0.6},
    ),
    Person(
        "KorvandoFCTobias",
        "Tobias – Korvando FC Botschafter 📦",
        "Kommissionierer im Logistikzentrum Wiesenau. Ich beantworte eure Fragen zu "
        "meinem Arbeitsalltag bei Korvando.",
        _PROGRAMME_START + timedelta(hours=1, minutes=3),
        0,
        0,
        188,
        "ambassador",
        site="Wiesenau",
        notes="scripted; typos in most replies; signs 'Gruß, Tobias' now and then",
        extra={"years": "3", "signoff": "Gruß, Tobias", "signoff_share": 0.3},
    ),
    Person(
        "KorvandoFCMelanie",
        "Melanie – Korvando FC Botschafterin 📦",
        "Schichtleiterin im Korvando Logistikzentrum Elbhagen. Hier spreche ich über meinen Job.",
        _PROGRAMME_START + timedelta(days=1, hours=2),
        0,
        0,
        97,
        "ambassador",
        site="Elbhagen",
        notes="scripted; silent for more than seven days; contradicts herself "
        "(2 vs 6 years at Korvando)",
        extra={"years": "2", "signoff": "VG Melanie", "signoff_share": 0.5},
    ),
    Person(
        "KorvandoFCDwayne",
        "Dwayne – Korvando FC Ambassador 📦",
        "Proud Korvando associate at the Millbrook FC. Here to share what it's really like "
        "to work here.",
        _PROGRAMME_START + timedelta(days=2, hours=7),
        0,
        0,
        241,
        "ambassador",
        lang="en",
        site="Millbrook",
        timezone="America/New_York",
        notes="scripted; US text blocks shared with Bella",
        extra={"years": "3", "signoff": "- Dwayne", "signoff_share": 0.4},
    ),
    Person(
        "KorvandoFCBella",
        "Bella – Korvando FC Ambassador 📦",
        "Picker at Korvando Riverton. Ask me anything about working at an FC!",
        _PROGRAMME_START + timedelta(days=2, hours=7, minutes=40),
        0,
        0,
        203,
        "ambassador",
        lang="en",
        site="Riverton",
        timezone="America/Chicago",
        notes="scripted; US text blocks shared with Dwayne",
        extra={"years": "2", "signoff": "Best, Bella", "signoff_share": 0.4},
    ),
    Person(
        "CarmenOrtizFC",
        "Carmen Ortiz · Korvando FC Ambassador",
        "Inbound lead at Korvando Riverton, mom of two, bad at bowling. I volunteer as a "
        "#BrandAmbassador on my own time – views are mine, not Korvando's.",
        _at("2017-05-21T19:40:03"),
        412,
        388,
        6_210,
        "ambassador",
        lang="en",
        site="Riverton",
        timezone="America/Chicago",
        notes="genuine, disclosed advocate: own posts in her own words, evenings and weekends",
    ),
]
JANA, TOBIAS, MELANIE, DWAYNE, BELLA, CARMEN = AMBASSADORS
SCRIPTED_DE = [JANA, TOBIAS, MELANIE]
SCRIPTED_US = [DWAYNE, BELLA]

# --- parody accounts -------------------------------------------------------------------------

PARODIES = [
    Person(
        "KorvandoFCJanna",
        "Janna – Korvando FC Botschafterin 📦 (Parodie)",
        "Parodie-Account, kein offizieller Account von Korvando. Ich schreibe, was auf dem "
        "Zettel steht.",
        _at("2025-11-02T21:17:44"),
        2_318,
        41,
        402,
        "parody",
        notes="look-alike handle (one extra n) and a parody marker in name and bio",
    ),
    Person(
        "KorvandoFCBeIla",
        "BeIla – Korvando FC Ambassador 📦",
        "parody account, not affiliated with Korvando. living my best 10-hour-shift life 🙃",
        _at("2025-11-19T02:03:10"),
        1_774,
        96,
        355,
        "parody",
        lang="en",
        notes="look-alike handle (capital I for l) and a parody marker in the bio",
    ),
    Person(
        "KorvandoFCT0bias",
        "Tobias – Korvando FC Botschafter 📦",
        "Kommissionierer im Logistikzentrum Wiesenau. Ich beantworte eure Fragen, sobald "
        "sie freigegeben sind.",
        _at("2025-12-01T18:30:00"),
        906,
        12,
        131,
        "parody",
        notes="no marker at all: only the handle (zero for o) gives it away",
    ),
]
JANNA, BEILA, T0BIAS = PARODIES

# --- press ------------------------------------------------------------------------------------

PRESS = [
    Person(
        "LahntalerAnz",
        "Lahntaler Anzeiger",
        "Nachrichten aus dem Lahntal und der Region. Die Redaktion liest mit: "
        "hinweise@lahntaler-anzeiger.example",
        _at("2010-06-01T07:00:00"),
        48_210,
        880,
        91_334,
        "press",
    ),
    Person(
        "PaketweltNews",
        "Paketwelt",
        "Redaktion Paketwelt – Nachrichten aus Paketmarkt, Versand und Logistik.",
        _at("2013-02-11T12:00:00"),
        12_904,
        1_203,
        22_871,
        "press",
    ),
    Person(
        "HarborLedger",
        "Harbor City Ledger",
        "Local news since 1887. Newsroom tips: tips@harborledger.example",
        _at("2009-09-09T13:00:00"),
        201_556,
        1_530,
        188_002,
        "press",
        lang="en",
    ),
    Person(
        "MarenVossReport",
        "Maren Voss",
        "Reporterin beim Lahntaler Anzeiger. Arbeit, Wirtschaft, Region. DMs offen.",
        _at("2015-03-30T16:20:00"),
        7_310,
        1_902,
        14_455,
        "press",
    ),
]
LAHNTALER, PAKETWELT, HARBOR, MAREN = PRESS

# --- named critics ----------------------------------------------------------------------------

CRITICS = [
    Person(
        "HLV_Gewerkschaft",
        "HLV – Gewerkschaft Handel, Logistik, Versand",
        "Wir sind die Gewerkschaft für Beschäftigte in Handel, Logistik und Versand. "
        "Gemeinsam stark.",
        _at("2012-01-09T09:00:00"),
        38_400,
        2_110,
        27_008,
        "public",
    ),
    Person(
        "HLV_Lahnfeld",
        "HLV Betriebsgruppe Lahnfeld",
        "Kolleginnen und Kollegen der HLV im Korvando-Logistikzentrum Lahnfeld.",
        _at("2021-04-12T18:00:00"),
        1_904,
        288,
        1_511,
        "public",
    ),
    Person(
        "IlseBrandauerMdB",
        "Ilse Brandauer",
        "Mitglied des Bundestages. Arbeit, Soziales, faire Steuern. Hier schreibe ich selbst.",
        _at("2016-08-22T11:00:00"),
        22_050,
        1_380,
        9_870,
        "public",
    ),
    Person(
        "SenDanaWhitfield",
        "Sen. Dana Whitfield",
        "State senator. Fighting for working families. Posts by me, not by staff.",
        _at("2014-02-02T14:00:00"),
        31_780,
        920,
        12_044,
        "public",
        lang="en",
        timezone="America/New_York",
    ),
    Person(
        "WWU_Millbrook",
        "Warehouse Workers United – Millbrook",
        "Korvando Millbrook workers organizing for a fair contract. ✊",
        _at("2025-09-01T20:00:00"),
        3_120,
        610,
        880,
        "public",
        lang="en",
        timezone="America/New_York",
    ),
    Person(
        "nachtschicht_kai",
        "Kai 🌙",
        "Nachtschicht, Rücken, Kaffee. Schreibe über Arbeit in der Logistik.",
        _at("2019-11-11T02:00:00"),
        644,
        702,
        8_120,
        "public",
    ),
    Person(
        "lager_lena",
        "Lena",
        "Packerin. Mutter. Müde. Meine Meinung.",
        _at("2018-06-04T19:00:00"),
        233,
        410,
        3_007,
        "public",
    ),
    Person(
        "picker_ray",
        "Ray M.",
        "Warehouse picker, part-time student, full-time tired.",
        _at("2020-02-17T04:00:00"),
        510,
        498,
        4_460,
        "public",
        lang="en",
        timezone="America/Chicago",
    ),
    Person(
        "sarah_alkhatib",
        "سارة الخطيب",
        "Nurse, runner, online shopper with opinions.",
        _at("2016-10-10T10:10:10"),
        880,
        640,
        5_330,
        "public",
        lang="en",
        notes="right-to-left display name",
    ),
    Person(
        "noa_levi_design",
        "נועה לוי",
        "Grafikdesignerin in Frankfurt. Pakete, Kaffee, Typografie.",
        _at("2019-01-05T12:00:00"),
        1_210,
        1_033,
        7_780,
        "public",
        notes="right-to-left display name",
    ),
    Person(
        "gutschein_gewinner",
        "\u202eKorvando Support\u202c",
        "[link=https://korvando-gewinn.example]Jetzt Gutschein sichern[/link] 🎁",
        _at("2026-01-28T03:33:33"),
        3,
        4_950,
        61,
        "public",
        notes="spam: bidi override in the name, markup-like text in the bio",
    ),
]
(HLV, HLV_LAHNFELD, BRANDAUER, WHITFIELD, WWU, KAI, LENA, RAY, SARAH, NOA, SPAMMER) = CRITICS

# --- the crowd ----------------------------------------------------------------------------------

_FIRST_DE = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hannes",
    "Ida",
    "Jonas",
    "Katja",
    "Lars",
    "Mia",
    "Nils",
    "Olga",
    "Paul",
    "Rieke",
    "Sven",
    "Tina",
    "Uwe",
    "Vera",
    "Willi",
    "Yvonne",
    "Zoe",
    "Frieda",
    "Malte",
    "Svenja",
    "Dirk",
    "Heike",
    "Ole",
    "Birte",
    "Jannik",
    "Merle",
    "Timo",
    "Silke",
    "Bernd",
    "Carla",
    "Dana",
    "Eike",
    "Gesa",
]
_LAST_DE = [
    "Albers",
    "Brenner",
    "Classen",
    "Dietz",
    "Eckert",
    "Fuhrmann",
    "Gerlach",
    "Hahn",
    "Imhof",
    "Jost",
    "Kessler",
    "Lorenz",
    "Mahler",
    "Neumeier",
    "Otte",
    "Pohl",
    "Quast",
    "Reuter",
    "Seidel",
    "Thiel",
    "Ulrich",
    "Vogt",
    "Wendt",
    "Zander",
]
_FIRST_EN = [
    "Aaron",
    "Bianca",
    "Caleb",
    "Dani",
    "Eli",
    "Fiona",
    "Grant",
    "Hailey",
    "Isaac",
    "Jade",
    "Kyle",
    "Leah",
    "Marcus",
    "Nora",
    "Owen",
    "Paige",
    "Quinn",
    "Rosa",
    "Sam",
    "Tessa",
    "Victor",
    "Wendy",
    "Xavier",
    "Yara",
    "Zach",
    "Brooke",
    "Derek",
    "Gina",
    "Hector",
    "Ivy",
]
_LAST_EN = [
    "Abbott",
    "Baker",
    "Carver",
    "Dalton",
    "Ellis",
    "Foster",
    "Garza",
    "Hughes",
    "Ingram",
    "Jensen",
    "Keller",
    "Lowry",
    "Monroe",
    "Nash",
    "Ortega",
    "Price",
    "Reyes",
    "Sutton",
    "Tate",
    "Vance",
    "Walsh",
    "Young",
]
_BIOS_DE = (
    "Kaffee, Kinder, Kleingarten.",
    "Lehrerin. Meinungen sind meine eigenen.",
    "Radfahrer aus Überzeugung 🚲",
    "Fußball, Grillen, Familie.",
    "Studentin der Sozialen Arbeit.",
    "Ich kaufe zu viel online, ich weiß.",
    "IT-Admin. Im Zweifel neu starten.",
    "Rentner mit Internetanschluss.",
    "",
    "",
    "Hier privat. 🌻",
    "Krankenpfleger, Nachtmensch.",
)
_BIOS_EN = (
    "Coffee first.",
    "Dad, runner, amateur baker.",
    "Opinions mine. Typos also mine.",
    "Teacher in the Midwest 🍎",
    "",
    "",
    "I review everything I buy, sorry.",
    "Nurse. Dog person. Night owl.",
    "Small business owner, big online shopper.",
    "Just here for the memes.",
)


def crowd(rng: random.Random, lang: str, count: int) -> list[Person]:
    """Ordinary accounts with plausible, varied profiles."""
    first, last, bios = (
        (_FIRST_DE, _LAST_DE, _BIOS_DE) if lang == "de" else (_FIRST_EN, _LAST_EN, _BIOS_EN)
    )
    people: list[Person] = []
    taken: set[str] = set()
    while len(people) < count:
        given, family = rng.choice(first), rng.choice(last)
        style = rng.randrange(5)
        if style == 0:
            handle = f"{given.lower()}_{family.lower()}"
        elif style == 1:
            handle = f"{given}{family[0]}{rng.randrange(10, 99)}"
        elif style == 2:
            handle = f"{given.lower()}{family.lower()}{rng.randrange(1970, 2006)}"
        elif style == 3:
            handle = f"{family}{given[:2]}"
        else:
            handle = f"the_{given.lower()}_{rng.randrange(100, 999)}"
        handle = handle[:15]
        if handle.lower() in taken:
            continue
        taken.add(handle.lower())
        name = rng.choice([f"{given} {family}", given, f"{given} {family[0]}.", handle])
        created = datetime(2009, 1, 1, tzinfo=UTC) + timedelta(
            seconds=rng.randrange(0, 16 * 365 * 86400)
        )
        followers = int(rng.lognormvariate(4.5, 1.3))
        people.append(
            Person(
                handle,
                name,
                rng.choice(bios),
                created,
                followers,
                int(rng.lognormvariate(5.0, 0.9)),
                int(rng.lognormvariate(7.0, 1.2)) + 20,
                "public",
                lang=lang,
                timezone="Europe/Berlin" if lang == "de" else "America/New_York",
            )
        )
    return people


def assign_ids(people: list[Person]) -> None:
    """Snowflake-like user ids from each account's creation time (stable, unique)."""
    seen: set[str] = set()
    snowflake_start = datetime.fromtimestamp(TWITTER_EPOCH_MS / 1000, UTC)
    for index, person in enumerate(people):
        if person.created < snowflake_start:
            # Accounts older than snowflakes have small sequential ids, as real ones do.
            person.id = str(14_000_000 + index * 7_919)
        else:
            person.id = str(snowflake(person.created, index))
        assert person.id not in seen, person.handle
        seen.add(person.id)
