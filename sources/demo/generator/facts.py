"""The facts the demo scenario was written with, counted from the generated posts.

`expected.json` holds them for tests (the signals, threads and roles tests can assert
exactly what was written); `SCENARIO.md` tells the same to people.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import time, timedelta
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sources.demo.generator import cast
from sources.demo.generator.articles import ARTICLES, FEEDS, LAHNTALER_STRIKE
from sources.demo.generator.cast import iso
from sources.demo.generator.phrases import TYPOS
from sources.demo.generator.replies import ACTIVE_DAYS, OFFICE_HOURS
from sources.demo.generator.scenario import END, STRIKE_CALLED, STRIKE_DAYS, Builder, Tweet
from sources.demo.generator.scenario_md import render

_SIGNOFF = re.compile(r"\s(Liebe Grüße, \w+|Gruß, \w+|VG \w+|- \w+|Best, \w+)$")
_BERLIN = ZoneInfo("Europe/Berlin")


def _words(text: str) -> set[str]:
    """Word set as issue 7 defines it: lower case, without mentions, links and sign-off."""
    text = _SIGNOFF.sub("", text)
    text = re.sub(r"(@\w+|https?://\S+)", " ", text)
    return set(re.findall(r"\w+", text.lower()))


def _jaccard(a: str, b: str) -> float:
    left, right = _words(a), _words(b)
    return len(left & right) / len(left | right)


def _ambassador(person: cast.Person, tweets: list[Tweet]) -> dict[str, Any]:
    zone = ZoneInfo(person.timezone)
    own = sorted((t for t in tweets if t.author is person), key=lambda t: t.at)
    local = [t.at.astimezone(zone) for t in own]
    replies = [t for t in own if t.reply_to is not None]
    gaps = [(b.at - a.at).total_seconds() / 86400 for a, b in pairwise(own)]
    longest = max(range(len(gaps)), key=gaps.__getitem__) if gaps else None
    signoffs = []
    for tweet in replies:
        match = _SIGNOFF.search(tweet.text)
        if match:
            name = match.group(1).split()[-1]
            signoffs.append({"id": f"x:{tweet.id}", "name": name})
    typos = [f"x:{t.id}" for t in replies if person is cast.TOBIAS and _has_typo(t.text)]
    others = [t for t in tweets if t.tag == "ambassador" and t.author is not person]
    duplicated = [
        f"x:{t.id}"
        for t in replies
        if t.block and any(_jaccard(t.text, o.text) >= 0.8 for o in others if o.block == t.block)
    ]
    answered = Counter(t.reply_to.topic for t in replies if t.reply_to is not None)
    return {
        "handle": person.handle,
        "display_name": person.name,
        "country": "DE" if person.timezone == "Europe/Berlin" else "US",
        "timezone": person.timezone,
        "scripted": person is not cast.CARMEN,
        "posts": len(own),
        "replies": len(replies),
        "reply_ids": [f"x:{t.id}" for t in replies],
        "own_posts": len(own) - len(replies),
        "weekday_share": round(sum(d.weekday() < 5 for d in local) / len(local), 3),
        "office_hours_share": round(
            sum(time(8) <= d.time() < time(18) and d.weekday() < 5 for d in local) / len(local), 3
        ),
        "office_hours_written": [str(h) for h in OFFICE_HOURS.get(person.handle, ())],
        "active_days": sorted(str(d) for d in ACTIVE_DAYS.get(person.handle, ())),
        "longest_gap_days": round(gaps[longest], 2) if longest is not None else 0.0,
        "longest_gap_between": (
            [f"x:{own[longest].id}", f"x:{own[longest + 1].id}"] if longest is not None else []
        ),
        "signoffs": signoffs,
        "signoff_mismatches": [s for s in signoffs if s["name"] not in person.name],
        "typo_reply_ids": typos,
        "blocks": dict(Counter(t.block for t in replies if t.block)),
        "near_duplicate_reply_ids": duplicated,
        "topics_answered": dict(answered),
        "followers": person.followers,
        "following": person.following,
        "created_at": person.created.isoformat(),
        "disclosure_tag_posts": sum("#BrandAmbassador" in t.text for t in own),
    }


def _has_typo(text: str) -> bool:
    return any(wrong in text for _, wrong in TYPOS)


def _strike(builder: Builder) -> dict[str, Any]:
    """When the strike was called and began, and what the last day (the climax) holds."""
    day_before = END - timedelta(days=1)
    last_day = [t for t in builder.tweets if t.at > day_before]
    articles = [a for a in ARTICLES if a.time > day_before]
    return {
        "called_at": iso(STRIKE_CALLED),
        "days_berlin": [str(d) for d in STRIKE_DAYS],
        "end": iso(END),
        "last_day_posts": len(last_day),
        "last_day_articles": len({a.link.split("?")[0] for a in articles}),
        "last_day_by_tag": dict(Counter(t.tag for t in last_day)),
        "last_day_strike_posts": sum(t.topic == "strikes" for t in last_day),
        "last_day_strike_articles": sorted(
            {a.link.split("?")[0] for a in articles if a.topic == "strikes"}
        ),
    }


def collect_facts(builder: Builder) -> dict[str, Any]:
    tweets = builder.tweets
    by_post: dict[str, list[Tweet]] = defaultdict(list)
    for tweet in tweets:
        if tweet.tag == "ambassador" and tweet.reply_to is not None:
            by_post[tweet.reply_to.id].append(tweet)
    pairs = []
    for post_id, answers in sorted(by_post.items()):
        for a, b in combinations(sorted(answers, key=lambda t: t.at), 2):
            if a.author is not b.author:
                pairs.append(
                    {
                        "post": f"x:{post_id}",
                        "first": f"x:{a.id}",
                        "second": f"x:{b.id}",
                        "accounts": sorted([a.author.handle, b.author.handle]),
                        "seconds": round((b.at - a.at).total_seconds()),
                        "same_block": a.block == b.block,
                    }
                )
    blocks: dict[str, list[Tweet]] = defaultdict(list)
    for tweet in tweets:
        if tweet.block:
            blocks[tweet.block].append(tweet)
    clusters = {}
    for block, members in sorted(blocks.items()):
        accounts = sorted({t.author.handle for t in members})
        cross = [
            _jaccard(a.text, b.text)
            for a, b in combinations(members, 2)
            if a.author is not b.author
        ]
        clusters[block] = {
            "replies": len(members),
            "accounts": accounts,
            "min_cross_account_jaccard": round(min(cross), 3) if cross else None,
        }
    parody: dict[str, dict[str, list[str]]] = {}
    for person in cast.PARODIES:
        mine = [t for t in tweets if t.author is person]
        parody[person.handle] = {
            "quotes_of_ambassador_replies": [
                f"x:{t.id}" for t in mine if t.quotes is not None and t.quotes.tag == "ambassador"
            ],
            "replies_to_ambassador_replies": [
                f"x:{t.id}"
                for t in mine
                if t.reply_to is not None and t.reply_to.tag == "ambassador"
            ],
            "replies_to_critics": [
                f"x:{t.id}" for t in mine if t.reply_to is not None and t.reply_to.tag == "critic"
            ],
        }
    days: Counter[str] = Counter()
    for tweet in tweets:
        days[str(tweet.at.astimezone(_BERLIN).date())] += 1
    for article in ARTICLES:
        days[str(article.time.astimezone(_BERLIN).date())] += 1
    roles = {
        **{p.handle: "official" for p in cast.OFFICIAL},
        **{p.handle: "ambassador" for p in cast.AMBASSADORS},
        **{p.handle: "parody" for p in cast.PARODIES},
        **{p.handle: "press" for p in cast.PRESS},
    }
    return {
        "company": cast.COMPANY,
        "posts": len(tweets),
        "feed_items": len({a.link.split("?")[0] for a in ARTICLES}),
        "posts_by_tag": dict(Counter(t.tag for t in tweets)),
        "posts_by_lang": dict(Counter(t.lang for t in tweets)),
        "intended_topics": dict(Counter(t.topic for t in tweets if t.topic)),
        "per_day_berlin": dict(sorted(days.items())),
        "strike": _strike(builder),
        "ambassadors": {p.handle: _ambassador(p, tweets) for p in cast.AMBASSADORS},
        "co_reply_pairs": pairs,
        "text_blocks": clusters,
        "parody": parody,
        "roles": roles,
        "duplicate_article": {
            "canonical_url": LAHNTALER_STRIKE,
            "feeds": ["lahntaler", "newsradar"],
        },
        "feeds": {f.name: {"kind": f.kind, "broken_poll": f.broken} for f in FEEDS},
        "undated_items": [a.link for a in ARTICLES if not a.dated],
        "hostile_ids": [f"x:{t.id}" for t in tweets if t.tag == "hostile"],
        "long_post_id": next(f"x:{t.id}" for t in tweets if t.long_text),
    }


def write_scenario_md(facts: dict[str, Any], path: Path) -> None:
    path.write_text(render(facts), encoding="utf-8")
