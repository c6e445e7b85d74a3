#!/usr/bin/env python3
"""Boilerplate removal on the article-extraction benchmark (181 real pages), scored by its metric.

Feeds an extractor's output (trafilatura, jusText or html-text) to newsclean as JSONL (id, text),
runs the real `newsclean run`, and scores the cleaned bodies with ../shared/tools/article-eval.
Prints the extractor alone and extractor + newsclean, and what newsclean removed per category.

    python bench/article_extraction.py [trafilatura html-text justext ground-truth]

`ground-truth` feeds the true bodies themselves: every removal there is article text lost.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "benchmarks" / "article-extraction"
SCORER = ROOT.parent / "shared" / "tools" / "article-eval" / "score.py"
OUT = ROOT / "bench" / "out" / "article_extraction"
CONFIG = ROOT / "bench" / "article_extraction.toml"


def score(prediction: Path) -> str:
    done = subprocess.run([sys.executable, str(SCORER), str(DATA / "ground-truth.json"), str(prediction)],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def run(extractor: str) -> None:
    pages = json.loads((DATA / f"{extractor}.json").read_text(encoding="utf-8"))
    pages = pages.get("output", pages)
    OUT.mkdir(parents=True, exist_ok=True)
    feed = OUT / f"{extractor}.jsonl"
    with feed.open("w", encoding="utf-8") as handle:
        for key, page in pages.items():
            handle.write(json.dumps({"id": key, "text": page.get("articleBody") or ""}, ensure_ascii=False) + "\n")
    result = OUT / extractor
    subprocess.run([sys.executable, "-m", "flows.cli", "run", str(feed), "-o", str(result), "--config", str(CONFIG),
                    "-q"], cwd=ROOT, check=True, capture_output=True)
    kept = {}
    for line in (result / "articles.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        kept[row["id"]] = row["text"]
    prediction = OUT / f"{extractor}.pred.jsonl"
    with prediction.open("w", encoding="utf-8") as handle:
        for key in pages:  # a rejected page scores as an empty prediction
            handle.write(json.dumps({"id": key, "text": kept.get(key, "")}, ensure_ascii=False) + "\n")
    removed = Counter()
    for line in (result / "edits.jsonl").open(encoding="utf-8"):
        edit = json.loads(line)
        if edit["action"] == "removed":
            removed[f"{edit['cleaner']}/{edit['category']}"] += 1
    statuses = Counter(json.loads(line)["status"] for line in (result / "manifest.jsonl").open(encoding="utf-8"))
    print(f"{extractor:12s} alone:            {score(DATA / f'{extractor}.json')}")
    print(f"{extractor:12s} + newsclean:      {score(prediction)}")
    print(f"  statuses: {dict(statuses)}")
    print("  removed: " + ", ".join(f"{k} {n}" for k, n in removed.most_common()))


if __name__ == "__main__":
    for name in sys.argv[1:] or ["trafilatura", "html-text"]:
        run(name)
