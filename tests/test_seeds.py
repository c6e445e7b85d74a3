"""Every seed, cleaned: the junk lines listed in cases/seeds.json are gone, the article text stays."""

from __future__ import annotations

import pytest

from cleaners.document import FLAGGED, KEPT, REMOVED, REPLACED

from .conftest import load_case

EXPECT = {k: v for k, v in load_case("seeds.json").items() if not k.startswith("_")}


@pytest.mark.parametrize("seed", sorted(EXPECT))
def test_junk_gone_and_text_kept(cleaned_seeds, seed):
    article, expect = cleaned_seeds[seed], EXPECT[seed]
    assert article.status == KEPT, article.reason
    body = "\n" + article.text + "\n"
    for junk in expect["gone"] + expect.get("absent", []):
        assert junk not in body, f"{seed}: still holds {junk!r}"
    for keep in expect["stays"]:
        assert keep in article.text, f"{seed}: lost {keep!r}"
    assert article.title == expect["title"]
    assert article.language == "en"


@pytest.mark.parametrize("seed", sorted(EXPECT))
def test_metadata_moved_to_fields(cleaned_seeds, seed):
    article, expect = cleaned_seeds[seed], EXPECT[seed]
    for key in ("byline", "dateline", "published"):
        assert getattr(article, key) == expect.get(key), key
    assert article.truncated == expect.get("truncated", False)


@pytest.mark.parametrize("seed", sorted(EXPECT))
def test_every_removed_line_is_explained(cleaned_seeds, seed):
    """Each 'gone' line appears in the 'before' of some removal or repair edit, with a reason."""
    article = cleaned_seeds[seed]
    explained = "\n".join(e.before for e in article.edits if e.action != FLAGGED)
    for junk in EXPECT[seed]["gone"]:
        assert junk.strip() in explained, f"{seed}: removal of {junk!r} not recorded"
    repairs = [[e.before, e.after] for e in article.edits if e.action == REPLACED]
    for pair in EXPECT[seed].get("repaired", []):
        assert pair in repairs, f"{seed}: repair {pair} not recorded"
    for e in article.edits:
        assert e.cleaner and e.category and e.reason


def test_mt_glitches_flagged_in_seed_001(cleaned_seeds):
    article = cleaned_seeds["001_b41261e48053f856"]
    spans = [f["span"] for f in article.flags]
    assert spans == EXPECT["001_b41261e48053f856"]["flags"]
    for flag in article.flags:  # offsets point at the span in the cleaned text
        assert article.text[flag["offset"]:flag["offset"] + len(flag["span"])] == flag["span"]


def test_paragraphs_separated_by_blank_lines(cleaned_seeds):
    for article in cleaned_seeds.values():
        assert "\n\n\n" not in article.text
        assert all(p.strip() == p and p for p in article.text.split("\n\n"))


def test_donation_appeal_removed_as_one_block(cleaned_seeds):
    edits = [e for e in cleaned_seeds["004_520a83227d8b1b45"].edits if e.category == "donation"]
    assert len(edits) == 1 and edits[0].action == REMOVED
    assert edits[0].before.startswith("Your support helps us to tell the story")
    assert edits[0].before.endswith("Your support makes all the difference.")
