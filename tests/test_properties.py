"""Property tests: cleaners never raise on arbitrary text, and a second pass changes nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners.config import Config
from cleaners.document import FLAGGED, Article
from cleaners.registry import CLEANER_NAMES, CleanerContext, apply_cleaners, get_cleaner

from .conftest import SEEDS

SEED_LINES = [line for p in sorted(SEEDS.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()
              if line.strip()]
# Text built from real seed lines, junk-like shapes and arbitrary unicode, joined by various breaks.
pieces = st.one_of(
    st.sampled_from(SEED_LINES),
    st.text(max_size=80),
    st.sampled_from(["”", "“", "«", "»", " : ", "ADVERTISEMENT", "Comments", "(CNN) ", "the the", "\u200b",
                     "\u00a0", "Â€™", "&amp;", "Related Articles", "By Jane Doe", "3 hours ago"]),
)
texts = st.lists(pieces, max_size=12).flatmap(
    lambda parts: st.lists(st.sampled_from(["\n", "\n\n", " ", "\r\n"]), min_size=len(parts), max_size=len(parts))
    .map(lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True)))
)
CONFIG = Config()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text=texts, title=st.one_of(st.just(""), st.sampled_from(SEED_LINES[:5])))
def test_each_cleaner_total_and_idempotent(text, title):
    # Only "unicode" sees raw text; every later cleaner receives its normalized paragraph layout.
    normalized = get_cleaner("unicode")(text, CleanerContext(config=CONFIG)).text
    for name in CLEANER_NAMES:
        cleaner = get_cleaner(name)
        source = text if name == "unicode" else normalized
        once = cleaner(source, CleanerContext(title=title, language="en", config=CONFIG))
        ctx_after = CleanerContext(title=once.fields.get("title", title), language="en", config=CONFIG)
        twice = cleaner(once.text, ctx_after)
        assert twice.text == once.text, name
        # A second pass may flag the same findings again, but removes and replaces nothing more.
        assert [e for e in twice.edits if e.action != FLAGGED] == [], name


@SETTINGS
@given(text=texts, title=st.sampled_from(SEED_LINES[:5]))
def test_whole_pipeline_idempotent(text, title):
    first = apply_cleaners(Article(id="x", input="-", title=title, text=text), CONFIG)
    second = apply_cleaners(Article(id="x", input="-", title=first.title, text=first.text), CONFIG)
    assert (second.title, second.text) == (first.title, first.text)


def _apply_calling_every_cleaner(article: Article, config: Config) -> Article:
    """apply_cleaners as it was before it reused results: every cleaner called in every round."""
    from cleaners.registry import MAX_ROUNDS, take_result

    for _ in range(MAX_ROUNDS):
        before = (article.title, article.text)
        article.edits = [e for e in article.edits if e.action != FLAGGED]
        for name in config.pipeline.cleaners:
            take_result(article, name, get_cleaner(name)(article.text, CleanerContext(article.title,
                                                                                       article.language, config)))
        if (article.title, article.text) == before:
            break
    return article


@SETTINGS
@given(text=texts, title=st.one_of(st.just(""), st.sampled_from(SEED_LINES[:5])))
def test_reusing_a_cleaners_result_for_the_same_input_changes_nothing(text, title):
    import cleaners.registry as registry

    calls = []
    real = registry.get_cleaner

    def counting(name):
        cleaner = real(name)
        return lambda text, ctx: calls.append((name, text, ctx.title, ctx.language)) or cleaner(text, ctx)

    registry.get_cleaner = counting
    try:
        reused = apply_cleaners(Article(id="x", input="-", title=title, text=text), CONFIG)
    finally:
        registry.get_cleaner = real
    assert len(calls) == len(set(calls))  # no cleaner asked twice about the same input
    every = _apply_calling_every_cleaner(Article(id="x", input="-", title=title, text=text), CONFIG)
    assert reused.to_dict() == every.to_dict()


def test_the_last_cleaner_is_not_asked_again_about_a_text_it_left_as_it_was():
    import cleaners.registry as registry

    # A cleaned seed with an ad line put back: round one removes it, round two confirms.
    seed = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")
    clean = apply_cleaners(Article(id="x", input="-", title="", text=seed), CONFIG)
    text = "ADVERTISEMENT\n\n" + clean.text
    calls = []
    real = registry.get_cleaner

    def counting(name):
        cleaner = real(name)
        return lambda text, ctx: calls.append(name) or cleaner(text, ctx)

    registry.get_cleaner = counting
    try:
        article = apply_cleaners(Article(id="x", input="-", title=clean.title, text=text), CONFIG)
    finally:
        registry.get_cleaner = real
    assert article.text == clean.text
    assert calls.count("unicode") == 2  # a second round ran
    assert calls.count("mt_glitches") == 1
    assert [e for e in article.edits if e.action == FLAGGED] == [e for e in clean.edits if e.action == FLAGGED]


@settings(max_examples=400, deadline=None)
@given(line=st.text(alphabet=st.sampled_from(list(".!?…:;。！？\"'”’»)]」』([ \t\n\u3000ab")), max_size=12))
def test_ends_like_sentence_reads_the_line_as_the_pattern_does(line):
    """The check reads the line from its end; it agrees with the pattern it replaced (a stop, then
    closing quotes or brackets, at the end of the stripped line)."""
    import re

    from cleaners.text import ends_like_sentence

    pattern = re.compile(r"[.!?…:;。！？][\"'”’»)\]」』]*$")
    assert ends_like_sentence(line) == bool(pattern.search(line.rstrip()))
