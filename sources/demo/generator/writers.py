"""Write the generated scenario as the files the replay reads.

- `x/search.jsonl`: recent-search response pages (newest first, up to 100 posts each),
  `x/timelines.jsonl`: the ambassadors' user-timeline pages; both in the shape of real
  API v2 responses with `includes.users`, `includes.tweets` and `meta`.
- `feeds/<name>-<n>.xml`: each feed as a poll found it at a moment (one is truncated).
- `scenario.json`: the manifest the replay reads (files, poll times, scenario end, digest).
- `expected.json` and `SCENARIO.md`: the facts the scenario was written with (from facts.py).
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sources.demo.generator import cast
from sources.demo.generator.articles import ARTICLES, FEEDS, render_feed, truncate
from sources.demo.generator.cast import iso, snowflake
from sources.demo.generator.scenario import END, START, Builder, Tweet
from sources.demo.generator.social import write_social
from sources.x.twitter_v2 import escape_x_text

PAGE_SIZE = 100


def assign_ids(tweets: list[Tweet]) -> None:
    """Snowflake ids in time order; ties within a millisecond get a sequence number."""
    last_ms, sequence = -1, 0
    for tweet in sorted(tweets, key=lambda t: t.at):
        ms = int(tweet.at.timestamp() * 1000)
        sequence = sequence + 1 if ms == last_ms else 0
        last_ms = ms
        tweet.id = str(snowflake(tweet.at, sequence))


def tweet_payload(tweet: Tweet, rng: random.Random) -> dict[str, Any]:
    """The v2 tweet object (field names and forms as the API returns them)."""
    popular = tweet.tag in ("critic", "press", "official", "parody", "hostile")
    likes = int(rng.lognormvariate(2.2 if popular else 0.8, 1.1))
    body: dict[str, Any] = {
        "author_id": tweet.author.id,
        "conversation_id": tweet.conversation,
        "created_at": iso(tweet.at),
        "edit_history_tweet_ids": [tweet.id],
        "id": tweet.id,
        "lang": tweet.lang,
        "possibly_sensitive": False,
        "public_metrics": {
            "retweet_count": likes // 6,
            "reply_count": likes // 9,
            "like_count": likes,
            "quote_count": likes // 25,
            "bookmark_count": likes // 30,
            "impression_count": likes * 37 + rng.randrange(10, 400),
        },
        "reply_settings": "everyone",
        "text": escape_x_text(tweet.text),  # X escapes &, < and > in every post text
    }
    refs = []
    if tweet.reply_to is not None:
        refs.append({"type": "replied_to", "id": tweet.reply_to.id})
        body["in_reply_to_user_id"] = tweet.reply_to.author.id
    if tweet.quotes is not None:
        refs.append({"type": "quoted", "id": tweet.quotes.id})
    if refs:
        body["referenced_tweets"] = refs
    if tweet.long_text:
        body["note_tweet"] = {"text": escape_x_text(tweet.long_text)}
    return body


def _page(
    tweets: list[Tweet], payloads: dict[str, dict[str, Any]], next_token: str | None
) -> dict[str, Any]:
    users: dict[str, dict[str, Any]] = {}
    referenced: dict[str, dict[str, Any]] = {}
    for tweet in tweets:
        users.setdefault(tweet.author.id, tweet.author.payload())
        for other in (tweet.reply_to, tweet.quotes):
            if other is not None:
                referenced.setdefault(other.id, payloads[other.id])
                users.setdefault(other.author.id, other.author.payload())
    meta: dict[str, Any] = {
        "newest_id": tweets[0].id,
        "oldest_id": tweets[-1].id,
        "result_count": len(tweets),
    }
    if next_token:
        meta["next_token"] = next_token
    includes: dict[str, Any] = {"users": list(users.values())}
    if referenced:
        includes["tweets"] = list(referenced.values())
    return {"data": [payloads[t.id] for t in tweets], "includes": includes, "meta": meta}


def _pages(tweets: list[Tweet], payloads: dict[str, dict[str, Any]], salt: str) -> list[str]:
    newest_first = sorted(tweets, key=lambda t: t.at, reverse=True)
    chunks = [newest_first[i : i + PAGE_SIZE] for i in range(0, len(newest_first), PAGE_SIZE)]
    lines = []
    for index, chunk in enumerate(chunks):
        token = None
        if index + 1 < len(chunks):
            token = hashlib.sha1(f"{salt}{index}".encode()).hexdigest()[:26]
        lines.append(json.dumps(_page(chunk, payloads, token), ensure_ascii=False))
    return lines


def write_x(builder: Builder, out: Path) -> list[dict[str, str]]:
    rng = random.Random(7)
    tweets = sorted(builder.tweets, key=lambda t: t.at)
    payloads = {t.id: tweet_payload(t, rng) for t in tweets}
    timeline_tags = ("ambassador", "advocate")
    search = [t for t in tweets if t.tag not in timeline_tags]
    lines = _pages(search, payloads, "search")
    timeline_lines = []
    for person in cast.AMBASSADORS:
        own = [t for t in tweets if t.author is person]
        timeline_lines.extend(_pages(own, payloads, person.handle))
    (out / "x").mkdir(exist_ok=True)
    (out / "x" / "search.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "x" / "timelines.jsonl").write_text("\n".join(timeline_lines) + "\n", encoding="utf-8")
    return [
        {"file": "x/search.jsonl", "source": "x:search"},
        {"file": "x/timelines.jsonl", "source": "x:timelines"},
    ]


def write_feeds(out: Path) -> list[dict[str, Any]]:
    folder = out / "feeds"
    folder.mkdir(exist_ok=True)
    manifest = []
    for feed in FEEDS:
        articles = [a for a in ARTICLES if a.feed == feed.name]
        snapshots = []
        for number, polled_text in enumerate(feed.snapshots, start=1):
            polled = datetime.fromisoformat(polled_text).replace(tzinfo=UTC)
            document = render_feed(feed, articles, polled)
            if polled_text == feed.broken:
                document = truncate(document)
            name = f"{feed.name}-{number}.xml"
            (folder / name).write_text(document, encoding="utf-8")
            snapshots.append({"file": f"feeds/{name}", "polled_at": iso(polled)})
        manifest.append({"name": feed.name, "title": feed.title, "snapshots": snapshots})
    return manifest


def data_digest(out: Path, files: list[str]) -> str:
    digest = hashlib.sha1()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update((out / name).read_bytes())
    return digest.hexdigest()[:16]


def write_all(builder: Builder, out: Path) -> None:
    from sources.demo.generator.facts import collect_facts, write_scenario_md

    people = [
        *cast.OFFICIAL,
        *cast.AMBASSADORS,
        *cast.PARODIES,
        *cast.PRESS,
        *cast.CRITICS,
        *builder.crowd_de,
        *builder.crowd_en,
    ]
    cast.assign_ids(people)
    assign_ids(builder.tweets)
    x_files = write_x(builder, out)
    feeds = write_feeds(out)
    social = write_social(out)
    files = [f["file"] for f in x_files] + [s["file"] for f in feeds for s in f["snapshots"]]
    files += [s["file"] for s in social]
    manifest = {
        "name": "Korvando: two weeks and a strike (fictional)",
        "start": iso(START),
        "end": iso(END),
        "digest": data_digest(out, files),
        "x": x_files,
        "feeds": feeds,
        "social": social,
    }
    (out / "scenario.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    facts = collect_facts(builder)
    (out / "expected.json").write_text(
        json.dumps(facts, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    write_scenario_md(facts, out / "SCENARIO.md")
