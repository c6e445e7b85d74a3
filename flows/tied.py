"""Helper processes that end with the run that started them.

A run starts helpers: Prefect's temporary server and, from ``OWN_SCHEDULER_FROM`` workers on, the
local cluster's Dask scheduler. The run stops them when it ends, on an error or Ctrl-C too; but a
run killed outright (SIGKILL: the kernel's out-of-memory killer, a job's time limit, ``kill -9``)
runs no code at all, and they were left running, each holding a port and ~200 MB (measured: the
server, and the scheduler of a 4-worker run, were still there after the run was killed; its
workers ended with it). On Linux, a helper asks the kernel for SIGTERM when its parent dies
(``PR_SET_PDEATHSIG``); elsewhere nothing changes.

    python -m flows.tied PARENT_PID COMMAND [ARG...]   # COMMAND, ending with PARENT_PID
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PARENT_ENV = "NEWSCLEAN_PARENT_PID"  # read by a helper that loads this module (``dask_setup``)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_LINUX = sys.platform.startswith("linux")  # elsewhere helpers start as they are


def end_with_parent(parent_pid: int) -> None:
    """Have this process receive SIGTERM when ``parent_pid``, the process that started it, ends.

    The kernel sends it when the thread that started this process ends: the main thread for a
    helper started by the command, the cluster's event-loop thread (which lives as long as the
    cluster) for Dask's scheduler.
    """
    if not _LINUX:
        return
    if ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        return
    if os.getppid() != parent_pid:  # it ended before the request was made: no signal will come
        os.kill(os.getpid(), signal.SIGTERM)


def tied_command(command: list[str]) -> list[str]:
    """``command`` started through this module, so that it ends with this process (Linux)."""
    if not _LINUX:
        return command
    return [sys.executable, "-m", __name__, str(os.getpid()), *command]


def dask_setup(scheduler) -> None:  # noqa: ARG001 - Dask's preload hook, run in the scheduler's process
    parent = os.environ.get(PARENT_ENV)
    if parent:
        end_with_parent(int(parent))


if __name__ == "__main__":
    end_with_parent(int(sys.argv[1]))
    os.execvp(sys.argv[2], sys.argv[2:])  # the setting survives exec
