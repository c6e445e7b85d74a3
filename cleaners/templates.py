"""Cross-document boilerplate: a line that recurs verbatim across a source's articles, in many of its
different stories, is the site's template ("Comments are closed for this article.", "Follow NBC
Latino on Facebook…"), not news.

A single article cannot tell such a line from news; the corpus can. The flow adds every kept
article's lines as it spools them, and once dedup and stories are known, a line is a template of its
source when it is in at least ``min_stories`` of the source's stories and in at least ``min_share``
of them. Republished copies (one dedup cluster) and different reports on one event (one story)
count once, so wire copy and a statement every outlet quoted stay; so does a paragraph reused in a
few stories of thousands (background text, a quote). Articles without a source count as one source.

Memory: 16 bytes a line (a 64-bit hash and an owner number in numpy arrays), about 0.3 KB an
article, next to the dedup index's ~1.8 KB. The hash is BLAKE2b's, cut to 64 bits (two different
lines colliding is negligible), not Python's own string hash: that one differs between processes,
and the lines are counted in the flow but removed wherever the write pass runs (on Dask, the workers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import blake2b

import numpy as np

from cleaners.document import REMOVED, Edit
from cleaners.text import join_paragraphs, paragraphs

NAME = "boilerplate"
CATEGORY = "template"
_CHUNK = 65536  # lines per numpy block, so that adding stays amortised O(1)


def _has_words(line: str) -> bool:
    return any(ch.isalnum() for ch in line)


def line_hash(line: str) -> int:
    """The same 64-bit number for the same line in every process (see the module's note)."""
    return int.from_bytes(blake2b(line.encode(), digest_size=8).digest(), "little", signed=True)


def line_hashes(text: str) -> np.ndarray:
    """The distinct hashes of a text's lines that have words: what ``TemplateLines`` counts of an
    article. Made where the article was cleaned (on Dask, the workers), and small to send."""
    return np.array(list({line_hash(line) for line in paragraphs(text) if _has_words(line)}), dtype=np.int64)


def _distinct(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of equal-length integer ``columns`` read across, in lexicographic order,
    and how often each occurs: ``np.unique(np.stack(columns), axis=1, return_counts=True)``, by a
    lexsort (np.unique over columns sorts them as structured values, ~4x slower: 0.5 s on 500k)."""
    order = np.lexsort(columns[::-1])
    ordered = [column[order] for column in columns]
    starts = np.ones(len(order), dtype=bool)
    for column in ordered:
        starts[1:] &= column[1:] == column[:-1]
    starts = ~starts
    if len(order):
        starts[0] = True
    at = np.flatnonzero(starts)
    return [column[at] for column in ordered], np.diff(np.append(at, len(order)))


@dataclass(frozen=True)
class TemplateTable:
    """The run's template lines, found by ``TemplateLines.find``: all the removal needs, small
    enough to send to the processes that write the outputs."""

    # (source number, line hash) -> (stories it is in, the source's stories)
    templates: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    source_numbers: dict[str | None, int] = field(default_factory=dict)

    def strip(self, text: str, source: str | None = None) -> tuple[str, list[Edit]]:
        """Remove its source's template lines from one article's text."""
        if not self.templates or source not in self.source_numbers:
            return text, []
        number = self.source_numbers[source]
        kept, edits = [], []
        for line in paragraphs(text):
            found = self.templates.get((number, line_hash(line)))
            if found:
                where = "articles without a source" if source is None else source
                edits.append(Edit(NAME, CATEGORY, REMOVED, line, "",
                                  f"line recurs verbatim in {found[0]} of the {found[1]} stories from {where} "
                                  "(a site template)"))
            else:
                kept.append(line)
        return (join_paragraphs(kept), edits) if edits else (text, [])


class TemplateLines:
    """Counts, for each distinct line, the stories it appears in; then strips the recurring ones."""

    def __init__(self, min_stories: int, min_share: float = 0.0):
        self.min_stories = min_stories
        self.min_share = min_share
        self._ids: list[str] = []
        self._sources: list[int] = []
        self._source_numbers: dict[str | None, int] = {}
        self._hashes: list[np.ndarray] = []
        self._owners: list[np.ndarray] = []
        self._pending_hashes: list[np.ndarray] = []  # an array of each article's, joined per _CHUNK lines
        self._pending_owners: list[int] = []  # how many lines each of those articles has
        self._pending = 0
        self.table = TemplateTable()

    @property
    def enabled(self) -> bool:
        return self.min_stories > 0

    def add(self, article_id: str, text: str, source: str | None = None) -> None:
        """Count one kept article's lines (each distinct line once)."""
        if self.enabled:
            self.add_hashes(article_id, line_hashes(text), source)

    def add_hashes(self, article_id: str, hashes: np.ndarray, source: str | None = None) -> None:
        """Count one kept article's lines, given as ``line_hashes(text)``."""
        if not self.enabled:
            return
        self._ids.append(article_id)
        self._sources.append(self._source_numbers.setdefault(source, len(self._source_numbers)))
        self._pending_hashes.append(hashes)
        self._pending_owners.append(len(hashes))  # owners made per chunk: np.full an article cost ~3 us
        self._pending += len(hashes)
        if self._pending >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._hashes.append(np.concatenate(self._pending_hashes))
            first = len(self._ids) - len(self._pending_owners)  # the owner number of the chunk's first article
            self._owners.append(np.repeat(np.arange(first, len(self._ids), dtype=np.int64), self._pending_owners))
        self._pending_hashes, self._pending_owners, self._pending = [], [], 0

    def find(self, story_of: Callable[[str], str]) -> int:
        """Decide which lines are templates; ``story_of(id)`` names an article's story (its dedup
        cluster when it is in none). Returns how many (source, line) templates there are; ``table``
        holds them."""
        self._flush()
        self.table = TemplateTable()
        if not self.enabled or not self._hashes:
            return 0
        hashes = np.concatenate(self._hashes)
        owners = np.concatenate(self._owners)
        self._hashes, self._owners = [], []
        # Only a line in at least min_stories articles can be in as many stories: most lines are in one.
        _, which, in_articles = np.unique(hashes, return_inverse=True, return_counts=True)
        common = in_articles[which] >= self.min_stories
        hashes, owners = hashes[common], owners[common]
        names: dict[str, int] = {}
        story = np.array([names.setdefault(story_of(aid), len(names)) for aid in self._ids], dtype=np.int64)
        source = np.array(self._sources, dtype=np.int64)
        # How many stories each source has, and in how many of them each (source, line) appears.
        (sources_of_stories, _), _ = _distinct(source, story)
        stories_per_source = np.bincount(sources_of_stories, minlength=len(self._source_numbers))
        (in_sources, in_lines, _), _ = _distinct(source[owners], hashes, story[owners])
        keys, counts = _distinct(in_sources, in_lines)  # over the distinct triples: stories a line is in
        needed = np.maximum(self.min_stories, np.ceil(self.min_share * stories_per_source[keys[0]]))
        recurring = counts >= needed
        templates = {(int(src), int(line)): (int(n), int(stories_per_source[src])) for src, line, n
                     in zip(keys[0][recurring], keys[1][recurring], counts[recurring], strict=True)}
        # Only the sources that have templates: the table goes to every process that writes outputs.
        numbers = {src for src, _ in templates}
        self.table = TemplateTable(templates, {s: n for s, n in self._source_numbers.items() if n in numbers})
        return len(templates)

    def strip(self, text: str, source: str | None = None) -> tuple[str, list[Edit]]:
        """Remove its source's template lines from one article's text (after ``find``)."""
        return self.table.strip(text, source)
