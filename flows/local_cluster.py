"""The local Dask cluster of ``--workers N``, started early and warmed.

Started in the background as soon as the command has checked its arguments, the cluster's worker
processes import the cleaners and load their models while the flow process imports Prefect and
waits for its temporary server (5-15 s): measured on 16 workers, a run otherwise spent ~2 s
starting the cluster and ~4 s cleaning its first batches at half speed after the server was up.
The flow joins it by address, like any existing cluster. From ``OWN_SCHEDULER_FROM`` workers on,
its scheduler runs in a process of its own, off the flow's (``local_cluster``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

from flows.tied import PARENT_ENV

# A few sentences through every cleaner: loads langdetect's profiles, the word-order model and
# the compiled patterns once per worker, at start-up rather than in the first batch.
_WARM_UP_TEXT = (
    "Warm-up headline\n\nThe ministry said on Tuesday that talks would resume in the spring. "
    "Officials from both sides met in Geneva to discuss the proposal, according to a statement.\n\n"
    "Advertisement\n\n“We are ready to work together,” the minister told reporters."
)


def warm_up() -> None:
    """Load what cleaning needs, once per process; a worker collects garbage, all its life, as a
    run in process does (``collect_less``)."""
    from cleaners.config import Config
    from cleaners.corpus import clean_batch, collect_less
    from cleaners.io import RawRecord

    collect_less()
    clean_batch([RawRecord("warm-up", "warm-up", "txt", _WARM_UP_TEXT.encode())], Config())


def dask_setup(worker) -> None:  # noqa: ARG001 - Dask's preload hook
    """Runs in each worker process at start-up (Dask ``preload``): nearly nothing left to do where
    the worker was forked from a warmed server (``_fork_warmed_workers``)."""
    warm_up()


def _fork_warmed_workers() -> None:
    """Start the workers from one warmed process, where the platform can (not Windows).

    Dask spawns each worker as a new interpreter by default: each imports Dask and the cleaners and
    loads the models (~2.4 s of CPU a worker here). With multiprocessing's fork server, one server
    process imports and warms them (``flows.warm_workers``) and each worker is forked from it,
    warmed. On the 2-core machine a 2-worker run of 2,000 articles took 13.0 and 13.0 s against
    15.5 and 14.6 s (alternated; the fork server without the warm-up: ~1 s less).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    import dask
    from distributed.utils import get_mp_context

    dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
    # Dask sets its own list (Dask and its dependencies) on first use; ours adds the warm-up. It
    # takes effect where the server is not already running in this process.
    get_mp_context().set_forkserver_preload(["distributed", "flows.warm_workers"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# How long the command waits for a cluster's scheduler to accept a connection before it says so
# (Dask itself retries for 30 s, then fails the flow run with two tracebacks).
REACH_TIMEOUT_S = 10.0


def unreachable(address: str, timeout_s: float = REACH_TIMEOUT_S) -> str | None:
    """Why no Dask scheduler answers at ``address``; None where one does (or where no connection
    is needed: ``inproc://``). A refused connection or an unknown host is said at once; whatever
    accepts a ``tcp://`` connection must then greet as Dask does (a web page, the dashboard's port
    8787 for the scheduler's 8786, made Dask try to allocate exabytes)."""
    parts = urlsplit(address)
    if parts.scheme not in ("tcp", "tls"):
        return None
    try:
        port = parts.port or 8786  # Dask's default scheduler port
        with socket.create_connection((parts.hostname or "", port), timeout=timeout_s):
            pass
    except TimeoutError:
        return f"no answer within {timeout_s:g} s"
    except OSError as exc:  # refused, unknown host
        return (exc.strerror or str(exc)).lower()
    except ValueError as exc:  # a port out of range
        return str(exc)
    if parts.scheme == "tls":
        return None  # its handshake needs the user's certificates: Dask's own connect says the rest
    try:
        asyncio.run(_dask_handshake(address, timeout_s))
    except TimeoutError:
        return f"something accepts connections there, but no Dask scheduler greets within {timeout_s:g} s"
    except Exception as exc:  # noqa: BLE001 - whatever a stranger's bytes make of Dask's handshake
        return f"something answers there, but not as a Dask scheduler: {type(exc).__name__}"
    return None


async def _dask_handshake(address: str, timeout_s: float) -> None:
    from distributed.comm import connect

    # The whole exchange bounded: Dask's own timeout covers the connection, and a peer that accepts
    # it and then says nothing kept its handshake waiting for good.
    comm = await asyncio.wait_for(connect(address, timeout=timeout_s), timeout_s)
    await comm.close()


def unreachable_message(address: str, reason: str) -> str:
    return (f"no Dask cluster answers at {address} ({reason}); start its scheduler, or fix --dask-address "
            "(pipeline.dask_address)")


def _scheduler_process_class():
    """Dask's ``SubprocessScheduler``, its log lines passed on to this process's logging; None where
    Dask has none or cannot run one (Windows)."""
    try:
        from distributed.deploy.subprocess import SubprocessScheduler
    except ImportError:
        return None
    if os.name == "nt":
        return None

    class SchedulerProcess(SubprocessScheduler):
        async def _start(self) -> None:
            await super()._start()
            # Dask reads the pipe it gives the scheduler's stderr only if the start fails; unread,
            # a long run's log lines would fill it and stall the scheduler.
            self._log_reader = asyncio.ensure_future(_pass_on_logs(self.process.stderr))

        async def close(self) -> None:
            # Dask's close reads what is left in the pipe: one reader at a time.
            if getattr(self, "_log_reader", None) is not None:
                self._log_reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._log_reader
            await super().close()

    return SchedulerProcess


async def _pass_on_logs(stream) -> None:
    """Log the scheduler's lines here: its warnings and errors as such, the rest at DEBUG."""
    log = logging.getLogger("distributed.scheduler")
    pending = b""
    while chunk := await stream.read(1 << 16):  # chunks, not readline: no limit on a line's length
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            text = line.decode(errors="replace").rstrip()
            level = next((level for name, level in (("ERROR", logging.ERROR), ("WARNING", logging.WARNING))
                          if f" - {name} - " in text), logging.DEBUG)
            log.log(level, "%s", text)


# From this many workers, the local cluster's scheduler runs in a process of its own.
OWN_SCHEDULER_FROM = 4


def local_cluster(workers: int, port: int, scheduler_file: str, own_scheduler: bool):
    """A cluster of ``workers`` single-threaded worker processes (cleaning is pure Python and holds
    the GIL), its scheduler listening on ``port``; loopback only, no dashboard.

    ``own_scheduler``: the scheduler runs in a process of its own (where it can, see
    ``_scheduler_process_class``), not in this one. Every batch's results pass through this
    process, whose own CPU an article bounds how many workers a run can keep busy, and the
    scheduler's share of it was ~20% (10k articles on two workers, ``bench/pipeline_speed.py``,
    alternated: 0.356 and 0.311 ms an article in all, 0.284 and 0.280 without: from ~10 workers'
    pace to ~12). The extra interpreter costs ~1.4 s of CPU at start, which on a small machine
    with few workers is more than it saves (on two cores, two workers: ~1.5 s slower on 10k).
    """
    import dask
    from distributed import LocalCluster, Nanny, SpecCluster
    from distributed.worker_memory import parse_memory_limit

    # The workers' processes take the config the cluster starts with.
    dask.config.set({
        # Dask's statistical profiler samples each worker's stack every 10 ms, holding the GIL the
        # cleaning needs (~1.5% of a worker's time in a py-spy profile); nobody reads it here.
        "distributed.worker.profile.enabled": False,
        # Every Dask server (a worker, and its nanny in this process) checks its event loop every
        # 20 ms and a nanny its worker's memory every 100 ms: 16 idle workers cost this process
        # ~140 ms of CPU a second, ~45 ms with these (only warnings of a blocked loop come later,
        # and a runaway worker is stopped within half a second).
        "distributed.admin.tick.interval": "1s",
        "distributed.worker.memory.monitor-interval": "500ms",
        # Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536: glibc then hands memory back
        # after nearly every large free and no longer raises its mmap threshold (128 KB), so the
        # cleaning's numpy temporaries and texts were mapped afresh and faulted in page by page.
        # Cleaning 10k articles on two workers took 700k page faults (30k in one process) and 3-4%
        # more CPU; 25k articles, 5-8% (three alternated runs). Without it, the workers' memory
        # behaves as in a one-process run (their peak RSS: +13 MB at 25k).
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    })

    scheduler_process = _scheduler_process_class() if own_scheduler else None
    if scheduler_process is None:
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            scheduler_port=port, dashboard_address=None, preload=[__name__])
    # What LocalCluster gives each worker: its share of the memory, Dask's own logging at WARN.
    memory = parse_memory_limit("auto", 1, workers, logger=logging.getLogger("distributed.worker"))
    worker = {"nthreads": 1, "host": "127.0.0.1", "memory_limit": memory, "silence_logs": logging.WARN,
              "preload": [__name__]}
    # ``flows.tied``: the scheduler ends with this process, even one killed outright (SIGKILL);
    # the workers do already (their nannies are in this process).
    os.environ[PARENT_ENV] = str(os.getpid())
    scheduler = {"host": "127.0.0.1", "port": port, "dashboard": False, "scheduler_file": scheduler_file,
                 "preload": ["flows.tied"]}
    return SpecCluster(scheduler={"cls": scheduler_process, "options": {"scheduler_kwargs": scheduler}},
                       workers={i: {"cls": Nanny, "options": worker} for i in range(workers)},
                       silence_logs=logging.WARN)


@contextlib.contextmanager
def early_local_cluster(workers: int) -> Iterator[str]:
    """Start a local cluster of ``workers`` single-threaded processes in the background; yield the
    scheduler's address at once (clients wait for it to come up). Closed on exit."""
    port = free_port()
    started: dict = {}
    # Where a scheduler process writes its address (Dask's default, a file in the temporary
    # folder, stays behind when the process is killed at the end).
    folder = tempfile.TemporaryDirectory(prefix="newsclean-dask-")

    def start() -> None:
        try:
            _fork_warmed_workers()
            started["cluster"] = local_cluster(workers, port, os.path.join(folder.name, "scheduler.json"),
                                               own_scheduler=workers >= OWN_SCHEDULER_FROM)
        except Exception as exc:  # noqa: BLE001 - reported by the caller, after the flow gave up connecting
            started["error"] = exc

    thread = threading.Thread(target=start, name="newsclean-local-cluster", daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{port}"
    finally:
        thread.join()
        if "cluster" in started:
            started["cluster"].close()
        folder.cleanup()
    if "error" in started:
        raise RuntimeError(f"the local Dask cluster did not start: {started['error']}") from started["error"]
