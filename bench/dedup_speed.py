#!/usr/bin/env python3
"""Dedup speed: newsclean's dedup stage vs plain datasketch vs rensa, on one generated corpus.

    python bench/dedup_speed.py [--docs 100000] [--seed 1]

Each method runs in its own process (for a clean peak RSS) on the same raw texts:
- baseline: ../shared/tools/neardup/baseline_datasketch.py (a MinHash per document updated token
  by token, MinHashLSH at 0.8), as the issue defines it;
- newsclean: cleaners.dedup (numpy shingle hashing, MinHash.bulk, verified LSH, clusters) at the
  configured threshold;
- rensa: RMinHash + RMinHashLSH (a Rust MinHash a user might pick instead), same shingles and
  threshold, candidates verified by estimated Jaccard.
Prints docs/s, MB/s, peak RSS, pairwise F1 (the shared scorer) and the speed ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OUT = ROOT / "bench" / "out" / "dedup_speed"
sys.path.insert(0, str(ROOT))


def write_pred(path: Path, ids: list[str], dup_of: dict[str, str]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in ids:
            handle.write(json.dumps({"id": i, "duplicate_of": dup_of.get(i)}) + "\n")


def stream(corpus: Path, size: int = 500):
    """The corpus in batches of (id, text), read as it goes (memory flat in corpus size)."""
    batch = []
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            batch.append((row["id"], row["text"]))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


def run_newsclean(corpus: Path, pred: Path) -> dict:
    import tempfile

    from cleaners.config import Config
    from cleaners.dedup import DuplicateFinder, signatures
    from cleaners.index import SignatureIndex

    cfg = Config().dedup
    finder = DuplicateFinder(cfg)
    ids = []
    for batch in stream(corpus):
        ids.extend(i for i, _ in batch)
        finder.add(signatures([(i, t, None) for i, t in batch], cfg))
    verdicts = finder.verdicts()
    write_pred(pred, ids, {k: v.duplicate_of for k, v in verdicts.items()})
    kept = finder.kept_this_run(verdicts)
    with tempfile.TemporaryDirectory() as folder:  # what the persistent index costs on disk
        index = SignatureIndex(Path(folder), cfg)
        index.add(kept)
        index.close()
        size = (Path(folder) / ".newsclean-index.sqlite").stat().st_size
    return {"indexed": len(kept), "index_bytes_per_doc": size / max(1, len(kept))}


def run_rensa(corpus: Path, pred: Path) -> dict:
    from rensa import RMinHash, RMinHashLSH

    from cleaners.config import Config
    from cleaners.text import comparable

    cfg = Config().dedup
    lsh = RMinHashLSH(threshold=cfg.threshold, num_perm=cfg.num_perm, num_bands=16)
    sigs, dup_of, ids = [], {}, []
    for batch in stream(corpus):
        for doc_id, text in batch:
            ids.append(doc_id)
            tokens = comparable(text).split()
            grams = [" ".join(tokens[i:i + cfg.shingle_size])
                     for i in range(max(1, len(tokens) - cfg.shingle_size + 1))]
            m = RMinHash(num_perm=cfg.num_perm, seed=cfg.seed)
            m.update(grams)
            for other in lsh.query(m):
                if m.jaccard(sigs[other][1]) >= cfg.threshold:
                    dup_of[doc_id] = sigs[other][0]
                    break
            sigs.append((dup_of.get(doc_id, doc_id), m))
            lsh.insert(len(sigs) - 1, m)
    write_pred(pred, ids, dup_of)
    return {}


def child(method: str, corpus: Path) -> None:
    pred = OUT / f"{method}.pred.jsonl"
    docs, mb = 0, 0.0
    for batch in stream(corpus):
        docs += len(batch)
        mb += sum(len(t.encode()) for _, t in batch) / 1e6
    start = time.perf_counter()
    extra = {"newsclean": run_newsclean, "rensa": run_rensa}[method](corpus, pred)
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"docs_s": docs / elapsed, "mb_s": mb / elapsed, "seconds": elapsed, "rss_mb": rss, **extra}))


def score(corpus: Path, pred: Path) -> str:
    out = subprocess.run([sys.executable, str(SHARED / "tools/neardup/score.py"), str(corpus), str(pred)],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--skip-baseline", action="store_true", help="reuse nothing, just skip the slow baseline")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.method:
        child(args.method, Path(args.corpus))
        return
    corpus = OUT / f"corpus-{args.docs}-{args.seed}.jsonl"
    if not corpus.exists():
        subprocess.run([sys.executable, str(SHARED / "tools/neardup/make_corpus.py"), "--truth",
                        str(SHARED / "benchmarks/article-extraction/ground-truth.json"),
                        "--seeds", str(SHARED / "seeds"),
                        "--docs", str(args.docs), "--seed", str(args.seed), "-o", str(corpus)], check=True,
                       capture_output=True)
    mb = corpus.stat().st_size / 1e6
    print(f"corpus: {args.docs} documents ({corpus.name}, {mb:.0f} MB of JSONL)")
    results = {}
    if not args.skip_baseline:
        pred = OUT / "baseline.pred.jsonl"
        start = time.perf_counter()
        subprocess.run([sys.executable, str(SHARED / "tools/neardup/baseline_datasketch.py"), str(corpus), "-o",
                        str(pred)], check=True, capture_output=True)
        elapsed = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        texts_mb = sum(len(t.encode()) for batch in stream(corpus) for _, t in batch) / 1e6
        results["baseline"] = {"docs_s": args.docs / elapsed, "mb_s": texts_mb / elapsed, "seconds": elapsed,
                               "rss_mb": rss, "score": score(corpus, pred)}
    for method in ("newsclean", "rensa"):
        done = subprocess.run([sys.executable, __file__, "--method", method, "--corpus", str(corpus)],
                              capture_output=True, text=True, check=True)
        results[method] = json.loads(done.stdout.strip().splitlines()[-1])
        results[method]["score"] = score(corpus, OUT / f"{method}.pred.jsonl")
    base = results.get("baseline", {}).get("docs_s")
    for method, r in results.items():
        ratio = f"{r['docs_s'] / base:5.1f}x" if base else "   n/a"
        print(f"{method:10s} {r['docs_s']:8.0f} docs/s {r['mb_s']:6.2f} MB/s  peak RSS {r['rss_mb']:6.0f} MB  "
              f"{ratio}  {r['score']}")
    if "index_bytes_per_doc" in results.get("newsclean", {}):
        r = results["newsclean"]
        print(f"persistent index: {r['indexed']} kept articles, {r['index_bytes_per_doc']:.0f} bytes per indexed "
              "article on disk (SQLite)")


if __name__ == "__main__":
    main()
