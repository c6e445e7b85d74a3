"""Corpus-level steps the flow orchestrates: clean a batch, account for every input, write outputs.

Pure Python with no Prefect in it, so each step is unit-tested directly and the flow stays thin.
Memory is bounded: cleaned articles are spooled to disk between the cleaning pass and the writing
pass; only dedup signatures (and ids) stay in memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from cleaners.config import Config
from cleaners.dedup import DuplicateFinder, Signature, Verdict, signatures
from cleaners.document import DUPLICATE, KEPT, Article
from cleaners.index import open_index
from cleaners.io import (
    RawRecord,
    atomic_outputs,
    dump_spool_line,
    edit_line,
    json_line,
    load_spool_line,
    parse_record,
    remove_stale_temps,
    temp_prefix,
)
from cleaners.mt_glitches import mt_suspect
from cleaners.quality import check_quality
from cleaners.registry import apply_cleaners
from cleaners.report import RunSummary
from cleaners.stories import StoryFinder, story_signatures
from cleaners.templates import TemplateLines, TemplateTable, line_hashes

OUTPUT_FILES = ("articles.jsonl", "manifest.jsonl", "edits.jsonl", "report.md")
LINE_FILES = OUTPUT_FILES[:3]  # the outputs written article by article
SPOOL = "spool"  # the spool files' temporary name (``temp_prefix``); their parts' names derive from it


def clean_article(raw: RawRecord, config: Config) -> Article:
    """Parse and clean one record; any failure becomes a rejection with its reason."""
    article = parse_record(raw, config.input)
    if article.status != KEPT:
        return article
    try:
        apply_cleaners(article, config)
        article.mt_suspect = mt_suspect(article.edits)
        keep, reason = check_quality(article.text, config.quality)
        accepted = config.language.accept
        if not keep:
            article.reject(reason)
        elif accepted and article.language not in accepted:
            article.reject(f"language: '{article.language}' is not in language.accept {accepted}")
    except Exception as exc:  # noqa: BLE001 - one broken article must not stop the run
        article.reject(f"error: {type(exc).__name__}: {exc}")
    return article


@dataclass(slots=True)
class SpoolEntry:
    """A cleaned article as the ledger takes it: its spool line (the Article as JSON) and the few
    fields the run-wide steps read. Made where the article was cleaned: from a Dask worker it
    pickles as a few strings and an array, so the flow neither unpickles Article objects with their
    edits (~155 us each) nor encodes them (~65 us); the incremental cache stores the same line."""

    id: str
    input: str
    status: str
    source: str | None
    line: bytes  # dump_spool_line(article.to_dict())
    line_hashes: np.ndarray | None  # a kept article's lines, for the template count (None: not counted)

    def rejected(self, reason: str, config: Config) -> SpoolEntry:
        return spool_entry(Article.from_dict(load_spool_line(self.line)).reject(reason), config)


def spool_entry(article: Article, config: Config) -> SpoolEntry:
    """``article``'s entry (the cache keeps entries whole, so it never rebuilds one)."""
    kept = article.status == KEPT
    hashes = line_hashes(article.text) if kept and config.boilerplate.template_min_stories > 0 else None
    return SpoolEntry(article.id, article.input, article.status, article.source,
                      dump_spool_line(article.to_dict()), hashes)


def clean_batch(records: list[RawRecord], config: Config) -> tuple[list[SpoolEntry], list[Signature | None]]:
    """Clean a batch; return its spool entries and, aligned with them, signatures of the kept ones
    (with their story signatures, so that on Dask the workers make both)."""
    articles = [clean_article(r, config) for r in records]
    return [spool_entry(a, config) for a in articles], sign_kept(articles, config)


# Cleaning allocates many small containers an article (edits, tokens, the cleaners' cached tuples),
# nearly all freed by reference counting. At Python's default (a young collection every 700 net
# allocations) the cyclic collector ran ~570 young and 3 full collections per 10,000 articles, the
# full ones walking the caches: 4-5% of the cleaning time. At 50,000: 5 young ones, 0.5%. Set for a
# whole run, not a batch: set back at each batch's end, the next allocation collected the batch.
YOUNG_COLLECTION_THRESHOLD = 50_000


def collect_less() -> tuple[int, ...]:
    """Run the cyclic garbage collector less often in this process, from now on; return its
    thresholds before. A threshold already higher, or automatic collection off (0), is kept."""
    before = gc.get_threshold()
    if 0 < before[0] < YOUNG_COLLECTION_THRESHOLD:
        gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *before[1:])
    return before


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """``collect_less`` inside (a run), as set back after: a library user's thresholds stay theirs."""
    before = collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*before)


def sign_kept(articles: list[Article], config: Config) -> list[Signature | None]:
    """Dedup signatures (with story signatures) of the kept articles, aligned with ``articles``."""
    kept = [a for a in articles if a.status == KEPT]
    sigs = signatures([(a.id, a.text, a.published) for a in kept], config.dedup)
    attach_story_signatures(sigs, kept, config)
    by_id = dict(zip(map(id, kept), sigs, strict=True))
    return [by_id.get(id(a)) for a in articles]


def attach_story_signatures(sigs: list[Signature], kept: list[Article], config: Config) -> None:
    """Give each kept article's dedup signature its story signature (when stories are on), so that
    the flow need not make it: on Dask, the workers make both."""
    if config.stories.enabled:
        for sig, story in zip(sigs, story_signatures([a.text for a in kept], config.stories), strict=True):
            sig.story = story


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (macOS, musl)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_free_memory() -> None:
    """Hand memory freed by a batch back to the OS.

    Each batch's short-lived text (articles, JSON lines) is freed between the long-lived entries the
    ledger keeps (ids, signatures), and glibc keeps such pinned heap pages: after 20,000 spooled
    articles the process held 92 MB more, of which ~14 MB was live data; trimming after each batch
    keeps it at that. (A whole run's peak RSS still grows ~5 KB an article: the indexes' per-article
    objects also pin Python's own object arenas, which this cannot release.) Dask's workers trim
    for the same reason.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Ledger:
    """Accounts for every input between the passes: spools articles to disk, rejects repeated ids."""

    def __init__(self, folder: Path, config: Config):
        folder.mkdir(parents=True, exist_ok=True)
        self.stale_removed = remove_stale_temps(folder)
        self.folder = folder
        self.chunks: list[str] = []  # spool files, in input order
        self._out = None
        self._in_chunk = 0
        self._first_input: dict[str, str] = {}
        self.finder = DuplicateFinder(config.dedup)
        self.index = open_index(folder, config.dedup)
        self.indexed_before = self.index.attach(self.finder) if self.index is not None else 0
        self.config = config
        self.stories = StoryFinder(config.stories) if config.stories.enabled else None
        self.templates = TemplateLines(config.boilerplate.template_min_stories,
                                       config.boilerplate.template_min_share)

    def add(self, entries: list[SpoolEntry], sigs: list[Signature | None]) -> None:
        """Spool a cleaned batch; ``sigs`` are aligned with ``entries`` (None where not kept) and
        carry their story signatures (``clean_batch`` and the cache make both)."""
        kept: list[tuple[SpoolEntry, Signature | None]] = []
        for entry, sig in zip(entries, sigs, strict=True):
            first = self._first_input.setdefault(entry.id, entry.input)
            if first != entry.input:
                entry = entry.rejected(f"duplicate_id: id '{entry.id}' was already used by {first}", self.config)
            self._spool(entry.line)
            if entry.status == KEPT:
                kept.append((entry, sig))
                if entry.line_hashes is not None:
                    self.templates.add_hashes(entry.id, entry.line_hashes, entry.source)
        self.finder.add([sig for _, sig in kept if sig is not None])
        if self.stories is not None:
            self.stories.add([e.id for e, _ in kept], [sig.story if sig is not None else None for _, sig in kept])
            for _, sig in kept:
                if sig is not None:
                    sig.story = None  # the story index has it; the dedup index keeps the rest
        release_free_memory()

    def _spool(self, line: bytes) -> None:
        if self._out is None or self._in_chunk >= self.config.pipeline.spool_chunk:
            if self._out is not None:
                self._out.close()
            fd, path = tempfile.mkstemp(prefix=temp_prefix(SPOOL), suffix=".tmp", dir=self.folder)
            self.chunks.append(path)
            # a 1 MB buffer: the lines are KBs each, and the default one wrote them one by one
            # (a line 9.5 -> 4.9 us, in the flow's process)
            self._out, self._in_chunk = os.fdopen(fd, "wb", buffering=1 << 20), 0
        self._out.write(line)
        self._in_chunk += 1

    def spooled(self) -> Iterator[bytes]:
        """Each spool file's bytes (its JSON lines), in input order."""
        for path in self.spool_files():
            with open(path, "rb") as handle:
                yield handle.read()

    def spool_files(self) -> list[str]:
        """The spool files' paths, in input order, everything spooled so far on disk."""
        if self._out is not None:
            self._out.flush()
        return list(self.chunks)

    def remember_kept(self, verdicts: dict[str, Verdict]) -> None:
        """Add this run's canonical articles to the persistent index (after the outputs are written)."""
        if self.index is not None:
            self.index.add(self.finder.kept_this_run(verdicts))

    def close(self) -> None:
        if self.index is not None:
            self.index.close()
        if self._out is not None:
            self._out.close()
        for path in self.chunks:
            for leftover in (path, *(part_path(path, name) for name in LINE_FILES)):
                if os.path.exists(leftover):
                    os.unlink(leftover)


def apply_verdicts(article: Article, verdicts: dict[str, Verdict], members: dict[str, list[str]],
                   stories: dict[str, str] | None = None) -> Article:
    verdict = verdicts.get(article.id)
    if article.status == KEPT and verdict:
        article.status, article.duplicate_of = DUPLICATE, verdict.duplicate_of
        article.similarity, article.cluster = verdict.similarity, verdict.duplicate_of
        article.reason = f"near-duplicate of {verdict.duplicate_of} (estimated Jaccard {verdict.similarity})"
    elif article.status == KEPT:
        article.cluster = article.id
        article.duplicates = members.get(article.id, [])
        article.story = (stories or {}).get(article.id)
    return article


def strip_template_lines(article: Article, templates: TemplateTable) -> None:
    """Remove the run's template lines from a kept article; one that had nothing else is rejected."""
    if article.status != KEPT:
        return
    text, edits = templates.strip(article.text, article.source)
    if edits:
        article.text = text
        article.edits.extend(edits)
        if not text:
            article.reject("template: every line recurs verbatim in articles of other stories")


@dataclass
class RunDecisions:
    """What the write pass needs to know of the whole run to write any one article."""

    verdicts: dict[str, Verdict]
    members: dict[str, list[str]]  # canonical -> its duplicates
    stories: dict[str, str]
    templates: TemplateTable


def render_chunk(spooled: bytes, decisions: RunDecisions) -> tuple[RunSummary, dict[str, bytes]]:
    """One spool file's articles with the run's decisions applied: their summary, and their lines of
    each output file. Pure: on Dask it runs on the workers, each spool file on its own."""
    summary = RunSummary()
    lines: dict[str, list[bytes]] = {name: [] for name in LINE_FILES}
    # b"\n" only: JSON escapes it inside strings, and no other UTF-8 character has its byte (U+2028,
    # U+0085 and the like, which str.splitlines would also split at, are left unescaped).
    for line in filter(None, spooled.split(b"\n")):
        article = apply_verdicts(Article.from_dict(load_spool_line(line)), decisions.verdicts, decisions.members,
                                 decisions.stories)
        strip_template_lines(article, decisions.templates)
        summary.count(article)
        if article.status == KEPT:
            lines["articles.jsonl"].append(json_line(article.article_row()))
        lines["manifest.jsonl"].append(json_line(article.manifest_row()))
        lines["edits.jsonl"].extend(edit_line(article.id, edit) for edit in article.edits)
    return summary, {name: b"".join(found) for name, found in lines.items()}


def part_path(spool_file: str, name: str) -> str:
    """Where ``render_spool_file`` writes one output's share of a spool file: beside it, under a
    temporary name of the same process (so a crashed run's parts are cleaned up like its spool)."""
    folder, base = os.path.split(spool_file)
    return os.path.join(folder, f".{name}{base[len(f'.{SPOOL}'):]}")


def render_spool_file(spool_file: str, decisions: RunDecisions) -> tuple[RunSummary, dict[str, Path]]:
    """``render_chunk`` of one spool file read from disk, each output's lines written to a part file
    beside it; returns the summary and the parts' paths. For workers that share the flow's disk (a
    local cluster): neither the spool's text nor the rendered lines pass through the flow's process."""
    with open(spool_file, "rb") as handle:
        summary, rendered = render_chunk(handle.read(), decisions)
    parts = {}
    for name, lines in rendered.items():
        parts[name] = Path(part_path(spool_file, name))
        with open(parts[name], "wb") as out:
            out.write(lines)
    return summary, parts


# Renders every spool file of the ledger, yielding the results in order: each output's lines as
# UTF-8 bytes, or as a part file (``render_spool_file``) the write pass appends and deletes.
ChunkRenderer = Callable[["Ledger", RunDecisions], Iterator[tuple[RunSummary, dict[str, bytes | Path]]]]


def render_in_process(ledger: Ledger, decisions: RunDecisions) -> Iterator[tuple[RunSummary, dict[str, bytes]]]:
    return (render_chunk(chunk, decisions) for chunk in ledger.spooled())


def _append_file(out, part: Path) -> None:
    """Append a part file's bytes to the open binary file ``out``, then delete the part."""
    with open(part, "rb") as source:
        shutil.copyfileobj(source, out, 1 << 20)
    part.unlink()


def write_outputs(ledger: Ledger, folder: Path, render: ChunkRenderer = render_in_process) -> RunSummary:
    """Second pass: stream the spool into articles, manifest and edits files, and the report.
    ``render``: how the spool files are rendered (on Dask, in parallel on the workers)."""
    verdicts = ledger.finder.verdicts()
    members: dict[str, list[str]] = {}
    for dup, v in verdicts.items():
        members.setdefault(v.duplicate_of, []).append(dup)
    stories = ledger.stories.stories(excluded=set(verdicts)) if ledger.stories is not None else {}

    def story_of(article_id: str) -> str:
        canonical = verdicts[article_id].duplicate_of if article_id in verdicts else article_id
        return stories.get(canonical, canonical)

    ledger.templates.find(story_of)
    decisions = RunDecisions(verdicts, members, stories, ledger.templates.table)
    summary = RunSummary()
    with atomic_outputs(folder, OUTPUT_FILES) as out:
        for part, rendered in render(ledger, decisions):
            summary.merge(part)
            in_memory = False
            for name, lines in rendered.items():
                if isinstance(lines, Path):
                    _append_file(out[name], lines)
                else:
                    out[name].write(lines)
                    in_memory = True
            del rendered, lines
            if in_memory:
                release_free_memory()  # each file's text is MBs, freed between long-lived objects
        out["report.md"].write(summary.to_markdown().encode("utf-8"))
    ledger.remember_kept(verdicts)
    return summary
