"""Corpus steps without Prefect: accounting for every input, outputs written atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cleaners.config import Config
from cleaners.corpus import OUTPUT_FILES, Ledger, batched, clean_batch, write_outputs
from cleaners.index import INDEX_FILE
from cleaners.io import iter_records

from .conftest import SEEDS, copy_seeds


def run_pure(paths: list[str], out: Path, config: Config | None = None, batch_size: int = 2):
    config = config or Config()
    ledger = Ledger(out, config)
    try:
        for batch in batched(iter_records(paths, config.input), batch_size):
            ledger.add(*clean_batch(batch, config))
        return write_outputs(ledger, out)
    finally:
        ledger.close()


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]  # JSON Lines: "\n" only


@pytest.fixture
def corpus(tmp_path):
    """The seeds, a republished copy of seed 001, a duplicate id, and junk inputs."""
    src = copy_seeds(tmp_path / "in")
    seed = (SEEDS / "001_b41261e48053f856.txt").read_text(encoding="utf-8")
    credit = "CNN’s Anna Chernova contributed to this report"
    copy = seed.replace("(CNN) ", "").replace(credit, "Sign up for our newsletter")
    (src / "010_copy.txt").write_text(copy.replace("Wednesday", "Tuesday", 1), encoding="utf-8")
    (src / "020_empty.txt").write_bytes(b"")
    (src / "030_stub.txt").write_text("Headline\n\nSubscribe now\n\nADVERTISEMENT", encoding="utf-8")
    feed = [{"id": "000_1d7223d7e654286f", "text": "A reused id with enough words " * 5}, "{broken"]
    (src / "feed.jsonl").write_text("\n".join(json.dumps(x) if isinstance(x, dict) else x for x in feed), "utf-8")
    return src


def test_every_input_accounted_for(corpus, tmp_path):
    out = tmp_path / "out"
    summary = run_pure([str(corpus)], out)
    manifest = rows(out / "manifest.jsonl")
    assert len(manifest) == summary.inputs == 10
    status = {(m["id"], m["status"]): m for m in manifest}
    assert status[("010_copy", "duplicate")]["duplicate_of"] == "001_b41261e48053f856"
    assert status[("020_empty", "rejected")]["reason"].startswith("empty")
    assert status[("030_stub", "rejected")]["reason"].startswith("too_short")
    assert status[("000_1d7223d7e654286f", "rejected")]["reason"].startswith("duplicate_id")
    assert status[("feed:2", "rejected")]["reason"].startswith("malformed_json")
    counts = summary.counts()
    assert counts["kept"] + counts["duplicate"] + counts["rejected"] == counts["inputs"]
    articles = rows(out / "articles.jsonl")
    assert [a["id"] for a in articles] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    canonical = next(a for a in articles if a["id"] == "001_b41261e48053f856")
    assert canonical["duplicates"] == ["010_copy"] and canonical["cluster"] == "001_b41261e48053f856"


def test_outputs_complete_and_explained(corpus, tmp_path):
    out = tmp_path / "out"
    run_pure([str(corpus)], out)
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, INDEX_FILE])  # no temp or spool files
    edits = rows(out / "edits.jsonl")
    assert {"id", "cleaner", "category", "action", "before", "after", "reason"} <= set(edits[0])
    assert {e["action"] for e in edits} == {"removed", "replaced", "flagged"}
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "10 inputs: 5 kept, 1 duplicates, 4 rejected." in report
    assert "| 001_b41261e48053f856 | 010_copy |" in report


def test_same_input_gives_byte_identical_output(corpus, tmp_path):
    run_pure([str(corpus)], tmp_path / "a", batch_size=2)
    run_pure([str(corpus)], tmp_path / "b", batch_size=3)
    for name in OUTPUT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_spool_in_many_files_writes_the_same_outputs(corpus, tmp_path):
    # The write pass renders each spool file on its own (on Dask, in parallel): one article a file
    # must give what one file gives, clusters and report included.
    one_each = Config()
    one_each.pipeline.spool_chunk = 1
    run_pure([str(corpus)], tmp_path / "a")
    run_pure([str(corpus)], tmp_path / "b", one_each)
    for name in OUTPUT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted([*OUTPUT_FILES, INDEX_FILE])


def test_line_separators_inside_a_record_survive_the_spool(tmp_path):
    # JSON leaves U+2028, U+2029 and U+0085 unescaped; only "\n" may end a spooled record.
    odd = "Talks\u2028in Moscow\u2029end\x85 early"
    feed = tmp_path / "feed.jsonl"
    body = (SEEDS / "004_520a83227d8b1b45.txt").read_text(encoding="utf-8")
    feed.write_text(json.dumps({"id": "odd", "title": odd, "source": odd, "text": body}) + "\n", encoding="utf-8")
    run_pure([str(feed)], tmp_path / "out")
    (row,) = rows(tmp_path / "out" / "articles.jsonl")
    assert row["id"] == "odd" and row["source"] == odd


def test_text_no_utf8_output_can_hold_is_written_not_crashed_on(tmp_path):
    # A file name that is not UTF-8 reaches Python with lone surrogates, as does a JSON "\\ud800"
    # escape; writing either as UTF-8 raised and stopped the whole run.
    body = (SEEDS / "004_520a83227d8b1b45.txt").read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "b.jsonl").write_text("\n".join([
        json.dumps({"id": "bad\ud800id", "text": body}),
        json.dumps({"id": "lone", "title": "Talks \udc00resume",
                    "text": body.replace("Yi signaled", "Yi \ud800signaled", 1)}),
    ]) + "\n", encoding="utf-8")
    latin1_name = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(latin1_name, "wb") as handle:
        handle.write((SEEDS / "003_042e7d1743e4b445.txt").read_bytes())
    summary = run_pure([str(folder)], tmp_path / "out")
    manifest = {row["input"].rsplit("/", 1)[1]: row for row in rows(tmp_path / "out" / "manifest.jsonl")}
    assert sorted(manifest) == ["b.jsonl:1", "b.jsonl:2", "caf\\xe9.txt"]
    assert manifest["b.jsonl:1"]["id"] == "b:1" and manifest["b.jsonl:1"]["status"] == "rejected"
    assert "lone surrogate" in manifest["b.jsonl:1"]["reason"]
    assert manifest["caf\\xe9.txt"]["id"] == "caf\\xe9"
    article = {row["id"]: row for row in rows(tmp_path / "out" / "articles.jsonl")}["lone"]
    assert article["title"] == "Talks \ufffdresume" and "Yi \ufffdsignaled" in article["text"]
    replaced = [e for e in rows(tmp_path / "out" / "edits.jsonl") if e["id"] == "lone" and e["cleaner"] == "reader"]
    assert [e["reason"].split(" (")[0] for e in replaced] == ["1 lone surrogate(s) in 'text'",
                                                            "1 lone surrogate(s) in 'title'"]
    assert summary.inputs == 3


def test_cleaning_the_output_again_changes_nothing(tmp_path):
    run_pure([str(SEEDS)], tmp_path / "once")
    again = tmp_path / "again.jsonl"
    again.write_text("".join(json.dumps({"id": a["id"], "title": a["title"], "text": a["text"]}) + "\n"
                             for a in rows(tmp_path / "once" / "articles.jsonl")), encoding="utf-8")
    run_pure([str(again)], tmp_path / "twice")
    first, second = rows(tmp_path / "once" / "articles.jsonl"), rows(tmp_path / "twice" / "articles.jsonl")
    assert [(a["title"], a["text"]) for a in first] == [(a["title"], a["text"]) for a in second]
    changed = [e for e in rows(tmp_path / "twice" / "edits.jsonl") if e["action"] != "flagged"]
    assert changed == []


def test_failed_write_leaves_previous_output(tmp_path, monkeypatch):
    out = tmp_path / "out"
    run_pure([str(SEEDS)], out)
    before = {n: (out / n).read_bytes() for n in OUTPUT_FILES}
    import cleaners.report

    def boom(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(cleaners.report.RunSummary, "to_markdown", boom)
    with pytest.raises(RuntimeError):
        run_pure([str(SEEDS)], out)
    assert {n: (out / n).read_bytes() for n in OUTPUT_FILES} == before
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, INDEX_FILE])


def test_a_crashing_cleaner_rejects_one_article_not_the_run(tmp_path, monkeypatch):
    import cleaners.registry

    real = cleaners.registry.get_cleaner

    def fragile(name):
        fn = real(name)
        if name != "headline":
            return fn

        def wrapped(text, ctx):
            if "Morrison says" in text:
                raise ValueError("boom")
            return fn(text, ctx)
        return wrapped

    monkeypatch.setattr(cleaners.registry, "get_cleaner", fragile)
    summary = run_pure([str(SEEDS)], tmp_path / "out")
    assert summary.counts()["kept"] == 4 and summary.rejections == {"error": 1}
    (bad,) = [m for m in rows(tmp_path / "out" / "manifest.jsonl") if m["status"] == "rejected"]
    assert bad["reason"] == "error: ValueError: boom"


@pytest.fixture(params=["sqlite", "redis"])
def index_config(request, tmp_path) -> Config:
    """The default config with the index in SQLite (embedded) or in a real Redis server (shared)."""
    from cleaners.config import config_from_dict

    if request.param == "sqlite":
        return Config()
    url = request.getfixturevalue("redis_url")
    return config_from_dict({"dedup": {"redis_url": url, "index_name": f"test:{tmp_path.name}"}})


def test_persistent_index_marks_copies_of_earlier_runs(tmp_path, index_config):
    from cleaners.config import ConfigError, config_from_dict
    from cleaners.index import open_index

    def indexed() -> int:
        index = open_index(out, index_config.dedup)
        try:
            return len(index)
        finally:
            index.close()

    out = tmp_path / "out"
    run_pure([str(SEEDS)], out, index_config)
    first = {n: (out / n).read_bytes() for n in OUTPUT_FILES}
    assert indexed() == 5

    tonight = tmp_path / "tonight"
    tonight.mkdir()
    seed = (SEEDS / "001_b41261e48053f856.txt").read_text(encoding="utf-8")
    (tonight / "wire-copy.txt").write_text(seed.replace("Wednesday", "Tuesday", 1), encoding="utf-8")
    (tonight / "fresh.txt").write_bytes((SEEDS / "004_520a83227d8b1b45.txt").read_bytes()
                                        .replace(b"Wang", b"Mr Wang").replace(b"Russia", b"Moscow"))
    run_pure([str(tonight)], out, index_config)
    status = {m["id"]: (m["status"], m["duplicate_of"]) for m in rows(out / "manifest.jsonl")}
    assert status["wire-copy"] == ("duplicate", "001_b41261e48053f856")  # a copy of last night's article
    assert indexed() == 5 + sum(s == "kept" for s, _ in status.values())

    run_pure([str(SEEDS)], out, index_config)  # the first input again: nothing new, same output
    assert {n: (out / n).read_bytes() for n in OUTPUT_FILES} == first
    assert indexed() == 5 + sum(s == "kept" for s, _ in status.values())
    with pytest.raises(ConfigError, match="was built with"):
        open_index(out, config_from_dict({"dedup": {"num_perm": 64, "redis_url": index_config.dedup.redis_url,
                                                     "index_name": index_config.dedup.index_name}}).dedup)


def test_edited_article_replaces_its_indexed_version(tmp_path, index_config):
    out = tmp_path / "out"
    run_pure([str(SEEDS)], out, index_config)
    src = copy_seeds(tmp_path / "in")
    seed = SEEDS / "003_042e7d1743e4b445.txt"
    text = seed.read_text(encoding="utf-8")
    lines = text.splitlines()
    (src / seed.name).write_text("\n".join(lines[: len(lines) * 2 // 5]), encoding="utf-8")
    (src / "copy-of-old.txt").write_text(text, encoding="utf-8")  # a copy of the version indexed before
    run_pure([str(src)], out, index_config)
    status = {m["id"]: (m["status"], m["duplicate_of"]) for m in rows(out / "manifest.jsonl")}
    # The old version is gone from the index: its copy is matched against what 003 is now.
    assert status["003_042e7d1743e4b445"] == ("kept", None)
    assert status["copy-of-old"] == ("kept", None)


def test_redis_index_is_shared_between_output_folders(tmp_path, redis_url):
    """Two workers writing to different folders see each other's articles through one Redis index."""
    from cleaners.config import config_from_dict

    config = config_from_dict({"dedup": {"redis_url": redis_url, "index_name": f"test:{tmp_path.name}"}})
    run_pure([str(SEEDS)], tmp_path / "worker-a", config)
    other = tmp_path / "other"
    other.mkdir()
    text = (SEEDS / "002_f21ae2525bea576d.txt").read_text(encoding="utf-8")
    (other / "syndicated.txt").write_text("Republished from our partners\n\n" + text, encoding="utf-8")
    run_pure([str(other)], tmp_path / "worker-b", config)
    (row,) = rows(tmp_path / "worker-b" / "manifest.jsonl")
    assert (row["status"], row["duplicate_of"]) == ("duplicate", "002_f21ae2525bea576d")
    assert not (tmp_path / "worker-b" / INDEX_FILE).exists()  # nothing embedded when Redis is used


def test_unreachable_redis_is_a_config_error(tmp_path):
    from cleaners.config import ConfigError, config_from_dict
    from cleaners.index import open_index

    with pytest.raises(ConfigError, match="cannot be reached"):
        open_index(tmp_path, config_from_dict({"dedup": {"redis_url": "redis://127.0.0.1:1/0"}}).dedup)


@pytest.fixture
def gc_thresholds():
    import gc

    before = gc.get_threshold()
    yield gc
    gc.set_threshold(*before)


def test_a_run_collects_garbage_less_often_and_sets_the_thresholds_back(gc_thresholds):
    from cleaners.corpus import YOUNG_COLLECTION_THRESHOLD, fewer_collections

    gc_thresholds.set_threshold(700, 10, 10)
    with fewer_collections():
        assert gc_thresholds.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, 10, 10)
    assert gc_thresholds.get_threshold() == (700, 10, 10)
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a failed run")
    assert gc_thresholds.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("threshold", [0, 100_000])  # collection off; a user's higher threshold
def test_a_run_keeps_a_threshold_that_already_collects_less(gc_thresholds, threshold):
    from cleaners.corpus import fewer_collections

    gc_thresholds.set_threshold(threshold, 5, 5)
    with fewer_collections():
        assert gc_thresholds.get_threshold() == (threshold, 5, 5)
    assert gc_thresholds.get_threshold() == (threshold, 5, 5)
