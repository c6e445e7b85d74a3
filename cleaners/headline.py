"""Headline noise at the top of the body: the title repeated (whole or truncated) and tag lines.

Scraped pages often repeat the headline as the body's first line, sometimes in a fuller form than
the title the scraper kept ("Chinas top diplomat vows ... ahead" vs the whole headline): then the
fuller one becomes the title. A kicker or topic tag ("Russia China ties", "Politics") is a short
unpunctuated line at the very top. When an input has no title, a headline-shaped first line
becomes the title.
"""

from __future__ import annotations

import re

from cleaners.document import REMOVED, REPLACED, Cleaned, Edit
from cleaners.text import (
    capitalized_long_words,
    comparable,
    ends_like_sentence,
    join_paragraphs,
    line_words,
    paragraphs,
)

NAME = "headline"
MAX_TAG_WORDS = 4
# Longer first lines are a lead sentence without its full stop (20 words: a long headline).
MAX_HEADLINE_WORDS = 20
# A copy that is a prefix of the title (or the reverse) must be this long to count as truncation.
MIN_TRUNCATED_WORDS = 4


# A sentence ending inside the line ("…and its advertiser. All opinions are mine…"): a headline is
# one sentence. A lower-case word before the stop keeps out abbreviations ("Gov. Kristi Noem").
SENTENCE_INSIDE = re.compile(r"\b[^\W\d_A-Z]{3,}[.!?]\s+[A-Z]")


# A bare web address among the first lines is the page's own (the scraper's source line); body
# text quotes addresses inside sentences or further down (a list of links).
PAGE_ADDRESS = re.compile(r"(https?://|www\.)\S+")
MAX_ADDRESS_LINE = 2
ADDRESS_REASON = "the page's own web address above the article"
# Headline style (English): nearly every longer word capitalized, so a headline of two sentences
# ("Home Depot Stock Is Falling After Its Earnings Release. Why You Shouldn't Worry.") still reads
# as one; prose never capitalizes so.
MIN_TITLE_CASE_WORDS = 4
MIN_TITLE_CASE_SHARE = 0.85


def _title_case(line: str) -> bool:
    long_words, capitalized = capitalized_long_words(line_words(line))
    return long_words >= MIN_TITLE_CASE_WORDS and capitalized >= MIN_TITLE_CASE_SHARE * long_words


def _looks_like_headline(line: str) -> bool:
    n = len(line_words(line))
    if not 0 < n <= MAX_HEADLINE_WORDS or line.rstrip().endswith((":", ";", ",")) or PAGE_ADDRESS.fullmatch(line):
        return False
    return _title_case(line) or not (line.rstrip().endswith((".", "。")) or SENTENCE_INSIDE.search(line))


def _headline_copy(line: str, title: str) -> tuple[str, str | None] | None:
    """(reason, new_title) if ``line`` is a copy of ``title``; new_title when the line is fuller."""
    c, t = comparable(line), comparable(title)
    if not c or not t:
        return None
    if c == t:
        return "headline repeated at the top of the body", None
    if c.startswith(t + " ") and len(t.split()) >= MIN_TRUNCATED_WORDS and _looks_like_headline(line):
        return "full headline at the top of the body, moved to the title", line
    if t.startswith(c + " ") and len(c.split()) >= MIN_TRUNCATED_WORDS:
        return "truncated copy of the headline", None
    return None


def _is_tag_line(line: str, title: str) -> bool:
    """A kicker: a few words, no sentence punctuation, each word in the title or capitalized."""
    tokens = line_words(line)
    if not 0 < len(tokens) <= MAX_TAG_WORDS or ends_like_sentence(line) or any(ch.isdigit() for ch in line):
        return False
    title_words = set(comparable(title).split())
    return all(w.lower().replace("’", "").replace("'", "") in title_words or w[:1].isupper() for w in tokens)


def remove_headline_noise(text: str, ctx) -> Cleaned:
    """Drop repeated/truncated headline copies and tag lines from the top of the body.

    >>> from cleaners.registry import CleanerContext
    >>> ctx = CleanerContext("Big news today")
    >>> r = remove_headline_noise("Big news today\\n\\nBig news today\\n\\nIt happened.", ctx)
    >>> r.text, r.edits[0].reason
    ('It happened.', 'headline repeated at the top of the body')
    """
    paras = paragraphs(text)
    title = ctx.title or ""
    edits: list[Edit] = []
    fields: dict[str, str] = {}
    while len(paras) > 1 and len(edits) < MAX_ADDRESS_LINE and PAGE_ADDRESS.fullmatch(paras[0]):
        edits.append(Edit(NAME, "address", REMOVED, paras.pop(0), "", ADDRESS_REASON))
    if not title.strip() and len(paras) > 1 and _looks_like_headline(paras[0]):
        title = paras.pop(0)
        fields["title"] = title
        edits.append(Edit(NAME, "headline", REMOVED, title, "", "headline moved from the body to the title"))
    # Repeat until the top line is neither a copy nor a tag: the result is a fixed point.
    top = 0
    while len(paras) - top > 1:
        line = paras[top]
        copy = _headline_copy(line, title)
        if copy:
            reason, new_title = copy
            edits.append(Edit(NAME, "headline", REMOVED, line, "", reason))
            if new_title:
                edits.append(Edit(NAME, "title", REPLACED, title, new_title,
                                  "the title was a truncated copy of the full headline found in the body"))
                title = fields["title"] = new_title
        elif top < MAX_ADDRESS_LINE and PAGE_ADDRESS.fullmatch(line):
            edits.append(Edit(NAME, "address", REMOVED, line, "", ADDRESS_REASON))
        elif _is_tag_line(line, title):
            edits.append(Edit(NAME, "tag_line", REMOVED, line, "", "short tag or kicker line above the article"))
        else:
            break
        top += 1
    paras = paras[top:]
    return Cleaned(join_paragraphs(paras), edits, fields)
