"""End to end: the real Prefect flow (embedded server) and the real `newsclean` command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest

from cleaners.cache import CACHE_FILE
from cleaners.corpus import OUTPUT_FILES
from cleaners.index import INDEX_FILE
from cleaners.io import LOCK_FILE

from .conftest import ROOT, SEEDS, folder_held_by_another_run


@pytest.fixture(scope="module")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


def test_flow_on_seeds_writes_outputs_and_artifact(prefect_harness, tmp_path):
    from prefect.artifacts import Artifact

    from flows.clean_corpus import REPORT_ARTIFACT_KEY, clean_corpus

    counts = clean_corpus([str(SEEDS)], str(tmp_path))
    assert counts == {"inputs": 5, "kept": 5, "duplicate": 0, "rejected": 0}
    state = [CACHE_FILE, INDEX_FILE, LOCK_FILE]  # no temp files
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*OUTPUT_FILES, *state])
    artifact = Artifact.get(REPORT_ARTIFACT_KEY)
    assert artifact is not None and "5 inputs: 5 kept" in artifact.data


def test_the_flow_times_prefects_part_of_each_batch(prefect_harness, tmp_path):
    # Five seeds in batches of two: three task runs, each timed around the call and inside the body.
    from dataclasses import replace

    from flows.clean_corpus import TASK_CLOCK, clean_corpus

    config = tmp_path / "newsclean.toml"
    config.write_text("[pipeline]\nbatch_size = 2\nincremental = false\n", encoding="utf-8")
    before = replace(TASK_CLOCK)
    clean_corpus([str(SEEDS)], str(tmp_path / "out"), config_path=str(config))
    assert TASK_CLOCK.runs - before.runs == 3
    inside, called = TASK_CLOCK.inside - before.inside, TASK_CLOCK.called - before.called
    assert 0 < inside < called  # the cleaning itself, and Prefect's part around it


def test_flow_with_bad_inputs_completes(prefect_harness, tmp_path):
    from flows.clean_corpus import clean_corpus

    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_bytes((SEEDS / "000_1d7223d7e654286f.txt").read_bytes())
    (src / "empty.txt").write_bytes(b"")
    (src / "feed.jsonl").write_text('{"id": "x"}\n{oops\n', encoding="utf-8")
    counts = clean_corpus([str(src)], str(tmp_path / "out"))
    assert counts == {"inputs": 4, "kept": 1, "duplicate": 0, "rejected": 3}


def newsclean(*args, cwd, env=None):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_run_then_explain(tmp_path):
    out = tmp_path / "out"
    done = newsclean("run", "seeds", "-o", str(out), "-q", cwd=ROOT, env={"PREFECT_LOGGING_LEVEL": "DEBUG"})
    assert done.returncode == 0, done.stderr
    assert "5 inputs: 5 kept, 0 duplicates, 0 rejected" in done.stderr
    # the command's own server, started before Prefect was imported, served the flow run; its logs
    # all reached it before it stopped
    assert "Starting temporary server" not in done.stderr and "Error logging to API" not in done.stderr
    assert "| DEBUG   |" in done.stderr  # Prefect says at debug level when it starts heartbeats:
    assert "heartbeat" not in done.stderr  # none for a server that ends with the run
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [m["status"] for m in manifest] == ["kept"] * 5
    # what Prefect's task runs cost beyond the cleaning, measured in the run: one run per batch
    around = re.search(r"Prefect's own time around the (\d+) clean-batch task runs: ([\d.]+) s", done.stderr)
    assert around and around[1] == "1" and float(around[2]) >= 0
    shown = newsclean("explain", "004_520a83227d8b1b45", "-o", str(out), cwd=ROOT)
    assert shown.returncode == 0, shown.stderr
    assert "boilerplate/donation" in shown.stdout and "Peony Hirwani" in shown.stdout
    direct = newsclean("explain", "seeds/002_f21ae2525bea576d.txt", cwd=ROOT)
    assert "paywall" in direct.stdout and "inside_out_quotes" in direct.stdout


def test_the_commands_own_server_skips_block_registration(tmp_path, monkeypatch):
    # Registering block types imports every Prefect collection (prefect-dask, Dask) before the
    # server answers; the command's temporary server skips it, the full one of `serve` does not,
    # and a value the user sets wins. Started for real on a fresh Prefect home: it answers, and
    # its database has no block types (the setting's name is the one this Prefect reads).
    import time
    import urllib.request

    from flows.cli import _server_command
    from flows.local_cluster import free_port

    monkeypatch.delenv("PREFECT_API_BLOCKS_REGISTER_ON_START", raising=False)
    _, full = _server_command(free_port(), scheduler=True)
    assert "PREFECT_API_BLOCKS_REGISTER_ON_START" not in full
    monkeypatch.setenv("PREFECT_API_BLOCKS_REGISTER_ON_START", "true")
    assert _server_command(free_port(), scheduler=False)[1]["PREFECT_API_BLOCKS_REGISTER_ON_START"] == "true"
    monkeypatch.delenv("PREFECT_API_BLOCKS_REGISTER_ON_START")
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    port = free_port()
    command, env = _server_command(port, scheduler=False)
    assert env["PREFECT_API_BLOCKS_REGISTER_ON_START"] == "false"
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/api/block_types/filter", data=b"{}",
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert json.loads(response.read()) == []
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("workers,warmed", [(1, True), (2, False)])
def test_one_process_warms_its_cleaners_while_the_server_starts(monkeypatch, workers, warmed):
    # In one process the cleaners load while Prefect's server starts (the process would only wait);
    # on Dask the workers warm up on their own. A warm-up that fails stops nothing: each article
    # reports the error.
    import flows.cli as cli
    import flows.local_cluster as local_cluster
    from cleaners.config import Config

    order = []

    def warm_up():
        order.append("warm-up")
        raise RuntimeError("a model file is missing")

    def server_ready():
        order.append("server ready")
        raise KeyboardInterrupt  # stop before the flow runs

    monkeypatch.setattr(local_cluster, "warm_up", warm_up)
    config = Config()
    config.pipeline.workers = workers
    args = cli.make_parser().parse_args(["run", "seeds", "-q"])
    with pytest.raises(KeyboardInterrupt):
        cli._run_flow(args, config, None, cli.PrefectServer(server_ready, temporary=True))
    assert order == (["warm-up", "server ready"] if warmed else ["server ready"])


@pytest.mark.parametrize("args,message", [
    (("run", "no/such/folder"), "newsclean: error: input path not found: no/such/folder"),
    (("run", "seeds", "--config", "missing.toml"), "newsclean: error: config file not found: missing.toml"),
    (("explain", "no-such-id", "-o", "no-such-out"), "newsclean: error: 'no-such-id' is neither a file nor an id"),
])
def test_user_mistakes_are_one_line(args, message):
    done = newsclean(*args, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.strip().startswith(message) and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_run_into_a_folder_another_run_is_writing_stops_at_once(prefect_harness, tmp_path):
    from cleaners.io import OutputInUse
    from flows.clean_corpus import clean_corpus

    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.jsonl").write_text("the earlier run's\n", encoding="utf-8")
    with folder_held_by_another_run(out) as holder:
        # the command: one line, exit status 2, before the run starts
        done = newsclean("run", "seeds", "-o", str(out), "-q", cwd=ROOT)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert done.stderr.startswith(f"newsclean: error: output folder {out.resolve()} is in use by another "
                                      f"newsclean run (pid {holder.pid}, started ")
        assert len(done.stderr.strip().splitlines()) == 1
        # the flow as a deployment runs it
        with pytest.raises(OutputInUse):
            clean_corpus([str(SEEDS)], str(out))
    assert (out / "manifest.jsonl").read_text(encoding="utf-8") == "the earlier run's\n"
    assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE, "manifest.jsonl"]


@pytest.mark.parametrize("ending,teardown", [("flows.exit_without_teardown(3)", False), ("sys.exit(3)", True)])
def test_the_command_ends_after_its_exit_handlers_without_the_teardown(ending, teardown):
    script = ("import atexit, sys\n"
              "import flows\n"
              "class Noisy:\n"
              "    def __del__(self):\n"
              "        print('teardown', flush=True)\n"
              "kept = Noisy()\n"
              "atexit.register(lambda: print('exit handler', flush=True))\n"
              "print('buffered', end=' ')\n"  # still in stdout's buffer at the end
              f"{ending}\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert done.stdout.startswith("buffered exit handler\n")
    assert ("teardown" in done.stdout) == teardown  # a normal exit frees the object; the command's does not


def test_the_exit_drains_progress_warning_is_dropped_and_the_workers_other_messages_pass():
    import logging

    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    from flows.cli import _quiet_exit_drains, _QuietExitDrain

    assert _QuietExitDrain.WORKERS == (EventsWorker.__name__, APILogWorker.__name__)
    _quiet_exit_drains()
    _quiet_exit_drains()  # a second run in the same process
    for name in _QuietExitDrain.WORKERS:
        assert sum(isinstance(f, _QuietExitDrain) for f in logging.getLogger(name).filters) == 1
    quiet = _QuietExitDrain()

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("EventsWorker", logging.WARNING, __file__, 1, message, None, None)

    assert not quiet.filter(record("Still processing items: 4 items remaining..."))
    assert quiet.filter(record("Service 'EventsWorker' queue is full (5 items), dropping item"))


def test_broken_phrase_file_is_one_line_before_anything_runs(tmp_path):
    phrases = tmp_path / "phrases"
    phrases.mkdir()
    (phrases / "en.toml").write_text("[[line]]\ncategory = 'ad'\npatterns = ['readers\\'']\n", encoding="utf-8")
    config = tmp_path / "site.toml"
    config.write_text(f"[boilerplate]\nextra_phrase_dirs = ['{phrases}']\n", encoding="utf-8")
    done = newsclean("run", "seeds", "-o", str(tmp_path / "out"), "--config", str(config), cwd=ROOT)
    assert done.returncode == 2 and not (tmp_path / "out").exists()
    assert done.stderr.startswith(f"newsclean: error: bad phrase file {phrases / 'en.toml'}: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_unknown_config_key_is_one_line(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[dedup]\ntreshold = 0.5\n", encoding="utf-8")
    done = newsclean("run", "seeds", "--config", str(config), cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.strip() == ("newsclean: error: unknown config key 'dedup.treshold'; valid keys: "
                                   "shingle_size, num_perm, threshold, seed, index, redis_url, index_name")


def test_serve_builds_a_cron_deployment():
    from flows.cli import build_deployment

    deployment = build_deployment(["seeds"], "output", None, "0 3 * * *", "nightly")
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 3 * * *"
    assert deployment.parameters["inputs"] == [str(SEEDS)]


def test_serve_drops_the_runs_an_earlier_serve_left_scheduled(prefect_harness, tmp_path):
    """Restarted with another output folder, `serve` must not first run what the earlier one scheduled."""
    from datetime import datetime, timedelta

    from prefect import get_client
    from prefect.states import Completed, Scheduled

    from flows.cli import build_deployment, drop_stale_scheduled_runs

    def deployment(name: str, output: Path):
        return build_deployment(["seeds"], str(output), None, "0 3 * * *", name).apply()

    yesterday = datetime.now(UTC) - timedelta(days=1)
    nightly, other = deployment("nightly", tmp_path / "old"), deployment("other", tmp_path / "theirs")
    with get_client(sync_client=True) as client:
        late = client.create_flow_run_from_deployment(nightly, state=Scheduled(scheduled_time=yesterday))
        done = client.create_flow_run_from_deployment(nightly, state=Completed())
        theirs = client.create_flow_run_from_deployment(other, state=Scheduled(scheduled_time=yesterday))
        assert late.parameters["output"] == str(tmp_path / "old")

        assert drop_stale_scheduled_runs("nightly") == 1
        left = {run.id for run in client.read_flow_runs()}
        assert late.id not in left and {done.id, theirs.id} <= left  # history and other deployments stay
    assert drop_stale_scheduled_runs("nightly") == 0
    assert drop_stale_scheduled_runs("never-served") == 0


def test_serve_runs_the_flow_on_its_schedule(tmp_path):
    """A real `newsclean serve` with an every-minute cron produces output within about two minutes."""
    import signal
    import time

    out = tmp_path / "served"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    # The log goes to a file: a pipe nobody reads blocks the server once its buffer is full.
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "seeds", "--cron", "* * * * *",
                             "-o", str(out)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 200
        while not (out / "manifest.jsonl").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(2)
        assert (out / "manifest.jsonl").exists(), (
            f"no scheduled run wrote output (exit {proc.poll()}); log:\n"
            + (tmp_path / "serve.log").read_text(encoding="utf-8")[-3000:])
        assert len((out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_dask_workers_give_the_same_output_as_one_process(tmp_path):
    """`--workers 2`: batches cleaned on a local Dask cluster, dedup once over all of them."""
    from tests.conftest import copy_seeds

    inputs = copy_seeds(tmp_path / "in")
    for p in sorted(inputs.glob("*.txt"))[:3]:  # copies land in other batches, so on other workers
        (inputs / f"zz-copy-{p.name}").write_bytes(p.read_bytes())
    # One article a batch: two groups of four, so the second is queued while the first is gathered.
    # Three articles a spool file: the workers render three files of the outputs.
    config = tmp_path / "small-batches.toml"
    config.write_text("[pipeline]\nbatch_size = 1\nincremental = false\nspool_chunk = 3\n", encoding="utf-8")
    cached = tmp_path / "small-batches-cached.toml"
    cached.write_text("[pipeline]\nbatch_size = 1\nspool_chunk = 3\n", encoding="utf-8")
    outputs, logs = {}, {}
    runs = (("serial", config, ()), ("dask", config, ("--workers", "2")),
            ("dask-cached", cached, ("--workers", "2")), ("dask-cached", cached, ("--workers", "2")))
    for name, settings, extra in runs:  # the second cached run takes every article from the cache
        out = tmp_path / name
        done = newsclean("run", str(inputs), "-o", str(out), "-q", "--config", str(settings), *extra, cwd=ROOT)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs[name] = {f: (out / f).read_bytes() for f in ("articles.jsonl", "manifest.jsonl", "edits.jsonl",
                                                            "report.md")}
        logs[name] = done.stderr
    assert "Connecting to an existing Dask cluster at tcp://127.0.0.1:" in logs["dask"]  # the early local cluster
    assert "8 records reused from earlier runs, 0 cleaned" in logs["dask-cached"]
    assert outputs["dask"] == outputs["serial"] == outputs["dask-cached"]
    manifest = [json.loads(line) for line in outputs["dask"]["manifest.jsonl"].splitlines()]
    assert sum(row["status"] == "duplicate" for row in manifest) == 3


def test_a_deployment_run_with_workers_in_its_config_cleans_on_its_own_cluster(tmp_path):
    """A deployment run (what `newsclean serve` starts) or a call from Python loads the flow with
    Prefect's default task runner: `pipeline.workers = 2` in the config still cleans on a local
    Dask cluster, the flow's own, and writes what one process writes."""
    from tests.conftest import copy_seeds

    inputs = copy_seeds(tmp_path / "in")
    for p in sorted(inputs.glob("*.txt"))[:2]:
        (inputs / f"zz-copy-{p.name}").write_bytes(p.read_bytes())
    settings = "[pipeline]\nbatch_size = 1\nincremental = false\n"
    serial, workers = tmp_path / "serial.toml", tmp_path / "workers.toml"
    serial.write_text(settings, encoding="utf-8")
    workers.write_text(settings + "workers = 2\n", encoding="utf-8")
    done = newsclean("run", str(inputs), "-o", str(tmp_path / "serial"), "-q", "--config", str(serial), cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    call = ("from flows.clean_corpus import clean_corpus\n"
            "if __name__ == '__main__':\n"
            f"    print(clean_corpus([{str(inputs)!r}], {str(tmp_path / 'flow')!r}, {str(workers)!r}))\n")
    flow_run = subprocess.run([sys.executable, "-c", call], cwd=ROOT, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert flow_run.returncode == 0, flow_run.stderr[-2000:]
    assert "{'inputs': 7, 'kept': 5, 'duplicate': 2, 'rejected': 0}" in flow_run.stdout
    for name in OUTPUT_FILES:
        assert (tmp_path / "flow" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes(), name


@pytest.mark.parametrize("shared_disk", [True, False], ids=["local-cluster", "remote-cluster"])
def test_the_write_pass_on_workers_writes_what_one_process_writes(tmp_path, shared_disk):
    """Rendered on Dask workers, from spool files on a shared disk or from their text sent over:
    the same bytes as in process, and no spool or part file left behind."""
    from functools import partial

    from dask.distributed import Client, LocalCluster

    from cleaners.config import Config
    from cleaners.corpus import Ledger, batched, clean_batch, write_outputs
    from cleaners.io import iter_records
    from flows.clean_corpus import _render_on_workers
    from tests.conftest import copy_seeds

    inputs = copy_seeds(tmp_path / "in")
    first = sorted(inputs.glob("*.txt"))[0]
    (inputs / "zz-copy.txt").write_bytes(first.read_bytes())
    config = Config()
    config.pipeline.spool_chunk = 2  # three spool files for six articles

    def run(out: Path, render=None) -> dict[str, bytes]:
        ledger = Ledger(out, config)
        try:
            for batch in batched(iter_records([str(inputs)], config.input), 2):
                ledger.add(*clean_batch(batch, config))
            write_outputs(ledger, out, render) if render else write_outputs(ledger, out)
            assert not [p.name for p in out.iterdir() if p.name.startswith(tuple(f".{n}" for n in OUTPUT_FILES))]
        finally:
            ledger.close()
        assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, INDEX_FILE])
        return {name: (out / name).read_bytes() for name in OUTPUT_FILES}

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None) as cluster, \
            Client(cluster) as client:
        on_workers = run(tmp_path / "workers", partial(_render_on_workers, client, shared_disk))
    in_process = run(tmp_path / "one")
    assert on_workers == in_process
    assert b'"duplicate_of": "' in on_workers["manifest.jsonl"]


def test_the_early_local_cluster_has_warmed_workers_before_the_first_batch():
    """`--workers N` starts its cluster before Prefect's server; each worker loads the cleaners at start-up."""
    import multiprocessing
    import sys

    from dask.distributed import Client

    from flows.local_cluster import early_local_cluster

    warmed = ["cleaners.corpus", "cleaners.fast_langdetect"]
    if "forkserver" in multiprocessing.get_all_start_methods():
        warmed.append("flows.warm_workers")  # forked from the server that warmed them, not spawned
    with early_local_cluster(2) as address, Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
        loaded = client.run(lambda: [m for m in warmed if m in sys.modules])
        scheduler_pid = client.run_on_scheduler(os.getpid)
        # the workers take the flow's settings: their event loops are checked once a second, not every 20 ms
        ticks = client.run(lambda: __import__("dask").config.get("distributed.admin.tick.interval"))
        # not Dask's MALLOC_TRIM_THRESHOLD_=65536, under which glibc faulted the workers' memory in anew
        trims = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert list(loaded.values()) == [warmed] * 2
    assert list(ticks.values()) == ["1s"] * 2
    assert list(trims.values()) == [os.environ.get("MALLOC_TRIM_THRESHOLD_")] * 2 != ["65536"] * 2
    assert scheduler_pid == os.getpid()  # two workers: the scheduler in this process


@pytest.mark.skipif(os.name == "nt", reason="Dask runs no scheduler process on Windows")
def test_a_local_cluster_can_run_its_scheduler_in_a_process_of_its_own(tmp_path):
    """Off the flow's process, whose CPU an article bounds how many workers it keeps busy."""
    from dask.distributed import Client

    from flows.local_cluster import free_port, local_cluster

    port = free_port()
    with local_cluster(1, port, str(tmp_path / "scheduler.json"), own_scheduler=True) as cluster, \
            Client(cluster, timeout=60) as client:
        client.wait_for_workers(1, timeout=60)
        assert cluster.scheduler_address == f"tcp://127.0.0.1:{port}"
        assert client.run_on_scheduler(os.getpid) != os.getpid()
        assert client.submit(sum, [1, 2]).result() == 3


def test_the_scheduler_process_logs_reach_this_process(caplog):
    """The scheduler process's stderr is read as it comes (a full pipe would stall it): its warnings
    are logged as warnings, the rest at DEBUG; a line longer than a read is still one line."""
    import asyncio
    import logging

    from flows.local_cluster import _pass_on_logs

    long_line = "x" * 100_000
    lines = [
        "2026-11-24 10:00:48,213 - distributed.scheduler - INFO - Register worker tcp://127.0.0.1:1",
        "2026-11-24 10:00:49,248 - distributed.core - WARNING - Event loop was unresponsive in Scheduler for 3.1s.",
        "2026-11-24 10:00:50,001 - distributed.scheduler - ERROR - Worker tcp://127.0.0.1:1 failed",
        long_line,
    ]

    async def feed() -> None:
        stream = asyncio.StreamReader()
        stream.feed_data(("\n".join(lines) + "\n").encode())
        stream.feed_eof()
        await _pass_on_logs(stream)

    with caplog.at_level(logging.DEBUG, logger="distributed.scheduler"):
        asyncio.run(feed())
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "distributed.scheduler"]
    assert logged == [(logging.DEBUG, lines[0]), (logging.WARNING, lines[1]), (logging.ERROR, lines[2]),
                      (logging.DEBUG, long_line)]


def test_a_dask_cluster_that_does_not_answer_is_one_line(prefect_harness, tmp_path):
    """A cluster address nobody listens at (a typo, a scheduler not started): the command says so
    in one line before the run starts, instead of Dask's two tracebacks after 30 s of retries; a
    deployment run of the flow fails with the same words."""
    import contextlib
    import socket
    import threading

    import dask

    from cleaners.config import ConfigError
    from flows.clean_corpus import clean_corpus
    from flows.local_cluster import free_port, unreachable

    closed = f"tcp://127.0.0.1:{free_port()}"
    assert unreachable(closed) == "connection refused"
    assert unreachable("inproc://10.0.0.1/1/1") is None  # in this process: nothing to connect to
    with socket.create_server(("127.0.0.1", 0)) as web:  # another service: the dashboard's port, say
        def answer() -> None:
            with contextlib.suppress(OSError):
                while True:
                    connection, _ = web.accept()
                    with connection:
                        connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        assert unreachable(f"tcp://127.0.0.1:{web.getsockname()[1]}", timeout_s=5).startswith(
            "something answers there, but not as a Dask scheduler")
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts (the backlog does), never speaks
        assert unreachable(f"tcp://127.0.0.1:{silent.getsockname()[1]}", timeout_s=1) == \
            "something accepts connections there, but no Dask scheduler greets within 1 s"

    done = newsclean("run", "seeds", "-o", str(tmp_path / "out"), "--dask-address", closed, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"newsclean: error: no Dask cluster answers at {closed} (connection refused); "
                                   "start its scheduler, or fix --dask-address (pipeline.dask_address)")
    assert not (tmp_path / "out" / "manifest.jsonl").exists()

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            pytest.raises(ConfigError, match=f"^no Dask cluster answers at {closed} \\(OSError: Timed out"):
        clean_corpus([str(SEEDS)], str(tmp_path / "deployed"), dask_address=closed)


def test_a_run_on_an_existing_dask_cluster_writes_what_one_process_writes(tmp_path):
    """`--dask-address`: the cluster answers the command's check, and the run cleans on it."""
    from dask.distributed import LocalCluster

    from flows.local_cluster import unreachable

    done = newsclean("run", "seeds", "-o", str(tmp_path / "serial"), "-q", cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        assert unreachable(cluster.scheduler_address) is None
        done = newsclean("run", "seeds", "-o", str(tmp_path / "dask"), "-q", "--dask-address",
                         cluster.scheduler_address, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Connecting to an existing Dask cluster at {cluster.scheduler_address}" in done.stderr
    for name in OUTPUT_FILES:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes(), name


def test_bad_dask_settings_are_one_line(tmp_path):
    done = newsclean("run", "seeds", "-o", str(tmp_path), "--dask-address", "localhost:8786", cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.strip() == ("newsclean: error: pipeline.dask_address 'localhost:8786' must look like "
                                   "tcp://host:8786")
