"""Machine-translation and rewriter glitches: repair the mechanical ones, flag the rest.

Safe repairs are typographic and need no understanding of the sentence: a doubled quote, a quote
pair turned inside out, a missing space after a closing quote, guillemets or French spacing left in
English text, an immediately doubled word. Anything that would need meaning to fix (a phrase
repeated within a sentence, a sentence repeated, a paragraph in another language, quotes that do
not balance) is flagged with its position and left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from cleaners.boilerplate import stopwords
from cleaners.compiled import compiled
from cleaners.document import FLAGGED, REMOVED, REPLACED, Cleaned, Edit
from cleaners.language import other_language
from cleaners.text import (
    APOSTROPHE_MARK,
    NOT_ONE_TO_ONE,
    SENTENCE_STOP,
    code_point_tables,
    code_points,
    comparable,
    join_paragraphs,
    line_words,
    paragraphs,
    words,
)
from cleaners.word_order import judged_tokens, model_for

NAME = "mt_glitches"

DOUBLED_QUOTE = re.compile(r"([“”])(?:[ \t]*\1)+")  # a whole run at once, so one pass is enough
# ` ” the main points “ ` : a quote pair turned inside out, with its inner spaces.
INSIDE_OUT_QUOTES = re.compile(r"(^|\s)”\s+([^“”\n]{1,120}?)\s+“(?=\s)")
# What INSIDE_OUT_QUOTES needs, searched first: a closing quote with space (or the start) before it
# and space after (2% of the paragraphs with quotes). A pattern that opens with a group is tried at
# every position (7 us a paragraph), one that opens with a character is scanned for it (0.3 us).
SPACED_CLOSING_QUOTE = re.compile(r"”(?<![^\s]”)\s")
NO_SPACE_AFTER_QUOTE = re.compile(r"([.,!?])”(?=[^\W\d_])")
FRENCH_SPACING = re.compile(r"(?<=[\w”’)\]])[ \u00a0\u202f]+([:;?!])(?=\s|$)")
GUILLEMET_PAIR = re.compile(r"«\s*([^«»\n]{1,2000}?)\s*»")
MAX_GUILLEMET_NESTING = 64  # deeper is no prose; a pass a level, so bounded (a pass is linear)
# Possessive: a repeat needs the whole run of letters before the space, so the shorter ones a
# backtracking group would try can never match (same matches, a third faster).
DOUBLED_WORD = re.compile(r"\b([^\W\d_]++)(?:\s+\1\b)+", re.IGNORECASE)
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
MIN_REPEATED_SENTENCE_WORDS = 8
MIN_PROSE_WORDS = 6


def _sub_recorded(pattern, repl, text, edits, category, reason, pattern_flags=None):
    """Apply one repair to ``text``, recording each replaced span as an Edit."""

    def record(m):
        after = m.expand(repl) if isinstance(repl, str) else repl(m)
        if after != m.group(0):
            edits.append(Edit(NAME, category, REPLACED, m.group(0), after, reason))
        return after

    return pattern.sub(record, text)


def _english_quotes_for_guillemets(m: re.Match) -> str:
    """« … » as “ … ”; where the inside already opens or closes with a curly quote (« “Yes,” he
    said »), the guillemets only doubled it and are dropped (“ + “ would be a doubled quote)."""
    inner = m.group(1)
    return inner if inner.startswith("“") or inner.endswith("”") else f"“{inner}”"


# Unmatched guillemets at a paragraph's edge go with any spaces between them: French text puts a
# no-break space inside guillemets ("«\u00a0"), which a strip of " \t" left, one guillemet a round.
# Every character str.isspace() takes, spelled out for str.strip's set (which takes no class);
# a test checks it against isspace, which computing it here would cost each process ~60 ms.
SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
          "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _repair_doubled_word(m: re.Match) -> str:
    return m.group(0) if m.group(1).lower() in LEGIT_DOUBLES else m.group(1)


def _english_repairs_apply(para: str) -> bool:
    """Whether any English-only repair below could change ``para`` (else the language need not be asked)."""
    return ("«" in para or "»" in para or (_may_space_before_stop(para) and bool(FRENCH_SPACING.search(para)))
            or (_may_double_word(para) and bool(DOUBLED_WORD.search(para))))


def _may_double_word(para: str) -> bool:
    """Whether ``DOUBLED_WORD`` may match: two runs of word characters in a row, equal but for case.

    One compiled pass over the paragraph's code points, faster than the regex, which tries every
    position (and than splitting its words: ~7 us a paragraph). A match's two words are whole runs
    of word characters with only space between, so they are neighbours here; apostrophes split
    words. re compares a repeat letter by letter, each in its simple lower case, which is
    str.lower's (the table) but for İ (two characters there) and Σ (ς at a word's end there): with
    either, or a character beyond the table, the regex decides.
    """
    codes = code_points(para)
    return _neighbour_runs_equal(codes, *code_point_tables()) != 0


@compiled
def _neighbour_runs_equal(codes, lower_of, is_word):  # pragma: no cover - compiled; tested against the regex
    """1 where two neighbouring runs of word characters (apostrophes end a run) are equal in
    ``lower_of``, 0 where none are, -1 at a character the table does not lower one to one."""
    last_start = last_end = start = -1
    for i in range(len(codes) + 1):
        word = False
        if i < len(codes):
            code = codes[i]
            if code >= len(lower_of) or lower_of[code] == NOT_ONE_TO_ONE:
                return -1
            word = lower_of[code] != APOSTROPHE_MARK and is_word[code]
        if word:
            if start < 0:
                start = i
        elif start >= 0:  # the run [start, i) ends: equal to the one before?
            if last_start >= 0 and i - start == last_end - last_start:
                k = 0
                while k < i - start and lower_of[codes[start + k]] == lower_of[codes[last_start + k]]:
                    k += 1
                if k == i - start:
                    return 1
            last_start, last_end, start = start, i, -1
    return 0


def _may_space_before_stop(para: str) -> bool:
    """Whether ``FRENCH_SPACING`` may match: one of its spaces just before one of its stops (a few
    substring scans: with them, the check takes half the time of the regex alone, which tries its
    lookbehind at every position)."""
    return (" :" in para or " ;" in para or " ?" in para or " !" in para
            or "\u00a0" in para or "\u202f" in para)


def _has_any(text: str, characters: str) -> bool:
    return any(ch in text for ch in characters)


def _repair_quotes(para: str, edits: list[Edit]) -> str:
    if _has_any(para, "“”"):  # what the three quote repairs act on (most paragraphs have none)
        para = _sub_recorded(DOUBLED_QUOTE, r"\1", para, edits, "doubled_quote", "the same quote mark twice in a row")
        if SPACED_CLOSING_QUOTE.search(para):
            para = _sub_recorded(INSIDE_OUT_QUOTES, r"\1“\2”", para, edits, "inside_out_quotes",
                                 "quote pair reversed (” … “) with spaces inside")
        para = _sub_recorded(NO_SPACE_AFTER_QUOTE, r"\1” ", para, edits, "quote_spacing",
                             "missing space after a closing quote")
    return para


def _repair_paragraph(para: str, english: Callable[[], bool] | None, edits: list[Edit]) -> str:
    """``english``: whether the English-only repairs may run, asked only when one would apply
    (the answer can cost a language check); None in an article in another language."""
    para = _repair_quotes(para, edits)
    if english is None or not _english_repairs_apply(para) or not english():
        return para
    para = _repair_guillemets(para, edits)
    if len(para.split()) >= MIN_PROSE_WORDS:  # not a label line of a table ("VIP : 60,000")
        para = _sub_recorded(FRENCH_SPACING, r"\1", para, edits, "punctuation_spacing",
                             "space before : ; ? ! (French typography) in English text")
    return _sub_recorded(DOUBLED_WORD, _repair_doubled_word, para, edits, "doubled_word",
                         "the same word twice in a row")


def _repair_guillemets(para: str, edits: list[Edit]) -> str:
    """Guillemet pairs as English quotes, unmatched ones at an edge dropped; then the quote repairs
    again where that changed the paragraph (« 1 »“ made a doubled quote for the next round)."""
    before = para
    for _ in range(MAX_GUILLEMET_NESTING):  # the innermost pairs first: « « … » » takes two passes
        last = para
        para = _sub_recorded(GUILLEMET_PAIR, _english_quotes_for_guillemets, para, edits, "guillemets",
                             "guillemets in English text")
        if para == last or "«" not in para or "»" not in para:
            break
    if "«" not in para and para.rstrip().endswith("»"):
        kept = para.rstrip(SPACES + "»")
        edits.append(Edit(NAME, "guillemets", REPLACED, para[len(kept):], "",
                          "unmatched closing guillemet at the end of a paragraph"))
        para = kept
    if "»" not in para and para.lstrip().startswith("«"):
        kept = para.lstrip(SPACES + "«")
        edits.append(Edit(NAME, "guillemets", REPLACED, para[:len(para) - len(kept)], "",
                          "unmatched opening guillemet at the start of a paragraph"))
        para = kept
    return para if para == before else _repair_quotes(para, edits)


# Paragraphs recur across articles (wire copy republished, a site's standard lines): their findings
# are kept for the most recent ones. On a generated corpus (53% republished copies) 46% of
# paragraphs were among the last 4,096 (49% among the last 16k, for four times the memory).
PARAGRAPH_CACHE = 4096


@lru_cache(maxsize=PARAGRAPH_CACHE)
def _repaired_paragraph(para: str, english: bool, language: str | None) -> tuple[str, tuple[tuple, ...]]:
    """The repaired paragraph, stripped, and its edits as (category, action, before, after, reason)."""
    edits: list[Edit] = []
    in_english = (lambda: not (language and _foreign(para, language))) if english else None
    fixed = _repair_paragraph(para, in_english, edits)
    return fixed.strip(), tuple((e.category, e.action, e.before, e.after, e.reason) for e in edits)


def _sentences(para: str, base: int):
    """(offset, sentence) pairs of a paragraph, offsets counted from ``base``."""
    start = 0
    for m in SENTENCE_STOP.finditer(para):
        yield base + start, para[start:m.start() + 1]
        start = m.end()
    if start < len(para):
        yield base + start, para[start:]


PARALLEL = frozenset("nor but as vs non not".split())
QUESTION_WORDS = frozenset("how what which who where when why whether".split())  # "how much ... and how much"
REINTRODUCERS = DETERMINERS | {"no", "another", "other", "same", "such", "one", "two", "three"}


# Tokens for repetition: hyphenated compounds stay whole ("e-tron", "in-ad"). Brackets end a
# clause: words inside a parenthesis do not repeat the ones around it ("90 miles per gallon
# (38 kilometers per liter)").
REPEAT_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")
CLAUSE = re.compile(r"[^()\[\]]+")


def _repetition(sentence: str, window: int, words_of_sentence: list[str] | None = None) -> tuple[int, int] | None:
    """Where a word or phrase recurs in one clause of a sentence the way rewriters repeat it.

    Two shapes count, both lower-case, within ``window`` words:
    - a content word, "and"/"or", the same word: "both military and military forces" (not
      reduplication like "more and more", "bigger and bigger");
    - a two-word phrase ending in a content word, again a few words on: "to visit Moscow in the
      spring to visit". Writers repeat a noun phrase too, but bring it back with a determiner, a
      number or an adjective ("a great day for Republicans, a great day for America"), so a second
      occurrence after such a word, or with a capital (a name, a title), does not count.
    Returns the (start, end) of the span in ``sentence``. ``words_of_sentence``: its ``words``,
    when made (without a hyphen in the sentence, they are its tokens here).
    """
    # A token never spans a bracket, so what a clause needs (``_may_repeat``) its sentence has too.
    if words_of_sentence is None or "-" in sentence:
        words_of_sentence = REPEAT_TOKEN.findall(sentence)
    if not _may_repeat(words_of_sentence):
        return None
    for clause in CLAUSE.finditer(sentence):
        if not _may_repeat(REPEAT_TOKEN.findall(clause.group())):
            continue
        found = _repetition_in(list(REPEAT_TOKEN.finditer(clause.group())), window)
        if found:
            return clause.start() + found[0], clause.start() + found[1]
    return None


def _may_repeat(tokens: list[str]) -> bool:
    """What both shapes of ``_repetition_in`` need, found in one pass: a lower-case content word
    after the same word as before ("to visit ... to visit"), or twice around "and"/"or". Most
    sentences have neither, and the full search costs several times more."""
    pairs = set()
    for k in range(1, len(tokens)):
        token = tokens[k]
        if len(token) < 3 or not token.islower() or token in STOPWORDS:
            continue
        pair = (tokens[k - 1], token)
        if pair in pairs or (k >= 2 and tokens[k - 2] == token and tokens[k - 1].lower() in ("and", "or")):
            return True
        pairs.add(pair)
    return False


def _repetition_in(matches: list[re.Match], window: int) -> tuple[int, int] | None:
    toks = [m.group() for m in matches]
    low = [t.lower() for t in toks]
    for i, tok in enumerate(toks):
        if not tok.islower() or low[i] in STOPWORDS or len(tok) < 3:
            continue
        if i + 3 < len(toks) and low[i + 1] in ("and", "or") and toks[i + 2] == tok \
                and low[i] not in LEGIT_AND_DOUBLES and not low[i].endswith(("er", "s")) \
                and toks[i + 3].islower() and low[i + 3] not in STOPWORDS | LEGIT_AND_DOUBLES:
            return matches[i].start(), matches[i + 2].end()  # a modifier doubled before its noun
        if i == 0 or not toks[i - 1].islower() or not low[i - 1].isalpha() or low[i - 1] in REINTRODUCERS \
                or low[i - 1] in QUESTION_WORDS:
            continue  # "the girl ... the girl" is a noun phrase mentioned again
        for j in range(i + 2, min(len(toks), i + window + 3)):  # up to ``window`` words between
            if toks[j] == tok and toks[j - 1] == toks[i - 1] and j - 1 > i:
                before = low[j - 2] if j >= 2 else ""
                if before in REINTRODUCERS or before in PARALLEL or before.isdigit():
                    break  # mentioned again ("a viable online business"), or in parallel ("and how much")
                return matches[i - 1].start(), matches[j].end()
    return None


def _plainly_in(para: str, language: str, tokens: list[str] | tuple[str, ...]) -> bool:
    """A paragraph dense with the language's own function words needs no langdetect call.

    A langdetect call costs ~0.1 ms a sentence (more for text in another language, which needs all
    its trials); prose has 25-45% function words, text in another language almost none of these
    (the lists leave out words shared across languages).
    ``tokens``: the paragraph's ``words``.
    """
    common = stopwords(language)
    if not common:
        return False
    if "\u0130" in para:  # İ lowers to two characters, the second no word character: split anew
        tokens = words(para.lower())
        return sum(map(common.__contains__, tokens)) >= PLAIN_LANGUAGE_SHARE * len(tokens)
    needed = PLAIN_LANGUAGE_SHARE * len(tokens)
    # Counted first as written, against the words' usual casings: a count that already reaches the
    # share settles it (most paragraphs), without lower-casing every token.
    if sum(map(_cased_stopwords(language).__contains__, tokens)) >= needed:
        return True
    return sum(map(common.__contains__, map(str.lower, tokens))) >= needed


@lru_cache(maxsize=32)
def _cased_stopwords(language: str) -> frozenset[str]:
    """``stopwords(language)`` as written in lower case, capitalized and in capitals: each lower-cases
    to one of them, so what it counts is a part of what ``_plainly_in`` counts."""
    common = stopwords(language)
    return frozenset(form for word in common for form in (word, word.capitalize(), word.upper())
                     if form.lower() in common)


def _letter_words(tokens: list[str] | tuple[str, ...]) -> list[str]:
    return [w for w in tokens if w[0].isalpha()]


def _foreign(text: str, language: str, tokens: list[str] | tuple[str, ...] | None = None) -> tuple[str, float] | None:
    """(language, probability) when ``text`` is prose in another language than the article's.

    Prose only: at least ``MIN_FOREIGN_WORDS`` words of letters, mostly lower-case (a table of
    names and numbers, or a title-case list, fools langdetect), and not dense with the article
    language's own function words (which also saves the langdetect call).
    ``tokens``: the text's ``words``, when already made.
    """
    if tokens is None:
        tokens = line_words(text)
    # The checks in the order that settles most texts soonest: three in four are plainly in the
    # language (the words of letters are a subset of the tokens, so too few tokens settles it first).
    if len(tokens) < MIN_FOREIGN_WORDS or _plainly_in(text, language, tokens):
        return None
    letters = _letter_words(tokens)
    if len(letters) < MIN_FOREIGN_WORDS or sum(map(str.islower, letters)) < 0.5 * len(letters):
        return None
    return other_language(text, language, FOREIGN_MIN_PROB, max_chars=500)


def _prose_sentence(sentence: str, toks: list[str]) -> bool:
    """A sentence worth comparing for repeats: prose, not a list item, recipe line or table row.

    ``toks``: its ``words``."""
    letters = _letter_words(toks)
    opened = sentence.count("(") + sentence.count("[") - sentence.count(")") - sentence.count("]")
    return (len(letters) >= MIN_REPEATED_SENTENCE_WORDS and len(letters) >= 0.75 * len(toks)
            and opened == 0  # cut inside brackets: an abbreviation ended it ("(or 1 tsp.")
            and bool(re.search(r"[.!?][\"'”’)]*$", sentence.rstrip())))


def _unbalanced(para: str) -> bool:
    # Straight quotes open as often as they close, so only curly closers beyond every opener count.
    return para.count("”") > para.count("“") + para.count('"')


def _find_flags(text: str, language: str | None, cfg) -> list[Edit]:
    # A confirming cleaning round asks again about the text the last round ended with.
    return list(_cached_flags(text, language, cfg.repeat_window, cfg.garble_total, cfg.garble_mean))


@lru_cache(maxsize=64)
def _cached_flags(text: str, language: str | None, repeat_window: int, garble_total: float,
                  garble_mean: float) -> tuple[Edit, ...]:
    flags: list[Edit] = []
    seen: dict[str, int] = {}  # a prose sentence's comparable key -> where it first stood
    offset = 0
    for para in text.split("\n\n"):
        for finding in _paragraph_findings(para, language, repeat_window, garble_total, garble_mean):
            if finding[0] == PROSE_SENTENCE:
                _, at, sentence, key = finding
                at += offset
                if key in seen:
                    flags.append(Edit(NAME, "repeated_sentence", FLAGGED, sentence, "",
                                      f"sentence repeats the one at offset {seen[key]}", at, at, 0.9))
                else:
                    seen[key] = at
            else:
                category, before, reason, at, sentence_at, score = finding
                flags.append(Edit(NAME, category, FLAGGED, before, "", reason, offset + at, offset + sentence_at,
                                  score))
        offset += len(para) + 2
    return tuple(flags)


PROSE_SENTENCE = "prose sentence"  # a finding that is a sentence to compare across the article


@lru_cache(maxsize=PARAGRAPH_CACHE)
def _paragraph_findings(para: str, language: str | None, repeat_window: int, garble_total: float,
                        garble_mean: float) -> tuple[tuple, ...]:
    """One paragraph's findings, offsets from its start, in the order they are reported:
    (category, span, reason, offset, sentence offset, score) for a flag, and
    (PROSE_SENTENCE, offset, sentence, key) where a sentence may repeat another of the article."""
    findings: list[tuple] = []
    checks_language = bool(language) and language != "und"
    if _unbalanced(para):
        findings.append(("unbalanced_quotes", para, "closing quote without an opening one", 0, 0, 0.5))
    foreign = _foreign(para, language) if checks_language else None
    if foreign:
        findings.append(("foreign_language", para,
                         f"paragraph in '{foreign[0]}' (p={foreign[1]}) inside a '{language}' article",
                         0, 0, foreign[1]))
    for at, sentence in _sentences(para, 0):
        check_foreign = checks_language and not foreign and sentence != para
        for finding in _sentence_findings(sentence, language, check_foreign, repeat_window, garble_total,
                                          garble_mean):
            if finding[0] == PROSE_SENTENCE:
                findings.append((PROSE_SENTENCE, at + finding[1], *finding[2:]))
            else:
                findings.append((*finding[:3], at + finding[3], at + finding[4], finding[5]))
    return tuple(findings)


# A sentence recurs more often than its paragraph: a republished copy edits a word or drops a
# sentence, which changes the paragraph but leaves its other sentences as they were. On a generated
# corpus (53% republished copies), 67% of sentences were among the last 4,096 and 90% among the
# last 16,384 (paragraphs: 46% and 49%).
SENTENCE_CACHE = 16_384


@lru_cache(maxsize=SENTENCE_CACHE)
def _sentence_findings(sentence: str, language: str | None, check_foreign: bool, repeat_window: int,
                       garble_total: float, garble_mean: float) -> tuple[tuple, ...]:
    """One sentence's findings, as ``_paragraph_findings`` gives them but with offsets from the
    sentence's start. ``check_foreign``: ask whether the sentence is in another language (not when
    it is its whole paragraph, or the paragraph already is)."""
    findings: list[tuple] = []
    word_order = model_for(language)
    toks = words(sentence)
    if check_foreign:
        found = _foreign(sentence, language, toks)
        if found:
            findings.append(("foreign_language", sentence,
                             f"sentence in '{found[0]}' (p={found[1]}) inside a '{language}' article", 0, 0, found[1]))
    repeated = _repetition(sentence, repeat_window, toks)
    if repeated:
        findings.append(("repeated_phrase", sentence[repeated[0]:repeated[1]],
                         "word or phrase repeated within one sentence", repeated[0], 0, 0.8))
    tokens = judged_tokens(sentence) if word_order is not None else None
    if tokens is not None:
        total, mean = word_order.score(sentence, tokens)
        if total <= garble_total and mean <= garble_mean:
            findings.append(("garbled", sentence, f"improbable word order (word-class bigrams: mean PMI "
                             f"{mean:.2f}, total {total:.1f})", 0, 0, 0.6))
    if _prose_sentence(sentence, toks):
        findings.append((PROSE_SENTENCE, 0, sentence, comparable(sentence)))
    return tuple(findings)


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
        # English typography repairs stay out of a paragraph in another language (its guillemets
        # and spacing are right there); it is flagged below instead.
        repaired = []
        for para in paragraphs(text):
            fixed, changes = _repaired_paragraph(para, english, ctx.language)
            edits.extend(Edit(NAME, *change) for change in changes)
            repaired.append(fixed)
        text = join_paragraphs([p for p in repaired if p])  # a lone "»" paragraph leaves nothing
    flags = _find_flags(text, ctx.language, cfg)
    if cfg.drop_foreign or cfg.drop_score:
        text, dropped = _drop_flagged(text, flags, cfg)
        if dropped:
            return Cleaned(text, edits + dropped + _find_flags(text, ctx.language, cfg))
    return Cleaned(text, edits + flags)


def _drop_flagged(text: str, flags: list[Edit], cfg) -> tuple[str, list[Edit]]:
    """Remove the sentences (or paragraphs) whose flags the config says to drop."""
    def wanted(flag: Edit) -> bool:
        return (cfg.drop_foreign and flag.category == "foreign_language") or \
            (bool(cfg.drop_score) and (flag.score or 0.0) >= cfg.drop_score)

    chosen = {f.sentence: f for f in flags if wanted(f) and f.sentence is not None}
    if not chosen:
        return text, []
    kept_paras, dropped, offset = [], [], 0
    for para in text.split("\n\n"):
        whole = chosen.get(offset)
        if whole is not None and whole.before == para:
            dropped.append(Edit(NAME, whole.category, REMOVED, para, "", f"dropped by config: {whole.reason}"))
        else:
            kept = []
            for at, sentence in _sentences(para, offset):
                flag = chosen.get(at)
                if flag is None:
                    kept.append(sentence)
                else:
                    dropped.append(Edit(NAME, flag.category, REMOVED, sentence, "",
                                        f"dropped by config: {flag.reason}"))
            if kept:
                kept_paras.append(" ".join(kept))
        offset += len(para) + 2
    return join_paragraphs(kept_paras), dropped


def mt_suspect(flags: list[Edit]) -> float:
    """How likely the article is machine-translated or rewritten, 0-1, from its findings' scores:
    the chance that at least one finding is right, taking them as independent.

    >>> mt_suspect([]), mt_suspect([Edit(NAME, "repeated_phrase", FLAGGED, "x", "", "", 0, 0, 0.8)] * 2)
    (0.0, 0.96)
    """
    doubt = 1.0
    for flag in flags:
        if flag.cleaner == NAME and flag.action == FLAGGED and flag.score:
            doubt *= 1.0 - flag.score
    return round(1.0 - doubt, 4)
