"""Synthetic mentions for the benchmark and the fault tests, as Twitter API v2 pages.

The output is what the real API (with `expansions=author_id,referenced_tweets.id`) or a
twarc2 archive delivers: one response page per JSON line, `data` + `includes.users` +
`includes.tweets` + `meta`. Feeding it to the importer exercises the real parse path.

Properties a benchmark needs from the data, and how they are met here:
- German and English posts (about 45 % German), lengths like real posts (mostly 60 to 280
  characters, a few long `note_tweet` posts of up to about 1,500 characters);
- a few thousand authors, among them ambassadors, parody accounts, press and the company;
- replies (about a third) and quotes pointing at EARLIER posts of the same stream, with the
  referenced post repeated in `includes.tweets`, so N rows give exactly N distinct mentions;
- deterministic for a seed: the crash tests rely on re-generating the same stream.

Run alone: `uv run python bench/synth.py --rows 20000 --out /tmp/mentions.jsonl`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

COMPANY = "Kestrel"
"""Matches the default config's company, so official-account rules apply."""
TWITTER_EPOCH_MS = 1288834974657
START = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)

_TOPIC_WORDS = {
    "de": [
        "Arbeitsbedingungen",
        "Überwachung",
        "Leistungsdruck",
        "Pausen",
        "Hitze im Lager",
        "Gehalt",
        "Stundenlohn",
        "Tarifvertrag",
        "Löhne",
        "Streik",
        "Verdi",
        "Arbeitsniederlegung",
        "Gewerkschaft",
        "Betriebsrat",
        "Steuerzahlungen",
        "Steuern",
    ],
    "en": [
        "working conditions",
        "safety",
        "surveillance",
        "injuries",
        "quotas",
        "wages",
        "pay",
        "benefits",
        "401k",
        "bonus",
        "strike",
        "walkout",
        "picket line",
        "union",
        "organizing",
        "tax avoidance",
    ],
}
_FILLER_TEXT = {
    "de": (
        "heute wieder im Lager gewesen und ehrlich gesagt weiß ich nicht, was ich davon "
        "halten soll. Die Kolleginnen sagen alle dasselbe, aber niemand traut sich was. "
        "Schichtbeginn um sechs, Feierabend irgendwann, und dazwischen zählt der Scanner "
        "jede Minute. Mal sehen, was die Presse morgen daraus macht. Wer kennt das auch?"
    ),
    "en": (
        "went back to the warehouse today and honestly I do not know what to make of it. "
        "Everyone on my shift says the same thing but nobody wants to be the first to speak. "
        "The scanner counts every minute and the targets keep going up every single week. "
        "Curious what the news will say tomorrow. Anyone else seeing this where they work?"
    ),
}
_FILLER = {lang: text.split(" ") for lang, text in _FILLER_TEXT.items()}
_OPENERS = {
    "de": ["Bei @{c}", "Schon wieder {c}:", "Unfassbar, {c}", "Zu {c} und", "#{c}", "{c} und"],
    "en": ["At @{c}", "Again {c}:", "Unbelievable, {c}", "About {c} and", "#{c}", "{c} and"],
}
_AMBASSADOR_REPLIES = {
    "de": [
        "Hallo! Ich arbeite selbst im Lager und fühle mich fair behandelt. Die Pausen sind "
        "geregelt und der Lohn liegt über dem Durchschnitt. LG {sig}",
        "Danke für die Frage. Bei uns gibt es klare Regeln zur Sicherheit und einen offenen "
        "Austausch mit den Vorgesetzten. Grüße, {sig}",
    ],
    "en": [
        "Hi there! I work at the fulfillment center myself and I feel treated fairly. Breaks "
        "are scheduled and the pay is above average. Best, {sig}",
        "Thanks for asking. We have clear safety rules and an open door policy with our "
        "managers. Cheers, {sig}",
    ],
}
_FIRST = ["Anna", "Ben", "Carla", "Deniz", "Emil", "Fatma", "Greta", "Hannes", "Ines", "Jonas"]
_LAST = ["Schmidt", "Meyer", "Okafor", "Yilmaz", "Novak", "Garcia", "Kowalski", "Nguyen", "Berg"]


class _Authors:
    """A fixed population of v2 user objects with a realistic mix of roles."""

    def __init__(self, rng: random.Random, count: int) -> None:
        self.users: list[dict[str, Any]] = []
        self.ambassadors: list[dict[str, Any]] = []
        self.parody: list[dict[str, Any]] = []
        for index in range(count):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            roll = rng.random()
            bio = rng.choice(["", "Logistik, Fahrrad, Kaffee.", "Opinions my own.", "Dad. Runner."])
            name = f"{first} {last}"
            if index == 0:
                handle, name, bio = COMPANY, f"{COMPANY} News", "Official account"
            elif roll < 0.01:
                handle, name = f"{COMPANY}FC{first}{index}", f"{first} (FC Ambassador)"
                bio = "Ich arbeite im Lager. FC Ambassador."
            elif roll < 0.015:
                handle, name = f"{COMPANY}FC{first}_{index}", f"{first} FC Ambassador Parody"
                bio = "Parody account, not affiliated."
            elif roll < 0.03:
                handle, name, bio = f"newsdesk{index}", f"Newsdesk {index}", "Journalist"
            else:
                handle = f"{first.lower()}{last.lower()}{index}"
            user = {
                "id": str(10_000_000 + index),
                "username": handle,
                "name": name,
                "description": bio,
                "created_at": _iso(START - timedelta(days=rng.randint(30, 4000))),
                "verified": False,
                "public_metrics": {
                    "followers_count": rng.randint(0, 5000),
                    "following_count": rng.randint(0, 2000),
                    "tweet_count": rng.randint(1, 50_000),
                    "listed_count": 0,
                },
            }
            self.users.append(user)
            if "Ambassador" in name and "Parody" not in name:
                self.ambassadors.append(user)
            elif "Parody" in name:
                self.parody.append(user)
        self.by_id = {u["id"]: u for u in self.users}


def pages(
    rows: int, *, seed: int = 1, page_size: int = 100, authors: int = 5000, pace: float = 1.0
) -> Iterator[dict[str, Any]]:
    """`rows` distinct posts as v2 search-response pages of `page_size` posts each.

    `pace` stretches the time between posts (the same posts otherwise): 1 gives about
    40,000 posts a day, 210 puts 200,000 posts on about 1,000 days, as in a store that a
    team has kept for years."""
    rng = random.Random(seed)
    population = _Authors(rng, max(authors, 10))
    recent: list[dict[str, Any]] = []
    clock = START + timedelta(days=seed)  # distinct seeds never share a post id
    sequence = 0
    produced = 0
    while produced < rows:
        size = min(page_size, rows - produced)
        tweets: list[dict[str, Any]] = []
        referenced: dict[str, dict[str, Any]] = {}
        for _ in range(size):
            clock += timedelta(milliseconds=rng.randint(50, 4000) * pace)
            sequence += 1
            tweet = _tweet(rng, population, recent, clock, sequence)
            target = tweet.pop("_target", None)
            if target is not None:
                referenced[target["id"]] = target
            tweets.append(tweet)
            recent.append(tweet)
            if len(recent) > 400:
                del recent[:100]
        produced += size
        author_ids = {t["author_id"] for t in tweets} | {
            t["author_id"] for t in referenced.values()
        }
        ids = [int(t["id"]) for t in tweets]
        page: dict[str, Any] = {
            "data": tweets,
            "includes": {"users": [population.by_id[a] for a in sorted(author_ids)]},
            "meta": {
                "result_count": len(tweets),
                "newest_id": str(max(ids)),
                "oldest_id": str(min(ids)),
            },
        }
        if referenced:
            page["includes"]["tweets"] = list(referenced.values())
        yield page


def _tweet(
    rng: random.Random,
    population: _Authors,
    recent: list[dict[str, Any]],
    at: datetime,
    sequence: int,
) -> dict[str, Any]:
    ms = int(at.timestamp() * 1000) - TWITTER_EPOCH_MS
    tweet_id = str((ms << 22) | (sequence & 0x3FFFFF))
    lang = "de" if rng.random() < 0.45 else "en"
    roll = rng.random()
    target = rng.choice(recent) if recent else None
    refs: list[dict[str, str]] = []
    if target is not None and roll < 0.08 and population.ambassadors:
        author = rng.choice(population.ambassadors)
        text = rng.choice(_AMBASSADOR_REPLIES[lang]).format(sig=author["name"].split()[0])
        refs.append({"type": "replied_to", "id": target["id"]})
    elif target is not None and roll < 0.35:
        pool = population.parody if roll < 0.1 and population.parody else population.users
        author = rng.choice(pool)
        text = f"@{population.by_id[target['author_id']]['username']} {_body(rng, lang)}"
        refs.append({"type": "replied_to", "id": target["id"]})
    elif target is not None and roll < 0.40:
        author = rng.choice(population.users)
        text = _body(rng, lang)
        refs.append({"type": "quoted", "id": target["id"]})
    else:
        author = rng.choice(population.users)
        text = _body(rng, lang)
    tweet: dict[str, Any] = {
        "id": tweet_id,
        "text": text[:280],
        "author_id": author["id"],
        "created_at": _iso(at),
        "lang": lang,
        "conversation_id": tweet_id,
        "edit_history_tweet_ids": [tweet_id],
        "public_metrics": {
            "retweet_count": rng.randint(0, 40),
            "reply_count": rng.randint(0, 20),
            "like_count": rng.randint(0, 300),
            "quote_count": rng.randint(0, 5),
        },
    }
    if len(text) > 280:
        tweet["note_tweet"] = {"text": text}
    if refs:
        tweet["referenced_tweets"] = refs
        tweet["_target"] = target  # popped by `pages`: the post to repeat in includes
        if refs[0]["type"] == "replied_to" and target is not None:
            tweet["conversation_id"] = target["conversation_id"]
            tweet["in_reply_to_user_id"] = target["author_id"]
    return tweet


def _body(rng: random.Random, lang: str) -> str:
    words = _FILLER[lang]
    length = rng.choice((8, 14, 20, 28, 36, 44)) if rng.random() > 0.03 else rng.randint(120, 220)
    start = rng.randrange(len(words))
    body = [words[(start + i) % len(words)] for i in range(length)]
    for _ in range(rng.choice((0, 1, 1, 2))):
        body.insert(rng.randrange(len(body) + 1), rng.choice(_TOPIC_WORDS[lang]))
    opener = rng.choice(_OPENERS[lang]).format(c=COMPANY)
    tail = rng.choice(("", "", " https://t.co/" + format(rng.getrandbits(40), "x"), " #Streik"))
    return f"{opener} {' '.join(body)}{tail}"


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def write_jsonl(
    path: Path, rows: int, *, seed: int = 1, page_size: int = 100, pace: float = 1.0
) -> int:
    """Write `rows` posts as a twarc2-style JSON Lines archive; returns the lines written."""
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        for page in pages(rows, seed=seed, page_size=page_size, pace=pace):
            out.write(json.dumps(page, ensure_ascii=False))
            out.write("\n")
            lines += 1
    return lines


def write_jsonl_files(
    folder: Path, rows: int, files: int, *, seed: int = 1, page_size: int = 100
) -> list[Path]:
    """The archive `write_jsonl` writes, cut into at most `files` files of consecutive pages
    (as a collector writes one archive a day); returns them in order."""
    stream = iter(pages(rows, seed=seed, page_size=page_size))
    per_file = max(-(-rows // page_size // files), 1)
    paths: list[Path] = []
    while first := next(stream, None):
        path = folder / f"mentions-{len(paths):03d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for page in itertools.islice(itertools.chain([first], stream), per_file):
                out.write(json.dumps(page, ensure_ascii=False))
                out.write("\n")
        paths.append(path)
    return paths


def mention_ids(rows: int, *, seed: int = 1, page_size: int = 100) -> list[str]:
    """The store ids (`x:<id>`) of every post the same call to `pages` produces."""
    return [f"x:{t['id']}" for p in pages(rows, seed=seed, page_size=page_size) for t in p["data"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write synthetic mentions as v2 JSON Lines.")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pace", type=float, default=1.0, help="time between posts, times")
    args = parser.parse_args(argv)
    lines = write_jsonl(args.out, args.rows, seed=args.seed, pace=args.pace)
    print(f"wrote {args.rows} mentions in {lines} pages to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
