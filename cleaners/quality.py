"""The quality gate: after cleaning, is what is left an article?"""

from __future__ import annotations

import re

from cleaners.config import QualityConfig
from cleaners.text import words

ASCII_LETTERS = re.compile("[A-Za-z]+")


def check_quality(text: str, cfg: QualityConfig) -> tuple[bool, str | None]:
    """(keep, reason). Too short after cleaning, or mostly non-letters, is not an article.

    >>> check_quality("Subscribe now", QualityConfig())
    (False, 'too_short: 2 words left after cleaning (minimum 40)')
    """
    n = len(words(text))
    if n < cfg.min_words:
        return False, f"too_short: {n} words left after cleaning (minimum {cfg.min_words})"
    visible = "".join(text.split())  # str.split() splits on exactly the characters isspace() knows
    rest = ASCII_LETTERS.sub("", visible)  # letters for sure; the rest is looked at one by one
    alpha = (len(visible) - len(rest) + sum(ch.isalpha() for ch in rest)) / len(visible)
    if alpha < cfg.min_alpha_ratio:
        return False, f"mostly_non_text: {alpha:.0%} letters (minimum {cfg.min_alpha_ratio:.0%})"
    return True, None
