"""Near-duplicate detection: exact copies by hash, near copies by MinHash + LSH, grouped in clusters.

Runs on cleaned text, so outlet boilerplate does not hide a copy. Signatures are computed in batch
(shingles hashed once per document with numpy, then datasketch's affine permutations applied to a
whole batch at once: the same values as ``MinHash.bulk``) and banded as datasketch's ``MinHashLSH``
would band them, in a compact numpy index (``cleaners.banding``). Every LSH candidate is verified by
its estimated Jaccard before two articles are joined, and joins are transitive (union-find). One
canonical article per cluster is kept: the longest cleaned body, then the earliest ``published``,
then the smallest id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice, pairwise
from typing import ClassVar

import numpy as np
from datasketch import LeanMinHash, MinHash

from cleaners.banding import BandIndex, candidates_by_row, slot_root
from cleaners.compiled import compiled
from cleaners.config import DedupConfig
from cleaners.text import code_points, comparable, digit_and_space_tables


@dataclass(slots=True)
class Signature:
    """What dedup needs of one kept article; the text itself is not held."""

    id: str
    words: int
    published: str | None
    exact: str  # hash of the normalized text
    figures: str  # its distinct numbers, in order (see ``same_figures``)
    minhash: LeanMinHash
    # The story signature (cleaners.stories), made with the dedup one (``clean_batch``, on the
    # workers); kept in the cache, not in the index. None: too few features.
    story: LeanMinHash | None = None

    def to_row(self) -> tuple[str, int, str | None, str, str, int, str, bytes]:
        m = self.minhash
        return (self.id, self.words, self.published, self.exact, self.figures, int(m.seed), m.scheme,
                m.hashvalues.tobytes())

    # Pickled (from Dask workers to the flow, two sketches an article) as raw bytes: datasketch
    # packs and unpacks a LeanMinHash one Python int per hash value (~60% of a result's unpickling).
    def __getstate__(self) -> tuple:
        return (self.id, self.words, self.published, self.exact, self.figures, pack_sketch(self.minhash),
                pack_sketch(self.story))

    def __setstate__(self, state: tuple) -> None:
        self.id, self.words, self.published, self.exact, self.figures, minhash, story = state
        self.minhash, self.story = unpack_sketch(minhash), unpack_sketch(story)

    @classmethod
    def from_row(cls, row: tuple) -> Signature:
        aid, words, published, exact, figures, seed, scheme, blob = row
        return cls(aid, words, published, exact, figures,
                   LeanMinHash(seed=seed, hashvalues=np.frombuffer(blob, dtype=np.uint32), scheme=scheme))


def pack_sketch(sketch: LeanMinHash | None) -> tuple | None:
    if sketch is None:
        return None
    return int(sketch.seed), sketch.scheme, sketch.hashvalues.dtype.str, sketch.hashvalues.tobytes()


def unpack_sketch(packed: tuple | None) -> LeanMinHash | None:
    """The LeanMinHash ``pack_sketch`` took apart, its slots set directly: the values came from one,
    so datasketch's checks on new values (range, dtype) have nothing to find."""
    if packed is None:
        return None
    seed, scheme, dtype, blob = packed
    sketch = LeanMinHash.__new__(LeanMinHash)
    sketch.seed, sketch.scheme, sketch.hashvalues = seed, scheme, np.frombuffer(blob, dtype=dtype)
    return sketch


@dataclass(slots=True)
class Verdict:
    duplicate_of: str
    similarity: float


def shingles(text: str, size: int) -> list[bytes]:
    """Word ``size``-grams of the normalized text, as bytes (for explanations and exact Jaccard).

    >>> shingles("One two, three four!", 3)
    [b'one two three', b'two three four']
    """
    tokens = comparable(text).split()
    if len(tokens) <= size:
        return [" ".join(tokens).encode()]
    return [" ".join(tokens[i:i + size]).encode() for i in range(len(tokens) - size + 1)]


# Shingle hashing, done once per document and fully vectorized (no Python work per token). Each
# token of the normalized text gets a polynomial hash of its UTF-8 bytes mod 2**64, computed for all
# tokens at once from one prefix sum (the multiplier is odd, so invertible mod 2**64), then mixed with
# the 64-bit MurmurHash3 finalizer. Each window of ``size`` tokens is combined as a polynomial mod
# 2**64 and folded to 32 bits; datasketch's permutations then apply to these ints (hashfunc=identity).
# ``shingle_hashes_reference`` computes the same values one shingle at a time in plain Python.
HASHING_VERSION = 3  # stored with indexes: signatures from other hashing are incomparable
_BYTE_MULTIPLIER = 0x9E3779B97F4A7C15  # odd; 2**64 / golden ratio
_MULTIPLIER = 0x100000001B3  # FNV-64 prime: an odd multiplier that combines token hashes
_MASK64 = (1 << 64) - 1
_FMIX64 = ((33, 0xFF51AFD7ED558CCD), (33, 0xC4CEB9FE1A85EC53), (33, None))


class _Powers:
    """B**i and B**-i mod 2**64 for i < n, grown on demand (an article's length in bytes)."""

    def __init__(self) -> None:
        self.up = self.down = np.ones(0, dtype=np.uint64)

    def upto(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.up) < n:
            size = max(n, 2 * len(self.up), 1 << 16)
            with np.errstate(over="ignore"):
                self.up = np.concatenate([np.ones(1, dtype=np.uint64),
                                          np.cumprod(np.full(size - 1, _BYTE_MULTIPLIER, dtype=np.uint64))])
                inverse = pow(_BYTE_MULTIPLIER, -1, 1 << 64)
                self.down = np.concatenate([np.ones(1, dtype=np.uint64),
                                            np.cumprod(np.full(size - 1, inverse, dtype=np.uint64))])
        return self.up, self.down


_POWERS = _Powers()


def _fmix64(h: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        for shift, multiplier in _FMIX64:
            h = h ^ (h >> np.uint64(shift))
            if multiplier:
                h = h * np.uint64(multiplier)
    return h


def _token_hashes(normalized: str) -> np.ndarray:
    data = np.frombuffer(normalized.encode(), dtype=np.uint8)
    if not len(data):
        return np.zeros(0, dtype=np.uint64)
    up, down = _POWERS.upto(len(data))
    spaces = np.flatnonzero(data == 32)
    starts = np.concatenate([[0], spaces + 1])
    ends = np.concatenate([spaces, [len(data)]])
    with np.errstate(over="ignore"):
        prefix = np.concatenate([np.zeros(1, dtype=np.uint64),
                                 np.cumsum(data.astype(np.uint64) * down[:len(data)], dtype=np.uint64)])
        return _fmix64((prefix[ends] - prefix[starts]) * up[ends - 1])  # sum of byte * B**(end-1-j)


@lru_cache(maxsize=8)
def _powers(size: int) -> np.ndarray:
    powers = np.array([pow(_MULTIPLIER, size - 1 - j, 1 << 64) for j in range(size)], dtype=np.uint64)
    powers.setflags(write=False)  # cached and shared
    return powers


def shingle_hashes(normalized: str, size: int) -> np.ndarray:
    """32-bit hashes of the word ``size``-grams of a normalized text (``comparable``); repeats kept,
    as they do not change a minimum."""
    ids = _token_hashes(normalized)
    if len(ids) <= size:
        ids = np.concatenate([np.zeros(size - len(ids), dtype=np.uint64), ids])
    return _window_hashes(ids, size)


def _window_hashes(ids: np.ndarray, size: int) -> np.ndarray:
    """The folded hash of each window of ``size`` token hashes."""
    count = len(ids) - size + 1
    powers = _powers(size)
    with np.errstate(over="ignore"):  # sum of ids[i + j] * P**(size-1-j), wrapping mod 2**64
        combined = ids[:count] * powers[0]
        for j in range(1, size):
            combined += ids[j:j + count] * powers[j]
    return (combined ^ (combined >> np.uint64(32))) & np.uint64(0xFFFFFFFF)


# ``many_shingle_hashes`` hashes documents in groups of about this many bytes: one numpy pass over a
# group instead of ~20 small operations per document (each ~1.5 us of call overhead), while the
# group's arrays (8 bytes a byte of text) stay small enough for the cache.
_GROUP_BYTES = 1 << 17


def many_shingle_hashes(normalized: list[str], size: int) -> list[np.ndarray]:
    """``shingle_hashes`` of each text, the same values, computed a group of texts at a time: the
    texts of a group joined by single spaces have the same tokens, in order, so each text's
    shingles are the windows of the joined tokens that lie within it (25k articles: 48 -> 22 us
    an article). Texts of ``size`` tokens or fewer, which ``shingle_hashes`` pads, go one by one."""
    out: list[np.ndarray | None] = [None] * len(normalized)
    group: list[tuple[int, int]] = []  # (text, its tokens)
    group_bytes = 0
    for i, text in enumerate(normalized):
        tokens = text.count(" ") + 1
        if tokens <= size:  # ``size`` tokens or fewer (an empty text counts one)
            out[i] = shingle_hashes(text, size)
            continue
        group.append((i, tokens))
        group_bytes += len(text)
        if group_bytes >= _GROUP_BYTES:
            _hash_group(normalized, group, size, out)
            group, group_bytes = [], 0
    if group:
        _hash_group(normalized, group, size, out)
    return out  # type: ignore[return-value]


def _hash_group(normalized: list[str], group: list[tuple[int, int]], size: int, out: list) -> None:
    folded = _window_hashes(_token_hashes(" ".join(normalized[i] for i, _ in group)), size)
    start = 0
    for i, tokens in group:
        out[i] = folded[start:start + tokens - size + 1]
        start += tokens


def _token_hash_reference(token: str) -> int:
    h = 0
    for byte in token.encode():
        h = (h * _BYTE_MULTIPLIER + byte) & _MASK64
    for shift, multiplier in _FMIX64:
        h ^= h >> shift
        if multiplier:
            h = (h * multiplier) & _MASK64
    return h


def shingle_hashes_reference(normalized: str, size: int) -> set[int]:
    """The same hashes as ``shingle_hashes``, one token and one shingle at a time in plain Python."""
    ids = [_token_hash_reference(t) for t in normalized.split()]
    ids = [0] * (size - len(ids)) + ids if len(ids) <= size else ids
    out = set()
    for i in range(len(ids) - size + 1):
        combined = sum(ids[i + j] * pow(_MULTIPLIER, size - 1 - j, 1 << 64) for j in range(size)) & _MASK64
        out.add((combined ^ (combined >> 32)) & 0xFFFFFFFF)
    return out


def _identity(value: int) -> int:
    return value


# datasketch's default "affine32" scheme: pre-mix each 32-bit hash with the MurmurHash3 finalizer,
# then permute as (a*h + b) mod 2**32 and keep the column minimum. Applying it to many documents in
# one numpy operation gives the same hashvalues as MinHash.bulk (tested), several times faster.
_FMIX32 = ((16, 0x85EBCA6B), (13, 0xC2B2AE35), (16, None))
_CHUNK_SHINGLES = 1 << 13  # 8k shingles x 128 permutations x 4 bytes = 4 MB per step: stays in cache


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[str, np.ndarray, np.ndarray]:
    template = MinHash(num_perm=num_perm, seed=seed, hashfunc=_identity)
    a, b = template.permutations
    return template.scheme, a, b


def _fmix32(hv: np.ndarray) -> np.ndarray:
    for shift, multiplier in _FMIX32:
        hv = hv ^ (hv >> np.uint32(shift))
        if multiplier:
            hv = hv * np.uint32(multiplier)
    return hv


def _batch_hashvalues(hashes: list[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """(documents x num_perm) MinHash values, computed a chunk of documents at a time."""
    _, a, b = _permutations(num_perm, seed)
    out = np.empty((len(hashes), num_perm), dtype=np.uint32)
    longest = max((len(h) for h in hashes), default=0)
    buffer = np.empty((num_perm, max(_CHUNK_SHINGLES, longest)), dtype=np.uint32)
    start = 0
    while start < len(hashes):
        stop, total = start, 0
        while stop < len(hashes) and (stop == start or total + len(hashes[stop]) <= _CHUNK_SHINGLES):
            total += len(hashes[stop])
            stop += 1
        hv = _fmix32(np.concatenate(hashes[start:stop]).astype(np.uint32))
        permuted = buffer[:, :len(hv)]
        with np.errstate(over="ignore"):  # permutations x shingles, wrapping mod 2**32, in place
            np.multiply(a[:, None], hv[None, :], out=permuted)
            permuted += b[:, None]
        offsets = np.cumsum([0] + [len(h) for h in hashes[start:stop - 1]])
        out[start:stop] = np.minimum.reduceat(permuted, offsets, axis=1).T  # rows are contiguous: fast
        start = stop
    return out


def minhashes(hashed: list[np.ndarray], num_perm: int, seed: int, fast: bool = True) -> list[LeanMinHash]:
    """MinHashes of documents given as arrays of 32-bit shingle hashes, computed in one batch.

    ``fast=False`` is the reference: datasketch's MinHash.bulk, one document at a time.
    """
    scheme = _permutations(num_perm, seed)[0]
    if fast and scheme == "affine32":
        values = _batch_hashvalues(hashed, num_perm, seed)
        return [LeanMinHash(seed=seed, hashvalues=row, scheme=scheme) for row in values]
    bulk = MinHash.bulk([h.tolist() for h in hashed], num_perm=num_perm, seed=seed, hashfunc=_identity)
    return [LeanMinHash(m) for m in bulk]


def signatures(articles: list[tuple[str, str, str | None]], cfg: DedupConfig, fast: bool = True) -> list[Signature]:
    """Signatures for (id, text, published) triples, hashed in one batch (``fast``: see ``minhashes``)."""
    if not articles:
        return []
    normalized = [comparable(text) for _, text, _ in articles]
    hashed = many_shingle_hashes(normalized, cfg.shingle_size)
    out = []
    for (aid, _, published), norm, mh in zip(articles, normalized, minhashes(hashed, cfg.num_perm, cfg.seed, fast),
                                            strict=True):
        exact = hashlib.blake2b(norm.encode(), digest_size=16).hexdigest()
        out.append(Signature(aid, norm.count(" ") + 1 if norm else 0, published, exact, figures(norm), mh))
    return out


NUMBER = re.compile(r"\d\S*")  # from a token's first digit on: fast, and enough to tell figures apart
# NUMBER for ASCII text, where \d is [0-9] and \S all but these six and \x1c-\x1f: re tests a
# listed range faster than a Unicode category (32 -> 20 us over a 4.6 KB text; 8 in 10 are ASCII).
ASCII_NUMBER = re.compile(r"[0-9][^ \t\n\r\x0b\x0c\x1c-\x1f]*")
MAX_FIGURES = 32
MIN_FIGURES = 3
MIN_FIGURES_KEPT = 0.75


def figures(normalized: str) -> str:
    """The distinct numbers of a normalized text, in order of first appearance (at most 32).

    >>> figures("revenue of 925 million on thursday down 13 from 2022 and 13 again")
    '925 13 2022'
    """
    numbers = _numbers_by_code_points(normalized)
    if numbers is None:
        numbers = (ASCII_NUMBER if normalized.isascii() else NUMBER).findall(normalized)
    return " ".join(list(dict.fromkeys(numbers))[:MAX_FIGURES])


def _numbers_by_code_points(text: str) -> list[str] | None:
    """``NUMBER.findall(text)`` by a compiled scan of its code points (27 -> 11 us an article: the
    regex tests each character against a Unicode category, three in five texts being beyond
    ASCII); None for a text beyond the Basic Multilingual Plane, left to the regex."""
    codes = code_points(text)
    spans = np.empty(len(codes) + 1, dtype=np.int64)  # starts and ends: a number and a space at least
    count = _number_spans(codes, *digit_and_space_tables(), spans)
    if count < 0:
        return None
    bounds = spans[:count].tolist()
    return [text[bounds[k]:bounds[k + 1]] for k in range(0, count, 2)]


@compiled
def _number_spans(codes, is_digit, is_space, spans):  # pragma: no cover - compiled; tested against the regex
    """The matches of ``\\d\\S*``, left to right, as start and end in turn in ``spans``; returns
    how many entries it wrote, or -1 at a code point beyond the tables."""
    count = 0
    i = 0
    n = len(codes)
    while i < n:
        code = codes[i]
        if code >= len(is_digit):
            return -1
        if is_digit[code]:
            j = i + 1
            while j < n:
                if codes[j] >= len(is_space):
                    return -1
                if is_space[codes[j]]:
                    break
                j += 1
            spans[count] = i
            spans[count + 1] = j
            count += 2
            i = j
        else:
            i += 1
    return count


def same_figures(a: str, b: str) -> bool:
    """False when two texts disagree on more than a quarter of their figures: a template filled
    with new numbers (an earnings brief, a score line, a weather report) is a different report, not
    a copy, even when most of its words are the same. A copy keeps its figures, even trimmed (then
    they are a subset), so the overlap is taken over the smaller set; small numbers recur by chance,
    hence the quarter; texts with fewer than three figures are not judged by them.

    >>> same_figures("925 13 12 48 2022", "925 13 12"), same_figures("925 13 12 48", "339 15 21 65")
    (True, False)
    """
    x, y = set(a.split()), set(b.split())
    smaller = min(len(x), len(y))
    return smaller < MIN_FIGURES or len(x & y) >= MIN_FIGURES_KEPT * smaller


def _values(sigs: list[Signature]) -> np.ndarray:
    if not sigs:
        return np.empty((0, 0), dtype=np.uint32)
    return np.stack([sig.minhash.hashvalues for sig in sigs])


def _canonical_key(sig: Signature, indexed_before: set[str]) -> tuple:
    # Kept by an earlier run first (it was already published as the canonical); then the longest
    # body; then earliest publication (unknown dates last); then id, for a total order.
    return (sig.id not in indexed_before, -sig.words, sig.published is None, sig.published or "", sig.id)


class UnionFind:
    """Transitive groups of ids (duplicate clusters, stories); a group's root is its smallest id."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def __contains__(self, x: str) -> bool:
        return x in self._parent

    def __iter__(self):
        return iter(self._parent)

    def add(self, x: str) -> None:
        self._parent.setdefault(x, x)

    def find(self, x: str) -> str:
        root = x
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[x] != root:  # path compression
            self._parent[x], x = root, self._parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)


@compiled
def _union_slots(parent, a, b):  # pragma: no cover - compiled
    """``UnionFind.union`` of slots a[k] and b[k], for each k, in ``parent``."""
    for k in range(len(a)):
        ra, rb = slot_root(parent, a[k]), slot_root(parent, b[k])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)


@dataclass
class DuplicateFinder:
    """Accumulates signatures batch by batch; ``verdicts()`` gives each duplicate its canonical.

    ``preload`` adds the articles kept by earlier runs (the persistent index): new articles are
    matched against them too, but they are reported only if they come again in this run.
    """

    cfg: DedupConfig
    _groups: UnionFind = field(default_factory=lambda: UnionFind())
    _sigs: dict[str, Signature] = field(default_factory=dict)
    _exact: dict[str, str] = field(default_factory=dict)
    _indexed_before: set[str] = field(default_factory=set)
    _not_seen: set[str] = field(default_factory=set)  # indexed before and not (yet) in this run
    # A shared index queried in place of ``preload`` (RedisSignatureIndex): ``get`` and ``query``.
    remote: object | None = None
    _superseded: set[str] = field(default_factory=set)  # indexed before, edited in this run
    # A copy of a story republished thousands of times shares its bands with every earlier copy.
    # Only the first ``_PER_BAND`` earlier articles of each shared band are listed and compared;
    # the rest are read in compiled code, and only those outside the new article's group by then
    # are compared (the same groups as comparing all: 8,000 copies took 78-83 s listing them all).
    _PER_BAND: ClassVar[int] = 16

    def __post_init__(self) -> None:
        self._bands = BandIndex(self.cfg.threshold, self.cfg.num_perm)
        # Slot -> parent: the groups again, over band-index slots, for the compiled reading above.
        # Only pairs joined in ``_groups`` are joined here, so slots it puts together are together.
        self._slot_parent = np.arange(1024, dtype=np.int64)

    def preload(self, sigs: Iterable[Signature], batch: int = 4096) -> int:
        count = 0
        remaining = iter(sigs)
        while chunk := list(islice(remaining, batch)):
            for sig in chunk:
                self._adopt(sig)
            self._bands.add([s.id for s in chunk], _values(chunk), query=False)  # kept apart before: stay so
            self._grow_slots()
            count += len(chunk)
        return count

    def _adopt(self, sig: Signature) -> None:
        """Know an article kept by an earlier run."""
        self._sigs[sig.id] = self._sigs.get(sig.id, sig)
        self._groups.add(sig.id)
        self._exact.setdefault(sig.exact, sig.id)
        self._indexed_before.add(sig.id)
        self._not_seen.add(sig.id)

    def _join_if_similar(self, sig: Signature, other: str) -> bool:
        """Join ``sig``'s group to ``other``'s where they are near-duplicates; True if they were."""
        known = self._sigs[other]
        if other != sig.id and sig.minhash.jaccard(known.minhash) >= self.cfg.threshold \
                and same_figures(sig.figures, known.figures):
            self._groups.union(other, sig.id)
            return True
        return False

    def _grow_slots(self) -> None:
        size, parent = len(self._bands.ids), self._slot_parent
        if size > len(parent):
            grown = np.arange(max(size, 2 * len(parent)), dtype=np.int64)
            grown[:len(parent)] = parent
            self._slot_parent = grown

    def _join_candidates(self, fresh: list[Signature], rows: np.ndarray, slots: np.ndarray, base: int) -> None:
        """Verify each new article's LSH candidates (``rows``: its place in ``fresh``, and slot
        ``base + row``; ``slots``: the earlier articles' band slots, as the band index lists them
        with ``distinct=False``), skipping those already in its group.

        A wire story republished thousands of times with small edits makes each new copy a candidate
        of every earlier one: comparing them one by one in Python was quadratic (8,000 copies: 245 s
        in this step). Candidates are labelled with their group as the batch begins (groups only
        merge, so a label's members stay together); once the article is in one of them, that whole
        label is dropped in one array operation. Each article's candidates come most shared bands
        first (``candidates_by_row``), the likeliest to verify. A skipped pair is already connected,
        so the groups, and the verdicts made of them, are those of comparing every pair.
        """
        if not len(rows):
            return
        starts, ordered = candidates_by_row(rows, slots, base, len(fresh), self._bands.removed)
        if not len(ordered):
            return
        ids, find = self._bands.ids, self._groups.find
        distinct, at = np.unique(ordered, return_inverse=True)
        code: dict[str, int] = {}
        labels = np.array([code.setdefault(find(ids[s]), len(code)) for s in distinct.tolist()])[at]
        joined: list[tuple[int, int]] = []
        for row, (start, stop) in enumerate(pairwise(starts.tolist())):
            if start == stop:
                continue
            sig, cand, label = fresh[row], ordered[start:stop], labels[start:stop]
            while len(cand):
                other = ids[cand[0]]
                if find(other) == find(sig.id) or self._join_if_similar(sig, other):
                    joined.append((base + row, int(cand[0])))
                    keep = label != label[0]  # the rest of its group: connected to ``sig`` now
                    cand, label = cand[keep], label[keep]
                else:
                    cand, label = cand[1:], label[1:]
        if joined:
            pairs = np.array(joined, dtype=np.int64)
            _union_slots(self._slot_parent, pairs[:, 0], pairs[:, 1])

    def add(self, sigs: list[Signature]) -> None:
        if self.remote is not None:  # articles of this batch that earlier runs kept
            for old in self.remote.get(s.id for s in sigs if s.id not in self._sigs).values():
                self._adopt(old)
        fresh = []
        for sig in sigs:
            if sig.id in self._not_seen:  # an article kept by an earlier run comes again
                self._not_seen.discard(sig.id)
                old = self._sigs[sig.id]
                if old.exact == sig.exact:
                    continue  # unchanged: it is in the index already
                if sig.id in self._bands:  # edited since: match it as it is now, not as it was
                    self._bands.remove(sig.id)
                if self._exact.get(old.exact) == sig.id:
                    del self._exact[old.exact]
                self._superseded.add(sig.id)
            self._sigs[sig.id] = sig
            self._groups.add(sig.id)
            first = self._exact.setdefault(sig.exact, sig.id)
            if first != sig.id:
                self._groups.union(first, sig.id)
                continue  # an exact copy adds nothing to the index
            fresh.append(sig)
        # Candidates: earlier articles (this run's and the loaded index's) sharing an LSH band,
        # verified by estimated Jaccard; then the shared remote index, if any.
        base = len(self._bands.ids)
        rows, slots, rest = self._bands.add_slots_split([s.id for s in fresh], _values(fresh),
                                                        per_band=self._PER_BAND, distinct=False)
        self._grow_slots()
        self._join_candidates(fresh, rows, slots, base)
        if rest:
            self._join_candidates(fresh, *self._bands.unjoined_pairs(rest, self._slot_parent, base), base)
        if self.remote is not None:
            for sig in fresh:
                for old in self.remote.query(sig.minhash):
                    if old.id not in self._superseded and old.id != sig.id:
                        if old.id not in self._sigs:
                            self._adopt(old)
                        self._join_if_similar(sig, old.id)

    def verdicts(self) -> dict[str, Verdict]:
        """Map each non-canonical article of this run to its cluster's canonical and their similarity."""
        clusters: dict[str, list[Signature]] = {}
        for aid, sig in self._sigs.items():
            clusters.setdefault(self._groups.find(aid), []).append(sig)
        out: dict[str, Verdict] = {}
        for members in clusters.values():
            if len(members) < 2:
                continue
            canonical = min(members, key=lambda sig: _canonical_key(sig, self._indexed_before))
            for sig in members:
                if sig.id != canonical.id and sig.id not in self._not_seen:
                    same = sig.exact == canonical.exact
                    sim = 1.0 if same else float(sig.minhash.jaccard(canonical.minhash))
                    out[sig.id] = Verdict(canonical.id, round(sim, 4))
        return out

    def kept_this_run(self, verdicts: dict[str, Verdict]) -> list[Signature]:
        """Signatures of this run's canonical articles: what the persistent index should hold."""
        return [sig for aid, sig in self._sigs.items() if aid not in verdicts and aid not in self._not_seen]


def estimated_jaccard(a: str, b: str, cfg: DedupConfig) -> float:
    """MinHash estimate of the shingle Jaccard of two texts (for tests and explanations)."""
    sa, sb = signatures([("a", a, None), ("b", b, None)], cfg)
    return float(sa.minhash.jaccard(sb.minhash))


def exact_jaccard(a: str, b: str, size: int) -> float:
    x, y = set(shingles(a, size)), set(shingles(b, size))
    return len(x & y) / len(x | y) if x | y else 1.0
