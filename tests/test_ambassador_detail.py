"""The ambassador detail screen: each signal with its evidence, user text shown literally."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.x.twitter_v2 import parse_response
from tests import builders
from tests.store_helpers import MONDAY, NOW, build_programme
from tests.store_helpers import ambassador_config as config
from tests.tui_helpers import workers_done
from tui.ambassador_detail import AmbassadorDetailScreen, ambassador_detail_screen

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

HOSTILE = (
    "[red]x[/] [@click=app.quit]quit[/] \x1b[2J clear \u202eevil Lohn ist fair und gut geregelt"
)


class Host(App[None]):
    """A bare app that shows one detail screen."""

    def __init__(self, screen: AmbassadorDetailScreen) -> None:
        super().__init__()
        self.detail = screen

    def on_mount(self) -> None:
        self.push_screen(self.detail)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(2):
        await pilot.pause()
        await workers_done(pilot.app)
    await pilot.pause()


def shown(screen: AmbassadorDetailScreen, selector: str) -> list[str]:
    return [str(w.content) for w in screen.query(selector).results(Static)]


def anne_key(db_path: Path) -> str:
    with Store.open(db_path, readonly=True) as store:
        row = next(store.rows("SELECT key FROM accounts WHERE handle = 'anne_fc'"))
    return str(row["key"])


def add_hostile_pair(db_path: Path) -> None:
    """Anne and Bernd both answer a critic with the same hostile-looking text."""
    critic = builders.user("kritikerin", "Kritische Stimme", followers=900, following=300)
    anne = builders.user("anne_fc", "Anne | Kestrel FC Ambassador", followers=0, following=0)
    bernd = builders.user("bernd_fc", "Bernd FC Botschafter", followers=0, following=0)
    at = MONDAY + timedelta(days=7)
    critical = builders.tweet(critic, "Lohn? #streik", at=at)
    first = builders.tweet(anne, HOSTILE, at=at + timedelta(seconds=5), reply_to=critical)
    second = builders.tweet(bernd, HOSTILE, at=at + timedelta(seconds=45), reply_to=critical)
    batch = parse_response(builders.page([critical, first, second], [critic, anne, bernd]), "t")
    with Store.open(db_path) as store:
        ingest(store, batch, Classifier(config()))


async def test_detail_shows_each_signal_with_evidence(db_path: Path) -> None:
    """Opening Anne shows her warnings, the heat map, co-replies, pairs and signed names."""
    build_programme(db_path)
    screen = ambassador_detail_screen(
        db_path, anne_key(db_path), config=config(), clock=lambda: NOW
    )
    app = Host(screen)
    async with app.run_test(size=(160, 60)) as pilot:
        await settle(pilot)
        assert screen.profile is not None
        warnings = shown(screen, ".finding.warning")
        assert len(warnings) == 6
        assert any("signed as Andrea" in w for w in warnings)
        assert any("co-replies with @bernd_fc" in w for w in warnings)
        heatmap = str(screen.query_one("#heatmap", Static).content).splitlines()
        monday = next(line for line in heatmap if line.startswith("Mon"))
        cells = [monday[5 + 3 * hour : 7 + 3 * hour] for hour in range(24)]
        assert cells[9] == "██" and cells[8] == "  "  # 09:10 Berlin, nothing at 08:00
        assert len(shown(screen, ".co-reply")) == 5
        assert all("30 s apart with @bernd_fc" in c for c in shown(screen, ".co-reply"))
        pairs = list(screen.query(".duplicate-pair"))
        assert len(pairs) == 5
        left, right = (str(s.content) for s in pairs[0].query(Static).results(Static))
        assert left.startswith("@anne_fc") and right.startswith("@bernd_fc")
        signed = shown(screen, ".signoff.warning")
        assert len(signed) == 2 and all("signed: Andrea" in s for s in signed)


async def test_hostile_text_is_shown_literally(db_path: Path) -> None:
    """Markup, escape sequences and bidi overrides in replies display as inert text."""
    build_programme(db_path)
    add_hostile_pair(db_path)
    screen = AmbassadorDetailScreen(db_path, anne_key(db_path), config=config(), clock=lambda: NOW)
    app = Host(screen)
    async with app.run_test(size=(160, 60)) as pilot:
        await settle(pilot)
        pairs = list(screen.query(".duplicate-pair"))
        texts = [s.content for pair in pairs for s in pair.query(Static).results(Static)]
        hostile = [t for t in texts if isinstance(t, Content) and "[red]x[/]" in t.plain]
        assert len(hostile) == 2
        for content in hostile:
            assert "[@click=app.quit]quit[/]" in content.plain
            assert "\x1b" not in content.plain and "\u202e" not in content.plain
            assert not any("click" in str(span.style) for span in content.spans)
        assert app.is_running  # the click markup did not quit the app


async def test_unknown_account_says_so(db_path: Path) -> None:
    """A key that is not (or no longer) an ambassador shows a sentence, not a crash."""
    build_programme(db_path)
    screen = AmbassadorDetailScreen(db_path, "x:nobody", config=config(), clock=lambda: NOW)
    app = Host(screen)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert screen.profile is None
        assert any("not an ambassador" in t for t in shown(screen, "Static"))
