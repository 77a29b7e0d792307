"""Ambassador signals as short badges: the ambassador list's Signals column, the feed's
marker on an ambassador reply, and the lines under each reply in the thread view.

The badges only shorten what `cache.read.ambassadors` found; the evidence behind each is one
key away (enter). Badge text is built from our own words plus counts and names that went
through `clean`, and is always rendered as `Text`/`Content`, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.content import Content

from filters.signals.findings import Finding, percent
from sources.model.config import Config, ConfigError
from tui.gateway import AmbassadorProfile, Reader, feed_reply_badges
from tui.messages import BadgesLoaded
from tui.safe_text import clean, shorten

WARNING, GOOD, NOTE = "warning", "good", "note"
_MARKS = {WARNING: "⚠", GOOD: "✓", NOTE: "·"}
_ORDER = {WARNING: 0, GOOD: 1, NOTE: 2}
BADGE_GAP = "  "
"""Between two badges: wider than the space inside one, so they read as separate."""


@dataclass(frozen=True)
class Badge:
    """One short badge: `⚠ co-reply ×8`, `✓ disclosed`, `· never: taxes`."""

    words: str
    kind: str
    """`warning` (a sign of scripted activity), `good` (disclosed) or `note` (context)."""

    @property
    def text(self) -> str:
        return f"{_MARKS[self.kind]} {self.words}"


def _names(names: Iterable[str], most: int = 2) -> str:
    unique = list(dict.fromkeys(clean(n, one_line=True) for n in names))
    shown = ", ".join(unique[:most])
    return shown + (f" +{len(unique) - most}" if len(unique) > most else "")


def _finding_badge(finding: Finding, profile: AmbassadorProfile) -> Badge | None:
    signal = finding.signal
    if signal == "reply_share":
        return Badge(clean(finding.label, one_line=True), WARNING)
    if signal == "working_hours":
        return Badge(f"office hours {percent(profile.office_hours_share)}", WARNING)
    if signal == "co_replies":
        return Badge(f"co-reply ×{len(profile.co_replies)}", WARNING)
    if signal == "near_duplicates":
        blocks = len(profile.text_blocks)
        words = f"text block #{profile.text_blocks[0]}" if blocks == 1 else f"text blocks ×{blocks}"
        # Shared wording in a disclosed programme is expected advocacy, not a warning.
        return Badge(words, WARNING) if finding.severity == WARNING else Badge(words, NOTE)
    if signal == "signoff":
        return Badge(
            "signed " + _names(s.name for s in profile.signoffs if not s.matches_account), WARNING
        )
    if signal == "audience":
        return Badge("no audience", WARNING)
    if signal == "disclosure":
        return Badge("disclosed", GOOD)
    if signal == "topics":
        return Badge("never: " + _names(profile.topics_avoided, most=3), NOTE)
    if signal == "gaps":
        longest = max((g.days for g in profile.gaps), default=0.0)
        return Badge(f"gap {longest:.0f} d", NOTE)
    kind = WARNING if finding.severity == WARNING else NOTE
    return Badge(shorten(clean(finding.label, one_line=True), 24), kind)


def profile_badges(profile: AmbassadorProfile) -> list[Badge]:
    """The account's findings as short badges: warnings first, then disclosure, then notes."""
    badges = [b for f in profile.findings if (b := _finding_badge(f, profile)) is not None]
    return sorted(badges, key=lambda b: _ORDER[b.kind])  # stable: findings keep their order


def badge_lines(badges: Sequence[Badge], width: int) -> list[list[Badge]]:
    """The badges laid out in lines of at most `width` cells, breaking only between badges."""
    lines: list[list[Badge]] = []
    used = 0
    for badge in badges:
        size = len(badge.text)
        if lines and used + len(BADGE_GAP) + size <= width:
            lines[-1].append(badge)
            used += len(BADGE_GAP) + size
        else:
            lines.append([badge])
            used = size
    return lines


def badge_text(
    badges: Sequence[Badge], color: Callable[[str], str], width: int | None = None
) -> Text:
    """The badges as one `Text` (lines broken between badges when `width` is given).

    `color(kind)` gives the colour of a kind (the app's theme colours); notes are dim.
    """
    text = Text(end="", no_wrap=True, overflow="ellipsis")
    if not badges:
        text.append("–", style="dim")
        return text
    lines = badge_lines(badges, width) if width else [list(badges)]
    for number, line in enumerate(lines):
        if number:
            text.append("\n")
        for index, badge in enumerate(line):
            if index:
                text.append(BADGE_GAP)
            if badge.kind == NOTE:
                text.append(badge.text, style="dim")
            else:
                text.append(badge.text, style=Style(color=color(badge.kind), bold=True))
    return text


# --- badges on one ambassador reply (cache.read.ambassadors.reply_badges) ------------------------

_REPLY_CODES = (("co-reply", "co"), ("text block #", "#"), ("signed: ", "sig"))


def is_warning_badge(badge: str) -> bool:
    """Whether a reply badge points at scripted replies (signing one's own name does not)."""
    if badge.startswith("signed: "):
        return badge.endswith("(not own name)")
    return any(badge.startswith(prefix) for prefix, _ in _REPLY_CODES)


def reply_marker(badges: Sequence[str]) -> str:
    """The feed's short marker for a reply's badges: `⚠co #3 sig` (enter shows them in full).

    Only what points at scripted replies is marked: a co-reply, a text block, a reply
    signed with another person's name.
    """
    codes: list[str] = []
    for badge in filter(is_warning_badge, badges):
        for prefix, code in _REPLY_CODES:
            if badge.startswith(prefix):
                block = badge.removeprefix(prefix).split()[0] if code == "#" else ""
                codes.append(code + block)
                break
    unique = list(dict.fromkeys(codes))
    return "⚠" + " ".join(unique) if unique else ""


def reply_badge_content(badges: Sequence[str]) -> Content:
    """A reply's badges in full for the thread view: `⚠ co-reply 40 s with @x · text block #3`.

    The badges name other accounts' handles: cleaned, and inserted as text, never markup.
    """
    parts: list[str | tuple[str, str]] = []
    warned = any(is_warning_badge(b) for b in badges)
    parts.append(("⚠ ", "bold $warning") if warned else "· ")
    for index, badge in enumerate(badges):
        if index:
            parts.append(" · ")
        text = clean(badge, one_line=True)
        parts.append((text, "$warning") if is_warning_badge(badge) else text)
    return Content.assemble(*parts)


# --- the feed's badges ----------------------------------------------------------------------


def read_feed_badges(
    store: Reader, config: Config, ids: list[str], *, refresh: bool = False
) -> BadgesLoaded:
    """The badges of the feed's ambassador rows `ids`, as the message to post (worker side)."""
    try:
        return BadgesLoaded(feed_reply_badges(store, config, ids), refresh=refresh)
    except ConfigError as exc:
        return BadgesLoaded({}, refresh=refresh, problem=str(exc))


class FeedBadges:
    """The feed's badge bookkeeping, on the app's thread.

    Badges already read are kept per mention until an ambassador posts again (a new
    page or filter then shows them at once, without another read), and at most one
    re-read after arrivals is in flight: each one redoes the cross-account analysis.
    """

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, ...]] = {}
        self.refreshing = False
        self.refresh_again = False
        self.problem: str | None = None

    def known_ids(self) -> frozenset[str]:
        return frozenset(self.known)

    def fill(self, rows: Iterable[dict[str, Any]]) -> None:
        """Give rows the badges already read for them."""
        for row in rows:
            if row["id"] in self.known:
                row["badges"] = self.known[row["id"]]

    def ambassador_posted(self) -> bool:
        """Forget what was read; True when a re-read should start now (else it is queued)."""
        self.known.clear()
        if self.refreshing:
            self.refresh_again = True
            return False
        self.refreshing = True
        return True

    def loaded(self, message: BadgesLoaded) -> bool:
        """Take in a read; True when a queued re-read should start now."""
        if message.problem is None:
            self.known.update(message.badges)
        if not message.refresh:
            return False
        self.refreshing = False
        if self.refresh_again:
            self.refresh_again = False
            return self.ambassador_posted()
        return False

    def failed(self) -> None:
        """The re-read crashed (the error funnel said so): allow the next one."""
        self.refreshing = False

    def new_problem(self, problem: str) -> bool:
        """Whether `problem` was not said yet (a bad setting is said once, not per read)."""
        fresh = problem != self.problem
        self.problem = problem
        return fresh
