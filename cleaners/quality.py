"""The quality gate: after cleaning, is what is left an article?"""

from __future__ import annotations

import string
from itertools import islice

from cleaners.config import QualityConfig
from cleaners.text import WORD

ASCII_LETTERS = string.ascii_letters.encode()


def check_quality(text: str, cfg: QualityConfig) -> tuple[bool, str | None]:
    """(keep, reason). Too short after cleaning, or mostly non-letters, is not an article.

    >>> check_quality("Subscribe now", QualityConfig())
    (False, 'too_short: 2 words left after cleaning (minimum 40)')
    """
    # Counted only as far as the minimum: a whole article's words are not needed to pass it.
    n = sum(1 for _ in islice(WORD.finditer(text), cfg.min_words))
    if n < cfg.min_words:
        return False, f"too_short: {n} words left after cleaning (minimum {cfg.min_words})"
    # ASCII letters are letters for sure; the rest, spaces aside, is looked at one by one. They are
    # dropped from the UTF-8 bytes (no other character's bytes are ASCII): ~13x faster than a regex sub.
    rest = text.encode("utf-8", "surrogatepass").translate(None, ASCII_LETTERS).decode("utf-8", "surrogatepass")
    others = "".join(rest.split())  # str.split() splits on exactly the characters isspace() knows
    ascii_letters = len(text) - len(rest)
    alpha = (ascii_letters + sum(ch.isalpha() for ch in others)) / (ascii_letters + len(others))
    if alpha < cfg.min_alpha_ratio:
        return False, f"mostly_non_text: {alpha:.0%} letters (minimum {cfg.min_alpha_ratio:.0%})"
    return True, None
