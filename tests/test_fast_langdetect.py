"""The fast detector gives langdetect's own probabilities, bit for bit, on real text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langdetect import DetectorFactory
from langdetect import detect_langs as langdetect_detect_langs
from langdetect.lang_detect_exception import LangDetectException

from cleaners.fast_langdetect import _LATIN, _NON_LATIN, _VI_MARK, _CharacterCounts, detect_langs
from cleaners.language import identify, other_language
from tests.conftest import SEEDS

BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "article-extraction"


def _real_texts() -> list[str]:
    bodies = [v["articleBody"] for v in json.loads((BENCH / "ground-truth.json").read_text("utf-8")).values()]
    pages = json.loads((BENCH / "html-text.json").read_text("utf-8"))
    pages = [v["articleBody"] for v in next(iter(pages.values())).values()]
    texts = [p.read_text("utf-8")[:3000] for p in sorted(SEEDS.glob("*.txt"))]
    for body in bodies[::6]:  # whole articles (as the language cleaner sees them) and paragraphs
        texts.append(body[:3000])
        texts += [p[:500] for p in body.split("\n") if p.strip()][:4]
    texts += [page[:3000] for page in pages[::15]]  # menus, footers, mixed scripts
    return texts


def _reference(text: str, seed: int):
    DetectorFactory.seed = seed
    try:
        return [(x.lang, x.prob) for x in langdetect_detect_langs(text)]
    except LangDetectException as exc:
        return str(exc)


def _fast(text: str, seed: int):
    try:
        return [(x.lang, x.prob) for x in detect_langs(text, seed)]
    except LangDetectException as exc:
        return str(exc)


def test_same_probabilities_as_langdetect_on_real_articles_paragraphs_and_pages():
    texts = _real_texts()
    assert len(texts) > 100
    for seed in (0, 7):
        for text in texts:
            assert _fast(text, seed) == _reference(text, seed), text[:120]


@pytest.mark.parametrize("text", [
    "", "12 345 !!! ...", "NATO UN EU USA", "Привет, как дела у тебя сегодня вечером?", "中华人民共和国国务院今天发布",
    "こんにちは、世界。カタカナも", "Ｆｕｌｌ ｗｉｄｔｈ text", "Tiếng Việt có dấu",
    "see https://example.com/a?b=c or mail a@b.org",
    "  two   spaces\tand\ttabs  ", "Şi ţară în România", "ABCdef GHi jKL",
    "Tie\u0302\u0301ng Vie\u0323\u0302t co\u0301 da\u0302\u0301u", "Привет,  как  дела  у  тебя  сегодня",
])
def test_same_answer_on_edge_cases_scripts_and_empty_text(text):
    assert _fast(text, 0) == _reference(text, 0)


# A text's characters are counted in one compiled pass, and its code points reused for its n-gram
# rows where it is kept as it is: the same edge cases, long, and ones over max_text_length.
LONG_EDGE_CASES = [
    " ".join(["Привет, как дела у тебя сегодня вечером? Hello there."] * 20),
    " ".join(["中华人民共和国国务院今天发布 news"] * 60),
    " ".join(["Tie\u0302\u0301ng Vie\u0323\u0302t co\u0301 da\u0302\u0301u"] * 40),  # decomposed marks
    " ".join(["Ţară Ḁḁ ẞ ỳ ⁂ words in Latin letters and more"] * 30),
    "The talks resumed today. " * 500,  # over max_text_length (10,000)
    "lone \ud800 surrogate and text " * 40,
]


@pytest.mark.parametrize("text", LONG_EDGE_CASES)
def test_same_answer_on_long_edge_cases(text):
    assert len(text) >= 600
    assert _fast(text, 0) == _reference(text, 0)


@pytest.mark.parametrize("text", LONG_EDGE_CASES + ["Tiếng Việt có dấu", "Tie\u0302\u0301ng", "plain ascii", "",
                                  "\u02ff\u0300\u1dff\u1e00\u1eff\u1f00 @[`{ AZaz \U0001f600"])  # the edges
def test_character_counts_are_what_the_patterns_find(text):
    counts = _CharacterCounts(text)
    assert counts.non_latin == len(_NON_LATIN.findall(text))
    assert counts.latin == len(_LATIN.findall(text))
    assert counts.vi_marks == bool(_VI_MARK.search(text))


def _other_by_full_answer(text: str, language: str) -> tuple[str, float] | None:
    lang, prob = identify(text, max_chars=500)
    return (lang, prob) if lang not in (language, "und") and prob >= 0.9 else None


def test_settled_early_gives_the_same_answers_as_the_full_detection():
    texts = _real_texts()
    settled = 0
    for language in ("en", "fr", "de"):
        for text in texts:
            assert other_language(text, language, 0.9, max_chars=500) == _other_by_full_answer(text, language), \
                (language, text[:120])
            settled += detect_langs(text[:500], 0, settle=(language, 0.9)) == []
    assert settled >= len(texts) // 2  # the shortcut is taken (most of the texts are English)


def test_settling_stops_after_the_first_trial_on_a_plain_english_sentence():
    from langdetect import detector_factory

    from cleaners.fast_langdetect import FastDetector

    detector_factory.init_factory()
    detector_factory.DetectorFactory.seed = 0
    detector = FastDetector(detector_factory._factory)
    detector.settle = ("en", 0.9)
    detector.append("The minister said the talks with the union would continue next week in the capital.")
    assert detector.get_probabilities() == [] and detector.settled  # partial trials: no answer sorted
    assert max(detector.langprob) < 1 / 7 + 1e-9  # one trial's share of the average, not seven


def test_compiles_without_a_cache_folder(monkeypatch):
    """A read-only install with no writable home: numba cannot cache, the loop compiles in memory."""
    import numba

    from cleaners import fast_langdetect
    from cleaners.compiled import compiled

    real_njit = numba.njit

    def njit_without_cache(*args, cache=False, **kwargs):
        if cache:
            raise RuntimeError("cannot cache function '_random': no locator available for file")
        return real_njit(*args, **kwargs)

    monkeypatch.setattr(numba, "njit", njit_without_cache)
    in_memory = compiled(fast_langdetect._random.py_func)
    assert in_memory(2**32 - 1, 2**32 - 1) == fast_langdetect._random(2**32 - 1, 2**32 - 1) < 1.0


def test_starts_as_langdetects_detector_and_falls_back_to_its_loop_unseeded():
    """The fast detector sets what langdetect's Detector sets (less its OS-seeded random source,
    which only langdetect's own loop uses); unseeded, that loop still runs and answers."""
    from langdetect import detector_factory
    from langdetect.detector import Detector

    from cleaners.fast_langdetect import FastDetector

    detector_factory.init_factory()
    factory = detector_factory._factory
    plain, fast = vars(Detector(factory)), vars(FastDetector(factory))
    assert set(plain) == set(fast)
    assert {k: v for k, v in plain.items() if k != "random"} == {k: v for k, v in fast.items() if k != "random"}
    unseeded = FastDetector(factory)
    unseeded.seed = None
    unseeded.append("Le ministre a dit que les discussions reprendraient la semaine prochaine à Paris.")
    assert unseeded.get_probabilities()[0].lang == "fr"


NGRAM_EDGE_CASES = [
    "emoji 🙂 in text, 𝐁𝐎𝐋𝐃 𝐂𝐀𝐏𝐈𝐓𝐀𝐋𝐒, 𝐀BC 𝐁𝐎Ld and 𝐛𝐨𝐥𝐝 small, 𠀀 CJK extension B",  # beyond the BMP
    "NATO and the UN met IN NEW YORK; iPhone McDonald ABCdef aBC",  # runs of capitals
    "Ș ș Ț ț Farsi ی yeh, Ạ ệ, ひらがな カタカナ ㄅㄆ 中华人民共和国 한국어", "\ud800 lone surrogate",
    "  spaces\t\ttabs\n\nbreaks — dashes… “quotes” «guillemets» 1,234.5 %", "a", " ", "",
]


def test_ngram_rows_are_langdetects_own_ngrams():
    """The compiled extraction finds langdetect's n-grams, in its order (its own pure-Python
    _extract_ngrams over the same text): real text, every script the normaliser maps, capitals,
    and characters beyond the BMP (normalised one by one)."""
    from langdetect import detector_factory
    from langdetect.detector import Detector

    from cleaners.fast_langdetect import FastDetector

    detector_factory.init_factory()
    factory = detector_factory._factory
    strings = list(factory.word_lang_prob_map)
    for text in _real_texts()[::3] + NGRAM_EDGE_CASES:
        plain, fast = Detector(factory), FastDetector(factory)
        plain.text = fast.text = text
        assert [strings[r] for r in fast._ngram_rows().tolist()] == plain._extract_ngrams(), text[:80]
