"""The importer's fast payload text is the stored `raw` to the byte, whatever the payload."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from bench.synth import pages
from cache.write.direct import raw_and_bytes
from sources.x.twitter_v2 import raw_json

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


def _assert_same(payload: Any) -> None:
    text, encoded = raw_and_bytes(payload)
    assert text == raw_json(payload)
    assert encoded == text.encode("utf-8")


def test_fast_raw_equals_the_stored_payload_on_hostile_values() -> None:
    """Quotes, backslashes, separators inside strings, floats, NaN, huge numbers and
    lone surrogates in a post are stored exactly as the live sources store them."""
    rng = random.Random(18)
    for _ in range(1500):
        _assert_same({_text(rng): _value(rng) for _ in range(rng.randint(1, 6))})


def test_fast_raw_equals_the_stored_payload_on_real_and_synthetic_posts(
    realworld: Path,
) -> None:
    """Every post and user of the real X payloads and a synthetic stream: the same bytes."""
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
