#!/usr/bin/env python3
"""Near-duplicate quality: generate a labelled syndication corpus, run `newsclean run`, score it.

    python bench/neardup_quality.py [--docs 5000] [--seed 1]

Uses ../shared/tools/neardup (make_corpus.py, score.py); prints pairwise P/R/F1, ARI and how many
hard negatives (different articles on one topic) were merged.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OUT = ROOT / "bench" / "out" / "neardup"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = OUT / f"corpus-{args.docs}-{args.seed}.jsonl"
    if not corpus.exists():
        subprocess.run([sys.executable, str(SHARED / "tools/neardup/make_corpus.py"), "--truth",
                        str(SHARED / "benchmarks/article-extraction/ground-truth.json"), "--seeds",
                        str(SHARED / "seeds"), "--docs", str(args.docs), "--seed", str(args.seed), "-o", str(corpus)],
                       check=True, capture_output=True)
    result = OUT / f"run-{args.docs}-{args.seed}"
    shutil.rmtree(result, ignore_errors=True)  # a fresh run: no index or cache from an earlier one
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flows.cli", "run", str(corpus), "-o", str(result), "-q",
                           "--config", str(ROOT / "bench" / "no_cache.toml")], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"newsclean run failed:\n{done.stderr}")
    elapsed = time.perf_counter() - start
    score = subprocess.run([sys.executable, str(SHARED / "tools/neardup/score.py"), str(corpus),
                            str(result / "manifest.jsonl")], check=True, capture_output=True, text=True)
    print(f"corpus {corpus.name}: newsclean run (clean + dedup + write) {elapsed:.1f}s")
    print(score.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
