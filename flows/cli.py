"""The ``newsclean`` command: run, explain, serve.

argparse (stdlib) is enough for three subcommands; rich draws the progress bar and explanations.
User mistakes (a missing path, a bad config) end with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib.util
import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from cleaners.config import ConfigError, load_config
from flows import exit_without_teardown  # the package, imported first, sets Prefect's offline defaults
from flows.local_cluster import early_local_cluster, free_port, unreachable, unreachable_message
from flows.tied import tied_command

DEFAULT_INPUT = "seeds"
DEFAULT_OUTPUT = "output"


def _input_bytes(paths: list[str]) -> int:
    total = 0
    for p in map(Path, paths):
        files = (f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        total += sum(f.stat().st_size for f in files if f.is_file())
    return total


def cmd_run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from cleaners.boilerplate import phrasebook_for
    from cleaners.config import scale_out
    from cleaners.index import open_index
    from cleaners.io import check_inputs, output_lock

    with contextlib.ExitStack() as stack:
        # Prefect's server first: its start-up (~3.5 s) is the longest step before the first batch,
        # and the checks and imports below overlap it. A mistake they find ends the command at once
        # (one line, exit status 2), and the server with it.
        server = stack.enter_context(local_prefect_server(scheduler=False))
        config = scale_out(load_config(args.config), args.workers, args.dask_address)
        check_inputs(args.paths)
        phrasebook_for(config.boilerplate)  # an unknown language or a broken phrase file, said once
        # Another run writing the same folder: said before the run starts (the flow holds the
        # folder too, for deployment runs; here it is the same lock, taken again).
        stack.enter_context(output_lock(Path(args.output)))
        index = open_index(Path(args.output), config.dedup)  # refuses other settings or an unreachable Redis
        if index is not None:
            index.close()
        address = config.pipeline.dask_address
        if address and (reason := unreachable(address)):  # said now, not after Dask's 30 s of retries
            raise ConfigError(unreachable_message(address, reason))
        local_address = None
        if config.pipeline.workers > 1 and not address:
            local_address = stack.enter_context(early_local_cluster(config.pipeline.workers))
        counts = _run_flow(args, config, local_address, server)
    console = Console(stderr=True)
    console.print(
        f"[bold]{counts['inputs']}[/] inputs: [green]{counts['kept']} kept[/], "
        f"[yellow]{counts['duplicate']} duplicates[/], [red]{counts['rejected']} rejected[/] -> {args.output}/"
        " (articles.jsonl, manifest.jsonl, edits.jsonl, report.md)"
    )
    return 0


class _QuietExitDrain(logging.Filter):
    """Drops the "Still processing items: N items remaining..." of Prefect's event and log workers
    as they send their last items at exit. With the command's own server, those items are sent
    before it stops (it stops after them), so the warning, printed after the run's summary in about
    half the runs, tells a user nothing; the workers' other messages pass."""

    WORKERS = ("EventsWorker", "APILogWorker")  # their loggers' names: the services' class names

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Still processing items")


_QUIET_EXIT_DRAIN = _QuietExitDrain()


def _quiet_exit_drains() -> None:
    """Put ``_QuietExitDrain`` on both workers' loggers: one instance, so a process that runs the
    flow many times (tests, a notebook) adds it once."""
    for name in _QuietExitDrain.WORKERS:
        logging.getLogger(name).addFilter(_QUIET_EXIT_DRAIN)


def _run_flow(args: argparse.Namespace, config, local_address: str | None, server: PrefectServer) -> dict[str, int]:
    """The flow on ``args.paths``, with a progress bar; on the local cluster at ``local_address`` if
    any; once the Prefect server started in the background answers (``server.ready``)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from cleaners.config import on_dask
    from flows import progress
    from flows.clean_corpus import clean_corpus, task_runner_for
    from flows.local_cluster import warm_up

    if not on_dask(config):
        # Load and warm the cleaners (~1.2 s) while Prefect's server starts, instead of in the first
        # batch after it: this process would otherwise only wait for it.
        with contextlib.suppress(Exception):  # a cleaner that cannot load is reported per article
            warm_up()
    server.ready()
    console = Console(stderr=True)
    with Progress(TextColumn("cleaning"), BarColumn(), DownloadColumn(), TextColumn("{task.fields[records]} records"),
                  TimeRemainingColumn(), console=console, disable=args.quiet) as bar:
        job = bar.add_task("clean", total=_input_bytes(args.paths) or None, records=0)

        def advance(records: int, done_bytes: int) -> None:
            bar.update(job, completed=done_bytes, records=records)

        progress.subscribe(advance)
        # Heartbeats tell a lasting server that a run is alive; the command's own server ends with
        # the run. Their thread wakes once a second, and the run waited for it at its end: a run
        # on the seeds took 8.5 s with them, 7.6 s without.
        no_heartbeats = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None} if server.temporary else {}
        if server.temporary:
            _quiet_exit_drains()
        try:
            runner = task_runner_for(config, local_address)
            run_flow = clean_corpus.with_options(task_runner=runner) if runner else clean_corpus
            with temporary_settings(updates=no_heartbeats):
                return run_flow(args.paths, args.output, args.config, workers=config.pipeline.workers,
                                dask_address=config.pipeline.dask_address)
        finally:
            progress.unsubscribe(advance)


def _rows_with_id(path: Path, article_id: str) -> list[dict]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        return [row for row in map(json.loads, handle) if row.get("id") == article_id]


def cmd_explain(args: argparse.Namespace) -> int:
    from rich.console import Console

    from cleaners.corpus import clean_article
    from cleaners.document import Edit
    from cleaners.explain import render_article
    from cleaners.io import iter_records

    console = Console()
    config = load_config(args.config)
    target = Path(args.target)
    if target.is_file():
        for record in iter_records([str(target)], config.input):
            article = clean_article(record, config)
            render_article(article.article_row(), article.manifest_row(), article.edits, console)
        return 0
    out = Path(args.output)
    manifests = _rows_with_id(out / "manifest.jsonl", args.target)
    if not manifests:
        raise ConfigError(f"'{args.target}' is neither a file nor an id in {out / 'manifest.jsonl'}")
    articles = _rows_with_id(out / "articles.jsonl", args.target)
    edit_rows = _rows_with_id(out / "edits.jsonl", args.target)
    edits = [Edit(**{k: v for k, v in row.items() if k != "id"}) for row in edit_rows]
    render_article(articles[0] if articles else {}, manifests[0], edits, console)
    return 0


def build_deployment(paths: list[str], output: str, config: str | None, cron: str, name: str):
    """The scheduled deployment `serve` runs (separate so it can be checked without serving)."""
    from flows.clean_corpus import clean_corpus

    params = {"inputs": [str(Path(p).resolve()) for p in paths], "output": str(Path(output).resolve()),
              "config_path": str(Path(config).resolve()) if config else None}
    return clean_corpus.to_deployment(name=name, cron=cron, parameters=params)


def drop_stale_scheduled_runs(deployment_name: str) -> int:
    """Delete the runs of this deployment that an earlier `serve` scheduled and that never ran; return
    how many. They carry that serve's parameters (another output folder, other inputs), and Prefect,
    when the deployment is applied again, deletes only those still in the future: the ones whose
    time passed while nothing served would run first, late, with the old parameters."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.exceptions import ObjectNotFound

    from flows.clean_corpus import clean_corpus

    dropped = skipped = 0
    with get_client(sync_client=True) as client:
        try:
            deployment = client.read_deployment_by_name(f"{clean_corpus.name}/{deployment_name}")
        except ObjectNotFound:
            return 0  # never served under this name
        scheduled = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])))
        this_one = DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
        while True:
            runs = client.read_flow_runs(deployment_filter=this_one, flow_run_filter=scheduled, offset=skipped)
            if not runs:
                return dropped
            for run in runs:
                if run.run_count:  # a retry of a run that started: not one of the stale schedule's
                    skipped += 1
                    continue
                client.delete_flow_run(run.id)
                dropped += 1


# The temporary server skips registering Prefect's block types in its database: to see whether they
# changed, it imports every installed Prefect collection, so prefect-dask and Dask, before it
# answers (3.1 -> 2.7 s to its first answer here, alternated). newsclean uses no blocks; a full
# `prefect server start` (and `newsclean serve`'s) still registers them. Set in the environment, a
# user's own value wins.
TEMPORARY_SERVER_DEFAULTS = {"PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
                             "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false"}


def _server_command(port: int, scheduler: bool) -> tuple[list[str], dict[str, str]]:
    """How to start a Prefect server on loopback: the full one (with the scheduler ``serve``
    needs), or the API alone, as Prefect starts its own temporary server for a flow run."""
    env = {**os.environ, "PREFECT_UI_ENABLED": "false"}
    if scheduler:
        return [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)], env
    # Prefect's temporary server (prefect.server.api.server.SubprocessASGIServer), started here,
    # before this process imports Prefect, so the two start-ups overlap (~2.5 s here, ~5 s on a cold disk).
    prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent
    return ([sys.executable, "-m", "uvicorn", "--app-dir", str(prefect_dir.parent), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "error", "--lifespan", "on"],
            {**TEMPORARY_SERVER_DEFAULTS, **env, "PREFECT__SERVER_EPHEMERAL": "1"})


@dataclass(frozen=True)
class PrefectServer:
    """The Prefect server a command talks to (``local_prefect_server``)."""

    ready: Callable[[], str]  # waits until it answers; returns its API URL
    temporary: bool  # started by this command and stopped with it (not one PREFECT_API_URL names)


@contextlib.contextmanager
def local_prefect_server(timeout_s: float = 120.0, scheduler: bool = True) -> Iterator[PrefectServer]:
    """A Prefect server on loopback for this process's lifetime, unless PREFECT_API_URL names one.

    ``scheduler``: scheduling needs Prefect's scheduler service, which the embedded (ephemeral)
    server does not run; so `serve` starts a real one. `run` starts the API alone. The SQLite
    database is Prefect's own (~/.prefect), as with its embedded mode.
    """
    if os.environ.get("PREFECT_API_URL"):
        url = os.environ["PREFECT_API_URL"]
        yield PrefectServer(lambda: url, temporary=False)
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    command, env = _server_command(port, scheduler)
    # Tied: a run killed outright (SIGKILL) runs none of the stops below, and the server stayed.
    server = subprocess.Popen(tied_command(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    os.environ["PREFECT_API_URL"] = url
    deadline = time.monotonic() + timeout_s

    def ready() -> str:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        return url
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise ConfigError("could not start a local Prefect server; set PREFECT_API_URL to use an existing one")
            time.sleep(0.1)

    def stop() -> None:
        if os.environ.get("PREFECT_API_URL") == url:
            del os.environ["PREFECT_API_URL"]
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    if not scheduler:
        # Prefect sends its last logs and events from exit handlers; registered before Prefect's
        # own, this one runs after them (a server stopped earlier costs a minute of retries).
        atexit.register(stop)
    try:
        yield PrefectServer(ready, temporary=True)
    finally:
        if scheduler:
            stop()


def cmd_serve(args: argparse.Namespace) -> int:
    from cleaners.io import check_inputs

    load_config(args.config)
    check_inputs(args.paths)
    with local_prefect_server() as server:
        url = server.ready()
        from prefect import serve

        print(f"newsclean: serving '{args.name}' on schedule '{args.cron}' (Prefect API {url}); Ctrl-C stops",
              file=sys.stderr)
        if dropped := drop_stale_scheduled_runs(args.name):
            print(f"newsclean: dropped {dropped} run(s) an earlier serve of '{args.name}' had scheduled and never ran",
                  file=sys.stderr)
        # One run at a time: every run writes the same output folder, and runs that fell due
        # together (a slow start catching up on its schedule) overlapped there and none finished
        # writing (seen in CI: four runs at once, no manifest after 200 s).
        serve(build_deployment(args.paths, args.output, args.config, args.cron, args.name), limit=1)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsclean", description="Clean and deduplicate scraped news articles.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="clean PATHs (folders of .txt, .jsonl files) into OUT")
    run.add_argument("paths", nargs="*", default=[DEFAULT_INPUT], metavar="PATH", help="default: seeds")
    run.add_argument("-o", "--output", default=DEFAULT_OUTPUT, help="output folder (default: output)")
    run.add_argument("--config", help="newsclean.toml overriding the defaults")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    run.add_argument("--workers", type=int, metavar="N",
                     help="clean on a local Dask cluster of N worker processes (default: config, else in process)")
    run.add_argument("--dask-address", metavar="tcp://HOST:PORT", help="clean on this existing Dask cluster")
    run.set_defaults(func=cmd_run)

    explain = sub.add_parser("explain", help="show what was removed, repaired and flagged in an article, and why")
    explain.add_argument("target", metavar="ID|FILE", help="an article id from OUT's manifest, or an input file")
    explain.add_argument("-o", "--output", default=DEFAULT_OUTPUT, help="output folder to look the id up in")
    explain.add_argument("--config", help="newsclean.toml (used when explaining a FILE)")
    explain.set_defaults(func=cmd_explain)

    serve = sub.add_parser("serve", help="serve the flow as a scheduled Prefect deployment")
    serve.add_argument("paths", nargs="+", metavar="PATH")
    serve.add_argument("--cron", required=True, help='schedule, e.g. "0 3 * * *"')
    serve.add_argument("-o", "--output", default=DEFAULT_OUTPUT)
    serve.add_argument("--config")
    serve.add_argument("--name", default="nightly", help="deployment name (default: nightly)")
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"newsclean: error: {exc}", file=sys.stderr)
        return 2


def command() -> NoReturn:
    """The ``newsclean`` console script: ``main``, then a quick exit (``exit_without_teardown``)."""
    exit_without_teardown(main())


if __name__ == "__main__":
    command()
