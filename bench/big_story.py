#!/usr/bin/env python3
"""Dedup and stories on one wire story republished thousands of times: time and memory as it grows.

    python bench/big_story.py [--copies 2000,4000,8000,16000] [--batch 500]

A heavily syndicated story makes each new copy an LSH candidate of every earlier one, in every band;
work that follows the candidate pairs grows with the square of the copies. Each size runs in its own
process (for a clean peak RSS): the seed article 001 in N near copies (one word of each edited with
letters, so no copy is exact and none changes a figure), shuffled, signed, then added in batches to
the DuplicateFinder and the StoryFinder as a run does. Prints the seconds of each ``add`` step, the
peak RSS, and each step's growth from the size before (2x the copies: ~2x is linear, ~4x quadratic).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def copies(count: int) -> list[tuple[str, str, None]]:
    text = (ROOT / "seeds" / "001_b41261e48053f856.txt").read_text(encoding="utf-8")
    rng, words = random.Random(0), text.split()
    docs = []
    for i in range(count):
        edited = list(words)
        at = rng.randrange(len(edited))
        edited[at] += "".join(chr(97 + rng.randrange(26)) for _ in range(4))
        docs.append((f"copy-{i:06d}", " ".join(edited), None))
    rng.shuffle(docs)
    return docs


def measure(count: int, batch: int) -> dict:
    from cleaners.config import Config
    from cleaners.dedup import DuplicateFinder, signatures
    from cleaners.stories import StoryFinder, story_signatures

    cfg = Config()
    docs = copies(count)
    sigs = signatures(docs, cfg.dedup)
    story_sigs = story_signatures([text for _, text, _ in docs], cfg.stories)
    finder, stories = DuplicateFinder(cfg.dedup), StoryFinder(cfg.stories)
    finder.add(sigs[:1])  # compiled code loaded before the clock starts
    stories.add([docs[0][0]], story_sigs[:1])
    dedup_s = story_s = 0.0
    for start in range(1, count, batch):
        t = time.perf_counter()
        finder.add(sigs[start:start + batch])
        dedup_s += time.perf_counter() - t
        t = time.perf_counter()
        stories.add([aid for aid, _, _ in docs[start:start + batch]], story_sigs[start:start + batch])
        story_s += time.perf_counter() - t
    verdicts = finder.verdicts()
    return {"copies": count, "dedup_s": dedup_s, "stories_s": story_s,
            "clusters": len({v.duplicate_of for v in verdicts.values()}), "duplicates": len(verdicts),
            "stories": len(set(stories.stories().values())),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", default="2000,4000,8000,16000")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.batch)))
        return
    before = None
    print(f"{'copies':>7} {'dedup add':>10} {'growth':>7} {'stories add':>12} {'growth':>7} {'peak RSS':>9}  result")
    for count in (int(c) for c in args.copies.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(count), "--batch", str(args.batch)],
                             check=True, capture_output=True, text=True).stdout
        row = json.loads(out.splitlines()[-1])
        growth = {key: f"{row[key] / before[key]:6.1f}x" if before else f"{'':>7}" for key in ("dedup_s", "stories_s")}
        print(f"{count:>7} {row['dedup_s']:>9.2f}s {growth['dedup_s']} {row['stories_s']:>11.2f}s {growth['stories_s']}"
              f" {row['rss_mb']:>6.0f} MB  {row['duplicates']} duplicates in {row['clusters']} cluster(s), "
              f"{row['stories']} story")
        before = row


if __name__ == "__main__":
    main()
