"""Help and error texts say what the program does (not an internal name, not less)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.model.config import SECRET_ENVS


def test_alerts_help_names_every_secret_kept_from_notify_command(
    cli, capsys: pytest.CaptureFixture[str]
) -> None:
    """`alerts --help` names all three secrets as removed from notify_command's environment."""
    with pytest.raises(SystemExit):
        cli("alerts", "--help")
    shown = " ".join(capsys.readouterr().out.split())
    assert all(name in shown for name in SECRET_ENVS)
    assert "are removed from its environment" in shown


def test_an_instance_that_is_no_address_says_what_is_expected(
    cli, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`--instance "http://[::1"` is refused with what an instance is, no internal name."""
    archive = tmp_path / "a.json"
    archive.write_text("[]")
    with pytest.raises(SystemExit) as stopped:
        cli("import", "--db", tmp_path / "s.db", "--instance", "http://[::1", archive)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "_instance_host" not in err
    assert "expected a host name such as mastodon.social, got 'http://[::1'" in err
