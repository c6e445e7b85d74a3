#!/usr/bin/env python3
"""How the flow's own per-article work (the ledger: spool, dedup index, story index) grows with the corpus.

    python bench/ledger_growth.py [--docs 100000] [--every 10000] [--profile]

Articles of a generated corpus (see bench/pipeline_speed.py) are parsed but not cleaned, their
dedup and story signatures made as the workers make them, and ``Ledger.add`` is timed, batch by
batch as in the flow. Prints ms per article for each stretch of --every articles; --profile prints
the top functions of the last 5,000. The work is serial in the flow process, so it caps what many
workers can give.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline_speed import make_corpus  # noqa: E402

from cleaners.config import Config  # noqa: E402
from cleaners.corpus import Ledger, attach_story_signatures, spool_entry  # noqa: E402
from cleaners.dedup import signatures  # noqa: E402
from cleaners.document import KEPT  # noqa: E402
from cleaners.io import iter_records, parse_record  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    config = Config()
    config.pipeline.incremental = False
    config.dedup.index = False
    corpus = make_corpus(args.docs, args.seed)
    records = iter_records([str(corpus)], config.input)
    profile = cProfile.Profile()
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(Path(folder), config)
        done, spent = 0, 0.0
        while batch := list(itertools.islice(records, config.pipeline.batch_size)):
            articles = [parse_record(r, config.input) for r in batch]
            kept = [a for a in articles if a.status == KEPT]
            sigs = signatures([(a.id, a.text, a.published) for a in kept], config.dedup)
            attach_story_signatures(sigs, kept, config)
            by_article = dict(zip(map(id, kept), sigs, strict=True))
            profiling = args.profile and done >= args.docs - 5000
            if profiling:
                profile.enable()
            start = time.perf_counter()
            ledger.add([spool_entry(a, config) for a in articles], [by_article.get(id(a)) for a in articles])
            spent += time.perf_counter() - start
            if profiling:
                profile.disable()
            before, done = done, done + len(batch)
            if done // args.every > before // args.every:
                print(f"articles {done:>7,}: Ledger.add {1000 * spent / args.every:.3f} ms an article "
                      f"(over the last {args.every:,})", flush=True)
                spent = 0.0
            if done >= args.docs:
                break
        ledger.close()
    if args.profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(15)


if __name__ == "__main__":
    main()
