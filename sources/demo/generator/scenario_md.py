"""SCENARIO.md: the cast, the timeline and the facts of the demo scenario, for people.

The prose is fixed; every number and id comes from the generated posts (facts.py), so the
document cannot drift from the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_STORY = Path(__file__).with_name("scenario_story.md")
"""The hand-written part: cast, feeds and timeline (Markdown, kept beside the data)."""


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render(facts: dict[str, Any]) -> str:
    strike = facts["strike"]
    parts = [_STORY.read_text("utf-8"), "## Facts (counted from the generated posts)\n"]
    parts.append(
        f"- {facts['posts']} posts on X and {facts['feed_items']} feed articles; "
        f"by language {facts['posts_by_lang']}; by kind {facts['posts_by_tag']}.\n"
        f"- Topics as written (critics' posts and the replies to them): "
        f"{facts['intended_topics']}.\n"
        f"- The strike: called at {strike['called_at']}, on strike "
        f"{' and '.join(strike['days_berlin'])} (Berlin); the scenario ends at "
        f"{strike['end']}, on the second strike day. Its last 24 hours hold "
        f"{strike['last_day_posts']} posts ({strike['last_day_strike_posts']} written about "
        f"the strike; by kind {strike['last_day_by_tag']}) and "
        f"{strike['last_day_articles']} feed articles, "
        f"{len(strike['last_day_strike_articles'])} of them on the strike."
    )
    parts.append("\n### Mentions per day (Berlin)\n")
    parts.append(_table(["day", "mentions"], [[d, n] for d, n in facts["per_day_berlin"].items()]))
    parts.append("\n### Ambassadors\n")
    rows = []
    for handle, a in facts["ambassadors"].items():
        rows.append(
            [
                f"@{handle}",
                a["country"],
                a["replies"],
                a["own_posts"],
                a["weekday_share"],
                a["office_hours_share"],
                a["longest_gap_days"],
                len(a["near_duplicate_reply_ids"]),
                len(a["signoffs"]),
                ", ".join(s["name"] for s in a["signoff_mismatches"]) or "–",
                len(a["typo_reply_ids"]),
                f"{a['followers']}/{a['following']}",
                a["disclosure_tag_posts"],
                ", ".join(sorted(a["topics_answered"])),
            ]
        )
    parts.append(
        _table(
            [
                "account",
                "country",
                "replies",
                "own posts",
                "weekday share",
                "08-18 share",
                "longest gap (days)",
                "near-dup replies (J>=0.8)",
                "signed",
                "signed as someone else",
                "replies with typos",
                "followers/following",
                "#BrandAmbassador posts",
                "topics answered",
            ],
            rows,
        )
    )
    parts.append(
        "\nNo scripted account ever answers a post about taxes. Shares are in each "
        "account's own time zone; office hours 08:00-18:00.\n"
    )
    parts.append("### Two ambassadors answering one post\n")
    parts.append(
        "Within 60 s counts as a co-reply (issue 7); the others are written as near misses "
        "(75-150 s) or as ordinary second answers (minutes apart).\n"
    )
    parts.append(
        _table(
            ["post", "accounts", "seconds apart", "same text block", "co-reply"],
            [
                [
                    p["post"],
                    " + ".join(p["accounts"]),
                    p["seconds"],
                    "yes" if p["same_block"] else "no",
                    "yes" if p["seconds"] <= 60 else "no",
                ]
                for p in facts["co_reply_pairs"]
            ],
        )
    )
    parts.append("\n### Text blocks\n")
    parts.append(
        _table(
            ["block", "replies", "accounts", "lowest cross-account Jaccard"],
            [
                [b, v["replies"], ", ".join(v["accounts"]), v["min_cross_account_jaccard"]]
                for b, v in facts["text_blocks"].items()
            ],
        )
    )
    parts.append("\n### Parody reactions\n")
    parts.append(
        _table(
            [
                "account",
                "quotes of ambassador replies",
                "replies to ambassador replies",
                "replies to critics",
            ],
            [
                [
                    f"@{h}",
                    len(v["quotes_of_ambassador_replies"]),
                    len(v["replies_to_ambassador_replies"]),
                    len(v["replies_to_critics"]),
                ]
                for h, v in facts["parody"].items()
            ],
        )
    )
    dup = facts["duplicate_article"]
    parts.append(
        f"\n### One article, two feeds\n\n`{dup['canonical_url']}` arrives through "
        f"{' and '.join(dup['feeds'])}: stored once, with both sources.\n"
    )
    return "\n".join(parts) + "\n"
