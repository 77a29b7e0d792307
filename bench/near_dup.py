"""Measure the near-duplicate index on synthetic replies (replies indexed per second).

Run: `uv run python -m bench.near_dup [N]`. The bench runner imports `measure_near_dup`.

The synthetic replies mimic an ambassador programme: most are free text drawn from a
bilingual vocabulary, a fifth are copies of a few hundred templates with one or two
words changed (a city, a first name), which is where the index has real work to do.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from filters.signals.near_duplicates import NearDuplicateIndex, word_set

_WORDS = [
    "wir",
    "ich",
    "du",
    "sie",
    "es",
    "ist",
    "sind",
    "war",
    "haben",
    "hat",
    "nicht",
    "auch",
    "und",
    "oder",
    "aber",
    "dass",
    "weil",
    "wenn",
    "arbeit",
    "pause",
    "pausen",
    "lohn",
    "gehalt",
    "tarif",
    "schicht",
    "lager",
    "team",
    "kollegen",
    "kunden",
    "paket",
    "zahlen",
    "fair",
    "gut",
    "sehr",
    "immer",
    "nie",
    "heute",
    "morgen",
    "woche",
    "jahr",
    "standort",
    "sicherheit",
    "hitze",
    "we",
    "i",
    "you",
    "they",
    "it",
    "is",
    "are",
    "was",
    "have",
    "has",
    "not",
    "also",
    "and",
    "or",
    "but",
    "that",
    "because",
    "if",
    "when",
    "work",
    "break",
    "breaks",
    "pay",
    "wage",
    "shift",
    "warehouse",
    "team",
    "colleagues",
    "customers",
    "parcel",
    "fair",
    "good",
    "very",
    "always",
    "never",
    "today",
    "tomorrow",
    "week",
    "year",
    "site",
    "safety",
    "heat",
    "union",
    "strike",
    "great",
    "proud",
    "love",
    "job",
    "benefits",
    "health",
    "care",
    "training",
    "career",
    "growth",
    "people",
    "culture",
]
_CITIES = [
    "Leipzig",
    "Bremen",
    "Koblenz",
    "Bad-Hersfeld",
    "Graben",
    "Rheinberg",
    "Werne",
    "Dortmund",
]
_NAMES = ["Anne", "Andrea", "Mike", "Jörg", "Sarah", "Tom", "Lena", "Paul"]


def synthetic_replies(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """`n` (id, account, text) triples, deterministic for a seed."""
    rng = random.Random(seed)
    vocabulary = [*_WORDS, *(f"w{i}" for i in range(5000))]
    templates = [[rng.choice(vocabulary) for _ in range(rng.randint(12, 30))] for _ in range(300)]
    replies = []
    for i in range(n):
        account = f"amb{rng.randrange(40)}"
        if rng.random() < 0.2:
            words = list(rng.choice(templates))
            words[rng.randrange(len(words))] = rng.choice(_CITIES)
            text = " ".join(words) + f"\nLG {rng.choice(_NAMES)}"
        else:
            length = rng.randint(8, 40)
            text = " ".join(rng.choice(vocabulary) for _ in range(length))
        replies.append((f"x:{i}", account, f"@critic{rng.randrange(500)} {text}"))
    return replies


def measure_near_dup(n: int = 100_000) -> dict[str, Any]:
    """Index `n` synthetic replies and cluster them; report replies per second."""
    replies = synthetic_replies(n)
    cpu_started = time.process_time()
    started = time.perf_counter()
    index = NearDuplicateIndex()
    for item_id, account, text in replies:
        index.add(item_id, account, word_set(text))
    indexed = time.perf_counter()
    blocks = index.blocks()
    near_duplicates = sum(1 for item_id, _, _ in replies if index.best_match(item_id))
    finished = time.perf_counter()
    seconds = finished - started
    # CPU time as well: on a shared machine wall time measures the neighbours too.
    cpu_seconds = time.process_time() - cpu_started
    per_second = round(n / seconds) if seconds else None
    return {
        "name": "near_dup",
        "replies": n,
        "seconds": round(seconds, 3),
        "index_seconds": round(indexed - started, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "replies_per_second": per_second,
        "near_dup_per_s": per_second,
        "near_dup_per_cpu_s": round(n / cpu_seconds) if cpu_seconds else None,
        "text_blocks": len(blocks),
        "near_duplicate_replies": near_duplicates,
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(measure_near_dup(count))
