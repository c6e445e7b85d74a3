from __future__ import annotations

import pytest

from cleaners.metadata import TIMESTAMP, extract_bylines_and_datelines

BODY = "Chinese foreign minister Wang Yi signaled that Beijing would deepen ties with Russia."


@pytest.mark.parametrize("stamp", [
    "Sunday 25 December 2022 04:05 EST", "Updated 10:32 AM ET, Wed February 22, 2023",
    "Published: 2023-02-22T10:00:00Z", "February 22, 2023", "3 hours ago", "22/02/2023",
])
def test_timestamps_recognised(stamp):
    assert TIMESTAMP.fullmatch(stamp)


@pytest.mark.parametrize("line", ["The 2023 plan", "February was cold.", "In 2022, trade rose 29.3%."])
def test_prose_is_not_a_timestamp(line):
    assert not TIMESTAMP.fullmatch(line)


def test_by_line_moved_to_byline():
    result = extract_bylines_and_datelines(f"By Anna Chernova, CNN\n\n{BODY}", None)
    assert result.text == BODY and result.fields == {"byline": "Anna Chernova, CNN"}


def test_name_line_without_timestamp_stays():
    text = f"Xi Jinping\n\n{BODY}"
    assert extract_bylines_and_datelines(text, None).text == text


@pytest.mark.parametrize("opening,dateline", [
    ("WASHINGTON (Reuters) - ", "WASHINGTON (Reuters)"),
    ("LONDON, March 3 (Reuters) - ", "LONDON, March 3 (Reuters)"),
    ("BEIJING — ", "BEIJING"),
    ("(CNN) ", "(CNN)"),
])
def test_wire_datelines(opening, dateline):
    result = extract_bylines_and_datelines(opening + BODY, None)
    assert result.text == BODY and result.fields == {"dateline": dateline}


def test_dateline_only_in_the_first_paragraphs():
    text = "\n\n".join([BODY] * 4 + ["(CNN) " + BODY])
    assert extract_bylines_and_datelines(text, None).text == text


def test_a_text_settled_by_a_scan_comes_back_as_a_fresh_scan_gives_it():
    from cleaners import metadata

    from .conftest import SEEDS

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += ["By Jane Doe\nMoscow (Reuters) - Talks resumed on Monday after a long pause.", "One.\nTwo."]
    for text in texts:
        metadata._settled.clear()
        first = extract_bylines_and_datelines(text, None)
        again = extract_bylines_and_datelines(first.text, None)  # the confirming round: from the memo
        metadata._settled.clear()
        assert again == extract_bylines_and_datelines(first.text, None)
        # a text a scan changed, or only laid out anew, is not taken as settled
        assert extract_bylines_and_datelines(text, None) == first
    assert first.text == "One.\n\nTwo." and "One.\nTwo." not in metadata._settled
