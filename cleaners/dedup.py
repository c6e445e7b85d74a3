"""Near-duplicate detection: exact copies by hash, near copies by MinHash + LSH, grouped in clusters.

Runs on cleaned text, so outlet boilerplate does not hide a copy. Signatures are computed in batch
with ``MinHash.bulk`` (shingles hashed once per document, vectorized permutations) and inserted into
``MinHashLSH``; every LSH candidate is verified by its estimated Jaccard before two articles are
joined, and joins are transitive (union-find). One canonical article per cluster is kept: the
longest cleaned body, then the earliest ``published``, then the smallest id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from datasketch import LeanMinHash, MinHash, MinHashLSH

from cleaners.config import DedupConfig
from cleaners.text import comparable


@dataclass(slots=True)
class Signature:
    """What dedup needs of one kept article; the text itself is not held."""

    id: str
    words: int
    published: str | None
    exact: str  # hash of the normalized text
    minhash: LeanMinHash


@dataclass(slots=True)
class Verdict:
    duplicate_of: str
    similarity: float


def shingles(text: str, size: int) -> list[bytes]:
    """Word ``size``-grams of the normalized text, as bytes for hashing.

    >>> shingles("One two, three four!", 3)
    [b'one two three', b'two three four']
    """
    tokens = comparable(text).split()
    if len(tokens) <= size:
        return [" ".join(tokens).encode()]
    return [" ".join(tokens[i:i + size]).encode() for i in range(len(tokens) - size + 1)]


def signatures(articles: list[tuple[str, str, str | None]], cfg: DedupConfig) -> list[Signature]:
    """Signatures for (id, text, published) triples, hashed in one batch."""
    if not articles:
        return []
    shingle_sets = [shingles(text, cfg.shingle_size) for _, text, _ in articles]
    minhashes = MinHash.bulk(shingle_sets, num_perm=cfg.num_perm, seed=cfg.seed)
    out = []
    for (aid, text, published), mh in zip(articles, minhashes, strict=True):
        norm = comparable(text)
        out.append(Signature(aid, len(norm.split()), published,
                             hashlib.blake2b(norm.encode(), digest_size=16).hexdigest(), LeanMinHash(mh)))
    return out


def _canonical_key(sig: Signature) -> tuple:
    # Longest body first; then earliest publication (unknown dates last); then id, for a total order.
    return (-sig.words, sig.published is None, sig.published or "", sig.id)


@dataclass
class DuplicateFinder:
    """Accumulates signatures batch by batch; ``verdicts()`` gives each duplicate its canonical."""

    cfg: DedupConfig
    _parent: dict[str, str] = field(default_factory=dict)
    _sigs: dict[str, Signature] = field(default_factory=dict)
    _exact: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lsh = MinHashLSH(threshold=self.cfg.threshold, num_perm=self.cfg.num_perm)

    def _find(self, x: str) -> str:
        root = x
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[x] != root:  # path compression
            self._parent[x], x = root, self._parent[x]
        return root

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def add(self, sigs: list[Signature]) -> None:
        with self._lsh.insertion_session() as session:
            for sig in sigs:
                self._sigs[sig.id] = sig
                self._parent[sig.id] = sig.id
                first = self._exact.setdefault(sig.exact, sig.id)
                if first != sig.id:
                    self._union(first, sig.id)
                    continue  # an exact copy adds nothing to the index
                for other in self._lsh.query(sig.minhash):
                    if sig.minhash.jaccard(self._sigs[other].minhash) >= self.cfg.threshold:
                        self._union(other, sig.id)
                session.insert(sig.id, sig.minhash)

    def verdicts(self) -> dict[str, Verdict]:
        """Map each non-canonical article id to its cluster's canonical and their similarity."""
        clusters: dict[str, list[Signature]] = {}
        for aid, sig in self._sigs.items():
            clusters.setdefault(self._find(aid), []).append(sig)
        out: dict[str, Verdict] = {}
        for members in clusters.values():
            if len(members) < 2:
                continue
            canonical = min(members, key=_canonical_key)
            for sig in members:
                if sig.id != canonical.id:
                    same = sig.exact == canonical.exact
                    sim = 1.0 if same else float(sig.minhash.jaccard(canonical.minhash))
                    out[sig.id] = Verdict(canonical.id, round(sim, 4))
        return out


def estimated_jaccard(a: str, b: str, cfg: DedupConfig) -> float:
    """MinHash estimate of the shingle Jaccard of two texts (for tests and explanations)."""
    sa, sb = signatures([("a", a, None), ("b", b, None)], cfg)
    return float(sa.minhash.jaccard(sb.minhash))


def exact_jaccard(a: str, b: str, size: int) -> float:
    x, y = set(shingles(a, size)), set(shingles(b, size))
    return len(x & y) / len(x | y) if x | y else 1.0

