"""Authors are named as their platform names them: @handle for accounts, a name for feeds."""

from __future__ import annotations

from sources.model.handles import shown_author
from tui.thread_rows import author_content


def test_feed_author_is_a_name_on_screen() -> None:
    """A feed item's author in a thread reads "The New York Times", not "@The New York Times"."""
    line = author_content("", None, "The New York Times", "", "rss:ab12", "08:00").plain
    assert line.startswith("The New York Times · ")
    assert "@The New York Times" not in line


def test_account_author_keeps_its_handle() -> None:
    """An X author still reads "@anna_fc"."""
    line = author_content("", None, "anna_fc", "", "x:1", "08:00").plain
    assert line.startswith("@anna_fc · ")


def test_shown_author_by_platform() -> None:
    """Handles only where the platform has them; no author gives nothing to show."""
    assert shown_author("anna", "x") == "@anna"
    assert shown_author("anna.bsky.social", "bluesky") == "@anna.bsky.social"
    assert shown_author("Tom Reyes", "rss") == "Tom Reyes"
    assert shown_author("", "x") == ""
