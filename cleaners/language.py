"""Language identification with langdetect, seeded so that every run gives the same answer.

langdetect samples n-grams at random; its README notes that results vary unless
``DetectorFactory.seed`` is fixed. Its detector runs on cleaners.fast_langdetect (same answers,
~6x faster per article). We detect on a bounded prefix of the text (accuracy saturates after a
few thousand characters, while cost grows linearly) and keep the top probability.
"""

from __future__ import annotations

from functools import lru_cache

from langdetect.lang_detect_exception import LangDetectException

from cleaners.document import Cleaned
from cleaners.fast_langdetect import detect_langs

NAME = "language"
UNKNOWN = "und"  # ISO 639-2 "undetermined", for text with no letters langdetect can use


def identify(text: str, seed: int = 0, max_chars: int = 3000) -> tuple[str, float]:
    """(language code, probability) of ``text``, deterministic for a given seed.

    >>> identify("The minister said the talks would continue next week in Beijing.")[0]
    'en'
    >>> identify("12 345 !!!")
    ('und', 0.0)
    """
    return _identify_prefix(text[:max_chars], seed)


@lru_cache(maxsize=1024)  # syndicated copies often begin alike; keyed on the prefix, not the whole text
def _identify_prefix(prefix: str, seed: int) -> tuple[str, float]:
    try:
        best = detect_langs(prefix, seed)[0]
    except LangDetectException:
        return UNKNOWN, 0.0
    return best.lang, round(best.prob, 4)


@lru_cache(maxsize=4096)  # a confirming cleaning round asks again about the same sentences
def other_language(text: str, language: str, min_prob: float, seed: int = 0,
                   max_chars: int = 3000) -> tuple[str, float] | None:
    """``identify(text)`` when its answer is a language other than ``language`` with probability
    at least ``min_prob``; else None. Same answers as asking ``identify``, but langdetect stops its
    trials once no other language can reach ``min_prob`` (most text is in the article's language).

    >>> other_language("Le ministre a dit que les discussions reprendraient la semaine prochaine.", "en", 0.9)
    ('fr', 1.0)
    >>> other_language("The minister said the talks would continue next week in Beijing.", "en", 0.9)
    """
    try:
        found = detect_langs(text[:max_chars], seed, settle=(language, min_prob))
    except LangDetectException:
        return None
    if not found:
        return None
    lang, prob = found[0].lang, round(found[0].prob, 4)
    return (lang, prob) if lang not in (language, UNKNOWN) and prob >= min_prob else None


def detect_language(text: str, ctx) -> Cleaned:
    """Store the article's language and its probability; the text is unchanged.

    Detected once per article: a later cleaning round (after quote repairs) keeps the first answer.
    """
    if ctx.language:
        return Cleaned(text)
    cfg = ctx.config.language
    lang, prob = identify(text, cfg.seed, cfg.max_chars)
    return Cleaned(text, [], {"language": lang, "language_prob": prob})
