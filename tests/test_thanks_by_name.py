"""Thanking or greeting the critic by name is not signing with someone else's name."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cache.db.store import Store
from cache.read.ambassadors import AmbassadorProfile, ambassador_profiles, reply_badges
from sources.model.config import load_config
from tests import builders
from tests.builders import BASE_TIME

CONFIG = '[accounts]\nambassadors = ["AmbAnna", "AmbBen"]\n'
MIKE = builders.user("mike_t", "Mike Turner")
LENA = builders.user("lena_lager", "Lena")
MICHAEL = builders.user("mt_1985", "Michael Turner")  # his name only in the display name
ANNA = builders.user("AmbAnna", "Anna - Acme")
BEN = builders.user("AmbBen", "Ben - Acme")

THANKS = [
    (MIKE, "@mike_t We hear you and will pass this on to the site lead. Thanks, Mike!"),
    (LENA, "@lena_lager Wir geben das an die Standortleitung weiter. Danke, Lena!"),
    (MIKE, "@mike_t We will look into the break schedule. Thank you, Mike."),
    (MIKE, "@mike_t Sorry to hear that, I will ask the site lead. Take care, Mike."),
    (MICHAEL, "@mt_1985 The pay table is on the intranet, page three. Thanks, Michael!"),
    (LENA, "@lena_lager Das klären wir mit der Schichtleitung. Danke, Lena 🙂 #Acme"),
]
SIGNED = [
    (MIKE, "@mike_t We pay above the local average here. – Anna"),
    (MIKE, "@mike_t Bei uns sind die Pausen fest eingeplant. LG Anna"),
    (LENA, "@lena_lager Wir zahlen über Tarif, ehrlich. Viele Grüße, Anna"),
    (MIKE, "@mike_t We pay above the local average here. Best, Anna"),
    (MIKE, "@mike_t We will pass this on, promise. Thanks, Anna"),  # Anna is not Mike
    (LENA, "@lena_lager Wir kümmern uns darum. Danke, Mike!"),  # Mike is not Lena
    (MIKE, "@mike_t We will pass this on, promise. LG Mike"),  # a signature, even to Mike
]


def _store(tmp_path: Path, db_path: Path, cli, replies: list[tuple[dict, str]], by: dict):  # type: ignore[no-untyped-def,unused-ignore,type-arg]
    tweets = []
    for number, (critic, text) in enumerate(replies):
        at = BASE_TIME + timedelta(hours=number)
        post = builders.tweet(critic, f"Acme cuts our breaks again, day {number}", at=at)
        tweets += [post, builders.tweet(by, text, at=at + timedelta(minutes=20), reply_to=post)]
    page = tmp_path / "page.json"
    page.write_text(json.dumps(builders.page(tweets, [MIKE, LENA, MICHAEL, ANNA, BEN])))
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    run = cli("import", "--db", db_path, "--config", config, page)
    assert run.code == 0, run.err
    return config, [t["id"] for t in tweets[1::2]]


def _profiles(store: Store, config: Path) -> dict[str, AmbassadorProfile]:
    return {p.handle: p for p in ambassador_profiles(store, load_config(config))}


def test_thanking_the_critic_by_name_raises_no_signed_as_warning(
    tmp_path: Path, db_path: Path, cli
) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    """'Thanks, Mike!' to @mike_t and 'Danke, Lena!' to @lena_lager are no signatures:
    no 'signed as' warning in the report, no 'signed:' badge on the replies."""
    config, reply_ids = _store(tmp_path, db_path, cli, THANKS, ANNA)
    report = cli(
        "export", "--db", db_path, "--config", config, "--report", "ambassadors", "--format", "md"
    )
    assert report.code == 0, report.err
    assert "signed as" not in report.out
    with Store.open(db_path, readonly=True) as store:
        anna = _profiles(store, config)["AmbAnna"]
        badges = reply_badges(store, load_config(config), [f"x:{i}" for i in reply_ids])
    assert anna.replies == len(THANKS)
    assert anna.signoffs == ()
    assert not [b for found in badges.values() for b in found if b.startswith("signed")]


def test_real_signatures_with_another_name_are_still_flagged(
    tmp_path: Path, db_path: Path, cli
) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    """'– Anna', 'LG Anna', 'Viele Grüße, Anna', 'Best, Anna' from Ben stay 'signed as',
    as do thanks with a name that is not the critic's and 'LG Mike' to Mike."""
    config, reply_ids = _store(tmp_path, db_path, cli, SIGNED, BEN)
    report = cli(
        "export", "--db", db_path, "--config", config, "--report", "ambassadors", "--format", "md"
    )
    assert report.code == 0, report.err
    assert "signed as Anna, Mike" in report.out
    with Store.open(db_path, readonly=True) as store:
        ben = _profiles(store, config)["AmbBen"]
    assert [(s.reply_id, s.name) for s in ben.signoffs if not s.matches_account] == [
        (f"x:{i}", name) for i, name in zip(reply_ids, ["Anna"] * 5 + ["Mike", "Mike"], strict=True)
    ]
