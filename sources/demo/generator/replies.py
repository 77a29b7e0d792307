"""Who answers whom in the demo scenario: the ambassadors' replies (scripted and genuine),
the parody accounts' reactions and the company's customer service.

The scripted accounts keep office hours on weekdays only, on their own calendars (Melanie
falls silent for more than a week), reuse the text blocks of `phrases.BLOCKS`, co-reply in
pairs within a minute, and never answer a post about taxes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sources.demo.generator import cast, phrases
from sources.demo.generator.cast import Person
from sources.demo.generator.scenario import END, STRIKE_DAYS, Builder, Tweet

_D = date
_WEEK0 = [_D(2026, 1, d) for d in (29, 30)]
_WEEK1 = [_D(2026, 2, d) for d in (2, 3, 4, 5, 6)]
_WEEK2 = [_D(2026, 2, d) for d in (9, 10, 11)]
ACTIVE_DAYS: dict[str, set[date]] = {
    "KorvandoFCJana": {*_WEEK0, *_WEEK1, *_WEEK2},
    "KorvandoFCTobias": {*_WEEK1[1:4], *_WEEK2},
    "KorvandoFCMelanie": {*_WEEK0, _WEEK1[0], *_WEEK2[1:]},
    "KorvandoFCDwayne": {*_WEEK0, *_WEEK1[:4], *_WEEK2},
    "KorvandoFCBella": {*_WEEK0, *_WEEK1, *_WEEK2},
}
"""The days each scripted account posts on (all weekdays)."""
OFFICE_HOURS: dict[str, tuple[time, time]] = {
    "KorvandoFCJana": (time(8, 30), time(16, 15)),
    "KorvandoFCTobias": (time(9, 0), time(16, 30)),
    "KorvandoFCMelanie": (time(8, 45), time(15, 45)),
    "KorvandoFCDwayne": (time(9, 15), time(16, 45)),
    "KorvandoFCBella": (time(9, 0), time(16, 30)),
}
"""Local hours in which each scripted account replies (their employer's office hours)."""
CO_REPLY_PAIRS = (
    ("KorvandoFCJana", "KorvandoFCTobias", 8),
    ("KorvandoFCDwayne", "KorvandoFCBella", 5),
)
"""Pairs that answer one post within a minute, and how many times."""
SIGNOFF_MISMATCH_AT = (3, 10, 17)
"""Which of Jana's signed replies (0-based) she signs "Liebe Grüße, Katrin"."""
MELANIE_SIX_YEARS_AT = (2, 7, 13)
"""Which of Melanie's replies say six years instead of two (her contradiction)."""
_ANSWERED = ("working_conditions", "pay", "strikes", "unions")
CARMEN_POST_DAYS = tuple(
    _D(2026, m, d)
    for m, d in (
        (1, 31),
        (1, 29),
        (2, 8),
        (2, 4),
        (2, 2),
        (2, 10),
        (1, 30),
        (2, 1),
        (2, 7),
        (2, 5),
        (2, 6),
        (2, 9),
        (2, 8),
        (2, 3),
        (2, 7),
    )
)
"""The (Chicago) day of each of Carmen's own posts, matching what it says (`phrases.CARMEN_POSTS`:
the Saturday shift on a Saturday, the German strike on the strike day)."""


class Replies:
    def __init__(self, builder: Builder) -> None:
        self.b = builder
        self.rng = builder.rng
        self.per_day: dict[tuple[str, date], int] = {}
        self.counts: dict[str, int] = {}
        self.co_done: dict[tuple[str, str], int] = {}
        self.near_misses: dict[tuple[str, str], int] = {}

    # --- when can an account answer --------------------------------------------------

    def slot(self, who: Person, earliest: datetime) -> datetime | None:
        """The first moment at or after `earliest` inside `who`'s office hours."""
        zone = ZoneInfo(who.timezone)
        start, end = OFFICE_HOURS[who.handle]
        local = earliest.astimezone(zone)
        for offset in range(0, 15):
            day = local.date() + timedelta(days=offset)
            if day not in ACTIVE_DAYS[who.handle]:
                continue
            opens = datetime.combine(day, start, zone)
            closes = datetime.combine(day, end, zone)
            if offset == 0 and opens <= local < closes:
                return earliest
            if offset == 0 and local >= closes:
                continue
            # What came in overnight is answered through the day, not all at nine.
            backlog = timedelta(minutes=self.rng.randrange(4, 360))
            moment = (opens + backlog).astimezone(UTC)
            return moment if moment < closes else None
        return None

    def in_hours(self, who: Person, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(who.timezone))
        start, end = OFFICE_HOURS[who.handle]
        return local.date() in ACTIVE_DAYS[who.handle] and start <= local.time() < end

    # --- writing a reply -------------------------------------------------------------

    def reply_text(self, who: Person, post: Tweet, block_id: str) -> str:
        lang, topic, index = block_id.split("/")
        body = phrases.BLOCKS[(topic, lang)][int(index)]
        number = self.counts.get(who.handle, 0)
        years = who.extra["years"]
        if who is cast.MELANIE and number in MELANIE_SIX_YEARS_AT:
            years = "6"
        body = body.format(city=who.site, years=years)
        if who is cast.TOBIAS and self.rng.random() < 0.75:
            present = [pair for pair in phrases.TYPOS if pair[0] in body]
            for right, wrong in self.rng.sample(present, min(len(present), 1)):
                body = body.replace(right, wrong, 1)
        greeting = self.rng.choice(phrases.GREETINGS[lang]) if self.rng.random() < 0.15 else ""
        signoff = ""
        if self.rng.random() < who.extra["signoff_share"]:
            signoff = " " + who.extra["signoff"]
            if who is cast.JANA:
                signed = self.counts.get("jana-signed", 0)
                self.counts["jana-signed"] = signed + 1
                if signed in SIGNOFF_MISMATCH_AT:
                    signoff = " Liebe Grüße, Katrin"
        self.counts[who.handle] = number + 1
        return f"@{post.author.handle} {greeting}{body}{signoff}"

    def answer(self, who: Person, post: Tweet, at: datetime, block_id: str) -> Tweet:
        text = self.reply_text(who, post, block_id)
        key = (who.handle, at.astimezone(ZoneInfo(who.timezone)).date())
        self.per_day[key] = self.per_day.get(key, 0) + 1
        return self.b.add(
            Tweet(
                who,
                text,
                at,
                who.lang,
                "ambassador",
                topic=post.topic,
                reply_to=post,
                block=block_id,
            )
        )

    # --- the scripted accounts ---------------------------------------------------------

    def scripted(self, lang: str, accounts: list[Person], weights: dict[str, float]) -> None:
        critics = sorted(
            (
                t
                for t in self.b.tweets
                if t.tag in ("critic", "hostile") and t.lang == lang and t.topic in _ANSWERED
            ),
            key=lambda t: t.at,
        )
        pairs = [p for p in CO_REPLY_PAIRS if p[0] in weights]
        for post in critics:
            day = post.at.astimezone(ZoneInfo("Europe/Berlin")).date()
            strike = day in STRIKE_DAYS
            chance = 0.16 if strike else 0.42
            if lang == "en" and post.topic == "strikes":
                chance = 0.3
            if self.rng.random() >= chance:
                continue
            latency = timedelta(minutes=min(600, self.rng.lognormvariate(3.2, 0.9)))
            options = []
            for who in accounts:
                moment = self.slot(who, post.at + latency)
                local_day = moment.astimezone(ZoneInfo(who.timezone)).date() if moment else None
                if moment is None or moment > self.b_end() or local_day is None:
                    continue
                if self.per_day.get((who.handle, local_day), 0) >= (12 if strike else 9):
                    continue
                options.append((moment, who))
            if not options:
                continue
            soonest = min(m for m, _ in options)
            options = [(m, w) for m, w in options if m <= soonest + timedelta(hours=3)]
            moment, who = self.rng.choices(
                options, weights=[weights[w.handle] for _, w in options]
            )[0]
            blocks = phrases.BLOCKS[(post.topic, lang)]
            block_id = f"{lang}/{post.topic}/{self.rng.randrange(len(blocks))}"
            first = self.answer(who, post, moment, block_id)
            self.partner(first, post, pairs, block_id)

    def partner(
        self, first: Tweet, post: Tweet, pairs: list[tuple[str, str, int]], block_id: str
    ) -> None:
        """A second ambassador answering the same post: within a minute, or just not."""
        for a, b, wanted in pairs:
            if first.author.handle not in (a, b):
                continue
            other = cast_by_handle(b if first.author.handle == a else a)
            done = self.co_done.get((a, b), 0)
            if done < wanted and self.rng.random() < 0.3:
                at = first.at + timedelta(seconds=self.rng.randrange(12, 56))
                if self.in_hours(other, at) and at <= self.b_end():
                    self.answer(other, post, at, block_id)
                    self.co_done[(a, b)] = done + 1
                    return
            misses = self.near_misses.get((a, b), 0)
            if misses < 2 and self.rng.random() < 0.08:
                at = first.at + timedelta(seconds=self.rng.randrange(75, 150))
                if self.in_hours(other, at) and at <= self.b_end():
                    self.answer(other, post, at, block_id)
                    self.near_misses[(a, b)] = misses + 1
                    return
        if first.author is cast.MELANIE and self.near_misses.get(("mel", "jana"), 0) < 3:
            at = first.at + timedelta(minutes=self.rng.randrange(6, 45))
            if self.rng.random() < 0.3 and self.in_hours(cast.JANA, at) and at <= self.b_end():
                self.answer(cast.JANA, post, at, block_id)
                self.near_misses[("mel", "jana")] = self.near_misses.get(("mel", "jana"), 0) + 1

    def b_end(self) -> datetime:
        return END - timedelta(minutes=2)

    # --- the genuine advocate ------------------------------------------------------------

    def advocate(self) -> None:
        zone = ZoneInfo(cast.CARMEN.timezone)
        for text, day in zip(phrases.CARMEN_POSTS, CARMEN_POST_DAYS, strict=True):
            weekend = day.weekday() >= 5
            hour = self.rng.randrange(10, 20) if weekend else self.rng.randrange(18, 22)
            local = datetime.combine(day, time(hour, self.rng.randrange(60)), zone)
            self.b.add(Tweet(cast.CARMEN, text, local.astimezone(UTC), "en", "advocate"))
        topics = (
            "working_conditions",
            "working_conditions",
            "pay",
            "unions",
            "taxes",
            "working_conditions",
            "working_conditions",
            "pay",
            "strikes",
            "pay",
        )
        used: set[int] = set()
        for text, topic in zip(phrases.CARMEN_REPLIES, topics, strict=True):
            candidates = [
                t
                for t in self.b.tweets
                if t.tag == "critic" and t.lang == "en" and t.topic == topic and id(t) not in used
            ]
            self.rng.shuffle(candidates)
            for post in candidates:
                local = post.at.astimezone(zone)
                if local.weekday() >= 5:
                    at = post.at + timedelta(minutes=self.rng.randrange(20, 240))
                else:
                    evening = datetime.combine(local.date(), time(18, 30), zone)
                    at = max(evening, local) + timedelta(minutes=self.rng.randrange(5, 200))
                if at.astimezone(zone).hour < 9 or at > self.b_end():
                    continue
                used.add(id(post))
                self.b.add(
                    Tweet(
                        cast.CARMEN,
                        f"@{post.author.handle} {text}",
                        at.astimezone(UTC),
                        "en",
                        "advocate",
                        topic=topic,
                        reply_to=post,
                    )
                )
                break

    # --- parody and customer service ---------------------------------------------------------

    def parodies(self) -> None:
        replies = sorted((t for t in self.b.tweets if t.tag == "ambassador"), key=lambda t: t.at)
        bank: tuple[str, ...]
        for reply in replies:
            if reply.lang == "en":
                who, bank, chance = cast.BEILA, phrases.PARODY_EN, 0.42
            elif reply.author is cast.TOBIAS and self.rng.random() < 0.45:
                who, bank, chance = cast.T0BIAS, phrases.PARODY_T0BIAS, 1.0
            else:
                who, bank, chance = cast.JANNA, phrases.PARODY_DE, 0.4
            if self.rng.random() >= chance:
                continue
            at = self.awake(
                reply.at + timedelta(minutes=min(480, self.rng.lognormvariate(3.4, 1.0)))
            )
            if at > self.b_end():
                continue
            text = self.rng.choice(bank).format(
                city=reply.author.site,
                time=reply.at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M"),
            )
            if self.rng.random() < 0.55:
                link = f"https://t.co/{self.rng.getrandbits(40):010x}"
                self.b.add(Tweet(who, f"{text} {link}", at, reply.lang, "parody", quotes=reply))
            else:
                self.b.add(
                    Tweet(
                        who,
                        f"@{reply.author.handle} {text}",
                        at,
                        reply.lang,
                        "parody",
                        reply_to=reply,
                    )
                )
        for who, text, lang in (
            (cast.JANNA, "Kann ich so nicht bestätigen. Also, ich darf nicht. 🤐", "de"),
            (cast.JANNA, "Sofort einen Textbaustein für diesen Post anfordern! 📋", "de"),
            (
                cast.T0BIAS,
                "Bei uns in Wiesenau gibt es sowas nicht. Glaube ich. Muss fragen.",
                "de",
            ),
            (cast.BEILA, "not me refreshing the approved-replies doc for this one 👀", "en"),
            (cast.BEILA, "my manager says this tweet doesn't exist", "en"),
        ):
            targets = [t for t in self.b.tweets if t.tag == "critic" and t.lang == lang]
            post = self.rng.choice(targets)
            at = self.awake(post.at + timedelta(minutes=self.rng.randrange(5, 90)))
            if at <= self.b_end():
                self.b.add(
                    Tweet(who, f"@{post.author.handle} {text}", at, lang, "parody", reply_to=post)
                )

    def awake(self, moment: datetime) -> datetime:
        """Parody accounts post at any hour people are awake (not 1-7 am in Berlin)."""
        local = moment.astimezone(ZoneInfo("Europe/Berlin"))
        if 1 <= local.hour < 7:
            local = local.replace(hour=7, minute=self.rng.randrange(60))
        return local.astimezone(UTC)

    def customer_service(self) -> None:
        for lang, account, bank, count in (
            ("de", cast.OFFICIAL[1], phrases.OFFICIAL_DE, 24),
            ("en", cast.OFFICIAL[0], phrases.OFFICIAL_EN, 18),
        ):
            posts = [t for t in self.b.tweets if t.tag == "ordinary" and t.lang == lang]
            for post in self.rng.sample(posts, count):
                at = post.at + timedelta(minutes=self.rng.randrange(8, 95))
                if at > self.b_end():
                    continue
                text = f"@{post.author.handle} {self.rng.choice(bank)}"
                self.b.add(Tweet(account, text, at, lang, "official", reply_to=post))


def cast_by_handle(handle: str) -> Person:
    return next(p for p in cast.AMBASSADORS if p.handle == handle)


def add_reactions(builder: Builder) -> None:
    """Every reply and reaction, in a fixed order (the random stream depends on it)."""
    replies = Replies(builder)
    replies.scripted(
        "de",
        cast.SCRIPTED_DE,
        {"KorvandoFCJana": 1.0, "KorvandoFCTobias": 0.9, "KorvandoFCMelanie": 1.1},
    )
    replies.scripted("en", cast.SCRIPTED_US, {"KorvandoFCDwayne": 1.0, "KorvandoFCBella": 1.0})
    replies.advocate()
    replies.parodies()
    replies.customer_service()
