"""Findings: what the authenticity signals add up to, as badges with their evidence.

`filters.signals.measures` measures (reply share, office hours, co-replies, ...); this module
decides which measurement is a warning (a sign of scripted activity) and which a note, and
words each badge. Thresholds come from `[signals]` through `FlagRules`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from filters.signals.measures import (
    Audience,
    CoReply,
    Disclosure,
    DuplicateMatch,
    Gap,
    ReplyShare,
    SignedReply,
    TopicCoverage,
    WorkingHours,
)
from sources.model.counted import counted


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a signal found about an account, with the posts that show it."""

    signal: str
    """Which signal: reply_share, working_hours, co_replies, near_duplicates, signoff,
    audience, disclosure, topics, gaps."""
    severity: str
    """`warning` (a sign of scripted activity) or `note` (context, not a sign)."""
    label: str
    """A short badge text ("replies only", "text block #3")."""
    evidence: tuple[str, ...]
    """Ids of the posts (or the account key) that justify it."""


@dataclass(frozen=True, slots=True)
class FlagRules:
    """When a signal value becomes a warning (from `[signals]`)."""

    min_posts: int = 5
    reply_share: float = 0.9
    office_hours_share: float = 0.8
    co_replies: int = 2


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def findings(
    *,
    account_key: str,
    posts: int,
    share: ReplyShare,
    hours: WorkingHours,
    own_co_replies: Sequence[CoReply],
    handles: Mapping[str, str],
    duplicates: Sequence[DuplicateMatch],
    signed: Sequence[SignedReply],
    people: Audience,
    disclosed: Disclosure,
    coverage: TopicCoverage,
    silences: Sequence[Gap],
    gap_days: float,
    rules: FlagRules,
) -> tuple[Finding, ...]:
    """The badges of one account, warnings first; every one names its evidence.

    Templated text is a warning for an undisclosed account and a note ("expected
    advocacy") for a disclosed one: a disclosed programme may share approved wording.
    """
    found: list[Finding] = []
    enough = posts >= rules.min_posts
    if enough and share.share is not None and share.share >= rules.reply_share:
        label = "replies only" if not share.own_post_ids else f"{percent(share.share)} replies"
        found.append(Finding("reply_share", "warning", label, share.reply_ids))
    office = hours.office_hours_share
    if enough and office is not None and office >= rules.office_hours_share:
        found.append(
            Finding(
                "working_hours",
                "warning",
                f"{percent(office)} in office hours, weekdays",
                hours.office_ids,
            )
        )
    if len(own_co_replies) >= rules.co_replies:
        partners = sorted({pair.other(account_key)[2] for pair in own_co_replies})
        names = ", ".join(f"@{handles.get(key, key)}" for key in partners)
        evidence = tuple(i for pair in own_co_replies for i in pair.other(account_key)[:2])
        found.append(
            Finding(
                "co_replies", "warning", f"{len(own_co_replies)} co-replies with {names}", evidence
            )
        )
    if duplicates:
        blocks = sorted({d.block for d in duplicates})
        label = f"text block{'s' if len(blocks) > 1 else ''} " + ", ".join(f"#{b}" for b in blocks)
        evidence = tuple(i for d in duplicates for i in (d.reply_id, d.other_id))
        if disclosed.disclosed:
            found.append(
                Finding("near_duplicates", "note", f"{label} (disclosed advocacy)", evidence)
            )
        else:
            found.append(Finding("near_duplicates", "warning", f"{label}, undisclosed", evidence))
    mismatched = [s for s in signed if not s.matches_account]
    if mismatched:
        names = ", ".join(dict.fromkeys(s.name for s in mismatched))
        found.append(
            Finding(
                "signoff", "warning", f"signed as {names}", tuple(s.reply_id for s in mismatched)
            )
        )
    if people.empty:
        age = (
            ""
            if people.account_age_days is None
            else f", {round(people.account_age_days)} days old"
        )
        found.append(
            Finding("audience", "warning", f"0 followers, follows nobody{age}", (account_key,))
        )
    if disclosed.disclosed:
        n = len(disclosed.post_ids)
        where = "profile" if disclosed.in_bio else counted(n, "post")
        found.append(
            Finding(
                "disclosure",
                "note",
                f"discloses role ({where})",
                disclosed.post_ids or (account_key,),
            )
        )
    if coverage.avoided:
        topics = ", ".join(coverage.avoided)
        evidence = tuple(i for ids in coverage.avoided.values() for i in ids)
        found.append(Finding("topics", "note", f"never answers: {topics}", evidence))
    if silences:
        longest = max(g.days for g in silences)
        count = f"{len(silences)} silence{'s' if len(silences) > 1 else ''}"
        label = f"{count} > {gap_days:g} days (longest {longest:.0f})"
        found.append(
            Finding(
                "gaps", "note", label, tuple(i for g in silences for i in (g.before_id, g.after_id))
            )
        )
    found.sort(key=lambda f: f.severity != "warning")
    return tuple(found)
