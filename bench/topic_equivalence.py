"""Same topic answers before and after a change to the matcher, on a large corpus.

    uv run python bench/topic_equivalence.py record /tmp/classifier_ref.jsonl   # old code
    uv run python bench/topic_equivalence.py compare /tmp/classifier_ref.jsonl  # new code
    uv run python bench/topic_equivalence.py compare /tmp/classifier_ref.jsonl --batch 5000

`record` builds the corpus and writes, for each text and configuration, the matcher's
answer (topics in order, the words that decided them). `compare` reads the texts back from
that file (so both sides see exactly the same inputs) and reports every difference; exit 1
if there is one. Keep the file outside the project: it holds real posts.

The corpus: every string of the real-world payloads in ../shared/realworld (labelled posts,
X, Bluesky and Mastodon JSON, feed entries), the demo scenario (sources/demo), the string
constants of the tests, the self-written sample, the first posts of the bench's synthetic
stream, and random mutations built from the vocabulary (terms glued to punctuation, case,
umlauts and accents, gender marks, negations, hashtags, URLs, emoji, exclusions beside
terms). It runs under the default configuration and under configurations that extend,
replace and add topics.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from filters.topic_vocab import DEFAULT_TOPICS  # noqa: E402
from filters.topics import TopicMatcher  # noqa: E402
from sources.model.config import Config, TopicSection  # noqa: E402

REALWORLD = ROOT.parent / "shared" / "realworld"

CONFIGS: dict[str, Config] = {
    "default": Config(),
    "extended": Config(
        topics={
            "pay": TopicSection(en=["stipend*", "*bonus", "pay-out*"], de=["*zulagen*"]),
            "strikes": TopicSection(en=["sit-in*", "go slow"], de=["dienst nach vorschrift"]),
            "logistics": TopicSection(
                label="Logistics",
                en=["*truck*", "delivery van*", "parcel*", "o'brien", "ver.di", "last mile"],
                de=["paket*", "*zustell*", "lkw", "fahrerin"],
            ),
        }
    ),
    "replaced": Config(
        topics={
            "unions": TopicSection(en=["union", "guild*"], de=["gewerkschaft*"], replace=True),
            "working_conditions": TopicSection(
                en=["heat", "break*", "safety first"], de=["*pause*", "hitze"], replace=True
            ),
        }
    ),
}

_NEGATIONS = ["not", "no", "never", "don't", "kein", "keine", "nicht", "nie", "ohne", "isn't"]
_GLUE = [" ", " ", " ", "  ", "\n", "\t", "-", "_", ".", ",", "!", "?", ";", ":", "/", "*", "'",
         "’", '"', "“", "(", ")", "[", "]", "…", "·", "#", "@", "&", "+", "\u00ad", "\u200b",
         "\u00a0", "\x1c", "—", "–", "%", "$", "€", "|"]  # fmt: skip
_EMOJI = ["😀", "🔥", "✊", "👷‍♀️", "🇩🇪", "💸", "🚫", "❤️", "🪧", "✔"]
_FILLER = ["the", "at", "Kestrel", "im", "Lager", "der", "und", "and", "today", "heute", "in",
           "our", "warehouse", "wir", "they", "a", "12", "2026", "x", "on", "up", "it"]  # fmt: skip
_ENDINGS = ["", "", "s", "en", "n", "er", "ing", "ed", "es", "innen", "*innen", ":innen", "_innen",
            "/innen", "·innen", "*in", "'s", "’s", "-streik", "-Zeug", "x", "2"]  # fmt: skip
_PREFIXES = ["", "", "", "Warn", "un", "re", "x", "über", "Mega-", "#", "@", "Super", "b"]
_AMOUNTS = ["$15/hr", "15 € die Stunde", "35 Grad", "95°degrees", "3 % mehr", "stehen heute still",
            "fire them all", "$ 31,200 a year", "12,50 Euro/h", "10 Prozent mehr"]  # fmt: skip
_URLS = ["https://example.com/pay-rise?streik=1#break", "http://t.co/aBcD", "www.Lohn.de/Streik",
         "https://x.com/i/status/123", "mailto:union@example.org"]  # fmt: skip


def vocabulary(config: Config) -> list[str]:
    """Every term, exclusion phrase and pattern anchor the matcher knows under `config`."""
    words: list[str] = []
    for topic in TopicMatcher.from_config(config).topics:
        words.extend(topic.terms)
        words.extend(e.split(":", 1)[0][3:-1] if e.startswith("re(") else e for e in topic.excludes)
        for anchor, _ in topic.patterns:
            words.append(anchor)
    for spec in DEFAULT_TOPICS.values():
        words.extend(str(e) for e in spec.get("exclude", []) if not str(e).startswith("re"))
    return sorted(set(w for w in words if w))


def _respell(rng: random.Random, word: str) -> str:
    """A term as someone might type it: wildcards filled, case, umlauts, accents."""
    out = word
    if "*" in out:
        out = out.replace("*", rng.choice(["", "", "s", "ung", "er", "Warn", "x", "en"]))
    if rng.random() < 0.3:
        for plain, umlaut in (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß")):
            if plain in out and rng.random() < 0.7:
                out = out.replace(plain, umlaut, 1)
    roll = rng.random()
    if roll < 0.15:
        out = out.upper()
    elif roll < 0.3:
        out = out.title()
    elif roll < 0.4:
        out = "".join(c.upper() if rng.random() < 0.5 else c for c in out)
    if rng.random() < 0.05:
        out = out.replace("ẞ", "ß").upper().replace("SS", "ẞ", 1)
    if rng.random() < 0.08:
        out = unicodedata.normalize("NFD", out.replace("a", "á", 1).replace("e", "é", 1))
    if rng.random() < 0.06 and len(out) > 3:
        cut = rng.randrange(1, len(out) - 1)
        out = out[:cut] + rng.choice(["\u00ad", "-", " ", "’", "_"]) + out[cut:]
    if " " in out and rng.random() < 0.3:
        out = out.replace(" ", rng.choice(["-", "  ", "\n", " - ", "_"]))
    return rng.choice(_PREFIXES) + out + rng.choice(_ENDINGS)


def _hashtag(rng: random.Random, words: list[str]) -> str:
    parts = [rng.choice(words).replace("*", "").replace(" ", "") for _ in range(rng.randint(1, 3))]
    return "#" + "".join(p[:1].upper() + p[1:] if rng.random() < 0.8 else p for p in parts)


def mutations(
    rng: random.Random, words: list[str], fragments: list[str], count: int
) -> Iterator[str]:
    """Random texts built from vocabulary words, exclusions, glue and noise."""
    for _ in range(count):
        pieces: list[str] = []
        for _ in range(rng.randint(1, 12)):
            roll = rng.random()
            if roll < 0.45:
                pieces.append(_respell(rng, rng.choice(words)))
            elif roll < 0.55:
                pieces.append(rng.choice(_NEGATIONS))
            elif roll < 0.63:
                pieces.append(_hashtag(rng, words))
            elif roll < 0.68:
                pieces.append(rng.choice(_URLS))
            elif roll < 0.74:
                pieces.append(rng.choice(_EMOJI))
            elif roll < 0.80 and fragments:
                text = rng.choice(fragments)
                start = rng.randrange(len(text))
                pieces.append(text[start : start + rng.randint(5, 60)])
            elif roll < 0.86:
                pieces.append(rng.choice(_AMOUNTS))
            else:
                pieces.append(rng.choice(_FILLER))
        text = ""
        for piece in pieces:
            text += (rng.choice(_GLUE) if text else "") + piece
        yield text


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _file_texts(path: Path) -> Iterator[str]:
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError:
        return
    text = raw.decode("utf-8", errors="replace")
    if suffix == ".json":
        try:
            yield from _strings(json.loads(text))
            return
        except ValueError:
            pass
    if suffix == ".jsonl":
        for line in text.splitlines():
            try:
                yield from _strings(json.loads(line))
            except ValueError:
                yield line
        return
    if suffix in (".xml", ".rss", ".atom", ".opml"):
        import feedparser

        parsed = feedparser.parse(raw)
        feed = parsed.get("feed", {})
        yield from (str(feed.get(k, "")) for k in ("title", "subtitle"))
        for entry in parsed.get("entries", []):
            yield from (str(entry.get(k, "")) for k in ("title", "summary"))
            for content in entry.get("content", []):
                yield str(content.get("value", ""))
    if suffix == ".py":
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.value
        return
    yield from text.splitlines()


def _walk(folder: Path) -> Iterator[str]:
    if not folder.exists():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.suffix in (".pyc", ".svg", ".db"):
            continue
        yield from _file_texts(path)


def _synthetic(count: int) -> Iterator[str]:
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import pages

    for page in pages(count, seed=7):
        for tweet in [*page.get("data", []), *page.get("includes", {}).get("tweets", [])]:
            yield str(tweet.get("text", ""))
            note = tweet.get("note_tweet")
            if isinstance(note, dict):
                yield str(note.get("text", ""))


def corpus(realworld: Path) -> list[tuple[str, str]]:
    """(configuration name, text) pairs, the same on every run."""
    found: list[str] = []
    found.extend(_walk(realworld))
    found.extend(_walk(ROOT / "sources" / "demo"))
    found.extend(_walk(ROOT / "tests"))
    found.extend(_walk(ROOT / "bench" / "data"))
    found.extend(_synthetic(20_000))
    real = list(dict.fromkeys(t for t in found if t.strip()))
    fragments = [t for t in real if 20 < len(t) < 2_000]
    pairs = [("default", t) for t in real]
    rng = random.Random(18)
    for name, config in CONFIGS.items():
        words = vocabulary(config)
        count = 120_000 if name == "default" else 25_000
        pairs.extend((name, t) for t in mutations(rng, words, fragments, count))
        if name != "default":
            pairs.extend((name, t) for t in real[::3])
    return pairs


def answers(pairs: list[tuple[str, str]], batch: int = 0) -> Iterator[dict[str, Any]]:
    """The answer for each (config, text); with `batch`, runs of up to that many texts of
    one config are classified together (`TopicMatcher.classify_many`, the import's path)."""
    matchers = {name: TopicMatcher.from_config(config) for name, config in CONFIGS.items()}
    if not batch:
        for name, text in pairs:
            found = matchers[name].match(text)
            yield {"config": name, "text": text, "topics": [[k, list(v)] for k, v in found.items()]}
        return
    start = 0
    while start < len(pairs):
        name, end = pairs[start][0], start
        while end < len(pairs) and end - start < batch and pairs[end][0] == name:
            end += 1
        texts = [text for _, text in pairs[start:end]]
        for text, result in zip(texts, matchers[name].classify_many(texts), strict=True):
            topics = [[k, list(v)] for k, v in result.matches.items()]
            yield {"config": name, "text": text, "topics": topics}
        start = end


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("action", choices=("record", "compare"))
    parser.add_argument("path", type=Path)
    parser.add_argument("--realworld", type=Path, default=REALWORLD, help="real-world inputs")
    parser.add_argument(
        "--batch", type=int, default=0, help="compare: classify N texts at a time (batch path)"
    )
    args = parser.parse_args()
    if args.action == "record":
        pairs = corpus(args.realworld)
        with args.path.open("w", encoding="utf-8") as out:
            for row in answers(pairs):
                out.write(json.dumps(row) + "\n")
        print(f"recorded {len(pairs)} answers to {args.path}")
        return 0
    rows = [json.loads(line) for line in args.path.read_text(encoding="utf-8").splitlines()]
    pairs = [(row["config"], row["text"]) for row in rows]
    differences = 0
    for old, new in zip(rows, answers(pairs, args.batch), strict=True):
        if old["topics"] != new["topics"]:
            differences += 1
            if differences <= 20:
                print(json.dumps({"old": old, "new": new["topics"]}))
    with_topics = sum(1 for row in rows if row["topics"])
    print(f"{len(rows)} texts ({with_topics} with a topic): {differences} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
