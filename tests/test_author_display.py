"""Authors are named as their platform names them: @handle for accounts, a name for feeds."""

from __future__ import annotations

from filters.threads import PostRef
from sources.model.handles import shown_author
from tui.detail import post_line


def test_feed_author_is_a_name_on_screen() -> None:
    """A feed item's author in a thread reads "The New York Times", not "@The New York Times"."""
    line = post_line(PostRef(id="rss:ab12", author="The New York Times", text="Streik")).plain
    assert line.startswith("The New York Times (")
    assert "@The New York Times" not in line


def test_account_author_keeps_its_handle() -> None:
    """An X author still reads "@anna_fc"."""
    line = post_line(PostRef(id="x:1", author="anna_fc", text="Hallo")).plain
    assert line.startswith("@anna_fc (")


def test_shown_author_by_platform() -> None:
    """Handles only where the platform has them; no author gives nothing to show."""
    assert shown_author("anna", "x") == "@anna"
    assert shown_author("anna.bsky.social", "bluesky") == "@anna.bsky.social"
    assert shown_author("Tom Reyes", "rss") == "Tom Reyes"
    assert shown_author("", "x") == ""
