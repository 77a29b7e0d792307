"""Account roles: who speaks for the company, who mocks it, and why we think so."""

from __future__ import annotations

import json

import pytest

from filters.roles import RoleDecision, RoleRules, fold_lookalikes
from sources.model.config import AccountsSection, CompanySection, Config

RULES = RoleRules.from_config(
    Config(
        company=CompanySection(name="Kestrel", handles=["Kestrel", "KestrelDE"]),
        accounts=AccountsSection(ambassadors=["kestrel_mia", "@Kestrel_Ben"], press=["tagblatt"]),
    )
)


@pytest.mark.parametrize(
    ("handle", "name", "bio", "role"),
    [
        ("kestrel_mia", "Mia (parody)", "", "ambassador"),  # the config list comes first
        ("KESTREL_BEN", "", "", "ambassador"),
        ("kestrelde", "", "", "official"),
        ("Tagblatt", "", "", "press"),
        ("tom_w", "Tom | Kestrel FC Ambassador", "", "ambassador"),
        ("lena", "Lena", "Botschafterin bei Kestrel in Leipzig", "ambassador"),
        ("kim", "Kim, Botschafter:in", "", "ambassador"),
        ("jo", "Jo", "Stolze Markenbotschafterin", "ambassador"),
        ("x1", "Kestrel FC Ambassador (parody)", "", "parody"),
        ("x2", "Kestrel Botschafter", "Satire. Kein offizieller Account!", "parody"),
        ("x3", "Anna", "Not affiliated with Kestrel", "parody"),
        ("x4", "Fake Kestrel Support", "", "parody"),
        ("x5", "Max", "Parodieaccount, nicht ernst nehmen", "parody"),
        ("x6", "Newsfan", "I hate #fakenews and love satireheft.de", "public"),
        ("x7", "Sam", "Warehouse worker, union member", "public"),
    ],
)
def test_roles_from_lists_names_and_bios(handle: str, name: str, bio: str, role: str) -> None:
    """Config lists, then bilingual name/bio markers decide; parody beats ambassador."""
    assert RULES.decide(handle, name, bio).role == role


@pytest.mark.parametrize(
    "handle",
    [
        "kestreI_mia",
        "kestrel_rnia",
        "Kestre1_mia",
        "kestrel-mia",
        "kestrell_mia",
        "kestrle_mia",
        "KestreIDE",
        "Kestre1",
    ],
)
def test_look_alike_handles_are_parody(handle: str) -> None:
    """A handle imitating an ambassador's or the company's is parody, and the reason says whom."""
    decision = RULES.decide(handle, "Mia | Kestrel FC Ambassador")
    assert decision.role == "parody"
    assert "@kestrel" in decision.reason


def test_similar_but_distinct_names_are_not_imitations() -> None:
    """Two colleagues whose handles differ by one real letter are both ambassadors."""
    assert RULES.decide("kestrel_jen", "Jen FC Ambassador").role == "ambassador"
    assert RULES.decide("kestrel_max", "Max").role == "public"


def test_every_role_carries_a_reason() -> None:
    """The reason names the rule and the words that decided it."""
    assert RULES.decide("x", "Anna", "Botschafterin").reason == "bio contains 'Botschafterin'"
    assert RULES.decide("x", "Kestrel Fan (Parodie)").reason == (
        "display name contains parody marker 'Parodie'"
    )
    assert RULES.decide("kestrel_mia").reason == "listed in the config (accounts.ambassadors)"
    assert RULES.decide("feedauthor", platform="rss").role == "press"
    assert RULES.decide("someone").reason == "no rule matched"


def test_fold_lookalikes() -> None:
    """I/l/1, 0/O and rn/m fold together."""
    assert fold_lookalikes("KestreI_0ps") == fold_lookalikes("kestrel_ops") == "kestrelops"
    assert fold_lookalikes("rnia") == fold_lookalikes("mla")


def test_fingerprint_changes_with_the_config() -> None:
    """Changing a role list changes the fingerprint (so stored roles are decided again)."""
    other = RoleRules.from_config(Config(accounts=AccountsSection(ambassadors=["someone"])))
    assert other.fingerprint() != RULES.fingerprint()
    assert (
        RoleRules.from_config(Config()).fingerprint()
        == RoleRules.from_config(Config()).fingerprint()
    )


@pytest.mark.parametrize(
    "bio",
    [
        "Journalist. Fighting fake news since 2016",
        "Faktencheck gegen Fake News und Desinformation",
        "Wir entlarven Fake-News. Redaktion Faktenfuchs",
        "not responsible for fake/old news",
        "Calling out FAKE NEWS about Kestrel",
        "Spotting fake reviews & fake followers for a living",
        "Wir melden Fake-Accounts und Fake-Bewertungen",
        "Vorsicht vor Fake-Shops! Verbraucherzentrale",
        "Countering fake people",
        "fake it till you make it",
    ],
)
def test_people_who_fight_fake_news_are_not_parody(bio: str) -> None:
    """A bio that fights or reports fake news, reviews or followers is no parody account."""
    decision = RULES.decide("someone", "Someone", bio)
    assert decision.role != "parody", decision.reason


def test_a_journalist_fighting_fake_news_is_press() -> None:
    """A journalist's bio about fake news makes the account press, not parody."""
    decision = RULES.decide("someone", "Someone", "Journalist. Fighting fake news since 2016")
    assert decision == RoleDecision("press", "bio contains 'Journalist'")


@pytest.mark.parametrize(
    ("name", "bio"),
    [
        ("Fake Kestrel Support", ""),
        ("Kestrel CEO (fake)", ""),
        ("Kestrel", "This is a fake account. Not the real Kestrel"),
        ("Kestrel News", "Fake. Nothing here is true, not even the news"),
        ("Kestrel-Fake", "Fake-Account, kein Bezug zu Kestrel"),
        ("Kestrel", "100% fake, 0% news"),
    ],
)
def test_accounts_that_call_themselves_fake_stay_parody(name: str, bio: str) -> None:
    """An account describing itself as fake is parody, the reason naming the word."""
    decision = RULES.decide("someone", name, bio)
    assert decision.role == "parody"
    assert "'fake" in decision.reason.lower()


def test_real_bios_about_fake_things_are_not_parody_and_real_parodies_are(realworld) -> None:
    """Real X users: "Countering fake people" and a seller "not responsible for fake/old"
    items are no parody accounts; the real parody and fan accounts still are."""
    users = {}
    for name in ("kpop.jsonl", "withheld.jsonl"):
        for line in (realworld / "twitter_v2" / "twarc_csv_testdata" / name).open():
            for found in json.loads(line).get("includes", {}).get("users", []):
                users[found["username"]] = found
    rules = RoleRules.from_config(Config())

    def role(handle: str) -> str:
        found = users[handle]
        return rules.decide(handle, found["name"], found["description"]).role

    assert role("Ghantalog") == role("xtxxzinfo") == role("ShahidaWaheed3") == "public"
    assert role("Rosasburner") == role("rahulfans_up") == "parody"


def test_an_account_listed_under_an_earlier_handle_keeps_that_role() -> None:
    """A renamed account keeps its listed role; its current handle, when listed, decides."""
    rules = RoleRules.from_config(
        Config(accounts=AccountsSection(ambassadors=["AmbAnna"], parody=["ParoPete"]))
    )
    renamed = rules.decide_account("AnnaAtAcme", "Anna", "", "x", ["AmbAnna"])
    assert renamed.role == "ambassador"
    assert renamed.reason == (
        "listed in the config (accounts.ambassadors) as @AmbAnna, "
        "the account's handle before @AnnaAtAcme"
    )
    assert rules.decide_account("ParoPete", "", "", "x", ["AmbAnna"]).role == "parody"
    assert rules.decide_account("someone", "", "", "x", ["old_name"]).role == "public"
