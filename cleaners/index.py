"""The persistent dedup index: signatures of the articles kept by earlier runs into one folder.

The nightly run matches its new articles against everything kept before, so tomorrow's copy of
today's wire story is marked a duplicate of it. Stored in SQLite beside the outputs (embedded, no
server). Signatures made with other shingle size, permutation count or seed are incomparable, so
an index refuses to be used with different settings (as datasketch refuses to merge MinHashes of
different seeds) and says what to do.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from cleaners.config import ConfigError, DedupConfig
from cleaners.dedup import Signature

INDEX_FILE = ".newsclean-index.sqlite"


def _settings(cfg: DedupConfig) -> str:
    return json.dumps({"shingle_size": cfg.shingle_size, "num_perm": cfg.num_perm, "seed": cfg.seed})


class SignatureIndex:
    def __init__(self, folder: Path, cfg: DedupConfig):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / INDEX_FILE
        self._db = sqlite3.connect(self.path)
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS signatures (id TEXT PRIMARY KEY, words INTEGER, "
                             "published TEXT, exact TEXT, seed INTEGER, scheme TEXT, hashvalues BLOB)")
            stored = self._db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
            if stored is None:
                self._db.execute("INSERT INTO meta VALUES ('settings', ?)", (_settings(cfg),))
        if stored is not None and stored[0] != _settings(cfg):
            self._db.close()
            raise ConfigError(f"the dedup index {self.path} was built with {stored[0]}, not {_settings(cfg)}; "
                              "use another output folder or delete the index to start afresh")

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM signatures").fetchone()[0]

    def load(self) -> Iterator[Signature]:
        for row in self._db.execute("SELECT * FROM signatures ORDER BY rowid"):
            yield Signature.from_row(row)

    def add(self, sigs: list[Signature]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO signatures VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (sig.to_row() for sig in sigs))

    def close(self) -> None:
        self._db.close()
