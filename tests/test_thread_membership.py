"""Opening a post shows its thread only when the post is part of it: an ambassador answering
a parody account, or a parody account answering another one, is not a link in a thread."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cache.db.store import Store
from cache.read.threads import thread_for
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user

CRITIC = user("lager_leipzig", "Lager Leipzig", user_id="11")
AMB = user("kestrel_anna", "Anna | Kestrel FC Ambassador", user_id="12")
PARODY = user("kestreI_anna", "Anna FC Ambassador (Parodie)", user_id="14")
MOCKER = user("kestrel_fake", "Kestrel FC Ambassador (Parodie)", user_id="16")


def _chain(db_path: Path) -> Store:
    """Critic <- ambassador reply <- parody reply <- ambassador answer and parody answer."""
    t = BASE_TIME
    root = tweet(CRITIC, "Schon wieder Hitze im Lager", tweet_id="500", lang="de", at=t)
    answer = tweet(AMB, "Bei uns nicht", tweet_id="501", reply_to=root, at=t + timedelta(minutes=2))
    mock = tweet(
        PARODY, "Bei uns nie", tweet_id="502", reply_to=answer, at=t + timedelta(minutes=5)
    )
    to_mock = tweet(AMB, "Lass das", tweet_id="503", reply_to=mock, at=t + timedelta(minutes=9))
    mock_mock = tweet(MOCKER, "Nie nie", tweet_id="504", reply_to=mock, at=t + timedelta(minutes=9))
    store = Store.open(db_path)
    batch = parse_response(
        page([root, answer, mock, to_mock, mock_mock], [CRITIC, AMB, PARODY, MOCKER]), "x:search"
    )
    ingest(store, batch, Classifier(Config()))
    return store


def test_members_of_a_thread_still_open_it(db_path: Path) -> None:
    """The ambassador reply and the parody reaction to it open the critic's thread."""
    with _chain(db_path) as store:
        thread = thread_for(store, "x:502")
        assert thread is not None and thread.root.id == "x:500"
        assert [r.post.id for r in thread.replies] == ["x:501"]
        assert [x.post.id for x in thread.replies[0].reactions] == ["x:502"]


def test_answers_to_a_parody_post_open_no_thread(db_path: Path) -> None:
    """An ambassador's or another parody's answer to a parody reaction is in no thread."""
    with _chain(db_path) as store:
        assert thread_for(store, "x:502") is not None
        assert thread_for(store, "x:503") is None
        assert thread_for(store, "x:504") is None
