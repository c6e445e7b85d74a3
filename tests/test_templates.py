"""Cross-document template lines: what recurs across a source's stories goes, news stays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cleaners.config import Config
from cleaners.templates import TemplateLines, line_hash

from .test_corpus import rows, run_pure

BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "article-extraction"
# A real site's standard line (benchmark page 04a671) that no phrase rule names.
TEMPLATE = ("The Times is committed to publishing a diversity of letters to the editor. We’d like to hear what "
            "you think about this or any of our articles.")


def _bodies(count: int) -> list[str]:
    """Real, unrelated article bodies from the benchmark's ground truth (one story each)."""
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = ["\n\n".join(p for p in rec["articleBody"].splitlines() if p.strip()) for _, rec in sorted(truth.items())]
    return [b for b in bodies if len(b) > 1500][:count]


def test_line_in_a_share_of_a_sources_stories_is_removed_with_its_reason():
    bodies = _bodies(10)
    templates = TemplateLines(min_stories=3, min_share=0.1)
    for i, body in enumerate(bodies):
        templates.add(f"a{i}", f"{body}\n\n{TEMPLATE}" if i < 4 else body, "latimes")
    assert templates.find(lambda aid: aid) == 1
    text, edits = templates.strip(f"{bodies[0]}\n\n{TEMPLATE}", "latimes")
    assert text == bodies[0] and [e.category for e in edits] == ["template"]
    assert edits[0].reason == "line recurs verbatim in 4 of the 10 stories from latimes (a site template)"
    # Another source's articles keep the line: it is not that site's template.
    assert templates.strip(f"{bodies[0]}\n\n{TEMPLATE}", "other") == (f"{bodies[0]}\n\n{TEMPLATE}", [])


def test_copies_and_one_storys_articles_count_once():
    """Wire copy republished by many, or a statement quoted in every report on one event, stays."""
    bodies = _bodies(6)
    quote = bodies[5].split("\n\n")[1]
    templates = TemplateLines(min_stories=3, min_share=0.1)
    for i, body in enumerate(bodies[:5]):
        templates.add(f"a{i}", f"{body}\n\n{quote}", "site")
    story = {"a0": "s", "a1": "s", "a2": "s", "a3": "t", "a4": "t"}  # two stories
    assert templates.find(story.__getitem__) == 0
    assert templates.strip(f"{bodies[0]}\n\n{quote}", "site")[1] == []


def test_line_in_few_of_many_stories_stays():
    """A background paragraph reused in 3 of 40 stories is below the share: news, not template."""
    bodies = _bodies(40)
    reused = bodies[0].split("\n\n")[1]
    templates = TemplateLines(min_stories=3, min_share=0.1)
    for i, body in enumerate(bodies):
        templates.add(f"a{i}", f"{body}\n\n{reused}" if i in (1, 2) else body, "site")  # and its own
    assert templates.find(lambda aid: aid) == 0


def test_the_flow_removes_a_sites_template_line_and_explains_it(tmp_path):
    bodies = _bodies(5)
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": f"n{i}", "title": f"Story {i}", "source": "latimes",
                                        "text": f"{body}\n\n{TEMPLATE}"}) + "\n" for i, body in enumerate(bodies)),
                    encoding="utf-8")
    run_pure([str(feed)], tmp_path / "out", Config(), batch_size=2)
    articles = rows(tmp_path / "out" / "articles.jsonl")
    assert len(articles) == 5 and all(TEMPLATE not in a["text"] for a in articles)
    removed = [e for e in rows(tmp_path / "out" / "edits.jsonl") if e["category"] == "template"]
    assert sorted(e["id"] for e in removed) == [f"n{i}" for i in range(5)]
    # Turned off, the line stays.
    off = Config()
    off.boilerplate.template_min_stories = 0
    run_pure([str(feed)], tmp_path / "off", off, batch_size=2)
    assert all(TEMPLATE in a["text"] for a in rows(tmp_path / "off" / "articles.jsonl"))


def test_a_line_has_the_same_hash_in_every_process():
    # Lines are counted in the flow and removed where the write pass runs (on Dask, the workers):
    # Python's own str hash differs between processes, this one may not.
    code = f"from cleaners.templates import line_hash; print(line_hash({TEMPLATE!r}))"
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert seen == {str(line_hash(TEMPLATE))}
    assert line_hash(TEMPLATE) != line_hash(TEMPLATE + " ")


def test_the_count_is_the_same_however_the_lines_are_chunked(monkeypatch):
    """Lines are kept in numpy chunks with each line's owner (its article): a chunk boundary, even
    inside one article's lines or after articles without any, changes nothing found."""
    import cleaners.templates

    bodies = _bodies(12)
    sources = ["latimes", "other", None]

    def table(chunk: int):
        monkeypatch.setattr(cleaners.templates, "_CHUNK", chunk)
        templates = TemplateLines(min_stories=3, min_share=0.1)
        for i, body in enumerate(bodies):
            text = f"{body}\n\n{TEMPLATE}" if i % 3 else "-- --"  # every third: no line with words
            templates.add(f"a{i}", text, sources[i % 2])
        templates.find(lambda aid: aid)
        return templates.table

    whole = table(1 << 20)
    assert whole.templates and list(whole.source_numbers) == ["latimes", "other"]
    for chunk in (1, 7, 50):
        assert table(chunk) == whole, chunk


def test_distinct_rows_are_numpys_unique_over_columns():
    """The count's lexsort gives what np.unique(axis=1, return_counts=True) gives: the same rows in
    the same (signed, lexicographic) order, the same counts; also for no rows and one."""
    import numpy as np

    from cleaners.templates import _distinct

    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 9, 5000):
        columns = [rng.integers(0, 4, n), rng.integers(-3, 3, n) * (1 << 61), rng.integers(0, n // 3 + 1, n)]
        rows, counts = np.unique(np.stack(columns), axis=1, return_counts=True)
        found, found_counts = _distinct(*columns)
        assert np.array_equal(np.stack(found), rows) and np.array_equal(found_counts, counts), n
