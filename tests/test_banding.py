"""The compact band index finds exactly the candidates datasketch's MinHashLSH finds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from datasketch import MinHashLSH

from cleaners.banding import BandIndex, candidates_by_row, lsh_params, sorted_unique
from cleaners.config import DedupConfig
from cleaners.dedup import signatures

CFG = DedupConfig()
CASES = Path(__file__).parent / "cases"


def _variants(cleaned_seeds) -> list[tuple[str, str, None]]:
    """Real articles and republications of them: trimmed, edited a little, edited a lot."""
    texts = [a.text for a in cleaned_seeds.values()]
    texts += list(json.loads((CASES / "story_pages.json").read_text(encoding="utf-8"))["articles"].values())
    docs = []
    for n, text in enumerate(texts):
        paras = text.split("\n\n")
        docs.append((f"{n}-orig", text, None))
        docs.append((f"{n}-trim", "\n\n".join(paras[:max(1, len(paras) * 2 // 3)]), None))
        for k, stride in enumerate((40, 9, 4)):  # every stride-th word dropped: near, farther, far
            kept = [w for i, w in enumerate(text.split(" ")) if i % stride]
            docs.append((f"{n}-edit{k}", " ".join(kept), None))
    return docs


def test_same_candidates_as_datasketch_query_then_insert(cleaned_seeds):
    sigs = signatures(_variants(cleaned_seeds), CFG)
    reference = MinHashLSH(threshold=CFG.threshold, num_perm=CFG.num_perm)
    expected = set()
    for sig in sigs:
        expected |= {(sig.id, other) for other in reference.query(sig.minhash)}
        reference.insert(sig.id, sig.minhash)
    index = BandIndex(CFG.threshold, CFG.num_perm)
    found = set()
    for start, stop in ((0, 7), (7, 8), (8, 30), (30, len(sigs))):  # batches of several sizes
        batch = sigs[start:stop]
        values = np.stack([s.minhash.hashvalues for s in batch])
        found |= {(batch[row].id, other) for row, other in index.add([s.id for s in batch], values)}
    assert (index.bands, index.rows) == lsh_params(CFG.threshold, CFG.num_perm) == (reference.b, reference.r)
    assert found == expected
    # Not vacuous: republications of every article share bands, different articles do not.
    assert len(expected) >= 20 and len({a.split("-")[0] for a, _ in expected}) == len(sigs) // 5
    assert all(a.split("-")[0] == b.split("-")[0] for a, b in expected)


def test_removed_article_is_no_candidate_and_its_new_version_is(cleaned_seeds):
    sigs = signatures(_variants(cleaned_seeds)[:5], CFG)  # one article and its republications
    values = np.stack([s.minhash.hashvalues for s in sigs])
    index = BandIndex(CFG.threshold, CFG.num_perm)
    index.add([s.id for s in sigs[:1]], values[:1])
    index.remove(sigs[0].id)
    assert sigs[0].id not in index and len(index) == 0
    assert index.add([sigs[1].id], values[1:2]) == []
    index.add([sigs[0].id], values[:1])  # its edited version comes back under the same id
    assert sorted(index.add([sigs[2].id], values[2:3])) == [(0, sigs[0].id), (0, sigs[1].id)]


def test_added_without_query_finds_nothing_but_is_found(cleaned_seeds):
    sigs = signatures(_variants(cleaned_seeds)[:2], CFG)
    values = np.stack([s.minhash.hashvalues for s in sigs])
    index = BandIndex(CFG.threshold, CFG.num_perm)
    assert index.add([s.id for s in sigs], values, query=False) == []
    assert index.add(["again"], values[:1]) == [(0, sigs[0].id), (0, sigs[1].id)]


def test_sorted_unique_is_numpys_unique():
    rng = np.random.default_rng(7)
    for values in (np.zeros(0, dtype=np.int64), np.array([5], dtype=np.int64),
                   rng.integers(0, 1 << 40, 5000), rng.integers(-50, 50, 5000)):
        got = sorted_unique(values)
        assert got.dtype == values.dtype and np.array_equal(got, np.unique(values))


def test_split_candidates_are_the_listed_ones_plus_the_ranges_whole_blocks_of_one_key(cleaned_seeds):
    # Each article five times over (its bands shared by all copies), added in batches: with
    # ``per_band``, the first ones of each shared band are listed and the rest come as ranges, from
    # the sorted runs and from the batch itself; together they are every candidate.
    docs = _variants(cleaned_seeds)
    sigs = signatures([(f"{k}.{aid}", text, None) for k in range(5) for aid, text, _ in docs], CFG)
    values = np.stack([s.minhash.hashvalues for s in sigs])
    ids = [s.id for s in sigs]
    for per_band in (1, 2):
        whole, split = BandIndex(CFG.threshold, CFG.num_perm), BandIndex(CFG.threshold, CFG.num_perm)
        from_ranges, sources = 0, set()
        for start in range(0, len(sigs), 60):
            stop = min(start + 60, len(sigs))
            listed = whole.add_slots(ids[start:stop], values[start:stop])
            expected = set(zip(listed[0].tolist(), listed[1].tolist(), strict=True))
            rows, slots, rest = split.add_slots_split(ids[start:stop], values[start:stop], per_band=per_band)
            found = set(zip(rows.tolist(), slots.tolist(), strict=True))
            for r in rest:
                assert len(r.memo) in (0, len(r.slots))
                sources.add("batch" if len(r.memo) == 0 else "runs")
                ranges = zip(r.rows.tolist(), r.blocks.tolist(), r.starts.tolist(), r.stops.tolist(), strict=True)
                for row, first, cut, end in ranges:
                    assert cut - first == per_band < end - first
                    found |= {(row, s) for s in r.slots[cut:end].tolist()}
                    from_ranges += end - cut
                    # a block: earlier articles sharing one band key with the row
                    block = r.slots[first:end].tolist()
                    assert all(s < start + row for s in block)
                    shared = split.keys(values[[start + row, *block]])
                    assert any(np.all(shared[1:, b] == shared[0, b]) for b in range(split.bands))
            assert found == expected
        assert from_ranges > 1000 and sources == {"batch", "runs"}  # not vacuous


def test_candidates_by_row_are_the_live_pairs_most_shared_bands_first(cleaned_seeds):
    # Each article five times over, one copy removed, added in batches: each row's candidates are
    # the live, distinct pairs of ``add_slots`` (no removed slot, no row with itself), each once, in
    # the order of how many bands the pair shares, most first.
    docs = _variants(cleaned_seeds)
    sigs = signatures([(f"{k}.{aid}", text, None) for k in range(5) for aid, text, _ in docs], CFG)
    values = np.stack([s.minhash.hashvalues for s in sigs])
    ids = [s.id for s in sigs]
    live, raw = BandIndex(CFG.threshold, CFG.num_perm), BandIndex(CFG.threshold, CFG.num_perm)
    live.add(ids[:30], values[:30])
    raw.add(ids[:30], values[:30])
    live.remove(ids[3])
    raw.remove(ids[3])
    rows, slots = live.add_slots(ids[30:], values[30:])
    expected = set(zip(rows.tolist(), slots.tolist(), strict=True))
    rows, slots, _ = raw.add_slots_split(ids[30:], values[30:], distinct=False)
    assert len(rows) > len(expected) and 3 in slots.tolist()  # repeats and the removed slot listed
    starts, ordered = candidates_by_row(rows, slots, 30, len(ids) - 30, raw.removed)
    keys = raw.keys(values)
    got = set()
    for row in range(len(ids) - 30):
        mine = ordered[starts[row]:starts[row + 1]].tolist()
        assert len(mine) == len(set(mine))
        shared = [int(np.count_nonzero(keys[s] == keys[30 + row])) for s in mine]
        assert shared == sorted(shared, reverse=True)
        got |= {(row, s) for s in mine}
    assert got == expected and len(expected) > 100
