"""Bylines, datelines and timestamps: moved out of the body into the article's metadata fields.

Analysts want "who, where, when" as fields, and the article text without them. Only clear shapes
are taken: a "By ..." line, a name line next to a timestamp line, a line that is only a date/time,
and a wire dateline opening one of the first paragraphs ("(CNN) ...", "WASHINGTON (Reuters) - ...").
"""

from __future__ import annotations

import re

from cleaners.document import REMOVED, Cleaned, Edit
from cleaners.text import join_paragraphs, paragraphs, words

NAME = "metadata"
HEAD_PARAGRAPHS = 6  # bylines and timestamps sit in the article's head
MAX_BYLINE_WORDS = 12
MIN_DATELINED_WORDS = 5  # a dateline opens a sentence of prose, not a bare label

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|urday|sday)?\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (rf"(?:(?:{_WEEKDAY},? )?(?:{_DAY} {_MONTH},? \d{{4}}|{_MONTH} {_DAY},? \d{{4}})"
         r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:z|[+-]\d{2}:?\d{2})?)?"
         r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})")
_TIME = r"\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?(?: (?:[a-z]{2,5}|gmt[+-]?\d{0,2}|utc[+-]?\d{0,2}))?"
_PREFIX = r"(?:(?:first |last )?(?:published|updated|posted|modified|created)(?: on| at)?:?\s*)?"
_STAMP = rf"{_PREFIX}(?:{_TIME},? )?{_DATE}(?:,? (?:at )?{_TIME})?"
TIMESTAMP = re.compile(
    rf"{_STAMP}(?:\s*[|/•·–—-]\s*{_STAMP})?|{_PREFIX}\d{{1,3}} (?:minutes?|hours?|days?|mins?|hrs?) ago",
    re.IGNORECASE,
)
BY_LINE = re.compile(r"(?:by|written by|story by|words by|von|par|por)\s+[^\W\d_][^.!?:;]{1,150}\.?", re.IGNORECASE)
NAME_LINE = re.compile(r"[A-Z][\w'’.-]+(?: (?:[A-Z][\w'’.-]+|de|da|van|von|der|del|bin|al|la|le)){1,3}")
DATELINE = re.compile(
    r"(?:(?:[A-Z][A-Z.'’-]+(?:[ ,/]+[A-Z][A-Za-z.'’-]+){0,3},?\s+)?"
    r"(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2},?\s+)?"
    r"\([A-Z][\w&.'’ -]{1,30}\)\s*(?:[-–—:]\s*)?"
    r"|[A-Z][A-Z.'’-]{2,}(?:[ ,/]+[A-Z][A-Z.'’-]{2,}){0,3}\s*[-–—]\s+)"
    r"(?=[A-Z“\"‘'])"
)


def _is_byline(line: str) -> bool:
    return bool(BY_LINE.fullmatch(line)) and len(words(line)) <= MAX_BYLINE_WORDS


def _extract_once(text: str, fields: dict[str, str]) -> tuple[str, list[Edit]]:
    """One scan of the head (the first HEAD_PARAGRAPHS paragraphs that stay); values found go into
    ``fields`` unless already there. Removed lines do not count, so a run of bylines is one scan."""
    paras = paragraphs(text)
    stamps: dict[int, bool] = {}

    def is_stamp(i: int) -> bool:
        if i not in stamps:
            stamps[i] = 0 <= i < len(paras) and bool(TIMESTAMP.fullmatch(paras[i]))
        return stamps[i]

    drop: set[int] = set()
    edits: list[Edit] = []
    staying = i = 0
    while i < len(paras) and staying < HEAD_PARAGRAPHS:
        line = paras[i]
        if is_stamp(i):
            drop.add(i)
            fields.setdefault("published", line)
            edits.append(Edit(NAME, "timestamp", REMOVED, line, "", "timestamp moved to the published field"))
        elif _is_byline(line) or (NAME_LINE.fullmatch(line) and (is_stamp(i - 1) or is_stamp(i + 1))):
            drop.add(i)
            fields.setdefault("byline", re.sub(r"^(?:by|written by|story by|words by|von|par|por)\s+", "",
                                               line, flags=re.IGNORECASE).rstrip("."))
            edits.append(Edit(NAME, "byline", REMOVED, line, "", "byline moved to the byline field"))
        else:
            staying += 1
        i += 1
    kept = [p for i, p in enumerate(paras) if i not in drop]
    for i in range(min(3, len(kept))):
        m = DATELINE.match(kept[i])
        if m and len(words(kept[i][m.end():])) >= MIN_DATELINED_WORDS:
            fields.setdefault("dateline", m.group(0).strip().rstrip("-–—:").strip())
            edits.append(Edit(NAME, "dateline", REMOVED, m.group(0), "", "wire dateline moved to the dateline field"))
            kept[i] = kept[i][m.end():]
            break
    return join_paragraphs(kept), edits


def extract_bylines_and_datelines(text: str, ctx) -> Cleaned:
    """Move bylines, timestamps and a wire dateline from the article head into fields.

    Repeated until nothing moves (a removed dateline can expose a byline); usually one scan.

    >>> head = "Peony Hirwani\\n\\nSunday 25 December 2022 04:05 EST\\n\\n"
    >>> r = extract_bylines_and_datelines(head + "(CNN) Wang said Wednesday the two countries would meet again.", None)
    >>> r.text
    'Wang said Wednesday the two countries would meet again.'
    >>> r.fields["byline"], r.fields["published"], r.fields["dateline"]
    ('Peony Hirwani', 'Sunday 25 December 2022 04:05 EST', '(CNN)')
    """
    if text in _settled:
        return Cleaned(text)
    fields: dict[str, str] = {}
    edits: list[Edit] = []
    while True:
        scanned = text
        text, found = _extract_once(text, fields)
        if not found:
            if text == scanned:  # a scan of this very text finds nothing: so will the next one
                if len(_settled) >= SETTLED_TEXTS:
                    _settled.clear()
                _settled.add(text)
            return Cleaned(text, edits, fields)
        edits.extend(found)


# Texts a scan found nothing in and left as they were: the confirming cleaning round, right after
# the first, hands this cleaner back the text it returned (14.5 -> ~1 us an article). A scan
# depends on the text alone. Cleared past the limit; the next article's round needs only its own.
SETTLED_TEXTS = 256
_settled: set[str] = set()
