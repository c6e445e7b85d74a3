from __future__ import annotations

from cleaners.document import REMOVED, REPLACED
from cleaners.headline import remove_headline_noise
from cleaners.registry import CleanerContext

BODY = "China’s top diplomat Wang Yi said Wednesday he expected to reach a new consensus."


def test_truncated_title_replaced_by_full_headline_from_body():
    title = "Chinas top diplomat vows to strengthen ties with Russia ahead"
    full = "China’s top diplomat vows to strengthen ties with Russia ahead of Ukraine war anniversary"
    result = remove_headline_noise(f"{full}\n\n{BODY}", CleanerContext(title))
    assert result.text == BODY
    assert result.fields == {"title": full}
    assert [(e.category, e.action) for e in result.edits] == [("headline", REMOVED), ("title", REPLACED)]


def test_truncated_copy_in_body_removed():
    title = "Russia and China are further strengthening their relations"
    result = remove_headline_noise(f"Russia and China are further strengthening\n\n{BODY}", CleanerContext(title))
    assert result.text == BODY and result.fields == {}


def test_tag_line_from_seed_000():
    title = "China and Russia to ‘steadily advance’ ties amidst Ukraine conflict"
    result = remove_headline_noise(f"Russia China ties\n\n{BODY}", CleanerContext(title))
    assert result.text == BODY and result.edits[0].category == "tag_line"


def test_standfirst_and_short_sentences_stay():
    title = "China signals deepening ties with Russia in 2023"
    standfirst = "Wang says China would ‘deepen strategic mutual trust’ with Russia"
    text = f"{standfirst}\n\n{BODY}"
    assert remove_headline_noise(text, CleanerContext(title)).text == text
    assert remove_headline_noise(f"He left.\n\n{BODY}", CleanerContext(title)).text == f"He left.\n\n{BODY}"


def test_missing_title_taken_from_first_line():
    result = remove_headline_noise(f"Google Stadia: So Many Ways to Play\n\n{BODY}", CleanerContext(""))
    assert result.fields == {"title": "Google Stadia: So Many Ways to Play"} and result.text == BODY


def test_first_sentence_is_not_taken_as_a_title():
    assert remove_headline_noise(f"{BODY}\n\n{BODY}", CleanerContext("")).fields == {}


def test_long_lead_or_cjk_sentence_without_title_stays_in_the_body():
    """Real first lines from the benchmark's pages: a 27-word lead without its full stop, a Japanese
    sentence (its full stop is 。), two sentences: they are the article, not its headline."""
    lead = ("Chelsea have this morning paid the £71.6million fee to the Spanish league this morning to secure "
            "the world record signing of Athletic Bilbao keeper Kepa Arrizabalaga")
    japanese = ("先日、不正に改造したiPhoneを販売したとして、"
                "商標法違反の疑いで20代の男性が逮捕されたというニュースを耳にしました。")
    disclosure = ("This shop has been compensated by #CollectiveBias, Inc. and its advertiser. All opinions are "
                  "mine alone. #HealthyHydration #ad")  # two sentences (page 0e014d)
    for first in (lead, japanese, disclosure):
        result = remove_headline_noise(f"{first}\n\n{BODY}", CleanerContext(""))
        assert result.fields == {} and result.text == f"{first}\n\n{BODY}"


def test_page_address_above_the_article_goes_and_the_headline_becomes_the_title():
    # Benchmark ef2b3f26: the page's own address, then the headline.
    address = "https://www.mysanantonio.com/news/article/Cat-found-in-New-Mexico-after-going-missing-in-14848175.php"
    headline = "Cat found in New Mexico after going missing in Oregon"
    body = "A cat who has been missing for five years in Portland, Oregon, has been found in Santa Fe, New Mexico."
    result = remove_headline_noise(f"{address}\n\n{headline}\n\n{body}", CleanerContext(""))
    assert result.text == body and result.fields == {"title": headline}
    assert [e.category for e in result.edits] == ["address", "headline"]


def test_title_case_headline_of_two_sentences_is_a_headline():
    # Benchmark f8ff621a; a lead of two sentences in plain case stays.
    headline = "Home Depot Stock Is Falling After Its Earnings Release. Why You Shouldn’t Worry."
    result = remove_headline_noise(f"{headline}\n\n{BODY}", CleanerContext(""))
    assert result.fields == {"title": headline} and result.text == BODY
    lead = "NFL assaults have led to lawsuits before. But a prosecutor would have difficulty proving a charge."
    assert remove_headline_noise(f"{lead}\n\n{BODY}", CleanerContext("")).text == f"{lead}\n\n{BODY}"
