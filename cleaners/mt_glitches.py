"""Machine-translation and rewriter glitches: repair the mechanical ones, flag the rest.

Safe repairs are typographic and need no understanding of the sentence: a doubled quote, a quote
pair turned inside out, a missing space after a closing quote, guillemets or French spacing left in
English text, an immediately doubled word. Anything that would need meaning to fix (a phrase
repeated within a sentence, a sentence repeated, a paragraph in another language, quotes that do
not balance) is flagged with its position and left as it is.
"""

from __future__ import annotations

import re

from cleaners.boilerplate import stopwords
from cleaners.document import FLAGGED, REPLACED, Cleaned, Edit
from cleaners.language import identify
from cleaners.text import SENTENCE_END, comparable, join_paragraphs, paragraphs, words

NAME = "mt_glitches"

DOUBLED_QUOTE = re.compile(r"([“”])(?:[ \t]*\1)+")  # a whole run at once, so one pass is enough
# ` ” the main points “ ` : a quote pair turned inside out, with its inner spaces.
INSIDE_OUT_QUOTES = re.compile(r"(^|\s)”\s+([^“”\n]{1,120}?)\s+“(?=\s)")
NO_SPACE_AFTER_QUOTE = re.compile(r"([.,!?])”(?=[^\W\d_])")
FRENCH_SPACING = re.compile(r"(?<=[\w”’)\]])[ \u00a0\u202f]+([:;?!])(?=\s|$)")
GUILLEMET_PAIR = re.compile(r"«\s*([^«»\n]{1,2000}?)\s*»")
DOUBLED_WORD = re.compile(r"\b([^\W\d_]+)(?:\s+\1\b)+", re.IGNORECASE)
# English doublings that are grammatical ("he had had enough", "that that is true").
LEGIT_DOUBLES = {"had", "that", "is", "was", "do", "does", "did", "in", "on", "out", "up", "so", "very",
                 "no", "yes", "bye", "ha", "well", "too", "now", "there", "who", "what", "when", "where",
                 "why", "how", "not", "can", "will", "far", "long", "again", "really", "blah", "knock"}
# "more and more", "again and again": reduplication, not a glitch.
LEGIT_AND_DOUBLES = {"more", "less", "again", "over", "on", "round", "through", "ever", "out", "up", "down",
                     "back", "forth", "away", "around", "faster", "further", "worse", "better", "bigger"}
LINKS = {"by", "to", "after", "for", "upon", "over", "in", "on"}  # step by step, face to face
STOPWORDS = frozenset(
    "a an the and or but of to in on at for from by with as is are was were be been being it its this that "
    "these those he she they we you i his her their our your my not no so if than then there here which "
    "who whom whose what when where why how also has have had will would can could should may might must "
    "do does did said says".split()
)
DETERMINERS = frozenset("a an the this that these those his her their its our your my some any each every".split())
MIN_FOREIGN_WORDS = 8
PLAIN_LANGUAGE_SHARE = 0.15
FOREIGN_MIN_PROB = 0.9
MIN_REPEATED_SENTENCE_WORDS = 6


def _sub_recorded(pattern, repl, text, edits, category, reason, pattern_flags=None):
    """Apply one repair to ``text``, recording each replaced span as an Edit."""

    def record(m):
        after = m.expand(repl) if isinstance(repl, str) else repl(m)
        if after != m.group(0):
            edits.append(Edit(NAME, category, REPLACED, m.group(0), after, reason))
        return after

    return pattern.sub(record, text)


def _repair_doubled_word(m: re.Match) -> str:
    return m.group(0) if m.group(1).lower() in LEGIT_DOUBLES else m.group(1)


def _repair_paragraph(para: str, english: bool, edits: list[Edit]) -> str:
    para = _sub_recorded(DOUBLED_QUOTE, r"\1", para, edits, "doubled_quote", "the same quote mark twice in a row")
    para = _sub_recorded(INSIDE_OUT_QUOTES, r"\1“\2”", para, edits, "inside_out_quotes",
                         "quote pair reversed (” … “) with spaces inside")
    para = _sub_recorded(NO_SPACE_AFTER_QUOTE, r"\1” ", para, edits, "quote_spacing",
                         "missing space after a closing quote")
    if not english:
        return para
    para = _sub_recorded(GUILLEMET_PAIR, r"“\1”", para, edits, "guillemets", "guillemets in English text")
    if "«" not in para and para.rstrip().endswith("»"):
        kept = para.rstrip(" \t»")
        edits.append(Edit(NAME, "guillemets", REPLACED, para[len(kept):], "",
                          "unmatched closing guillemet at the end of a paragraph"))
        para = kept
    if "»" not in para and para.lstrip().startswith("«"):
        kept = para.lstrip(" \t«")
        edits.append(Edit(NAME, "guillemets", REPLACED, para[:len(para) - len(kept)], "",
                          "unmatched opening guillemet at the start of a paragraph"))
        para = kept
    para = _sub_recorded(FRENCH_SPACING, r"\1", para, edits, "punctuation_spacing",
                         "space before : ; ? ! (French typography) in English text")
    return _sub_recorded(DOUBLED_WORD, _repair_doubled_word, para, edits, "doubled_word",
                         "the same word twice in a row")


def _sentences(para: str, base: int):
    """(offset, sentence) pairs of a paragraph, offsets counted from ``base``."""
    start = 0
    for m in SENTENCE_END.finditer(para):
        yield base + start, para[start:m.start()]
        start = m.end()
    if start < len(para):
        yield base + start, para[start:]


def _repetition(sentence: str, window: int) -> str | None:
    """The repeated word or phrase in a sentence, if a lower-case content word recurs too soon.

    Parallel forms are legitimate ("national interests and national dignity", "the more …
    the more", "as a sign of X as a sign of Y"), so only two shapes count: the word again with
    nothing but function words between ("both military and military forces"), or a verb-like
    two-word phrase again within the window ("to visit Moscow in the spring to visit").
    """
    toks = words(sentence)
    low = [t.lower() for t in toks]
    for i, tok in enumerate(toks):
        if not tok.islower() or low[i] in STOPWORDS or len(tok) < 3:
            continue
        for j in range(i + 1, min(len(toks), i + window + 1)):
            if low[j] != low[i]:
                continue
            between = low[i + 1:j]
            if not between:
                break  # an adjacent doubling is the doubled-word repair's business
            if len(between) == 1 and (between[0] in LINKS or (between[0] == "and" and (
                    low[i] in LEGIT_AND_DOUBLES or low[i].endswith("er")))):
                break  # "step by step", "more and more"
            if len(between) <= 2 and all(b in STOPWORDS for b in between):
                return " ".join(toks[i:j + 1])
            if i > 0 and low[i - 1] == low[j - 1] and low[i - 1] not in DETERMINERS:
                return " ".join(toks[i - 1:j + 1])
            if j + 1 < len(toks) and low[i + 1] == low[j + 1] and low[i + 1] not in STOPWORDS:
                return " ".join(toks[i:j + 2])
    return None


def _plainly_in(para: str, language: str) -> bool:
    """A paragraph dense with the language's own function words needs no langdetect call.

    langdetect costs ~5 ms a paragraph; prose has 25-45% function words, text in another
    language almost none of these (the lists leave out words shared across languages).
    """
    common = stopwords(language)
    tokens = words(para.lower())
    return bool(common) and sum(t in common for t in tokens) >= PLAIN_LANGUAGE_SHARE * len(tokens)


def _find_flags(text: str, language: str | None, cfg) -> list[Edit]:
    flags: list[Edit] = []
    seen: dict[str, int] = {}
    offset = 0
    for para in text.split("\n\n"):
        if para.count("”") > para.count("“"):
            flags.append(Edit(NAME, "unbalanced_quotes", FLAGGED, para, "",
                              "closing quote without an opening one", offset))
        if language and language != "und" and len(words(para)) >= MIN_FOREIGN_WORDS \
                and not _plainly_in(para, language):
            lang, prob = identify(para, max_chars=500)
            if lang not in (language, "und") and prob >= FOREIGN_MIN_PROB:
                flags.append(Edit(NAME, "foreign_language", FLAGGED, para, "",
                                  f"paragraph in '{lang}' (p={prob}) inside a '{language}' article", offset))
        for at, sentence in _sentences(para, offset):
            repeated = _repetition(sentence, cfg.repeat_window)
            if repeated:
                flags.append(Edit(NAME, "repeated_phrase", FLAGGED, repeated, "",
                                  "word or phrase repeated within one sentence", at + sentence.find(repeated)))
            key = comparable(sentence)
            if len(key.split()) >= MIN_REPEATED_SENTENCE_WORDS:
                if key in seen:
                    flags.append(Edit(NAME, "repeated_sentence", FLAGGED, sentence, "",
                                      f"sentence repeats the one at offset {seen[key]}", at))
                else:
                    seen[key] = at
        offset += len(para) + 2
    return flags


def repair_mt_glitches(text: str, ctx) -> Cleaned:
    """Repair mechanical translation glitches and flag the ones that need a human.

    >>> from cleaners.registry import CleanerContext
    >>> ctx = CleanerContext(language="en")
    >>> repair_mt_glitches("He said “no.” ” Then the the talks ended.", ctx).text
    'He said “no.” Then the talks ended.'
    >>> [f.before for f in repair_mt_glitches("They fought with both military and military forces.", ctx).edits]
    ['military and military']
    """
    cfg = ctx.config.mt_glitches
    english = ctx.language in (None, "en")
    edits: list[Edit] = []
    if cfg.repair:
        repaired = (_repair_paragraph(p, english, edits).strip() for p in paragraphs(text))
        text = join_paragraphs([p for p in repaired if p])  # a lone "»" paragraph leaves nothing
    return Cleaned(text, edits + _find_flags(text, ctx.language, cfg))
