#!/usr/bin/env python3
"""The flow's ceiling on Dask: how many articles a second its one process can take, whatever the
number of workers, measured directly on this machine.

    python bench/flow_ceiling.py [--docs 25000] [--workers 4] [--serial-rate 396]

Every batch's results pass through the flow's process (dedup and story indexes, spooling, reading
and sending the records), so past some number of workers it, not the cores, sets the pace. On a
machine with fewer cores than that, the ceiling can still be measured: the workers here replay
results cleaned beforehand instead of cleaning, so they finish each batch at once and the flow runs
as fast as it can. What stays real: the records read and sent to the workers (unpickled there), the
results pickled and sent back, the flow's indexes, spool and write pass (the rendering runs on the
workers, as in a run with --workers).

1. Cleans the corpus once in this process (``clean_batch``, batches of 100) and keeps each record's
   spool entry and signatures in a file under bench/out (made once per corpus and code version).
2. Starts the same local cluster as `newsclean run --workers N` (``early_local_cluster``: forked,
   warmed workers; from four workers on, the scheduler in a process of its own), and has each
   worker answer ``clean_batch`` from that file.
3. Runs the real flow in this process on that cluster, and prints the cleaning phase's steady rate
   (from the first group's results to the last, so without Prefect's start-up) and the flow
   process's CPU an article over it; with --serial-rate (articles/s of one process, e.g. from
   bench/pipeline_speed.py), the speed-up that ceiling allows.

The output is checked against a plain one-process run of the same corpus (the manifest's digest):
replaying must not change what is kept or merged.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_speed import NO_CACHE_CONFIG, OUT, RUN_OUT, make_corpus, run_command, text_megabytes  # noqa: E402
from scaleout import manifest_digest  # noqa: E402


def cleaned_results(corpus: Path) -> Path:
    """Each record's (spool entry, signature), cleaned in this process, in a file (made once for
    each corpus and each version of what shapes cleaning: the incremental cache's fingerprint)."""
    from cleaners.cache import cleaning_fingerprint
    from cleaners.config import load_config
    from cleaners.corpus import batched, clean_batch
    from cleaners.io import iter_records

    config = load_config(str(NO_CACHE_CONFIG))
    path = OUT / f"{corpus.stem}-cleaned-{cleaning_fingerprint(config)[:12]}.pickle"
    if path.exists():
        return path
    results = {}
    start = time.perf_counter()
    for records in batched(iter_records([str(corpus)], config.input), 100):
        entries, sigs = clean_batch(records, config)
        for record, entry, sig in zip(records, entries, sigs, strict=True):
            results[record.input, record.default_id] = (entry, sig)
    print(f"cleaned {len(results)} records in this process for the replay: {time.perf_counter() - start:.1f} s",
          flush=True)
    path.write_bytes(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    return path


def _install_replay(path: str) -> int:
    """On a worker: answer ``clean_batch`` from ``path``. The flow sends ``clean_batch`` by
    reference (module and name), so the worker runs whatever its module holds under that name.
    Self-contained: sent by value (this file is no module the workers can import)."""
    import pickle
    from pathlib import Path

    import cleaners.corpus

    table = pickle.loads(Path(path).read_bytes())

    def replay(records, config):  # noqa: ARG001 - clean_batch's signature
        found = [table[r.input, r.default_id] for r in records]
        return [entry for entry, _ in found], [sig for _, sig in found]

    cleaners.corpus.clean_batch = replay
    return len(table)


def run_on_replaying_cluster(corpus: Path, results: Path, workers: int, out: Path, config: Path) -> dict:
    """The real flow, in this process, on a local cluster whose workers replay ``results``."""
    from distributed import Client

    import flows.local_cluster
    from flows import progress
    from flows.clean_corpus import clean_corpus

    marks: list[tuple[float, float, int]] = []  # (wall, this process's CPU, records done) per group

    def mark(done: int, _bytes: int) -> None:
        marks.append((time.perf_counter(), time.process_time(), done))

    with flows.local_cluster.early_local_cluster(workers) as address:
        with Client(address) as client:
            client.wait_for_workers(workers, timeout=120)
            held = client.run(_install_replay, str(results))
            assert all(n > 0 for n in held.values()), held

        @contextlib.contextmanager
        def this_cluster(_workers: int):
            yield address

        original = flows.local_cluster.early_local_cluster
        flows.local_cluster.early_local_cluster = this_cluster  # the flow joins it as its own local cluster
        progress.subscribe(mark)
        try:
            start = time.perf_counter()
            counts = clean_corpus([str(corpus)], str(out), config_path=str(config), workers=workers)
            elapsed = time.perf_counter() - start
        finally:
            progress.unsubscribe(mark)
            flows.local_cluster.early_local_cluster = original
    (wall0, cpu0, done0), (wall1, cpu1, done1) = marks[0], marks[-1]
    return {"counts": counts, "elapsed": elapsed, "groups": len(marks), "articles": done1 - done0,
            "seconds": wall1 - wall0, "cpu": cpu1 - cpu0, "after_cleaning": start + elapsed - wall1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--serial-rate", type=float, help="articles/s of one process, for the speed-up")
    parser.add_argument("--config", type=Path, default=NO_CACHE_CONFIG,
                        help="the flow's config (default: without the incremental cache; newsclean.toml: the "
                             "defaults, the cache filled in the flow's process as it goes)")
    parser.add_argument("--no-check", action="store_true",
                        help="skip the one-process run the output is checked against")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(args.docs, args.seed)
    mb = text_megabytes(corpus)
    print(f"corpus: {args.docs} articles, {mb:.1f} MB of article text", flush=True)
    results = cleaned_results(corpus)
    out = OUT / f"ceiling-{os.getpid()}"
    shutil.rmtree(out, ignore_errors=True)
    found = run_on_replaying_cluster(corpus, results, args.workers, out, args.config)
    digest = manifest_digest(out)
    shutil.rmtree(out)
    rate = found["articles"] / found["seconds"]
    print(f"flow on {args.workers} replaying workers: {found['elapsed']:.1f} s in all; cleaning phase "
          f"{found['articles']} articles in {found['seconds']:.1f} s over {found['groups']} groups: "
          f"{rate:.0f} articles/s ({rate * mb / args.docs:.2f} MB/s), the flow's process "
          f"{1000 * found['cpu'] / found['articles']:.3f} ms of CPU an article; then "
          f"{found['after_cleaning']:.1f} s to the end (the write pass); {found['counts']}")
    if args.serial_rate:
        print(f"ceiling against one process ({args.serial_rate:.0f} articles/s): {rate / args.serial_rate:.1f}x")
    if not args.no_check:
        run_command(corpus, None)
        plain = manifest_digest()
        shutil.rmtree(RUN_OUT)
        print(f"manifest {digest} against a one-process run's {plain}: {'same' if digest == plain else 'DIFFERENT'}")
    print(json.dumps({"docs": args.docs, "workers": args.workers, "articles": found["articles"],
                      "seconds": round(found["seconds"], 2), "cpu": round(found["cpu"], 2), "manifest": digest}))


if __name__ == "__main__":
    main()
