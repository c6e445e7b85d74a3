from __future__ import annotations

import json
import re
from pathlib import Path

import ftfy
from ftfy.badness import BADNESS_RE

from cleaners import unicode
from cleaners.unicode import (
    FTFY_CONFIG,
    FTFY_MOJIBAKE,
    LINE_BREAKS,
    MOJIBAKE_NEEDS,
    _looks_like_mojibake,
    ftfy_leaves_alone,
    repair_unicode,
)


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


def test_an_odd_space_that_ftfy_uncovers_is_normalized_too():
    # The text has no odd space until ftfy decodes the mojibake of a thin space (U+2009).
    result = repair_unicode("Officials said the talks lasted\u00e2\u20ac\u2030three hours on Wednesday.")
    assert result.text == "Officials said the talks lasted three hours on Wednesday."
    assert [e.category for e in result.edits] == ["mojibake", "space"]


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


def test_ftfy_without_its_translating_fixers_only_where_they_would_change_nothing(monkeypatch):
    # Lines ftfy is sent: the benchmark's that it changes, and mojibake whose repair leaves a
    # ligature, a full-width letter or a control character for the translating fixers (the
    # untranslated run's texts hold it: ftfy is run whole), or has one from the start.
    lines = [line for line in _benchmark_lines() if not ftfy_leaves_alone(line)]
    mojibake = [("ﬁ" + word).encode("utf-8").decode("latin-1") for word in ("nal", "rst")]
    lines += [f"the {mojibake[0]} word", "Caf\u00c3\u00a9 \x07bell", "ＡＢＣ news China\u00e2\u20ac\u2122s",
              f"{mojibake[1]} the \ufb01nal", "China\u00e2\u20ac\u2122s talks", "Caf\u00c3\u00a9 society"]
    configs = []
    fix_and_explain = ftfy.fix_and_explain
    monkeypatch.setattr(ftfy, "fix_and_explain",
                        lambda text, config: configs.append(config) or fix_and_explain(text, config=config))
    for line in lines:
        unicode._ftfy_fixed.cache_clear()
        configs.clear()
        want = fix_and_explain(line, config=FTFY_CONFIG)
        assert unicode._ftfy_fixed(line) == (want.text, tuple(want.explanation or ())), line
        whole = any(step == ("apply", name) for step in want.explanation or ()
                    for name in ("fix_latin_ligatures", "fix_character_width", "remove_control_chars"))
        assert (configs[-1] == FTFY_CONFIG) == whole, line
    assert len(lines) > 50
    assert ftfy.is_bad is ftfy.badness.is_bad  # ftfy's own check is back once a line is fixed


def test_whole_text_shortcut_sees_broken_lines_anywhere():
    clean = "He said “no.” — and left.\n\nCafé society, naïve 50 €. AT&T's Q&A, R & D."
    assert ftfy_leaves_alone(clean) and ftfy.fix_and_explain(clean, config=FTFY_CONFIG).text == clean
    for broken in ("Â said so", "China\u00e2\u20ac\u2122s", "Fish &amp; chips", "AT&amp;T", "5 &#8364;",
                   "the \ufb01nal", "ＡＢＣ", "Cafe\u0301"):
        text = f"{clean}\n\n{broken}\n\nLast line."
        assert not ftfy_leaves_alone(text), broken
        assert repair_unicode(text).text != LINE_BREAKS.sub("\n", text)  # and the line is repaired


def test_the_one_scan_shortcuts_give_what_the_full_checks_give(monkeypatch):
    # Whole pages of the benchmark (most have none of the characters the in-line repairs act on) and
    # texts with each of them, repaired with the shortcuts and with every check run on every line.
    pages = []
    for name in ("html-text", "trafilatura", "ground-truth"):
        found = json.loads((BENCH / f"{name}.json").read_text(encoding="utf-8"))
        pages += [page.get("articleBody") or "" for page in found.get("output", found).values()]
    base = "He said “no.” — and left.\nCafé society, naïve 50 €.\n  Indented line.  \n\nLast line."
    edges = [base.replace("no.", odd) for odd in ("no\u200b.", "no\x07.", "no\u00a0.", "no\t.", "no\r\nso.",
                                                   "no\u2028so.", "no\x0cso.", "no\x85so.", "\ufb01ne.",
                                                   "ＡＢＣ.", "Cafe\u0301.", "Â so.", "so  far.", "&amp;.")]
    texts = [*pages, base, *edges]
    assert sum(not unicode._SPECIAL.search(t) for t in pages) > len(pages) / 2  # the shortcut is taken
    assert sum(not unicode._SPECIAL.search(t) for t in edges) == 4  # NFD, mojibake, spaces, entity

    def repaired():
        return [(r.text, r.edits) for r in map(repair_unicode, texts)]

    unicode._settled_lines.clear()
    fast = repaired()
    # Again with the lines now known to be settled (a second cleaning round, republished copies);
    # then with the whole-text checks (the path a text with one unsettled line takes).
    assert len(unicode._settled_lines) > 100 and repaired() == fast
    monkeypatch.setattr(unicode, "_settled", lambda line: False)
    assert repaired() == fast
    monkeypatch.setattr(unicode, "_SPECIAL", re.compile(r"[\s\S]"))
    monkeypatch.setattr(unicode, "_lines_left_as_they_are", lambda *_: False)
    assert repaired() == fast


def test_mojibake_search_near_the_characters_it_needs_finds_what_the_full_search_finds():
    pages = []
    for name in ("html-text", "trafilatura", "ground-truth"):
        data = json.loads((BENCH / f"{name}.json").read_text(encoding="utf-8"))
        pages += [page.get("articleBody") or "" for page in data.get("output", data).values()]
    broken = [ftfy.fixes.fix_encoding.__doc__ or "", "Â said so", "The Ã© and Ã  cafÃ©", "â€œquotedâ€\x9d",
              "ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Ã\xa0 la carte"]
    lines = [line for page in pages for line in page.split("\n")]
    # The classic mojibake of the same real lines: UTF-8 read as Windows-1252.
    garbled = [line.encode("utf-8").decode("cp1252", errors="replace") for line in lines if not line.isascii()]
    texts = pages + lines + garbled + broken
    assert MOJIBAKE_NEEDS is not None
    found = [_looks_like_mojibake(text) for text in texts]
    assert found == [bool(FTFY_MOJIBAKE.search(text)) for text in texts]
    assert sum(found) > 1000  # real positives among them, not only clean text
    # ftfy's own is_bad, without MULTILINE ("^" only at a text's start), as ftfy asks it of whole texts
    assert [unicode._is_bad(text) for text in texts] == [bool(BADNESS_RE.search(text)) for text in texts]


def _one_match_of(items) -> str:
    """A string that the regex sequence ``items`` (from the stdlib's parser) matches."""
    from re._constants import ANY, CATEGORY, CATEGORY_SPACE, IN, LITERAL, MAX_REPEAT, MIN_REPEAT, NEGATE, RANGE

    out = ""
    for op, av in items:
        if op is LITERAL:
            out += chr(av)
        elif op is IN and any(o is NEGATE for o, _ in av):
            out += "!"
        elif op is IN:
            o, a = av[-1]
            out += chr(a) if o is LITERAL else chr(a[1]) if o is RANGE else " " if a is CATEGORY_SPACE else "a"
        elif op in (MAX_REPEAT, MIN_REPEAT) and av[0] >= 1:
            out += _one_match_of(av[2])
        elif op is CATEGORY:
            out += " " if av is CATEGORY_SPACE else "a"
        elif op is ANY:
            out += "a"
    return out


def test_every_kind_of_mojibake_ftfy_knows_is_found_mid_text():
    # One example of each of ftfy's ~40 mojibake shapes, between real words on a new line.
    import re._parser

    branches = re._parser.parse(FTFY_MOJIBAKE.pattern, FTFY_MOJIBAKE.flags)[0][1][1]
    texts = [f"Officials said on Monday,\n{_one_match_of(branch)} and the talks went on." for branch in branches]
    assert len(texts) > 30 and all(FTFY_MOJIBAKE.search(text) for text in texts)
    assert [text for text in texts if not _looks_like_mojibake(text)] == []


def test_hard_wrapped_prose_is_joined_and_each_join_recorded():
    """Real lines from the benchmark (page 34a732): prose wrapped at a fixed width."""
    wrapped = ("Veteran Nollywood actress, Kate Henshaw, who in 2008, won the\n"
               "Africa Movie Academy Award for Best Actress in a Leading Role, has taken\n"
               "to her Instagram page to share some stunning photos of herself.\n"
               "She flaunted her hand bag which had the colours of the Nigerian\n"
               "flag. The 47 year old was one of the guests invited to an event by media\n"
               "mogul, Debola Lagos.")
    result = repair_unicode(wrapped)
    assert result.text == (
        "Veteran Nollywood actress, Kate Henshaw, who in 2008, won the\n\n"
        "Africa Movie Academy Award for Best Actress in a Leading Role, has taken "
        "to her Instagram page to share some stunning photos of herself.\n\n"
        "She flaunted her hand bag which had the colours of the Nigerian "
        "flag. The 47 year old was one of the guests invited to an event by media "
        "mogul, Debola Lagos.")
    joins = [e for e in result.edits if e.category == "hard_wrap"]
    assert len(joins) == 3 and joins[0].before.endswith("has taken\nto her Instagram page to share some stunning "
                                                        "photos of herself.")
    assert repair_unicode(result.text).text == result.text


def test_a_short_wrapped_piece_does_not_stop_the_next_join():
    """Found by the property test: a paragraph is judged as joined so far, so one pass already
    gives what a second pass would (the second short piece used to join only then)."""
    text = "China and Russia to ‘steadily advance’ ties amidst Ukraine conflict\na 0\na 0\n"
    once = repair_unicode(text).text
    assert once == "China and Russia to ‘steadily advance’ ties amidst Ukraine conflict a 0 a 0"
    assert repair_unicode(once).text == once


def test_lists_links_and_headlines_are_not_joined():
    """A product line and its link (page 20b2b6), list items, a short headline over a lower-case line."""
    for text in ("2) Polistil 960574 Pista Elettrica Sorpasso con Auto Incluse\nhttp://amzn.to/2hZfWFJ",
                 "Arrowhead bottled water\nbaby carrier\nhealthy snack bars",
                 "Характеристики бега можно увеличить за счет кодов\n"
                 "стандартная скорость player.setav speedmult *х100"):
        assert repair_unicode(text).text == text.replace("\n", "\n\n")
