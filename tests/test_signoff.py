"""Sign-off names at the end of replies, German and English, and whether they fit."""

from __future__ import annotations

import pytest

from filters.signals.measures import Post, SignedReply, signoffs
from filters.signals.signoff import (
    addresses,
    find_signoff,
    fold_name,
    signoff_matches,
    strip_signoff,
)
from tests.builders import BASE_TIME


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Das stimmt so nicht, wir zahlen über Tarif. Liebe Grüße, Anne", "Anne"),
        ("Danke für die Frage! VG Jörg", "Jörg"),
        ("Wir kümmern uns darum.\nViele Grüße\nJürgen", "Jürgen"),
        ("Mit freundlichen Grüßen, Björn S.", "Björn"),
        ("Pausen sind bei uns fest eingeplant.\n- Andrea", "Andrea"),
        ("We pay above the local average. Best, Mike", "Mike"),
        ("Happy to help! Cheers, Anne-Marie 🙂 #FCAmbassador https://t.co/abc", "Anne-Marie"),
        ("Thanks for asking. ~Sam", "Sam"),
        ("LG Anne", "Anne"),
        ("Wir zahlen fair. LG Anne @kai-lager.bsky.social", "Anne"),
        ("Wir zahlen fair. LG Anne @kai@lager.social", "Anne"),
    ],
)
def test_finds_the_signed_first_name(text: str, name: str) -> None:
    """A reply closing with a greeting or a dash and a first name shows that name."""
    found = find_signoff(text)
    assert found is not None
    assert found.name == name


@pytest.mark.parametrize(
    "text",
    [
        "Anne hat recht, die Pausen sind zu kurz.",
        "It is the best, Mike",  # a sentence, not a sign-off
        "Hi Anne, how are you",
        "Best, all",
        "Grüße an alle",
        "The Nord-Süd shift starts at six",
        "^AB",  # initials are not a comparable first name
        "",
    ],
)
def test_no_signoff_in_ordinary_text(text: str) -> None:
    """A name in the middle of a sentence is not mistaken for a signature."""
    assert find_signoff(text) is None


def test_strip_removes_signoff_and_trailing_decoration() -> None:
    """Near-duplicate matching compares the body without greeting, name, tags and links."""
    assert strip_signoff("Wir zahlen fair. LG Anne #FC https://x.co/1") == "Wir zahlen fair. "
    assert strip_signoff("Nothing signed here") == "Nothing signed here"


def test_umlaut_names_match_their_spelled_out_form() -> None:
    """'Jörg' signs for an account called 'Joerg Weiss', and 'Weiß' folds to 'weiss'."""
    assert fold_name("Jörg") == "joerg"
    assert fold_name("Weiß") == "weiss"
    assert signoff_matches("Jörg", "Joerg Weiss")
    assert signoff_matches("Joerg", "Jörg Weiß | FC Botschafter")


def test_a_different_first_name_is_a_mismatch() -> None:
    """An account named Anne signing as Andrea is a mismatch; its own name is not."""
    assert not signoff_matches("Andrea", "Anne | Kestrel FC Ambassador", "anne_fc")
    assert signoff_matches("Anne", "Anne | Kestrel FC Ambassador", "anne_fc")


def test_handle_and_short_forms_count_as_own_name() -> None:
    """A name found only in the handle, or a short form of one's name, is not a mismatch."""
    assert signoff_matches("Anne", "Kestrel FC Ambassador", "AnneKestrel")
    assert signoff_matches("Alex", "Alexander Brandt")


@pytest.mark.parametrize(
    ("signed", "display_name"),
    [
        ("Mike", "Michael Weber | Team Kestrel"),
        ("Sepp", "Josef Huber"),
        ("Basti", "Sebastian K."),
        ("Kathi", "Katharina Lenz"),
        ("Jenny", "Jennifer Ross"),
        ("Käthe", "Katharina Lenz"),
        ("Michael", "Mike Brandt"),
    ],
)
def test_nicknames_and_pet_forms_count_as_own_name(signed: str, display_name: str) -> None:
    """'Mike' signing for Michael, 'Sepp' for Josef or 'Kathi' for Katharina is no mismatch."""
    assert signoff_matches(signed, display_name)


@pytest.mark.parametrize(
    ("signed", "display_name"),
    [
        ("Mike", "Anne Weber"),
        ("Katrin", "Jana – Korvando FC"),
        ("Toni", "Tobias"),
        ("Lisa", "Lena"),
    ],
)
def test_nicknames_of_someone_else_are_still_a_mismatch(signed: str, display_name: str) -> None:
    """A nickname counts only for its own name: 'Mike' signing for Anne is a mismatch."""
    assert not signoff_matches(signed, display_name)


@pytest.mark.parametrize(
    "text",
    [
        "Wir kümmern uns darum. Hallo Lena!",
        "We will look into it. Hi Mike",
        "We will look into it. Hey Mike!",
        "Wir kümmern uns darum. Liebe Lena!",
        "Wir kümmern uns darum. Lieber Mike.",
        "We will look into it. Dear Mike",
    ],
)
def test_a_greeting_that_only_addresses_is_not_a_signoff(text: str) -> None:
    """'Hallo', 'Hi', 'Hey', 'Liebe', 'Lieber', 'Dear' + a name address someone, never sign."""
    assert find_signoff(text) is None


@pytest.mark.parametrize(
    ("text", "addressee"),
    [
        ("Wir geben das weiter. Danke, Lena!", ["lena_lager"]),
        ("We hear you. Thanks, Mike!", ["mike_t"]),
        ("We hear you. Thank you, Michael.", ["mt_1985", "Michael Turner"]),
        ("We hear you. Thanks again, Mike!", ["Mike Turner"]),
        ("Sorry to hear that. Take care, Mike.", ["mike_t"]),
        ("Wir klären das. Danke, Kai!", ["kai-lager.bsky.social"]),
        ("Wir klären das. Danke, Kai!", ["kai@lager.social"]),
    ],
)
def test_thanking_the_person_answered_by_name_addresses_them(
    text: str, addressee: list[str]
) -> None:
    """'Thanks, Mike!' to @mike_t (or to 'Michael Turner') names the addressee, not a signer."""
    found = find_signoff(text)
    assert found is not None and addresses(found, addressee)


@pytest.mark.parametrize(
    ("text", "addressee"),
    [
        ("We pay above average. – Anna", ["anna_k"]),
        ("Die Pausen sind fest eingeplant. LG Anna", ["anna_k"]),
        ("Wir zahlen über Tarif. Viele Grüße, Anna", ["Anna Kraus"]),
        ("We pay above average. Best, Anna", ["anna_k"]),
        ("We will pass this on. Thanks, Anna", ["mike_t", "Mike Turner"]),
    ],
)
def test_signatures_do_not_address_anyone(text: str, addressee: list[str]) -> None:
    """A dash or a closing like 'LG'/'Best' signs, even with the addressee's own name; thanks
    with a name that is not the addressee's is a signature too."""
    found = find_signoff(text)
    assert found is not None and not addresses(found, addressee)


@pytest.mark.parametrize(
    "opening", ["@kai-lager.bsky.social", "@kai.example.com", "@kai@lager.social", "@kai_l"]
)
def test_a_reply_thanking_whoever_it_opens_with_is_not_signed(opening: str) -> None:
    """'Danke, Kai!' after Kai's handle, in any platform's form, is no signed reply."""
    reply = Post("x:2", "x:9", "anna", BASE_TIME, f"{opening} Wir klären das. Danke, Kai!")
    signed = Post("x:3", "x:9", "anna", BASE_TIME, f"{opening} Wir klären das. LG Kai")
    assert signoffs([reply, signed], "Anna", "anna") == [SignedReply("x:3", "Kai", False)]
