"""Every cleaner copes with adversarial text: a megabyte of shapes that make careless regexes
backtrack for minutes, and long repetitions built by hypothesis.

The tests assert what the cleaners do with such text: they remove what is junk, and a second pass
changes nothing. They time nothing; bench/adversarial.py prints each cleaner's worst time (under a
second on a megabyte). A pattern that backtracks catastrophically makes a test here run for hours
instead, which fails the CI run; `py-spy dump` on it names the pattern. (No watchdog inside pytest
can stop it: a regex match holds the GIL in C, so neither a signal nor a timer thread gets in.)
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.adversarial import adversarial_texts
from cleaners.config import Config
from cleaners.registry import CLEANER_NAMES, CleanerContext, get_cleaner

CONFIG = Config()
TEXTS = adversarial_texts()


def clean(cleaner: str, text: str):
    ctx = CleanerContext(title="Headline", language=None if cleaner == "language" else "en", config=CONFIG)
    return get_cleaner(cleaner)(text, ctx)


@pytest.mark.parametrize("cleaner", CLEANER_NAMES)
def test_each_cleaner_settles_on_every_adversarial_megabyte(cleaner):
    for name, text in TEXTS.items():
        once = clean(cleaner, text).text
        assert clean(cleaner, once).text == once, f"{cleaner} changes its own output on {name}"


def test_adversarial_junk_is_removed_or_repaired_whole():
    # A megabyte of one boilerplate line, of one byline, of one doubled word, of one mojibake pair.
    assert clean("boilerplate", TEXTS["short_lines"]).text == ""
    assert clean("metadata", TEXTS["by_lines"]).text == ""
    assert clean("mt_glitches", TEXTS["doubled_words"]).text == "the"
    repaired = clean("unicode", TEXTS["mojibake"]).text
    assert repaired == "é’" * (len(TEXTS["mojibake"]) // 5)
    # Prose with no line break is left as it is: nothing in it is junk.
    prose = TEXTS["no_newline_prose"]
    assert clean("boilerplate", prose).text == prose
    assert clean("mt_glitches", prose).text == prose.rstrip()  # less the trailing space


# Repetitive structures built by hypothesis: a unit repeated many times, nested, with noise.
units = st.text(alphabet=st.sampled_from(list(" \n.,:;!?«»“”‘’\"'()-–—|*aAb1\u00a0\u200b")), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(unit=units, times=st.integers(1000, 30000), tail=st.text(max_size=20))
def test_each_cleaner_settles_on_generated_repetitions(unit, times, tail):
    text = unit * times + tail
    for cleaner in CLEANER_NAMES:
        once = clean(cleaner, text).text
        assert clean(cleaner, once).text == once, (cleaner, unit, times, tail)
