"""Topic classifier quality on real labelled posts first, then on the self-written sample.

    uv run python bench/eval_topics.py                  # real posts (headline), then the sample
    uv run python bench/eval_topics.py --errors         # what went wrong in the tuning half
    uv run python bench/eval_topics.py --errors heldout # ... held-out half (never tune on it)
    uv run python bench/eval_topics.py --posts more.jsonl  # other real posts, same format
    uv run python bench/eval_topics.py --json           # machine-readable

Real posts: `../shared/realworld/texts/labelled_posts.jsonl` (its README gives the labelling
rules). They are split once and for all by a hash of the post id (`sha1(id)` even: held-out,
odd: tuning). The vocabulary was tuned looking only at the tuning half; the headline is the
held-out half, on the posts whose own text shows the topic (`context_needed: false`), with
all posts (those that need the thread too) beside it. Macro F1 is over the four core topics
(working_conditions, pay, strikes, unions), each language on its own posts; a topic that
neither occurs nor is predicted in a set is left out of that macro.

The self-written sample (bench/data/topics_labelled.jsonl, its own held-out split) follows
as a second figure, then classifier throughput (texts/s).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from filters.classify import Classifier
from sources.model.config import Config

SAMPLE = Path(__file__).resolve().parent / "data" / "topics_labelled.jsonl"
REAL_POSTS = (
    Path(__file__).resolve().parents[2] / "shared" / "realworld" / "texts" / "labelled_posts.jsonl"
)
CORE = ("working_conditions", "pay", "strikes", "unions")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def real_split(post_id: str) -> str:
    """`heldout` or `tune`, fixed by the id alone (so new posts land in a half by themselves)."""
    return "heldout" if int(hashlib.sha1(post_id.encode()).hexdigest(), 16) % 2 == 0 else "tune"


def load(split: str) -> list[dict[str, Any]]:
    """The self-written sample, one split or all."""
    return [r for r in read_jsonl(SAMPLE) if split == "all" or r["split"] == split]


def evaluate(rows: list[dict[str, Any]], classifier: Classifier) -> dict[str, Any]:
    """Per-topic precision/recall/F1, macro F1 over the core topics, and the errors."""
    topics = [t.id for t in classifier.topic_matcher.topics]
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in topics}
    errors: list[dict[str, Any]] = []
    for row in rows:
        expected = set(row["topics"])
        result = classifier.classify_text(str(row["text"]), str(row.get("lang") or ""))
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
                    "missing": sorted(expected - got),
                    "fired": {k: list(v) for k, v in result.matches.items() if k not in expected},
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
            "seen": sum(c.values()) > 0,
        }
    core = [table[t]["f1"] for t in CORE if t in table and table[t]["seen"]]
    macro = round(sum(core) / len(core), 3) if core else None
    return {"texts": len(rows), "topics": table, "macro_core_f1": macro, "errors": errors}


def real_report(posts: list[dict[str, Any]], classifier: Classifier) -> dict[str, Any]:
    """Every figure of the real posts: held-out and tuning half, text-only and all posts."""
    report: dict[str, Any] = {}
    for half in ("heldout", "tune"):
        rows = [p for p in posts if real_split(str(p["id"])) == half]
        for scope, keep in (("text_only", _text_only), ("all", _any)):
            chosen = [p for p in rows if keep(p)]
            result = evaluate(chosen, classifier)
            result["by_lang"] = {
                lang: evaluate([p for p in chosen if p.get("lang") == lang], classifier)[
                    "macro_core_f1"
                ]
                for lang in ("de", "en")
            }
            report[f"{half}/{scope}"] = result
    return report


def _text_only(post: dict[str, Any]) -> bool:
    return not post.get("context_needed", False)


def _any(post: dict[str, Any]) -> bool:
    return True


def throughput(
    rows: list[dict[str, Any]], classifier: Classifier, seconds: float = 2.0
) -> tuple[float, float]:
    """Texts per second of wall time, and per second of this process's CPU time (the
    second holds still when other programs share the machine)."""
    texts = [str(r["text"]) for r in rows]
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for text in texts:
            classifier.classify_text(text)
        done += len(texts)
    return done / (time.perf_counter() - start), done / max(time.process_time() - cpu, 1e-9)


def _f(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def print_real(name: str, report: dict[str, Any]) -> None:
    head, head_all = report["heldout/text_only"], report["heldout/all"]
    tune, tune_all = report["tune/text_only"], report["tune/all"]
    print(f"REAL POSTS ({name})")
    print(
        f"split by sha1(post id): held-out {head_all['texts']} posts "
        f"({head['texts']} text-only), tuning {tune_all['texts']} ({tune['texts']} text-only)"
    )
    print(
        "HEADLINE = held-out, context_needed:false; beside it held-out all posts, "
        "then the tuning half"
    )
    print(
        f"{'topic':20} {'P':>6} {'R':>6} {'F1':>6} {'sup':>4} | {'all F1':>6} {'sup':>4} | "
        f"{'tune F1':>7} {'tune all':>8}"
    )
    for topic, row in head["topics"].items():
        print(
            f"{topic:20} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
            f"{row['support']:4d} | {head_all['topics'][topic]['f1']:6.3f} "
            f"{head_all['topics'][topic]['support']:4d} | {tune['topics'][topic]['f1']:7.3f} "
            f"{tune_all['topics'][topic]['f1']:8.3f}"
        )
    print(
        f"{'macro F1 (4 core)':20} {'':6} {'':6} {_f(head['macro_core_f1']):>6} {'':4} | "
        f"{_f(head_all['macro_core_f1']):>6} {'':4} | {_f(tune['macro_core_f1']):>7} "
        f"{_f(tune_all['macro_core_f1']):>8}"
    )
    for lang in ("de", "en"):
        print(
            f"{'  macro ' + lang:20} {'':6} {'':6} {_f(head['by_lang'][lang]):>6} {'':4} | "
            f"{_f(head_all['by_lang'][lang]):>6} {'':4} | {_f(tune['by_lang'][lang]):>7} "
            f"{_f(tune_all['by_lang'][lang]):>8}"
        )


def print_errors(errors: list[dict[str, Any]]) -> None:
    for error in errors:
        missing = f" missing {error['missing']}" if error["missing"] else ""
        fired = f" fired {error['fired']}" if error["fired"] else ""
        print(f"- {error['id']} expected {error['expected']} got {error['got']}{missing}{fired}")
        print(f"    {' '.join(str(error['text']).split())}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--posts", type=Path, default=REAL_POSTS, help="real labelled posts")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--errors",
        nargs="?",
        const="tune",
        choices=("tune", "heldout", "all"),
        help="list the misclassified real posts of one half (default: tune) and of the sample",
    )
    args = parser.parse_args()
    classifier = Classifier(Config())
    posts = read_jsonl(args.posts) if args.posts.is_file() else []
    real = real_report(posts, classifier) if posts else {}
    sample = evaluate(load("heldout"), classifier)
    wall, cpu = throughput(load("all"), Classifier(Config()))
    speed = round(wall)
    if args.json:
        strip: Callable[[dict[str, Any]], dict[str, Any]] = lambda r: (  # noqa: E731
            r if args.errors else {**r, "errors": len(r["errors"])}
        )
        out = {
            "real_posts": {k: strip(v) for k, v in real.items()},
            "sample_heldout": strip(sample),
            "texts_per_second": speed,
            "texts_per_cpu_second": round(cpu),
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if real:
        print_real(str(args.posts), real)
    else:
        print(f"REAL POSTS: {args.posts} not found; only the self-written sample follows")
    print()
    print(f"SELF-WRITTEN SAMPLE (bench/data, held-out split): {sample['texts']} texts")
    print(f"{'topic':20} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    for topic, row in sample["topics"].items():
        print(
            f"{topic:20} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1']:6.3f} "
            f"{row['support']:8d}"
        )
    print(f"{'macro F1 (4 core)':20} {'':9} {'':7} {_f(sample['macro_core_f1']):>6}")
    print()
    print(
        f"classifier throughput: {speed} texts/s ({round(cpu)} per CPU second; "
        "self-written sample, fresh classifier)"
    )
    if args.errors and real:
        halves = ("heldout", "tune") if args.errors == "all" else (args.errors,)
        for half in halves:
            print(f"\nerrors, real posts, {half} half (all posts):")
            print_errors(real[f"{half}/all"]["errors"])
        print("\nerrors, self-written sample (held-out split):")
        print_errors(sample["errors"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
