from __future__ import annotations

import dataclasses

import pytest

from cleaners.config import Config
from cleaners.document import FLAGGED, REPLACED
from cleaners.mt_glitches import repair_mt_glitches
from cleaners.registry import CleanerContext

EN = CleanerContext(language="en")


def repaired(text, ctx=EN):
    return repair_mt_glitches(text, ctx).text


def flags(text, ctx=EN):
    return [(e.category, e.before) for e in repair_mt_glitches(text, ctx).edits if e.action == FLAGGED]


def test_seed_002_quote_repairs():
    text = ("Mr. Wang introduced him, said Dmytro Kuleba ” the main points “ Of this plan. “Chinese partners shared "
            "with us their thoughts.”just commented on Mr. Lavrov, specifying: There was no talk of a peace plan. »")
    assert repaired(text) == (
        "Mr. Wang introduced him, said Dmytro Kuleba “the main points” Of this plan. “Chinese partners shared "
        "with us their thoughts.” just commented on Mr. Lavrov, specifying: There was no talk of a peace plan."
    )
    kinds = [e.category for e in repair_mt_glitches(text, EN).edits if e.action == REPLACED]
    assert kinds == ["inside_out_quotes", "quote_spacing", "guillemets"]


def test_seed_001_doubled_closing_quote():
    text = "upheld their respective sovereignty, security and development interests.” ”"
    assert repaired(text) == "upheld their respective sovereignty, security and development interests.”"


@pytest.mark.parametrize("before,after", [
    ("The minister said : there was no plan .", "The minister said: there was no plan ."),
    ("Will it work ? Nobody knows !", "Will it work? Nobody knows!"),
    ("He met « the Russian side » on Monday.", "He met “the Russian side” on Monday."),
    ("It was the the largest deal.", "It was the largest deal."),
])
def test_english_typography_repairs(before, after):
    assert repaired(before) == after


@pytest.mark.parametrize("text", [
    "He had had enough of the talks.", "She said that that was wrong.", "Prices rose more and more.",
    "They went step by step.", "Face to face talks began.", "“We will not back down,” he said.",
])
def test_legitimate_forms_unchanged_and_unflagged(text):
    assert repaired(text) == text and flags(text) == []


def test_french_text_keeps_french_typography():
    fr = CleanerContext(language="fr")
    text = "Il a déclaré : « Il n'y a pas eu de plan de paix séparé. »"
    assert repaired(text, fr) == text


def test_repetitions_from_seed_001_flagged_with_offsets():
    text = ("Putin invited Xi to visit Moscow in the spring to visit in 2023. "
            "Allies defend it through both military and military forces also through aid.")
    result = repair_mt_glitches(text, EN)
    spans = ["to visit Moscow in the spring to visit", "military and military"]
    found = [(e.category, e.before, e.offset) for e in result.edits]
    assert found == [("repeated_phrase", span, text.index(span)) for span in spans]


def test_parallel_constructions_not_flagged():
    for text in ["The more unstable the world becomes the more imperative it is to act.",
                 "They defend national interests and national dignity.",
                 "It was as much a sign of friendship and trust as a sign of respect."]:
        assert flags(text) == []


def test_repeated_sentence_flagged():
    s = "The two leaders agreed to meet again in Moscow next spring."
    assert flags(f"{s} Then they left. {s}") == [("repeated_sentence", s)]


def test_foreign_paragraph_flagged():
    fr = "Le président russe a accueilli son invité autour d'une table de taille raisonnable au Kremlin."
    text = f"The talks lasted three hours on Wednesday, officials in Moscow said.\n\n{fr}"
    assert ("foreign_language", fr) in flags(text)


def test_repair_switch_off_flags_only():
    cfg = Config()
    cfg = dataclasses.replace(cfg, mt_glitches=dataclasses.replace(cfg.mt_glitches, repair=False))
    text = "It was the the largest deal.”"
    result = repair_mt_glitches(text, CleanerContext(language="en", config=cfg))
    assert result.text == text and [e.category for e in result.edits] == ["unbalanced_quotes"]
