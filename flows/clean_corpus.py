"""The Prefect flow: read -> clean (batched tasks) -> dedup -> write -> report.

Thin orchestration over ``cleaners``: every step here is a call into a pure, separately tested
function. In process, one task run per batch, never per document: a task run costs ~8 ms of
orchestration.

Scale-out: with a Dask task runner (``task_runner_for``), groups of batches are cleaned in parallel
on the cluster's workers while the flow gathers the results in input order; signatures are
computed with the cleaning, and dedup and stories run once, over all of them, in the flow.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from cleaners.cache import CleanCache
from cleaners.config import Config, ConfigError, load_config, on_dask, scale_out
from cleaners.corpus import (
    ChunkRenderer,
    Ledger,
    RunDecisions,
    SpoolEntry,
    batched,
    clean_batch,
    fewer_collections,
    render_chunk,
    render_in_process,
    render_spool_file,
    write_outputs,
)
from cleaners.dedup import Signature
from cleaners.io import RawRecord, check_inputs, iter_records, output_lock
from cleaners.report import RunSummary
from flows import progress

REPORT_ARTIFACT_KEY = "newsclean-report"


@dataclass
class TaskClock:
    """Seconds inside the clean-batch task's body, and in calls to it: the difference is Prefect's
    own part of the task runs (creating each, its states and logs), measured in the run itself."""

    runs: int = 0
    called: float = 0.0
    inside: float = 0.0

    def around(self) -> float:
        return self.called - self.inside


TASK_CLOCK = TaskClock()  # this process's; a run reads the difference over its own calls


# NO_CACHE: batches are large and single-use; hashing them for a cache key would cost more than cleaning.
@task(name="clean-batch", cache_policy=NO_CACHE)
def clean_batch_task(records: list[RawRecord], config: Config) -> tuple[list[SpoolEntry], list[Signature | None]]:
    start = time.perf_counter()
    try:
        return clean_batch(records, config)
    finally:
        TASK_CLOCK.inside += time.perf_counter() - start


# On Dask, batches of at most this many articles: many small tasks keep every worker busy to the
# end of the run.
DASK_BATCH_SIZE = 100


def _dask_batch_size(config: Config) -> int:
    return min(config.pipeline.batch_size, DASK_BATCH_SIZE)


@contextlib.contextmanager
def _dask_client(config: Config) -> Iterator:
    """A client of the cluster the run cleans on: its Dask task runner's (``newsclean run`` gives
    the flow one), else the flow's own. A deployment run (what ``newsclean serve`` starts) or a call
    from Python loads the flow with Prefect's default task runner, whatever ``pipeline.workers``
    says: the flow then joins ``pipeline.dask_address``, or starts a local cluster of that many
    workers for the run (``early_local_cluster``)."""
    from prefect.context import FlowRunContext
    from prefect_dask import DaskTaskRunner, get_dask_client

    from flows.local_cluster import early_local_cluster

    runner = FlowRunContext.get().task_runner
    if isinstance(runner, DaskTaskRunner):
        with _said_if_unreachable(config.pipeline.dask_address):
            runner.client  # noqa: B018 - the runner starts (or joins) its cluster on first use
        with get_dask_client() as client:
            yield client
        return
    from distributed import Client

    with contextlib.ExitStack() as stack:
        address = config.pipeline.dask_address or stack.enter_context(early_local_cluster(config.pipeline.workers))
        with _said_if_unreachable(config.pipeline.dask_address):
            client = stack.enter_context(Client(address))
        yield client


@contextlib.contextmanager
def _said_if_unreachable(address: str) -> Iterator[None]:
    """A cluster at ``address`` that cannot be joined fails the run with one clear line (a
    deployment run's state says it), not Dask's connection traceback."""
    try:
        yield
    except Exception as exc:
        if not address:
            raise  # the run's own local cluster: not a setting of the user's
        from flows.local_cluster import unreachable_message

        raise ConfigError(unreachable_message(address, f"{type(exc).__name__}: {exc}")) from exc


def _clean_on_workers(groups: Iterable[list[RawRecord]], config: Config, cache: CleanCache | None,
                      client) -> Iterator[tuple[list[SpoolEntry], list[Signature | None]]]:
    """Clean each group's batches on the Dask workers of ``client`` (``_dask_client``); yield each
    group's results in input order. The next group is submitted before this one is gathered, so
    workers stay busy while the flow spools, dedups and reads on.

    The batches go to the cluster as plain Dask tasks, not as Prefect task runs: a task run on a
    worker reports its states and logs to the Prefect server, ~0.2-0.5 s a batch (measured), and
    many workers writing at once lock its SQLite file.
    """
    size = _dask_batch_size(config)

    def submit(records: list[RawRecord]):
        lookup = cache.look_up(records) if cache else None
        todo = lookup.todo if cache else records
        return lookup, client.map(clean_batch, list(batched(todo, size)), config=config, pure=False)

    def gather(lookup, futures) -> tuple[list[SpoolEntry], list[Signature | None]]:
        entries: list[SpoolEntry] = []
        sigs: list[Signature | None] = []
        for done_entries, done_sigs in client.gather(futures):
            entries += done_entries
            sigs += done_sigs
        return cache.complete(lookup, entries, sigs) if cache else (entries, sigs)

    pending = None
    for records in groups:
        submitted = submit(records)
        if pending is not None:
            yield gather(*pending)
        pending = submitted
    if pending is not None:
        yield gather(*pending)


def task_runner_for(config: Config, local_address: str | None = None):
    """A DaskTaskRunner when the config asks for workers or a cluster address; else None (in process).

    ``local_address``: the local cluster ``newsclean run`` started early (``flows.local_cluster``);
    without it, the runner starts one itself when the flow begins.
    """
    pipeline = config.pipeline
    if not on_dask(config):
        return None
    from prefect_dask import DaskTaskRunner

    if pipeline.dask_address or local_address:
        return DaskTaskRunner(address=pipeline.dask_address or local_address)
    # Processes, one thread each: cleaning is pure Python and holds the GIL. Loopback only, no dashboard.
    return DaskTaskRunner(cluster_kwargs={"n_workers": pipeline.workers, "threads_per_worker": 1,
                                          "processes": True, "host": "127.0.0.1", "dashboard_address": ":0"})


def _counted(groups: Iterable[list[RawRecord]], sizes: deque[tuple[int, int]]) -> Iterator[list[RawRecord]]:
    """Pass ``groups`` on, noting each one's records and bytes (for progress) as it is read."""
    for records in groups:
        sizes.append((len(records), sum(len(r.data) for r in records)))
        yield records


def _render_on_workers(client, shared_disk: bool, ledger: Ledger, decisions: RunDecisions) -> Iterator[tuple]:
    """The write pass's rendering on the Dask workers: the run's decisions go to every worker once,
    each spool file as a task (a few in flight per worker, so memory stays bounded); results in
    order. ``shared_disk`` (a local cluster): a worker reads the spool file and writes its outputs'
    parts beside it (``render_spool_file``); else the spool's text is sent and the rendered lines
    come back, so a remote cluster needs no shared disk."""
    # hash=False: Dask would otherwise tokenize what it sends (hash every verdict and MBs of text)
    # to name it, serially in the flow's process.
    shared = client.scatter(decisions, broadcast=True, hash=False)
    ahead = len(client.scheduler_info()["workers"]) + 2
    window: deque = deque()
    if shared_disk:
        tasks = ((render_spool_file, path) for path in ledger.spool_files())
    else:
        tasks = ((render_chunk, client.scatter(text, hash=False)) for text in ledger.spooled())
    for render, chunk in tasks:
        window.append(client.submit(render, chunk, shared, pure=False))
        if len(window) >= ahead:
            yield window.popleft().result()
    while window:
        yield window.popleft().result()


@task(name="dedup-and-write", cache_policy=NO_CACHE, retries=1)
def write_outputs_task(ledger: Ledger, output: Path, render: ChunkRenderer = render_in_process) -> RunSummary:
    return write_outputs(ledger, output, render)


@flow(name="clean-corpus")
def clean_corpus(
    inputs: list[str], output: str = "output", config_path: str | None = None, workers: int | None = None,
    dask_address: str | None = None,
) -> dict[str, int]:
    """Clean every article under ``inputs`` into ``output``; return the counts per status.

    ``workers`` and ``dask_address`` override the config's. ``newsclean run`` gives the flow the
    matching task runner (``task_runner_for``), on a cluster it started early; without one, the
    flow starts or joins the cluster itself (``_dask_client``).
    """
    logger = get_run_logger()
    config = scale_out(load_config(config_path), workers, dask_address)
    check_inputs(inputs)
    out = Path(output)
    with output_lock(out), fewer_collections():  # one run at a time into a folder
        return _clean_into(inputs, out, config, logger)


def _clean_into(inputs: list[str], out: Path, config: Config, logger) -> dict[str, int]:
    """The flow's work, with the output folder held."""
    parallel = on_dask(config)
    # On Dask, a group of batches at a time (and the next one queued): memory stays bounded (an
    # existing cluster's size is not known here: taken as 8).
    batches_per_group = 2 * max(config.pipeline.workers, 8 if config.pipeline.dask_address else 1) if parallel else 1
    group = _dask_batch_size(config) * batches_per_group if parallel else config.pipeline.batch_size
    ledger = Ledger(out, config)
    cache = CleanCache(out, config) if config.pipeline.incremental else None
    if cache and cache.discarded:
        logger.warning("incremental cache: %s", cache.discarded)

    def clean(records: list[RawRecord]) -> tuple[list[SpoolEntry], list[Signature | None]]:
        start = time.perf_counter()
        try:
            # quote: Prefect would otherwise walk the batch's records looking for futures (~12 ms a batch)
            return clean_batch_task(quote(records), config)
        finally:
            TASK_CLOCK.runs += 1
            TASK_CLOCK.called += time.perf_counter() - start

    def in_process(groups: Iterable[list[RawRecord]]) -> Iterator[tuple[list[SpoolEntry], list[Signature | None]]]:
        for records in groups:
            yield cache.clean(records, clean) if cache else clean(records)

    clock_before = replace(TASK_CLOCK)  # this run's figures are the difference
    cluster = contextlib.ExitStack()
    try:
        client = cluster.enter_context(_dask_client(config)) if parallel else None
        done, done_bytes, sizes = 0, 0, deque()
        groups = _counted(batched(iter_records(inputs, config.input), group), sizes)
        results = _clean_on_workers(groups, config, cache, client) if parallel else in_process(groups)
        for number, (entries, sigs) in enumerate(results, start=1):
            ledger.add(entries, sigs)
            batch_records, batch_bytes = sizes.popleft()
            done += batch_records
            done_bytes += batch_bytes
            logger.info("batch %d: %d records cleaned (%d so far)", number, batch_records, done)
            progress.report(done, done_bytes)
        if parallel:
            # A local cluster (no address given) shares this machine's disk.
            shared_disk = not config.pipeline.dask_address
            summary = write_outputs_task(ledger, out, partial(_render_on_workers, client, shared_disk))
        else:
            summary = write_outputs_task(ledger, out)
        if cache:
            cache.prune()
            logger.info("incremental: %d records reused from earlier runs, %d cleaned", cache.hits, cache.misses)
    finally:
        ledger.close()
        if cache:
            cache.close()
        cluster.close()
    create_markdown_artifact(markdown=summary.to_markdown(), key=REPORT_ARTIFACT_KEY,
                             description="newsclean run summary")
    counts = summary.counts()
    logger.info("done: %(inputs)d inputs, %(kept)d kept, %(duplicate)d duplicates, %(rejected)d rejected", counts)
    runs = TASK_CLOCK.runs - clock_before.runs
    if runs:
        around = TASK_CLOCK.around() - clock_before.around()
        logger.info("Prefect's own time around the %d clean-batch task runs: %.2f s (%.1f ms a run)",
                    runs, around, 1000 * around / runs)
    return counts


if __name__ == "__main__":
    clean_corpus(["seeds"])
