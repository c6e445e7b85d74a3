"""A corpus of bad inputs, built on demand (a 50 MB file does not belong in git)."""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD = (ROOT / "seeds" / "000_1d7223d7e654286f.txt").read_text(encoding="utf-8")
BODY = GOOD.split("\n", 1)[1]

# name -> (status, reason prefix). "kept" also stands for "duplicate": the good variants share a body.
EXPECTED = {
    "cp1252.txt": ("kept", None),
    "latin1.txt": ("kept", None),
    "utf16-bom.txt": ("kept", None),
    "invalid-utf8.txt": ("kept", None),
    "binary.txt": ("rejected", "undecodable"),
    "png-named.txt": ("rejected", "binary"),
    "empty.txt": ("rejected", "empty"),
    "whitespace.txt": ("rejected", "empty"),
    "headline-only.txt": ("rejected", "no_body"),
    "huge-50mb.txt": ("rejected", "too_large"),
    "long-line-1mb.txt": ("rejected", "too_short"),
    "nul-bytes.txt": ("kept", None),
    "fifo.txt": ("rejected", "not_a_regular_file"),
    "broken-link.txt": ("rejected", "not_a_regular_file"),
    "loop": ("rejected", "symlinked_folder"),
    "nested/deeper/inner.txt": ("kept", None),
    "odd names/ spaced  name .txt": ("kept", None),
    "odd names/ünïcødé-名前.txt": ("kept", None),
    "odd names/--leading-dashes.txt": ("kept", None),
    "notes.md": ("rejected", "unsupported_file_type"),
    "feed.jsonl:1": ("kept", None),
    "feed.jsonl:2": ("rejected", "malformed_json"),
    "feed.jsonl:3": ("rejected", "missing_field"),
    "feed.jsonl:4": ("rejected", "bad_field"),
    "feed.jsonl:5": ("rejected", "bad_field"),
    "feed.jsonl:6": ("rejected", "duplicate_id"),
    "feed.jsonl:7": ("rejected", "too_short"),
    "feed.jsonl:8": ("kept", None),
}


def build(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)

    def w(name: str, data: bytes) -> None:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)

    w("cp1252.txt", ("Café owners’ “fury” in Zürich\n" + BODY).encode("cp1252", errors="replace"))
    w("latin1.txt", ("Straße in Köln\n" + BODY.replace("’", "'").replace("“", '"').replace("”", '"')
                     .replace("…", "...")).encode("latin-1", errors="replace"))
    w("utf16-bom.txt", GOOD.replace("China", "Beijing").encode("utf-16"))
    w("invalid-utf8.txt", ("Invalid bytes\n" + BODY.replace("Qin", "Qi")).encode("utf-8")[:-50] + b"\xff\xfe\xc3(")
    w("binary.txt", bytes(range(256)) * 64)
    w("png-named.txt", b"\x89PNG\r\n\x1a\n" + bytes(4096))
    w("empty.txt", b"")
    w("whitespace.txt", b"  \n\t\n   \r\n")
    w("headline-only.txt", b"A headline with no body\n")
    with open(folder / "huge-50mb.txt", "wb") as handle:  # sparse: fast to make, 50 MB to read
        handle.truncate(50 * 1024 * 1024)
    w("long-line-1mb.txt", b"Long line\n" + b"x" * (1024 * 1024))
    w("nul-bytes.txt", ("NUL bytes inside\n" + BODY.replace("Kremlin", "Kreml\x00in")).encode("utf-8"))
    os.mkfifo(folder / "fifo.txt")
    (folder / "broken-link.txt").symlink_to(folder / "does-not-exist.txt")
    (folder / "loop").symlink_to(folder)
    w("nested/deeper/inner.txt", ("Nested\n" + BODY.replace("Peskov", "Peskov's office")).encode())
    w("odd names/ spaced  name .txt", ("Spaced\n" + BODY.replace("Beijing", "Beijing city")).encode())
    w("odd names/ünïcødé-名前.txt", ("Unicode name\n" + BODY.replace("Tuesday", "Monday")).encode())
    w("odd names/--leading-dashes.txt", ("Dashes\n" + BODY.replace("Moscow", "the Russian capital")).encode())
    w("notes.md", b"# not an article\n")
    feed = [
        json.dumps({"id": "../../escape", "title": "Traversal id", "text": BODY.replace("Qin", "Mr Qin")}),
        "{not json at all",
        json.dumps({"id": "no-text", "title": "x"}),
        json.dumps({"id": "list-text", "text": ["a", "b"]}),
        json.dumps({"id": {"nested": 1}, "text": BODY}),
        json.dumps({"id": "../../escape", "text": BODY}),
        json.dumps({"id": "short", "text": "Too short to be an article."}),
        json.dumps({"id": "/abs/path\u0000nul", "title": 5, "text": BODY.replace("Xi", "President Xi")}),
    ]
    w("feed.jsonl", ("\n".join(feed) + "\n").encode())
    return folder
