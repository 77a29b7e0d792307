"""Walking a thread: rows to move through, enter opens a post, an author or a text block."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.feeds.parse import parse_feed
from tests.builders import page, rss, tweet, user
from tests.monitor_scenario import (
    NOW,
    Scenario,
    build_programme_store,
    build_store,
    store_batch,
)
from tests.tui_helpers import feed_of, make_app, settle
from tui.account_view import AccountScreen
from tui.ambassador_detail import AmbassadorDetailScreen
from tui.detail import DetailScreen
from tui.dialogs import HelpScreen
from tui.monitor import MonitorApp
from tui.text_block_view import TextBlockScreen
from tui.thread_rows import AUTHOR, BLOCK, POST, WalkRow, walk_rows
from tui.views import ParodyScreen

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

LONG_MOCKERY = (
    "Ich bin so froh über meinen Job, dass ich jeden Tag denselben Text poste, den mir "
    "die Kommunikationsabteilung schickt. Faire Löhne! Tolle Benefits! Niemand streikt! "
    "Und wer fragt, warum alle Botschafter gleich klingen, bekommt eine Antwort um 09:02."
)
"""A parody reaction longer than any screen line: it must wrap, never be cut."""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


def add_long_mockery(scenario: Scenario) -> str:
    """The parody account quotes Tom's reply with a long text; returns its id."""
    parody = user("KestreILena", "Lena (parody)", user_id="301", bio="Parody account. Not Lena.")
    tom = user("KestrelTom", "Tom FC Ambassador", user_id="202", followers=3, following=1)
    toms_reply = {"id": "1002", "author_id": tom["id"]}
    mock = tweet(
        parody, LONG_MOCKERY, tweet_id="1200", at=NOW - timedelta(minutes=10), quotes=toms_reply
    )
    store_batch(scenario.path, page([mock], [parody, tom]))
    return "x:1200"


def focused_row(app: MonitorApp) -> WalkRow:
    row = app.screen.focused
    assert isinstance(row, WalkRow), row
    return row


async def open_thread_of(app: MonitorApp, pilot: Pilot[None], mention_id: str) -> DetailScreen:
    feed = feed_of(app)
    feed.move_cursor(row=feed.get_row_index(mention_id))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen) and app.screen.mention_id == mention_id
    return app.screen


async def walk_to(
    app: MonitorApp, pilot: Pilot[None], kind: str, mention_id: str, *, limit: int = 30
) -> WalkRow:
    """Press j until the row of `kind` for `mention_id` has the focus (as a reader would)."""
    for _ in range(limit):
        row = focused_row(app)
        if row.kind == kind and row.mention_id == mention_id:
            return row
        await pilot.press("j")
    raise AssertionError(f"no {kind} row for {mention_id} reached by j")


def text(widget: Static) -> str:
    return str(widget.render())


async def test_walking_a_thread_to_a_parody_reaction_and_back(
    scenario: Scenario, tmp_path: Path
) -> None:
    """j walks the critical post, each reply and the parody reaction; escape comes back."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        thread = await open_thread_of(app, pilot, scenario.critical_id)
        posts = [r.mention_id for r in walk_rows(thread) if r.kind == POST]
        assert posts == [
            scenario.critical_id,
            scenario.lena_reply_id,
            scenario.parody_id,
            scenario.tom_reply_id,
        ]
        reaction = await walk_to(app, pilot, POST, scenario.parody_id)
        assert "Textbausteine" in text(reaction)
        await pilot.press("k")
        assert focused_row(app).kind == AUTHOR  # the reaction's author line, above its text
        assert "@KestreILena" in text(focused_row(app))
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.mention_id == scenario.parody_id
        assert "Textbausteine" in text(app.screen.query_one("#detail-text", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is thread
        assert focused_row(app) is reaction  # back where the reader left the thread
        await pilot.press("k", "enter")  # the parody account behind the reaction
        await settle(pilot)
        account = app.screen
        assert isinstance(account, AccountScreen) and account.title == "Parody account"
        assert "Parody account. Not Lena." in text(account.query_one("#account-summary", Static))
        mocked = focused_row(app)
        assert mocked.mention_id == scenario.parody_id and "Textbausteine" in text(mocked)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is thread
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen)


async def test_enter_on_a_reply_opens_that_post(scenario: Scenario, tmp_path: Path) -> None:
    """Enter on an ambassador reply's text opens the reply itself, with its thread."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_thread_of(app, pilot, scenario.critical_id)
        row = await walk_to(app, pilot, POST, scenario.tom_reply_id)
        assert "great pay" in text(row)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.mention_id == scenario.tom_reply_id
        assert "I love my job at Kestrel" in text(screen.query_one("#detail-text", Static))
        assert "@KestrelTom" in text(screen.query_one("#detail-author", Static))


async def test_enter_on_an_author_opens_the_profile(scenario: Scenario, tmp_path: Path) -> None:
    """Enter on an ambassador's name in a thread opens that account's signals."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_thread_of(app, pilot, scenario.critical_id)
        row = await walk_to(app, pilot, AUTHOR, scenario.lena_reply_id)
        assert "@KestrelLena" in text(row) and "after 12 min" in text(row)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AmbassadorDetailScreen) and screen.key == "x:201"
        assert screen.profile is not None and screen.profile.handle == "KestrelLena"
        findings = [text(w) for w in screen.query(".finding").results(Static)]
        assert any("0 followers" in f for f in findings)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert focused_row(app) is row


async def test_the_text_block_badge_lists_every_reply_sharing_it(tmp_path: Path) -> None:
    """From a text-block badge: every reply with that wording, in this thread and others."""
    programme = build_programme_store(tmp_path / "store.db")
    mia = user("KestrelMia", "Mia – Kestrel FC Botschafterin", user_id="214", followers=0)
    strike = {"id": "2010", "author_id": "112"}
    copy = tweet(
        mia,
        "Bei uns in Hafenstadt sind die Löhne fair und die Kollegen sind super nett.",
        tweet_id="2020",
        at=NOW - timedelta(minutes=30),
        lang="de",
        reply_to=strike,
    )
    store_batch(programme.path, page([copy], [mia]))
    app = make_app(programme, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_thread_of(app, pilot, programme.pay_post_id)
        badge = await walk_to(app, pilot, BLOCK, programme.jana_pay_id)
        assert "text block #1" in text(badge)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TextBlockScreen)
        posts = [r.mention_id for r in walk_rows(screen) if r.kind == POST]
        assert posts == [programme.jana_pay_id, programme.tobias_pay_id, "x:2020"]
        summary = text(screen.query_one("#block-summary", Static))
        assert "3 replies by 3 accounts" in summary and "@KestrelMia" in summary
        assert "Hafenstadt" in "\n".join(text(r) for r in walk_rows(screen))
        came_from = focused_row(app)
        assert came_from.mention_id == programme.jana_pay_id and came_from.kind == AUTHOR
        await pilot.press("g", "enter")  # the first row: Jana, the author of the first copy
        await settle(pilot)
        assert isinstance(app.screen, AmbassadorDetailScreen) and app.screen.key == "x:211"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)


def _hostile_thread(path: Path) -> tuple[str, str]:
    """A thread whose critic, reply and parody carry markup in names and texts."""
    critic = user("critic_x", "[@click=app.quit]x", user_id="701", followers=50)
    amb = user("KestrelEva", "Eva FC Ambassador", user_id="702", followers=0, following=0)
    parody = user("KestreIEva", "a [/] b", user_id="703", bio="Parody account [@click=app.quit]x")
    root = tweet(
        critic, "a [/] b Stundenlohn zu niedrig", tweet_id="7000", at=NOW - timedelta(hours=1)
    )
    reply = tweet(
        amb,
        "[@click=app.quit]x faire Löhne",
        tweet_id="7001",
        at=NOW - timedelta(minutes=50),
        reply_to=root,
    )
    mock = tweet(
        parody,
        "a [/] b [@click=app.quit]x",
        tweet_id="7002",
        at=NOW - timedelta(minutes=40),
        reply_to=reply,
    )
    store_batch(path, page([root, reply, mock], [critic, amb, parody]))
    return "x:7000", "x:7002"


async def test_hostile_names_and_posts_show_literally_in_the_walk(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Markup in a name, a post or a bio is shown as typed and enter on it does nothing else."""
    root_id, mock_id = _hostile_thread(scenario.path)
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        thread = await open_thread_of(app, pilot, root_id)
        shown = "\n".join(text(r) for r in walk_rows(thread))
        assert "[@click=app.quit]x" in shown and "a [/] b" in shown
        for row in walk_rows(thread):
            assert not any("click" in str(span.style) for span in row.visual.spans)  # type: ignore[attr-defined]
        await walk_to(app, pilot, AUTHOR, mock_id)
        await pilot.press("enter")
        await settle(pilot)
        account = app.screen
        assert isinstance(account, AccountScreen)
        summary = text(account.query_one("#account-summary", Static))
        assert "a [/] b" in summary and "Parody account [@click=app.quit]x" in summary
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.mention_id == mock_id
        assert app.is_running


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_parody_view_lists_accounts_and_shows_reactions_in_full(
    scenario: Scenario, tmp_path: Path, size: tuple[int, int]
) -> None:
    """`p`: the list as tall as its rows, the reactions wrapped whole below, enter opens one."""
    mock_id = add_long_mockery(scenario)
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ParodyScreen)
        table = screen.query_one(DataTable)
        assert [str(k.value) for k in table.rows] == ["x:301"]
        assert table.region.height == table.row_count + 1  # no empty lines under the list
        pane = screen.query_one("#list-detail")
        footer_top = size[1] - 1
        assert pane.region.bottom <= footer_top
        assert pane.region.height >= size[1] - table.region.height - 4  # the rest is its
        detail = text(screen.query_one("#list-detail-text", Static))
        assert " ".join(detail.split()).count(LONG_MOCKERY) == 1  # whole, only wrapped
        assert "Textbausteine" in detail and "@KestrelLena (ambassador)" in detail
        assert "@KestrelTom (ambassador)" in detail
        await pilot.press("enter")
        await settle(pilot)
        account = app.screen
        assert isinstance(account, AccountScreen)
        rows = [r.mention_id for r in walk_rows(account) if r.kind == POST]
        assert rows == [mock_id, scenario.tom_reply_id, scenario.parody_id, scenario.lena_reply_id]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.mention_id == mock_id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is account
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_keys_typed_fast_move_one_row_each(scenario: Scenario, tmp_path: Path) -> None:
    """Three j's that arrive together (a fast typist, a held key) move three rows, not one."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        thread = await open_thread_of(app, pilot, scenario.critical_id)
        rows = walk_rows(thread)
        start = rows.index(focused_row(app))
        for _ in range(3):
            app.post_message(events.Key("j", "j"))
        await settle(pilot)
        assert focused_row(app) is rows[start + 3]


async def test_help_tells_how_to_walk_a_thread(scenario: Scenario, tmp_path: Path) -> None:
    """`?` says which keys move through a thread and what enter opens there."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        # Descriptions wrap in their column: read the words, not the line breaks.
        shown = " ".join(text(app.screen.query_one("#help-text", Static)).split())
        assert "Thread, account page, text block" in shown
        assert "move between posts, authors and text-block badges" in shown
        assert "every reply sharing the text" in shown


async def test_a_click_picks_a_row_and_a_double_click_opens_it(
    scenario: Scenario, tmp_path: Path
) -> None:
    """The mouse works like the keys: click = move there, double click = enter."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        thread = await open_thread_of(app, pilot, scenario.critical_id)
        row = next(r for r in walk_rows(thread) if r.mention_id == scenario.lena_reply_id)
        await pilot.click(row)
        await settle(pilot)
        assert app.screen is thread and focused_row(app) is row
        await pilot.double_click(row)
        await settle(pilot)
        assert isinstance(app.screen, AmbassadorDetailScreen) and app.screen.key == "x:201"


async def test_a_view_key_deep_in_a_walk_replaces_the_walk(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`a` on an account page reached from a thread shows the ambassadors, not a pile."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_thread_of(app, pilot, scenario.critical_id)
        await walk_to(app, pilot, AUTHOR, scenario.parody_id)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # its newest reaction
        await settle(pilot)
        assert len(app.screen_stack) == 4  # feed, thread, account page, the reaction
        await pilot.press("a")
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["AmbassadorsScreen"]


async def test_enter_on_a_feed_author_opens_its_page_without_an_at(
    scenario: Scenario, tmp_path: Path
) -> None:
    """A feed's author is a name: its page lists its articles and writes no `@` before it."""
    document = rss(
        "Lahntaler Anzeiger",
        [
            {
                "title": "Streik bei Kestrel",
                "link": "https://news.example/streik",
                "description": "Verdi ruft zum Streik bei Kestrel auf.",
                "pubDate": "Mon, 02 Nov 2026 11:00:00 +0000",
                "author": "Tom Reyes",
            }
        ],
        lang="de",
    )
    with Store.open(scenario.path) as store:
        stored = ingest(store, parse_feed(document, "anzeiger"), Classifier(scenario.config))
    (mention_id,) = stored.new_ids
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_thread_of(app, pilot, mention_id)
        assert focused_row(app).kind == AUTHOR and focused_row(app).mention_id == mention_id
        await pilot.press("enter")
        await settle(pilot)
        page_ = app.screen
        assert isinstance(page_, AccountScreen)
        summary = text(page_.query_one("#account-summary", Static))
        assert "Tom Reyes" in summary and "@Tom Reyes" not in summary
        assert [r.mention_id for r in walk_rows(page_)] == [mention_id]


OWN_POST = "Heute nur Kaffee und Katzenbilder, kein Wort über Kestrel."
"""A parody account's own post: it replies to and quotes nothing, so it is no reaction."""


async def test_a_parody_accounts_own_post_is_no_reaction(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`p` and the account page count and list replies and quotes as reactions; an own post
    is counted and listed apart, under "Own posts"."""
    parody = user("KestreILena", "Lena (parody)", user_id="301", bio="Parody account. Not Lena.")
    own = tweet(parody, OWN_POST, tweet_id="1300", at=NOW - timedelta(minutes=5), lang="de")
    store_batch(scenario.path, page([own], [parody]))
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ParodyScreen)
        detail = " ".join(text(app.screen.query_one("#list-detail-text", Static)).split())
        assert "1 reaction stored · 1 own post" in detail
        reactions, own_part = detail.split("Own posts (")
        assert "Textbausteine" in reactions and OWN_POST not in reactions
        assert OWN_POST in own_part and "own post" in own_part
        await pilot.press("enter")
        await settle(pilot)
        account = app.screen
        assert isinstance(account, AccountScreen)
        summary = text(account.query_one("#account-summary", Static))
        assert "1 reaction stored · 1 own post" in summary
        sections = [text(s) for s in account.query(".section").results(Static)]
        assert sections[0].startswith("Reactions (") and sections[1].startswith("Own posts (")
        rows = [r.mention_id for r in walk_rows(account) if r.kind == POST]
        assert rows == [scenario.parody_id, scenario.lena_reply_id, "x:1300"]


async def test_a_post_without_author_data_offers_no_profile(
    scenario: Scenario, tmp_path: Path
) -> None:
    """An X post stored with only its id and text has no account: the mention view offers
    no profile (no "enter: profile", no author row to walk to) and names no `@unknown`."""
    bare = {"id": "1400", "text": "Kestrel pay is low", "created_at": "2026-11-02T11:59:00.000Z"}
    (mention_id,) = store_batch(scenario.path, page([bare], []))
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_thread_of(app, pilot, mention_id)
        sections = [text(s) for s in screen.query(".section").results(Static)]
        assert "Author" in sections and not any("profile" in s for s in sections)
        author = screen.query_one("#detail-author", WalkRow)
        assert not author.focusable and "@unknown" not in text(author)
        assert "not in the data" in text(author)
        assert [r for r in walk_rows(screen) if r.kind == AUTHOR] == []
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
