"""Unicode repair and whitespace normalization: the first cleaner, so later patterns see clean text.

ftfy repairs mojibake, HTML entities and broken characters; we keep curly quotes (ftfy's default
would straighten them) because quote direction is evidence the MT-glitch cleaner needs. Then
invisible and control characters go, odd spaces become plain spaces, and the text is laid out as
one paragraph per line with a blank line between paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter

import ftfy

from cleaners.document import REMOVED, REPLACED, Cleaned, Edit
from cleaners.text import join_paragraphs

NAME = "unicode"

FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, normalization="NFC", explain=True)
LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
# Zero-width and bidi-control characters carry no text; soft hyphens are layout hints.
INVISIBLE = re.compile("[\u200b\u200e\u200f\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]")
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
SPACE_RUNS = re.compile(r" {2,}")
MAX_PASSES = 4

CHARACTER_NAMES = {"invisible": "zero-width/bidi/soft-hyphen", "control": "control", "space": "non-standard space"}


def _ftfy_category(steps: list[tuple[str, str]]) -> str:
    names = {name for _, name in steps}
    if any(step == "encode" or step == "transcode" for step, _ in steps) or "fix_encoding" in names:
        return "mojibake"
    if "unescape_html" in names:
        return "html_entity"
    return "unicode"


def _repair_line(line: str, edits: list[Edit], removed: Counter) -> str:
    """One pass of in-line repairs: ftfy, invisible and control characters, odd spaces."""
    if line.strip():
        fixed, steps = ftfy.fix_and_explain(line, config=FTFY_CONFIG)
        if fixed != line:
            reason = "ftfy: " + ", ".join(f"{step} {name}" for step, name in steps or [])
            edits.append(Edit(NAME, _ftfy_category(steps or []), REPLACED, line, fixed, reason))
            line = fixed
    for kind, pattern in (("invisible", INVISIBLE), ("control", CONTROL)):
        found = pattern.findall(line)
        if found:
            removed[kind] += len(found)
            line = pattern.sub("", line)
    spaced = ODD_SPACES.sub(" ", line)
    if spaced != line:
        removed["space"] += len(ODD_SPACES.findall(line))
    return spaced


def repair_unicode(text: str, ctx=None) -> Cleaned:
    """Repair mojibake and entities with ftfy, drop invisible characters, normalize paragraph layout.

    >>> repair_unicode("Caf\\u00c3\\u00a9 \\u201cnoir\\u201d\\u200b\\nNext\\u00a0 line").text
    'Café “noir”\\n\\nNext line'
    """
    edits: list[Edit] = []
    removed = Counter()
    text = LINE_BREAKS.sub("\n", text)
    out, touched = [], []
    for line in text.split("\n"):
        # Repeat to a fixed point: ftfy may see mojibake only once a tab became a space ("Â\t0").
        for _ in range(MAX_PASSES):
            spaced = _repair_line(line, edits, removed)
            collapsed = SPACE_RUNS.sub(" ", spaced).strip()
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
    result = join_paragraphs(out)
    if result != "\n".join(touched):
        edits.append(Edit(NAME, "layout", REPLACED, "", "", "paragraph breaks and spacing made consistent"))
    return Cleaned(result, edits)
