"""Story groups: different articles on one event grouped, unrelated ones apart, copies not counted."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cleaners.stories as stories_module
from cleaners.banding import candidates_by_row
from cleaners.config import Config
from cleaners.stories import StoryFinder, _agree, _joining_pairs, _least_agreeing, story_features, story_signatures

from .conftest import SEEDS, copy_seeds, load_case
from .test_corpus import rows, run_pure


def test_features_are_names_not_sentence_starts():
    line = ("Chinese President Xi Jinping will visit Moscow in the spring. The Kremlin said on Tuesday "
            "that “Russia and China” would talk.")
    features = story_features(line)
    assert {"xi", "jinping", "moscow", "kremlin", "russia", "china", "president"} <= set(features)
    assert "chinese" not in features and "the" not in features and "tuesday" not in features


def test_compiled_name_scan_gives_the_patterns_features(cleaned_seeds):
    # story_features finds names in one compiled pass and asks the sentence-start pattern only near
    # a line break or a sentence's end; it must give what the patterns give match by match, at the
    # text's start, at the window's edge (8 characters), across apostrophes, hyphens and quotes, and
    # leave text beyond the BMP to them.
    from cleaners.stories import _story_features_by_pattern

    pages = load_case("story_pages.json")["articles"]
    raw = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts = [a.text for a in cleaned_seeds.values()] + raw + list(pages.values())
    texts += ["A. B. C. D", "x. \nabc Name here", "O’Neil’s car. McDonald’s", "iPhone X-Men —Tom", "Said.'Tom went",
              "\nTom", "12345678Tom", "123456789Tom", "1234567.Tom", "a.        Tom", "a.       Tom", "Tom's'Tim",
              "“Tom” said: “Jerry", "𝐀 Tom. Tim", "", "A", "Tom'", "Tom’-", "A-", "É Tom", "end… Tom", "end?\u00a0Tom",
              " " * 8 + "Tom said", " " * 7 + "“Tom said", " " * 9 + "Tom said", ".\n" + " " * 7 + "Tim"]
    texts += [text[k:] for text in raw for k in range(1, 12)]  # every alignment of the window at the start
    for text in texts:
        assert story_features(text) == _story_features_by_pattern(text), text[:80]
    assert story_features(raw[0])  # names found: the comparison was not between empty lists


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


@pytest.mark.parametrize("per_band", [16, 1])
def test_story_groups_are_those_datasketch_minhashlsh_finds_on_real_articles(cleaned_seeds, per_band, monkeypatch):
    """The compact banding gives the groups a plain datasketch MinHashLSH gives (query, verify, insert),
    on every benchmark body plus the seeds and copies of them each missing a paragraph (a big story),
    added in batches of uneven sizes; also when only the first article of each shared band is
    compared first (``per_band`` 1), so that most joins go through the second step."""
    monkeypatch.setattr(StoryFinder, "_PER_BAND", per_band)
    from pathlib import Path

    from datasketch import MinHashLSH

    from cleaners.dedup import UnionFind

    truth = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "article-extraction"
    bodies = {k: v["articleBody"] for k, v in json.loads((truth / "ground-truth.json").read_text("utf-8")).items()}
    texts = {**{k: a.text for k, a in cleaned_seeds.items()}, **bodies}
    for k, a in cleaned_seeds.items():
        paras = a.text.split("\n\n")
        texts.update({f"{k}-without-{i}": "\n\n".join(paras[:i] + paras[i + 1:]) for i in range(len(paras))})
    for threshold in (0.2, 0.3):
        cfg = Config().stories
        cfg.threshold = threshold
        ids, sigs = list(texts), story_signatures(list(texts.values()), cfg)
        finder = StoryFinder(cfg)
        for start, size in ((0, 7), (7, 1), (8, 60), (68, len(ids))):
            finder.add(ids[start:start + size], sigs[start:start + size])
        lsh, groups, seen = MinHashLSH(threshold=threshold, num_perm=cfg.num_perm), UnionFind(), {}
        for aid, mh in zip(ids, sigs, strict=True):
            if mh is None:
                continue
            groups.add(aid)
            for other in lsh.query(mh):
                if mh.jaccard(seen[other]) >= threshold:
                    groups.union(aid, other)
            lsh.insert(aid, mh)
            seen[aid] = mh
        expected: dict[str, list[str]] = {}
        for aid in groups:
            expected.setdefault(groups.find(aid), []).append(aid)
        expected_names = {aid: min(m) for m in expected.values() if len(m) > 1 for aid in m}
        assert finder.stories() == expected_names
        assert len(set(expected_names.values())) >= 3  # real groups to compare, not an empty match


def test_a_story_is_joined_through_a_later_member_when_its_first_one_is_too_far(monkeypatch):
    """A drifting story: B shares half of A, C shares half of B but almost nothing of A, and C's
    only band in common with the story is one where A comes first. Comparing C with A fails; the
    story is still joined through B, also when only one article a band is compared first."""
    from datasketch import LeanMinHash

    cfg = Config().stories
    finder = StoryFinder(cfg)
    bands, rows = finder._bands.bands, finder._bands.rows
    rng = np.random.default_rng(7)
    a = rng.integers(1, 2**32, cfg.num_perm, dtype=np.uint64)
    b, c = a.copy(), rng.integers(1, 2**32, cfg.num_perm, dtype=np.uint64)
    for band in range(1, bands):  # band 0: the same in all three
        changed = slice(band * rows + rows // 2, (band + 1) * rows)  # half of each other band
        b[changed] = rng.integers(1, 2**32, len(b[changed]), dtype=np.uint64)
        c[changed] = b[changed]
    b[bands * rows:] = rng.integers(1, 2**32, cfg.num_perm - bands * rows, dtype=np.uint64)
    c[bands * rows:] = b[bands * rows:]
    c[:rows] = a[:rows]
    sigs = {name: LeanMinHash(seed=1, hashvalues=v.astype(np.uint32), scheme="affine32")
            for name, v in (("a", a), ("b", b), ("c", c))}
    assert sigs["a"].jaccard(sigs["b"]) >= cfg.threshold > sigs["a"].jaccard(sigs["c"])
    assert sigs["b"].jaccard(sigs["c"]) >= cfg.threshold
    for per_band in (1, 16):
        monkeypatch.setattr(StoryFinder, "_PER_BAND", per_band)
        finder = StoryFinder(cfg)
        finder.add(["a", "b"], [sigs["a"], sigs["b"]])
        finder.add(["c"], [sigs["c"]])
        assert finder.stories() == {"a": "a", "b": "a", "c": "a"}


def test_compiled_verification_agrees_with_datasketchs_estimate():
    """Pairs whose share of equal hash values reaches the threshold, as MinHash.jaccard estimates it,
    at thresholds where the fewest needed values fall just either side of a whole number."""
    rng = np.random.default_rng(3)
    values = rng.integers(0, 3, (300, 128)).astype(np.uint32)  # pairs agree in ~43 of 128 places
    a, b = rng.integers(0, 300, 5000), rng.integers(0, 300, 5000)
    for threshold in (0.3, 0.33, 0.3359375, 0.34, 0.4, 1.5):
        expected = np.count_nonzero(values[a] == values[b], axis=1) / 128 >= threshold
        if threshold <= 0.34:  # both answers occur
            assert 0 < expected.sum() < len(expected)
        need = _least_agreeing(threshold, 128)
        got = np.array([_agree(values[x], values[y], need) for x, y in zip(a, b, strict=True)])
        assert np.array_equal(got, expected)


def joining(values, group, removed, rows, slots, base, count, need):
    """``_joining_pairs`` of candidates as the band index lists them (``candidates_by_row``)."""
    return _joining_pairs(values, group, *candidates_by_row(rows, slots, base, count, removed), base, need)


def test_a_pair_into_a_group_its_row_already_joins_is_not_kept():
    """Batch row 0 is slot 5, row 1 slot 6. Row 0 agrees with slots 1, 2 (group 1) and 3 (group 3):
    (5, 1) shares the most bands, so it comes first; (5, 2) would then merge nothing more, so only
    (5, 1) and (5, 3) come back. Row 1 agrees with slot 2 alone and keeps it (what row 0 joined says
    nothing of row 1); a disagreeing pair, a removed slot and a row with itself are never kept;
    each pair comes back once, however many bands it was listed for."""
    values = np.array([[0, 0, 0, 0], [1, 2, 3, 9], [1, 2, 3, 8], [1, 2, 7, 4], [1, 2, 0, 0],
                       [1, 2, 3, 4], [5, 6, 3, 8]], dtype=np.uint32)
    group = np.array([0, 1, 1, 3, 4, 5, 6], dtype=np.int64)
    removed = np.array([False, False, False, False, True, False, False])
    rows = np.array([0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0])
    slots = np.array([2, 1, 3, 1, 1, 2, 1, 4, 6, 5, 3])
    assert [_agree(values[5], values[s], 2) for s in (1, 2, 3, 4)] == [True, True, True, True]
    assert [_agree(values[6], values[s], 2) for s in (1, 2)] == [False, True]
    a, b = joining(values, group, removed, rows, slots, 5, 2, 2)
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == [(5, 1), (5, 3), (6, 2)]


def test_joining_pairs_gives_the_groups_of_comparing_every_pair():
    """Random candidates, repeated and unsorted, over values where about half the pairs agree: the
    groups the kept pairs make are those of every agreeing pair (the skipped ones join nothing new)."""
    from cleaners.dedup import UnionFind

    rng = np.random.default_rng(5)
    values = rng.integers(0, 2, (260, 16)).astype(np.uint32)
    base, count = 200, 60
    rows, slots = rng.integers(0, count, 3000), rng.integers(0, base + count, 3000)
    group = np.arange(base + count, dtype=np.int64)
    group[:base] = rng.integers(0, 20, base)  # earlier slots in 20 groups, named by any member
    removed = np.zeros(base + count, dtype=bool)
    removed[rng.integers(0, base, 10)] = True

    def components(pairs):
        found = UnionFind()
        for s in range(base + count):
            found.add(s)
        for s in range(base):
            found.union(int(group[s]), s)
        for x, y in pairs:
            found.union(x, y)
        return sorted(sorted(s for s in range(base + count) if found.find(s) == root)
                      for root in {found.find(s) for s in range(base + count)})

    every = [(base + r, s) for r, s in zip(rows.tolist(), slots.tolist(), strict=True)
             if s != base + r and not removed[s] and _agree(values[base + r], values[s], 9)]
    a, b = joining(values, group, removed, rows, slots, base, count, 9)
    assert 0 < len(a) < len(set(every))
    assert components(zip(a.tolist(), b.tolist(), strict=True)) == components(every)


def test_a_story_republished_hundreds_of_times_lists_few_candidate_pairs_a_copy(cleaned_seeds, monkeypatch):
    """600 near copies of one seed, with the other seeds, in batches of 300: each copy shares its
    bands with every earlier one, in the sorted runs and in its own batch. Listing all those of its
    batch made ~4,300 pairs a copy here, growing with the batch; the first ``_PER_BAND`` of each band
    are listed now and the rest read in place. The groups are those of listing every candidate."""
    import random

    from cleaners.banding import BandIndex

    from .test_dedup import near_copies

    cfg = Config().stories
    story = cleaned_seeds["001_b41261e48053f856"].text
    docs = near_copies(story, 600) + [(a.id, a.text, None) for a in cleaned_seeds.values()]
    random.Random(3).shuffle(docs)
    ids, sigs = [aid for aid, _, _ in docs], story_signatures([text for _, text, _ in docs], cfg)

    def stories_in_batches():
        finder = StoryFinder(cfg)
        for start in range(0, len(ids), 300):
            finder.add(ids[start:start + 300], sigs[start:start + 300])
        return finder.stories()

    listed = []
    by_row = stories_module.candidates_by_row
    monkeypatch.setattr(stories_module, "candidates_by_row", lambda *args: listed.append(len(args[0])) or by_row(*args))
    names = stories_in_batches()
    assert sum(listed) <= 4 * StoryFinder._PER_BAND * BandIndex(cfg.threshold, cfg.num_perm).bands * len(docs)
    assert set(names) == set(ids) and len(set(names.values())) == 1  # the seeds are one story, copies too
    monkeypatch.undo()
    monkeypatch.setattr(StoryFinder, "_PER_BAND", len(ids))  # every candidate listed
    assert stories_in_batches() == names
