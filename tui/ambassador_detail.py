"""One ambassador account's signals, each with the posts that justify it.

Shows the badges (warnings first), the 7x24 heat map of posting times in the account's
local time, the co-reply pairs with their times, the near-duplicate pairs side by side,
the signed names, topics, audience, disclosure and gaps. Every post, name and bio is
shown literally: `Content(...)`/`Text(...)` of cleaned text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from filters.signals.findings import Finding, percent
from filters.signals.measures import WEEKDAYS, parse_office_hours
from filters.threads import DATED_BEFORE_POST
from sources.model.config import Config
from sources.model.counted import counted
from sources.model.records import utc_now
from sources.model.text import format_delay
from tui import timefmt
from tui.fitted_footer import FittedFooter
from tui.gateway import (
    AmbassadorProfile,
    EvidencePost,
    ambassador_profiles,
    evidence_posts,
    profile_evidence_ids,
    reading,
)
from tui.over_feed import OverFeedScreen
from tui.safe_text import clean, shorten, shown_name

HEAT_SHADES = " ░▒▓█"
"""Cells of the heat map from no posts to the busiest hour."""


HEATMAP_GAP_WIDTH = 90
"""Below this width the heat map's hour cells lose the space between them (fits 80)."""


def heatmap_content(
    heatmap: tuple[tuple[int, ...], ...], office: tuple[int, int] = (8, 18), *, gap: bool = True
) -> Content:
    """The 7x24 grid: one row per weekday (local time), one cell per hour, shaded by count.

    Busy cells inside office hours on weekdays are in the accent colour, so the
    working-hours pattern is visible at a glance. Without `gap` the cells touch, so the
    grid fits an 80-column terminal.
    """
    busiest = max((max(row) for row in heatmap), default=0)
    step = 3 if gap else 2
    parts: list[str | tuple[str, str]] = [
        "     " + "".join(f"{h:<{step}}" if h % 3 == 0 else " " * step for h in range(24)) + "\n"
    ]
    for day, row in zip(WEEKDAYS, heatmap, strict=True):
        parts.append(f"{day}  ")
        for hour, count in enumerate(row):
            # The busiest hour gets the full block; any post at all at least the lightest.
            level = -(-count * (len(HEAT_SHADES) - 1) // max(busiest, 1)) if count else 0
            shade = HEAT_SHADES[min(level, len(HEAT_SHADES) - 1)] * 2
            in_office = day not in ("Sat", "Sun") and office[0] <= hour < office[1]
            parts.append((shade, "bold $accent") if in_office and count else shade)
            if gap:
                parts.append(" ")
        parts.append(f" {sum(row)}\n")
    return Content.assemble(*parts)


class AmbassadorDetailScreen(OverFeedScreen):
    """The signals of one ambassador account, with their evidence."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "app.pop_screen", "Back")]
    DEFAULT_CSS = """
    AmbassadorDetailScreen VerticalScroll { padding: 0 1; }
    AmbassadorDetailScreen .section { margin-top: 1; text-style: bold; color: $primary; }
    AmbassadorDetailScreen .warning { color: $warning; }
    AmbassadorDetailScreen .note { color: $text-muted; }
    AmbassadorDetailScreen .evidence { margin-left: 2; }
    AmbassadorDetailScreen .duplicate-pair { height: auto; margin-left: 2; margin-bottom: 1; }
    AmbassadorDetailScreen .duplicate-pair > Static {
        width: 1fr; border: round $primary-darken-2; padding: 0 1;
    }
    """

    class Loaded(Message):
        """The profile and its evidence posts were read from the store."""

        def __init__(
            self, profile: AmbassadorProfile | None, posts: dict[str, EvidencePost]
        ) -> None:
            super().__init__()
            self.profile = profile
            self.posts = posts

    def __init__(
        self,
        db_path: Path,
        key: str,
        *,
        config: Config | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.db_path = db_path
        self.key = key
        self.config = config or Config()
        self.clock = clock or utc_now
        self.profile: AmbassadorProfile | None = None
        self.office = (8, 18)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="ambassador-body"):
            yield Static(Content(f"Loading {self.key}…"), id="ambassador-loading")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.title = "Ambassador signals"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="ambassador-detail")
    def load(self) -> None:
        with reading(self.db_path) as store:
            profiles = ambassador_profiles(store, self.config, now=self.clock())
            profile = next((p for p in profiles if p.key == self.key), None)
            posts = evidence_posts(store, profile_evidence_ids(profile)) if profile else {}
        self.post_message(self.Loaded(profile, posts))

    @on(Worker.StateChanged)
    def worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self._show([Static(Content(f"Cannot read the signals: {error}"), classes="warning")])

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.profile = message.profile
        if message.profile is None:
            self._show([Static(Content(f"{self.key} is not an ambassador account (any more)."))])
            return
        self.sub_title = "@" + shown_name(message.profile.handle)
        start, end = parse_office_hours(self.config.signals.office_hours)
        self.office = (start.hour, end.hour + (1 if end.minute else 0))
        self._show(
            profile_widgets(
                message.profile,
                message.posts,
                office=self.office,
                heat_gap=self.heat_gap,
                when=timefmt.for_app(self.app),
            )
        )

    @property
    def heat_gap(self) -> bool:
        return self.size.width >= HEATMAP_GAP_WIDTH

    def on_resize(self) -> None:
        if self.profile is None:
            return
        for grid in self.query("#heatmap").results(Static):
            hours = self.profile.working_hours.heatmap
            grid.update(heatmap_content(hours, self.office, gap=self.heat_gap))

    def _show(self, widgets: list[Widget]) -> None:
        body = self.query_one("#ambassador-body", VerticalScroll)
        body.remove_children()
        body.mount_all(widgets)


def ambassador_detail_screen(
    db_path: Path,
    key: str,
    config: Config | None = None,
    clock: Callable[[], datetime] | None = None,
) -> AmbassadorDetailScreen:
    """The factory the ambassadors list calls (tui.views)."""
    return AmbassadorDetailScreen(db_path, key, config=config, clock=clock)


# --- what the screen shows ------------------------------------------------------------------


def profile_widgets(
    profile: AmbassadorProfile,
    posts: dict[str, EvidencePost],
    *,
    office: tuple[int, int] = (8, 18),
    heat_gap: bool = True,
    when: Callable[[object], str] | None = None,
) -> list[Widget]:
    """Every section of the detail view for one profile (`office`: hours to highlight;
    `when` writes a post's time, `tui.timefmt.for_app` of the app showing it)."""
    when = when or timefmt.for_app(None)
    widgets: list[Widget] = [_summary(profile)]
    widgets.append(_section("Signals"))
    findings = profile.findings or ()
    for finding in findings:
        mark = "⚠" if finding.severity == "warning" else "·"
        label = clean(finding.label, one_line=True)
        if finding.signal not in _SAYS_ITS_EVIDENCE:
            label += f"  ({_evidence_size(finding, profile.key)})"
        widgets.append(
            Static(
                Content(f"{mark} {label}"),
                classes=f"finding {finding.severity}",
            )
        )
    if not findings:
        widgets.append(Static(Content("no signals"), classes="finding note"))

    hours = profile.working_hours
    widgets.append(
        _section(
            f"When it posts ({hours.timezone}): {percent(hours.weekday_share)} on weekdays, "
            f"{percent(hours.office_hours_share)} in office hours"
        )
    )
    widgets.append(Static(heatmap_content(hours.heatmap, office, gap=heat_gap), id="heatmap"))

    widgets.append(_section(f"Co-replies ({len(profile.co_replies)})"))
    for pair in profile.co_replies:
        mine, theirs = posts.get(pair.reply_id), posts.get(pair.other_reply_id)
        parent = posts.get(pair.parent_id)
        widgets.append(
            Static(
                Content.from_markup(
                    "[b]$seconds s[/b] apart with [b]@$other[/b] on $parent\n"
                    "  $mine_at  $mine\n  $theirs_at  @$other: $theirs",
                    seconds=f"{pair.seconds:.0f}",
                    other=shown_name(pair.other_handle),
                    parent=_one_line(parent, 120) if parent else pair.parent_id,
                    mine_at=when(mine.created_at) if mine else "?",
                    mine=_one_line(mine, 160) if mine else pair.reply_id,
                    theirs_at=when(theirs.created_at) if theirs else "?",
                    theirs=_one_line(theirs, 160) if theirs else pair.other_reply_id,
                ),
                classes="evidence co-reply",
            )
        )

    widgets.append(
        _section(
            f"Near-duplicate text ({percent(profile.near_duplicate_share)} of replies, "
            f"blocks {', '.join(f'#{b}' for b in profile.text_blocks) or 'none'})"
        )
    )
    for duplicate in profile.near_duplicates:
        widgets.append(
            Static(
                Content(
                    f"text block #{duplicate.block} · Jaccard {duplicate.similarity:.2f} "
                    f"· with @{shown_name(duplicate.other_handle)}"
                ),
                classes="evidence",
            )
        )
        widgets.append(
            Horizontal(
                Static(_post_content(posts.get(duplicate.reply_id), duplicate.reply_id, when)),
                Static(_post_content(posts.get(duplicate.other_id), duplicate.other_id, when)),
                classes="duplicate-pair",
            )
        )

    widgets.append(_section(f"Signed names ({profile.signoff_mismatches} not the account's)"))
    for signed in profile.signoffs:
        verdict = "own name" if signed.matches_account else "NOT the account's name"
        post = posts.get(signed.reply_id)
        widgets.append(
            Static(
                Content(
                    f"signed: {shown_name(signed.name)} ({verdict})  "
                    f"{_one_line(post, 140) if post else signed.reply_id}"
                ),
                classes="evidence signoff " + ("note" if signed.matches_account else "warning"),
            )
        )

    widgets.append(_section("Topics"))
    answered = ", ".join(
        f"{t} ({len(profile.topic_evidence.get(t, ()))})" for t in profile.topics_answered
    )
    widgets.append(Static(Content(f"answers: {answered or 'nothing yet'}"), classes="evidence"))
    widgets.append(
        Static(
            Content(
                f"never touches, while critics raise it: {', '.join(profile.topics_avoided) or '–'}"
            ),
            classes="evidence",
        )
    )

    widgets.append(_section("Audience, disclosure, gaps"))
    age = (
        "unknown age"
        if profile.account_age_days is None
        else f"{profile.account_age_days:.0f} days old"
    )
    widgets.append(
        Static(
            Content(
                f"{counted(profile.followers, 'follower')}, follows {_count(profile.following)}, "
                f"{age}"
            ),
            classes="evidence",
        )
    )
    disclosure = profile.disclosure
    if disclosure.disclosed:
        count = len(disclosure.post_ids)
        where = ", ".join(disclosure.in_bio) or counted(count, "post")
        said = f"discloses its role: {clean(where, one_line=True)}"
    else:
        said = "does not disclose its role (templated text is a warning)"
    widgets.append(Static(Content(said), classes="evidence"))
    for gap in profile.gaps:
        before, after = posts.get(gap.before_id), posts.get(gap.after_id)
        widgets.append(
            Static(
                Content(
                    f"silent {gap.days:.0f} days: "
                    f"{when(before.created_at) if before else gap.before_id}"
                    f" → {when(after.created_at) if after else gap.after_id}"
                ),
                classes="evidence gap",
            )
        )
    return widgets


def _summary(profile: AmbassadorProfile) -> Static:
    delay = profile.median_reply_delay_seconds
    return Static(
        Content.from_markup(
            "[b]$name[/b] @$handle\n$bio\n$posts, $replies to others "
            "($share), median reply delay $delay, fastest $fastest$early",
            name=shown_name(profile.display_name),
            handle=shown_name(profile.handle),
            bio=clean(profile.bio, one_line=True) or "(no bio)",
            posts=counted(profile.posts, "post"),
            replies=counted(profile.replies, "reply", "replies"),
            share=percent(profile.reply_share),
            delay=format_delay(delay),
            fastest=format_delay(profile.fastest_reply_delay_seconds),
            early=_dated_before(profile),
        ),
        id="ambassador-summary",
    )


def _dated_before(profile: AmbassadorProfile) -> str:
    """Replies dated before their post, counted as answered at once (as the thread says)."""
    count = len(profile.dated_before_post)
    if not count:
        return ""
    return f"\n{counted(count, 'reply', 'replies')} {DATED_BEFORE_POST}, counted as 0 s"


def _section(title: str) -> Static:
    return Static(Content(title), classes="section")


def _post_content(
    post: EvidencePost | None, post_id: str, when: Callable[[object], str]
) -> Content:
    if post is None:
        return Content(f"{post_id} (not in the store)")
    return Content.from_markup(
        "[b]@$handle[/b] [dim]$when[/dim]\n$text",
        handle=shown_name(post.handle),
        when=when(post.created_at),
        text=clean(post.text),
    )


def _one_line(post: Any, width: int) -> str:
    return shorten(clean(post.text, one_line=True), width)


_SAYS_ITS_EVIDENCE = {"disclosure"}
"""Findings whose label already names its evidence ("discloses role (1 post)")."""


def _evidence_size(finding: Finding, account_key: str) -> str:
    if finding.evidence == (account_key,):
        return "the profile"  # audience, or a role disclosed in the bio: no post to show
    count = len(finding.evidence)
    return counted(count, "post")


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)
