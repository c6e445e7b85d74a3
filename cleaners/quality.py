"""The quality gate: after cleaning, is what is left an article?"""

from __future__ import annotations

import string
from itertools import islice

from cleaners.config import QualityConfig
from cleaners.text import WORD

ASCII_LETTERS = string.ascii_letters.encode()
ASCII_NON_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha() and not chr(c).isspace())


def check_quality(text: str, cfg: QualityConfig) -> tuple[bool, str | None]:
    """(keep, reason). Too short after cleaning, or mostly non-letters, is not an article.

    >>> check_quality("Subscribe now", QualityConfig())
    (False, 'too_short: 2 words left after cleaning (minimum 40)')
    """
    # Counted only as far as the minimum: a whole article's words are not needed to pass it.
    n = sum(1 for _ in islice(WORD.finditer(text), cfg.min_words))
    if n < cfg.min_words:
        return False, f"too_short: {n} words left after cleaning (minimum {cfg.min_words})"
    alpha = letter_share(text)
    if alpha < cfg.min_alpha_ratio:
        return False, f"mostly_non_text: {alpha:.0%} letters (minimum {cfg.min_alpha_ratio:.0%})"
    return True, None


def letter_share(text: str) -> float:
    """The share of letters (``str.isalpha``) among the characters that are not space (``isspace``).

    >>> letter_share("ab 12 ½² --")
    0.25
    """
    # ASCII letters are letters for sure, and ASCII digits and punctuation are not; only the rest,
    # spaces aside, is looked at one by one. Both are dropped from the UTF-8 bytes (no other
    # character's bytes are ASCII): ~13x faster than a regex sub.
    data = text.encode("utf-8", "surrogatepass")
    rest = data.translate(None, ASCII_LETTERS)
    beyond = rest.translate(None, ASCII_NON_LETTERS)
    ascii_letters, ascii_others = len(data) - len(rest), len(rest) - len(beyond)
    others = "".join(beyond.decode("utf-8", "surrogatepass").split())  # split(): exactly what isspace() knows
    visible = ascii_letters + ascii_others + len(others)
    return (ascii_letters + sum(map(str.isalpha, others))) / visible if visible else 0.0
