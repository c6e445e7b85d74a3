"""Adversarial texts for the cleaners: shapes that make careless regexes backtrack for minutes.

Shared by the tests (what the cleaners do with them) and bench/adversarial.py (how long they take).
"""

from __future__ import annotations

MB = 1024 * 1024


def adversarial_texts(size: int = MB) -> dict[str, str]:
    """Name -> text of about ``size`` characters."""
    line = "word " * 40 + "\n"
    return {
        "one_char": "a" * size,
        "spaces": "a" + " " * size + "b",
        "punctuation": "!?.,;:" * (size // 6),
        "quotes_nested": ("“‘«" * (size // 6)) + ("»’”" * (size // 6)),
        "quotes_unbalanced": "” “ " * (size // 4),
        "guillemets_then_text": "» " * (size // 2) + "x",
        "doubled_words": "the " * (size // 4),
        "newlines": "\n" * size,
        "short_lines": "ADVERTISEMENT\n" * (size // 14),
        "digits": "2023-02-22 10:00 " * (size // 17),
        "no_newline_prose": ("The minister said the talks would continue. " * (size // 45)),
        "many_paragraphs": line * (size // len(line)),
        "parens": "(" * (size // 2) + ")" * (size // 2),
        "mojibake": "Ã©â€™" * (size // 5),
        "by_lines": "By Jane Doe\n" * (size // 12),
    }
