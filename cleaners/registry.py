"""The cleaners by name, and the one function that runs them over an article in configured order.

Names here are the names in ``newsclean.toml``'s ``pipeline.cleaners``, in ``edits.jsonl`` and in
``newsclean explain``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cleaners.document import FLAGGED, Article, Cleaned

if TYPE_CHECKING:
    from cleaners.config import Config


@dataclass(slots=True)
class CleanerContext:
    """What a cleaner may read besides the text: the article's title and language, and the config."""

    title: str = ""
    language: str | None = None
    config: Config = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.config is None:
            from cleaners.config import Config

            self.config = Config()


Cleaner = Callable[[str, CleanerContext], Cleaned]


def _table() -> dict[str, Cleaner]:
    from cleaners.boilerplate import remove_boilerplate
    from cleaners.headline import remove_headline_noise
    from cleaners.language import detect_language
    from cleaners.metadata import extract_bylines_and_datelines
    from cleaners.mt_glitches import repair_mt_glitches
    from cleaners.unicode import repair_unicode

    return {
        "unicode": repair_unicode,
        "headline": remove_headline_noise,
        "metadata": extract_bylines_and_datelines,
        "boilerplate": remove_boilerplate,
        "language": detect_language,
        "mt_glitches": repair_mt_glitches,
    }


# Default order. unicode first so later patterns see repaired text; metadata before headline so a
# byline at the top is not mistaken for a tag line; language before mt_glitches, whose typography
# repairs depend on the language.
CLEANER_NAMES = ("unicode", "metadata", "headline", "boilerplate", "language", "mt_glitches")
# Fields a cleaner may set on the article through Cleaned.fields.
ARTICLE_FIELDS = {"title", "byline", "dateline", "published", "language", "language_prob", "truncated"}


def validate_cleaner_names(names: list[str]) -> None:
    from cleaners.config import ConfigError

    unknown = [n for n in names if n not in CLEANER_NAMES]
    if unknown:
        raise ConfigError(f"unknown cleaner(s) {', '.join(unknown)}; valid cleaners: {', '.join(CLEANER_NAMES)}")


_CLEANERS: dict[str, Cleaner] | None = None


def get_cleaner(name: str) -> Cleaner:
    global _CLEANERS
    if _CLEANERS is None:
        _CLEANERS = _table()
    if name not in CLEANER_NAMES:  # asked per cleaner, round and article: the error's work only here
        validate_cleaner_names([name])
    return _CLEANERS[name]


# Removing one kind of junk can expose another to an earlier cleaner (a credit line above a
# repeated headline), so the sequence runs again while it changes the text: the output is then a
# fixed point, and cleaning it again changes nothing. Real articles settle in the second round.
MAX_ROUNDS = 3


def apply_cleaners(article: Article, config: Config) -> Article:
    """Run the configured cleaners in order over one article, recording every edit on it."""
    # A cleaner's result depends on its text and context alone: handed in the next round what it
    # had in this one (the last cleaner, when the round changed nothing after its turn), it gives
    # the same result, reused.
    last: dict[str, tuple[tuple, Cleaned]] = {}
    for _ in range(MAX_ROUNDS):
        before = (article.title, article.text)
        # Findings are made again on each round's text; only the last round's are kept.
        article.edits = [e for e in article.edits if e.action != FLAGGED]
        for name in config.pipeline.cleaners:
            given = (article.text, article.title, article.language)
            seen = last.get(name)
            if seen is None or seen[0] != given:
                ctx = CleanerContext(title=article.title, language=article.language, config=config)
                seen = last[name] = given, get_cleaner(name)(article.text, ctx)
            take_result(article, name, seen[1])
        if (article.title, article.text) == before:
            break
    return article


def take_result(article: Article, name: str, result: Cleaned) -> None:
    """Cleaner ``name``'s result onto the article: its text, its edits, and the fields it found."""
    article.text = result.text
    article.edits.extend(result.edits)
    for key, value in result.fields.items():
        if key not in ARTICLE_FIELDS:
            raise KeyError(f"cleaner {name} set unknown field {key}")
        # Metadata found in the text never overrides what the input (or a first round) gave.
        if key in {"published", "byline", "dateline"} and getattr(article, key):
            continue
        setattr(article, key, value)
