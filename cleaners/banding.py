"""Compact in-memory LSH banding for batches of MinHash signatures.

datasketch's ``MinHashLSH`` with its default dict storage keeps, per band, a dict from the band's
bytes to a Python set of keys: several hundred bytes per article per band, the bulk of the memory
of a 100k-article run, and a Python call per article per band. This index keeps the same banding
(datasketch chooses the bands and rows for the threshold, with its own ``_optimal_param``) in numpy:

- each band of a signature is folded into one 64-bit key (equal bands give equal keys; a rare
  collision only adds a candidate, which the caller verifies by estimated Jaccard anyway);
- keys live in a few sorted runs that are merged as they grow (a log-structured merge), so a batch
  of queries is one ``searchsorted`` per run: 16 bytes per article per band (key, slot, and a
  note callers may keep about a block of equal keys).

Candidates are the same as datasketch's query-then-insert in input order: every earlier article
sharing at least one band, including earlier articles of the same batch.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from datasketch import MinHashLSH

from cleaners.compiled import compiled

_MIX = (np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


def _fold(bands: np.ndarray) -> np.ndarray:
    """(n, b, r) uint32 -> (n, b) uint64: a polynomial over the rows, salted by band, then mixed."""
    n, b, r = bands.shape
    with np.errstate(over="ignore"):
        powers = np.array([pow(0x100000001B3, r - 1 - j, 1 << 64) for j in range(r)], dtype=np.uint64)
        h = (bands.astype(np.uint64) * powers).sum(axis=2, dtype=np.uint64)
        h = h + np.arange(b, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        for multiplier in _MIX:
            h = (h ^ (h >> np.uint64(33))) * multiplier
        return h ^ (h >> np.uint64(33))


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of a 1-d integer array, by sorting: numpy 2's hash-based ``np.unique`` took
    10-30x as long on int64 keys here (43 ms against 3.8 ms for 130k; 21.7 s of a 100k run)."""
    if len(values) < 2:
        return values.copy()
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that datasketch's MinHashLSH picks for this threshold and permutation count."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


class Ranges(NamedTuple):
    """Candidates left unlisted: for each k, batch row ``rows[k]`` with the earlier articles
    ``slots[starts[k]:stops[k]]`` (repeated where several bands are shared, removed ones included).

    ``slots[blocks[k]:stops[k]]`` is the whole block of the band's key, and ``memo`` (int32, -2
    where nothing is noted) is for a caller to note facts about a block at its first entry, kept
    as long as the sorted run lasts (empty for the batch's own ranges, which last one call)."""

    slots: np.ndarray
    rows: np.ndarray
    starts: np.ndarray
    stops: np.ndarray
    blocks: np.ndarray
    memo: np.ndarray


class BandIndex:
    """Signatures of one run, banded; ``add`` returns the candidate pairs for each new signature."""

    def __init__(self, threshold: float, num_perm: int):
        self.bands, self.rows = lsh_params(threshold, num_perm)
        self._runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (sorted keys, slots, memo), largest first
        self._ids: list[str] = []  # slot -> id
        self._slot: dict[str, int] = {}  # id -> its live slot
        self._dead = np.zeros(1024, dtype=bool)  # slots of removed (edited) articles

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, aid: str) -> bool:
        return aid in self._slot

    def remove(self, aid: str) -> None:
        self._dead[self._slot.pop(aid)] = True

    def keys(self, values: np.ndarray) -> np.ndarray:
        n = len(values)
        return _fold(values[:, :self.bands * self.rows].reshape(n, self.bands, self.rows))

    def add(self, ids: list[str], values: np.ndarray, query: bool = True) -> list[tuple[int, str]]:
        """Insert a batch (``values``: n x num_perm uint32 hash values); unless ``query`` is false,
        return (row, earlier id) for every earlier live article sharing a band with row ``row``."""
        rows, slots = self.add_slots(ids, values, query)
        return [(r, self._ids[s]) for r, s in zip(rows.tolist(), slots.tolist(), strict=True)]

    def add_slots(self, ids: list[str], values: np.ndarray, query: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """``add``, with the candidates as two arrays: rows of the batch, and the earlier articles'
        slots (the batch's row ``i`` takes slot ``len(self.ids) + i``, before the call)."""
        rows, slots, _ = self.add_slots_split(ids, values, query, per_band=None)
        return rows, slots

    def add_slots_split(self, ids: list[str], values: np.ndarray, query: bool = True,
                        per_band: int | None = None,
                        distinct: bool = True) -> tuple[np.ndarray, np.ndarray, list[Ranges]]:
        """``add_slots`` in two parts: the candidates among the first ``per_band`` earlier articles
        of each shared band (in each sorted run, and in the batch itself), unique and live, and the rest
        of them as ranges, not listed (a big story's rest is ~135M entries over a 100k run).

        ``distinct=False``: the candidates as found, unsorted, a pair once per band it shares, with
        removed slots and a row paired with itself, for a caller that drops those itself."""
        n = len(ids)
        none = np.zeros(0, dtype=np.int64)
        if not n:
            return none, none, []
        base = len(self._ids)
        self._grow(base + n)
        self._ids.extend(ids)
        for i, aid in enumerate(ids):
            if aid in self._slot:
                self._dead[self._slot[aid]] = True
            self._slot[aid] = base + i
        keys = self.keys(values).ravel()
        rows = np.repeat(np.arange(n, dtype=np.int64), self.bands)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        found_rows, found_slots, rest = [], [], []
        for run_keys, run_slots, memo in self._runs if query else ():
            # searched in key order (~1.8x faster: each search starts near the last), then put back
            at = np.searchsorted(run_keys, sorted_keys, side="left")
            ends = at.copy()
            # most keys are in no run: the end of the equal ones is searched for only where one is
            hit = np.flatnonzero(run_keys[np.minimum(at, len(run_keys) - 1)] == sorted_keys)
            if len(hit):
                ends[hit] = np.searchsorted(run_keys, sorted_keys[hit], side="right")
            lo, hi = np.empty_like(order), np.empty_like(order)
            lo[order], hi[order] = at, ends
            cut = hi if per_band is None else np.minimum(hi, lo + per_band)  # a run keeps slot order
            counts = cut - lo
            if counts.any():
                which = np.repeat(np.arange(len(keys)), counts)
                starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
                found_rows.append(rows[which])
                found_slots.append(run_slots[starts + np.arange(len(which))])
            beyond = np.flatnonzero(hi > cut)
            if len(beyond):
                rest.append(Ranges(run_slots, rows[beyond], cut[beyond], hi[beyond], lo[beyond], memo))
        sorted_slots = (rows[order] + base).astype(np.int32)
        starts = np.concatenate([[0], np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1])
        sizes = np.diff(np.concatenate([starts, [len(keys)]]))
        if query:  # bands shared inside this batch: each article with the earlier ones of its key
            # (slots ascend within a key: the sort is stable and the batch's rows come in order)
            key_start = np.repeat(starts, sizes)  # where each one's key begins
            before = np.arange(len(keys)) - key_start  # earlier ones of the same key
            within = before if per_band is None else np.minimum(before, per_band)
            later = np.repeat(np.arange(len(keys)), within)
            first = np.repeat(key_start, within)
            earlier = first + np.arange(len(later)) - np.repeat(np.cumsum(within) - within, within)
            found_rows.append(sorted_slots[later].astype(np.int64) - base)
            found_slots.append(sorted_slots[earlier])
            beyond = np.flatnonzero(before > within)  # a batch of one story's copies: the same cut
            if len(beyond):
                rest.append(Ranges(sorted_slots, sorted_slots[beyond].astype(np.int64) - base,
                                   key_start[beyond] + per_band, beyond, key_start[beyond],
                                   np.zeros(0, dtype=np.int32)))
        self._push(sorted_keys, sorted_slots)
        if not found_rows:
            return none, none, rest
        rows, slots = np.concatenate(found_rows), np.concatenate(found_slots)
        return (*(self.live_pairs(rows, slots, base) if distinct else (rows, slots)), rest)

    def unjoined_pairs(self, rest: list[Ranges], parent: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray]:
        """The ranges' entries that are outside their row's group in ``parent`` (``unjoined``): what
        is left to compare of the candidates ``add_slots_split`` did not list, as found (as there
        with ``distinct=False``; ``candidates_by_row`` drops the repeats, removed slots and rows)."""
        found = [unjoined(*r, parent, base) for r in rest]
        rows = np.concatenate([f[0] for f in found]) if found else np.zeros(0, dtype=np.int64)
        if not len(rows):
            return rows, rows
        return rows, np.concatenate([f[1] for f in found])

    def live_pairs(self, rows: np.ndarray, slots: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray]:
        """The distinct pairs (row, slot) in (row, slot) order, without removed articles or a row
        paired with itself (row ``i`` of the batch is slot ``base + i``)."""
        # one int64 key a pair: np.unique on rows of a 2-column array is several times slower
        key = sorted_unique(rows.astype(np.int64) << 32 | slots)
        rows, slots = key >> 32, key & 0xFFFFFFFF
        keep = ~self._dead[slots] & (slots != rows + base)
        return rows[keep], slots[keep]

    @property
    def removed(self) -> np.ndarray:
        """Slot -> whether it was removed (at least as long as the slots)."""
        return self._dead

    @property
    def ids(self) -> list[str]:
        """Slot -> id (of every article added, live or removed)."""
        return self._ids

    def _grow(self, size: int) -> None:
        if size > len(self._dead):
            capacity = max(size, 2 * len(self._dead))
            dead = np.zeros(capacity, dtype=bool)
            dead[:len(self._dead)] = self._dead
            self._dead = dead

    def _push(self, keys: np.ndarray, slots: np.ndarray) -> None:
        self._runs.append((keys, slots, np.full(len(keys), -2, dtype=np.int32)))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (k1, s1, _), (k2, s2, _) = self._runs.pop(-2), self._runs.pop()
            keys, slots = np.concatenate([k1, k2]), np.concatenate([s1, s2])
            order = np.argsort(keys, kind="stable")
            self._runs.append((keys[order], slots[order], np.full(len(keys), -2, dtype=np.int32)))


@compiled
def candidates_by_row(rows, slots, base, n_rows, removed):  # pragma: no cover - compiled
    """Each batch row's distinct candidates, most shared bands first, from the pairs (batch row
    ``rows[k]``, which is slot ``base + rows[k]``; earlier slot ``slots[k]``) as the index lists them
    with ``distinct=False``: unsorted, a pair once per band it shares, removed slots and a row
    paired with itself included (those two left out here).

    Returns (starts, ordered): row r's candidates are ``ordered[starts[r]:starts[r + 1]]``, those
    sharing the most bands first (ties in the order listed). Such a pair is the likeliest to verify,
    and once a row joins a group, a caller skips its other candidates in that group. Counting sorts
    throughout: on a 100k run's story candidates (42M pairs), this and their verification took 1.8
    s, where sorting all the pairs to drop the repeats took 1.9 s and their verification 1.4 s."""
    starts = np.zeros(n_rows + 1, dtype=np.int64)  # the pairs by row
    for k in range(len(rows)):
        starts[rows[k] + 1] += 1
    longest = 0
    for r in range(n_rows):
        longest = max(longest, starts[r + 1])
        starts[r + 1] += starts[r]
    fill = starts[:-1].copy()
    by_row = np.empty(len(rows), dtype=np.int64)
    for k in range(len(rows)):
        by_row[fill[rows[k]]] = slots[k]
        fill[rows[k]] += 1
    # slot -> the last row that listed it, and the bands that row shares with it (int32: 8 bytes a
    # slot of the index, for the call)
    lister = np.full(base + n_rows, -1, dtype=np.int32)
    shared = np.zeros(base + n_rows, dtype=np.int32)
    distinct = np.empty(longest, dtype=np.int64)
    ordered = np.empty(len(rows), dtype=np.int64)
    out_starts = np.zeros(n_rows + 1, dtype=np.int64)
    n = 0
    for r in range(n_rows):
        me = base + r
        m, most = 0, 0
        for k in range(starts[r], starts[r + 1]):
            s = by_row[k]
            if s == me or removed[s]:
                continue
            if lister[s] != r:
                lister[s] = r
                shared[s] = 0
                distinct[m] = s
                m += 1
            shared[s] += 1
            most = max(most, shared[s])
        place = np.zeros(most + 2, dtype=np.int64)  # by shared bands, most first
        for i in range(m):
            place[most - shared[distinct[i]] + 1] += 1
        for c in range(most + 1):
            place[c + 1] += place[c]
        for i in range(m):
            c = most - shared[distinct[i]]
            ordered[n + place[c]] = distinct[i]
            place[c] += 1
        n += m
        out_starts[r + 1] = n
    return out_starts, ordered[:n]


@compiled
def slot_root(parent, x):  # pragma: no cover - compiled
    """The root of slot ``x`` in ``parent``, a union-find over slots (as ``cleaners.dedup.UnionFind.find``)."""
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:  # path compression
        up = parent[x]
        parent[x] = root
        x = up
    return root


@compiled
def unjoined(slots, rows, starts, stops, blocks, memo, parent, base):  # pragma: no cover - compiled
    """(rows, slots) of the ranges' entries (batch row ``rows[k]``, which is slot ``base + rows[k]``,
    with ``slots[starts[k]:stops[k]]``) that are not in its group in ``parent`` (a union-find over
    slots whose groups only merge): listed here, not as arrays of all the entries first (each copy
    of a story republished 8,000 times has ~100k).

    A block of one band key whose slots were all in one group when first read is noted in ``memo``
    by one of them (groups only merge, so it stays so): the next rows it is shared with take it
    or skip it whole, instead of reading it again (which made a big story's copies quadratic)."""
    out_rows = np.empty(64, dtype=np.int64)
    out_slots = np.empty(64, dtype=np.int64)
    n = 0
    for k in range(len(rows)):
        root = slot_root(parent, base + rows[k])
        if len(memo):
            block = blocks[k]
            if memo[block] == -2:  # not read yet: one group, or -1
                first = slot_root(parent, np.int64(slots[block]))
                memo[block] = slots[block]
                for i in range(block + 1, stops[k]):
                    if slot_root(parent, np.int64(slots[i])) != first:
                        memo[block] = -1
                        break
            if memo[block] >= 0 and slot_root(parent, np.int64(memo[block])) == root:
                continue
        for i in range(starts[k], stops[k]):
            if slot_root(parent, np.int64(slots[i])) == root:
                continue
            if n == len(out_rows):
                out_rows = np.concatenate((out_rows, np.empty(n, dtype=np.int64)))
                out_slots = np.concatenate((out_slots, np.empty(n, dtype=np.int64)))
            out_rows[n] = rows[k]
            out_slots[n] = slots[i]
            n += 1
    return out_rows[:n], out_slots[:n]
