"""The run summary: counts per status, reason, cleaner and category, languages and clusters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from cleaners.document import DUPLICATE, KEPT, REJECTED, Article


@dataclass
class RunSummary:
    inputs: int = 0
    statuses: Counter = field(default_factory=Counter)
    rejections: Counter = field(default_factory=Counter)  # by reason kind (text before ':')
    edits: Counter = field(default_factory=Counter)  # by (cleaner, category, action)
    languages: Counter = field(default_factory=Counter)
    clusters: dict[str, list[str]] = field(default_factory=dict)  # canonical -> duplicates
    truncated: int = 0
    stories: Counter = field(default_factory=Counter)  # story -> kept articles in it

    def count(self, article: Article) -> None:
        self.inputs += 1
        self.statuses[article.status] += 1
        if article.status == REJECTED:
            self.rejections[(article.reason or "rejected").split(":", 1)[0]] += 1
        if article.status == KEPT:
            self.languages[article.language or "und"] += 1
            self.truncated += article.truncated
            if article.duplicates:
                self.clusters[article.id] = list(article.duplicates)
            if article.story:
                self.stories[article.story] += 1
        for e in article.edits:
            self.edits[(e.cleaner, e.category, e.action)] += 1

    def merge(self, other: RunSummary) -> None:
        """Add the counts of the articles that follow (a later spool file's)."""
        self.inputs += other.inputs
        for mine, theirs in ((self.statuses, other.statuses), (self.rejections, other.rejections),
                             (self.edits, other.edits), (self.languages, other.languages),
                             (self.stories, other.stories)):
            mine.update(theirs)
        self.clusters.update(other.clusters)
        self.truncated += other.truncated

    def counts(self) -> dict[str, int]:
        return {"inputs": self.inputs, **{s: self.statuses[s] for s in (KEPT, DUPLICATE, REJECTED)}}

    def to_markdown(self) -> str:
        c = self.counts()
        lines = [
            "# newsclean run report", "",
            f"{c['inputs']} inputs: {c[KEPT]} kept, {c[DUPLICATE]} duplicates, {c[REJECTED]} rejected.", "",
            "| status | articles |", "|---|---:|",
            *(f"| {s} | {c[s]} |" for s in (KEPT, DUPLICATE, REJECTED)), "",
        ]
        if self.rejections:
            lines += ["## Rejected, by reason", "", "| reason | articles |", "|---|---:|",
                      *(f"| {r} | {n} |" for r, n in sorted(self.rejections.items())), ""]
        lines += ["## Edits, by cleaner and category", "", "| cleaner | category | action | edits |",
                  "|---|---|---|---:|",
                  *(f"| {cl} | {cat} | {act} | {n} |" for (cl, cat, act), n in sorted(self.edits.items())), ""]
        lines += ["## Languages of kept articles", "", "| language | articles |", "|---|---:|",
                  *(f"| {lang} | {n} |" for lang, n in sorted(self.languages.items())), ""]
        lines += [f"Articles cut short by a paywall (flagged `truncated`): {self.truncated}", ""]
        lines += ["## Duplicate clusters", ""]
        if self.clusters:
            lines += ["| kept (canonical) | duplicates |", "|---|---|",
                      *(f"| {k} | {', '.join(v)} |" for k, v in self.clusters.items())]
        else:
            lines += ["No duplicates found: every kept article is its own cluster."]
        lines += ["", "## Stories (different articles on one event)", ""]
        if self.stories:
            largest = sorted(self.stories.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
            lines += [f"{len(self.stories)} stories group {sum(self.stories.values())} kept articles; "
                      f"the largest {len(largest)}:", "", "| story | kept articles |", "|---|---:|",
                      *(f"| {k} | {n} |" for k, n in largest)]
        else:
            lines += ["No two kept articles report the same story."]
        return "\n".join(lines) + "\n"
