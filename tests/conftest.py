from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cleaners.config import Config
from cleaners.corpus import clean_article
from cleaners.io import iter_records
from cleaners.registry import CleanerContext

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CASES = Path(__file__).parent / "cases"


def load_case(name: str):
    return json.loads((CASES / name).read_text(encoding="utf-8"))


def copy_seeds(folder: Path) -> Path:
    """A writable copy of the seed articles in ``folder``, for tests that add or edit inputs."""
    folder.mkdir(parents=True, exist_ok=True)
    for p in SEEDS.glob("*.txt"):
        (folder / p.name).write_bytes(p.read_bytes())
    return folder


@contextlib.contextmanager
def folder_held_by_another_run(folder: Path):
    """``folder`` locked for output by another process (as a running ``newsclean run`` holds it)
    until the block ends, when that process is killed; yields the process."""
    holder = ("import sys\nfrom cleaners.io import output_lock\nwith output_lock(sys.argv[1]):\n"
              "    print('held', flush=True)\n    sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", holder, str(folder)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        proc.kill()
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()


def clean_file(path: Path, config: Config | None = None):
    (record,) = list(iter_records([str(path)], (config or Config()).input))
    return clean_article(record, config or Config())


@pytest.fixture(scope="session")
def config() -> Config:
    return Config()


@pytest.fixture
def ctx() -> CleanerContext:
    return CleanerContext(language="en")


@pytest.fixture(scope="session")
def cleaned_seeds():
    return {p.stem: clean_file(p) for p in sorted(SEEDS.glob("*.txt"))}


# CI replays the same examples every run (no flaky failures); locally hypothesis explores at random.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server (Debian's package) on a free local port, for the shared dedup index."""
    import shutil
    import socket
    import subprocess
    import time

    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; .ci/run installs Debian's redis-server package")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        server.kill()
        pytest.fail("redis-server did not start")
    yield url
    client.close()
    server.terminate()
    server.wait(timeout=10)
