"""Nothing lost, nothing broken: bad inputs, kills, reruns, adversarial text, safety."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaners.cache import CACHE_FILE, CleanCache
from cleaners.config import Config
from cleaners.corpus import OUTPUT_FILES, Ledger, batched, clean_batch, write_outputs
from cleaners.index import INDEX_FILE
from cleaners.io import iter_records

from . import bad_corpus
from .conftest import ROOT, SEEDS, copy_seeds


def cli(*args, env=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def input_key(row: dict, root: Path) -> str:
    path, _, line = row["input"].rpartition(":") if row["input"].endswith(tuple("0123456789")) and ".jsonl:" in \
        row["input"] else (row["input"], "", "")
    rel = os.path.relpath(path, root)
    return f"{rel}:{line}" if line else rel


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    """A whole `newsclean run` over the bad corpus, with every non-loopback connection blocked."""
    base = tmp_path_factory.mktemp("bad")
    corpus = bad_corpus.build(base / "in")
    net_log = base / "net.log"
    env = {"PYTHONPATH": os.pathsep.join([str(Path(__file__).parent / "netblock"), str(ROOT)]),
           "NEWSCLEAN_NET_LOG": str(net_log)}
    done = cli("run", str(corpus), "-o", str(base / "out"), "-q", env=env)
    return corpus, base / "out", done, net_log


def test_bad_corpus_run_exits_zero_and_accounts_for_every_input(bad_run):
    corpus, out, done, _ = bad_run
    assert done.returncode == 0, done.stderr[-3000:]
    rows = manifest(out)
    got = {input_key(r, corpus): ("rejected", r["reason"].split(":")[0]) if r["status"] == "rejected"
           else ("kept", None) for r in rows}
    assert got == bad_corpus.EXPECTED
    counts = {s: sum(r["status"] == s for r in rows) for s in ("kept", "duplicate", "rejected")}
    assert f"{len(rows)} inputs: {counts['kept']} kept, {counts['duplicate']} duplicates" in done.stderr


def test_output_stays_inside_the_output_folder(bad_run):
    corpus, out, _, _ = bad_run
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(OUTPUT_FILES)
    assert not (out.parent / "escape").exists() and not Path("/abs").exists()
    ids = [row["id"] for row in manifest(out)]
    assert "../../escape" in ids and "/abs/path\u0000nul" in ids  # ids are data, never paths


def test_no_network_during_a_run(bad_run):
    _, _, done, net_log = bad_run
    assert done.returncode == 0
    assert not net_log.exists(), net_log.read_text()


def test_no_pickle_or_eval_of_input():
    sources = [p for p in (ROOT / "cleaners").rglob("*.py")] + [p for p in (ROOT / "flows").rglob("*.py")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for banned in ("import pickle", "pickle.load", "eval(", "exec(", "marshal.load"):
            assert banned not in text, f"{path.name} uses {banned}"


def run_with_cache(paths, out, clean_fn_calls, config=None):
    config = config or Config()
    ledger, cache = Ledger(out, config), CleanCache(out, config)

    def counting(records):
        clean_fn_calls.append(len(records))
        return clean_batch(records, config)

    try:
        for batch in batched(iter_records(paths, config.input), 3):
            ledger.add(*cache.clean(batch, counting))
        write_outputs(ledger, out)
        cache.prune()
    finally:
        ledger.close()
        cache.close()


def test_incremental_run_cleans_only_new_or_changed(tmp_path):
    src = copy_seeds(tmp_path / "in")
    calls: list[int] = []
    run_with_cache([str(src)], tmp_path / "out", calls)
    first = {n: (tmp_path / "out" / n).read_bytes() for n in OUTPUT_FILES}
    assert sum(calls) == 5
    calls.clear()
    run_with_cache([str(src)], tmp_path / "out", calls)
    assert sum(calls) == 0
    assert {n: (tmp_path / "out" / n).read_bytes() for n in OUTPUT_FILES} == first
    changed = src / "003_042e7d1743e4b445.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Lavrov", "Lavrov himself"), encoding="utf-8")
    (src / "005_new.txt").write_bytes((SEEDS / "004_520a83227d8b1b45.txt").read_bytes().replace(b"Wang", b"Mr Wang"))
    full = tmp_path / "full"  # the same prior state (outputs, dedup index) without the cache
    shutil.copytree(tmp_path / "out", full)
    (full / CACHE_FILE).unlink()
    calls.clear()
    run_with_cache([str(src)], tmp_path / "out", calls)
    assert sum(calls) == 2
    full_calls: list[int] = []
    run_with_cache([str(src)], full, full_calls)
    assert sum(full_calls) == 6  # every input cleaned afresh
    for name in OUTPUT_FILES:
        assert (tmp_path / "out" / name).read_bytes() == (full / name).read_bytes(), name


def test_a_cache_hit_gives_the_signatures_cleaning_gives(tmp_path):
    """Dedup and story signatures come back from the cache as cleaning made them (a story
    signature of None too), so a rerun's dedup and stories are a full run's."""
    config = Config()
    records = list(iter_records([str(SEEDS)], config.input))
    # kept, but with no names for a story signature
    plain = " ".join(["the council said the new road would open next spring after years of delay."] * 6)
    records.append(dataclasses.replace(records[0], default_id="plain", data=f"A plain headline\n\n{plain}".encode()))
    fresh_entries, fresh_sigs = clean_batch(records, config)
    assert fresh_sigs[-1] is not None and fresh_sigs[-1].story is None
    cache = CleanCache(tmp_path, config)
    cache.clean(records, lambda todo: clean_batch(todo, config))
    entries, sigs = cache.clean(records, lambda todo: pytest.fail("a hit was cleaned again"))
    cache.close()
    # The whole spool entry, its line hashes (for the template count) included.
    for got, want in zip(entries, fresh_entries, strict=True):
        assert (got.id, got.input, got.status, got.source, got.line) == \
            (want.id, want.input, want.status, want.source, want.line)
        assert (got.line_hashes is None) == (want.line_hashes is None)
        if want.line_hashes is not None:
            assert got.line_hashes.tolist() == want.line_hashes.tolist() and len(want.line_hashes) > 0
    stories = [None if s is None or s.story is None else s.story for s in fresh_sigs]
    assert sum(s is not None for s in stories) == 5 and stories[-1] is None
    for got, want in zip(sigs, fresh_sigs, strict=True):
        assert (got is None) == (want is None)
        if want is not None:
            assert got.to_row() == want.to_row()
            assert (got.story is None) == (want.story is None)
            if want.story is not None:
                assert got.story.hashvalues.tobytes() == want.story.hashvalues.tobytes()
                assert (got.story.seed, got.story.scheme) == (want.story.seed, want.story.scheme)


EARLIER_CACHE_LAYOUTS = {
    "before story signatures": "key TEXT PRIMARY KEY, article TEXT NOT NULL, sig_meta TEXT, sig BLOB, "
                               "run INTEGER NOT NULL",
    "one JSON line a row": "key TEXT PRIMARY KEY, article TEXT NOT NULL, sig_meta TEXT, sig BLOB, story BLOB, "
                           "run INTEGER NOT NULL",
}


@pytest.mark.parametrize("layout", EARLIER_CACHE_LAYOUTS)
def test_a_cache_of_an_earlier_layout_is_replaced(tmp_path, layout):
    import sqlite3

    columns = EARLIER_CACHE_LAYOUTS[layout]
    with sqlite3.connect(tmp_path / CACHE_FILE) as old:
        old.execute(f"CREATE TABLE cleaned ({columns})")
        old.execute("INSERT INTO cleaned (key, article, run) VALUES ('k', '{}', 3)")
    old.close()
    config = Config()
    records = list(iter_records([str(SEEDS)], config.input))
    cache = CleanCache(tmp_path, config)
    assert cache.discarded is None
    cache.clean(records, lambda todo: clean_batch(todo, config))
    assert len(cache.clean(records, lambda todo: pytest.fail("a hit was cleaned again"))[0]) == 5
    cache.close()
    with sqlite3.connect(tmp_path / CACHE_FILE) as new:  # a new file, so with the new layout's page size
        assert new.execute("PRAGMA page_size").fetchone()[0] == 65536
        assert new.execute("SELECT COUNT(*) FROM cleaned").fetchone()[0] == 5
    new.close()


def test_the_cache_needs_no_shared_memory_file_so_an_output_folder_may_be_on_a_network_filesystem(tmp_path):
    """SQLite's WAL mode shares its index through a ``-shm`` file beside the database, which NFS and
    SMB cannot share; with exclusive locking it stays in the process. The cache is still WAL (a
    batch's entries appended to one file), and a killed run's committed entries are still found."""
    import sqlite3

    killed_run = (
        "import os, sys; from pathlib import Path\n"
        "from cleaners.cache import CleanCache; from cleaners.config import Config\n"
        "from cleaners.corpus import clean_batch; from cleaners.io import iter_records\n"
        "config = Config(); records = list(iter_records([sys.argv[2]], config.input))\n"
        "cache = CleanCache(Path(sys.argv[1]), config)\n"
        "cache.clean(records, lambda todo: clean_batch(todo, config))\n"
        "print(' '.join(sorted(p.name for p in Path(sys.argv[1]).iterdir())), flush=True)\n"
        "os._exit(0)  # no close, as a killed run\n")
    done = subprocess.run([sys.executable, "-c", killed_run, str(tmp_path), str(SEEDS)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [CACHE_FILE, f"{CACHE_FILE}-wal"]  # while it ran: no -shm file

    config = Config()
    records = list(iter_records([str(SEEDS)], config.input))
    cache = CleanCache(tmp_path, config)
    assert cache.discarded is None and len(cache.look_up(records).found) == 5
    assert cache._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # The run's process holds the file, as it holds the output folder.
    other = sqlite3.connect(tmp_path / CACHE_FILE, timeout=0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("SELECT COUNT(*) FROM cleaned").fetchone()
    other.close()
    cache.close()


def test_a_completed_run_forgets_inputs_it_did_not_see(tmp_path):
    """The cache tracks the input: an entry not asked for in a completed run is pruned, one asked
    for (a hit or a miss) stays, and the pruned input is cleaned again when it comes back."""
    import sqlite3

    src = copy_seeds(tmp_path / "in")
    out = tmp_path / "out"
    calls: list[int] = []
    run_with_cache([str(src)], out, calls)
    held = tmp_path / "held"
    held.mkdir()
    shutil.move(src / "002_f21ae2525bea576d.txt", held)
    (src / "006_new.txt").write_bytes((SEEDS / "004_520a83227d8b1b45.txt").read_bytes().replace(b"Wang", b"Mr Wang"))
    calls.clear()
    run_with_cache([str(src)], out, calls)
    assert sum(calls) == 1  # only the new input
    with sqlite3.connect(out / CACHE_FILE) as db:
        assert sorted(row[0] for row in db.execute("SELECT id FROM cleaned")) == \
            ["000_1d7223d7e654286f", "001_b41261e48053f856", "003_042e7d1743e4b445", "004_520a83227d8b1b45", "006_new"]
    db.close()
    shutil.move(held / "002_f21ae2525bea576d.txt", src)
    calls.clear()
    run_with_cache([str(src)], out, calls)
    assert sum(calls) == 1  # the returned input, pruned before


def test_unreadable_cache_is_started_afresh(tmp_path):
    """A cache file that is not a database (a disk fault, a stray file): the run cleans everything,
    says why, and leaves a working cache; the output is a full run's."""
    src = copy_seeds(tmp_path / "in")
    full, out = tmp_path / "full", tmp_path / "out"
    run_with_cache([str(src)], full, [])
    out.mkdir()
    (out / CACHE_FILE).write_bytes(b"not a database\n" * 300)
    (out / f"{CACHE_FILE}-journal").write_bytes(b"\0" * 512)  # a stale journal goes with it
    config = Config()
    opened = CleanCache(out, config)
    assert opened.discarded is not None and "could not be read" in opened.discarded
    assert not (out / f"{CACHE_FILE}-journal").exists()
    opened.close()
    (out / CACHE_FILE).write_bytes(b"not a database\n" * 300)
    calls: list[int] = []
    run_with_cache([str(src)], out, calls)
    assert sum(calls) == 5
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
    reopened = CleanCache(out, config)
    assert reopened.discarded is None
    reopened.close()
    calls.clear()
    run_with_cache([str(src)], out, calls)
    assert sum(calls) == 0  # the new cache serves the next run


def test_unreadable_state_files_in_a_real_run(tmp_path):
    """`newsclean run`: an unreadable cache is a warning and the run goes on; an unreadable dedup
    index (what earlier runs kept, so not dropped unasked) is one line, exit 2, the output whole."""
    out = tmp_path / "out"
    assert cli("run", str(SEEDS), "-o", str(out), "-q").returncode == 0
    previous = {n: (out / n).read_bytes() for n in OUTPUT_FILES}
    (out / CACHE_FILE).write_bytes(b"not a database\n" * 300)
    result = cli("run", str(SEEDS), "-o", str(out), "-q")
    assert result.returncode == 0
    assert "WARNING | Flow run" in result.stderr
    assert f"incremental cache: {out / CACHE_FILE} could not be read (file is not a database)" in result.stderr
    assert {n: (out / n).read_bytes() for n in OUTPUT_FILES} == previous

    (out / INDEX_FILE).write_bytes(b"not a database\n" * 300)
    result = cli("run", str(SEEDS), "-o", str(out), "-q")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newsclean: error: the dedup index {out / INDEX_FILE} could not be read (file is not a database); "
        "restore it from a backup, or delete it to start afresh (articles kept before are then not known "
        "to this run), or use another output folder"]
    assert {n: (out / n).read_bytes() for n in OUTPUT_FILES} == previous


def test_cache_is_shared_by_runs_spread_differently_but_not_by_other_cleaning():
    from cleaners.cache import cleaning_fingerprint

    plain, spread, other = Config(), Config(), Config()
    spread.pipeline.workers, spread.pipeline.batch_size, spread.pipeline.spool_chunk = 2, 100, 7
    spread.pipeline.dask_address = "tcp://127.0.0.1:8786"
    other.pipeline.cleaners = [c for c in other.pipeline.cleaners if c != "mt_glitches"]
    assert cleaning_fingerprint(spread) == cleaning_fingerprint(plain)
    assert cleaning_fingerprint(other) != cleaning_fingerprint(plain)
    other = Config()
    other.boilerplate.max_tail_lines += 1
    assert cleaning_fingerprint(other) != cleaning_fingerprint(plain)


def running_commands(processes) -> dict:
    """process -> its command line, for those still running. A process may end, or end and wait to
    be reaped (a zombie, whose command line can no longer be read), between being listed and read."""
    import psutil

    found = {}
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                found[process] = " ".join(process.cmdline())
        except psutil.Error:  # NoSuchProcess, ZombieProcess: it ended meanwhile
            pass
    return found


def test_a_helper_tied_to_its_parent_ends_when_the_parent_is_killed_outright():
    import psutil

    from flows.tied import tied_command

    parent = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys, time\nfrom flows.tied import tied_command\n"
        "print(subprocess.Popen(tied_command(['sleep', '600'])).pid, flush=True)\ntime.sleep(600)\n")],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        helper = psutil.Process(int(parent.stdout.readline()))
        deadline = time.monotonic() + 30
        while helper.cmdline() != ["sleep", "600"] and time.monotonic() < deadline:
            time.sleep(0.02)  # the wrapper execs into the command
        assert helper.cmdline() == ["sleep", "600"]
    finally:
        parent.kill()
        parent.wait()
    _, alive = psutil.wait_procs([helper], timeout=10)
    left = running_commands(alive)
    for leftover in left:
        leftover.kill()
    assert not left
    if sys.platform.startswith("linux"):
        assert tied_command(["x"])[-2:] == [str(os.getpid()), "x"]


def test_a_run_killed_outright_leaves_no_helper_process_and_the_next_run_works(tmp_path):
    """SIGKILL to the command's process alone (the out-of-memory killer's way), on a fresh machine
    (Prefect creating its database), with 4 workers: Prefect's server and the Dask scheduler had
    each a process of their own, and stayed running. Now nothing of the run is left, and the next
    run works."""
    import psutil

    src = tmp_path / "in"
    src.mkdir()
    base = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    with open(src / "big.jsonl", "w", encoding="utf-8") as feed:  # seconds of work: killed mid-run
        for i in range(2000):
            feed.write(json.dumps({"id": f"a{i}", "text": base[i % 5] + f"\n\nUpdate {i}."}) + "\n")
    home = tmp_path / "prefect-home"
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(home)
    run = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", str(src), "-o", str(tmp_path / "out"), "-q",
                            "--workers", "4"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    command = psutil.Process(run.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        helpers = command.children(recursive=True)
        lines = running_commands(helpers).values()
        if (home / "prefect.db").exists() and any("uvicorn" in c for c in lines) \
                and any("dask spec" in c for c in lines):
            break
        time.sleep(0.05)
    else:
        run.kill()
        pytest.fail("the run's server and scheduler did not start")
    assert run.poll() is None, "the run ended before it could be killed"
    run.kill()
    run.wait()
    _, alive = psutil.wait_procs(helpers, timeout=30)
    left = running_commands(alive)
    for leftover in left:
        leftover.kill()
    assert not list(left.values())
    done = cli("run", str(SEEDS), "-o", str(tmp_path / "next"), "-q", env={"PREFECT_HOME": str(home)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert [row["status"] for row in manifest(tmp_path / "next")] == ["kept"] * 5


def test_killed_run_leaves_previous_output_and_rerun_matches(tmp_path):
    """SIGKILL a real `newsclean run` mid-way: old output intact; the rerun equals an uninterrupted run."""
    src = tmp_path / "in"
    src.mkdir()
    base = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    with open(src / "big.jsonl", "w", encoding="utf-8") as feed:
        # Enough batches that the cleaning pass lasts seconds after the first spool file appears
        # (800 articles left ~3 s, less than the old 2 s wait plus polling needed at this speed).
        for i in range(2000):
            text = base[i % 5].split("\n", 1)[1] + f"\n\nUpdate {i}: officials in city {i} confirmed the report."
            feed.write(json.dumps({"id": f"a{i}", "text": text}) + "\n")
    out, reference = tmp_path / "out", tmp_path / "reference"
    config = tmp_path / "small-batches.toml"
    config.write_text("[pipeline]\nbatch_size = 25\nincremental = false\n", encoding="utf-8")
    assert cli("run", str(SEEDS), "-o", str(out), "-q").returncode == 0
    previous = {n: (out / n).read_bytes() for n in OUTPUT_FILES}
    shutil.copytree(out, reference)  # the same prior state (outputs, dedup index) for the uninterrupted run

    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", str(src), "-o", str(out), "-q",
                             "--config", str(config)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    while not any(p.name.startswith(".spool.") for p in out.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # well inside the cleaning pass
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert {n: (out / n).read_bytes() for n in OUTPUT_FILES} == previous

    assert cli("run", str(src), "-o", str(out), "-q", "--config", str(config)).returncode == 0
    assert cli("run", str(src), "-o", str(reference), "-q", "--config", str(config)).returncode == 0
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]  # the killed run's temps are gone
