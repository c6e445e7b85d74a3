"""Garble signal: how probable a sentence's word order is, from function-word bigrams.

A rewriter that scrambles a clause ("Ukraine's all-out Kremlin invasion visited") leaves the words
but not their order. Neighbouring words in real prose depend on each other ("of the", "to be",
"the <noun>"), while scrambled words are nearly independent. So each sentence is mapped to word
classes (the common function words as themselves; other words by shape: lower-case, capitalised,
number; punctuation as itself), and scored by the mean pointwise mutual information of its class
bigrams, log P(b | a) / P(b), under counts estimated on clean news text. Real order scores well
above zero; scrambled order near or below it.

The counts ship as data (``models/word_order_<lang>.json``), rebuilt by ``bench/build_word_order.py``
from half of the English article bodies of the extraction benchmark (the other half is held out to
measure it). Only sentences the model can judge are scored: 12 tokens or more, starting with a
capital, ending with a full stop, not a question (inversions are rare in news), not a table row.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cleaners.text import Memo

MODELS = Path(__file__).parent / "models"
FUNCTION_WORDS = frozenset("""a an the this that these those its their our your my his her every each some any no all
both of in on at to for from by with about into over after under between through during without against among
as than and or but nor if because while when where which who whom whose what how why he she it they we i you him
them us me is are was were be been being has have had will would can could should may might must do does did not
also just more most very there here so up out""".split())
TOKEN = re.compile(r"[^\W\d_]+(?:[’'.-][^\W\d_]+)*|\d[\d,.]*|[,;:.!?()“”\"]")
SMOOTHING = 5.0  # pseudo-counts pulling a rare context's distribution toward the unigram one
MIN_TOKENS = 12


def tokens_of(sentence: str) -> list[str]:
    return TOKEN.findall(sentence)


def _word_class(token: str) -> str:
    low = token.lower()
    if low in FUNCTION_WORDS:
        return low
    if token[0].isdigit():
        return "N"
    if token[0].isalpha():
        return "C" if token[0].isupper() else "w"
    return token


# A few thousand tokens recur in all text; at most 200k are kept.
_CLASS_OF = Memo(_word_class, limit=200_000)


def word_classes(sentence: str, tokens: list[str] | None = None) -> list[str]:
    """The sentence as word classes, after a start marker (``tokens``: its ``tokens_of``, if at hand).

    >>> word_classes("The minister said 12 talks.")
    ['<s>', 'the', 'w', 'w', 'N', 'w', '.']
    """
    return ["<s>", *map(_CLASS_OF.__getitem__, tokens_of(sentence) if tokens is None else tokens)]


def judged_tokens(sentence: str, tokens: list[str] | None = None) -> list[str] | None:
    """The tokens of a sentence the model can judge (long prose ending in a full stop, not a
    question or table row), None for another; made only past the checks on its ends (a third of
    news sentences stop there). ``tokens``: its ``tokens_of``, if at hand."""
    text = sentence.rstrip()
    if not (text[:1].isupper() and text.endswith((".", ".”", '."', ".’")) and "?" not in text):
        return None
    tokens = tokens_of(sentence) if tokens is None else tokens
    if len(tokens) >= MIN_TOKENS and sum(t[0].isdigit() for t in tokens) <= 0.2 * len(tokens):
        return tokens
    return None


@dataclass(frozen=True)
class WordOrderModel:
    unigrams: dict[str, int]
    bigrams: dict[str, int]  # "a b" -> count
    contexts: dict[str, int]  # "a" -> count of bigrams starting with it
    total: int = field(init=False)
    # log P(b | a) / P(b) by class pair, filled as pairs are met: a few hundred pairs recur in all
    # text, and one lookup is cheaper than the arithmetic (same floats, so the same scores).
    _pmi: dict[tuple[str, str], float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", sum(self.unigrams.values()))  # frozen: set once here
        object.__setattr__(self, "_pmi", Memo(self._compute_pmi))

    @classmethod
    def from_sentences(cls, sentences) -> WordOrderModel:
        unigrams: dict[str, int] = {}
        bigrams: dict[str, int] = {}
        contexts: dict[str, int] = {}
        for sentence in sentences:
            classes = word_classes(sentence)
            for a, b in zip(classes, classes[1:], strict=False):
                unigrams[b] = unigrams.get(b, 0) + 1
                bigrams[f"{a} {b}"] = bigrams.get(f"{a} {b}", 0) + 1
                contexts[a] = contexts.get(a, 0) + 1
        return cls(dict(sorted(unigrams.items())), dict(sorted(bigrams.items())), dict(sorted(contexts.items())))

    def to_json(self) -> str:
        return json.dumps({"unigrams": self.unigrams, "bigrams": self.bigrams, "contexts": self.contexts},
                          indent=0, ensure_ascii=False)

    def pmi(self, a: str, b: str) -> float:
        """log P(b | a) / P(b) for the class bigram (a, b), smoothed."""
        return self._pmi[a, b]

    def _compute_pmi(self, pair: tuple[str, str]) -> float:
        a, b = pair
        p_b = (self.unigrams.get(b, 0) + 1) / (self.total + len(self.unigrams))
        p_b_after_a = (self.bigrams.get(f"{a} {b}", 0) + SMOOTHING * p_b) / (self.contexts.get(a, 0) + SMOOTHING)
        return math.log(p_b_after_a / p_b)

    def score(self, sentence: str, tokens: list[str] | None = None) -> tuple[float, float]:
        """(total, mean) pointwise mutual information of the sentence's class bigrams."""
        classes = word_classes(sentence, tokens)
        values = list(map(self._pmi.__getitem__, zip(classes, classes[1:], strict=False)))
        total = sum(values)
        return total, total / max(1, len(values))


@lru_cache(maxsize=8)
def model_for(language: str | None) -> WordOrderModel | None:
    path = MODELS / f"word_order_{language}.json"
    if not language or not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return WordOrderModel(data["unigrams"], data["bigrams"], data["contexts"])
