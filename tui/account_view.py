"""One account's page: who it is, why it has its role, and its posts in full.

Opened from a thread (enter on a parody or public author) and from the parody list
(enter on an account). For a parody account the posts are its reactions (its replies
and quotes of others' posts), each with the post it mocked, and apart from them its own
posts, which react to nobody (PRODUCT.md: a thread's reactions are replies and quotes;
answering or quoting itself goes on with its own thread). Every post
is a row (`enter` opens it with its thread), so a reader can walk from a thread to a
parody account, to one of its reactions, and back with escape.
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
from textual.worker import Worker, WorkerState

from sources.model.config import Config
from sources.model.counted import counted
from sources.model.handles import shown_author
from tui import gateway, timefmt
from tui.fitted_footer import FittedFooter
from tui.gateway import AccountPage, AccountPost
from tui.over_feed import OverFeedScreen
from tui.safe_text import clean, shorten, shown_name
from tui.thread_rows import POST, WalkRow, display_tz, open_row

TARGET_WIDTH = 200
"""Characters of the post reacted to (the reaction itself is always shown whole)."""


def _number(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def stored_posts(page: AccountPage) -> str:
    """`12 posts stored`; a parody account's reactions and own posts counted apart."""
    if page.role != "parody":
        return f"{counted(page.posts, 'post')} stored"
    own = f" · {counted(page.own_posts, 'own post')}" if page.own_posts else ""
    return f"{counted(page.reactions, 'reaction')} stored{own}"


@dataclass(frozen=True)
class PostSection:
    """The posts listed under one heading of an account: its name, the newest of them
    and how many are stored."""

    name: str
    posts: tuple[AccountPost, ...]
    stored: int

    def heading(self, how: str) -> str:
        """`Reactions (newest first, the newest 50 of 80; HOW)`."""
        shown = len(self.posts)
        more = f", the newest {shown} of {self.stored}" if shown < self.stored else ""
        return f"{self.name} (newest first{more}; {how})"

    def none_shown(self, page: AccountPage) -> str:
        """What an empty section says: nothing stored, or nothing among the posts read."""
        return "none yet" if not self.stored else f"none among the newest {len(page.recent)}"


def post_sections(page: AccountPage) -> list[PostSection]:
    """A parody account's reactions, then its own posts (if any); any other's posts."""
    if page.role != "parody":
        return [PostSection("Posts", page.recent, page.posts)]
    reactions = tuple(p for p in page.recent if p.reaction)
    sections = [PostSection("Reactions", reactions, page.reactions)]
    if page.own_posts:
        own = tuple(p for p in page.recent if not p.reaction)
        sections.append(PostSection("Own posts", own, page.own_posts))
    return sections


def account_summary(page: AccountPage) -> Content:
    """Name, handle, bio, audience and role with its reason, all literal."""
    return Content.from_markup(
        "[b]$name[/b] $handle\n$bio\n$followers · follows $following · "
        "$posts\nrole: [b]$role[/b] ($reason)",
        name=shown_name(page.display_name),
        handle=shown_name(shown_author(page.handle, page.platform)),
        bio=clean(page.bio) or "(no bio)",
        followers=counted(page.followers, "follower"),
        following=_number(page.following),
        posts=stored_posts(page),
        role=clean(page.role, one_line=True) or "unknown",
        reason=clean(page.role_reason, one_line=True) or "no reason given",
    )


def _target(post: AccountPost, platform: str) -> str:
    if not post.target_id:
        return "own post"
    link = "quote of" if post.kind == "quote" else "reply to"
    if not post.target_text and not post.target_author:
        return f"{link} {post.target_id} (not in the store)"
    who = shown_name(shown_author(post.target_author, platform)) or "?"
    return f"{link} {who} ({clean(post.target_role, one_line=True) or 'public'})"


def post_content(
    post: AccountPost, platform: str, now: datetime, tz: tzinfo | None = None
) -> Content:
    """One post in full (wrapped by the screen, never cut): when, what it answers, text."""
    return Content.from_markup(
        "[b]$when[/b] [dim]· $target[/dim]\n$text",
        when=timefmt.when(post.created_at, now, tz),
        target=_target(post, platform),
        text=clean(post.text),
    )


def target_content(post: AccountPost, platform: str) -> Content:
    """The post reacted to, in short: `↳ on @x (ambassador): text`."""
    who = shown_name(shown_author(post.target_author, platform)) or "?"
    return Content.from_markup(
        "[dim]↳ on[/dim] $who [dim]($role)[/dim]: $text",
        who=who,
        role=clean(post.target_role, one_line=True) or "public",
        text=shorten(clean(post.target_text, one_line=True), TARGET_WIDTH),
    )


class AccountScreen(OverFeedScreen):
    """A parody (or any non-ambassador) account with its posts as rows to open."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "app.pop_screen", "Back")]
    DEFAULT_CSS = """
    AccountScreen VerticalScroll { padding: 0 1; }
    AccountScreen .section { margin-top: 1; text-style: bold; color: $primary; }
    AccountScreen .account-post { margin-top: 1; }
    AccountScreen .account-target { padding-left: 3; }
    """

    class Loaded(Message):
        def __init__(self, page: AccountPage | None) -> None:
            super().__init__()
            self.page = page

    def __init__(self, db_path: Path, key: str, now: datetime, config: Config | None = None):
        super().__init__()
        self.db_path = db_path
        self.key = key
        self.now = now
        self.config = config or Config()
        self.page: AccountPage | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="account-body"):
            yield Static(Content(f"Loading {self.key}…"))
        yield FittedFooter()

    def on_mount(self) -> None:
        self.title = "Account"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="account")
    def load(self) -> None:
        self.post_message(self.Loaded(gateway.read_account(self.db_path, self.key)))

    @on(Worker.StateChanged)
    async def worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            await self._show([Static(Content(f"Cannot read the account: {event.worker.error}"))])

    @on(Loaded)
    async def loaded(self, message: Loaded) -> None:
        page = self.page = message.page
        if page is None:
            await self._show([Static(Content(f"{self.key} is not in the store."))])
            return
        parody = page.role == "parody"
        self.title = "Parody account" if parody else "Account"
        self.sub_title = shown_name(shown_author(page.handle, page.platform))
        widgets: list[Static] = [Static(account_summary(page), id="account-summary")]
        for section in post_sections(page):
            heading = section.heading("enter opens one with its thread")
            widgets.append(Static(Content(heading), classes="section"))
            widgets.extend(self._post_rows(page, section.posts))
            if not section.posts:
                widgets.append(Static(Content(section.none_shown(page))))
        await self._show(widgets)
        rows = self.query(WalkRow).results(WalkRow)
        first = next(iter(rows), None)
        if first is not None:
            first.focus(scroll_visible=False)

    def _post_rows(self, page: AccountPage, posts: tuple[AccountPost, ...]) -> list[Static]:
        """Each post as a row, and under a reaction the post it reacts to (a row too)."""
        tz = display_tz(self.app)
        widgets: list[Static] = []
        for post in posts:
            widgets.append(
                WalkRow(
                    post_content(post, page.platform, self.now, tz),
                    kind=POST,
                    mention_id=post.id,
                    classes="account-post",
                )
            )
            if post.target_id and (post.target_text or post.target_author):
                widgets.append(
                    WalkRow(
                        target_content(post, page.platform),
                        kind=POST,
                        mention_id=post.target_id,
                        classes="account-target",
                    )
                )
        return widgets

    @on(WalkRow.Chosen)
    def row_chosen(self, message: WalkRow.Chosen) -> None:
        message.stop()
        open_row(self, message.row, db_path=self.db_path, config=self.config, now=self.now)

    async def _show(self, widgets: list[Static]) -> None:
        body = self.query_one("#account-body", VerticalScroll)
        await body.remove_children()
        await body.mount_all(widgets)


def account_screen(db_path: Path, key: str, now: datetime, config: Config | None = None) -> Any:
    """The factory the parody list calls (tui.views)."""
    return AccountScreen(db_path, key, now, config)
