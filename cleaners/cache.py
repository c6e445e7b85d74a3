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

from cleaners.config import Config, config_to_dict
from cleaners.corpus import SpoolEntry
from cleaners.dedup import Signature, pack_sketch, unpack_sketch
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
    seed, scheme, dtype, blob = pack_sketch(sig.minhash)
    meta = {"words": sig.words, "published": sig.published, "exact": sig.exact, "figures": sig.figures,
            "seed": seed, "scheme": scheme, "dtype": dtype}
    story = pack_sketch(sig.story)
    if story is not None:
        meta |= {"story_seed": story[0], "story_scheme": story[1], "story_dtype": story[2]}
    return json.dumps(meta), blob, None if story is None else story[3]


def _sig_from_row(article_id: str, meta: str | None, blob: bytes | None, story: bytes | None) -> Signature | None:
    if meta is None:
        return None
    m = json.loads(meta)
    # Unpacked as a Dask result is: the values were a sketch's own (datasketch's checks on new
    # values cost ~30 us an article on a rerun, most of a hit's time).
    return Signature(article_id, m["words"], m["published"], m["exact"], m["figures"],
                     unpack_sketch((m["seed"], m["scheme"], m["dtype"], blob)),
                     None if story is None
                     else unpack_sketch((m["story_seed"], m["story_scheme"], m["story_dtype"], story)))


# A row holds a spool entry's fields as they are, so a hit is a SpoolEntry again without parsing
# its line or hashing its lines anew (~150 -> ~25 us an article, most of an unchanged rerun's work).
COLUMNS = ("key", "id", "input", "status", "source", "line", "line_hashes", "sig_meta", "sig", "story")
_LOOK_UP_CHUNK = 500  # keys per SELECT ... IN (...): well under SQLite's limit on parameters


def _entry_to_row(entry: SpoolEntry) -> tuple:
    hashes = None if entry.line_hashes is None else entry.line_hashes.tobytes()
    return entry.id, entry.input, entry.status, entry.source, entry.line, hashes


def _entry_from_row(aid: str, input_: str, status: str, source: str | None, line: bytes,
                    hashes: bytes | None) -> SpoolEntry:
    return SpoolEntry(aid, input_, status, source, line,
                      None if hashes is None else np.frombuffer(hashes, dtype=np.int64))


@dataclass
class Lookup:
    """What the cache holds for a list of records: ``todo`` (at ``todo_at``) still needs cleaning."""

    keys: list[bytes]
    found: dict[bytes, tuple]
    todo_at: list[int]
    todo: list[RawRecord]


class CleanCache:
    def __init__(self, folder: Path, config: Config):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / CACHE_FILE
        self._fingerprint = cleaning_fingerprint(config).encode()
        self.hits = self.misses = 0
        # Why the cache file found was set aside (None: it was read, or there was none). The cache
        # only saves work, so an unreadable one (a disk fault, a stray file of that name) is
        # started afresh rather than stopping the run; the flow logs this as a warning.
        self.discarded: str | None = None
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self.discarded = f"{self.path} could not be read ({exc}); it was removed and the cache started afresh"
            self._remove()
            self._open()

    def _remove(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _open(self) -> None:
        self._db = sqlite3.connect(self.path)
        try:
            columns = tuple(row[1] for row in self._db.execute("PRAGMA table_info(cleaned)"))
            if columns and columns != COLUMNS:  # an earlier layout: its entries would all miss anyway
                self._db.close()
                self._remove()  # anew, not a dropped table: the page size below only takes on a new file
                self._db = sqlite3.connect(self.path)
            # Pages of 64 KB: a row (~5 KB, mostly the article's line) fits in one page, not a chain
            # of overflow pages; writing the rows takes half the CPU (measured 25 -> 11 us an
            # article). WAL: a commit appends to one file, with no journal to write and sync per
            # batch; still atomic, so a killed run leaves a usable cache. NORMAL sync is WAL's safe
            # pairing: a power cut may lose the last batches' entries (cleaned again), not the file.
            # Exclusive locking, set before WAL is first used: SQLite then keeps WAL's index in this
            # process's memory, not in a shared-memory file beside the database, which a network
            # filesystem (an output folder on NFS or SMB) cannot share. One run holds a folder at a
            # time anyway (``output_lock``), and the cache is read only by it.
            self._db.execute("PRAGMA page_size=65536")
            self._db.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS cleaned (key BLOB PRIMARY KEY, id TEXT NOT NULL, "
                             "input TEXT NOT NULL, status TEXT NOT NULL, source TEXT, line BLOB NOT NULL, "
                             "line_hashes BLOB, sig_meta TEXT, sig BLOB, story BLOB)")
            # The keys this run asked for, for ``prune``. Apart from the entries: marking a hit in its
            # own row would rewrite the whole row, as an insert does.
            self._db.execute("CREATE TEMP TABLE seen (key BLOB PRIMARY KEY)")
            # Held from here, not from the first write: another process reading the file meanwhile
            # would otherwise make a batch's commit fail. (Exclusive mode keeps the lock after COMMIT.)
            self._db.execute("BEGIN EXCLUSIVE")
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError:
            self._db.close()
            raise

    def _key(self, record: RawRecord) -> bytes:
        digest = hashlib.sha256(self._fingerprint)
        for part in (record.input, record.default_id, record.kind, record.error or ""):
            digest.update(part.encode() + b"\0")
        digest.update(record.data)
        return digest.digest()

    def clean(self, records: list[RawRecord], clean_fn: Callable) -> tuple[list[SpoolEntry], list[Signature | None]]:
        """Spool entries and signatures for ``records``: from the cache, else from ``clean_fn(misses)``."""
        lookup = self.look_up(records)
        return self.complete(lookup, *(clean_fn(lookup.todo) if lookup.todo else ([], [])))

    def look_up(self, records: list[RawRecord]) -> Lookup:
        """First half of ``clean``: what the cache holds for ``records``, and the misses to clean."""
        keys = [self._key(r) for r in records]
        found: dict[bytes, tuple] = {}
        for at in range(0, len(keys), _LOOK_UP_CHUNK):
            chunk = keys[at:at + _LOOK_UP_CHUNK]
            found.update((row[0], row[1:]) for row in self._db.execute(
                "SELECT key, id, input, status, source, line, line_hashes, sig_meta, sig, story FROM cleaned "
                f"WHERE key IN ({','.join('?' * len(chunk))})", chunk))
        todo = [i for i, key in enumerate(keys) if key not in found]
        return Lookup(keys, found, todo, [records[i] for i in todo])

    def complete(self, lookup: Lookup, fresh_entries: list[SpoolEntry],
                 fresh_sigs: list[Signature | None]) -> tuple[list[SpoolEntry], list[Signature | None]]:
        """Second half of ``clean``: store the cleaned misses, return every record's result in order."""
        fresh = dict(zip(lookup.todo_at, zip(fresh_entries, fresh_sigs, strict=True), strict=True))
        entries, sigs, stored, seen = [], [], [], []
        for i, key in enumerate(lookup.keys):
            if i in fresh:
                entry, sig = fresh[i]
                stored.append((key, *_entry_to_row(entry), *_sig_to_row(sig)))
            else:
                row = lookup.found[key]
                entry = _entry_from_row(*row[:6])
                sig = _sig_from_row(entry.id, *row[6:])
                seen.append((key,))
            entries.append(entry)
            sigs.append(sig)
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO cleaned VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", stored)
            self._db.executemany("INSERT OR IGNORE INTO temp.seen VALUES (?)", [row[:1] for row in stored] + seen)
        self.hits += len(seen)
        self.misses += len(stored)
        return entries, sigs

    def prune(self) -> int:
        """Forget entries this run did not see; call after a completed run."""
        with self._db:
            return self._db.execute("DELETE FROM cleaned WHERE key NOT IN (SELECT key FROM temp.seen)").rowcount

    def close(self) -> None:
        self._db.close()
