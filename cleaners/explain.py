"""Render an article with its removals, repairs and flags, for ``newsclean explain``."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from cleaners.document import FLAGGED, REMOVED, REPLACED, Edit


def _short(text: str, limit: int = 160) -> str:
    text = text.replace("\n\n", " ⏎ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_article(row: dict, manifest: dict, edits: Iterable[Edit], console: Console) -> None:
    """Print one article: header, what was removed/repaired/flagged and why, then the clean text."""
    edits = list(edits)
    status = manifest.get("status", "kept")
    head = Text()
    head.append(f"{manifest['id']}", style="bold")
    head.append(f"  [{status}]", style={"kept": "green", "duplicate": "yellow"}.get(status, "red"))
    if manifest.get("reason"):
        head.append(f"  {manifest['reason']}")
    head.append(f"\ninput: {manifest.get('input', '')}")
    for key in ("title", "language", "language_prob", "byline", "dateline", "published", "url", "source",
                "cluster", "duplicates", "story", "mt_suspect"):
        if row.get(key):
            head.append(f"\n{key}: {row[key]}")
    if row.get("truncated"):
        head.append("\ntruncated: the article was cut by a paywall", style="red")
    parts = [head]
    for action, title, style, mark in ((REMOVED, "Removed", "red", "-"), (REPLACED, "Repaired", "cyan", "~"),
                                       (FLAGGED, "Flagged (left as is)", "yellow", "!")):
        chosen = [e for e in edits if e.action == action]
        if not chosen:
            continue
        block = Text(f"\n{title}\n", style=f"bold {style}")
        for e in chosen:
            block.append(f" {mark} {e.cleaner}/{e.category}: ", style=style)
            if action == REPLACED and (e.before or e.after):
                block.append(f"{_short(e.before)!r} → {_short(e.after)!r}")
            elif e.before:
                block.append(repr(_short(e.before)))
            where = "" if e.offset is None else f", at {e.offset}"
            score = "" if e.score is None else f", score {e.score}"
            block.append(f"  ({e.reason}{where}{score})\n", style="dim")
        parts.append(block)
    text = row.get("text") or ""
    if text:
        body = Text(text)
        for e in edits:
            if e.action == FLAGGED and e.offset is not None:
                body.stylize("on yellow black", e.offset, e.offset + len(e.before))
        parts.append(Panel(body, title="clean text (flagged spans highlighted)"))
    console.print(Panel(Group(*parts), title="newsclean explain"))
