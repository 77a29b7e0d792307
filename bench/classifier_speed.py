"""Topic classifier throughput on one core, in texts per CPU second.

    uv run python bench/classifier_speed.py            # three figures, best of --rounds
    uv run python bench/classifier_speed.py --json

- `sample`: the self-written sample (bench/data/topics_labelled.jsonl, 323 short posts,
  70 % about a topic) classified over and over by one classifier, as `eval_topics.py`
  measures it (its tables warm);
- `stream`: the first --rows posts of the bench's synthetic stream (bench/synth.py, the
  texts `bench/run.py` imports), each read once by a fresh classifier (tables cold);
- `stream_roles`: the same with the author's role decided too, like `classify_per_s` of
  `bench/run.py`;
- `sample_batch`, `stream_batch`: the same texts through `Classifier.classify_many`, the
  path of the import (whole batches; `stream_batch` is `classify_topics_cpu_per_s` of
  `bench/run.py`).

CPU time of this process (`time.process_time`), not wall time: the figure holds still
when other programs share the machine. Each figure is the best of --rounds rounds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synth import pages  # noqa: E402

from filters.classify import Classifier  # noqa: E402
from sources.model.config import Config  # noqa: E402
from sources.x.twitter_v2 import parse_response  # noqa: E402

SAMPLE = ROOT / "bench" / "data" / "topics_labelled.jsonl"


def sample_rate(seconds: float) -> float:
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    classifier = Classifier(Config())
    done, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        for text in texts:
            classifier.classify_text(text)
        done += len(texts)
    return done / (time.process_time() - started)


def sample_batch_rate(seconds: float) -> float:
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    classifier = Classifier(Config())
    done, started = 0, time.process_time()
    while time.process_time() - started < seconds:
        classifier.classify_many(texts)
        done += len(texts)
    return done / (time.process_time() - started)


def stream_batch_rate(rows: int) -> float:
    texts = _stream_texts(rows)
    classifier = Classifier(Config())
    started = time.process_time()
    classifier.classify_many(texts)
    return len(texts) / (time.process_time() - started)


def _stream_texts(rows: int) -> list[str]:
    texts: list[str] = []
    for number, page in enumerate(pages(rows, seed=1)):
        texts.extend(m.text for m in parse_response(page, "bench", f"page {number}").mentions)
    return texts


def stream_rates(rows: int) -> tuple[float, float]:
    mentions, accounts = [], {}
    for number, page in enumerate(pages(rows, seed=1)):
        batch = parse_response(page, "bench", f"page {number}")
        mentions.extend(batch.mentions)
        accounts.update({a.key: a for a in batch.accounts})
    classifier = Classifier(Config())
    started = time.process_time()
    for mention in mentions:
        classifier.classify_mention(mention)
    topics = len(mentions) / (time.process_time() - started)
    classifier = Classifier(Config())
    started = time.process_time()
    for mention in mentions:
        classifier.classify_mention(mention)
        account = accounts.get(mention.author_key)
        if account is not None:
            classifier.classify_account(account)
        else:
            classifier.role_rules.decide(mention.author, mention.author_name)
    return topics, len(mentions) / (time.process_time() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="posts of the synthetic stream")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best counts")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    best = {k: 0.0 for k in ("sample", "stream", "stream_roles", "sample_batch", "stream_batch")}
    for _ in range(args.rounds):
        stream, roles = stream_rates(args.rows)
        figures = {
            "sample": sample_rate(2.0),
            "stream": stream,
            "stream_roles": roles,
            "sample_batch": sample_batch_rate(2.0),
            "stream_batch": stream_batch_rate(args.rows),
        }
        best = {k: max(v, figures[k]) for k, v in best.items()}
    if args.json:
        print(json.dumps({k: round(v) for k, v in best.items()}))
    else:
        for name, value in best.items():
            print(f"{name:14} {value:10,.0f} texts per CPU second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
