"""The page walk recognises an author it has read before (`account_from_user`'s cache), and
never takes one user object for another that differs in any value."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from sources.model.records import Account
from sources.x.twitter_v2 import account_from_user


def account(user: dict[str, Any]) -> Account:
    """`account_from_user` of a user object it reads as an account."""
    found = account_from_user(user)
    assert isinstance(found, Account)
    return found


def _user(**changes: Any) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": "4410",
        "username": "lager_critic",
        "name": "Lager Critic",
        "description": "Warehouse worker",
        "public_metrics": {"followers_count": 12, "following_count": 3, "tweet_count": 40},
        "verified": False,
    }
    user.update(changes)
    return user


def test_the_same_user_on_a_later_page_is_the_same_account() -> None:
    """An equal user object decoded again gives the account built the first time."""
    first = account(_user())
    assert account(copy.deepcopy(_user())) is first


def test_a_changed_profile_gives_the_changed_account() -> None:
    """A new bio or follower count on a later page is read, not the cached account."""
    account(_user())
    changed = account(_user(description="Ex-warehouse worker"))
    counts = account(
        _user(public_metrics={"followers_count": 13, "following_count": 3, "tweet_count": 40})
    )
    assert changed.bio == "Ex-warehouse worker" and counts.followers == 13


@pytest.mark.parametrize("odd", ["NaN", "Infinity", "-Infinity"])
def test_nan_from_the_lenient_decoder_is_not_taken_for_null(odd: str) -> None:
    """A value `json.loads` reads as NaN or infinite (orjson writes both as null) keeps its
    own payload, and null keeps its, whichever of them was read first."""
    null_text = '{"id": "77", "username": "n", "score": null}'
    odd_text = null_text.replace("null", odd)
    with_null = account(json.loads(null_text))
    with_odd = account(json.loads(odd_text))
    null_again = account(json.loads(null_text))
    assert '"score": null' in with_null.raw and f'"score": {odd}' in with_odd.raw
    assert '"score": null' in null_again.raw


def test_true_one_and_one_point_zero_are_three_values() -> None:
    """`True == 1 == 1.0` in Python, but the stored payloads say `true`, `1` and `1.0`."""
    raws = {account(_user(flag=value)).raw for value in (True, 1, 1.0)}
    assert len(raws) == 3


def test_users_beyond_64_bit_integers_are_told_apart() -> None:
    """Integers orjson cannot write (beyond 64 bits) still key each user by its value."""
    big = account(_user(extra=2**70))
    bigger = account(_user(extra=2**70 + 1))
    assert big.raw != bigger.raw and str(2**70 + 1) in bigger.raw
