"""Language: langdetect seeded, per article, on French, German and Spanish news too, same every run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cleaners.config import Config
from cleaners.language import _identify_prefix, detect_language, identify
from cleaners.mt_glitches import repair_mt_glitches
from cleaners.registry import CleanerContext

ROOT = Path(__file__).resolve().parent.parent
GROUND_TRUTH = ROOT.parent / "shared" / "benchmarks" / "article-extraction" / "ground-truth.json"
GERMAN_BODY = "ba07d1e64775f4090e39116c382111f5a2cfe9528dd179673f4e9bfcea370c15"


def _texts() -> dict[str, str]:
    translated = json.loads((Path(__file__).parent / "cases" / "translated_seed_paragraphs.json").read_text("utf-8"))
    german = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))[GERMAN_BODY]["articleBody"]
    return {"fr": translated["fr"], "es": translated["es"], "de": german}


def test_french_german_spanish_articles_get_their_language_with_high_probability():
    for expected, text in _texts().items():
        done = detect_language(text, CleanerContext(config=Config()))
        assert done.text == text
        assert done.fields["language"] == expected
        assert done.fields["language_prob"] > 0.9


def test_language_identical_across_calls_and_processes():
    texts = _texts()
    here = {lang: identify(text, 0, 3000) for lang, text in texts.items()}
    _identify_prefix.cache_clear()
    assert {lang: identify(text, 0, 3000) for lang, text in texts.items()} == here
    code = ("import json, sys; from cleaners.language import identify; "
            "texts = json.load(sys.stdin); print(json.dumps({k: identify(t, 0, 3000) for k, t in texts.items()}))")
    for _ in range(2):  # fresh interpreters: langdetect's random sampling starts from its seed each time
        out = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True,
                             cwd=ROOT, check=True)
        assert {k: tuple(v) for k, v in json.loads(out.stdout).items()} == here


def test_french_paragraph_in_an_english_article_is_flagged_not_rewritten(cleaned_seeds):
    english = cleaned_seeds["001_b41261e48053f856"].text
    french = _texts()["fr"]
    text = english + "\n\n" + french
    done = repair_mt_glitches(text, CleanerContext(language="en", config=Config()))
    flags = [e for e in done.edits if e.category == "foreign_language"]
    assert [f.before for f in flags] == [french]
    assert "'fr'" in flags[0].reason and flags[0].score > 0.9
    assert french in done.text
