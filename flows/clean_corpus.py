"""The Prefect flow: read -> clean (batched tasks) -> dedup -> write -> report.

Thin orchestration over ``cleaners``: every step here is a call into a pure, separately tested
function. One task run per batch, never per document: a task run costs ~8 ms of orchestration.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from cleaners.cache import CleanCache
from cleaners.config import Config, load_config
from cleaners.corpus import Ledger, batched, clean_batch, write_outputs
from cleaners.dedup import Signature
from cleaners.document import Article
from cleaners.io import RawRecord, check_inputs, iter_records
from cleaners.report import RunSummary
from flows import progress

REPORT_ARTIFACT_KEY = "newsclean-report"


# NO_CACHE: batches are large and single-use; hashing them for a cache key would cost more than cleaning.
@task(name="clean-batch", cache_policy=NO_CACHE)
def clean_batch_task(records: list[RawRecord], config: Config) -> tuple[list[Article], list[Signature | None]]:
    return clean_batch(records, config)


@task(name="dedup-and-write", cache_policy=NO_CACHE, retries=1)
def write_outputs_task(ledger: Ledger, output: Path) -> RunSummary:
    return write_outputs(ledger, output)


@flow(name="clean-corpus")
def clean_corpus(
    inputs: list[str], output: str = "output", config_path: str | None = None
) -> dict[str, int]:
    """Clean every article under ``inputs`` into ``output``; return the counts per status."""
    logger = get_run_logger()
    config = load_config(config_path)
    check_inputs(inputs)
    out = Path(output)
    ledger = Ledger(out, config)
    cache = CleanCache(out, config) if config.pipeline.incremental else None
    try:
        done, done_bytes = 0, 0
        records = iter_records(inputs, config.input)
        for number, batch in enumerate(batched(records, config.pipeline.batch_size), start=1):
            if cache:
                articles, sigs = cache.clean(batch, lambda todo: clean_batch_task(todo, config))
            else:
                articles, sigs = clean_batch_task(batch, config)
            ledger.add(articles, sigs)
            done += len(batch)
            done_bytes += sum(len(r.data) for r in batch)
            logger.info("batch %d: %d records cleaned (%d so far)", number, len(batch), done)
            progress.report(done, done_bytes)
        summary = write_outputs_task(ledger, out)
        if cache:
            cache.prune()
            logger.info("incremental: %d records reused from earlier runs, %d cleaned", cache.hits, cache.misses)
    finally:
        ledger.close()
        if cache:
            cache.close()
    create_markdown_artifact(markdown=summary.to_markdown(), key=REPORT_ARTIFACT_KEY,
                             description="newsclean run summary")
    counts = summary.counts()
    logger.info("done: %(inputs)d inputs, %(kept)d kept, %(duplicate)d duplicates, %(rejected)d rejected", counts)
    return counts


if __name__ == "__main__":
    clean_corpus(["seeds"])
