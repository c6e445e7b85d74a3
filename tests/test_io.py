"""Readers: every input becomes an Article or a rejection with a reason; bytes decoded by detection."""

from __future__ import annotations

import codecs
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.config import ConfigError, InputConfig
from cleaners.document import KEPT, REJECTED, Edit
from cleaners.io import (
    OutputInUse,
    check_inputs,
    edit_line,
    iter_records,
    json_line,
    output_lock,
    parse_record,
    printable_count,
)

from .conftest import folder_held_by_another_run

CFG = InputConfig()
BODY = "Russian foreign minister Sergey Lavrov on Saturday claimed that ties with China would only grow stronger."


def read_all(*paths, cfg=CFG):
    return [parse_record(r, cfg) for r in iter_records([str(p) for p in paths], cfg)]


def test_txt_headline_and_body(tmp_path):
    (tmp_path / "a.txt").write_text(f"\n\nThe headline\n\n{BODY}\n", encoding="utf-8")
    (article,) = read_all(tmp_path)
    assert (article.id, article.title, article.text.strip(), article.status) == ("a", "The headline", BODY, KEPT)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-8-sig"])
def test_legacy_encodings_decoded_and_recorded(tmp_path, encoding):
    text = f"Café owners in Zürich\n\n{BODY} Prices rose 5 € — “sharply”."
    if encoding == "latin-1":
        text = text.replace("€", "EUR").replace("—", "-").replace("“", '"').replace("”", '"')
    (tmp_path / "a.txt").write_bytes(text.encode(encoding))
    (article,) = read_all(tmp_path)
    assert article.status == KEPT and article.title == "Café owners in Zürich"
    assert article.text.strip() == text.split("\n\n", 1)[1]
    if encoding.startswith("cp") or encoding == "latin-1":
        assert article.edits[0].category == "encoding" and "not valid UTF-8" in article.edits[0].reason


@pytest.mark.parametrize("content,reason", [
    (b"", "empty"), (b"   \n\t\n", "empty"), (b"Just a headline\n", "no_body"),
    (bytes(range(256)) * 4, ("binary", "undecodable")), (b"\x89PNG\r\n\x1a\n" + bytes(200), "binary"),
])
def test_bad_files_rejected_with_reason(tmp_path, content, reason):
    (tmp_path / "bad.txt").write_bytes(content)
    (article,) = read_all(tmp_path)
    assert article.status == REJECTED and article.reason.startswith(reason), article.reason


def test_jsonl_records_and_their_problems(tmp_path):
    lines = [
        json.dumps({"id": "w1", "title": "T", "text": BODY, "url": "https://x.test/1", "source": "wire"}),
        "{not json",
        json.dumps({"id": "w2", "title": "T"}),
        json.dumps({"id": "w3", "text": ["a", "list"]}),
        json.dumps({"id": 7, "text": BODY, "published": "2023-02-22"}),
        json.dumps(["an", "array"]),
        "",
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    got = [(a.id, a.input.rsplit("/", 1)[1], a.status, (a.reason or "").split(":")[0]) for a in read_all(tmp_path)]
    assert got == [
        ("w1", "feed.jsonl:1", KEPT, ""),
        ("feed:2", "feed.jsonl:2", REJECTED, "malformed_json"),
        ("w2", "feed.jsonl:3", REJECTED, "missing_field"),
        ("w3", "feed.jsonl:4", REJECTED, "bad_field"),
        ("7", "feed.jsonl:5", KEPT, ""),
        ("feed:6", "feed.jsonl:6", REJECTED, "malformed_json"),
    ]


def test_only_lone_surrogates_are_replaced_and_recorded(tmp_path):
    lines = [
        json.dumps({"id": "pair", "text": BODY + " \U0001F600"}),  # escaped as a surrogate pair: one character
        json.dumps({"id": "literal", "text": BODY + " C:\\ud800"}),  # a backslash, then letters
        json.dumps({"id": "lone", "text": BODY + " \udfff\ud800", "source": "wire \ud83d"}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    assert all("\\ud" in line for line in lines)
    pair, literal, lone = read_all(tmp_path)
    assert pair.text.endswith(" \U0001F600") and literal.text.endswith(" C:\\ud800")
    assert pair.edits == [] and literal.edits == []
    assert lone.status == KEPT and lone.text.endswith(" \ufffd\ufffd") and lone.source == "wire \ufffd"
    assert [e.reason.split(" (")[0] for e in lone.edits] == ["2 lone surrogate(s) in 'text'",
                                                           "1 lone surrogate(s) in 'source'"]


def test_jsonl_field_names_configurable(tmp_path):
    (tmp_path / "f.jsonl").write_text(json.dumps({"uid": "x", "headline": "H", "body": BODY}), encoding="utf-8")
    cfg = InputConfig(id_field="uid", title_field="headline", text_field="body")
    (article,) = read_all(tmp_path, cfg=cfg)
    assert (article.id, article.title, article.text, article.status) == ("x", "H", BODY, KEPT)


def test_folder_walk_is_sorted_nested_and_accounts_for_other_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text(f"H\n{BODY}", encoding="utf-8")
    (tmp_path / "a.txt").write_text(f"H\n{BODY}", encoding="utf-8")
    (tmp_path / "notes.md").write_text("hello", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path)  # a symlink loop must not hang the walk
    got = [(a.id, a.status, (a.reason or "").split(":")[0]) for a in read_all(tmp_path)]
    assert got == [("a", KEPT, ""), ("loop", REJECTED, "symlinked_folder"), ("notes", REJECTED,
                   "unsupported_file_type"), ("b/z", KEPT, "")]


def test_missing_path_is_a_user_error(tmp_path):
    with pytest.raises(ConfigError, match="input path not found: .*nope"):
        check_inputs([str(tmp_path / "nope")])


def test_utf16_without_bom_detected(tmp_path):
    (tmp_path / "a.txt").write_bytes(f"Headline here\n{BODY}".encode("utf-16-le"))
    (article,) = read_all(tmp_path)
    assert article.status == KEPT and article.title == "Headline here"
    assert codecs.BOM_UTF16_LE not in article.text.encode("utf-16-le")[:2]


def test_an_output_folder_is_held_by_one_run_at_a_time(tmp_path):
    out = tmp_path / "out"
    with folder_held_by_another_run(out) as holder:
        with pytest.raises(OutputInUse) as refused:
            with output_lock(out):
                pass
        assert f"output folder {out.resolve()} is in use by another newsclean run (pid {holder.pid}, started " \
            in str(refused.value)
    # The holder was killed: the system dropped its lock with it, so the folder is free again.
    with output_lock(out):
        with output_lock(out):  # the same process may take it again (the command, then its flow)
            pass
        with folder_held_by_another_run(tmp_path / "other"):  # another folder is another lock
            pass


# Characters that JSON escapes, or that only look like line ends, and the widest ones.
_ODD_TEXT = st.text(st.one_of(st.characters(blacklist_categories=("Cs",)),
                              st.sampled_from('"\\/\n\r\t\b\f\x00\x1f\x7f\x85\u2028\u2029\ufeff\U0001F600')))
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70) | st.floats() | _ODD_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(_ODD_TEXT | st.integers(0, 9), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(row=st.dictionaries(_ODD_TEXT, _JSON_VALUES, max_size=6))
def test_output_lines_are_what_the_json_module_writes(row):
    # Outputs keep the json module's format; json_line writes it faster, byte for byte.
    assert json_line(row) == (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")


_MAYBE_INT = st.none() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70) | st.booleans()


@settings(max_examples=400, deadline=None)
@given(aid=_ODD_TEXT | st.sampled_from(["a\ud800", "001_b41261e48053f856"]),
       text=st.lists(_ODD_TEXT, min_size=6, max_size=6), offset=_MAYBE_INT, sentence=_MAYBE_INT,
       score=st.none() | st.floats() | st.integers(-3, 3))
def test_edit_lines_are_what_the_json_module_writes(aid, text, offset, sentence, score):
    # The edits' own writer: the same bytes as the general one, which are the json module's.
    edit = Edit(*text, offset=offset, sentence=sentence, score=score)
    try:
        expected = (json.dumps(edit.to_json(aid), ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8: the general writer fails the same way
        with pytest.raises(UnicodeEncodeError):
            json_line(edit.to_json(aid))
        with pytest.raises(UnicodeEncodeError):
            edit_line(aid, edit)
        return
    assert edit_line(aid, edit) == expected


def test_output_lines_of_real_articles_are_what_the_json_module_writes(tmp_path):
    from cleaners.config import Config
    from cleaners.corpus import clean_article

    from .conftest import SEEDS

    config = Config()
    for record in iter_records([str(SEEDS)], config.input):
        article = clean_article(record, config)
        rows = [article.article_row(), article.manifest_row(), *(e.to_json(article.id) for e in article.edits)]
        assert len(rows) > 3 and any(isinstance(v, float) for v in rows[0].values())
        for row in rows:
            assert json_line(row) == (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec=None, exclude_categories=())) | st.text(st.sampled_from(
    "ab \n\r\t\x00\x07\x7f\x85\x9f\u00ad\u200b\u2028\u3000é”\ud800\U0001f600")))
def test_printable_count_is_the_characters_counted_one_by_one(text):
    assert printable_count(text) == sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
