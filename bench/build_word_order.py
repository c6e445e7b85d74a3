#!/usr/bin/env python3
"""Rebuild the word-order (garble) model from clean news text.

    python bench/build_word_order.py

Counts the class bigrams of the English article bodies of
../shared/benchmarks/article-extraction/ground-truth.json (MIT) that ``training_half`` selects
(every other English article, in the file's order); bench/mt_glitches.py measures garble detection
on the other half only. Writes cleaners/models/word_order_en.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GROUND_TRUTH = ROOT.parent / "shared" / "benchmarks" / "article-extraction" / "ground-truth.json"

from cleaners.config import Config  # noqa: E402
from cleaners.language import identify  # noqa: E402
from cleaners.registry import CleanerContext  # noqa: E402
from cleaners.text import SENTENCE_END, paragraphs  # noqa: E402
from cleaners.unicode import repair_unicode  # noqa: E402
from cleaners.word_order import MODELS, WordOrderModel  # noqa: E402


def english_bodies() -> list[list[str]]:
    """Paragraphs of each English body of the benchmark, in the file's order."""
    truth = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    ctx = CleanerContext(config=Config())
    out = []
    for row in truth.values():
        body = repair_unicode(row["articleBody"], ctx).text
        if identify(body)[0] == "en":
            out.append(paragraphs(body))
    return out


def training_half(articles: list) -> list:
    return articles[0::2]


def held_out_half(articles: list) -> list:
    return articles[1::2]


def main() -> None:
    sentences = [s for paras in training_half(english_bodies()) for p in paras for s in SENTENCE_END.split(p)
                 if s.strip()]
    model = WordOrderModel.from_sentences(sentences)
    MODELS.mkdir(exist_ok=True)
    (MODELS / "word_order_en.json").write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"{len(sentences)} sentences, {len(model.bigrams)} class bigrams -> {MODELS / 'word_order_en.json'}")


if __name__ == "__main__":
    main()
