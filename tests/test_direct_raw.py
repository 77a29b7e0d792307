"""A post's stored payload (`raw`): the same value as its JSON, whatever the payload, and a
post stored in the older form is recognised as unchanged."""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import random
from pathlib import Path
from typing import Any

from bench.synth import pages
from cache.db.store import Store
from cache.write.direct import RowBatch
from cache.write.importer import import_paths
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response, post_json_encoded, raw_json

_PIECES = ['"', "\\", '\\"', ",", ":", ", ", ": ", "{", "}", "[", "]", "\n", "\t", "\x00", "\x1f"]
_PIECES += ["\x7f", "\u2028", "ä", "😀", " ", "null", "1.5", "e+1", "true", "x", "é"]


def _text(rng: random.Random) -> str:
    if rng.random() < 0.01:
        return "lone \ud800"  # json escapes it, orjson refuses it
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 8)))


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.25:
        return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    if depth < 3 and roll < 0.4:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.96:  # what posts are made of; orjson writes these
        return rng.choice([_text(rng), _text(rng), rng.randint(-(2**63), 2**64 - 1), True, False])
    # what only json writes as json does: floats, NaN, null, integers beyond 64 bits
    return rng.choice(
        [2**64 + rng.randint(0, 9), rng.random() * 10 ** rng.randint(-20, 20), float("nan"), None]
    )


def _finite(value: Any) -> Any:
    """`value` with each float that is not a number as null, as JSON can hold it."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _assert_same(payload: Any) -> None:
    text, encoded = post_json_encoded(payload)
    assert encoded == text.encode("utf-8")
    assert _finite(json.loads(text)) == _finite(json.loads(raw_json(payload)))


def test_fast_raw_equals_the_stored_payload_on_hostile_values() -> None:
    """Quotes, backslashes, separators inside strings, floats, huge numbers and lone
    surrogates in a post are stored as the same values (NaN, which JSON lacks, as null)."""
    rng = random.Random(18)
    for _ in range(1500):
        _assert_same({_text(rng): _value(rng) for _ in range(rng.randint(1, 6))})


class _Text(str):
    """A string of a type of its own, which marshal does not write."""


def test_rows_the_worker_hands_over_arrive_as_they_were_read() -> None:
    """Rows with hostile payloads, and rows holding a value marshal refuses, reach the
    importer from the worker with the same values of the same types."""
    rng = random.Random(31)
    hostile = [(str(n), _text(rng), _value(rng), n % 2 == 0, None) for n in range(300)]
    odd = [("7", _Text("kept as it is"), 1.5)]
    for rows in (hostile, odd):
        sent = RowBatch(rows=list(rows), times_from_ids=2, ready=True, copies_left_out=3)
        sent.warnings.append("page 3: a warning")
        got = pickle.loads(pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL))
        assert repr(got) == repr(sent)  # repr: a NaN is never equal to itself
        assert [list(map(type, row)) for row in got.rows] == [
            list(map(type, row)) for row in sent.rows
        ]


def test_fast_raw_equals_the_stored_payload_on_real_and_synthetic_posts(
    realworld: Path,
) -> None:
    """Every post and user of the real X payloads and a synthetic stream: the same values."""
    values: list[Any] = []
    for path in sorted((realworld / "twitter_v2").rglob("*.json*")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                page = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(page, dict):
                found = page.get("includes")
                includes: dict[str, Any] = found if isinstance(found, dict) else {}
                data = page.get("data")
                values.extend(data if isinstance(data, list) else [data or page])
                values.extend(includes.get("tweets", []) + includes.get("users", []))
    for page in pages(300, seed=2):
        values.extend(page["data"] + page["includes"].get("tweets", []))
    dicts = [v for v in values if isinstance(v, dict)]
    assert len(dicts) > 500
    for value in dicts:
        _assert_same(value)


def _store_in_older_form(store: Store) -> None:
    """Rewrite every stored post as earlier releases wrote it, marked `updated_at = 'then'`."""
    with store.writing():
        for mention_id, raw in store.conn.execute("SELECT id, raw FROM mentions").fetchall():
            older = raw_json(json.loads(raw))
            digest = hashlib.sha1(older.encode("utf-8")).hexdigest()
            store.conn.execute(
                "UPDATE mentions SET raw = ?, raw_hash = ?, updated_at = 'then' WHERE id = ?",
                [older, digest, mention_id],
            )


def test_a_post_stored_in_the_older_form_imports_again_as_unchanged(tmp_path: Path) -> None:
    """Posts a store holds as earlier releases wrote them (", " and ": " between items)
    count as unchanged when the same archive is imported again, and keep their row."""
    archive = tmp_path / "posts.jsonl"
    archive.write_text("".join(json.dumps(p) + "\n" for p in pages(200, seed=4)))
    db = tmp_path / "store.db"
    with Store.open(db) as store:
        first = import_paths(store, [archive], Classifier(Config()))
        _store_in_older_form(store)
        again = import_paths(store, [archive], Classifier(Config()))
        (rewritten,) = store.conn.execute(
            "SELECT count(*) FROM mentions WHERE updated_at != 'then'"
        ).fetchone()
    assert first.totals.new >= 200
    assert (again.totals.new, again.totals.updated) == (0, 0)
    assert again.totals.unchanged >= first.totals.new
    assert rewritten == 0


def test_a_live_post_stored_in_the_older_form_is_unchanged_when_polled_again(
    tmp_path: Path,
) -> None:
    """The live ingest (a polled page) also tells an unchanged post in the older form
    from a changed one: the same post is unchanged, an edited one is updated."""
    page = next(iter(pages(40, seed=6)))
    with Store.open(tmp_path / "store.db") as store:
        classifier = Classifier(Config())
        ingest(store, parse_response(page, "test"), classifier)
        _store_in_older_form(store)
        again = ingest(store, parse_response(page, "test"), classifier)
        page["data"][0]["text"] += " (edited)"
        edited = ingest(store, parse_response(page, "test"), classifier)
    assert (again.new, again.updated) == (0, 0)
    assert again.unchanged > 0
    assert edited.updated_ids[:1] == [f"x:{page['data'][0]['id']}"]
