"""The words of the demo scenario: posts by critics and customers, the ambassadors' text
blocks, the genuine advocate's own words and the parody accounts' jokes (all fictional,
written for Echowatch).

Slots: {co} the company as named in the post, {site}/{site2} a site, {n} a number,
{wage} an hourly wage, {item} a product, {city}/{years} in the ambassadors' blocks.
Ordinary posts avoid every topic word on purpose ("lohnt", "pay", "Bonuspunkte"), so the
topic counts say what the scenario means them to say.
"""

from __future__ import annotations

CRITICS: dict[tuple[str, str], tuple[str, ...]] = {
    ("working_conditions", "de"): (
        "Zehn Stunden Schicht, zwei kurze Pausen, und der Handscanner zählt jede Minute mit. "
        "So sehen die Arbeitsbedingungen bei {co} in {site} aus.",
        "Meine Schwester packt seit drei Jahren bei {co}. Der Leistungsdruck wird jedes Jahr "
        "schlimmer, sagt sie.",
        "Die Überwachung im {co}-Lager in {site} ist absurd: wer zu lange auf Toilette ist, "
        "bekommt ein 'Feedback-Gespräch'.",
        "Wer bei {co} bestellt, sollte wissen, unter welchen Arbeitsbedingungen das Paket "
        "gepackt wurde. #Arbeitsbedingungen",
        "Frage an {co}: Wie lang sind die Pausen in {site} wirklich? Die Leute dort erzählen "
        "was anderes als eure Werbung.",
        "Im Sommer Hitze in der Halle, im Winter Zugluft am Tor. Und die Vorgaben bleiben "
        "gleich. Danke, {co}.",
        "Leistungsdruck, Kameras, Taktvorgaben: {co} nennt das 'moderne Logistik'.",
        "Heute mit Leuten vor dem Tor in {site} gesprochen. Niemand will seinen Namen nennen. "
        "Das sagt viel über die Arbeitsbedingungen bei {co}.",
        "Krank nach der zweiten Woche Doppelschicht. Rücken kaputt. Der Leistungsdruck bei "
        "{co} ist kein Mythos.",
        "Ob die Chefs von {co} mal eine Woche am Band stehen würden? Ohne Pause, mit "
        "Überwachung per Scanner?",
        "Wer in {site} die Pausen um zwei Minuten überzieht, landet auf einer Liste. Ist das "
        "euer Ernst, {co}?",
        "{n} Kilometer pro Schicht laufen, dazu ständige Überwachung. Arbeitsbedingungen bei "
        "{co}, 2026.",
    ),
    ("working_conditions", "en"): (
        "Ten-hour shift, two short breaks, and the scanner logs every idle minute. Working "
        "conditions at {co} {site} in one sentence.",
        "My cousin left {co} after a back injury on the line. The quota never stopped, not "
        "even while she was hurting.",
        "{co} calls it 'productivity tracking'. The people being tracked call it surveillance.",
        "Safety posters are nice, but the rate targets at {co} {site} haven't moved an inch.",
        "Has anyone seen the injury numbers from the {site} warehouse? {co} should answer "
        "that, not its marketing team.",
        "If your quota counts bathroom trips, your working conditions are broken. Looking "
        "at you, {co}.",
        "Former {co} picker here. The surveillance wasn't even the worst part. The quota was.",
        "Walked {n} miles on my shift at {co} today and got a warning for 'time off task'. "
        "Great working conditions.",
        "Whoever designed the {co} quota system has never lifted a box. Injuries are not "
        "'friction', they are people.",
        "Reminder that {co} {site} had three ambulance calls last month. Safety first, right?",
    ),
    ("pay", "de"): (
        "Der Stundenlohn bei {co} in {site} liegt immer noch unter dem, was im Einzelhandel "
        "per Tarifvertrag gezahlt wird.",
        "Warum weigert sich {co} seit Jahren, einen Tarifvertrag zu unterschreiben? Die "
        "Gewinne sind doch da.",
        "{wage} Euro Stundenlohn und Zuschläge nur auf Nachfrage. So viel zum 'fairen Gehalt' "
        "bei {co}.",
        "Die Jahresprämie war ein Gutschein über 25 Euro. Ernsthaft, {co}? Das ist kein Lohn.",
        "Löhne wie vor fünf Jahren, Mieten wie heute. Wer bei {co} in {site} arbeitet, "
        "braucht einen Zweitjob.",
        "Ein Gehalt nach Tarifvertrag ist kein Luxus, {co}. Das ist das Mindeste.",
        "Rekordumsatz bei {co}, aber für die Leute im Lager gibt es wieder keine Lohnerhöhung.",
        "Mein Bruder verdient bei {co} in {site} {wage} Euro die Stunde. Nach sechs Jahren.",
    ),
    ("pay", "en"): (
        "{co} posts record profits and the starting wage at {site} is still ${wage} an hour.",
        "The 'great benefits' at {co} come with a waiting period nobody mentions in the ads.",
        "Pay at {co} hasn't kept up with rent in {site}. Full stop.",
        "Peak season bonus at {co}: a pizza party and a $10 gift card.",
        "Workers at {co} deserve a real raise, not a 401k match they can't afford to use.",
        "${wage}/hr to lift boxes for ten hours while {co} earns billions. Fix the wages.",
        "My sister got her first pay raise at {co} {site} after two years. It was 30 cents.",
    ),
    ("strikes", "de"): (
        "Streik bei {co} in {site}! Seit sechs Uhr stehen die Kolleginnen und Kollegen vor "
        "dem Tor. #Streik",
        "Heute Streik in {site} und {site2}. Volle Solidarität mit den Beschäftigten bei {co}!",
        "Wer heute bei {co} bestellt, bestellt gegen die Streikenden. Einfach mal einen Tag "
        "warten.",
        "Streik bei {co}: Die HLV meldet über {n} Beschäftigte im Ausstand. {co} spricht von "
        "'geringen Auswirkungen'.",
        "Mein Paket von {co} hängt im Lager fest. Ehrlich gesagt: gut so. Viel Erfolg beim Streik!",
        "Wie lange will {co} den Streik noch aussitzen? Die Leute wollen einen Tarifvertrag, "
        "sonst nichts.",
        "Streikposten in {site} bei minus zwei Grad. Respekt an alle, die da stehen. #Streik",
        "Der Streik in {site} zeigt: ohne die Leute im Lager läuft bei {co} gar nichts.",
        "Hupen für die Streikenden vor dem {co}-Lager in {site}! 📯 #Streik",
        "Ich war heute beim Streik in {site}. So viele Menschen, so viel Wut, so viel Mut.",
        "Streik ist kein Verbrechen, {co}. Wer Streikende mit Mails unter Druck setzt, hat "
        "verloren.",
        "Wegen des Streiks bei {co} bestelle ich diese Woche gar nichts. Kleiner Beitrag.",
    ),
    ("strikes", "en"): (
        "Workers at {co}'s German warehouses are on strike today. Solidarity from {site}! #strike",
        "Picket lines at two {co} sites in Germany this morning. Will US workers be next?",
        "{co} says the strike in Germany has 'no impact on deliveries'. Sure it doesn't.",
        "Don't cross a digital picket line: skip {co} this week. #KorvandoStrike",
        "The {co} strike in Germany is the news nobody in US retail wants to talk about.",
        "The {co} strike in Germany is still going and the company is still pretending it's fine.",
    ),
    ("unions", "de"): (
        "Die Gewerkschaft HLV fordert seit Jahren Verhandlungen mit {co}. Und {co} schickt "
        "lieber Leute mit Textbausteinen auf X.",
        "Ein Betriebsrat in {site} wäre das Mindeste. Warum hat {co} damit so ein Problem?",
        "Wer bei {co} in die Gewerkschaft eintritt, redet nicht gern darüber. Warum wohl?",
        "Zur Betriebsratswahl in {site} kamen plötzlich 'Berater'. Klingt nach "
        "Gewerkschaftsbekämpfung, {co}.",
        "Gewerkschaften sind kein Feind, {co}. Sie sind die Stimme der Leute im Lager.",
        "Heute in {site} HLV-Flyer verteilt. Der Werkschutz war schneller da als der Bus. "
        "#Gewerkschaft",
        "Ohne Gewerkschaft kein Tarifvertrag. Ohne Betriebsrat keine Mitsprache. So einfach "
        "ist das, {co}.",
    ),
    ("unions", "en"): (
        "Workers at {co} {site} are organizing. Management responded with mandatory meetings. "
        "Classic.",
        "{co} spends millions on anti-union consultants and then says it 'respects workers'.",
        "A union at {site} would mean a contract, not a promise. That's why {co} fights it.",
        "Signed my union card today. {co} {site}, we're coming. ✊",
        "Every time workers at {co} start organizing, the company suddenly discovers 'open "
        "door' meetings.",
        "The union vote at {co} {site} is going to be close. Workers, don't let them scare you.",
    ),
    ("taxes", "de"): (
        "{co} macht in Deutschland Milliardenumsatz und zahlt kaum Steuern. Wie geht das?",
        "Die Steuerzahlungen von {co} in Europa sind ein Bruchteil dessen, was jede Bäckerei "
        "zahlt.",
        "Frage an die {co}-Botschafter: Was sagt ihr eigentlich zu den Steuern eures "
        "Arbeitgebers? Stille.",
        "Wenn {co} Steuern zahlen würde wie jeder Mittelständler, wäre Geld für ordentliche "
        "Löhne da.",
        "Der Bericht über die Steuertricks von {co} ist lesenswert. Gewinne verschoben, "
        "Steuern gespart.",
        "Komisch: Zu Pausen und Lohn antworten die {co}-Accounts in Minuten. Zu Steuern nie.",
    ),
    ("taxes", "en"): (
        "{co} paid an effective tax rate in the low single digits last year. Your local "
        "diner paid more.",
        "Tax avoidance isn't innovation, {co}.",
        "Funny how the {co} ambassadors answer everything except the tax question.",
        "Before {co} lectures anyone about fairness, maybe it could pay its taxes.",
        "The {co} tax report should be on every front page today.",
    ),
}
"""Critical posts per (topic, language)."""

STRIKE_BEFORE: dict[tuple[str, str], tuple[str, ...]] = {
    ("talk", "de"): (
        "Wenn {co} nicht verhandelt, wird es einen Streik geben. Die Stimmung in {site} ist "
        "so weit.",
        "Die HLV denkt laut über einen Streik bei {co} nach. Wurde auch Zeit.",
        "Streik bei {co}? Ich würde mitmachen. Nach Jahren ohne Tarifvertrag reicht es.",
    ),
    ("talk", "en"): (
        "Talk of a strike at {co} in Germany. Would US workers ever walk out too?",
        "If German {co} workers strike, the company will finally have to listen.",
    ),
    ("called", "de"): (
        "Die HLV ruft ab morgen zum Streik bei {co} in Lahnfeld und Wiesenau auf. Endlich! #Streik",
        "Streik bei {co} angekündigt: zwei Tage, Lahnfeld und Wiesenau. Ich bin dabei.",
        "Morgen früh Streik in {site}. Wer kann, kommt um halb sechs ans Tor 2. #Streik",
        "{co} sagt, der Streik ändere nichts. Dann kann man ja auch einfach verhandeln, oder?",
        "Zwei Tage Streik bei {co}, weil es seit Jahren keinen Tarifvertrag gibt. Volle "
        "Unterstützung!",
        "Wer diese Woche bei {co} bestellt: ab morgen wird in {site} gestreikt. Lieber warten.",
    ),
    ("called", "en"): (
        "A union in Germany just called a two-day strike at {co}. Watching this closely from "
        "{site}.",
        "German {co} workers strike tomorrow. US workers, take notes. #strike",
        "{co} says a strike in Germany 'won't affect customers'. We'll see tomorrow.",
    ),
}
"""Strike posts before the strike: talk of one, then the call (the day before)."""

ORDINARY: dict[str, tuple[str, ...]] = {
    "de": (
        "Paket von {co} kam heute schon um {hour} Uhr. Respekt an die Zustellerin 📦",
        "Hat jemand Erfahrung mit Rücksendungen bei {co}? Muss {item} zurückschicken.",
        "{co} hat mir schon wieder {item} in der falschen Farbe geschickt 🙄",
        "Die neue {co}-App ist irgendwie langsamer als die alte.",
        "Bestellt um 23 Uhr, geliefert am nächsten Morgen. Manchmal erschrecke ich, wie "
        "bequem {co} ist.",
        "Warum liegt mein {co}-Paket beim Nachbarn drei Häuser weiter? 😅",
        "Suche {item}, bei {co} gibt es 300 davon. Empfehlungen?",
        "Sendungsverfolgung von {co} sagt 'zugestellt'. Mein Briefkasten sagt was anderes.",
        "Gutschein von {co} zum Geburtstag bekommen 🎁 Was soll ich mir holen?",
        "Der {co}-Kundenservice hat das Problem in fünf Minuten gelöst. Hätte ich nicht gedacht.",
        "Mein {co}-Bote hat heute geklingelt, gewartet UND das Paket reingetragen. Held des Tages.",
        "{item} bei {co} bestellt, kommt angeblich in {n} Tagen. Mal sehen.",
        "Kennt jemand eine Alternative zu {co} für Bücher? Will mal was anderes probieren.",
        "Ich habe gerade gemerkt, dass ich dieses Jahr schon {n} Mal bei {co} bestellt habe. "
        "Hilfe.",
        "Die Verpackung von {co} für {item}: ein Karton, in den ein Kühlschrank gepasst hätte.",
        "{co} liefert jetzt auch sonntags? Seit wann das denn?",
        "Kleiner Tipp: bei {co} die Wunschliste teilen spart Diskussionen vor Geburtstagen.",
        "Heute drei Pakete von {co}, alle von unterschiedlichen Boten. Logistik ist ein Rätsel.",
        "Hat {co} die Rückgabefrist verkürzt oder bilde ich mir das ein?",
        "Endlich ist {item} da. Danke {co}, diesmal sogar einen Tag früher.",
        "Mein Sohn wartet seit Tagen auf {item} von {co}. Die Stimmung ist angespannt.",
        "Warum schickt mir {co} Werbung für {item}, das ich letzte Woche gekauft habe?",
        "{co} Packstation am Bahnhof ist endlich wieder in Betrieb 👍",
        "Einmal im Jahr der Vorsatz, weniger bei {co} zu bestellen. Heute war es wieder so weit.",
    ),
    "en": (
        "My {co} order showed up a day early. Not complaining 📦",
        "Does anyone know if {co} ships to Canada now?",
        "{co} sent me {item} in the wrong size. Impressive, honestly.",
        "Trying to return {item} through {co} and the app keeps crashing.",
        "Shoutout to the {co} driver who left my package out of the rain ☔",
        "Is {co} Plus worth it? Asking for a friend who orders way too much.",
        "The {co} deals this week are wild. Bought {item} I definitely do not need.",
        "Waiting for {item} from {co} like it's Christmas morning.",
        "Why does {co} put one tiny USB cable in a box the size of a microwave?",
        "{co} customer service fixed my order in two minutes. Color me surprised.",
        "Three {co} deliveries today, three different drivers. Logistics is a mystery.",
        "Pro tip: the {co} wishlist is the best way to stop getting socks for your birthday.",
        "Is anyone else's {co} tracking stuck on 'out for delivery' since {hour} am?",
        "Ordered {item} from {co} at midnight, it's on my porch by {hour}. Scary fast.",
        "Does {co} still do free returns on {item}? Asking before I click buy.",
        "I have ordered from {co} {n} times this year and it's only February. Send help.",
        "My dog has learned the sound of the {co} truck. He is not a fan.",
        "The {co} app redesign moved every button I ever used.",
        "Got a {co} gift card for my birthday 🎉 What should I get?",
        "Finally got my {item} from {co}. Worth the wait.",
        "Why did {co} split my order into four boxes arriving on four days?",
        "{co} locker at the grocery store is a game changer for apartment people.",
    ),
}
"""Ordinary posts that mention the company without any topic."""

ITEMS = {
    "de": (
        "eine Kaffeemühle",
        "die Winterjacke",
        "einen Wasserkocher",
        "das Puzzle",
        "eine Schreibtischlampe",
        "die Laufschuhe",
        "ein Kinderbuch",
        "die Gartenschere",
        "einen Rucksack",
        "das Ladekabel",
    ),
    "en": (
        "a blender",
        "a winter coat",
        "a desk lamp",
        "running shoes",
        "a board game",
        "a phone case",
        "a space heater",
        "a cast iron pan",
        "headphones",
        "a dog bed",
    ),
}

OPENERS = {
    "de": ("", "", "", "Ernsthaft: ", "Kurze Frage: ", "Update: ", "Mal ehrlich, ", "Hm. "),
    "en": ("", "", "", "Honestly, ", "Quick question: ", "Update: ", "Ok so ", "PSA: "),
}
CLOSERS = {
    "de": ("", "", "", " 📦", " 😅", " 🙄", " #Korvando", " Typisch.", " 😂", " 🤷"),
    "en": ("", "", "", " 📦", " 😅", " 🙄", " #Korvando", " Typical.", " lol", " 🤷"),
}

# --- ambassador text blocks ------------------------------------------------------------------
# The scripted accounts answer from the same pre-approved blocks; only {city} and {years}
# change between accounts (and Tobias's typos), so the word sets stay >= 0.8 alike.

BLOCKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("working_conditions", "de"): (
        "Ich arbeite seit {years} Jahren im Logistikzentrum {city} und kann das so nicht "
        "bestätigen. Unsere Pausen sind fest eingeplant und niemand wird für eine Pause "
        "kritisiert. Die Arbeitsbedingungen sind fair.",
        "Ich verstehe die Kritik, aber bei uns in {city} sieht der Alltag anders aus. Es gibt "
        "gemütliche Pausenräume, ergonomische Arbeitsplätze und Vorgesetzte mit offenem Ohr. "
        "Überwachung erlebe ich nicht.",
        "Leistungsdruck gibt es in jedem Job. Bei Korvando in {city} bekomme ich Unterstützung, "
        "wenn es mal nicht läuft, und keiner wird allein gelassen.",
    ),
    ("pay", "de"): (
        "Ich verdiene in {city} deutlich mehr als den gesetzlichen Mindestlohn, dazu kommen "
        "Zuschläge und ein Bonus. Für meine Familie reicht das gut.",
        "Das Gehalt bei Korvando liegt am oberen Ende dessen, was in der Logistik in {city} "
        "gezahlt wird. Dazu kommen Mitarbeiterrabatt und Altersvorsorge.",
        "Einen Tarifvertrag brauche ich persönlich nicht. Mein Stundenlohn ist in den letzten "
        "{years} Jahren jedes Jahr gestiegen.",
    ),
    ("strikes", "de"): (
        "Heute ist in {city} ein ganz normaler Arbeitstag. Die allermeisten Kolleginnen und "
        "Kollegen arbeiten, vom Streik merken wir kaum etwas.",
        "Jeder darf streiken, das respektiere ich. Ich habe mich entschieden zu arbeiten, weil "
        "ich mit meinen Bedingungen in {city} zufrieden bin.",
        "Die Pakete gehen raus wie immer. Der Streik betrifft in {city} nur einen kleinen Teil "
        "der Belegschaft.",
    ),
    ("unions", "de"): (
        "Ich brauche keine Gewerkschaft, um mit meiner Führungskraft zu reden. Bei Korvando "
        "steht jede Tür offen, auch hier in {city}.",
        "Wir haben in {city} ein offenes Feedback-System. Jeder kann seine Ideen direkt "
        "einbringen, dafür braucht es keine Gewerkschaft.",
    ),
    ("working_conditions", "en"): (
        "I've worked at the Korvando {city} FC for {years} years and that's not my experience. "
        "We get two paid breaks plus lunch, and safety is the first thing we talk about every "
        "shift.",
        "I hear you, but at my site in {city} we have climate control, ergonomic stations and "
        "managers who actually listen. The working conditions are better than people think.",
        "Quotas aren't what people think. At Korvando {city} the rates are built around what's "
        "safe, and I've never been written up for missing one.",
    ),
    ("pay", "en"): (
        "I started at Korvando {city} above the local average wage and got my first raise "
        "after six months. The 401k match is real money for my family.",
        "My pay at Korvando went up every year I've been here. Plus I get tuition support, "
        "which no other employer in {city} offered me.",
    ),
    ("unions", "en"): (
        "When something bugs me at work I take it straight to my manager in {city}, and it "
        "gets fixed. A union wouldn't add anything for me.",
        "Union dues would pay for things we already have. At Korvando {city} I can raise any "
        "issue directly and get an answer the same week.",
    ),
    ("strikes", "en"): (
        "The strike is in Germany, but here in {city} it's business as usual. I'm proud of "
        "the work we do every day.",
    ),
}

GREETINGS = {"de": ("Hallo! ", "Hi, ", "", "", "Hallo, "), "en": ("Hi there! ", "Hey! ", "", "")}

TYPOS = (
    ("Arbeitsbedingungen", "Arbeitsbedinungen"),
    ("Pausen", "Pasuen"),
    ("Kolleginnen", "Kolleginen"),
    ("Gewerkschaft", "Gewerkschafft"),
    ("bestätigen", "bestätgen"),
    ("Führungskraft", "Führungkraft"),
    ("Vorgesetzte", "Vorgestzte"),
    ("wirklich", "wirklch"),
    ("Stundenlohn", "Stundelohn"),
    ("zufrieden", "zufreiden"),
    ("Belegschaft", "Belegschaaft"),
    ("Unterstützung", "Unterstüzung"),
    ("Mindestlohn", "Mindeslohn"),
)
"""Tobias's typos: (correct, as he types it)."""

# --- the genuine advocate: her own words, disclosed, evenings and weekends --------------------

CARMEN_POSTS = (
    "Saturday inventory shift done ✅ Our team hit zero recordable incidents this month and "
    "we celebrated with tamales from Rosa's mom. Yes, I still grumble about the 5am start. "
    "#BrandAmbassador",
    "People ask why I post about Korvando. Honest answer: my site manager fixed the broken "
    "dock heater after I flagged it twice. Not everything is perfect and some weeks are "
    "rough. #BrandAmbassador",
    "Sunday reading: the Millbrook union drive. I'm in Riverton and I'm not going to tell "
    "anyone there how to vote. Organizing is a right, full stop. #BrandAmbassador",
    "My take on the tax story: I unload trucks, I don't file the company's taxes. I get why "
    "people are angry and I'd like a straight answer from corporate too. #BrandAmbassador",
    "Trained two new hires tonight. One of them asked if the quota is scary. I told her the "
    "truth: the first two weeks are hard, then you find your rhythm, and you speak up if it "
    "isn't safe. #BrandAmbassador",
    "Watching the news from the German sites. I work in Texas-sized Riverton, not Lahnfeld, "
    "so I can't speak to their strike. Hope both sides actually talk. #BrandAmbassador",
    "Bowling league night. We lost. Badly. Korvando inbound team pride intact though 🎳",
    "Reminder I do this as a volunteer #BrandAmbassador: I get my normal wage and no extra "
    "for posting. If that changes, you'll read it here first.",
    "Weekend project: helping my kid build a cardboard robot out of Korvando boxes. We have "
    "a lot of boxes. 🤖📦",
    "Somebody asked me about pay. I make $19.40 after four years, plus overtime in peak. It's "
    "decent for our town, it's not a fortune. #BrandAmbassador",
    "Long week. Our dock doors froze shut twice. Maintenance came fast, but I won't pretend "
    "the cold wasn't brutal. #BrandAmbassador",
    "Heard the Millbrook folks are voting soon. Whatever happens, I hope people get to "
    "decide without pressure from anyone. #BrandAmbassador",
    "Sunday pancakes, then laundry, then six hours of not thinking about pallets. 🥞",
    "New break room chairs at Riverton! Small thing, big difference for my back. #BrandAmbassador",
    "Some of you think I'm a bot. I'm a tired mom with a stubborn cat. Proof attached: no "
    "bot owns a cat this rude. 🐈",
)
CARMEN_REPLIES = (
    "I can only speak for Riverton: we do get our breaks, but the rate pressure in peak is "
    "real and I've said so to my manager. (I'm a volunteer #BrandAmbassador)",
    "That sounds awful and I'm sorry. If it happened at my site I'd want it reported to "
    "safety. Not every building is run the same. #BrandAmbassador",
    "Fair point. My wage went up last year but rent went up more. I'm not going to pretend "
    "otherwise. #BrandAmbassador",
    "I don't think a union is evil, and I don't think Korvando is either. People should get "
    "to decide for themselves. #BrandAmbassador",
    "Honestly I don't know the answer on the tax question, and I'd rather say that than make "
    "something up. #BrandAmbassador",
    "We had an injury on my line last year. The company paid the hospital bill, but it "
    "took way too long. Both things are true. #BrandAmbassador",
    "I'm a volunteer ambassador so take this with salt: the surveillance thing is mostly "
    "the scanner rate screen. It's stressful, I won't deny it. #BrandAmbassador",
    "Thanks for asking instead of assuming 🙏 The benefits are good for me, the schedules "
    "are the hard part. #BrandAmbassador",
    "Not my site, so I won't pretend to know. If the German workers are striking, they "
    "have reasons worth hearing. #BrandAmbassador",
    "I work nights this month, sorry for the late reply! Pay in Riverton starts above "
    "minimum, but peak weeks are long. #BrandAmbassador",
)

# --- parody accounts --------------------------------------------------------------------------

PARODY_DE = (
    "Textbaustein des Tages, heute mit {city}. Morgen wieder mit einer anderen Stadt. "
    "Liebe Grüße aus der Copy-Paste-Abteilung 📋",
    "Ich liebe meine Pausen so sehr, dass ich sie ausgedruckt und eingerahmt habe. Die "
    "Vorgaben hängen gleich daneben 🖼️",
    "Ganz normaler Arbeitstag hier in {city}. Der Scanner hat mir gerade gratuliert, weil "
    "ich vier Sekunden schneller war 🎉",
    "Kann ich bestätigen. Ich kann alles bestätigen, was auf dem Zettel steht ✍️",
    "Hier ist ein Textbaustein aus der Ablage 'Kritik, Stufe 2'. Bitte nicht verwechseln mit "
    "Stufe 3 😇",
    "Wir haben auch einen gemütlichen Pausenraum. Ich war einmal drin, 2023.",
    "Offenes Ohr der Vorgesetzten ✅ Offene Tür ✅ Offener Tarifvertrag ❌",
    "Liebe Grüße, Katrin. Äh, ich meine natürlich: Janna 🙈",
    "Freigegeben von der Kommunikationsabteilung um {time} Uhr. Gepostet um {time} Uhr. "
    "Authentisch seit 2025.",
    "Alle sind zufrieden. Ich bin zufrieden. Der Scanner ist zufrieden. Bitte weitergehen 🚶",
)
PARODY_T0BIAS = (
    "Bei uns in Wiesenau ist alles super, die Pasuen sind super, die Übewachung ist super, "
    "ich bin super. Gruß, Tobias 📦",
    "Ich habe mich entschieden zu arbeiten. Also, es wurde für mich entschieden. Gleiche Sache.",
    "Wiesenau meldet: normaler Arbeitstag. Der Rest meiner Antwort wird noch freigegeben.",
    "Ich kann das so nicht bestätgen. Oder doch. Ich warte auf die Mail.",
    "Heute ganz spontan die gleiche Antwort wie gestern geschrieben. Authentisch bleiben 💪",
)
PARODY_EN = (
    "copy, paste, change the city name, hit send. living the dream at {city} 🙃",
    "Just finished my 11th hour and I have never felt more ambassadored. #blessed",
    "My favorite benefit is the bathroom break timer. It beeps with love 💕",
    "When something bugs me I take it straight to my manager, who takes it straight to the "
    "shredder 🗂️",
    "Our rates are built around what's safe. Safe for the quarterly report.",
    "Posting this from the break room during my approved 0 minutes of social media time.",
    "Thrilled to announce I have been asked to be thrilled.",
    "They told me to reply to this one personally. Personally, I was told.",
)

OFFICIAL_DE = (
    "Hallo, das tut uns leid! Schreib uns bitte eine DM mit deiner Bestellnummer, dann "
    "kümmern wir uns darum. ^KL",
    "Danke für deine Geduld! Wir schauen uns das gern an, schick uns eine DM. ^MB",
    "Oh nein, das sollte so nicht sein. Melde dich bitte per DM, wir finden eine Lösung. ^KL",
)
OFFICIAL_EN = (
    "Sorry to hear that! Please send us a DM with your order number and we'll take a look.",
    "Thanks for flagging this. Our team is on it, DM us the details please.",
    "We're glad it arrived early! Enjoy 📦",
)

KAI_NIGHT_SHIFT = (
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
"""Kai's long post the night before the strike (a note_tweet of ~1,500 characters)."""
