"""The quality gate on real and edge-case text: word count and share of letters."""

from __future__ import annotations

from cleaners.config import QualityConfig
from cleaners.quality import check_quality

from .conftest import SEEDS

CFG = QualityConfig()


def test_a_cleaned_seed_passes(cleaned_seeds):
    for article in cleaned_seeds.values():
        assert check_quality(article.text, CFG) == (True, None), article.id


def test_words_are_counted_up_to_the_minimum():
    body = (SEEDS / "002_f21ae2525bea576d.txt").read_text(encoding="utf-8").split()
    assert check_quality(" ".join(body[:39]), CFG) == (
        False, "too_short: 39 words left after cleaning (minimum 40)")
    assert check_quality(" ".join(body[:40]), CFG)[0]
    # "China’s" is one word, as the cleaners count words
    assert check_quality("China’s " * 39, CFG)[1] == "too_short: 39 words left after cleaning (minimum 40)"


def test_letter_share_counts_every_script_and_ignores_spaces():
    # 40 words of 2 Cyrillic letters and a digit: 80 letters of 120 visible characters (67%)
    text = "ям1 \u00a0\n" * 40
    assert check_quality(text, QualityConfig(min_alpha_ratio=0.66)) == (True, None)
    assert check_quality(text, QualityConfig(min_alpha_ratio=0.67)) == (
        False, "mostly_non_text: 67% letters (minimum 67%)")
    # ASCII letters, digits and symbols; "½" and "²" are numbers, not letters
    table = "ab 12 ½² -- " * 10
    assert check_quality(table, QualityConfig(min_words=1, min_alpha_ratio=0.3)) == (
        False, "mostly_non_text: 25% letters (minimum 30%)")


def test_a_lone_surrogate_is_a_character_not_an_error():
    text = "Talks \ud800resumed " * 40
    assert check_quality(text, CFG) == (True, None)
