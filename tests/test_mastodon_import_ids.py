"""Saved Mastodon answers get the ids the live source gives (`mastodon:<instance>:<id>`):
a status id is the answering instance's own, so the instance is read from the answer,
or named with `import --instance`, never guessed from a remote author's address."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from tests.store_helpers import counts

HALCY_ON_ICOSAHEDRON = "110446223051565765"
"""mastodon.social's id of a status halcy posted on icosahedron.website."""


def entity_statuses(realworld: Path) -> list[dict[str, Any]]:
    """The two statuses mastodon.social answered GET /api/v1/statuses/:id with: [0] by a
    remote author (with a hashtag), [1] by a local one."""
    bodies = json.loads(
        (realworld / "mastodon" / "mastodonpy_test_entity_status.bodies.json").read_text()
    )
    return [json.loads(b["body"]) if isinstance(b["body"], str) else b["body"] for b in bodies]


def write(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def mention_ids(db_path: Path) -> list[str]:
    with Store.open(db_path, readonly=True) as store:
        return [r["id"] for r in store.rows("SELECT id FROM mentions ORDER BY id")]


def test_the_same_status_from_two_files_is_stored_once(
    realworld: Path, tmp_path: Path, db_path: Path, cli
) -> None:
    """The remote author's status alone, and in a list after a local author's status,
    are one mention of mastodon.social (its hashtag's page and the local author say so)."""
    remote, local = entity_statuses(realworld)
    alone = write(tmp_path / "alone.json", remote)
    listed = write(tmp_path / "listed.json", [local, remote])
    assert cli("import", "--db", db_path, alone, listed).code == 0
    assert mention_ids(db_path) == [
        f"mastodon:mastodon.social:{local['id']}",
        f"mastodon:mastodon.social:{HALCY_ON_ICOSAHEDRON}",
    ]


def test_an_answer_that_does_not_say_its_instance_is_refused_until_named(
    realworld: Path, tmp_path: Path, db_path: Path, cli
) -> None:
    """A remote author's status with nothing local in it is skipped, saying how to name the
    instance; `--instance mastodon.social` then stores it under mastodon.social."""
    remote = dict(entity_statuses(realworld)[0], tags=[])
    path = write(tmp_path / "remote.json", remote)
    run = cli("import", "--db", db_path, path)
    assert counts(run.out) == (0, 0, 1)
    assert f"skipped {path}: status {HALCY_ON_ICOSAHEDRON}: " in run.out
    assert "import --instance HOST" in run.out
    assert mention_ids(db_path) == []
    with Store.open(db_path, readonly=True) as store:
        assert list(store.rows("SELECT key FROM accounts")) == []
    named = cli("import", "--db", db_path, "--instance", "https://Mastodon.Social/", path)
    assert counts(named.out) == (1, 0, 0)
    assert mention_ids(db_path) == [f"mastodon:mastodon.social:{HALCY_ON_ICOSAHEDRON}"]


def test_an_answer_that_names_its_instance_overrides_the_flag(
    realworld: Path, tmp_path: Path, db_path: Path, cli
) -> None:
    """A local author's status says which instance answered; a different `--instance` is
    not used for it, and the import says so."""
    local = entity_statuses(realworld)[1]
    path = write(tmp_path / "local.json", local)
    run = cli("import", "--db", db_path, "--instance", "hachyderm.io", path)
    assert counts(run.out) == (1, 0, 0)
    assert mention_ids(db_path) == [f"mastodon:mastodon.social:{local['id']}"]
    assert "came from mastodon.social, not --instance hachyderm.io" in run.out


@pytest.mark.parametrize("value", ["not a host", "", "https://", "a/b/c d"])
def test_a_bad_instance_is_a_usage_error(
    tmp_path: Path, db_path: Path, cli, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """`--instance` takes a host name (or an address); anything else exits 2, saying so."""
    with pytest.raises(SystemExit) as stopped:
        cli("import", "--db", db_path, "--instance", value, tmp_path / "x.json")
    assert stopped.value.code == 2
    assert "--instance" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("mastodon.social:99999", "Port out of range"),
        ("https://mastodon.social:65536/", "Port out of range"),
        ("mastodon.social:0", "port 0"),
        ("mastodon.social:00", "port 0"),
    ],
)
def test_an_impossible_port_is_a_usage_error_and_stores_nothing(
    realworld: Path,
    tmp_path: Path,
    db_path: Path,
    cli,
    capsys: pytest.CaptureFixture[str],
    value: str,
    why: str,
) -> None:
    """`--instance host:99999` or `host:0` exits 2 naming the value and why; the status is
    not stored again under a made-up instance."""
    remote = dict(entity_statuses(realworld)[0], tags=[])
    path = write(tmp_path / "remote.json", remote)
    assert cli("import", "--db", db_path, "--instance", "mastodon.social", path).code == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        cli("import", "--db", db_path, "--instance", value, path)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"--instance: {value!r}" in err and why in err, err
    assert mention_ids(db_path) == [f"mastodon:mastodon.social:{HALCY_ON_ICOSAHEDRON}"]


def test_the_default_port_of_an_instance_names_the_same_instance(
    realworld: Path, tmp_path: Path, db_path: Path, cli
) -> None:
    """`--instance mastodon.social:443` (or https://Mastodon.Social:443/) stores the status
    under mastodon.social, once, as `--instance mastodon.social` does."""
    remote = dict(entity_statuses(realworld)[0], tags=[])
    path = write(tmp_path / "remote.json", remote)
    for instance in ("mastodon.social:443", "https://Mastodon.Social:443/", "mastodon.social"):
        assert cli("import", "--db", db_path, "--instance", instance, path).code == 0
    assert mention_ids(db_path) == [f"mastodon:mastodon.social:{HALCY_ON_ICOSAHEDRON}"]
    with Store.open(db_path, readonly=True) as store:
        assert [r["key"] for r in store.rows("SELECT key FROM accounts")] == [
            f"mastodon:mastodon.social:{remote['account']['id']}"
        ]


def test_an_instance_on_another_port_is_another_instance(
    realworld: Path, tmp_path: Path, db_path: Path, cli
) -> None:
    """`--instance mastodon.social:8443` is a different server: its ids keep the port."""
    remote = dict(entity_statuses(realworld)[0], tags=[])
    path = write(tmp_path / "remote.json", remote)
    assert cli("import", "--db", db_path, "--instance", "mastodon.social:8443", path).code == 0
    assert mention_ids(db_path) == [f"mastodon:mastodon.social:8443:{HALCY_ON_ICOSAHEDRON}"]
