"""Boilerplate removal: ads, related links, paywall notices, prompts, appeals, captions, credits.

Phrase knowledge lives in data files (``cleaners/phrases/<lang>.toml``), so a new language or a
site's own phrases need no code. The rules work on whole paragraphs: a line is removed only when
the whole line is junk, which keeps a news sentence that merely mentions advertising or
subscribers. Multi-paragraph appeals go as one block (start and end found); comment sections and
link lists at the end go as a tail; a short unpunctuated line stranded between removed lines
(a video caption, a teaser headline) goes with them. A whole page's text (mostly short non-prose
lines, some of them named junk) is cut to its article: the run of lines with the most prose.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cleaners.config import BoilerplateConfig, ConfigError
from cleaners.document import REMOVED, Cleaned, Edit
from cleaners.text import capitalized_long_words, ends_like_sentence, join_paragraphs, line_words, paragraphs

NAME = "boilerplate"
PHRASE_DIR = Path(__file__).parent / "phrases"
# A tail section holds junk or short non-prose lines; a sentence after "Comments" is article text.
MAX_TAIL_LINE_WORDS = 40
SHORT_LINE_ANSWERS = 32_768  # short lines whose classification is kept (see PhraseBook._short_answers)
LONG_LINE_ANSWERS = 16_384  # and long ones
SETTLED_TEXTS = 64  # texts known to have nothing left to remove (see remove_boilerplate)
# "Stranded" lines: at most this many words, between two removed lines.
MAX_STRANDED_WORDS = 20


@dataclass(frozen=True, slots=True)
class BlockRule:
    category: str
    reason: str
    start: re.Pattern
    end: re.Pattern
    max_lines: int


@dataclass(frozen=True, slots=True)
class TailRule:
    category: str
    reason: str
    start: re.Pattern


@dataclass(frozen=True, slots=True)
class PhraseBook:
    """All languages' rules, compiled once: one alternation per category for line rules."""

    line_rules: tuple[tuple[str, str, re.Pattern | ScreenedRule], ...]  # (category, reason, pattern)
    blocks: tuple[BlockRule, ...]
    tails: tuple[TailRule, ...]
    long_line_rules: tuple[tuple[str, str, re.Pattern | ScreenedRule], ...] = ()  # rules marked any_length
    end_rules: tuple[tuple[str, str, re.Pattern], ...] = ()  # only the article's last paragraphs
    fused: tuple[tuple[str, str, re.Pattern], ...] = ()  # list headings glued into the last paragraph
    # classify_line's answers for recent lines: each line tries a dozen alternations, and lines
    # recur across articles (republished copies, a site's standard lines). Cleared past the limit.
    # Short and long lines apart: a long one tries two rules (~2 us), a short one all (~50 us), and
    # long lines, three in four asked, cleared the short ones' answers with theirs.
    _short_answers: dict = field(default_factory=dict, compare=False, repr=False)
    _long_answers: dict = field(default_factory=dict, compare=False, repr=False)
    # Texts a pass of every rule left unchanged, with the settings that pass read (see
    # remove_boilerplate). Cleared past SETTLED_TEXTS.
    _settled: dict = field(default_factory=dict, compare=False, repr=False)

    def classify_line(self, line: str, long: bool = False) -> tuple[str, str] | None:
        """The first line rule the whole line matches; for a ``long`` line only any_length rules."""
        answers, limit = (self._long_answers, LONG_LINE_ANSWERS) if long else (self._short_answers, SHORT_LINE_ANSWERS)
        try:
            return answers[line]
        except KeyError:
            pass
        found = None
        for category, reason, pattern in self.long_line_rules if long else self.line_rules:
            if pattern.fullmatch(line):
                found = category, reason
                break
        if len(answers) >= limit:
            answers.clear()
        answers[line] = found
        return found


def _compile(patterns: list[str], where: str) -> re.Pattern:
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"bad pattern in {where}: {exc}") from None


class ScreenedRule:
    """A line rule whose patterns that open with ``.{m,n}`` are asked only where a piece of
    literal text each of them needs is in the line. Such a pattern is tried at every position of
    the line (the ad rule's five: 9 of its 13.5 us a line), a search for fixed text is not.
    ``fullmatch`` answers as the rule's one alternation would."""

    __slots__ = ("others", "screen", "screened")

    def __init__(self, others: re.Pattern | None, screen: re.Pattern, screened: re.Pattern):
        self.others, self.screen, self.screened = others, screen, screened

    def fullmatch(self, line: str) -> bool:
        return bool((self.others is not None and self.others.fullmatch(line))
                    or (self.screen.search(line) and self.screened.fullmatch(line)))


MIN_SCREEN_LITERAL = 4  # shorter text is in too many lines to rule any out


def _compile_line_rule(patterns: list[str], where: str) -> re.Pattern | ScreenedRule:
    whole = _compile(patterns, where)  # checks the patterns, and is the rule where none is screened
    needed = [_needed_literal(p) for p in patterns]
    if not any(needed):
        return whole
    others = [p for p, literal in zip(patterns, needed, strict=True) if not literal]
    screened = [p for p, literal in zip(patterns, needed, strict=True) if literal]
    try:  # apart, a pattern may miss a group another one names: then the rule stays whole
        return ScreenedRule(_compile(others, where) if others else None,
                            re.compile("|".join(re.escape(lit) for lit in needed if lit), re.IGNORECASE),
                            _compile(screened, where))
    except ConfigError:
        return whole


def _needed_literal(pattern: str) -> str | None:
    """For a pattern that opens with ``.{m,n}``, its longest run of literal characters outside any
    group or repeat (each match holds it, matched case-insensitively as the rule is), if at least
    ``MIN_SCREEN_LITERAL`` long; else None."""
    try:  # the stdlib's own regex parser (private: where it is missing, nothing is screened)
        import re._parser as regex_parser
        from re._constants import ANY, LITERAL, MAX_REPEAT, MIN_REPEAT
    except ImportError:
        return None
    try:
        items = list(regex_parser.parse(pattern, re.IGNORECASE))
    except re.error:  # a reference to another pattern's group: parsed only in the alternation
        return None
    if not items or items[0][0] not in (MAX_REPEAT, MIN_REPEAT) or list(items[0][1][2]) != [(ANY, None)]:
        return None
    runs, run = [], []
    for op, av in items:
        if op is LITERAL:
            run.append(chr(av))
        elif run:
            runs.append("".join(run))
            run = []
    runs.append("".join(run))
    longest = max(runs, key=len)
    return longest if len(longest) >= MIN_SCREEN_LITERAL else None


def _phrase_file(language: str, extra_dirs: tuple[str, ...]) -> Path:
    for folder in (*map(Path, extra_dirs), PHRASE_DIR):
        candidate = folder / f"{language}.toml"
        if candidate.is_file():
            return candidate
    known = sorted(p.stem for p in PHRASE_DIR.glob("*.toml"))
    raise ConfigError(f"no phrase file for language '{language}'; available: {', '.join(known)}")


@lru_cache(maxsize=8)
def load_phrasebook(languages: tuple[str, ...], extra_dirs: tuple[str, ...] = ()) -> PhraseBook:
    """Read and compile the phrase files for ``languages`` (cached: compiled once per process)."""
    lines: dict[tuple[str, bool], tuple[str, list[str]]] = {}
    blocks, tails = [], []
    ends: dict[str, tuple[str, list[str]]] = {}
    fused: list[tuple[str, str, re.Pattern]] = []
    for language in languages:
        path = _phrase_file(language, extra_dirs)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"bad phrase file {path}: {exc}") from None
        for rule in data.get("line", []):
            key = (rule["category"], bool(rule.get("any_length", False)))
            reason, patterns = lines.setdefault(key, (rule["reason"], []))
            patterns.extend(rule["patterns"])
        for rule in data.get("block", []):
            blocks.append(
                BlockRule(rule["category"], rule["reason"], _compile(rule["start"], path.name),
                          _compile(rule["end"], path.name), int(rule.get("max_lines", 10)))
            )
        for rule in data.get("tail", []):
            tails.append(TailRule(rule["category"], rule["reason"], _compile(rule["start"], path.name)))
        for rule in data.get("end", []):
            ends.setdefault(rule["category"], (rule["reason"], []))[1].extend(rule["patterns"])
        for rule in data.get("fused", []):
            fused.append((rule["category"], rule["reason"], _compile(rule["headings"], path.name)))
    line_rules = tuple((cat, reason, _compile_line_rule(pats, f"{cat} rules"))
                       for (cat, _), (reason, pats) in lines.items())
    long_line_rules = tuple(rule for rule, (_, any_length) in zip(line_rules, lines, strict=True) if any_length)
    end_rules = tuple((cat, reason, _compile(pats, f"{cat} end rules")) for cat, (reason, pats) in ends.items())
    return PhraseBook(line_rules, tuple(blocks), tuple(tails), long_line_rules, end_rules, tuple(fused))


@lru_cache(maxsize=32)
def stopwords(language: str) -> frozenset[str]:
    """The language's distinctive function words from its phrase file (empty if it has none)."""
    path = PHRASE_DIR / f"{language}.toml"
    if not path.is_file():
        return frozenset()
    return frozenset(tomllib.loads(path.read_text(encoding="utf-8")).get("stopwords", []))


def phrasebook_for(cfg: BoilerplateConfig) -> PhraseBook:
    return load_phrasebook(tuple(cfg.languages), tuple(cfg.extra_phrase_dirs))


def _mark_blocks(paras: list[str], marks: list, book: PhraseBook) -> None:
    for rule in book.blocks:
        i = 0
        while i < len(paras):
            if marks[i] is None and rule.start.fullmatch(paras[i]):
                end = next(
                    (j for j in range(i, min(len(paras), i + rule.max_lines))
                     if rule.end.fullmatch(paras[j])), None,
                )
                if end is not None:
                    for j in range(i, end + 1):
                        marks[j] = (rule.category, rule.reason, i)  # i: block id, so edits group
                    i = end
            i += 1


_words = line_words  # each rule asks a line's words again


def _mark_tail(paras: list[str], marks: list, book: PhraseBook, max_tail_lines: int) -> None:
    start = max(0, len(paras) - max_tail_lines - 1)
    for i in range(start, len(paras)):
        # What follows a tail marker must be junk already, or short lines that are not prose.
        rest = [p for j, p in enumerate(paras[i + 1:], start=i + 1) if marks[j] is None]
        if any(len(_words(p)) > MAX_TAIL_LINE_WORDS or ends_like_sentence(p) for p in rest):
            continue
        for rule in book.tails:
            if rule.start.fullmatch(paras[i]):
                for j in range(i, len(paras)):
                    if marks[j] is None:  # lines a rule already named keep their own category
                        marks[j] = (rule.category, rule.reason, ("tail", i))
                return


# "About us" paragraphs and author bios close an article; the same words earlier are news.
MAX_END_PARAS = 3


def _mark_end(paras: list[str], marks: list, book: PhraseBook) -> None:
    """Walk back from the last paragraph over junk already found; mark up to MAX_END_PARAS
    paragraphs that an end rule matches, stopping at the first that none does."""
    found = 0
    for i in range(len(paras) - 1, -1, -1):
        if marks[i] is not None:
            continue
        if found == MAX_END_PARAS:
            return
        rule = next(((cat, reason) for cat, reason, pattern in book.end_rules if pattern.fullmatch(paras[i])), None)
        if rule is None:
            return
        marks[i] = (*rule, ("end", len(paras)))
        found += 1


# A list heading glued into the last paragraph after a sentence ("…a helicopter. Top stories The
# House of Representatives…"): the extractor joined the article and the list below it. The heading
# must follow a sentence's end and precede a capital, with this much article before it.
AFTER_SENTENCE = re.compile(r"(?<=[.!?”\"’])\s+(?=[A-Z])")
HEADING_THEN_ITEM = re.compile(r"[\s:|]+(?=[A-Z0-9“\"‘'])")
MIN_WORDS_BEFORE_FUSED = 40


def _cut_fused_heading(paras: list[str], book: PhraseBook) -> Edit | None:
    """Cut the last paragraph at a glued list heading; the edit records what went."""
    if not paras or not book.fused:
        return None
    last = paras[-1]
    # Matched in place, not on a copy of the rest: a copy at each sentence's end is quadratic in
    # a long paragraph (a 4 MB one took 4.5 s). A heading's pattern sees where it starts as the
    # gap (after a space), not the start of a string: `^` or a look-behind would not do there.
    for gap in AFTER_SENTENCE.finditer(last):
        for category, reason, pattern in book.fused:
            heading = pattern.match(last, gap.end())
            if (heading and HEADING_THEN_ITEM.match(last, heading.end())
                    and len(_words(last[:gap.start()])) >= MIN_WORDS_BEFORE_FUSED):
                paras[-1] = last[:gap.start()]
                return Edit(NAME, category, REMOVED, last[gap.end():], "", reason)
    return None


def _mark_stranded(paras: list[str], marks: list) -> None:
    for i in range(1, len(paras) - 1):
        line = paras[i]
        if (marks[i] is None and marks[i - 1] is not None and marks[i + 1] is not None
                and len(_words(line)) <= MAX_STRANDED_WORDS and not ends_like_sentence(line)):
            marks[i] = ("stranded", "short unpunctuated line between boilerplate lines (caption or teaser)", None)


# Link lists: at least this many consecutive short, unpunctuated, headline-like lines.
MIN_LINK_RUN = 2
MAX_LINK_WORDS = 20
# A line is headline-like when most of its longer words are capitalized, or it has a "|" separator.
MIN_TITLE_CASE_SHARE = 0.6
# A short unpunctuated line repeated verbatim within one article is a template (a promo, a
# "10 things" teaser); bullets and table rows ("| 1 |", "Player |") are left alone: repeated cells
# are content.
MAX_REPEATED_LINE_WORDS = 15
MIN_REPEATS = 2
# A line repeated this often, before a different line each time, labels a section layout.
LAYOUT_REPEATS = 3
# Lines this share numbers are data (scores, table rows), not links.
MIN_NUMBER_SHARE = 0.4
MONTHS = frozenset("january february march april may june july august september october november december "
                   "jan feb mar apr jun jul aug sep sept oct nov dec".split())


# A list item or a table row starts so; a table cell rendered on its own line ends with "|".
LIST_OR_ROW_STARTS = ("-", "•", "*", "|")


def _list_item_or_table_cell(line: str) -> bool:
    return line.startswith(LIST_OR_ROW_STARTS) or line.endswith("|")


def _headline_like(line: str) -> bool:
    tokens = _words(line)
    if not 0 < len(tokens) <= MAX_LINK_WORDS or ends_like_sentence(line) or _list_item_or_table_cell(line):
        return False  # a sentence, a bullet point, or a table row or cell
    if tokens[0][0].isdigit() or tokens[0].lower() in MONTHS:
        return False  # a dated or numbered list (tour dates, rankings) is content
    if sum(t[0].isdigit() for t in tokens) >= MIN_NUMBER_SHARE * len(tokens):
        return False  # a score line or a table row ("Rockledge 14 11 6 15 — 44") is data
    if " | " in line and line.count("|") <= 2:
        return True
    long_words, capitalized = capitalized_long_words(tokens)
    return long_words > 0 and capitalized >= MIN_TITLE_CASE_SHARE * long_words


def _is_prose(line: str) -> bool:
    return len(_words(line)) >= MIN_PROSE_WORDS and ends_like_sentence(line)


def _main_text_span(scores: list[int]) -> tuple[int, int]:
    """(first, last) of the run of lines with the largest total score (Kadane); last < 0: no prose."""
    best, first, last = 0, 0, -1
    total, start = 0, 0
    for i, score in enumerate(scores):
        if total <= 0:
            total, start = 0, i
        total += score
        if total > best:
            best, first, last = total, start, i
    return first, last


def _mark_link_runs(paras: list[str], marks: list) -> None:
    """Mark runs of headline-like lines, except a short run inside the article's main text (the
    run of lines with the most prose): there they are sub-headings, tables and data lists more
    often than links, while menus and link lists are long enough to end the main text.

    Lines already marked go anyway: runs and the main text are found among the lines that stay,
    so that a second pass over the cleaned text finds nothing new."""
    staying = [i for i, mark in enumerate(marks) if mark is None]
    lines = [paras[i] for i in staying]
    span = None  # found when a run is, as most articles have none
    k = 0
    while k < len(lines):
        m = k
        while m < len(lines) and _headline_like(lines[m]):
            m += 1
        if m - k >= MIN_LINK_RUN:
            span = span or _main_text_span(_line_scores(lines, [None] * len(lines)))
            if not span[0] < k <= m - 1 < span[1]:
                for i in staying[k:m]:
                    marks[i] = ("navigation", "run of short headline-like lines (a list of links)",
                                ("links", staying[k]))
        k = max(m, k + 1)


BULLETS = ("- ", "• ", "* ")


def _mark_bulleted_links(paras: list[str], marks: list) -> None:
    """A bulleted run of headlines right after a sentence: links to other stories dropped into the
    article ("- Photos: Europa, Mysterious Icy Moon of Jupiter"). A list the text announces ("The
    newly selected five are:") or that has its own heading ("Qualified teams") is the article's."""
    i = 0
    while i < len(paras):
        j = i
        while (j < len(paras) and marks[j] is None and paras[j].startswith(BULLETS)
               and _headline_like(paras[j][2:].strip())):
            j += 1
        after_prose = i > 0 and ends_like_sentence(paras[i - 1]) and not paras[i - 1].rstrip().endswith(":")
        if j - i >= MIN_LINK_RUN and after_prose:
            for k in range(i, j):
                marks[k] = ("related", "bulleted headlines right after a sentence (links to other stories)",
                            ("bullets", i))
        i = max(j, i + 1)


# Teaser cards: a bare separator line ("-", "•") before each, then a headline and at most one
# short line (its standfirst). A story's own section breaks are followed by prose, not headlines.
MIN_CARDS = 3
MAX_SEPARATOR_CHARS = 3
MAX_CARD_LINE_WORDS = 30


def _separator(line: str) -> bool:
    return len(line) <= MAX_SEPARATOR_CHARS and not _words(line)


def _card_end(paras: list[str], i: int) -> int | None:
    """Index after the card that starts with the separator at ``i``, or None if none starts there."""
    j = i + 1
    if j >= len(paras) or _separator(paras[j]) or not 0 < len(_words(paras[j])) <= MAX_LINK_WORDS \
            or ends_like_sentence(paras[j]):
        return None
    j += 1
    if j < len(paras) and not _separator(paras[j]) and len(_words(paras[j])) <= MAX_CARD_LINE_WORDS:
        j += 1
    return j


def _mark_separated_cards(paras: list[str], marks: list) -> None:
    i = 0
    while i < len(paras):
        ends = []
        j = i
        while j < len(paras) and _separator(paras[j]) and (end := _card_end(paras, j)) is not None:
            ends.append(end)
            j = end
        if len(ends) >= MIN_CARDS:
            for k in range(i, j):
                if marks[k] is None:
                    marks[k] = ("related", "teaser cards between separator lines (links to other stories)",
                                ("cards", i))
            i = j
        else:
            i += 1


# Excerpts of other posts: long paragraphs cut off mid-sentence with an ellipsis ("… um plano
# paralelo para …"). Two or more close together after the article's start: they and what lies
# between them go.
MIN_EXCERPT_WORDS = 30
MIN_EXCERPTS = 2
# Excerpts further apart than this many paragraphs are not one list of them.
MAX_EXCERPT_GAP = 3
MAX_EXCERPT_WORDS = 150
ELLIPSIS = ("...", "…", "[…]")
# An ellipsis after a word, not after a sentence's end ("…discipline....", "…Know.\"..."): cut off.
CUT_OFF = re.compile(r"(?<![.!?。\"'”’)\]])\s*(\.\.\.|…|\[…\])$")


def _mark_excerpts(paras: list[str], marks: list) -> None:
    cut = [i for i, p in enumerate(paras)
           if i > 0 and marks[i] is None and p.endswith(ELLIPSIS) and CUT_OFF.search(p)
           and MIN_EXCERPT_WORDS <= len(_words(p)) <= MAX_EXCERPT_WORDS]
    groups: list[list[int]] = []
    for i in cut:
        if groups and i - groups[-1][-1] <= MAX_EXCERPT_GAP + 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    for group in groups:
        if len(group) < MIN_EXCERPTS:
            continue
        for i in range(group[0], group[-1] + 1):
            if marks[i] is None:
                marks[i] = ("related", "excerpts of other posts (cut off with an ellipsis) and what lies between them",
                            ("excerpts", group[0]))


def _mark_repeated_lines(paras: list[str], marks: list) -> None:
    counts: dict[str, int] = {}
    for p in paras:
        if len(_words(p)) <= MAX_REPEATED_LINE_WORDS:
            counts[p] = counts.get(p, 0) + 1
    # Punctuated repeats are often content (the same question put to each interviewee).
    candidates = {p for p, n in counts.items()
                  if n >= MIN_REPEATS and _words(p) and not ends_like_sentence(p) and not _list_item_or_table_cell(p)}
    if not candidates:
        return
    # A label followed by a different line each time (a section layout: "Meal 1", "Meal 2") is content.
    # Its followers are judged among the lines that stay, until no more go: a second pass over the
    # cleaned text then finds the same layouts (and removes nothing more).
    gone: set[str] = set()
    while True:
        staying = [p for i, p in enumerate(paras) if marks[i] is None and p not in gone]
        left = {p: 0 for p in candidates - gone}
        followers: dict[str, set[str]] = {p: set() for p in left}
        for i, p in enumerate(staying):
            if p in left:
                left[p] += 1
                if i + 1 < len(staying):
                    followers[p].add(staying[i + 1])
        newly = {p for p, n in left.items() if n < LAYOUT_REPEATS or len(followers[p]) < n}
        if not newly:
            break
        gone |= newly
    for i, p in enumerate(paras):
        if marks[i] is None and p in gone:
            marks[i] = ("repeated_line", "short line repeated within the article (a template)", None)


# The page repeats the article's own opening further down (a second rendering of the story, a
# teaser of itself): from where its first two content paragraphs recur in order, the copy goes.
MIN_COPY_WORDS = 20
OPENING_PARAS = 3


def _mark_repeated_opening(paras: list[str], marks: list) -> None:
    """Mark later copies of the article's opening paragraphs, and its opening cut short with an
    ellipsis ("Good morning! This is the tech news you need to..."). Long paragraphs repeated
    alone stay (the same interview question to each guest); a copy must start at one of the
    first paragraphs (a caption or standfirst may come before it) and run on in the same order."""
    content = [i for i, p in enumerate(paras) if marks[i] is None and len(_words(p)) >= 3]
    if len({paras[i] for i in content}) == len(content) and not any(paras[i].endswith(ELLIPSIS) for i in content):
        return  # nothing repeats, nothing is cut short: most articles
    for start in range(min(OPENING_PARAS, len(content) - 3)):
        opening = [paras[i] for i in content[start:start + 2]]
        if len(_words(opening[0])) + len(_words(opening[1])) < MIN_COPY_WORDS:
            continue
        # A copy at q (q - start >= 2) matches the paragraphs from start on for as long as they agree
        # and until it reaches itself: min(agree[q - start], q - start), at least the two opening ones.
        following = [paras[i] for i in content[start:]]
        agree = _prefix_agreement(following)
        marked_to = -1  # copies are found in order; each marks only past the ones before it
        for k in range(2, len(following) - 1):
            m = min(agree[k], k)
            if m < 2:
                continue
            q = start + k
            for i in range(max(content[q], marked_to + 1), content[q + m - 1] + 1):
                if marks[i] is None:
                    marks[i] = ("repeated_text", "the article's own text repeated further down the page",
                                ("copy", content[q]))
            marked_to = max(marked_to, content[q + m - 1])
        for i in content[start + 1:]:
            line = paras[i]
            stem = line.removesuffix("[…]").rstrip(".… ")
            if (marks[i] is None and line.endswith(ELLIPSIS) and len(_words(stem)) >= 5
                    and opening[0].startswith(stem) and len(stem) < len(opening[0])):
                marks[i] = ("repeated_text", "the article's opening cut short (a teaser of itself)", None)


def _prefix_agreement(items: list[str]) -> list[int]:
    """For each k, how many items from ``items[k]`` on equal those from the start (the Z-array).

    Linear in the items (the Z algorithm: a match already seen is reused, not compared again), where
    comparing each position afresh is quadratic on a page of one repeated paragraph: a 2 MB page of
    10,000 such paragraphs took 11 s. Hand-written: 15 lines, and no library offers it for lists.
    """
    n = len(items)
    agree = [0] * n
    if n:
        agree[0] = n
    left = right = 0  # the match [left, right) reaching furthest so far: items[left:right] == items[:right - left]
    for k in range(1, n):
        m = min(agree[k - left], right - k) if k < right else 0
        while k + m < n and items[k + m] == items[m]:
            m += 1
        agree[k] = m
        if k + m > right:
            left, right = k, k + m
    return agree


# A whole page's text (menus, footers, teasers around the article) rather than an extracted article:
# at least this many lines, most of them not prose, and some named junk by the phrase rules.
PAGE_MIN_LINES = 20
PAGE_MIN_NON_PROSE_SHARE = 0.6
PAGE_MIN_PHRASE_SHARE = 0.03
# A prose line: sentence punctuation at the end and at least this many words.
MIN_PROSE_WORDS = 6
# In a page, the article is the run of lines with the most prose, where each prose line counts its
# words and every other line costs this much: a menu of 10 links outweighs 80 words of teaser prose,
# a short list inside the article does not split it. (On the article-extraction benchmark's whole
# pages, 5-12 give F1 0.876-0.882; extracted articles never look like pages.)
NON_PROSE_COST = 8
# The body's first line, when this long, is a standfirst under the headline and stays.
STANDFIRST_WORDS = 10
_SHAPE_CATEGORIES = frozenset({"navigation", "repeated_line", "stranded"})


def _line_scores(paras: list[str], marks: list) -> list[int]:
    """Prose lines score their words, table rows and list items 0, anything else -NON_PROSE_COST."""
    scores = []
    for line, mark in zip(paras, marks, strict=True):
        if mark is None and _is_prose(line):
            scores.append(len(_words(line)))
        elif mark is None and (line[:1].isdigit() or line.startswith(LIST_OR_ROW_STARTS)):
            scores.append(0)  # a table row or a list item: article data as often as not
        else:
            scores.append(-NON_PROSE_COST)
    return scores


def _looks_like_page(marks: list, scores: list[int]) -> bool:
    """A whole page's text (given enough lines): most of them not prose, some named junk by phrase rules."""
    phrase_marked = sum(m is not None and m[0] not in _SHAPE_CATEGORIES for m in marks)
    return (sum(s < 0 for s in scores) >= PAGE_MIN_NON_PROSE_SHARE * len(marks)
            and phrase_marked >= PAGE_MIN_PHRASE_SHARE * len(marks))


def _mark_outside_main_text(paras: list[str], marks: list) -> None:
    """On a whole page's text, mark the unmarked lines before and after the article's main text."""
    if len(paras) < PAGE_MIN_LINES:
        return
    scores = _line_scores(paras, marks)  # once: the page test and the span both use them
    if not _looks_like_page(marks, scores):
        return
    first, last = _main_text_span(scores)
    if last < 0:
        return  # no prose at all: nothing to tell the article by
    for i in [*range(first), *range(last + 1, len(paras))]:
        if i == 0 and len(_words(paras[i])) >= STANDFIRST_WORDS:
            continue  # the body's first line, long: the standfirst under the headline
        if marks[i] is None:
            where = "before" if i < first else "after"
            marks[i] = ("page", f"page text {where} the article's main text (menus, teasers, footer)", ("page", where))


def remove_boilerplate(text: str, ctx) -> Cleaned:
    """Remove paragraphs that are wholly boilerplate; record each removal with its category.

    >>> from cleaners.registry import CleanerContext
    >>> ctx = CleanerContext()
    >>> remove_boilerplate("News here.\\n\\nADVERTISEMENT\\n\\nMore news.", ctx).text
    'News here.\\n\\nMore news.'
    >>> remove_boilerplate("Advertisement revenue fell 8% at the group.", ctx).edits
    []
    """
    cfg: BoilerplateConfig = ctx.config.boilerplate
    book = phrasebook_for(cfg)
    # A confirming cleaning round mostly hands back the text this cleaner ended with (nine in ten
    # on generated news): its last pass there already found nothing to remove.
    settled = (text, cfg.max_link_words, cfg.max_tail_lines)
    if settled in book._settled:
        return Cleaned(text)
    edits: list[Edit] = []
    # Rules judge a line by its neighbours; once junk between two lines goes, they may be neighbours
    # that a rule now names (two headline links, a line stranded between ads). Passes repeat until
    # one removes nothing, so the cleaned text is what a second run leaves unchanged. Each pass
    # removes a paragraph or more, so there are at most as many passes as paragraphs.
    while True:
        left, removed = _remove_once(text, cfg, book)
        edits.extend(removed)
        if left == text:
            break
        text = left
    if len(book._settled) >= SETTLED_TEXTS:
        book._settled.clear()
    book._settled[(text, cfg.max_link_words, cfg.max_tail_lines)] = True
    fields = {"truncated": True} if any(e.category == "paywall" for e in edits) else {}
    return Cleaned(text, edits, fields)


def _remove_once(text: str, cfg: BoilerplateConfig, book: PhraseBook) -> tuple[str, list[Edit]]:
    """One pass of every rule over the text's paragraphs: the text left and what went."""
    paras = paragraphs(text)
    fused = _cut_fused_heading(paras, book)
    marks: list = [None] * len(paras)
    _mark_blocks(paras, marks, book)
    for i, line in enumerate(paras):
        if marks[i] is None:
            found = book.classify_line(line, long=len(_words(line)) > cfg.max_link_words)
            if found:
                marks[i] = (*found, None)
    _mark_repeated_lines(paras, marks)
    _mark_repeated_opening(paras, marks)
    _mark_tail(paras, marks, book, cfg.max_tail_lines)
    _mark_end(paras, marks, book)
    _mark_link_runs(paras, marks)
    _mark_bulleted_links(paras, marks)
    _mark_separated_cards(paras, marks)
    _mark_stranded(paras, marks)
    _mark_outside_main_text(paras, marks)
    _mark_excerpts(paras, marks)  # after the page cut: excerpts are prose the cut weighs as such

    edits: list[Edit] = []
    kept: list[str] = []
    i = 0
    while i < len(paras):
        mark = marks[i]
        if mark is None:
            kept.append(paras[i])
            i += 1
            continue
        category, reason, group = mark
        j = i + 1
        while group is not None and j < len(paras) and marks[j] is not None and marks[j][2] == group:
            j += 1
        edits.append(Edit(NAME, category, REMOVED, join_paragraphs(paras[i:j]), "", reason))
        i = j
    if fused:
        edits.append(fused)
    return join_paragraphs(kept), edits
