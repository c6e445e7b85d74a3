from __future__ import annotations

import json
from pathlib import Path

import ftfy

from cleaners.unicode import FTFY_CONFIG, LINE_BREAKS, ftfy_leaves_alone, repair_unicode


def test_mojibake_and_entities_repaired_and_recorded():
    broken = "China\u00e2\u20ac\u2122s top diplomat &amp; \u00e2\u20ac\u0153new consensus\u00e2\u20ac\u009d"
    result = repair_unicode(broken)
    assert result.text == "China’s top diplomat & “new consensus”"
    (edit,) = [e for e in result.edits if e.category == "mojibake"]
    assert edit.before == broken and edit.after == result.text and "ftfy" in edit.reason


def test_curly_quotes_are_kept():
    text = "He said “no” and ‘maybe’."
    assert repair_unicode(text).text == text
    assert repair_unicode(text).edits == []


def test_invisible_and_control_characters_removed_with_counts():
    result = repair_unicode("Wang\u200b Yi\u00ad said\x07 so.")
    assert result.text == "Wang Yi said so."
    reasons = sorted(e.reason for e in result.edits)
    # ftfy removes the control character itself; the zero-width ones are ours to count.
    assert reasons == ["2 zero-width/bidi/soft-hyphen character(s) removed", "ftfy: apply remove_control_chars"]


def test_nbsp_from_seed_002_normalized():
    result = repair_unicode("READ\u00a0 Turkey: Beyond Erdogan's Ambitious Space Plans")
    assert result.text == "READ Turkey: Beyond Erdogan's Ambitious Space Plans"


def test_paragraph_layout_consistent():
    result = repair_unicode("First para.\r\nSecond para.\n\n\n\n  Third para.  ")
    assert result.text == "First para.\n\nSecond para.\n\nThird para."
    assert [e.category for e in result.edits] == ["layout"]


def test_nfc_normalization():
    assert repair_unicode("Cafe\u0301 society").text == "Café society"


BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "article-extraction"


def _benchmark_lines() -> list[str]:
    lines = []
    for name in ("html-text", "trafilatura", "ground-truth"):
        pages = json.loads((BENCH / f"{name}.json").read_text(encoding="utf-8"))
        for page in pages.get("output", pages).values():
            lines += [line for line in (page.get("articleBody") or "").split("\n") if line.strip()]
    return lines


def test_ftfy_is_skipped_only_where_it_would_change_nothing():
    # Every line of 181 real pages (menus, footers, several scripts and languages): where the
    # shortcut says ftfy would leave a line alone, ftfy does; and it lets most lines skip ftfy.
    lines = _benchmark_lines()
    skipped = [line for line in lines if ftfy_leaves_alone(line)]
    assert len(lines) > 20_000 and len(skipped) > 0.9 * len(lines)
    assert [line for line in skipped if ftfy.fix_and_explain(line, config=FTFY_CONFIG).text != line] == []


def test_whole_text_shortcut_sees_broken_lines_anywhere():
    clean = "He said “no.” — and left.\n\nCafé society, naïve 50 €."
    assert ftfy_leaves_alone(clean)
    for broken in ("Â said so", "China\u00e2\u20ac\u2122s", "Fish &amp; chips",
                   "the \ufb01nal", "ＡＢＣ", "Cafe\u0301"):
        text = f"{clean}\n\n{broken}\n\nLast line."
        assert not ftfy_leaves_alone(text), broken
        assert repair_unicode(text).text != LINE_BREAKS.sub("\n", text)  # and the line is repaired
