"""No cleaner backtracks catastrophically: 1 MB of adversarial text each, under a generous bound.

The real figures (well under a second for most) are printed by bench/adversarial.py; this test only
guards against pathological regexes, so its bound is loose enough for a slow CI machine.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.adversarial import adversarial_texts
from cleaners.config import Config
from cleaners.registry import CLEANER_NAMES, CleanerContext, get_cleaner

BOUND_S = 10.0
CONFIG = Config()
TEXTS = adversarial_texts()


@pytest.mark.parametrize("cleaner", CLEANER_NAMES)
def test_cleaner_bounded_on_adversarial_megabyte(cleaner):
    fn = get_cleaner(cleaner)
    worst = 0.0
    for name, text in TEXTS.items():
        start = time.perf_counter()
        fn(text, CleanerContext(title="Headline", language=None if cleaner == "language" else "en", config=CONFIG))
        elapsed = time.perf_counter() - start
        assert elapsed < BOUND_S, f"{cleaner} took {elapsed:.1f}s on {name}"
        worst = max(worst, elapsed)


# Repetitive structures built by hypothesis: a unit repeated many times, nested, with noise.
units = st.text(alphabet=st.sampled_from(list(" \n.,:;!?«»“”‘’\"'()-–—|*aAb1\u00a0\u200b")), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(unit=units, times=st.integers(1000, 30000), tail=st.text(max_size=20))
def test_cleaners_bounded_on_generated_repetitions(unit, times, tail):
    text = unit * times + tail
    for cleaner in CLEANER_NAMES:
        start = time.perf_counter()
        ctx = CleanerContext(title="Headline", language=None if cleaner == "language" else "en", config=CONFIG)
        get_cleaner(cleaner)(text, ctx)
        assert time.perf_counter() - start < BOUND_S, (cleaner, unit, times)
