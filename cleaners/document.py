"""The records that flow through newsclean: an Article, the Edits made to it, a cleaner's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any

KEPT, DUPLICATE, REJECTED = "kept", "duplicate", "rejected"
REMOVED, REPLACED, FLAGGED = "removed", "replaced", "flagged"


@dataclass(slots=True)
class Edit:
    """One change (or finding) made by one cleaner, with a reason a reader can act on."""

    cleaner: str  # registry name, e.g. "boilerplate"
    category: str  # what kind of thing, e.g. "ad", "paywall", "mojibake"
    action: str  # removed | replaced | flagged
    before: str
    after: str
    reason: str
    offset: int | None = None  # flags: character offset of the span in the cleaned text
    sentence: int | None = None  # flags: character offset of the sentence the span is in
    score: float | None = None  # flags: how sure the finding is, 0-1 (feeds the article's mt_suspect)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in EDIT_FIELD_NAMES}

    def to_json(self, article_id: str) -> dict[str, Any]:
        row = {"id": article_id, **self.to_dict()}
        for key in ("offset", "sentence", "score"):
            if row[key] is None:
                del row[key]
        return row


@dataclass(slots=True)
class Cleaned:
    """What a cleaner returns: the new text, the edits that explain it, and metadata it found."""

    text: str
    edits: list[Edit] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)  # e.g. {"byline": "Peony Hirwani"}


@dataclass(slots=True)
class Article:
    """One input document, from reading to writing."""

    id: str
    input: str  # where it came from: a path, or "path:line" for JSONL
    title: str = ""
    text: str = ""
    url: str | None = None
    source: str | None = None
    published: str | None = None
    byline: str | None = None
    dateline: str | None = None
    language: str | None = None
    language_prob: float | None = None
    edits: list[Edit] = field(default_factory=list)
    status: str = KEPT
    reason: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None
    cluster: str | None = None
    duplicates: list[str] = field(default_factory=list)
    story: str | None = None  # the story group (different articles on one event), if any
    mt_suspect: float = 0.0  # 0-1: how likely machine-translated or rewritten, from the MT flags
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Everything, for the spool and the incremental cache (``from_dict`` reverses it).

        What ``dataclasses.asdict`` gives, built directly: its generic deep copy was a fifth of
        the flow's own time per article.
        """
        row = {name: getattr(self, name) for name in ARTICLE_FIELD_NAMES}
        row["edits"] = [e.to_dict() for e in self.edits]
        row["duplicates"] = list(self.duplicates)
        return row

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Article:
        return cls(**{**row, "edits": [Edit(**e) for e in row["edits"]]})

    def reject(self, reason: str) -> Article:
        self.status, self.reason = REJECTED, reason
        return self

    @property
    def flags(self) -> list[dict[str, Any]]:
        """Findings that were flagged rather than repaired, for articles.jsonl."""
        return [
            {"cleaner": e.cleaner, "kind": e.category, "span": e.before, "offset": e.offset,
             "sentence": e.sentence, "score": e.score, "reason": e.reason}
            for e in self.edits
            if e.action == FLAGGED
        ]

    def article_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "language": self.language,
            "language_prob": self.language_prob,
            "byline": self.byline,
            "dateline": self.dateline,
            "published": self.published,
            "url": self.url,
            "source": self.source,
            "truncated": self.truncated,
            "mt_suspect": self.mt_suspect,
            "cluster": self.cluster,
            "duplicates": self.duplicates,
            "story": self.story,
            "flags": self.flags,
        }

    def manifest_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "input": self.input,
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "reason": self.reason,
        }


ARTICLE_FIELD_NAMES = tuple(f.name for f in dataclass_fields(Article))
EDIT_FIELD_NAMES = tuple(f.name for f in dataclass_fields(Edit))
