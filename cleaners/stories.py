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

import numpy as np
from datasketch import LeanMinHash

from cleaners.banding import BandIndex, candidates_by_row, sorted_unique
from cleaners.compiled import compiled
from cleaners.config import StoryConfig
from cleaners.dedup import UnionFind, many_shingle_hashes, minhashes
from cleaners.text import Memo, code_point_tables, code_points

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
    codes = code_points(text)
    is_word = code_point_tables()[1]
    if not len(codes) or codes.max() >= len(is_word):  # beyond the table: the pattern, match by match
        return _story_features_by_pattern(text)
    spans = np.empty((len(codes) // 2 + 1, 3), dtype=np.int64)  # names are at least a character apart
    count = _name_spans(codes, is_word, spans)
    names = spans[:count].tolist()
    feature_of = _FEATURE_OF.__getitem__
    # Names with no line break or sentence end in the 8 characters before them (most) are no
    # sentence's first word: their features are taken at once; the others are asked one by one.
    found = {feature_of(text[a:b]) for a, b, near in names if not near}
    for a, b, near in names:
        if near:
            word = feature_of(text[a:b])
            if word not in found and not _SENTENCE_START.search(text, max(0, a - 8), a):
                found.add(word)
    found.discard("")
    return sorted(found)


def _story_features_by_pattern(text: str) -> list[str]:
    """``story_features`` with the patterns alone (the reference the compiled scan is tested against)."""
    found = set()
    for match in _NAME.finditer(text):
        word = _FEATURE_OF[match.group()]
        if not word or word in found:
            continue
        # A sentence's first word is capitalized whatever it is. The pattern can only match where
        # its window holds the string's start, a line break or a sentence's end (most names: none).
        start = match.start()
        if (start <= 8 or not _WINDOW_MARKS.isdisjoint(text[start - 8:start])) \
                and _SENTENCE_START.search(text, max(0, start - 8), start):
            continue
        found.add(word)
    return sorted(found)


@compiled
def _name_spans(codes, is_word, spans):  # pragma: no cover - compiled; tested against the patterns
    """``_NAME``'s matches in ``codes`` (all in ``is_word``'s table, \\w of the BMP) as rows of
    ``spans``: (start, end, whether the text's start or a ``_WINDOW_MARKS`` character is within the
    8 characters before); returns how many."""
    count = 0
    last_mark = 0  # the text's start: a name at 8 or before is near it
    i = 0
    n = len(codes)
    while i < n:
        code = codes[i]
        if 0x41 <= code <= 0x5A:  # [A-Z]
            end = _past_name_characters(codes, i + 1, is_word)  # [\w-]*
            apostrophe = end < n and (codes[end] == 0x27 or codes[end] == 0x2019)
            if apostrophe and end + 1 < n and _name_character(codes[end + 1], is_word):  # (?:['’][\w-]+)?
                end = _past_name_characters(codes, end + 2, is_word)
            spans[count, 0], spans[count, 1], spans[count, 2] = i, end, i - last_mark <= 8
            count += 1
            i = end
            continue
        if code == 0x0A or code == 0x2E or code == 0x21 or code == 0x3F or code == 0x2026 or code == 0x3A:
            last_mark = i
        i += 1
    return count


@compiled
def _name_character(code, is_word):  # pragma: no cover - compiled
    """[\\w-]"""
    return code == 0x2D or is_word[code]


@compiled
def _past_name_characters(codes, i, is_word):  # pragma: no cover - compiled
    """Where the run of [\\w-] from ``i`` ends."""
    while i < len(codes) and _name_character(codes[i], is_word):
        i += 1
    return i


def _feature_of(name: str) -> str:
    """A capitalized word as a feature: lower case, without a possessive; "" for one that is none."""
    word = name.lower()
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    return "" if len(word) < 2 or word in _NOT_NAMES else word


# Names recur across articles: each written form is lower-cased and looked up once (a fifth of
# story_features' time); at most 100k forms are kept.
_FEATURE_OF = Memo(_feature_of, limit=100_000)

_WINDOW_MARKS = frozenset("\n.!?…:")  # a line break or a sentence's end


def story_signatures(texts: list[str], cfg: StoryConfig) -> list[LeanMinHash | None]:
    """A MinHash of each text's story features (None where a text has too few to tell)."""
    features = [story_features(t) for t in texts]
    usable = [i for i, f in enumerate(features) if len(f) >= cfg.min_features]
    found = minhashes(many_shingle_hashes([" ".join(features[i]) for i in usable], 1), cfg.num_perm, cfg.seed)
    out: list[LeanMinHash | None] = [None] * len(texts)
    for i, mh in zip(usable, found, strict=True):
        out[i] = mh
    return out


def _least_agreeing(threshold: float, num_perm: int) -> int:
    """The fewest equal hash values for which datasketch's estimate (equal / num_perm) reaches
    ``threshold``, computed as it computes it."""
    return next((same for same in range(num_perm + 1) if np.float64(same) / np.float64(num_perm) >= threshold),
                num_perm + 1)


@compiled
def _agree(x, y, need):  # pragma: no cover - compiled; tested against numpy's count
    """Whether x and y agree in at least ``need`` places: stops once the answer is known (most
    candidates of a big story agree early)."""
    width = len(x)
    same = 0
    for j in range(width):
        if x[j] == y[j]:
            same += 1
            if same >= need:
                return True
        elif same + width - j - 1 < need:
            return False
    return False


_JOINED_KEPT = 8  # groups a row is known to join, remembered to skip its other pairs into them


@compiled
def _joining_pairs(values, group, starts, ordered, base, need):  # pragma: no cover - compiled
    """The candidate pairs that join groups, as (a, b) slot arrays: those whose hash values agree in
    at least ``need`` places (``_agree``). Row r of the batch (slot ``base + r``) has the candidates
    ``ordered[starts[r]:starts[r + 1]]`` (``banding.candidates_by_row``: most shared bands first);
    once it joins a group (``group[b]`` as the call began), its other candidates in that group are
    not compared, since the edge would merge nothing more. The groups are those of comparing all.
    On a 100k corpus, 96% of the candidate pairs fail the comparison (which then reads nearly all
    the hash values)."""
    joined = np.empty(_JOINED_KEPT, dtype=group.dtype)
    out_a = np.empty(64, dtype=np.int64)
    out_b = np.empty(64, dtype=np.int64)
    n = 0
    for r in range(len(starts) - 1):
        me = base + r
        known = 0
        for i in range(starts[r], starts[r + 1]):
            s = ordered[i]
            target = group[s]
            seen = False
            for j in range(known):
                if joined[j] == target:
                    seen = True
                    break
            if seen or not _agree(values[me], values[s], need):
                continue
            if n == len(out_a):
                out_a = np.concatenate((out_a, np.empty(n, dtype=np.int64)))
                out_b = np.concatenate((out_b, np.empty(n, dtype=np.int64)))
            out_a[n], out_b[n] = me, s
            n += 1
            if known < _JOINED_KEPT:
                joined[known] = target
                known += 1
    return out_a[:n], out_b[:n]


class StoryFinder:
    """Groups articles into stories as their signatures arrive: connected components of the LSH
    candidate pairs whose estimated Jaccard reaches the threshold.

    Held column-wise, without an object per article: the bands in cleaners.banding's compact index
    (datasketch's bands and rows, the same candidates as its MinHashLSH), the hash values in one
    growing matrix, and each article's group as a number. A big story makes every new article a
    candidate of all its earlier ones, so candidates are verified and merged as arrays.
    """

    # A big story shares each band with hundreds of earlier articles. The first of them in each band
    # are compared first; the rest only where they belong to a group the new article has not
    # joined through those (the same groups as comparing all, at a fraction of the work).
    _PER_BAND = 16

    def __init__(self, cfg: StoryConfig):
        self.cfg = cfg
        self._bands = BandIndex(cfg.threshold, cfg.num_perm)
        self._values = np.zeros((1024, cfg.num_perm), dtype=np.uint32)  # slot -> hash values
        self._group = np.zeros(1024, dtype=np.int64)  # slot -> its group's smallest slot
        self._need = _least_agreeing(cfg.threshold, cfg.num_perm)  # equal hash values a pair needs

    def add(self, ids: list[str], minhashes: list[LeanMinHash | None]) -> None:
        fresh, values, seen = [], [], set()
        for aid, mh in zip(ids, minhashes, strict=True):
            if mh is not None and aid not in self._bands and aid not in seen:
                seen.add(aid)
                fresh.append(aid)
                values.append(mh.hashvalues)
        if not fresh:
            return
        base, stacked = len(self._bands.ids), np.stack(values).astype(np.uint32)
        size = base + len(fresh)
        self._grow(size)
        self._values[base:size] = stacked
        self._group[base:size] = np.arange(base, size)
        rows, slots, rest = self._bands.add_slots_split(fresh, stacked, per_band=self._PER_BAND, distinct=False)
        near = self._joining(rows, slots, base, len(fresh))
        if len(near[0]):
            self._merge(near[0], near[1], size)
        if rest:
            # The rest of a big story's members: only those outside the group each row has joined
            # through the first ones (another edge into it would change nothing). ``_group`` names
            # each slot's group by a slot of it, so it is a union-find's parent array as it stands.
            more = self._joining(*self._bands.unjoined_pairs(rest, self._group, base), base, len(fresh))
            if len(more[0]):
                self._merge(more[0], more[1], size)

    def _joining(self, rows: np.ndarray, slots: np.ndarray, base: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        """``_joining_pairs`` of the batch's candidates (batch row, earlier slot), its ``count`` rows
        being slots ``base`` on."""
        starts, ordered = candidates_by_row(rows, slots, base, count, self._bands.removed)
        return _joining_pairs(self._values, self._group, starts, ordered, base, self._need)

    def _merge(self, a: np.ndarray, b: np.ndarray, size: int) -> None:
        """Join the groups of each pair (a[i], b[i]); every slot then names its group's smallest slot."""
        ga, gb = self._group[a], self._group[b]
        differ = ga != gb
        pairs = sorted_unique(np.minimum(ga, gb)[differ] << 32 | np.maximum(ga, gb)[differ])
        if not len(pairs):
            return
        groups = UnionFind()  # over the few distinct group pairs, not the articles
        for low, high in zip((pairs >> 32).tolist(), (pairs & 0xFFFFFFFF).tolist(), strict=True):
            groups.add(low)
            groups.add(high)
            groups.union(low, high)
        renamed = np.arange(size, dtype=np.int64)
        for g in groups:
            renamed[g] = groups.find(g)
        self._group[:size] = renamed[self._group[:size]]

    def _grow(self, size: int) -> None:
        if size > len(self._group):
            capacity = max(size, 2 * len(self._group))
            values = np.zeros((capacity, self.cfg.num_perm), dtype=np.uint32)
            values[:len(self._values)] = self._values
            group = np.zeros(capacity, dtype=np.int64)
            group[:len(self._group)] = self._group
            self._values, self._group = values, group

    def stories(self, excluded: set[str] | frozenset = frozenset()) -> dict[str, str]:
        """Map each article in a story of two or more (``excluded`` ones left out) to the story's name."""
        ids = self._bands.ids
        groups: dict[int, list[str]] = {}
        for aid, group in zip(ids, self._group[:len(ids)].tolist(), strict=True):
            if aid not in excluded:
                groups.setdefault(group, []).append(aid)
        names: dict[str, str] = {}
        for members in groups.values():
            if len(members) > 1:
                name = min(members)  # once a story: per member, a story of n took n * n steps (141 s at 100k)
                names.update(dict.fromkeys(members, name))
        return names
