from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.config import Config
from cleaners.document import FLAGGED, REPLACED
from cleaners.mt_glitches import repair_mt_glitches
from cleaners.registry import CleanerContext

EN = CleanerContext(language="en")


def repaired(text, ctx=EN):
    return repair_mt_glitches(text, ctx).text


def flags(text, ctx=EN):
    return [(e.category, e.before) for e in repair_mt_glitches(text, ctx).edits if e.action == FLAGGED]


def test_seed_002_quote_repairs():
    text = ("Mr. Wang introduced him, said Dmytro Kuleba ” the main points “ Of this plan. “Chinese partners shared "
            "with us their thoughts.”just commented on Mr. Lavrov, specifying: There was no talk of a peace plan. »")
    assert repaired(text) == (
        "Mr. Wang introduced him, said Dmytro Kuleba “the main points” Of this plan. “Chinese partners shared "
        "with us their thoughts.” just commented on Mr. Lavrov, specifying: There was no talk of a peace plan."
    )
    kinds = [e.category for e in repair_mt_glitches(text, EN).edits if e.action == REPLACED]
    assert kinds == ["inside_out_quotes", "quote_spacing", "guillemets"]


def test_seed_001_doubled_closing_quote():
    text = "upheld their respective sovereignty, security and development interests.” ”"
    assert repaired(text) == "upheld their respective sovereignty, security and development interests.”"


@pytest.mark.parametrize("before,after", [
    ("The minister said : there was no plan .", "The minister said: there was no plan ."),
    ("Will it work ? Nobody knows !", "Will it work? Nobody knows!"),
    ("He met « the Russian side » on Monday.", "He met “the Russian side” on Monday."),
    ("It was the the largest deal.", "It was the largest deal."),
])
def test_english_typography_repairs(before, after):
    assert repaired(before) == after


@pytest.mark.parametrize("text", [
    "He had had enough of the talks.", "She said that that was wrong.", "Prices rose more and more.",
    "They went step by step.", "Face to face talks began.", "“We will not back down,” he said.",
])
def test_legitimate_forms_unchanged_and_unflagged(text):
    assert repaired(text) == text and flags(text) == []


def test_french_text_keeps_french_typography():
    fr = CleanerContext(language="fr")
    text = "Il a déclaré : « Il n'y a pas eu de plan de paix séparé. »"
    assert repaired(text, fr) == text


def test_repetitions_from_seed_001_flagged_with_offsets():
    text = ("Putin invited Xi to visit Moscow in the spring to visit in 2023. "
            "Allies defend it through both military and military forces also through aid.")
    result = repair_mt_glitches(text, EN)
    spans = ["to visit Moscow in the spring to visit", "military and military"]
    found = [(e.category, e.before, e.offset) for e in result.edits]
    assert found == [("repeated_phrase", span, text.index(span)) for span in spans]


def test_a_paragraph_met_again_in_another_article_gets_that_articles_offsets():
    # Findings are kept per paragraph across articles (wire copy recurs); offsets and repeats are
    # still the article's own.
    rewritten = "Putin invited Xi to visit Moscow in the spring to visit in 2023, the ministry said."
    again = "The two leaders agreed to meet again in Moscow next spring, officials said."
    first = f"{rewritten}\n\n{again}"
    second = f"{again}\n\nTalks went on for three hours at the Kremlin on Wednesday.\n\n{rewritten} {again}"
    for text in (first, second, first):
        found = [e for e in repair_mt_glitches(text, EN).edits if e.action == FLAGGED]
        assert found and all(text[e.offset:e.offset + len(e.before)] == e.before for e in found)
    repeats = [e for e in repair_mt_glitches(second, EN).edits if e.category == "repeated_sentence"]
    assert [(e.before, e.offset) for e in repeats] == [(again, second.rindex(again))]
    assert repeats[0].reason == "sentence repeats the one at offset 0"


def test_parallel_constructions_not_flagged():
    for text in ["The more unstable the world becomes the more imperative it is to act.",
                 "They defend national interests and national dignity.",
                 "It was as much a sign of friendship and trust as a sign of respect."]:
        assert flags(text) == []


def test_repeated_sentence_flagged():
    s = "The two leaders agreed to meet again in Moscow next spring."
    assert flags(f"{s} Then they left. {s}") == [("repeated_sentence", s)]


def test_foreign_paragraph_flagged():
    fr = "Le président russe a accueilli son invité autour d'une table de taille raisonnable au Kremlin."
    text = f"The talks lasted three hours on Wednesday, officials in Moscow said.\n\n{fr}"
    assert ("foreign_language", fr) in flags(text)


def test_repair_switch_off_flags_only():
    cfg = Config()
    cfg = dataclasses.replace(cfg, mt_glitches=dataclasses.replace(cfg.mt_glitches, repair=False))
    text = "It was the the largest deal.”"
    result = repair_mt_glitches(text, CleanerContext(language="en", config=cfg))
    assert result.text == text and [e.category for e in result.edits] == ["unbalanced_quotes"]


# Real lines from the article-extraction benchmark's clean bodies: legitimate repetition.
BENCHMARK_REPEATS = [
    "Joshua Apte, a professor of environmental engineering at the University of Texas Austin, explained that air "
    "quality is a function of pollution and dilution: how much is emitted and how much it spreads out.",
    "Because of its color and matte texture, it's also the least likely of your controllers to look grimy after "
    "hours and hours of continuous use.",
    "As we've said time and time again, considering your own workflow in regards to what you do most of the time "
    "is crucial in making this decision.",
]
GERMAN = "Im Bereich der Gesundheitsversorgung in Krankenhäusern ist dieser Aspekt ein besonders wichtiger."


@pytest.mark.parametrize("line", BENCHMARK_REPEATS)
def test_benchmark_repeats_are_not_flagged(line):
    assert flags(line) == []


def test_foreign_sentence_inside_english_paragraph_flagged_with_position_and_score(cleaned_seeds):
    para = next(p for p in cleaned_seeds["003_042e7d1743e4b445"].text.split("\n\n") if p.endswith("."))
    text = f"{para} {GERMAN}"
    (flag,) = [e for e in repair_mt_glitches(text, EN).edits if e.category == "foreign_language"]
    assert flag.before == GERMAN and flag.sentence == text.index(GERMAN) == flag.offset
    assert "sentence in 'de'" in flag.reason and flag.score >= 0.9


def test_a_sentence_met_again_is_judged_as_its_new_place_requires():
    # Sentence findings are kept across paragraphs and articles: a foreign sentence alone in its
    # paragraph is flagged once, as the paragraph; met later inside an English paragraph, as a sentence.
    english = ("The talks lasted three hours on Wednesday, officials in Moscow said. The two leaders agreed to "
               "meet again next spring, and their ministers will prepare a joint statement on trade and energy.")
    alone, inside = f"{english}\n\n{GERMAN}", f"{english} {GERMAN}"
    for text in (alone, inside, alone):
        (flag,) = [e for e in repair_mt_glitches(text, EN).edits if e.category == "foreign_language"]
        where = "paragraph" if text is alone else "sentence"
        assert flag.before == GERMAN and flag.offset == text.index(GERMAN) and flag.reason.startswith(where)


def test_mt_suspect_scores_the_rewritten_seed(cleaned_seeds):
    assert cleaned_seeds["001_b41261e48053f856"].mt_suspect >= 0.9  # two rewriter repetitions
    assert cleaned_seeds["004_520a83227d8b1b45"].mt_suspect == 0.0


def test_config_drops_flagged_sentences_and_foreign_text(cleaned_seeds):
    seed = cleaned_seeds["001_b41261e48053f856"].text
    drop = CleanerContext(language="en", config=dataclasses.replace(
        Config(), mt_glitches=dataclasses.replace(Config().mt_glitches, drop_score=0.8, drop_foreign=True)))
    out = repair_mt_glitches(seed + "\n\n" + GERMAN, drop)
    assert "to visit Moscow in the spring to visit" not in out.text and GERMAN not in out.text
    removed = {e.category for e in out.edits if e.action == "removed"}
    assert removed == {"repeated_phrase", "foreign_language"}
    assert all(e.reason.startswith("dropped by config") for e in out.edits if e.action == "removed")
    assert len(out.text) > 0.8 * len(seed)  # only the flagged sentences went
    assert repair_mt_glitches(out.text, drop).text == out.text  # a fixed point


def test_scrambled_word_order_is_flagged_garbled_and_real_order_is_not(cleaned_seeds):
    import random

    from cleaners.config import Config
    from cleaners.registry import CleanerContext

    ctx = CleanerContext(language="en", config=Config())
    sentence = ("China’s top diplomat Wang Yi said Wednesday he expected to reach a “new consensus” on "
                "boosting bilateral ties with Russia as he visited Moscow just days before the first "
                "anniversary of the invasion.")
    words = sentence.split(" ")
    middle = words[1:-1]
    random.Random(3).shuffle(middle)  # the rewriter's scrambled clause, at its worst
    scrambled = " ".join([words[0], *middle, words[-1]])
    found = [e for e in repair_mt_glitches(f"Wang arrived on Tuesday.\n\n{scrambled}", ctx).edits
             if e.category == "garbled"]
    assert [f.before for f in found] == [scrambled] and found[0].sentence == len("Wang arrived on Tuesday.\n\n")
    assert "word order" in found[0].reason and found[0].score == 0.6
    assert not [e for e in repair_mt_glitches(sentence, ctx).edits if e.category == "garbled"]
    for article in cleaned_seeds.values():  # real news, including the rewritten 001: nothing garbled enough
        assert not [e for e in repair_mt_glitches(article.text, ctx).edits if e.category == "garbled"]


def _repetition_unscreened(sentence: str, window: int):
    """``_repetition`` without its quick screen: the full search over every clause."""
    from cleaners.mt_glitches import CLAUSE, REPEAT_TOKEN, _repetition_in

    for clause in CLAUSE.finditer(sentence):
        found = _repetition_in(list(REPEAT_TOKEN.finditer(clause.group())), window)
        if found:
            return clause.start() + found[0], clause.start() + found[1]
    return None


def test_the_repetition_screen_rules_out_only_what_the_full_search_would(cleaned_seeds):
    # Every sentence of the seeds, and each again with both shapes injected at every other word:
    # a phrase ending in a content word repeated a few words on, and a word doubled around "and".
    from cleaners.mt_glitches import _repetition, _sentences
    from cleaners.text import words

    sentences = [s for a in cleaned_seeds.values() for p in a.text.split("\n\n") for _, s in _sentences(p, 0)]
    sentences += ["Both military and military-grade forces were sent.",
                  "The e-tron and e-tron owners to visit the e-tron."]
    variants = []
    for sentence in sentences:
        tokens = sentence.split()
        for i in range(1, len(tokens) - 1, 2):
            j = min(len(tokens), i + 3)
            variants.append(" ".join(tokens[:j] + tokens[i - 1:i + 1] + tokens[j:]))
            variants.append(" ".join(tokens[:i + 1] + ["and", tokens[i]] + tokens[i + 1:]))
    found = 0
    for sentence in sentences + variants:
        expected = _repetition_unscreened(sentence, 4)
        assert _repetition(sentence, 4) == expected, sentence
        assert _repetition(sentence, 4, words(sentence)) == expected, sentence  # words given, as the checks do
        found += expected is not None
    assert found > len(variants) // 8  # many injections are found: the screen was put to the test


def test_the_doubled_word_screen_rules_out_only_what_the_regex_would(cleaned_seeds):
    # The seeds' paragraphs with a word doubled at every position (as is, upper-case, capitalized),
    # and doublings that str.lower alone does not equate but the regex does.
    from cleaners.mt_glitches import DOUBLED_WORD, _may_double_word

    paras = [p for a in cleaned_seeds.values() for p in a.text.split("\n\n")]
    variants = []
    for para in paras:
        tokens = para.split(" ")
        for i, token in enumerate(tokens):
            doubled = token.upper() if i % 2 else token.capitalize()
            variants.append(" ".join(tokens[:i + 1] + [doubled] + tokens[i + 1:]))
    variants += ["It's s here.", "It’s s here.", "In İstanbul istanbul today.", "The ſo so.", "ı i", "5 µm μm wide",
                 "Kelvin kelvin.", "ΟΔΟΣ οδοσ", "οδοσ ΟΔΟΣ", "ΟΔΟΣ ΟΔΟΣ", "Été été", "São SÃO Paulo", "Ǆemal ǆemal",
                 "ǅemal ǄEMAL", "straße STRASSE", "ﬁne ﬁne", "Ⅻ ⅻ"]
    matched = [v for v in paras + variants if DOUBLED_WORD.search(v)]
    assert len(matched) > len(variants) // 2
    assert all(_may_double_word(v) for v in matched)
    # It rules the rest out, accented text included (the seeds' paragraphs, 002's French names).
    assert not any(_may_double_word(p) for p in paras if not DOUBLED_WORD.search(p))
    assert any(not p.isascii() for p in paras)


def test_str_lower_is_the_regex_case_table_but_for_dotted_capital_i():
    """The doubled-word screen lower-cases with str.lower where re compares each character's simple
    lower case (_sre's own table): one character at a time they differ only at İ (and, by context,
    str.lower gives ς for a word-final Σ), which the screen leaves to the regex."""
    import sys

    _sre = pytest.importorskip("_sre")
    differ = [c for c in map(chr, range(sys.maxunicode + 1))
              if not 0xD800 <= ord(c) < 0xE000 and c.lower() != chr(_sre.unicode_tolower(ord(c)))]
    assert differ == ["İ"]
    assert "ΟΔΟΣ".lower() != "".join(chr(_sre.unicode_tolower(ord(c))) for c in "ΟΔΟΣ")


def test_sentence_stops_split_where_the_lookbehind_pattern_splits(cleaned_seeds):
    # _sentences searches for the stop itself (SENTENCE_STOP); the boundaries must be those of
    # SENTENCE_END, which looks behind for it: on the seeds and on runs of stops, closers and spaces.
    from cleaners.mt_glitches import _sentences
    from cleaners.text import SENTENCE_END

    def by_lookbehind(para):
        start, out = 0, []
        for m in SENTENCE_END.finditer(para):
            out.append((start, para[start:m.start()]))
            start = m.end()
        return out + ([(start, para[start:])] if start < len(para) else [])

    paras = [p for a in cleaned_seeds.values() for p in a.text.split("\n\n")]
    paras += ["Wait... what?! No.", "He left.” Then» she came. ) x", "A. B.  C.\tD.\n", "…", ". ", "?! ”) ]  end",
              "Done.”” ” Next.", "Mr. Li said (so.) yes! ok? fine…  more", "Ends with a stop."]
    assert sum(len(list(_sentences(p, 0))) for p in paras) > len(paras)  # boundaries were put to the test
    for para in paras:
        assert list(_sentences(para, 0)) == by_lookbehind(para), para


def test_the_french_spacing_screen_rules_out_only_what_the_regex_would(cleaned_seeds):
    # The seeds' paragraphs with a space (plain, no-break, narrow no-break, several) put before
    # every stop and after every word.
    from cleaners.mt_glitches import FRENCH_SPACING, _may_space_before_stop

    paras = [p for a in cleaned_seeds.values() for p in a.text.split("\n\n")]
    variants = []
    for para in paras:
        for space in (" ", "\u00a0", "\u202f", " \u00a0", "\t"):
            for stop in ":;?!":
                variants.append(para.replace(",", space + stop, 2))
                variants.append(para.replace(". ", space + stop + " ", 1))
    variants = [v for v in variants if v not in paras]
    matched = [v for v in paras + variants if FRENCH_SPACING.search(v)]
    assert len(matched) > len(variants) // 2  # (a tab is no space the regex takes)
    assert all(_may_space_before_stop(v) for v in matched)
    assert not any(_may_space_before_stop(p) for p in paras if not FRENCH_SPACING.search(p) and "\u00a0" not in p)


def test_guillemets_around_a_curly_quote_are_dropped_not_doubled():
    # Found by the property test: « “…,” said Qin. » became ““…” and the next round changed it again.
    ctx = CleanerContext(language="en")
    para = ("« “With China and Russia working together, the world will have a driving force,” said Qin "
            "in Beijing on Monday. »")
    once = repair_mt_glitches(para, ctx)
    assert once.text == ("“With China and Russia working together, the world will have a driving force,” said Qin "
                         "in Beijing on Monday.")
    assert [e.category for e in once.edits if e.action == REPLACED] == ["guillemets"]
    assert repair_mt_glitches(once.text, ctx).text == once.text
    # A plain guillemet quote still becomes an English one.
    assert repair_mt_glitches("He said « we will talk again next week » and left.", ctx).text == \
        "He said “we will talk again next week” and left."


def test_spaces_are_every_character_isspace_takes():
    import sys

    from cleaners.mt_glitches import SPACES

    assert sorted(SPACES) == [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]


def test_unmatched_guillemets_with_french_no_break_spaces_go_in_one_round():
    # Found by the property test ("\u00a0«" a thousand times): a strip of " \t«" stopped at the
    # no-break space French puts inside guillemets, so each round removed one more guillemet.
    ctx = CleanerContext(language="en")
    for para, text, removed in (
            ("«\u00a0«\u00a0The talks will resume in the spring, the ministry said.",
             "The talks will resume in the spring, the ministry said.", "«\u00a0«\u00a0"),
            ("The talks will resume in the spring, the ministry said.\u00a0»\u202f»",
             "The talks will resume in the spring, the ministry said.", "\u00a0»\u202f»"),
            ("\u00a0«" * 1000, "", "\u00a0«" * 1000)):
        once = repair_mt_glitches(para, ctx)
        assert once.text == text
        assert [e.before.strip() for e in once.edits if e.category == "guillemets"] == [removed.strip()]
        assert repair_mt_glitches(once.text, ctx).text == once.text


def test_a_quote_mark_next_to_guillemets_turned_into_quotes_is_not_left_doubled():
    # Found by the property test ("«1»“" twice): the quote repairs ran before the guillemets became
    # quotes, so the doubled “ that made was only repaired by the next round.
    ctx = CleanerContext(language="en")
    once = repair_mt_glitches("He said “«we will see» and “«we will talk» before he left.", ctx)
    assert once.text == "He said “we will see” and “we will talk” before he left."
    assert [e.category for e in once.edits if e.action == REPLACED] == ["guillemets", "guillemets",
                                                                         "doubled_quote", "doubled_quote"]
    assert repair_mt_glitches(once.text, ctx).text == once.text


def test_nested_guillemets_are_converted_in_one_round():
    # Found by the property test ("««0»»"): the pattern takes the innermost pairs, so the outer ones
    # waited for the next round.
    ctx = CleanerContext(language="en")
    for para, text in (("He said «« we will see »» and left.", "He said “we will see” and left."),
                       ("The note read «a «quiet» week» and no more.", "The note read “a “quiet” week” and no more.")):
        once = repair_mt_glitches(para, ctx)
        assert once.text == text
        assert repair_mt_glitches(once.text, ctx).text == once.text


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])  # the languages with function words
def test_plainly_in_counts_as_when_every_word_is_lower_cased(language, cleaned_seeds):
    """The count as written (against the function words' usual casings) settles only paragraphs
    that lower-casing every word settles the same way."""
    import random

    from cleaners.boilerplate import stopwords
    from cleaners.mt_glitches import PLAIN_LANGUAGE_SHARE, _plainly_in
    from cleaners.text import words

    def reference(para: str) -> bool:
        tokens = words(para.lower())
        return sum(t in stopwords(language) for t in tokens) >= PLAIN_LANGUAGE_SHARE * len(tokens)

    common = sorted(stopwords(language))
    rng = random.Random(7)
    paras = [p for a in cleaned_seeds.values() for p in a.text.split("\n\n")]
    for _ in range(400):  # function words in every casing, among other words, near the share
        pool = [rng.choice(common) for _ in range(3)] + ["Moscow", "talks", "İstanbul", "STRASSE", "été", "x"]
        picked = [rng.choice(pool) for _ in range(rng.randint(1, 14))]
        paras.append(" ".join(rng.choice((w, w.upper(), w.capitalize(), w.swapcase())) for w in picked))
    for para in paras:
        if len(words(para)) >= 8:  # as _foreign asks it
            assert _plainly_in(para, language, tuple(words(para))) == reference(para), para


def test_judged_tokens_are_the_tokens_of_exactly_the_judgeable_sentences(cleaned_seeds):
    # The word-order check tokenizes a sentence only past the checks on its ends; the sentences it
    # judges, and their tokens, are those of the full definition.
    from cleaners.mt_glitches import _sentences
    from cleaners.word_order import MIN_TOKENS, judged_tokens, tokens_of

    def judgeable_by_definition(sentence: str) -> bool:
        tokens, text = tokens_of(sentence), sentence.rstrip()
        return (len(tokens) >= MIN_TOKENS and text[:1].isupper() and text.endswith((".", ".”", '."', ".’"))
                and "?" not in text and sum(t[0].isdigit() for t in tokens) <= 0.2 * len(tokens))

    sentences = [s for a in cleaned_seeds.values() for p in a.text.split("\n\n") for _, s in _sentences(p, 0)]
    sentences += ["Short one.", "is this lower case prose that goes on for many more words than twelve.",
                  "Why would anyone ask a question that runs on for more than twelve words here?",
                  "In 2019 2020 2021 2022 2023 2024 2025 2026 2027 the numbers 1 2 3 4 5 6 7 grew."]
    judged = [judged_tokens(s) for s in sentences]
    assert [j is not None for j in judged] == [judgeable_by_definition(s) for s in sentences]
    assert all(j == tokens_of(s) for j, s in zip(judged, sentences, strict=True) if j is not None)
    assert 0 < sum(j is not None for j in judged) < len(sentences)


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(["”", "“", " ", "\t", "\n", "\u00a0", "\u2003", "a", "b", ".", ","]), max_size=40))
def test_the_inside_out_quote_screen_rules_out_only_what_the_regex_would(text):
    from cleaners.mt_glitches import INSIDE_OUT_QUOTES, SPACED_CLOSING_QUOTE

    # Whatever the spaces (Unicode ones too) and wherever the quote (the start included).
    if INSIDE_OUT_QUOTES.search(text):
        assert SPACED_CLOSING_QUOTE.search(text)


def test_the_inside_out_quote_screen_passes_the_repairs_it_guards():
    ctx = CleanerContext(language="en")
    fixed = repair_mt_glitches("” the main points “ of the plan were set out.", ctx)
    assert fixed.text == "“the main points” of the plan were set out."
    assert [e.category for e in fixed.edits if e.action == REPLACED] == ["inside_out_quotes"]
