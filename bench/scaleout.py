#!/usr/bin/env python3
"""Scale-out curve: the whole `newsclean run` on one corpus, one process and then N Dask workers.

    python bench/scaleout.py [--docs 30000] [--workers 2,4,8,16] [--no-serial]

The baseline is the plain run (one process, no Dask); each `--workers N` run uses a local Dask
cluster of N single-threaded worker processes (prefect-dask's DaskTaskRunner). Every run's
manifest is compared with the baseline's: scaling out must not change what is kept or merged.
Prints one line per run (seconds, articles/s, MB/s, speed-up), the CPU of each role of its processes
(flow, Prefect server, workers), and a JSON line for collecting runs made in separate calls.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_speed import OUT, ROOT, RUN_OUT, cpu_line, make_corpus, run_command, text_megabytes  # noqa: E402


def manifest_digest(folder: Path = RUN_OUT) -> str:
    return hashlib.sha256((folder / "manifest.jsonl").read_bytes()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="2,4,8,16", help="comma-separated worker counts")
    parser.add_argument("--no-serial", action="store_true", help="skip the one-process baseline")
    parser.add_argument("--serial-seconds", type=float, help="baseline time from an earlier call")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(args.docs, args.seed)
    mb = text_megabytes(corpus)
    print(f"corpus: {args.docs} articles, {mb:.1f} MB of article text", flush=True)
    # A first run on a fresh machine creates and migrates Prefect's database (~5 s): done once here,
    # outside every timed run, as any user's second run finds it done.
    run_command(ROOT / "seeds", None)
    baseline = args.serial_seconds
    runs = [None] if not args.no_serial else []
    runs += [int(w) for w in args.workers.split(",") if w]
    for workers in runs:
        elapsed, _, counts, cpu, _ = run_command(corpus, workers)
        if workers is None:
            baseline = elapsed
        speedup = f"{baseline / elapsed:5.2f}x" if baseline else "  n/a"
        label = "1 process" if workers is None else f"{workers} workers"
        print(f"{label:>10}: {elapsed:7.1f} s  {args.docs / elapsed:7.0f} articles/s  {mb / elapsed:6.2f} MB/s  "
              f"speed-up {speedup}  {counts}", flush=True)
        print(f"{'':>10}  {cpu_line(cpu, args.docs, workers)}", flush=True)
        print(json.dumps({"docs": args.docs, "workers": workers or 1, "dask": workers is not None,
                          "seconds": round(elapsed, 2), "manifest": manifest_digest(),
                          "cpu": {role: [round(c, 1) for c in cpus] for role, cpus in cpu.items()}}), flush=True)


if __name__ == "__main__":
    main()
