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


def test_the_letter_share_is_the_share_counted_one_character_at_a_time(cleaned_seeds):
    # letter_share skips the ASCII characters in bulk; it must agree exactly with counting each
    # character, on the seeds and on text mixing scripts, numbers, controls that are spaces
    # (\x1c-\x1f, which str.split splits on) and controls that are not (\x00, \x7f).
    from cleaners.quality import letter_share

    def one_by_one(text):
        visible = [ch for ch in text if not ch.isspace()]
        return sum(ch.isalpha() for ch in visible) / len(visible)

    texts = [a.text for a in cleaned_seeds.values()]
    texts += ["a\x1cb\x1d c\x1e\x1f d", "é 12 ç—“x” ǅ ſ ß", "日本語 テキスト 123", "Talks \ud800resumed",
              "\x00\x7fab\u2028~", "\t\x0b\x0c\r\n x1 \u3000Ⅻ ½"]
    for text in texts:
        assert letter_share(text) == one_by_one(text), text
    assert letter_share(" \n\x1c") == 0.0  # nothing visible: no letters, no error
