"""The detail of one mention: full text, author, matched terms, and its thread.

The thread shows the critical post, every ambassador reply with its delay, and the
parody reactions to each, as rows a reader walks (`tui.thread_rows`): `enter` on a post
opens it, on an author the profile, on a text block every reply sharing it. Reads run
in a worker through `tui.gateway` (its own read-only store).

An open thread follows what arrives: the monitor asks it to read again (`action_reload`,
also `r`), and it is drawn again only when something in it changed, the reader's row and
scroll kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Header, Static

from filters.threads import ParodyReaction, PostRef, Thread
from sources.model.config import Config
from sources.model.counted import counted
from sources.model.handles import HANDLE_PLATFORMS, shown_author
from sources.model.text import parse_timestamp
from tui import gateway, timefmt
from tui.badges import reply_badge_content
from tui.feed_columns import time_label
from tui.fitted_footer import FittedFooter
from tui.gateway import MentionDetail, PostAuthor
from tui.links import open_in_browser
from tui.over_feed import OverFeedScreen
from tui.reading import author_handle, post_body
from tui.safe_text import clean, shown_name
from tui.thread_rows import (
    AUTHOR,
    BLOCK,
    POST,
    WalkRow,
    author_content,
    display_tz,
    has_profile,
    open_row,
    walk_rows,
)

ROLE_NAMES = {
    "ambassador": "ambassador",
    "parody": "parody",
    "official": "official",
    "press": "press",
    "public": "public",
}


def account_age(created_at: str | None, now: datetime) -> str:
    created = parse_timestamp(created_at)
    if created is None:
        return "unknown"
    days = (now - created).days
    if days < 60:
        return f"{days} days"
    if days < 730:
        return f"{days // 30} months"
    return f"{days // 365} years"


@dataclass(frozen=True)
class BadgesShown:
    """The badges of the thread's ambassador posts and the text block each one uses."""

    badges: dict[str, tuple[str, ...]]
    blocks: dict[str, int]


def _row_key(row: WalkRow, rows: list[WalkRow]) -> tuple[str, str, int]:
    """A row as it can be found again in the thread drawn anew: its kind, its post, and how
    many rows of that kind and post come before it (a post can show twice: on top and in
    the thread)."""
    before = rows[: rows.index(row)] if row in rows else []
    twins = sum(1 for r in before if (r.kind, r.mention_id) == (row.kind, row.mention_id))
    return (row.kind, row.mention_id, twins)


class DetailScreen(OverFeedScreen):
    """Everything about one mention, and the thread it belongs to."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("o", "open_url", "Browser", tooltip="Open the post in the browser"),
        # Not in the footer: the thread follows new posts by itself; `r` is for a paused
        # feed (whose arrivals wait) and for the hand used to the lists' key.
        Binding(
            "r",
            "reload",
            "Reload",
            show=False,
            tooltip="read the post and its thread again (new replies show by themselves"
            " unless the feed is paused)",
        ),
    ]
    DEFAULT_CSS = """
    DetailScreen VerticalScroll { padding: 0 1; }
    DetailScreen .section { margin-top: 1; text-style: bold; color: $primary; }
    DetailScreen .post { margin-left: 2; }
    DetailScreen .reply { margin-left: 4; }
    DetailScreen .reaction { margin-left: 8; }
    DetailScreen .reaction.thread-author { color: $warning; }
    DetailScreen .thread-text { padding-left: 3; }
    DetailScreen .badges { margin-left: 6; }
    DetailScreen .mention-badges { margin-left: 2; }
    """

    class Loaded(Message):
        def __init__(
            self,
            detail: MentionDetail | None,
            thread: Thread | None,
            authors: dict[str, PostAuthor] | None = None,
        ) -> None:
            super().__init__()
            self.detail = detail
            self.thread = thread
            self.authors = authors or {}

    class BadgesLoaded(Message):
        """The badges of the ambassador replies shown were read (after the thread)."""

        def __init__(
            self, badges: dict[str, tuple[str, ...]], blocks: dict[str, int] | None = None
        ) -> None:
            super().__init__()
            self.badges = badges
            self.blocks = blocks or {}

    def __init__(
        self, db_path: Path, mention_id: str, now: datetime, config: Config | None = None
    ) -> None:
        super().__init__()
        self.db_path = db_path
        self.mention_id = mention_id
        self.now = now
        self.config = config or Config()
        self.url = ""
        self.tz: tzinfo | None = None
        """The display zone (the monitor's), read when the screen is mounted."""
        self.detail: MentionDetail | None = None
        self.thread: Thread | None = None
        self.badge_slots: dict[str, list[Static]] = {}
        """Ambassador post id -> the (hidden until filled) lines for its badges."""
        self.authors: dict[str, PostAuthor] = {}
        self.badges: BadgesShown | None = None
        """The badges last read, drawn again at once when the thread is redrawn."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail-body"):
            yield Static(Content(f"Loading {self.mention_id}…"), id="detail-loading")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.title = "Mention"
        self.tz = getattr(getattr(self.app, "options", None), "tz", None)
        self.load()

    def action_reload(self) -> None:
        """Read the post and its thread again (drawn again only if something changed)."""
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def load(self) -> None:
        read = gateway.read_thread(self.db_path, self.mention_id)
        self.post_message(self.Loaded(read.detail, read.thread, read.authors))
        if read.detail is None:
            return
        # After the thread: the first analysis of a large store may take a moment.
        thread = read.thread
        ids = [r.post.id for r in thread.replies] if thread else []
        if read.detail.mention["role"] == "ambassador":
            ids.insert(0, self.mention_id)
        if ids:
            signals = gateway.read_reply_signals(self.db_path, self.config, ids)
            self.post_message(self.BadgesLoaded(signals.badges, signals.blocks))

    @on(BadgesLoaded)
    def show_badges(self, message: BadgesLoaded) -> None:
        self.badges = BadgesShown(message.badges, message.blocks)
        self._fill_badges(self.badges)

    def _fill_badges(self, shown: BadgesShown) -> None:
        for mention_id, badges in shown.badges.items():
            block = shown.blocks.get(mention_id)
            for slot in self.badge_slots.get(mention_id, ()):
                if badges:
                    content = reply_badge_content(badges)
                    if block is not None and isinstance(slot, WalkRow):
                        # The badge is a way in: every reply that shares this text.
                        slot.kind = BLOCK
                        slot.can_focus = True
                        slot.add_class("text-block")
                        content = content + Content.styled(
                            f"  (enter: every reply using text block #{block})", "dim"
                        )
                    slot.update(content)
                slot.display = bool(badges)

    def _badge_slot(self, mention_id: str, classes: str) -> Static:
        # A row, so a text-block badge can be walked to; it only takes the focus (is a
        # way in) once the badges said it has a block.
        slot = WalkRow(Content(""), kind="", mention_id=mention_id, classes=f"badges {classes}")
        slot.display = False
        slot.can_focus = False
        self.badge_slots.setdefault(mention_id, []).append(slot)
        return slot

    @on(Loaded)
    async def show(self, message: Loaded) -> None:
        shown = (self.detail, self.thread, self.authors)
        if self.detail is not None and shown == (message.detail, message.thread, message.authors):
            return  # read again, nothing changed: the screen stays as it is
        first = self.detail is None
        focused = self._focused_row()
        body = self.query_one("#detail-body", VerticalScroll)
        scrolled = body.scroll_y
        self.detail, self.thread = message.detail, message.thread
        self.authors = message.authors
        await body.remove_children()
        if message.detail is None:
            await body.mount(Static(Content(f"{self.mention_id} is not in the store.")))
            return
        await body.mount_all(self._widgets(message.detail, message.thread))
        if self.badges is not None:
            self._fill_badges(self.badges)  # until read again: no line comes and goes
        rows = walk_rows(self)  # the author first, unless it has no profile to open
        if first:
            if rows:
                rows[0].focus(scroll_visible=False)
            return
        # Drawn again (a reply arrived): the reader stays on their row, the view where it was.
        same = [r for r in rows if _row_key(r, rows) == focused]
        if same:
            same[0].focus(scroll_visible=False)
        body.scroll_to(y=scrolled, animate=False, immediate=True)

    def _focused_row(self) -> tuple[str, str, int] | None:
        focused = self.focused
        if not isinstance(focused, WalkRow):
            return None
        return _row_key(focused, walk_rows(self))

    @on(WalkRow.Chosen)
    def row_chosen(self, message: WalkRow.Chosen) -> None:
        message.stop()
        row = message.row
        if row.kind == POST and row.mention_id == self.mention_id:
            self.query_one("#detail-body", VerticalScroll).scroll_home()  # it is shown above
            return
        open_row(self, row, db_path=self.db_path, config=self.config, now=self.now)

    def _when(self, value: object) -> str:
        return timefmt.when(value, self.now, display_tz(self.app))

    def _widgets(self, detail: MentionDetail, thread: Thread | None) -> list[Static]:
        m = detail.mention
        tz = display_tz(self.app)
        self.url = m.get("url") or ""
        self.badge_slots = {}
        author = self.authors.get(m["id"])
        widgets = [
            Static(
                Content.from_markup(
                    "[b]$title[/b]\n[dim]$when · $source · $lang · $kind[/dim]",
                    title=clean(m["title"], one_line=True) or "Post",
                    when=time_label(m["created_at"], m.get("time_flag"), self.now, tz),
                    source=clean(m["source"], one_line=True),
                    lang=m["lang"],
                    kind=m["kind"],
                ),
                id="detail-head",
            ),
            Static(post_body(m["text"]), id="detail-text", classes="post"),
            self._badge_slot(m["id"], "post mention-badges"),
            Static(
                Content("Author (enter: profile)" if has_profile(author) else "Author"),
                classes="section",
            ),
            WalkRow(
                self._author(m, detail.account),
                kind=AUTHOR,
                mention_id=m["id"],
                author=author,
                id="detail-author",
                classes="post",
            ),
        ]
        matches = detail.matches
        widgets.append(Static(Content("Topics"), classes="section"))
        if matches or detail.from_thread:
            lines = [
                f"{topic}: {', '.join(clean(t, one_line=True) for t in terms)}"
                for topic, terms in matches.items()
            ]
            source = clean(detail.thread_source, one_line=True)
            lines.extend(
                f"{topic}: from the thread ({source})"
                for topic in detail.from_thread
                if topic not in matches
            )
            widgets.append(Static(Content("\n".join(lines)), id="detail-topics", classes="post"))
        else:
            widgets.append(Static(Content("no topic (other)"), id="detail-topics", classes="post"))
        if m.get("url"):
            widgets.append(Static(Content(f"Link: {clean(m['url'], one_line=True)}  (o opens it)")))
        widgets.extend(self._thread(thread))
        return widgets

    def _author(self, m: dict[str, Any], account: dict[str, Any] | None) -> Content:
        if account is None:
            return Content.from_markup(
                "[b]$name[/b] $handle\nrole: $role",
                name=shown_name(m["author_name"]),
                # A feed author is a name, not an account: no `@handle` beside it.
                handle=author_handle(m),
                role=m["role"] or "unknown",
            )

        def number(value: object) -> str:
            return "?" if value is None else f"{value:,}"

        return Content.from_markup(
            "[b]$name[/b] $handle\n$bio\n$followers · $following following · "
            "account age $age\nrole: [b]$role[/b] ($reason)",
            name=shown_name(account["display_name"]),
            handle=shown_name(shown_author(account["handle"], account["platform"]))
            if account["platform"] in HANDLE_PLATFORMS
            else "",
            bio=clean(account["bio"]) or "(no bio)",
            followers=counted(account["followers"], "follower"),
            following=number(account["following"]),
            age=account_age(account["created_at"], self.now),
            role=ROLE_NAMES.get(account["role"], account["role"] or "unknown"),
            reason=clean(account["role_reason"], one_line=True) or "no reason given",
        )

    def _thread(self, thread: Thread | None) -> list[Static]:
        if thread is None:
            return [
                Static(Content("Thread"), classes="section"),
                Static(
                    Content("Not part of a thread: no critical post, no ambassador reply."),
                    classes="post",
                    id="thread-none",
                ),
            ]
        replies = list(thread.replies)
        count = counted(len(replies), "ambassador reply", "ambassador replies")
        widgets: list[Static] = [
            Static(
                Content(f"Thread: {count}  (j/k move, enter opens the post or its author)"),
                classes="section",
                id="thread-title",
            ),
        ]
        widgets.extend(self._post_rows(thread.root, "critical post: ", "post thread-root"))
        for reaction in thread.root_reactions:
            widgets.extend(self._reaction_rows(reaction))
        for reply in replies:
            widgets.extend(
                self._post_rows(reply.post, f"↳ {reply.delay_text}: ", "reply thread-reply")
            )
            widgets.append(self._badge_slot(reply.post.id, "reply thread-badges"))
            for reaction in reply.reactions:
                widgets.extend(self._reaction_rows(reaction))
        if not replies:
            widgets.append(Static(Content("no ambassador replied (yet)"), classes="reply"))
        missing = list(thread.missing_ids)
        if missing:
            widgets.append(
                Static(Content(f"not in the store: {', '.join(missing)}"), classes="post")
            )
        return widgets

    def _reaction_rows(self, reaction: ParodyReaction) -> list[Static]:
        prefix = f"parody {'quote' if reaction.kind == 'quote' else 'reply'} ↳ "
        return self._post_rows(reaction.post, prefix, "reaction thread-reaction")

    def _post_rows(self, post: PostRef, prefix: str, classes: str) -> list[Static]:
        """A post of the thread as two rows: its author (enter: profile), its text (enter:
        the post). The post shown at the top of the screen is marked, not reopened."""
        if post.missing:
            line = Content(f"{prefix}{post.id} (not in the store)")
            return [Static(line, classes=f"{classes} thread-missing")]
        current = " -current" if post.id == self.mention_id else ""
        head = author_content(
            prefix,
            self.authors.get(post.id),
            post.author,
            post.author_name,
            post.id,
            self._when(post.created_at) + (" · this post" if current else ""),
        )
        return [
            WalkRow(
                head,
                kind=AUTHOR,
                mention_id=post.id,
                author=self.authors.get(post.id),
                classes=f"{classes} thread-author{current}",
            ),
            WalkRow(
                Content(clean(post.text)),
                kind=POST,
                mention_id=post.id,
                classes=f"{classes} thread-text{current}",
            ),
        ]

    def action_open_url(self) -> None:
        if not self.url:
            self.notify("This mention has no link.", severity="warning", markup=False)
            return
        open_in_browser(self.app, self.url, self.mention_id)
