"""The feed side of the demo scenario: five fictional outlets and what they published.

Each feed is written as a few snapshots (the document as a poll at that moment would have
found it). Quirks on purpose: `paketwelt` is Atom, the others RSS 2.0; `lagerforum` leaves
out the date of some items; `harbor-ledger` arrives truncated on one later poll; one
article of `lahntaler` also reaches `newsradar` (with tracking parameters on its link).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Article:
    feed: str
    at: str
    """When it was published (UTC, ISO) or, for an undated item, when it appeared."""
    title: str
    link: str
    author: str
    summary: str
    """HTML, as feeds carry it."""
    dated: bool = True
    source: tuple[str, str] | None = None
    """Aggregators: (outlet name, outlet home page), written as `<source>`."""
    topic: str = ""
    """The topic the scenario means it to be about (for SCENARIO.md), "" for none."""

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.at).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    name: str
    kind: str
    """`rss` or `atom`."""
    title: str
    home: str
    lang: str
    offset_hours: int
    """The outlet's local UTC offset, used in its dates (feeds rarely write UTC)."""
    snapshots: tuple[str, ...]
    """Poll times (UTC, ISO) at which a snapshot of the document is written."""
    broken: str = ""
    """A poll time at which the document arrives cut off mid-way."""


STRIKE_TITLE = (
    "Streik bei Korvando: Hunderte Beschäftigte legen in Lahnfeld und Wiesenau die Arbeit nieder"
)
LAHNTALER_STRIKE = "https://www.lahntaler-anzeiger.example/wirtschaft/streik-bei-korvando-hunderte-legen-arbeit-nieder-41877"

FEEDS = (
    Feed(
        "lahntaler",
        "rss",
        "Lahntaler Anzeiger – Wirtschaft",
        "https://www.lahntaler-anzeiger.example/wirtschaft/",
        "de-DE",
        1,
        ("2026-02-04T12:00:00", "2026-02-09T15:00:00", "2026-02-11T11:20:00"),
    ),
    Feed(
        "paketwelt",
        "atom",
        "Paketwelt – Nachrichten",
        "https://paketwelt.example/",
        "de",
        1,
        ("2026-02-06T08:00:00", "2026-02-09T14:00:00", "2026-02-11T10:40:00"),
    ),
    Feed(
        "newsradar",
        "rss",
        "Newsradar: „Korvando“ – Nachrichten",
        "https://newsradar.example/search?q=Korvando&hl=de",
        "de",
        0,
        ("2026-02-05T18:00:00", "2026-02-10T18:00:00", "2026-02-11T11:30:00"),
    ),
    Feed(
        "harbor-ledger",
        "rss",
        "Harbor City Ledger – Business",
        "https://www.harborledger.example/business/",
        "en-us",
        -5,
        (
            "2026-02-05T12:00:00",
            "2026-02-08T12:00:00",
            "2026-02-11T06:00:00",
            "2026-02-11T10:20:00",
        ),
        broken="2026-02-11T06:00:00",
    ),
    Feed(
        "lagerforum",
        "rss",
        "Lagerforum – Thema Korvando",
        "https://lagerforum.example/tag/korvando",
        "de",
        1,
        (
            "2026-02-03T21:00:00",
            "2026-02-05T09:00:00",
            "2026-02-08T09:00:00",
            "2026-02-10T06:00:00",
            "2026-02-11T05:00:00",
        ),
    ),
)

_L = "https://www.lahntaler-anzeiger.example/wirtschaft/"
_H = "https://www.harborledger.example/business/2026/02/"
_F = "https://lagerforum.example/t/"

ARTICLES = (
    # --- Lahntaler Anzeiger (RSS 2.0, regional paper) ---
    Article(
        "lahntaler",
        "2026-02-02T07:10:00",
        "Korvando plant zweites Logistikzentrum im Lahntal",
        _L + "korvando-plant-zweites-logistikzentrum-41702",
        "Maren Voss",
        "<p>Der Versandhändler prüft Flächen bei Lahnfeld. Die Stadt hofft auf "
        "Gewerbeeinnahmen, Anwohner fürchten mehr Lkw-Verkehr.</p>",
    ),
    Article(
        "lahntaler",
        "2026-02-03T05:30:00",
        "Leistungsdruck und Kameras: Beschäftigte erheben Vorwürfe gegen Korvando-Lager",
        _L + "leistungsdruck-und-kameras-vorwuerfe-korvando-41719",
        "Maren Voss",
        "<p>Mehrere Beschäftigte aus Lahnfeld berichten von <b>Überwachung</b> am "
        "Packtisch und knappen Pausen. Korvando weist die Vorwürfe zurück.</p>",
        topic="working_conditions",
    ),
    Article(
        "lahntaler",
        "2026-02-04T06:00:00",
        "Bericht: Korvando zahlt in Deutschland kaum Steuern",
        _L + "bericht-korvando-zahlt-kaum-steuern-41731",
        "Jörg Albrecht",
        "<p>Nach einer Auswertung von Konzernabschlüssen verbucht Korvando einen Großteil "
        "seiner Gewinne in Luxemburg. Die Steuerzahlungen in Deutschland bleiben gering.</p>",
        topic="taxes",
    ),
    Article(
        "lahntaler",
        "2026-02-05T11:20:00",
        "Gewerkschaft HLV fordert Tarifverhandlungen bei Korvando",
        _L + "hlv-fordert-tarifverhandlungen-korvando-41750",
        "Maren Voss",
        "<p>Die Gewerkschaft verlangt einen Tarifvertrag für die Standorte Lahnfeld, "
        "Wiesenau und Elbhagen. Korvando verweist auf &quot;marktübliche Löhne&quot;.</p>",
        topic="unions",
    ),
    Article(
        "lahntaler",
        "2026-02-07T08:15:00",
        "Korvando-Botschafter auf X: Wer schreibt hier eigentlich?",
        _L + "korvando-botschafter-auf-x-wer-schreibt-hier-41822",
        "Maren Voss",
        "<p>Accounts von Beschäftigten verteidigen Korvando gegen jede Kritik an den "
        "Arbeitsbedingungen – oft mit fast gleichen Sätzen und nur werktags.</p>",
        topic="working_conditions",
    ),
    Article(
        "lahntaler",
        "2026-02-09T09:45:00",
        "HLV ruft zum Streik bei Korvando auf",
        _L + "hlv-ruft-zum-streik-bei-korvando-auf-41840",
        "Maren Voss",
        "<p>Ab Dienstag sollen die Beschäftigten in Lahnfeld und Wiesenau zwei Tage die "
        "Arbeit niederlegen. Es ist der erste Streik in der Geschichte der Standorte.</p>",
        topic="strikes",
    ),
    Article(
        "lahntaler",
        "2026-02-10T16:30:00",
        STRIKE_TITLE,
        LAHNTALER_STRIKE,
        "Maren Voss",
        "<p>Seit dem frühen Morgen standen Streikposten vor beiden Toren. Die HLV spricht "
        "von mehr als 700 Beschäftigten im Ausstand, Korvando von &quot;geringen "
        "Auswirkungen&quot;.</p>",
        topic="strikes",
    ),
    Article(
        "lahntaler",
        "2026-02-10T18:00:00",
        "[Kommentar] Streik bei Korvando: [bold]Wer zahlt den Preis?[/bold]",
        _L + "kommentar-streik-korvando-wer-zahlt-den-preis-41881",
        "Jörg Albrecht",
        "<p>Ein Kommentar. <script>alert('x')</script>Am Ende zahlen die Beschäftigten, "
        "wenn der Konzern nicht verhandelt &amp; die Kundschaft wegschaut.</p>",
        topic="strikes",
    ),
    Article(
        "lahntaler",
        "2026-02-11T09:20:00",
        "HLV droht mit weiteren Streiks, wenn Korvando nicht verhandelt",
        _L + "hlv-droht-mit-weiteren-streiks-41899",
        "Jörg Albrecht",
        "<p>Die Gewerkschaft will den Streik verlängern, falls Korvando keine Gespräche "
        "über einen Tarifvertrag anbietet.</p>",
        topic="strikes",
    ),
    Article(
        "lahntaler",
        "2026-02-11T11:10:00",
        "Zweiter Streiktag: Korvando spricht von „normalem Betrieb“",
        _L + "zweiter-streiktag-korvando-normaler-betrieb-41902",
        "Maren Voss",
        "<p>Auch am zweiten Tag ist die Beteiligung am Streik hoch. Aufträge werden "
        "nach Elbhagen umgeleitet.</p>",
        topic="strikes",
    ),
    # --- Paketwelt (Atom, trade press) ---
    Article(
        "paketwelt",
        "2026-01-31T09:00:00",
        "Wochenrückblick: Korvando testet Zustellung per Lastenrad",
        "https://paketwelt.example/2026/01/wochenrueckblick-lastenrad",
        "Redaktion Paketwelt",
        "<p>In drei Innenstädten fährt Korvando Pakete jetzt mit Lastenrädern aus.</p>",
    ),
    Article(
        "paketwelt",
        "2026-02-02T13:00:00",
        "Paketmarkt: Korvando meldet Rekordquartal",
        "https://paketwelt.example/2026/02/korvando-rekordquartal",
        "Nina Hartmann",
        "<p>Umsatz und Sendungsmengen legen zweistellig zu.</p>",
    ),
    Article(
        "paketwelt",
        "2026-02-05T15:10:00",
        "Tarifkonflikt in der Versandlogistik: HLV nimmt Korvando ins Visier",
        "https://paketwelt.example/2026/02/tarifkonflikt-hlv-korvando",
        "Nina Hartmann",
        "<p>Die Gewerkschaft will einen Tarifvertrag durchsetzen. Branchenbeobachter "
        "erwarten Streiks noch im Februar.</p>",
        topic="unions",
    ),
    Article(
        "paketwelt",
        "2026-02-09T12:30:00",
        "Korvando: Streikaufruf für zwei Standorte",
        "https://paketwelt.example/2026/02/korvando-streikaufruf",
        "Redaktion Paketwelt",
        "<p>Betroffen sind Lahnfeld und Wiesenau.</p>",
        topic="strikes",
    ),
    Article(
        "paketwelt",
        "2026-02-10T17:15:00",
        "Streik bei Korvando: Was der Ausstand für Händler bedeutet",
        "https://paketwelt.example/2026/02/streik-korvando-haendler",
        "Nina Hartmann",
        "<p>Marktplatzhändler rechnen mit Verzögerungen von ein bis zwei Tagen. Der Streik "
        "trifft die Hochsaison der Rücksendungen.</p>",
        topic="strikes",
    ),
    Article(
        "paketwelt",
        "2026-02-11T08:00:00",
        "Korvando verlagert Aufträge während des Streiks nach Elbhagen",
        "https://paketwelt.example/2026/02/korvando-verlagert-auftraege",
        "Redaktion Paketwelt",
        "<p>Das Logistikzentrum Elbhagen arbeitet in Sonderschichten.</p>",
        topic="strikes",
    ),
    Article(
        "paketwelt",
        "2026-02-06T10:00:00",
        "Analyse: Warum Korvando keinen Tarifvertrag will",
        "https://paketwelt.example/2026/02/analyse-korvando-tarifvertrag",
        "Nina Hartmann",
        "<p>Löhne, Flexibilität und die Angst vor einem Präzedenzfall.</p>",
        topic="pay",
    ),
    Article(
        "paketwelt",
        "2026-02-09T07:00:00",
        "Botschafterprogramme unter der Lupe: Wie authentisch ist Employee Advocacy?",
        "https://paketwelt.example/2026/02/botschafterprogramme-lupe",
        "Nina Hartmann",
        "<p>Freiwillig, gekennzeichnet, in eigenen Worten: daran messen Fachleute "
        "Programme wie das von Korvando.</p>",
    ),
    # --- Newsradar (aggregator, RSS 2.0 with <source>) ---
    Article(
        "newsradar",
        "2026-02-02T10:00:00",
        "Korvando eröffnet Paketzentrum bei Elbhagen - Elbhagener Rundschau",
        "https://www.elbhagener-rundschau.example/lokales/korvando-paketzentrum-eroeffnet",
        "",
        "<p>Korvando eröffnet Paketzentrum bei Elbhagen</p>",
        source=("Elbhagener Rundschau", "https://www.elbhagener-rundschau.example"),
    ),
    Article(
        "newsradar",
        "2026-02-04T08:30:00",
        "Steuern: Wie Korvando Gewinne ins Ausland verschiebt - Finanzkurier",
        "https://finanzkurier.example/unternehmen/korvando-gewinne-ausland",
        "",
        "<p>Steuern: Wie Korvando Gewinne ins Ausland verschiebt</p>",
        source=("Finanzkurier", "https://finanzkurier.example"),
        topic="taxes",
    ),
    Article(
        "newsradar",
        "2026-02-05T12:00:00",
        "Korvando-Beschäftigte fordern Tarifvertrag - Wiesenauer Tagblatt",
        "https://wiesenauer-tagblatt.example/region/korvando-tarifvertrag",
        "",
        "<p>Korvando-Beschäftigte fordern Tarifvertrag</p>",
        source=("Wiesenauer Tagblatt", "https://wiesenauer-tagblatt.example"),
        topic="pay",
    ),
    Article(
        "newsradar",
        "2026-02-09T11:00:00",
        "Streik bei Korvando angekündigt - Wiesenauer Tagblatt",
        "https://wiesenauer-tagblatt.example/region/streik-korvando-angekuendigt",
        "",
        "<p>Streik bei Korvando angekündigt</p>",
        source=("Wiesenauer Tagblatt", "https://wiesenauer-tagblatt.example"),
        topic="strikes",
    ),
    Article(
        "newsradar",
        "2026-02-10T16:30:00",
        STRIKE_TITLE + " - Lahntaler Anzeiger",
        LAHNTALER_STRIKE + "?utm_source=newsradar&utm_medium=rss",
        "",
        "<p>Streik bei Korvando: Hunderte Beschäftigte legen die Arbeit nieder</p>",
        source=("Lahntaler Anzeiger", "https://www.lahntaler-anzeiger.example"),
        topic="strikes",
    ),
    Article(
        "newsradar",
        "2026-02-10T10:30:00",
        "Korvando-Streik: Kunden müssen mit Verzögerungen rechnen - Paketcheck",
        "https://paketcheck.example/news/korvando-streik-verzoegerungen",
        "",
        "<p>Korvando-Streik: Kunden müssen mit Verzögerungen rechnen</p>",
        source=("Paketcheck", "https://paketcheck.example"),
        topic="strikes",
    ),
    Article(
        "newsradar",
        "2026-02-10T17:00:00",
        "Politik fordert Tarifverhandlungen bei Korvando - Hauptstadtbrief",
        "https://hauptstadtbrief.example/politik/korvando-tarifverhandlungen",
        "",
        "<p>Politik fordert Tarifverhandlungen bei Korvando</p>",
        source=("Hauptstadtbrief", "https://hauptstadtbrief.example"),
        topic="pay",
    ),
    Article(
        "newsradar",
        "2026-02-11T07:00:00",
        "Zweiter Streiktag bei Korvando - Elbhagener Rundschau",
        "https://www.elbhagener-rundschau.example/lokales/zweiter-streiktag-korvando",
        "",
        "<p>Zweiter Streiktag bei Korvando</p>",
        source=("Elbhagener Rundschau", "https://www.elbhagener-rundschau.example"),
        topic="strikes",
    ),
    Article(
        "newsradar",
        "2026-02-11T09:40:00",
        "Korvando-Streik: Fronten verhärtet - Finanzkurier",
        "https://finanzkurier.example/unternehmen/korvando-streik-fronten",
        "",
        "<p>Korvando-Streik: Fronten verhärtet</p>",
        source=("Finanzkurier", "https://finanzkurier.example"),
        topic="strikes",
    ),
    Article(
        "newsradar",
        "2026-02-08T11:00:00",
        "Korvandos Botschafter-Accounts im Faktencheck - Medienwoche Online",
        "https://medienwoche.example/social/korvando-botschafter-faktencheck",
        "",
        "<p>Korvandos Botschafter-Accounts im Faktencheck</p>",
        source=("Medienwoche Online", "https://medienwoche.example"),
    ),
    # --- Harbor City Ledger (RSS 2.0, US) ---
    Article(
        "harbor-ledger",
        "2026-02-02T14:00:00",
        "Korvando adds 300 seasonal jobs at Millbrook warehouse",
        _H + "korvando-adds-seasonal-jobs-millbrook",
        "Tom Reyes",
        "<p>The hiring push comes weeks after the holiday rush ended.</p>",
    ),
    Article(
        "harbor-ledger",
        "2026-02-04T16:00:00",
        "Report: Korvando paid little federal tax despite record profits",
        _H + "report-korvando-little-federal-tax",
        "Alicia Grant",
        "<p>A watchdog report says the retailer's effective tax rate was in the low single "
        "digits.</p>",
        topic="taxes",
    ),
    Article(
        "harbor-ledger",
        "2026-02-06T15:00:00",
        "Millbrook warehouse workers launch union drive at Korvando",
        _H + "millbrook-workers-launch-union-drive",
        "Tom Reyes",
        "<p>Organizers say a majority has signed cards. Korvando says it prefers a direct "
        "relationship with associates.</p>",
        topic="unions",
    ),
    Article(
        "harbor-ledger",
        "2026-02-10T19:00:00",
        "German Korvando workers strike over pay; US organizers take note",
        _H + "german-korvando-workers-strike",
        "Alicia Grant",
        "<p>The two-day walkout at two German sites is the first in the company's history.</p>",
        topic="strikes",
    ),
    Article(
        "harbor-ledger",
        "2026-02-07T17:00:00",
        "Korvando 'ambassadors' defend the company online. Critics call it astroturf.",
        _H + "korvando-ambassadors-astroturf",
        "Tom Reyes",
        "<p>Accounts run by employees answer criticism within minutes, with strikingly "
        "similar wording.</p>",
    ),
    Article(
        "harbor-ledger",
        "2026-02-05T17:10:00",
        "Injury rates at Korvando's Millbrook site top industry average, records show",
        _H + "injury-rates-korvando-millbrook",
        "Alicia Grant",
        "<p>Safety records obtained by the Ledger show injury rates nearly double the "
        "warehouse average.</p>",
        topic="working_conditions",
    ),
    Article(
        "harbor-ledger",
        "2026-02-06T20:20:00",
        "Letters: Readers react to Korvando injury report",
        _H + "letters-korvando-injury-report",
        "Opinion desk",
        "<p>&quot;My son works there,&quot; one reader writes. 🙏</p>",
        topic="working_conditions",
    ),
    # --- Lagerforum (community RSS; some items carry no date) ---
    Article(
        "lagerforum",
        "2026-01-31T20:00:00",
        "Erfahrungen mit Nachtschicht bei Korvando Lahnfeld?",
        _F + "8812-nachtschicht-korvando-lahnfeld",
        "kistenschieber",
        "<p>Fange nächsten Monat an. Wie sind die Nächte so?</p>",
    ),
    Article(
        "lagerforum",
        "2026-02-02T19:00:00",
        "Pausenregelung in Wiesenau geändert?",
        _F + "8830-pausenregelung-wiesenau",
        "packmaus",
        "<p>Bei uns heißt es jetzt, die Pausen werden gestaffelt. Weiß jemand mehr?</p>",
        dated=False,
        topic="working_conditions",
    ),
    Article(
        "lagerforum",
        "2026-02-03T18:00:00",
        "Handscanner zeigt jetzt Rangliste an – normal?",
        _F + "8841-handscanner-rangliste",
        "elbe_picker",
        "<p>Seit Montag sehen wir auf dem Scanner, wer am schnellsten ist. Mehr "
        "Leistungsdruck geht kaum.</p>",
        topic="working_conditions",
    ),
    Article(
        "lagerforum",
        "2026-02-06T21:00:00",
        "Wie ist der Stundenlohn in Elbhagen inzwischen?",
        _F + "8877-stundenlohn-elbhagen",
        "neu_hier_26",
        "<p>Überlege zu wechseln.</p>",
        dated=False,
        topic="pay",
    ),
    Article(
        "lagerforum",
        "2026-02-09T20:00:00",
        "Streik morgen – wer geht hin?",
        _F + "8902-streik-morgen",
        "kistenschieber",
        "<p>Treffpunkt 5:30 am Tor 2.</p>",
        topic="strikes",
    ),
    Article(
        "lagerforum",
        "2026-02-09T20:40:00",
        "Was passiert, wenn man als Befristeter streikt?",
        _F + "8905-befristet-streiken",
        "packmaus",
        "<p>Mein Vertrag läuft im Juni aus.</p>",
        dated=False,
        topic="strikes",
    ),
    Article(
        "lagerforum",
        "2026-02-10T19:00:00",
        "Streikgeld von der Gewerkschaft – wie lange dauert das?",
        _F + "8931-streikgeld",
        "elbe_picker",
        "<p>Erste Mal dabei gewesen, keine Ahnung wie das läuft.</p>",
        topic="strikes",
    ),
    Article(
        "lagerforum",
        "2026-02-07T19:30:00",
        "Diese Botschafter-Accounts auf X – kennt die jemand?",
        _F + "8950-botschafter-accounts",
        "neu_hier_26",
        "<p>Bei uns in der Halle kennt keiner eine Jana.</p>",
        dated=False,
    ),
    Article(
        "lagerforum",
        "2026-02-04T20:10:00",
        "Neue Kameras an den Packtischen in Lahnfeld",
        _F + "8953-neue-kameras-packtische",
        "kistenschieber",
        "<p>Offiziell für die Qualität. Inoffiziell Überwachung.</p>",
        dated=False,
        topic="working_conditions",
    ),
)
"""Every feed item; the first snapshot of its feed polled after `at` carries it."""


def _local(feed: Feed, value: datetime) -> datetime:
    return value.astimezone(timezone(timedelta(hours=feed.offset_hours)))


def _rss_date(feed: Feed, value: datetime) -> str:
    return format_datetime(_local(feed, value))


def _atom_date(feed: Feed, value: datetime) -> str:
    return _local(feed, value).isoformat()


def render_feed(feed: Feed, articles: list[Article], polled: datetime) -> str:
    """The document `feed` served at `polled`: its items up to then, newest first."""
    items = sorted((a for a in articles if a.time <= polled), key=lambda a: a.time, reverse=True)
    if feed.kind == "atom":
        return _render_atom(feed, items, polled)
    return _render_rss(feed, items, polled)


def _render_rss(feed: Feed, items: list[Article], polled: datetime) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{escape(feed.title)}</title>",
        f"<link>{escape(feed.home)}</link>",
        f"<description>{escape(feed.title)}</description>",
        f"<language>{feed.lang}</language>",
        f"<lastBuildDate>{_rss_date(feed, polled)}</lastBuildDate>",
        f'<atom:link href={quoteattr(feed.home + "feed.xml")} rel="self" '
        'type="application/rss+xml"/>',
    ]
    for item in items:
        out.append("<item>")
        out.append(f"<title>{escape(item.title)}</title>")
        out.append(f"<link>{escape(item.link)}</link>")
        out.append(f'<guid isPermaLink="true">{escape(item.link)}</guid>')
        if item.author:
            out.append(f"<dc:creator>{escape(item.author)}</dc:creator>")
        if item.dated:
            out.append(f"<pubDate>{_rss_date(feed, item.time)}</pubDate>")
        out.append(f"<description><![CDATA[{item.summary}]]></description>")
        if item.source:
            name, home = item.source
            out.append(f"<source url={quoteattr(home)}>{escape(name)}</source>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def _render_atom(feed: Feed, items: list[Article], polled: datetime) -> str:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{feed.lang}">',
        f"<title>{escape(feed.title)}</title>",
        f"<id>{escape(feed.home)}</id>",
        f"<updated>{_atom_date(feed, polled)}</updated>",
        f'<link rel="self" href={quoteattr(feed.home + "atom.xml")}/>',
        f'<link rel="alternate" href={quoteattr(feed.home)}/>',
    ]
    for item in items:
        out.append("<entry>")
        out.append(f'<title type="text">{escape(item.title)}</title>')
        out.append(f"<id>{escape(item.link)}</id>")
        out.append(f'<link rel="alternate" href={quoteattr(item.link)}/>')
        out.append(f"<published>{_atom_date(feed, item.time)}</published>")
        out.append(f"<updated>{_atom_date(feed, item.time)}</updated>")
        out.append(f"<author><name>{escape(item.author)}</name></author>")
        out.append(f'<summary type="html">{escape(item.summary)}</summary>')
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


def truncate(document: str) -> str:
    """The document cut off in the middle of its third item, as a dropped connection does."""
    marker = "<item>" if "<item>" in document else "<entry>"
    starts = [i for i in range(len(document)) if document.startswith(marker, i)]
    cut = starts[2] + 40 if len(starts) > 2 else len(document) // 2
    return document[:cut]
