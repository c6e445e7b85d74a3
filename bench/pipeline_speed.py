#!/usr/bin/env python3
"""End-to-end throughput: `newsclean run` on a generated news corpus, and where its time goes.

    python bench/pipeline_speed.py [--docs 100000] [--workers N] [--profile-docs 2000]

Prefect's orchestration is measured in the run itself: its fixed start and stop (a run on the
seeds first) and the time the flow's task runs take beyond their bodies (the flow logs it). Of that
start and stop, Prefect's own part is the seeds run's time less that of the same work without
Prefect (a fresh process that loads the cleaners, cleans the seeds and writes). With
--profile-docs equal to --docs, the in-process time of the same work is also subtracted from the
run's, a second estimate that carries the drift between two runs minutes apart.

1. Generates a corpus with ../shared/tools/neardup/make_corpus.py (real article text, syndicated
   copies and near-misses), ~3.6 KB an article.
2. Runs the real command, `newsclean run CORPUS -o OUT -q` (read, clean, language, MT checks, dedup,
   write), in a fresh output folder without the incremental cache, and prints articles/s, MB/s
   (of article text) and the peak RSS of the run's processes, and the CPU of each of its roles
   (the flow's process, Prefect's server, the Dask scheduler, the Dask workers). With --workers, a
   run on the seeds first gives the fixed start-up and stop, and the rest gives the flow's own CPU
   an article against a worker's: every batch's results pass through the flow's one process, so
   past that many workers it, not the cores, sets the pace.
3. Times each stage in process on the first --profile-docs articles (the same pure functions the
   flow's tasks call) and prints their shares: reading, each cleaner, signatures, dedup + write.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OUT = ROOT / "bench" / "out" / "pipeline_speed"
RUN_OUT = OUT / f"run-{os.getpid()}"  # one per bench process: two benches may run side by side
sys.path.insert(0, str(ROOT))


def make_corpus(docs: int, seed: int) -> Path:
    corpus = OUT / f"corpus-{docs}-{seed}.jsonl"
    if not corpus.exists():
        subprocess.run([sys.executable, str(SHARED / "tools/neardup/make_corpus.py"), "--truth",
                        str(SHARED / "benchmarks/article-extraction/ground-truth.json"), "--seeds",
                        str(SHARED / "seeds"), "--docs", str(docs), "--seed", str(seed), "-o", str(corpus)],
                       check=True, capture_output=True)
    return corpus


def text_megabytes(corpus: Path) -> float:
    with corpus.open(encoding="utf-8") as handle:
        return sum(len(json.loads(line)["text"].encode()) for line in handle) / 1e6


class ProcessCPU:
    """CPU seconds of a command's process tree, by role, sampled while it runs (a process's last
    reading counts: children are gone by the end). Roles: the flow's own process (the command),
    Prefect's temporary server, the local cluster's Dask scheduler (a process of its own), and the
    rest (Dask worker processes, the fork server)."""

    def __init__(self, pid: int, interval: float = 0.2):
        self.pid, self.interval, self.seen = pid, interval, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil  # installed with distributed (prefect-dask)

        root = psutil.Process(self.pid)
        while not self._stop.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                return
            for proc in tree:
                try:
                    with proc.oneshot():
                        times, line = proc.cpu_times(), " ".join(proc.cmdline())
                    # An exiting process (a zombie) shows no command line: keep the one it had.
                    self.seen[proc.pid] = (line or self.seen.get(proc.pid, ("", 0.0))[0], times.user + times.system)
                except psutil.Error:
                    pass
            self._stop.wait(self.interval)

    def stop(self) -> dict[str, list[float]]:
        """{role: each of its processes' CPU seconds, largest first}."""
        self._stop.set()
        self._thread.join()
        roles: dict[str, list[float]] = {"flow": [], "prefect server": [], "dask scheduler": [], "workers": []}
        for pid, (line, cpu) in self.seen.items():
            role = ("flow" if pid == self.pid else "prefect server" if "uvicorn" in line
                    else "dask scheduler" if "distributed.Scheduler" in line else "workers")
            roles[role].append(cpu)
        return {role: sorted(cpus, reverse=True) for role, cpus in roles.items() if cpus}


NO_CACHE_CONFIG = ROOT / "bench" / "no_cache.toml"


def run_command(corpus: Path, workers: int | None,
                config: Path = NO_CACHE_CONFIG) -> tuple[float, float, dict, dict[str, list[float]], str]:
    """Seconds, peak RSS (MB), counts per status, CPU by role (``ProcessCPU``) and the log of one run."""
    out = RUN_OUT
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "flows.cli", "run", str(corpus), "-o", str(out), "-q", "--config", str(config)]
    if workers:
        command += ["--workers", str(workers)]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cpu = ProcessCPU(process.pid)
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    cpu_by_role = cpu.stop()
    if process.returncode:
        sys.exit(f"newsclean run failed:\n{stderr[-3000:]}")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest process of the run
    counts = Counter(json.loads(line)["status"] for line in (out / "manifest.jsonl").open(encoding="utf-8"))
    return elapsed, rss, dict(counts), cpu_by_role, stderr


def without_prefect(inputs: str, out: Path, config: Path) -> None:
    """What `newsclean run` does, in this process and without Prefect: load and warm the cleaners,
    read, clean, dedup and write; then exit as the command does (without the interpreter's teardown)."""
    from cleaners.config import load_config
    from cleaners.corpus import Ledger, batched, clean_batch, fewer_collections, write_outputs
    from cleaners.io import iter_records
    from flows.local_cluster import warm_up

    settings = load_config(str(config))
    warm_up()
    shutil.rmtree(out, ignore_errors=True)
    ledger = Ledger(out, settings)
    with fewer_collections():
        for records in batched(iter_records([inputs], settings.input), settings.pipeline.batch_size):
            ledger.add(*clean_batch(records, settings))
        write_outputs(ledger, out)
    ledger.close()
    sys.stdout.flush()
    os._exit(0)


def seconds_without_prefect(inputs: Path, config: Path) -> float:
    """Wall seconds of ``without_prefect`` on ``inputs`` in a fresh process (interpreter start included)."""
    out = OUT / f"without-prefect-{os.getpid()}"
    start = time.perf_counter()
    command = [sys.executable, __file__, "--without-prefect", str(inputs), "-o", str(out), "--config", str(config)]
    subprocess.run(command, cwd=ROOT, check=True)
    elapsed = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    return elapsed


AROUND_TASKS = re.compile(r"Prefect's own time around the (\d+) clean-batch task runs: ([\d.]+) s")


def orchestration_line(elapsed: float, fixed_elapsed: float, log: str, bare_elapsed: float | None = None) -> str:
    """Prefect's share as the run itself measured it: the fixed start and stop (a run on the seeds,
    whose cleaning is a few ms) and the time its task runs took beyond their bodies (the flow logs it).
    With ``bare_elapsed`` (the seeds without Prefect, ``seconds_without_prefect``), also Prefect's
    own part of that start and stop: the rest (the interpreter, the cleaners' imports and models)
    is a run's start-up with or without it."""
    found = AROUND_TASKS.search(log)
    if not found:
        return "orchestration: the run did not log its task runs' time (on Dask, batches are not Prefect task runs)"
    around = float(found[2])
    total = fixed_elapsed + around
    line = (f"orchestration, measured in the run: start and stop {fixed_elapsed:.1f} s (a run on the seeds) "
            f"+ {around:.2f} s around {found[1]} task runs = {total:.1f} s of {elapsed:.1f} s "
            f"({100 * total / elapsed:.1f}% of the run)")
    if bare_elapsed is not None:
        own = fixed_elapsed - bare_elapsed + around
        line += (f"\n  of which Prefect's own: {fixed_elapsed - bare_elapsed:.1f} s of the start and stop (the seeds "
                 f"without Prefect took {bare_elapsed:.1f} s) + {around:.2f} s = {own:.1f} s "
                 f"({100 * own / elapsed:.1f}% of the run)")
    return line


def cpu_line(cpu_by_role: dict[str, list[float]], docs: int, workers: int | None,
             fixed: dict[str, list[float]] | None = None) -> str:
    """CPU by role, in seconds and in ms an article, and what the flow's share means for scale-out:
    its process takes every batch's results in turn, so N workers can go no faster than it.
    ``fixed``: the same of a run on the five seed articles (start-up and stop), taken off for that."""
    parts = [f"{role} {sum(cpus):.1f} s ({1000 * sum(cpus) / docs:.2f} ms an article"
             + (f", {len(cpus)} processes)" if len(cpus) > 1 else ")")
             for role, cpus in cpu_by_role.items()]
    line = "CPU: " + "; ".join(parts)
    if workers and fixed and "workers" in cpu_by_role:
        # Workers make (workers / a worker's CPU an article) articles/s; the flow takes at most
        # 1 / (its CPU an article) of them, a bound on the speed-up whatever the cores.
        flow = sum(cpu_by_role["flow"]) - sum(fixed["flow"])
        busiest = cpu_by_role["workers"][:workers]  # the fork server and Dask's helpers use less
        worker = sum(busiest) / len(busiest) - max(fixed.get("workers", [])[:workers], default=0.0)
        per_worker_article = worker / (docs / workers)
        line += (f"\n  less start-up: flow {1000 * flow / docs:.3f} ms an article, a worker "
                 f"{1000 * per_worker_article:.3f}; the flow keeps pace with ~{per_worker_article / (flow / docs):.1f}"
                 " workers at most")
    return line


def stage_shares(corpus: Path, docs: int) -> dict[str, float]:
    """Seconds per stage on the first ``docs`` articles, timing the flow's own functions."""
    import tempfile

    from cleaners import registry
    from cleaners.config import load_config
    from cleaners.corpus import (
        Ledger,
        attach_story_signatures,
        clean_article,
        fewer_collections,
        spool_entry,
        write_outputs,
    )
    from cleaners.dedup import signatures
    from cleaners.document import KEPT
    from cleaners.io import iter_records

    config = load_config(str(NO_CACHE_CONFIG))  # the run's own settings: its
    # persistent dedup index included (written in the write pass), which is work, not orchestration
    spent: Counter = Counter()
    registry.get_cleaner("unicode")  # build the table, then wrap each cleaner in a timer
    for name, cleaner in list(registry._CLEANERS.items()):
        def timed(text, ctx, _cleaner=cleaner, _name=name):
            start = time.perf_counter()
            try:
                return _cleaner(text, ctx)
            finally:
                spent[f"clean: {_name}"] += time.perf_counter() - start
        registry._CLEANERS[name] = timed
    with tempfile.TemporaryDirectory() as folder, fewer_collections():  # as the flow collects garbage
        start = time.perf_counter()
        records = []
        for record in iter_records([str(corpus)], config.input):
            records.append(record)
            if len(records) == docs:
                break
        spent["read"] += time.perf_counter() - start
        ledger = Ledger(Path(folder), config)
        for at in range(0, len(records), config.pipeline.batch_size):
            batch = records[at:at + config.pipeline.batch_size]
            start = time.perf_counter()
            articles = [clean_article(r, config) for r in batch]
            spent["clean: all (incl. parse, quality)"] += time.perf_counter() - start
            start = time.perf_counter()
            kept = [a for a in articles if a.status == KEPT]
            made = signatures([(a.id, a.text, a.published) for a in kept], config.dedup)
            spent["signatures"] += time.perf_counter() - start
            start = time.perf_counter()
            attach_story_signatures(made, kept, config)  # as clean_batch does (on the workers, if any)
            spent["story signatures"] += time.perf_counter() - start
            sigs = dict(zip(map(id, kept), made, strict=True))
            start = time.perf_counter()
            entries = [spool_entry(a, config) for a in articles]  # as clean_batch does
            spent["spool entries (JSON, line hashes)"] += time.perf_counter() - start
            start = time.perf_counter()
            ledger.add(entries, [sigs.get(id(a)) for a in articles])
            spent["dedup + stories (add)"] += time.perf_counter() - start
        start = time.perf_counter()
        write_outputs(ledger, Path(folder) / "out")
        ledger.close()
        spent["dedup + write (outputs)"] += time.perf_counter() - start
    return dict(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, help="newsclean run --workers N (a local Dask cluster)")
    parser.add_argument("--profile-docs", type=int, default=2000, help="articles for the stage shares (0: skip)")
    parser.add_argument("--skip-run", action="store_true", help="only the stage shares")
    parser.add_argument("--config", type=Path, default=NO_CACHE_CONFIG,
                        help="the run's config (default: bench/no_cache.toml, a full run without the incremental "
                             "cache; newsclean.toml: the defaults, the cache filled as it goes)")
    parser.add_argument("--without-prefect", metavar="PATH", help=argparse.SUPPRESS)  # seconds_without_prefect's run
    parser.add_argument("-o", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.without_prefect:
        without_prefect(args.without_prefect, args.o, args.config)
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(args.docs, args.seed)
    mb = text_megabytes(corpus)
    print(f"corpus: {args.docs} articles, {mb:.1f} MB of article text ({corpus.name})")
    elapsed = None
    if not args.skip_run:
        # The seeds first, on as many workers: their time and CPU are the run's fixed start-up and stop.
        seeds = run_command(ROOT / "seeds", args.workers, args.config)
        fixed = seeds[3] if args.workers else None
        elapsed, rss, counts, cpu, log = run_command(corpus, args.workers, args.config)
        shutil.rmtree(RUN_OUT)
        print(f"newsclean run{f' --workers {args.workers}' if args.workers else ''}: {elapsed:.1f} s, "
              f"{args.docs / elapsed:.0f} articles/s, {mb / elapsed:.2f} MB/s, peak RSS {rss:.0f} MB; {counts}")
        print(cpu_line(cpu, args.docs, args.workers, fixed))
        if not args.workers:
            print(orchestration_line(elapsed, seeds[0], log, seconds_without_prefect(ROOT / "seeds", args.config)))
    if args.profile_docs:
        spent = stage_shares(corpus, min(args.profile_docs, args.docs))
        total = spent["read"] + spent["clean: all (incl. parse, quality)"] + spent["signatures"] \
            + spent["story signatures"] + spent["dedup + stories (add)"] + spent["dedup + write (outputs)"]
        print(f"stage shares on the first {min(args.profile_docs, args.docs)} articles ({total:.1f} s in process):")
        for stage, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {stage:36s} {seconds:7.2f} s  {100 * seconds / total:5.1f}%")
        if elapsed and args.profile_docs >= args.docs and not args.workers:
            # The same work in one process without Prefect: what is left is orchestration (the
            # temporary server, task runs, logging) and the command's start-up. A difference of two
            # runs minutes apart: the hour's drift (a few % either way) is in it, hence the line above.
            print(f"orchestration and start-up, by difference: {elapsed - total:.1f} s of {elapsed:.1f} s "
                  f"({100 * (elapsed - total) / elapsed:.1f}% of the run)")


if __name__ == "__main__":
    main()
