"""Incremental runs: cleaned articles from earlier runs, reused when their input has not changed.

A record's key is a hash of its bytes and where it came from, plus a fingerprint of everything
that shapes cleaning: the config, newsclean's cleaner code and its phrase files. So a changed
input, config or cleaner means a miss, and a hit returns exactly what cleaning would produce: the
output of an incremental run is byte-identical to a full one. Dedup and writing still run over the
whole corpus (they are cheap); only cleaning is skipped. Stored in SQLite in the output folder
(stdlib, one file, transactional: a killed run leaves a usable cache). Entries not seen in a run
are pruned when it completes, so the cache tracks the input.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from datasketch import LeanMinHash

from cleaners.config import Config, config_to_dict
from cleaners.corpus import SpoolEntry, spool_entry
from cleaners.dedup import Signature
from cleaners.document import Article
from cleaners.io import RawRecord

CACHE_FILE = ".newsclean-cache.sqlite"
CODE_DIR = Path(__file__).parent


def cleaning_fingerprint(config: Config) -> str:
    """Hash of the config and of the cleaner code and phrase files."""
    settings = config_to_dict(config)
    # How the run is spread (workers, cluster, batch and spool sizes) does not change what cleaning
    # gives: a run with --workers reuses what a run in one process cleaned, and back.
    settings["pipeline"] = {"cleaners": settings["pipeline"]["cleaners"]}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for path in sorted([*CODE_DIR.glob("*.py"), *CODE_DIR.glob("phrases/*.toml")]):
        digest.update(path.name.encode() + path.read_bytes())
    for folder in config.boilerplate.extra_phrase_dirs:
        for path in sorted(Path(folder).glob("*.toml")):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _sig_to_row(sig: Signature | None) -> tuple[str | None, bytes | None, bytes | None]:
    """(meta, dedup values, story values) of a signature, for the cache's columns."""
    if sig is None:
        return None, None, None
    _, words, _, exact, figures, seed, scheme, blob = sig.to_row()
    meta = {"words": words, "exact": exact, "figures": figures, "seed": seed, "scheme": scheme}
    story = None
    if sig.story is not None:
        meta |= {"story_seed": int(sig.story.seed), "story_scheme": sig.story.scheme}
        story = sig.story.hashvalues.tobytes()
    return json.dumps(meta), blob, story


def _sig_from_row(article: Article, meta: str | None, blob: bytes | None, story: bytes | None) -> Signature | None:
    if meta is None:
        return None
    m = json.loads(meta)
    sig = Signature.from_row((article.id, m["words"], article.published, m["exact"], m["figures"],
                              m["seed"], m["scheme"], blob))
    if story is not None:
        sig.story = LeanMinHash(seed=m["story_seed"], hashvalues=np.frombuffer(story, dtype=np.uint32),
                                scheme=m["story_scheme"])
    return sig


@dataclass
class Lookup:
    """What the cache holds for a list of records: ``todo`` (at ``todo_at``) still needs cleaning."""

    keys: list[str]
    found: dict[str, tuple]
    todo_at: list[int]
    todo: list[RawRecord]


class CleanCache:
    def __init__(self, folder: Path, config: Config):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / CACHE_FILE
        self._fingerprint = cleaning_fingerprint(config).encode()
        self._config = config
        self.hits = self.misses = 0
        # Why the cache file found was set aside (None: it was read, or there was none). The cache
        # only saves work, so an unreadable one (a disk fault, a stray file of that name) is
        # started afresh rather than stopping the run; the flow logs this as a warning.
        self.discarded: str | None = None
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self.discarded = f"{self.path} could not be read ({exc}); it was removed and the cache started afresh"
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._open()

    def _open(self) -> None:
        self._db = sqlite3.connect(self.path)
        try:
            columns = [row[1] for row in self._db.execute("PRAGMA table_info(cleaned)")]
            if columns and "story" not in columns:  # an earlier layout: its entries would all miss anyway
                with self._db:
                    self._db.execute("DROP TABLE cleaned")
            self._db.execute("CREATE TABLE IF NOT EXISTS cleaned (key TEXT PRIMARY KEY, article TEXT NOT NULL, "
                             "sig_meta TEXT, sig BLOB, story BLOB, run INTEGER NOT NULL)")
            self._run = (self._db.execute("SELECT MAX(run) FROM cleaned").fetchone()[0] or 0) + 1
        except sqlite3.DatabaseError:
            self._db.close()
            raise

    def _key(self, record: RawRecord) -> str:
        digest = hashlib.sha256(self._fingerprint)
        for part in (record.input, record.default_id, record.kind, record.error or ""):
            digest.update(part.encode() + b"\0")
        digest.update(record.data)
        return digest.hexdigest()

    def clean(self, records: list[RawRecord], clean_fn: Callable) -> tuple[list[SpoolEntry], list[Signature | None]]:
        """Spool entries and signatures for ``records``: from the cache, else from ``clean_fn(misses)``."""
        lookup = self.look_up(records)
        return self.complete(lookup, *(clean_fn(lookup.todo) if lookup.todo else ([], [])))

    def look_up(self, records: list[RawRecord]) -> Lookup:
        """First half of ``clean``: what the cache holds for ``records``, and the misses to clean."""
        keys = [self._key(r) for r in records]
        found: dict[str, tuple] = {}
        for key in keys:
            row = self._db.execute("SELECT article, sig_meta, sig, story FROM cleaned WHERE key = ?",
                                   (key,)).fetchone()
            if row:
                found[key] = row
        todo = [i for i, key in enumerate(keys) if key not in found]
        return Lookup(keys, found, todo, [records[i] for i in todo])

    def complete(self, lookup: Lookup, fresh_entries: list[SpoolEntry],
                 fresh_sigs: list[Signature | None]) -> tuple[list[SpoolEntry], list[Signature | None]]:
        """Second half of ``clean``: store the cleaned misses, return every record's result in order."""
        fresh = dict(zip(lookup.todo_at, zip(fresh_entries, fresh_sigs, strict=True), strict=True))
        entries, sigs = [], []
        with self._db:
            for i, key in enumerate(lookup.keys):
                if i in fresh:
                    entry, sig = fresh[i]
                    self._db.execute("INSERT OR REPLACE INTO cleaned VALUES (?, ?, ?, ?, ?, ?)",
                                     (key, entry.line, *_sig_to_row(sig), self._run))
                else:
                    line, meta, blob, story = lookup.found[key]
                    article = Article.from_dict(json.loads(line))
                    sig = _sig_from_row(article, meta, blob, story)
                    entry = spool_entry(article, self._config, line)
                    self._db.execute("UPDATE cleaned SET run = ? WHERE key = ?", (self._run, key))
                entries.append(entry)
                sigs.append(sig)
        self.hits += len(lookup.keys) - len(lookup.todo)
        self.misses += len(lookup.todo)
        return entries, sigs

    def prune(self) -> int:
        """Forget entries this run did not see; call after a completed run."""
        with self._db:
            return self._db.execute("DELETE FROM cleaned WHERE run != ?", (self._run,)).rowcount

    def close(self) -> None:
        self._db.close()
