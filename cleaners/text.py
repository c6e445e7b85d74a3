"""Small text helpers shared by the cleaners (one place each, so every cleaner agrees)."""

from __future__ import annotations

import re
from functools import lru_cache

PARAGRAPH_BREAK = "\n\n"
WORD = re.compile(r"\w+(?:['’]\w+)*")
PLAIN_WORD = re.compile(r"\w+")
# A sentence ends at . ! ? or … (optionally followed by closing quotes/brackets) and whitespace.
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+")
# The same boundaries with the stop included (a match starts one character earlier): a pattern that
# begins with a character class is searched for that class, twice as fast as a lookbehind tried at
# every position.
SENTENCE_STOP = re.compile(r"[.!?…][\"'”’»)\]]*\s+")
TERMINAL_PUNCT = re.compile(r"[.!?…:;。！？][\"'”’»)\]」』]*$")  # with CJK full stops and quotes


def paragraphs(text: str) -> list[str]:
    """Paragraphs of a normalized text (one per line, blank lines between).

    >>> paragraphs("A.\\n\\nB.\\nC.")
    ['A.', 'B.', 'C.']
    """
    return [line for line in text.split("\n") if line.strip()]


def join_paragraphs(paras: list[str]) -> str:
    return PARAGRAPH_BREAK.join(paras)


def words(text: str) -> list[str]:
    return WORD.findall(text)


# The same line is asked for its words by several rules and cleaners (boilerplate, then the MT
# checks on the paragraphs boilerplate kept), and lines recur across republished copies.
LINE_WORDS_CACHE = 8192


@lru_cache(maxsize=LINE_WORDS_CACHE)
def line_words(line: str) -> tuple[str, ...]:
    """``words(line)``, kept for the most recent lines (a tuple: shared, so never changed)."""
    return tuple(WORD.findall(line))


def capitalized_long_words(tokens: list[str] | tuple[str, ...]) -> tuple[int, int]:
    """(tokens over 3 characters, those of them starting with a capital): how much a line is cased
    like a headline (short words, "of", "the", stay lower case in one).

    >>> capitalized_long_words("Apple releases its new MacBook Pro".split())
    (3, 2)
    """
    long_words = [t for t in tokens if len(t) > 3]
    return len(long_words), sum(t[0].isupper() for t in long_words)


def ends_like_sentence(line: str) -> bool:
    """True when a line ends with sentence punctuation (possibly inside closing quotes).

    >>> ends_like_sentence("He said so.”"), ends_like_sentence("Related Articles")
    (True, False)
    """
    return bool(TERMINAL_PUNCT.search(line.rstrip()))


def comparable(text: str) -> str:
    """Lower-case words only, apostrophes dropped: for comparing headlines and hashing copies.

    >>> comparable("China’s top diplomat — vows!") == comparable("Chinas top diplomat vows")
    True
    """
    # Apostrophes are dropped first, so plain \w+ runs match what WORD would (and run faster).
    return " ".join(PLAIN_WORD.findall(text.lower().replace("’", "").replace("'", "")))
