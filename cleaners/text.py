"""Small text helpers shared by the cleaners (one place each, so every cleaner agrees)."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import numpy as np

from cleaners.compiled import compiled

PARAGRAPH_BREAK = "\n\n"
WORD = re.compile(r"\w+(?:['’]\w+)*")
# WORD for ASCII text (seven in ten paragraphs here), where \w is these ranges and ’ cannot be: re
# tests listed ranges faster than the Unicode category (5.4 -> 4.4 us a paragraph).
ASCII_WORD = re.compile(r"[A-Za-z0-9_]+(?:'[A-Za-z0-9_]+)*")
PLAIN_WORD = re.compile(r"\w+")
# A sentence ends at . ! ? or … (optionally followed by closing quotes/brackets) and whitespace.
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+")
# The same boundaries with the stop included (a match starts one character earlier): a pattern that
# begins with a character class is searched for that class, twice as fast as a lookbehind tried at
# every position.
SENTENCE_STOP = re.compile(r"[.!?…][\"'”’»)\]]*\s+")
# Sentence punctuation (with CJK full stops), and what may close after it (quotes, brackets).
TERMINAL_STOPS = frozenset(".!?…:;。！？")
CLOSERS = "\"'”’»)]」』"


class Memo(dict):
    """key -> ``compute(key)``, worked out on first sight; cleared, not grown, past ``limit`` keys."""

    def __init__(self, compute, limit: int | None = None):
        super().__init__()
        self.compute, self.limit = compute, limit

    def __missing__(self, key):
        if self.limit is not None and len(self) >= self.limit:
            self.clear()
        self[key] = value = self.compute(key)
        return value


def paragraphs(text: str) -> list[str]:
    """Paragraphs of a normalized text (one per line, blank lines between).

    >>> paragraphs("A.\\n\\nB.\\nC.")
    ['A.', 'B.', 'C.']
    """
    return [line for line in text.split("\n") if line.strip()]


def join_paragraphs(paras: list[str]) -> str:
    return PARAGRAPH_BREAK.join(paras)


def words(text: str) -> list[str]:
    return (ASCII_WORD if text.isascii() else WORD).findall(text)


# The same line is asked for its words by several rules and cleaners (boilerplate, then the MT
# checks on the paragraphs boilerplate kept), and lines recur across republished copies.
LINE_WORDS_CACHE = 8192


@lru_cache(maxsize=LINE_WORDS_CACHE)
def line_words(line: str) -> tuple[str, ...]:
    """``words(line)``, kept for the most recent lines (a tuple: shared, so never changed)."""
    return tuple((ASCII_WORD if line.isascii() else WORD).findall(line))


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
    # Read from the end: a regex anchored at "$" is still tried from every stop in the line (1.7% of
    # the cleaning time, called for most lines by several cleaners).
    return line.rstrip().rstrip(CLOSERS)[-1:] in TERMINAL_STOPS


def comparable(text: str) -> str:
    """Lower-case words only, apostrophes dropped: for comparing headlines and hashing copies.

    >>> comparable("China’s top diplomat — vows!") == comparable("Chinas top diplomat vows")
    True
    """
    if len(text) >= COMPARABLE_BY_CODE_POINTS:
        found = _comparable_by_code_points(text)
        if found is not None:
            return found
    # Apostrophes are dropped first, so plain \w+ runs match what WORD would (and run faster).
    return " ".join(PLAIN_WORD.findall(text.lower().replace("’", "").replace("'", "")))


# From this length on, ``comparable`` works on the text's code points (compiled): a whole article
# of 3,500 characters 100 -> 17 us; the regex's \w+ findall makes a string object per word. Below,
# the regex is faster (40-60 characters: 1.7 against 2.5 us; 80-100: 2.8 against 2.7).
COMPARABLE_BY_CODE_POINTS = 100
_BMP = 0x10000
NOT_ONE_TO_ONE = np.uint32(0xFFFFFFFF)  # lower-cases by context (Σ) or to several characters (İ)
APOSTROPHE_MARK = np.uint32(0xFFFFFFFE)


@cache
def code_point_tables() -> tuple[np.ndarray, np.ndarray]:
    """For each code point of the Basic Multilingual Plane: its lower case (or a mark for the
    apostrophes, dropped, and for the characters ``str.lower`` does not map one to one), and
    whether ``\\w`` matches it (alphanumeric or "_", as re defines it; tested against re)."""
    characters = [chr(code) for code in range(_BMP)]
    lowered = [ch.lower() for ch in characters]
    lower = np.array([ord(low) if len(low) == 1 else 0 for low in lowered], dtype=np.uint32)
    lower[[code for code, low in enumerate(lowered) if len(low) != 1] + [ord("Σ")]] = NOT_ONE_TO_ONE
    lower[[ord("'"), ord("’")]] = APOSTROPHE_MARK
    word = np.array([ch.isalnum() or ch == "_" for ch in characters], dtype=bool)
    return lower, word


@cache
def digit_and_space_tables() -> tuple[np.ndarray, np.ndarray]:
    """For each code point of the Basic Multilingual Plane: whether re's ``\\d`` matches it (a
    decimal digit, ``str.isdecimal``), and whether its ``\\s`` does (``str.isspace``); tested against re."""
    characters = [chr(code) for code in range(_BMP)]
    return (np.array([ch.isdecimal() for ch in characters], dtype=bool),
            np.array([ch.isspace() for ch in characters], dtype=bool))


def code_points(text: str) -> np.ndarray:
    """``text``'s code points as uint32, for the compiled scans (a lone surrogate, which a
    malformed input may hold, is kept as its own code point rather than failing the encoding)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _comparable_by_code_points(text: str) -> str | None:
    """``comparable(text)``, or None for a text it leaves to the regex (beyond the BMP, or with a
    character whose lower case depends on its context or has several characters)."""
    codes = code_points(text)
    lower_of, is_word = code_point_tables()
    out = np.empty(len(codes), dtype=np.uint32)
    length = _comparable_codes(codes, lower_of, is_word, out)
    return None if length < 0 else out[:length].tobytes().decode("utf-32-le")


@compiled
def _comparable_codes(codes, lower_of, is_word, out):  # pragma: no cover - compiled; tested against the regex
    """``comparable`` over code points in one pass (numpy took eight, 45 us for 3,500 characters):
    writes the lowered word characters to ``out``, one space for each run of others between words,
    apostrophes dropped; returns the length written, or -1 where the regex must decide."""
    length = 0
    in_word = False
    for i in range(len(codes)):
        code = codes[i]
        if code >= len(lower_of):
            return -1
        low = lower_of[code]
        if low == NOT_ONE_TO_ONE:
            return -1
        if low == APOSTROPHE_MARK:
            continue
        if is_word[low]:
            out[length] = low
            length += 1
            in_word = True
        elif in_word:
            out[length] = 32
            length += 1
            in_word = False
    if length and not in_word:  # the space after the last word
        length -= 1
    return length
