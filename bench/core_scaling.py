#!/usr/bin/env python3
"""What the machine itself gives: N independent processes, each cleaning the same articles, no Dask.

    python bench/core_scaling.py [--docs 600] [--procs 1,2,4,8,16]

Each process warms up on a few articles, then times ``clean_batch`` on --docs articles of the
generated corpus. Prints each run's per-process rate and the aggregate rate against one process:
the ceiling for the scale-out curve of `bench/scaleout.py` (shared cores, hyper-threads, memory
bandwidth), with none of the flow's or Dask's costs in it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_speed import NO_CACHE_CONFIG, OUT, make_corpus  # noqa: E402

WARM_UP = 50


def _records(docs: int):
    from cleaners.config import load_config
    from cleaners.io import iter_records

    config = load_config(str(NO_CACHE_CONFIG))
    corpus = make_corpus(max(docs + WARM_UP, 2000), 1)
    records = []
    for record in iter_records([str(corpus)], config.input):
        records.append(record)
        if len(records) == docs + WARM_UP:
            break
    return records, config


def _clean(docs: int, start, results) -> None:
    from cleaners.corpus import batched, clean_batch

    records, config = _records(docs)
    clean_batch(records[:WARM_UP], config)
    start.wait()
    began = time.perf_counter()
    for batch in batched(records[WARM_UP:], 100):
        clean_batch(batch, config)
    results.put(docs / (time.perf_counter() - began))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=600)
    parser.add_argument("--procs", default="1,2,4,8,16")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    _records(args.docs)  # make the corpus once, before the processes race for it
    context = multiprocessing.get_context("spawn")
    single = None
    for procs in [int(p) for p in args.procs.split(",") if p]:
        start, results = context.Barrier(procs), context.Queue()
        workers = [context.Process(target=_clean, args=(args.docs, start, results)) for _ in range(procs)]
        for worker in workers:
            worker.start()
        rates = sorted(results.get() for _ in workers)
        for worker in workers:
            worker.join()
        total = sum(rates)
        single = single or total / procs
        print(f"{procs:3d} processes: {total / procs:6.1f} articles/s each (min {rates[0]:.1f}, max {rates[-1]:.1f}), "
              f"{total:7.1f} together, {total / single:5.2f}x one process", flush=True)


if __name__ == "__main__":
    main()
