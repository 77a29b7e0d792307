"""Topic classifier quality on the labelled sample: per-topic precision, recall and F1.

    uv run python bench/eval_topics.py               # the held-out third (the honest figure)
    uv run python bench/eval_topics.py --split tune  # the part used while tuning
    uv run python bench/eval_topics.py --json        # machine-readable
    uv run python bench/eval_topics.py --errors      # list the misclassified texts

The sample (bench/data/topics_labelled.jsonl) was written for this project, in German and
English; its labels were fixed and committed before the vocabulary was tuned, and tuning
looked only at the `tune` split. It also reports classifier throughput (texts/s).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from filters.classify import Classifier
from sources.config import Config

SAMPLE = Path(__file__).resolve().parent / "data" / "topics_labelled.jsonl"


def load(split: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if split == "all" or r["split"] == split]


def evaluate(rows: list[dict[str, Any]], classifier: Classifier) -> dict[str, Any]:
    topics = [t.id for t in classifier.topic_matcher.topics]
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in topics}
    errors: list[dict[str, Any]] = []
    for row in rows:
        expected = set(row["topics"])
        result = classifier.classify_text(str(row["text"]), str(row.get("lang", "")))
        got = set(result.topics)
        for topic in topics:
            if topic in got and topic in expected:
                counts[topic]["tp"] += 1
            elif topic in got:
                counts[topic]["fp"] += 1
            elif topic in expected:
                counts[topic]["fn"] += 1
        if got != expected:
            errors.append(
                {
                    "id": row["id"],
                    "text": row["text"],
                    "expected": sorted(expected),
                    "got": sorted(got),
                    "matches": {k: list(v) for k, v in result.matches.items()},
                }
            )
    table: dict[str, dict[str, Any]] = {}
    for topic, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[topic] = {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "support": c["tp"] + c["fn"],
        }
    return {"texts": len(rows), "topics": table, "errors": errors}


def throughput(rows: list[dict[str, Any]], classifier: Classifier, seconds: float = 2.0) -> float:
    texts = [str(r["text"]) for r in rows]
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in texts:
            classifier.classify_text(text)
        done += len(texts)
    return done / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("heldout", "tune", "all"), default="heldout")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--errors", action="store_true", help="list misclassified texts")
    args = parser.parse_args()
    classifier = Classifier(Config())
    rows = load(args.split)
    report = evaluate(rows, classifier)
    report["texts_per_second"] = round(throughput(load("all"), Classifier(Config())))
    if args.json:
        print(
            json.dumps(
                report if args.errors else {**report, "errors": len(report["errors"])},
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"{args.split} split: {report['texts']} texts")
    print(f"{'topic':20} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    for topic, row in report["topics"].items():
        print(
            f"{topic:20} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1']:6.3f} "
            f"{row['support']:8d}"
        )
    print(f"classifier throughput: {report['texts_per_second']} texts/s (cold cache each run)")
    if args.errors:
        for error in report["errors"]:
            print(
                f"- {error['id']} expected {error['expected']} got {error['got']} "
                f"{error['matches']}: {error['text']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
