#!/usr/bin/env python3
"""Worst-case time of each cleaner on 1 MB adversarial texts (tests only assert a loose bound).

    python bench/adversarial.py [--size BYTES]
"""

from __future__ import annotations

import argparse
import time

from cleaners.adversarial import MB, adversarial_texts
from cleaners.config import Config
from cleaners.registry import CLEANER_NAMES, CleanerContext, get_cleaner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=MB)
    size = parser.parse_args().size
    texts, config = adversarial_texts(size), Config()
    print(f"{'cleaner':12s} {'worst s':>8s}  worst text            (all {len(texts)} texts of {size} chars)")
    for cleaner in CLEANER_NAMES:
        fn = get_cleaner(cleaner)
        times = {}
        for name, text in texts.items():
            start = time.perf_counter()
            fn(text, CleanerContext(title="Headline", language=None if cleaner == "language" else "en", config=config))
            times[name] = time.perf_counter() - start
        worst = max(times, key=times.get)
        print(f"{cleaner:12s} {times[worst]:8.3f}  {worst:20s}  total {sum(times.values()):.2f}s")


if __name__ == "__main__":
    main()
