"""Story groups: different articles on one event grouped, unrelated ones apart, copies not counted."""

from __future__ import annotations

import json

from cleaners.config import Config
from cleaners.stories import StoryFinder, story_features, story_signatures

from .conftest import SEEDS, copy_seeds, load_case
from .test_corpus import rows, run_pure


def test_features_are_names_not_sentence_starts():
    line = ("Chinese President Xi Jinping will visit Moscow in the spring. The Kremlin said on Tuesday "
            "that “Russia and China” would talk.")
    features = story_features(line)
    assert {"xi", "jinping", "moscow", "kremlin", "russia", "china", "president"} <= set(features)
    assert "chinese" not in features and "the" not in features and "tuesday" not in features


def test_seeds_are_one_story_and_unrelated_pages_are_not(cleaned_seeds):
    pages = load_case("story_pages.json")["articles"]
    texts = {**{k: a.text for k, a in cleaned_seeds.items()}, **pages}
    cfg = Config().stories
    finder = StoryFinder(cfg)
    finder.add(list(texts), story_signatures(list(texts.values()), cfg))
    stories = finder.stories()
    by_start = {next(k for k, t in pages.items() if t.startswith(start)): start for start in
                ("A half century on", "The Doobie Brothers", "Prosecutors in Sweden", "Sweden has dropped",
                 "A team led by")}
    named = {start: stories.get(k) for k, start in by_start.items()}
    seed_story = {stories.get(k) for k in cleaned_seeds}
    assert seed_story == {min(cleaned_seeds)}  # all five seeds, named by the smallest id
    assert named["A half century on"] == named["The Doobie Brothers"] is not None  # one band's tour
    assert named["Prosecutors in Sweden"] == named["Sweden has dropped"] is not None  # one court case
    assert named["A half century on"] != named["Sweden has dropped"]
    assert named["A team led by"] is None  # a story of its own: in no group
    assert not seed_story & {named["A half century on"], named["Sweden has dropped"]}


def test_run_writes_story_and_duplicates_stay_out_of_it(tmp_path):
    src = copy_seeds(tmp_path / "in")
    copy = (SEEDS / "004_520a83227d8b1b45.txt").read_text(encoding="utf-8")
    (src / "zz-copy.txt").write_text(copy.replace("Chinese ", "", 1), encoding="utf-8")  # one word shorter
    summary = run_pure([str(src)], tmp_path / "out")
    articles = rows(tmp_path / "out" / "articles.jsonl")
    assert {a["story"] for a in articles} == {"000_1d7223d7e654286f"} and len(articles) == 5
    assert summary.stories == {"000_1d7223d7e654286f": 5}
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "1 stories group 5 kept articles" in report
    manifest = {m["id"]: m["status"] for m in map(json.loads, (tmp_path / "out" / "manifest.jsonl").open())}
    assert manifest["zz-copy"] == "duplicate"
