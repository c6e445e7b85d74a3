"""Near-duplicates: copies found and grouped, the seeds (one story, different articles) kept apart."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cleaners.dedup as dedup_module
from cleaners.banding import BandIndex, unjoined
from cleaners.config import DedupConfig
from cleaners.dedup import ASCII_NUMBER, NUMBER, DuplicateFinder, estimated_jaccard, exact_jaccard, signatures
from tests.conftest import SEEDS

CFG = DedupConfig()


def test_seeds_are_different_articles(cleaned_seeds):
    texts = [a.text for a in cleaned_seeds.values()]
    for a, b in itertools.combinations(texts, 2):
        assert exact_jaccard(a, b, CFG.shingle_size) < 0.01
    finder = DuplicateFinder(CFG)
    finder.add(signatures([(a.id, a.text, None) for a in cleaned_seeds.values()], CFG))
    assert finder.verdicts() == {}


def test_estimate_close_to_exact_jaccard(cleaned_seeds):
    text = cleaned_seeds["001_b41261e48053f856"].text
    paras = text.split("\n\n")
    edited = "\n\n".join(paras[:-3])  # a trimmed republication
    exact = exact_jaccard(text, edited, CFG.shingle_size)
    assert abs(estimated_jaccard(text, edited, CFG) - exact) < 0.1
    assert exact > 0.8


def test_copies_clustered_transitively_and_canonical_is_longest(cleaned_seeds):
    text = cleaned_seeds["001_b41261e48053f856"].text
    paras = text.split("\n\n")
    trimmed = "\n\n".join(paras[:-2])
    edited = text.replace("Wednesday", "Tuesday", 1)
    other = cleaned_seeds["004_520a83227d8b1b45"].text
    docs = [("copy-trim", trimmed, None), ("orig", text, "2023-02-22"), ("copy-edit", edited, None),
            ("exact", text, None), ("other", other, None)]
    finder = DuplicateFinder(CFG)
    finder.add(signatures(docs[:2], CFG))
    finder.add(signatures(docs[2:], CFG))  # across batches
    verdicts = finder.verdicts()
    # "orig" and "exact" tie on length; the known publication date wins.
    assert {k: v.duplicate_of for k, v in verdicts.items()} == {"copy-trim": "orig", "copy-edit": "orig",
                                                                 "exact": "orig"}
    assert verdicts["exact"].similarity == 1.0
    assert 0.7 <= verdicts["copy-trim"].similarity < 1.0


def test_signatures_deterministic():
    a = signatures([("x", "one two three four five six seven", None)], CFG)[0]
    b = signatures([("x", "one two three four five six seven", None)], CFG)[0]
    assert (a.minhash.hashvalues == b.minhash.hashvalues).all() and a.exact == b.exact


def test_fast_shingle_hashes_equal_the_reference(cleaned_seeds):
    from cleaners.dedup import shingle_hashes, shingle_hashes_reference
    from cleaners.text import comparable

    for text in [a.text for a in cleaned_seeds.values()] + ["", "one", "one two three four five", "a b " * 50,
                                                             "Zürich — naïve café “quoted” 東京 ok"]:
        normalized = comparable(text)
        for size in (3, 5):
            assert set(shingle_hashes(normalized, size).tolist()) == shingle_hashes_reference(normalized, size)


@pytest.mark.parametrize("group_bytes", [1, 300, 1 << 17])
def test_shingle_hashes_of_many_texts_equal_each_texts_own(cleaned_seeds, monkeypatch, group_bytes):
    """Hashed a group at a time (texts joined by spaces), each text keeps its own shingles: none
    spans two texts, whatever the group's size, and short or empty texts are padded as alone."""
    from cleaners import dedup
    from cleaners.text import comparable

    monkeypatch.setattr(dedup, "_GROUP_BYTES", group_bytes)
    texts = [comparable(a.text) for a in cleaned_seeds.values()]
    texts[1:1] = ["", "one", "one two three four five", "one two three four five six", "a  b c d e f g"]
    for size in (1, 3, 5):
        many = dedup.many_shingle_hashes(texts, size)
        assert len(many) == len(texts)
        for text, hashes in zip(texts, many, strict=True):
            assert hashes.tolist() == dedup.shingle_hashes(text, size).tolist(), (text[:40], size)


def test_shingle_hash_count_matches_distinct_shingles(cleaned_seeds):
    from cleaners.dedup import shingle_hashes, shingles
    from cleaners.text import comparable

    for article in cleaned_seeds.values():  # no two distinct shingles of a seed collide
        hashes = set(shingle_hashes(comparable(article.text), 5).tolist())
        assert len(hashes) == len(set(shingles(article.text, 5)))


def test_batched_signatures_equal_datasketch_bulk(cleaned_seeds):
    """The fast path (numpy over many documents) gives exactly MinHash.bulk's hashvalues."""
    docs = [(a.id, a.text, None) for a in cleaned_seeds.values()] + [("short", "two words", None), ("e", "", None)]
    for cfg in (CFG, DedupConfig(shingle_size=3, num_perm=64, seed=7)):
        fast, reference = signatures(docs, cfg), signatures(docs, cfg, fast=False)
        for f, r in zip(fast, reference, strict=True):
            assert (f.minhash.hashvalues == r.minhash.hashvalues).all() and f.minhash == r.minhash


def test_same_words_with_other_figures_is_another_report_not_a_copy(cleaned_seeds):
    import json
    from pathlib import Path

    briefs = json.loads((Path(__file__).parent / "cases" / "template_briefs.json").read_text(encoding="utf-8"))
    docs = [(aid, briefs["articles"][aid], None) for aid in ("d0000833", "d0005064", "d0003277", "d0094473")]
    for (_, a, _), (_, b, _) in (docs[:2], docs[2:]):  # two pairs, each from one template
        assert exact_jaccard(a, b, CFG.shingle_size) > CFG.threshold - 0.1  # the words nearly merge them
    text = cleaned_seeds["002_f21ae2525bea576d"].text
    corrected = text.replace("190", "191", 1)  # a republication that corrects one figure
    finder = DuplicateFinder(CFG)
    finder.add(signatures([*docs, ("orig", text, "2022-12-01"), ("corrected", corrected, None)], CFG))
    assert {k: v.duplicate_of for k, v in finder.verdicts().items()} == {"corrected": "orig"}


def test_a_pickled_signature_is_the_same_signature(cleaned_seeds):
    # Signatures travel from Dask workers to the flow pickled, their sketches as raw bytes.
    import pickle

    from cleaners.config import StoryConfig
    from cleaners.stories import story_signatures

    texts = [a.text for a in cleaned_seeds.values()]
    sigs = signatures([(f"s{i}", t, None) for i, t in enumerate(texts)], DedupConfig())
    for sig, story in zip(sigs, story_signatures(texts, StoryConfig()), strict=True):
        sig.story = story
    sigs[0].story = None  # an article with too few names has none
    for sig in sigs:
        back = pickle.loads(pickle.dumps(sig))
        assert back == sig and back is not sig
        assert back.minhash.hashvalues.dtype == sig.minhash.hashvalues.dtype
        assert back.minhash.jaccard(sigs[1].minhash) == sig.minhash.jaccard(sigs[1].minhash)
        assert (back.story is None) == (sig.story is None)
        if sig.story is not None:
            assert back.story == sig.story and hash(back.story) == hash(sig.story)


def _comparable_by_regex(text: str) -> str:
    import re
    return " ".join(re.findall(r"\w+", text.lower().replace("’", "").replace("'", "")))


def test_comparable_of_long_texts_by_code_points_equals_the_regex(cleaned_seeds):
    # Past COMPARABLE_BY_CODE_POINTS characters, comparable works on code points with tables built
    # from str.lower and str.isalnum; it must give the regex's words exactly, including where the
    # text starts or ends inside punctuation, and leave to the regex what the tables cannot do.
    from cleaners.text import COMPARABLE_BY_CODE_POINTS, _comparable_by_code_points, code_point_tables, comparable

    raw = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts = [a.text for a in cleaned_seeds.values()] + raw
    odd = ("— «Quoted», she said: ‘it’s O'Brien’s_case’ (ÉTÉ 2023, ½, Ⅻ, ٣) …\n\n", "ΣΟΦΟΣ ΟΔΟΣ. ",
           "İSTANBUL ", "emoji 😀 here ", "\ud800 lone surrogate ", "'''", "’")
    texts += [piece * (COMPARABLE_BY_CODE_POINTS // len(piece) + 3) for piece in odd]
    texts += [text[1:-1] for text in texts] + [odd[0] * 40 + text for text in raw]
    for text in texts:
        assert len(text) >= COMPARABLE_BY_CODE_POINTS
        assert comparable(text) == _comparable_by_regex(text)
    assert _comparable_by_code_points(odd[1] * 60) is None  # final sigma: lower case by context
    assert _comparable_by_code_points(odd[2] * 60) is None  # İ lowers to two characters
    assert _comparable_by_code_points(odd[3] * 60) is None  # beyond the BMP
    assert _comparable_by_code_points(odd[0] * 40) == _comparable_by_regex(odd[0] * 40)
    # The word table is re's own \w, every character of the plane.
    import re
    word = code_point_tables()[1]
    assert [c for c in range(len(word)) if bool(re.fullmatch(r"\w", chr(c))) != word[c]] == []


def near_copies(text: str, count: int, seed: int = 0, most_edits: int = 1) -> list[tuple[str, str, None]]:
    """``count`` republications of ``text``, each with one word of its own edited (none exact), or
    with up to ``most_edits`` (heavier edits make copies that match some of the others only)."""
    rng, words = random.Random(seed), text.split()
    copies = []
    for i in range(count):
        edited = list(words)
        for _ in range(rng.randint(1, most_edits)):
            at = rng.randrange(len(edited))
            edited[at] += "".join(chr(97 + rng.randrange(26)) for _ in range(4))  # letters: no new figure
        copies.append((f"copy-{i:04d}", " ".join(edited), None))
    return copies


class ComparingEveryCandidate(DuplicateFinder):
    """The finder as it was before it skipped candidates already in the new article's group: every
    earlier article sharing a band is listed, and each is compared."""

    _PER_BAND = None

    def _join_candidates(self, fresh, rows, slots, base):
        rows, slots = self._bands.live_pairs(rows, slots, base)  # listed as found: once, live, not itself
        for row, slot in zip(rows.tolist(), slots.tolist(), strict=True):
            self._join_if_similar(fresh[row], self._bands.ids[slot])


def verdicts_in_batches(finder: DuplicateFinder, sigs, batch: int = 100) -> dict:
    for start in range(0, len(sigs), batch):
        finder.add(sigs[start:start + batch])
    return finder.verdicts()


def test_a_story_republished_hundreds_of_times_is_one_cluster_found_with_few_comparisons(cleaned_seeds, monkeypatch):
    # One wire story in 600 near copies among the seeds' other articles: each copy is a candidate of
    # every earlier one. Comparing them all made ~n*n/2 comparisons (8,000 copies: 245 s); once a
    # copy is in the story's group, the rest of the group is skipped.
    story = cleaned_seeds["001_b41261e48053f856"].text
    others = [(a.id, a.text, None) for key, a in cleaned_seeds.items() if key != "001_b41261e48053f856"]
    docs = near_copies(story, 600) + others
    random.Random(1).shuffle(docs)
    sigs = signatures(docs, CFG)
    compared = []
    join = DuplicateFinder._join_if_similar
    monkeypatch.setattr(DuplicateFinder, "_join_if_similar",
                        lambda self, sig, other: compared.append(other) or join(self, sig, other))
    verdicts = verdicts_in_batches(DuplicateFinder(CFG), sigs)
    assert len(compared) <= 4 * len(docs)
    # One cluster: 599 copies point to one of them; the seeds' other articles stay apart.
    assert len(verdicts) == 599 and len({v.duplicate_of for v in verdicts.values()}) == 1
    assert not any(aid in verdicts for aid, _, _ in others)
    monkeypatch.undo()
    assert verdicts == verdicts_in_batches(ComparingEveryCandidate(CFG), sigs)


def test_a_story_republished_hundreds_of_times_lists_few_candidate_pairs_a_copy(cleaned_seeds, monkeypatch):
    # Each copy shares its bands with every earlier copy. Listing all those pairs (to drop the ones
    # already in its group) was n*n/2 * bands entries: 8,000 copies took 78 s and GBs. Only the
    # first few of each shared band are listed now; the rest are read in place. Heavier edits make
    # some copies match only some of the others, so the cluster is joined in several steps.
    story = cleaned_seeds["001_b41261e48053f856"].text
    others = [(a.id, a.text, None) for key, a in cleaned_seeds.items() if key != "001_b41261e48053f856"]
    heavy = [(f"heavy-{n:03d}", text, None)
             for n, (_, text, _) in enumerate(near_copies(story, 100, seed=1, most_edits=40))]
    docs = near_copies(story, 500) + heavy + others
    random.Random(2).shuffle(docs)
    sigs = signatures(docs, CFG)
    listed = []
    by_row = dedup_module.candidates_by_row
    monkeypatch.setattr(dedup_module, "candidates_by_row", lambda *args: listed.append(len(args[0])) or by_row(*args))
    verdicts = verdicts_in_batches(DuplicateFinder(CFG), sigs)
    bands = BandIndex(CFG.threshold, CFG.num_perm).bands
    assert sum(listed) <= 4 * DuplicateFinder._PER_BAND * bands * len(docs)  # all of them: 4M
    assert not any(aid in verdicts for aid, _, _ in others)
    assert 0 < sum(aid.startswith("heavy") for aid in verdicts) < len(heavy)  # some heavy copies stay apart
    monkeypatch.undo()
    assert verdicts == verdicts_in_batches(ComparingEveryCandidate(CFG), sigs)


def _roots(parent: np.ndarray) -> list[int]:
    def root(x):
        while parent[x] != x:
            x = parent[x]
        return x
    return [root(x) for x in range(len(parent))]


def _random_groups(rng, size: int, joins: int) -> np.ndarray:
    parent = np.arange(size, dtype=np.int64)
    for a, b in rng.integers(0, size, (joins, 2)).tolist():
        roots = _roots(parent)
        parent[max(roots[a], roots[b])] = min(roots[a], roots[b])
    return parent


def _random_ranges(rng, slots: int, count: int):
    """Ranges as the band index makes them: blocks that cut ``slots`` entries into pieces, and
    for each range a block, a start inside it and the block's end."""
    edges = np.unique(np.concatenate(([0, slots], rng.integers(1, slots, 12))))
    which = rng.integers(0, len(edges) - 1, count)
    blocks, stops = edges[which], edges[which + 1]
    starts = blocks + (rng.random(count) * (stops - blocks)).astype(np.int64)
    return starts, stops, blocks


def test_unjoined_lists_the_range_entries_outside_the_rows_group():
    rng = np.random.default_rng(3)
    size, base = 60, 40  # slots 40-59 are the batch's rows 0-19
    for _ in range(30):
        parent = _random_groups(rng, size, 30)
        slots = rng.integers(0, base, 200).astype(np.int32)
        rows = rng.integers(0, size - base, 15)
        starts, stops, blocks = _random_ranges(rng, len(slots), len(rows))
        roots = _roots(parent)
        expected = [(row, s) for row, lo, hi in zip(rows.tolist(), starts.tolist(), stops.tolist(), strict=True)
                    for s in slots[lo:hi].tolist() if roots[s] != roots[base + row]]
        for memo in (np.zeros(0, dtype=np.int32), np.full(len(slots), -2, dtype=np.int32)):
            got_rows, got_slots = unjoined(slots, rows, starts, stops, blocks, memo, parent.copy(), base)
            assert list(zip(got_rows.tolist(), got_slots.tolist(), strict=True)) == expected


def test_a_block_found_in_one_group_is_noted_and_then_taken_or_skipped_whole():
    parent = np.array([0, 0, 0, 3, 3, 5, 0, 3], dtype=np.int64)  # groups {0,1,2,6}, {3,4,7}, {5}
    slots = np.array([1, 2, 0, 3, 5], dtype=np.int32)  # two blocks: [1, 2, 0] (one group) and [3, 5]
    memo = np.full(5, -2, dtype=np.int32)
    blocks, starts, stops = np.array([0, 3]), np.array([1, 4]), np.array([3, 5])
    # Row 0 (slot 6) is in the first block's group, row 1 (slot 7) in neither's.
    rows, found = unjoined(slots, np.array([0, 1]), starts, stops, blocks, memo, parent, 6)
    assert list(zip(rows.tolist(), found.tolist(), strict=True)) == [(1, 5)]
    assert memo.tolist() == [1, -2, -2, -1, -2]  # by its first slot; the mixed block: -1
    # Noted once, the first block is not read again: a row in its group skips it whole.
    slots[1:3] = 5
    both = np.array([0, 0])
    rows, found = unjoined(slots, np.array([0, 1]), both + 1, both + 3, both, memo, parent, 6)
    assert list(zip(rows.tolist(), found.tolist(), strict=True)) == [(1, 5), (1, 5)]  # row 0's two not read


def test_the_ascii_number_pattern_finds_what_the_unicode_one_finds_in_ascii():
    # Every ASCII character after a digit and before one, and random ASCII text dense with digits.
    rng = random.Random(7)
    texts = [f"a1{chr(c)}2 {chr(c)}3b" for c in range(128)]
    texts += ["".join(rng.choice("0123456789 a-.\t\x1c\x1f\x7f") for _ in range(60)) for _ in range(2000)]
    assert all(ASCII_NUMBER.findall(t) == NUMBER.findall(t) for t in texts)
    assert ASCII_NUMBER.findall("1\x1c2\x1d3\x7f4 5") == ["1", "2", "3\x7f4", "5"]


def test_the_ascii_word_pattern_finds_what_the_unicode_one_finds_in_ascii():
    from cleaners.text import ASCII_WORD, WORD, line_words, words

    rng = random.Random(11)
    texts = [f"ab{chr(c)}cd {chr(c)}e'f{chr(c)}" for c in range(128)]
    texts += ["".join(rng.choice("aZ09_' -.\t\x1c\x7f") for _ in range(60)) for _ in range(2000)]
    assert all(ASCII_WORD.findall(t) == WORD.findall(t) for t in texts)
    assert words("rock'n'roll, don't_stop") == ["rock'n'roll", "don't_stop"]
    assert line_words("It’s the ‘Café’ owner's 2nd") == ("It’s", "the", "Café", "owner's", "2nd")


def test_the_digit_and_space_tables_are_what_re_matches():
    import re

    from cleaners.text import digit_and_space_tables

    is_digit, is_space = digit_and_space_tables()
    digit, space = re.compile(r"\d"), re.compile(r"\s")
    characters = [chr(code) for code in range(0x10000)]
    assert [bool(digit.fullmatch(ch)) for ch in characters] == is_digit.tolist()
    assert [bool(space.fullmatch(ch)) for ch in characters] == is_space.tolist()


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(["1", "7", "٣", "१", "𝟘", "a", "é", "-", ".", " ", "\u00a0", "\u2003", "\n", "\x1c",
                                "\ud800", "😀", "_"]), max_size=30) | st.text(max_size=30))
def test_figures_scan_finds_what_the_regex_finds(text):
    from cleaners.dedup import _numbers_by_code_points, figures

    found = _numbers_by_code_points(text)
    if found is not None:  # None only beyond the Basic Multilingual Plane
        assert found == NUMBER.findall(text)
    else:
        assert any(ord(ch) > 0xFFFF for ch in text)
    expected = (ASCII_NUMBER if text.isascii() else NUMBER).findall(text)
    assert figures(text) == " ".join(list(dict.fromkeys(expected))[:32])
