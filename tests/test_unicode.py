from __future__ import annotations

from cleaners.unicode import repair_unicode


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
