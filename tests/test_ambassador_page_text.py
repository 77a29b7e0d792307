"""The wording of an ambassador's signals page: counts in words, each said once."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.store_helpers import build_programme, profiles_by_handle
from tui.ambassador_detail import profile_widgets


def _lines(db_path: Path, handle: str) -> list[str]:
    profile = profiles_by_handle(db_path)[handle]
    return [str(w.content) for w in profile_widgets(profile, {}) if isinstance(w, Static)]


def test_one_reply_is_one_reply_and_the_disclosure_evidence_is_said_once(db_path: Path) -> None:
    """Lena's page says "1 reply to others" and names where she discloses her role once."""
    build_programme(db_path)
    lines = _lines(db_path, "lena_k")
    summary = lines[0]
    assert "6 posts, 1 reply to others" in summary
    assert "1 replies" not in summary
    (disclosure,) = [line for line in lines if "discloses role" in line]
    assert disclosure == "· discloses role (profile)"
