"""The persistent dedup index: signatures of the articles kept by earlier runs.

The nightly run matches its new articles against everything kept before, so tomorrow's copy of
today's wire story is marked a duplicate of it. Two stores, chosen by ``dedup.redis_url``:

- ``SignatureIndex`` (default): SQLite beside the outputs, embedded, no server. A run loads its
  signatures into the in-memory LSH.
- ``RedisSignatureIndex``: one index shared by several workers or machines. The LSH buckets live in
  Redis through datasketch's Redis storage and are queried there, so a run does not load the whole
  index; signatures sit in a Redis hash beside them, for verifying candidates.

Signatures made with other shingle size, permutation count or seed are incomparable, so an index
refuses other settings (as datasketch refuses to merge MinHashes of different seeds) and says what
to do. Nothing read from an index is unpickled: rows are plain numbers, strings and bytes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from datasketch import LeanMinHash, MinHashLSH

from cleaners.config import ConfigError, DedupConfig
from cleaners.dedup import HASHING_VERSION, DuplicateFinder, Signature

INDEX_FILE = ".newsclean-index.sqlite"


def _settings(cfg: DedupConfig, *extra: str) -> str:
    values = {"shingle_size": cfg.shingle_size, "num_perm": cfg.num_perm, "seed": cfg.seed,
              "hashing": HASHING_VERSION}
    values.update({key: getattr(cfg, key) for key in extra})
    return json.dumps(values)


def _refuse(where: str, stored: str, wanted: str) -> ConfigError:
    return ConfigError(f"the dedup index {where} was built with {stored}, not {wanted}; "
                       "use another output folder or index name, or delete the index to start afresh")


class SignatureIndex:
    """Embedded index: SQLite in the output folder."""

    def __init__(self, folder: Path, cfg: DedupConfig):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / INDEX_FILE
        self._db = sqlite3.connect(self.path)
        try:
            with self._db:
                self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                self._db.execute("CREATE TABLE IF NOT EXISTS signatures (id TEXT PRIMARY KEY, words INTEGER, "
                                 "published TEXT, exact TEXT, figures TEXT, seed INTEGER, scheme TEXT, "
                                 "hashvalues BLOB)")
                stored = self._db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
                if stored is None:
                    self._db.execute("INSERT INTO meta VALUES ('settings', ?)", (_settings(cfg),))
        except sqlite3.DatabaseError as exc:
            # Unlike the cleaning cache, the index is what earlier runs kept: not to be dropped unasked.
            self._db.close()
            raise ConfigError(f"the dedup index {self.path} could not be read ({exc}); restore it from a backup, "
                              "or delete it to start afresh (articles kept before are then not known to "
                              "this run), or use another output folder") from exc
        if stored is not None and stored[0] != _settings(cfg):
            self._db.close()
            raise _refuse(str(self.path), stored[0], _settings(cfg))

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM signatures").fetchone()[0]

    def load(self) -> Iterator[Signature]:
        for row in self._db.execute("SELECT * FROM signatures ORDER BY rowid"):
            yield Signature.from_row(row)

    def attach(self, finder: DuplicateFinder) -> int:
        """Make earlier runs' articles visible to ``finder``; return how many there are."""
        return finder.preload(self.load())

    def add(self, sigs: list[Signature]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO signatures VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                 (sig.to_row() for sig in sigs))

    def close(self) -> None:
        self._db.close()


def _pack(sig: Signature) -> bytes:
    # JSON escapes NUL, so the first NUL byte ends the header; the raw hash values follow it.
    _, words, published, exact, figures, seed, scheme, blob = sig.to_row()
    return json.dumps([words, published, exact, figures, seed, scheme]).encode() + b"\0" + blob


def _unpack(aid: str, value: bytes) -> Signature:
    header, blob = value.split(b"\0", 1)
    return Signature.from_row((aid, *json.loads(header), blob))


class RedisSignatureIndex:
    """Shared index: datasketch's MinHashLSH with Redis storage, plus a hash of signatures."""

    def __init__(self, cfg: DedupConfig):
        import redis
        from redis.connection import parse_url

        try:
            params = parse_url(cfg.redis_url)
        except ValueError as exc:
            raise ConfigError(f"dedup.redis_url {cfg.redis_url!r}: {exc}") from None
        self._redis = redis.Redis(**params)
        prefix = cfg.index_name
        self._signatures = f"{prefix}:signatures"
        where = f"{cfg.redis_url} ({prefix})"
        wanted = _settings(cfg, "threshold")  # the LSH bands depend on the threshold too
        try:
            self._redis.set(f"{prefix}:settings", wanted, nx=True)
            stored = self._redis.get(f"{prefix}:settings").decode()
        except redis.RedisError as exc:
            raise ConfigError(f"dedup index {where} cannot be reached: {exc}") from None
        if stored != wanted:
            raise _refuse(where, stored, wanted)
        self.lsh = MinHashLSH(threshold=cfg.threshold, num_perm=cfg.num_perm, prepickle=False,
                              storage_config={"type": "redis", "basename": f"{prefix}:lsh".encode(),
                                              "redis": params})

    def __len__(self) -> int:
        return self._redis.hlen(self._signatures)

    def get(self, ids: Iterable[str]) -> dict[str, Signature]:
        ids = list(ids)
        if not ids:
            return {}
        values = self._redis.hmget(self._signatures, ids)
        return {aid: _unpack(aid, v) for aid, v in zip(ids, values, strict=True) if v is not None}

    def query(self, minhash: LeanMinHash) -> list[Signature]:
        """Indexed articles whose bands collide with ``minhash`` (candidates, still to verify)."""
        return list(self.get(sorted(key.decode() for key in self.lsh.query(minhash))).values())

    def attach(self, finder: DuplicateFinder) -> int:
        finder.remote = self
        return len(self)

    def add(self, sigs: list[Signature]) -> None:
        stored = self.get(sig.id for sig in sigs)
        changed = [sig for sig in sigs if sig.id not in stored or stored[sig.id].exact != sig.exact]
        for sig in changed:
            if sig.id in stored:  # edited since it was indexed: replace its buckets
                self.lsh.remove(sig.id.encode())
        with self.lsh.insertion_session() as session:
            for sig in changed:
                session.insert(sig.id.encode(), sig.minhash, check_duplication=False)
        if changed:
            self._redis.hset(self._signatures, mapping={sig.id: _pack(sig) for sig in changed})

    def close(self) -> None:
        self._redis.close()


def open_index(folder: Path, cfg: DedupConfig) -> SignatureIndex | RedisSignatureIndex | None:
    """The index the config asks for (None when ``dedup.index`` is off)."""
    if not cfg.index:
        return None
    return RedisSignatureIndex(cfg) if cfg.redis_url else SignatureIndex(folder, cfg)
