#!/usr/bin/env python3
"""Worst-case time of each cleaner on 1 MB adversarial texts, and how it grows with the text.

    python bench/adversarial.py [--size BYTES]

Each text is also cleaned at a quarter of the size: linear work takes ~4x as long at the full
size, quadratic work ~16x (the growth column names the text that grows most). The tests assert what
the cleaners do with these texts, never how long they take.
"""

from __future__ import annotations

import argparse
import time

from cleaners.adversarial import MB, adversarial_texts
from cleaners.config import Config
from cleaners.registry import CLEANER_NAMES, CleanerContext, get_cleaner

# Growth is read only where the quarter size takes this long: below it, caches (a 256 KB text stays
# in the CPU's, a 1 MB one does not) and timer noise swamp it.
MIN_TIMED_S = 0.03


def times_of(cleaner: str, texts: dict[str, str], config: Config) -> dict[str, float]:
    fn = get_cleaner(cleaner)
    ctx = CleanerContext(title="Headline", language=None if cleaner == "language" else "en", config=config)
    times = {}
    for name, text in texts.items():
        start = time.perf_counter()
        fn(text, ctx)
        times[name] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=MB)
    size = parser.parse_args().size
    config = Config()
    texts, quarter = adversarial_texts(size), adversarial_texts(size // 4)
    for cleaner in CLEANER_NAMES:  # compiled code and caches warmed before anything is timed
        times_of(cleaner, adversarial_texts(1024), config)
    print(f"{'cleaner':12s} {'worst s':>8s}  {'worst text':20s}  {'total s':>7s}  growth at 4x size"
          f"  (all {len(texts)} texts of {size} chars)")
    for cleaner in CLEANER_NAMES:
        full, small = times_of(cleaner, texts, config), times_of(cleaner, quarter, config)
        worst = max(full, key=full.get)
        growth = {name: full[name] / max(small[name], 1e-6) for name in full if small[name] >= MIN_TIMED_S}
        steepest = max(growth, key=growth.get, default=None)
        grows = f"{growth[steepest]:5.1f}x {steepest}" if steepest else "    - (all fast)"
        print(f"{cleaner:12s} {full[worst]:8.3f}  {worst:20s}  {sum(full.values()):7.2f}  {grows}")


if __name__ == "__main__":
    main()
