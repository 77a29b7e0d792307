"""The reading pane: the selected post in full beside or under the feed (as mutt and aerc do).

The app reads the mention (with `cache.read.monitor_queries.mention_detail` and
`cache.read.threads.thread_for`, in its own worker and store) and hands a `Preview` over;
the pane only draws it. Which way the pane sits is chosen by width
(`tui.feed_columns.reader_layout`).
Everything shown is untrusted text: `Content` of cleaned strings, never markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from textual import events
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from filters.threads import Thread
from sources.model.counted import counted
from sources.model.handles import HANDLE_PLATFORMS, platform_of, shown_author
from tui import timefmt
from tui.feed_columns import NO_TEXT, ROOM_FOR_BOTH, time_label
from tui.gateway import COUNT_CAP, MentionDetail, mention_detail, thread_for, until_superseded
from tui.safe_text import clean, shorten, shown_name

_BLANK_RUN = re.compile(r"\n(?:[^\S\n]*\n){2,}")
"""Two or more blank (or whitespace-only) lines in a row."""
MORE_TEXT = "▼ more: enter opens the post in full"


def tight_lines(text: str) -> str:
    """A post's text with every run of blank lines shown as one (the pane is small; the
    post view and the store keep the text as written)."""
    return _BLANK_RUN.sub("\n\n", text).strip()


def post_body(text: object, *, tight: bool = False) -> Content:
    """A post's text, literal (blank runs collapsed when `tight`), or a dim `(no text)`."""
    body = clean(text)
    if tight:
        body = tight_lines(body)
    return Content(body) if body.strip() else Content.styled(NO_TEXT, "dim")


@dataclass(frozen=True)
class Preview:
    """What the pane shows about one mention (read in a worker)."""

    mention_id: str
    detail: MentionDetail | None
    thread: Thread | None


class PreviewLoaded(Message):
    """The selected mention was read for the reading pane."""

    def __init__(self, preview: Preview) -> None:
        super().__init__()
        self.preview = preview


NO_AUTHOR = "(author not in the data)"
"""Shown for a post stored without its author (an X post that came with only its id and
text): its placeholder name `unknown` would read as the real account @unknown."""


def author_handle(mention: dict[str, Any]) -> str:
    """`@handle` of the mention's author, `NO_AUTHOR` when the post came without one, and
    "" for a feed, whose author is a name, not an account."""
    platform = mention.get("platform") or platform_of(mention.get("id") or "")
    if platform not in HANDLE_PLATFORMS:
        return ""
    if not mention.get("author_key"):
        return NO_AUTHOR
    return shown_name(shown_author(mention.get("author") or "", platform))


def _role_line(mention: dict[str, Any], account: dict[str, Any] | None) -> Content:
    role = (account or {}).get("role") or mention.get("role") or "unknown"
    reason = clean((account or {}).get("role_reason"), one_line=True)
    name = shown_name((account or {}).get("display_name") or mention.get("author_name"))
    return Content.from_markup(
        "[b]$handle[/b] $name\n[dim]role:[/dim] [b]$role[/b]$reason",
        handle=_pane_handle(mention),
        name=name,
        role=clean(role, one_line=True),
        reason=f" ({reason})" if reason else "",
    )


def _pane_handle(mention: dict[str, Any]) -> str:
    # The pane writes `@` before every author (a feed's too), as it always has.
    handle = author_handle(mention)
    if handle:
        return handle
    return "@" + (shown_name(mention.get("author")) or "?")


def _topic_line(detail: MentionDetail) -> Content:
    own = list(detail.mention.get("topics") or ())
    parts: list[str] = []
    for topic in own:
        terms = detail.matches.get(topic) or []
        said = ", ".join(clean(t, one_line=True) for t in terms[:3])
        parts.append(f"{clean(topic, one_line=True)} ({said})" if said else clean(topic))
    line = "; ".join(parts) if parts else "no topic (other)"
    inherited = getattr(detail, "topics_from_thread", None) or ()
    extra = [clean(t, one_line=True) for t in inherited if t not in own]
    if extra:
        line += f" · from the thread: {', '.join(extra)}"
    return Content.from_markup("[dim]topics:[/dim] $line", line=line)


def _thread_lines(
    mention_id: str, thread: Thread | None, now: datetime, tz: tzinfo | None
) -> Iterable[Content]:
    if thread is None:
        yield Content.from_markup("[dim]thread:[/dim] none (no critical post, no reply)")
        return
    replies = len(thread.replies)
    reactions = len(thread.root_reactions) + sum(len(r.reactions) for r in thread.replies)
    counts = f"{counted(replies, 'ambassador reply', 'ambassador replies')}, {reactions} parody"
    if thread.root.id == mention_id:
        yield Content.from_markup("[dim]thread:[/dim] this is the critical post · $c", c=counts)
        return
    root = thread.root
    head = (
        f"{root.id} (not in the store)"
        if root.missing
        else f"@{shown_name(root.author)} ({root.role or 'public'}, "
        f"{timefmt.when(root.created_at, now, tz)}): "
        f"{shorten(clean(root.text, one_line=True), 160)}"
    )
    yield Content.from_markup(
        "[dim]thread ($c), critical post:[/dim]\n  $head", c=counts, head=head
    )


def preview_content(preview: Preview, now: datetime, tz: tzinfo | None = None) -> Content:
    """The whole pane as one literal `Content` (author, time, text, topics, thread head)."""
    detail = preview.detail
    if detail is None:
        return Content(f"{clean(preview.mention_id, one_line=True)} is not in the store.")
    m = detail.mention
    head = Content.from_markup(
        "[dim]$when · $source · $lang$title[/dim]",
        when=time_label(m.get("created_at"), m.get("time_flag"), now, tz),  # as in the feed
        source=clean(m.get("source"), one_line=True),
        lang=clean(m.get("lang"), one_line=True) or "?",
        title=f" · {clean(m['title'], one_line=True)}" if m.get("title") else "",
    )
    parts = [
        _role_line(m, detail.account),
        head,
        Content(""),
        post_body(m.get("text") or m.get("title"), tight=True),
        Content(""),
        _topic_line(detail),
        *_thread_lines(preview.mention_id, preview.thread, now, tz),
    ]
    if m.get("url"):
        parts.append(
            Content.from_markup(
                "[dim]link:[/dim] $url  [dim](o opens)[/dim]", url=clean(m["url"], one_line=True)
            )
        )
    return Content("\n").join(parts)


def request_preview(app: Any, mention_id: str) -> None:
    """Read `mention_id` for the pane in an app worker (a newer request cancels it), through
    the app's `open_store` like every other read of the monitor."""

    def read() -> None:
        worker = get_current_worker()
        with app.open_store() as store, until_superseded(store, lambda: worker.is_cancelled):
            detail = mention_detail(store, mention_id)
            thread = thread_for(store, mention_id) if detail else None
            if not worker.is_cancelled:
                app.post_message(PreviewLoaded(Preview(mention_id, detail, thread)))

    app.run_worker(
        read,
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="preview",
        description="preview",
    )


class ReaderSplit(Container):
    """The feed with the reading pane beside or under it (the monitor picks which by width).

    Under it on a short terminal the pane, at its least, left the list its header and a
    row or none: a list too short to hold `ROOM_FOR_BOTH` lines shows only the list
    (`-short` in monitor.tcss), and the pane is back once there is room.
    """

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < ROOM_FOR_BOTH, "-short")


class PreviewPane(VerticalScroll):
    """The selected post in full; `enter` still opens the whole thread view.

    A post longer than the pane scrolls in it (the mouse wheel), and a line at the bottom
    says there is more and how to read it, until the end is in view.
    """

    DEFAULT_CSS = """
    PreviewPane { padding: 0 1; }
    PreviewPane > #preview-body { width: 1fr; }
    PreviewPane > #preview-more {
        dock: bottom; height: 1; width: 1fr; color: $text-muted; background: $panel;
    }
    """

    def __init__(self, *, tz: tzinfo | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tz = tz
        self.mention_id: str | None = None
        self.can_focus = False

    def compose(self) -> Any:
        yield Static(Content("No post selected."), id="preview-body")
        yield Static(Content(MORE_TEXT), id="preview-more")

    def on_mount(self) -> None:
        self.more.display = False

    @property
    def body(self) -> Static:
        return self.query_one("#preview-body", Static)

    @property
    def more(self) -> Static:
        return self.query_one("#preview-more", Static)

    def show(self, preview: Preview, now: datetime) -> None:
        """Draw `preview`; the same post read again (it changed) keeps the pane's scroll."""
        again = preview.mention_id == self.mention_id
        self.mention_id = preview.mention_id
        self.body.update(preview_content(preview, now, self.tz))
        if not again:
            self.scroll_home(animate=False)
        self.call_after_refresh(self.show_more)

    def show_nothing(self, text: str) -> None:
        self.mention_id = None
        self.body.update(Content(text))
        self.call_after_refresh(self.show_more)

    def show_more(self) -> None:
        """The `more` line while part of the post is below the pane's bottom edge."""
        if self.is_attached:
            self.more.display = self.scroll_y < self.max_scroll_y

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.show_more()

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_more)


class NewAboveMarker(Static):
    """`▲ 12 new above` over the list while the reader is down in the feed."""

    DEFAULT_CSS = """
    NewAboveMarker { height: 1; padding: 0 1; background: $accent 20%; color: $text; }
    """

    def on_mount(self) -> None:
        self.show_count(0)

    def show_count(self, count: int) -> None:
        """`count` new above; past `COUNT_CAP` (an import counted, not merged) "more than"."""
        self.display = count > 0
        self.update(
            Content.from_markup(
                "[b]▲ $count new above[/b] [dim]· g or Home goes to the newest[/dim]",
                count=f"more than {COUNT_CAP:,}" if count > COUNT_CAP else f"{count:,}",
            )
        )
