"""Unicode repair and whitespace normalization: the first cleaner, so later patterns see clean text.

ftfy repairs mojibake, HTML entities and broken characters; we keep curly quotes (ftfy's default
would straighten them) because quote direction is evidence the MT-glitch cleaner needs. Then
invisible and control characters go, odd spaces become plain spaces, and the text is laid out as
one paragraph per line with a blank line between paragraphs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import ftfy
from ftfy.badness import BADNESS_RE
from ftfy.chardata import CONTROL_CHARS, HTML_ENTITY_RE, LIGATURES, WIDTH_MAP

from cleaners.document import REMOVED, REPLACED, Cleaned, Edit
from cleaners.text import capitalized_long_words, ends_like_sentence, join_paragraphs

NAME = "unicode"

FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, normalization="NFC", explain=True)
LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
# Zero-width and bidi-control characters carry no text; soft hyphens are layout hints.
INVISIBLE = re.compile("[\u200b\u200e\u200f\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]")
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
SPACE_RUNS = re.compile(r" {2,}")
MAX_PASSES = 4

# What ftfy's fixers act on, taken from ftfy's own tables and patterns: its mojibake check
# (BADNESS_RE, per line, hence MULTILINE for its one "^"), its HTML entity pattern (HTML_ENTITY_RE:
# a bare "&", as in "AT&T" or "Q&A", in a sixth of the generated articles, is not one), and the characters
# its other fixers replace (C1 and other control characters, ligatures, full-width forms, odd line
# breaks, lone surrogates, terminal escapes). Text with none of them that is already NFC comes back
# from ftfy unchanged, so it is not sent: ftfy's chain costs ~70 us a line even when it finds
# nothing, a third of the cleaning time of a typical article (checked line by line against ftfy in
# tests/test_unicode.py).
FTFY_MOJIBAKE = re.compile(BADNESS_RE.pattern, BADNESS_RE.flags | re.MULTILINE)
FTFY_CHARACTERS = re.compile(
    "[" + re.escape("".join(sorted(chr(c) for c in {*CONTROL_CHARS, *LIGATURES, *WIDTH_MAP})))
    + "\r\u2028\u2029\x1b\x80-\x9f\ud800-\udfff]"
)

# Every character that a line break, invisible, control, odd space or ftfy character repair acts
# on, in one class: one scan tells most texts have none of them (three in four generated articles),
# where a scan each cost ~110 us an article.
_SPECIAL = re.compile("[" + "".join(p.pattern[1:-1] for p in (FTFY_CHARACTERS, INVISIBLE, CONTROL, ODD_SPACES))
                      + "\r\u2028\u2029\x0b\x0c\x85]")

CHARACTER_NAMES = {"invisible": "zero-width/bidi/soft-hyphen", "control": "control", "space": "non-standard space"}


def _ftfy_category(steps: Sequence[tuple[str, str]]) -> str:
    names = {name for _, name in steps}
    if any(step == "encode" or step == "transcode" for step, _ in steps) or "fix_encoding" in names:
        return "mojibake"
    if "unescape_html" in names:
        return "html_entity"
    return "unicode"


# Typography and letters common in clean text: an alternative is better recognised by its rarer
# characters (Cyrillic "в" before "Ђ": by the "Ђ", or every Russian text is searched all over).
# Curly quotes weigh most after ASCII: in nearly every news text, they outweigh a class of accented
# capitals with "€" and "£" (a non-ASCII line 4.1 -> 3.1 us on generated news, 3.5 -> 2.3 on the
# extraction benchmark's pages).
COMMON_IN_TEXT = (dict.fromkeys("–—…•€£°", 1000) | dict.fromkeys("“”‘’", 3000)
                  | {chr(c): 1000 for c in range(0x430, 0x450)} | {chr(c): 10_000 for c in range(128)})


def _required_characters(pattern: re.Pattern) -> tuple[re.Pattern, int] | None:
    """Runs (``_clusters``) of the characters of which every match of ``pattern`` contains one,
    and the longest match.

    Each alternative of ftfy's pattern names the characters it needs at some position (an
    accented capital, a box-drawing character, a curly quote); the union over the alternatives,
    taking each one's narrowest position, is a class that any match must contain. Where the
    pattern is not of that shape, None (and the whole text is searched).
    """
    try:  # the stdlib's own regex parser (private: where it is missing, the whole text is searched)
        import re._parser as regex_parser
        from re._constants import BRANCH, IN, LITERAL, MAX_REPEAT, MIN_REPEAT, RANGE
    except ImportError:
        return None
    if pattern.flags & re.IGNORECASE:
        return None

    def characters(op, av) -> set[str] | None:
        if op is LITERAL:
            return {chr(av)}
        if op is IN and all(o in (LITERAL, RANGE) for o, _ in av):
            return {chr(c) for o, a in av for c in ([a] if o is LITERAL else range(a[0], a[1] + 1))}
        if op in (MAX_REPEAT, MIN_REPEAT) and av[0] >= 1 and len(av[2]) == 1:
            return characters(*av[2][0])
        return None

    tree = regex_parser.parse(pattern.pattern, pattern.flags)
    if len(tree) != 1 or tree[0][0] is not BRANCH:
        return None
    required: set[str] = set()
    for branch in tree[0][1][1]:
        sets = [found for found in (characters(op, av) for op, av in branch) if found]
        if not sets:
            return None
        required |= min(sets, key=lambda found: sum(COMMON_IN_TEXT.get(c, 1) for c in found))
    width = tree.getwidth()[1]
    return _clusters("".join(sorted(required)), width), width


def _clusters(characters: str, width: int) -> re.Pattern:
    """Runs of ``characters`` in which each is at most ``2 * width - 1`` after the one before: the
    stretches within ``width`` of one of them overlap along a run, so a run is searched as one."""
    one, other = "[" + re.escape(characters) + "]", "[^" + re.escape(characters) + "]"
    return re.compile(f"{one}(?:{other}{{0,{2 * width - 2}}}{one})*")


# ftfy's pattern tries ~40 alternatives at every character (~0.5 ms an article); only the
# stretches around the characters it needs are searched.
MOJIBAKE_NEEDS = _required_characters(FTFY_MOJIBAKE)


def _looks_like_mojibake(text: str, pattern: re.Pattern = FTFY_MOJIBAKE) -> bool:
    """``pattern.search(text)``, searching only where a match could be. ``pattern``: ftfy's mojibake
    check with or without MULTILINE (the same alternatives, so the same characters needed)."""
    if MOJIBAKE_NEEDS is None:
        return bool(pattern.search(text))
    runs, width = MOJIBAKE_NEEDS
    # A match holds one of the characters, so lies within width of it: each run is searched with
    # width - 1 characters on either side (a run at a time: a page of Cyrillic mojibake is one run,
    # where a loop over its characters took ~1 ms). search(text, pos, endpos) keeps "^" for real
    # line starts only, as on the whole text.
    return any(pattern.search(text, max(0, run.start() - width + 1), run.end() + width - 1)
               for run in runs.finditer(text))


def _is_bad(text: str) -> bool:
    """ftfy's ``is_bad`` (``BADNESS_RE.search``), searching only near the characters a match needs:
    ftfy asks it of each text on its way, ~70 us a call, half of its time on a line it fixes."""
    return _looks_like_mojibake(text, BADNESS_RE)


def ftfy_leaves_alone(text: str) -> bool:
    """True when ftfy would return ``text`` unchanged (and, for a multi-line text, each of its lines)."""
    return not FTFY_CHARACTERS.search(text) and _ftfy_leaves_alone_besides_characters(text)


def _ftfy_leaves_alone_besides_characters(text: str) -> bool:
    """``ftfy_leaves_alone`` for a text known to have none of ``FTFY_CHARACTERS``."""
    return (not HTML_ENTITY_RE.search(text) and (text.isascii() or not _looks_like_mojibake(text))
            and unicodedata.is_normalized("NFC", text))


def _repair_line(line: str, edits: list[Edit], removed: Counter, ftfy_checked: bool = False,
                 plain: bool = False) -> str:
    """One pass of in-line repairs: ftfy, invisible and control characters, odd spaces.

    ``ftfy_checked``: the caller knows ftfy would leave the line as it is. ``plain``: the caller
    knows the line has no invisible, control or odd space character.
    """
    if line.strip() and not ftfy_checked and not ftfy_leaves_alone(line):
        fixed, steps = _ftfy_fixed(line)
        if fixed != line:
            reason = "ftfy: " + ", ".join(f"{step} {name}" for step, name in steps)
            edits.append(Edit(NAME, _ftfy_category(steps), REPLACED, line, fixed, reason))
            line, plain = fixed, False
    if plain:
        return line
    for kind, pattern in (("invisible", INVISIBLE), ("control", CONTROL)):
        found = pattern.findall(line)
        if found:
            removed[kind] += len(found)
            line = pattern.sub("", line)
    spaced = ODD_SPACES.sub(" ", line)
    if spaced != line:
        removed["space"] += len(ODD_SPACES.findall(line))
    return spaced


# ftfy takes ~0.4 ms a line it is sent (it tries encodings in turn), and a republished copy brings
# its source's broken lines again: on a generated corpus, 15% of the lines sent were sent before.
FTFY_CACHE = 1024


# Three of ftfy's fixers are str.translate over a table, which for text beyond Latin-1 looks up
# every character in a dict: ~20 us a line, six times a line ftfy fixes (two rounds of its loop),
# a third of its time. Where no text the line passes through holds a character of their tables,
# they change nothing, so ftfy runs without them (343 -> 247 us a line on generated mojibake).
_TRANSLATING_FIXERS = ("fix_latin_ligatures", "fix_character_width", "remove_control_chars")
FTFY_CONFIG_UNTRANSLATED = FTFY_CONFIG._replace(**dict.fromkeys(_TRANSLATING_FIXERS, False))
_TRANSLATED = re.compile("[" + re.escape("".join(sorted(map(chr, {*LIGATURES, *WIDTH_MAP, *CONTROL_CHARS})))) + "]")


def _passes_untranslated(line: str, steps: Sequence[tuple[str, str]]) -> bool:
    """Whether no text of ftfy's way from ``line`` (each step of its plan applied in turn, as
    ftfy.apply_plan does, with its normalisation) holds a character the translating fixers map.
    Between recorded steps the text is as the last one left it, so these are all the texts those
    fixers would have been given: with none to map, they would have changed and recorded nothing."""
    text = line
    for operation, argument in steps:
        if operation == "encode":
            text = text.encode(argument)
        elif operation == "decode":
            text = text.decode(argument)
        elif operation in ("transcode", "apply") and argument in ftfy.FIXERS:
            text = ftfy.FIXERS[argument](text)
        elif operation == "normalize":
            text = unicodedata.normalize(argument, text)
        else:
            return False  # a step this does not know: ftfy runs whole
        if isinstance(text, str) and _TRANSLATED.search(text):
            return False
    return True


@lru_cache(maxsize=FTFY_CACHE)
def _ftfy_fixed(line: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """ftfy's fix of ``line`` and the steps it explains (kept for the most recent lines): the same
    as ``ftfy.fix_and_explain(line, config=FTFY_CONFIG)``, without its translating fixers where
    they could change nothing."""
    with _ftfy_asking_is_bad():
        if not _TRANSLATED.search(line):
            fixed, steps = ftfy.fix_and_explain(line, config=FTFY_CONFIG_UNTRANSLATED)
            if _passes_untranslated(line, steps or ()):
                return fixed, tuple(steps or ())
        fixed, steps = ftfy.fix_and_explain(line, config=FTFY_CONFIG)
    return fixed, tuple(steps or ())


# ftfy's own check, as imported: what the block below always puts back (two threads in the block
# at once could otherwise put back each other's; either answers the same).
_FTFY_IS_BAD = getattr(ftfy, "is_bad", None)


@contextmanager
def _ftfy_asking_is_bad() -> Iterator[None]:
    """ftfy's encoding fixer asks ``_is_bad`` (same answers, found faster) while in the block; its one
    caller reads the name from ftfy's module. Where a later ftfy has no such name, it is left alone."""
    if _FTFY_IS_BAD is None:
        yield
        return
    ftfy.is_bad = _is_bad
    try:
        yield
    finally:
        ftfy.is_bad = _FTFY_IS_BAD


# A hard-wrapped line is a line of prose cut at a fixed width: at least this many words.
MIN_WRAPPED_WORDS = 8
_LOWER_WORD = re.compile(r"[^\W\d_]+(?:[\s,;)]|\.(?:\s|$))")  # a word, not a URL, a handle or a label


@dataclass(slots=True)
class _Paragraph:
    """A paragraph being joined from wrapped lines, with what ``_wrapped`` asks of it kept as
    running counts: re-reading the whole paragraph at each line would be quadratic. The word
    counts are brought up to date only when asked (``counted``): most lines never need them."""

    pieces: list[str]
    has_pipe: bool = False
    words: int = 0
    long_words: int = 0
    capitalized: int = 0
    last_token: str = ""
    in_counts: int = 0  # how many pieces the word counts cover

    def add(self, piece: str) -> None:
        self.pieces.append(piece)
        self.has_pipe = self.has_pipe or "|" in piece

    def counted(self) -> _Paragraph:
        for piece in self.pieces[self.in_counts:]:
            tokens = piece.split()
            long_words, capitalized = capitalized_long_words(tokens)
            self.words += len(tokens)
            self.long_words += long_words
            self.capitalized += capitalized
            self.last_token = tokens[-1] if tokens else self.last_token
        self.in_counts = len(self.pieces)
        return self


def _wrapped(previous: _Paragraph, line: str) -> bool:
    """``previous`` (the paragraph joined so far, as a second pass sees it) is prose that stops
    mid-sentence (not a title: it ends on a lower-case word or a comma, or most of its words are
    lower case), and ``line`` goes on in lower case."""
    if (not line[0].islower() or not _LOWER_WORD.match(line) or ends_like_sentence(previous.pieces[-1])
            or previous.has_pipe):
        return False  # most lines: the next one starts a new paragraph
    previous.counted()
    if previous.words < MIN_WRAPPED_WORDS:
        return False
    last = previous.last_token
    return last[0].islower() or last.endswith(",") or previous.capitalized < 0.5 * previous.long_words


def _join_hard_wraps(lines: list[str]) -> tuple[list[str], list[Edit]]:
    """Join a line of prose that stops mid-sentence to the next when that one goes on in lower case:
    text hard-wrapped at a fixed width ("…looking absolutely stunning in new" / "make-up photos.").
    Lists, links and scripts without case never join. A line is judged against the paragraph
    joined so far, so that a second pass joins nothing more."""
    paragraphs: list[_Paragraph] = []
    edits: list[Edit] = []
    for line in lines:
        if paragraphs and _wrapped(paragraphs[-1], line):
            last = paragraphs[-1].pieces[-1]
            edits.append(Edit(NAME, "hard_wrap", REPLACED, f"{last}\n{line}", f"{last} {line}",
                              "line break inside a sentence joined (text hard-wrapped at a fixed width)"))
        else:
            paragraphs.append(_Paragraph([]))
        paragraphs[-1].add(line)
    return [" ".join(p.pieces) for p in paragraphs], edits


def _lines_left_as_they_are(text: str, ftfy_clean: bool, plain: bool) -> bool:
    """Whether the per-line repairs would change no line of ``text`` but for its ends' spaces."""
    return ftfy_clean and plain and "  " not in text


# Lines known to have no character an in-line repair acts on and nothing ftfy would change (what
# the whole-text checks in repair_unicode establish): the next cleaning round reads the lines this
# one wrote, and lines recur across articles (republished copies). Cleared past the limit.
SETTLED_LINES = 8192
_settled_lines: set[str] = set()


def _settled(line: str) -> bool:
    """Whether ``line`` has no character any in-line repair acts on and nothing ftfy would change
    (runs of spaces are left to ``_lines_left_as_they_are``)."""
    if line in _settled_lines:
        return True
    if _SPECIAL.search(line) or not _ftfy_leaves_alone_besides_characters(line):
        return False
    if len(_settled_lines) >= SETTLED_LINES:
        _settled_lines.clear()
    _settled_lines.add(line)
    return True


def repair_unicode(text: str, ctx=None) -> Cleaned:
    """Repair mojibake and entities with ftfy, drop invisible characters, normalize paragraph layout.

    >>> repair_unicode("Caf\\u00c3\\u00a9 \\u201cnoir\\u201d\\u200b\\nNext\\u00a0 line").text
    'Café “noir”\\n\\nNext line'
    """
    edits: list[Edit] = []
    removed = Counter()
    out, touched = [], []
    lines = text.split("\n")
    if all(map(_settled, lines)):  # every line known: the checks below would find nothing
        whole_text_clean = whole_text_plain = True
    # One check each for the common case instead of one a line.
    elif _SPECIAL.search(text):
        text = LINE_BREAKS.sub("\n", text)
        lines = text.split("\n")
        whole_text_clean = ftfy_leaves_alone(text)
        whole_text_plain = not (INVISIBLE.search(text) or CONTROL.search(text) or ODD_SPACES.search(text))
    else:  # no line break to change, no character to remove or replace
        whole_text_clean, whole_text_plain = _ftfy_leaves_alone_besides_characters(text), True
    if _lines_left_as_they_are(text, whole_text_clean, whole_text_plain):
        # What the loop below does to such lines: each is left as it is but for its ends' spaces.
        touched = lines
        out = [stripped for stripped in map(str.strip, lines) if stripped]
        lines = []
    for line in lines:
        # Repeat to a fixed point: ftfy may see mojibake only once a tab became a space ("Â\t0").
        for attempt in range(MAX_PASSES):
            first = attempt == 0  # later passes see a line this one changed
            spaced = _repair_line(line, edits, removed, ftfy_checked=whole_text_clean and first,
                                  plain=whole_text_plain and first)
            collapsed = (SPACE_RUNS.sub(" ", spaced) if "  " in spaced else spaced).strip()
            if collapsed == line.strip() or not collapsed:
                break
            line = collapsed
        touched.append(spaced)
        if collapsed:
            out.append(collapsed)
    for kind, count in sorted(removed.items()):
        action = REPLACED if kind == "space" else REMOVED
        edits.append(
            Edit(NAME, kind, action, "", " " if kind == "space" else "",
                 f"{count} {CHARACTER_NAMES[kind]} character(s) {'normalized' if kind == 'space' else 'removed'}")
        )
    out, wraps = _join_hard_wraps(out)
    edits.extend(wraps)
    result = join_paragraphs(out)
    if result != "\n".join(touched):
        edits.append(Edit(NAME, "layout", REPLACED, "", "", "paragraph breaks and spacing made consistent"))
    return Cleaned(result, edits)
