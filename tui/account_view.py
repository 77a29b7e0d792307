"""One account's page: who it is, why it has its role, and its posts in full.

Opened from a thread (enter on a parody or public author) and from the parody list
(enter on an account). For a parody account the posts are its reactions, each with the
post it mocked; every post is a row (`enter` opens it with its thread), so a reader can
walk from a thread to a parody account, to one of its reactions, and back with escape.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from sources.model.config import Config
from sources.model.counted import counted
from sources.model.handles import shown_author
from tui import gateway, timefmt
from tui.gateway import AccountPage, AccountPost
from tui.over_feed import OverFeedScreen
from tui.safe_text import clean, shorten
from tui.thread_rows import POST, WalkRow, display_tz, open_row

TARGET_WIDTH = 200
"""Characters of the post reacted to (the reaction itself is always shown whole)."""


def _number(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def account_summary(page: AccountPage) -> Content:
    """Name, handle, bio, audience and role with its reason, all literal."""
    noun = "reaction" if page.role == "parody" else "post"
    return Content.from_markup(
        "[b]$name[/b] $handle\n$bio\n$followers · follows $following · "
        "$posts stored\nrole: [b]$role[/b] ($reason)",
        name=clean(page.display_name, one_line=True),
        handle=clean(shown_author(page.handle, page.platform), one_line=True),
        bio=clean(page.bio) or "(no bio)",
        followers=counted(page.followers, "follower"),
        following=_number(page.following),
        posts=counted(page.posts, noun),
        role=clean(page.role, one_line=True) or "unknown",
        reason=clean(page.role_reason, one_line=True) or "no reason given",
    )


def _target(post: AccountPost, platform: str) -> str:
    if not post.target_id:
        return "own post"
    link = "quote of" if post.kind == "quote" else "reply to"
    if not post.target_text and not post.target_author:
        return f"{link} {post.target_id} (not in the store)"
    who = clean(shown_author(post.target_author, platform), one_line=True) or "?"
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
    who = clean(shown_author(post.target_author, platform), one_line=True) or "?"
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
        yield Footer()

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
        self.sub_title = clean(shown_author(page.handle, page.platform), one_line=True)
        tz = display_tz(self.app)
        noun = "Reactions" if parody else "Posts"
        shown = len(page.recent)
        more = f", the newest {shown} of {page.posts}" if shown < page.posts else ""
        widgets: list[Static] = [
            Static(account_summary(page), id="account-summary"),
            Static(
                Content(f"{noun} (newest first{more}; enter opens one with its thread)"),
                classes="section",
            ),
        ]
        for post in page.recent:
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
        if not page.recent:
            widgets.append(Static(Content("none yet")))
        await self._show(widgets)
        rows = self.query(WalkRow).results(WalkRow)
        first = next(iter(rows), None)
        if first is not None:
            first.focus(scroll_visible=False)

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
