"""Story groups: different articles about the same event, a looser level above duplicate clusters.

Two reports of one event share few word 5-grams (the five seeds: Jaccard < 0.01) but many names: the
people, places and organisations they are about. An article's story features are the capitalized
words that are not the first word of a sentence (names, mostly), lower-cased, without a small list of
capitalized function words, titles, days and months. Articles join one story when the Jaccard of
their features, estimated by datasketch MinHash and found by LSH, is at least ``stories.threshold``;
groups are transitive. On the 181 unrelated pages of the article-extraction benchmark, the 32
page pairs at 0.2 or above are, on reading, the same story (one tour, one court case, one probe
mission) or the same narrow topic; the five seeds' pairwise Jaccard is 0.21-0.41, so they are one
story. A story is named by the smallest id among its kept articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from datasketch import LeanMinHash

from cleaners.banding import BandIndex
from cleaners.config import StoryConfig
from cleaners.dedup import UnionFind, minhashes, shingle_hashes

_NAME = re.compile(r"[A-Z][\w-]*(?:['’][\w-]+)?")  # a capitalized word (Unicode letters included)
_SENTENCE_START = re.compile(r"(?:^|[.!?…:]\s+)[\"'“‘«(\[]*\s*$", re.MULTILINE)
_NOT_NAMES = frozenset("""
a an the of in on at to for and or but nor by with from as into about after before during since until
is was are were be been has have had do does did will would can could should may might must
i we you he she it they me us them my our your his her its their this that these those there here
what who whom which when where why how if then so yet also not no yes all some any each every
mr mrs ms dr prof sir mme mlle m herr frau sr sra
monday tuesday wednesday thursday friday saturday sunday
january february march april june july august september october november december
according however meanwhile but said says new
""".split())


def story_features(text: str) -> list[str]:
    """Sorted distinct name-like words of a cleaned text.

    >>> story_features("Wang Yi met Vladimir Putin in Moscow. He said China's ties are firm.")
    ['china', 'moscow', 'putin', 'vladimir', 'yi']
    """
    found = set()
    for match in _NAME.finditer(text):
        if _SENTENCE_START.search(text, max(0, match.start() - 8), match.start()):
            continue  # a sentence's first word is capitalized whatever it is
        word = re.sub(r"['’]s$", "", match.group().lower())
        if len(word) > 1 and word not in _NOT_NAMES:
            found.add(word)
    return sorted(found)


def story_signatures(texts: list[str], cfg: StoryConfig) -> list[LeanMinHash | None]:
    """A MinHash of each text's story features (None where a text has too few to tell)."""
    features = [story_features(t) for t in texts]
    usable = [i for i, f in enumerate(features) if len(f) >= cfg.min_features]
    found = minhashes([shingle_hashes(" ".join(features[i]), 1) for i in usable], cfg.num_perm, cfg.seed)
    out: list[LeanMinHash | None] = [None] * len(texts)
    for i, mh in zip(usable, found, strict=True):
        out[i] = mh
    return out


@dataclass
class StoryFinder:
    """Groups articles into stories as their signatures arrive (union-find over verified LSH hits).

    The bands are cleaners.banding's compact index (datasketch's bands and rows, the same candidates
    as its MinHashLSH, at about a tenth of the memory per article).
    """

    cfg: StoryConfig
    _groups: UnionFind = field(default_factory=UnionFind)
    _minhashes: dict[str, LeanMinHash] = field(default_factory=dict)  # to verify candidates

    def __post_init__(self) -> None:
        self._bands = BandIndex(self.cfg.threshold, self.cfg.num_perm)

    def add(self, ids: list[str], minhashes: list[LeanMinHash | None]) -> None:
        fresh: list[str] = []
        for aid, mh in zip(ids, minhashes, strict=True):
            if mh is None or aid in self._groups:
                continue
            self._groups.add(aid)
            self._minhashes[aid] = mh
            fresh.append(aid)
        if not fresh:
            return
        for row, other in self._bands.add(fresh, np.stack([self._minhashes[aid].hashvalues for aid in fresh])):
            if self._minhashes[fresh[row]].jaccard(self._minhashes[other]) >= self.cfg.threshold:
                self._groups.union(fresh[row], other)

    def stories(self, excluded: set[str] | frozenset = frozenset()) -> dict[str, str]:
        """Map each article in a story of two or more (``excluded`` ones left out) to the story's name."""
        groups: dict[str, list[str]] = {}
        for aid in self._groups:
            if aid not in excluded:
                groups.setdefault(self._groups.find(aid), []).append(aid)
        return {aid: min(members) for members in groups.values() if len(members) > 1 for aid in members}
