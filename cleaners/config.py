"""All of newsclean's settings in one place.

Defaults live here, each with the reason for it; a TOML file (``--config newsclean.toml``) overrides
only the keys it sets. Unknown sections or keys, and values of the wrong type, raise ``ConfigError``
naming the valid choices, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaners.registry import CLEANER_NAMES, validate_cleaner_names


class ConfigError(ValueError):
    """A mistake in the user's configuration; the CLI prints it as one line."""


@dataclass(slots=True)
class PipelineConfig:
    # Order matters; the default and its reasons are in cleaners/registry.py.
    cleaners: list[str] = field(default_factory=lambda: list(CLEANER_NAMES))
    # Each Prefect task run costs ~8 ms; 500 articles (~1.5 MB) keep that well under 1% of the work.
    batch_size: int = 500
    # Reuse cleaned articles from earlier runs into the same output folder when neither the input
    # record nor the config/cleaners changed (cache: OUT/.newsclean-cache.sqlite).
    incremental: bool = True
    # Clean batches in parallel on Dask: a local cluster of this many worker processes (0 or 1: in
    # the flow's own process), or the cluster at ``dask_address`` ("tcp://host:8786"). Dedup and
    # stories still run once over every signature, in input order, so the output is the same.
    workers: int = 0
    dask_address: str = ""
    # Cleaned articles wait on disk in files of this many (~1.5 MB) until dedup is done; the write pass
    # then renders each file on its own, on Dask in parallel on the workers, a few files in flight
    # per worker (so memory stays bounded).
    spool_chunk: int = 250


@dataclass(slots=True)
class InputConfig:
    # JSONL field names, so feeds with other schemas need no conversion step.
    id_field: str = "id"
    title_field: str = "title"
    text_field: str = "text"
    url_field: str = "url"
    source_field: str = "source"
    published_field: str = "published"
    # Larger .txt files and JSONL records are rejected: a news article is KBs; beyond a few MB it is
    # a dump or a binary, and cleaning it would hold up the batch.
    max_bytes: int = 8 * 1024 * 1024


@dataclass(slots=True)
class BoilerplateConfig:
    # Phrase files (cleaners/phrases/<lang>.toml) to load; boilerplate may be in another language
    # than the article (an English story on a French portal), so all are applied to every article.
    languages: list[str] = field(default_factory=lambda: ["en", "fr", "de", "es", "pt", "it"])
    # Extra folders of phrase files, for users' own sites; same format as cleaners/phrases/.
    extra_phrase_dirs: list[str] = field(default_factory=list)
    # Prefix patterns ("Also read | ...") only match lines this short: longer lines are prose.
    max_link_words: int = 30
    # A tail section (comments, "Leave a Reply") is cut only if what follows is this short.
    max_tail_lines: int = 12
    # Across the run: a line found verbatim in at least this many of a source's different stories,
    # and in at least this share of them, is the site's template and is removed from its articles
    # (cleaners/templates.py); 0 stories turns this off.
    template_min_stories: int = 3
    template_min_share: float = 0.1


@dataclass(slots=True)
class LanguageConfig:
    # langdetect is random unless seeded; a fixed seed makes runs byte-identical.
    seed: int = 0
    # Detection on a bounded prefix: accuracy saturates long before 3,000 characters.
    max_chars: int = 3000
    # Accept only these languages (ISO 639-1); empty accepts any. Others are rejected with a reason.
    accept: list[str] = field(default_factory=list)


@dataclass(slots=True)
class MtGlitchConfig:
    # Mechanical typography repairs (quotes, spacing, doubled words). Off = flag only.
    repair: bool = True
    # A phrase repeated with at most this many words between is flagged (rewriters repeat within a
    # few words: "to visit Moscow in the spring to visit"; writers' parallel phrases are further apart).
    repeat_window: int = 4
    # Drop (instead of only flagging) sentences and paragraphs in another language than the article's.
    drop_foreign: bool = False
    # Drop sentences with a finding scored at or above this (0 = never): repeated sentence 0.9,
    # repeated phrase 0.8, garbled 0.6, foreign language its langdetect probability, unbalanced
    # quotes 0.5.
    drop_score: float = 0.0
    # Garble: a judgeable sentence whose word order scores at or below both (cleaners/word_order.py):
    # total and mean pointwise mutual information of its word-class bigrams. Judgeable sentences of
    # clean news average +0.33 a bigram, scrambled ones about -0.7; the strict default flags about
    # 1 clean sentence in 1,000 (bench/mt_glitches.py, on text the model was not estimated on).
    garble_total: float = -10.0
    garble_mean: float = -0.3


@dataclass(slots=True)
class QualityConfig:
    # Below this many words what is left is a stub, a teaser or a navigation page, not an article.
    min_words: int = 40
    # Share of letters among non-space characters; tables of numbers or leftover markup fall below.
    min_alpha_ratio: float = 0.6


@dataclass(slots=True)
class DedupConfig:
    # Word 5-grams: long enough that different articles on one story share almost none
    # (the seeds' pairwise Jaccard is below 0.01), short enough to survive small edits.
    shingle_size: int = 5
    num_perm: int = 128
    # Estimated Jaccard at or above which two articles are copies of one story. On the shared
    # generator's corpora (seeds 1 and 2, 5k docs) 0.5 gives pairwise F1 0.993/0.997 with no hard
    # negative merged; 0.7 loses a quarter of the heavily edited copies (F1 0.96).
    threshold: float = 0.5
    # MinHash permutations come from this seed; indexes built with another seed are incomparable.
    seed: int = 1
    # Keep the signatures of kept articles in OUT/.newsclean-index.sqlite, so later runs into the
    # same folder mark copies of earlier articles as their duplicates.
    index: bool = True
    # Shared index for several workers or machines: a Redis URL (e.g. "redis://host:6379/0"). The LSH
    # buckets live in Redis through datasketch's own Redis storage, the signatures beside them.
    # Empty: the embedded SQLite file above.
    redis_url: str = ""
    # Key prefix in Redis, so several corpora can share one server.
    index_name: str = "newsclean"


@dataclass(slots=True)
class StoryConfig:
    # Group different articles about one event into stories (see cleaners/stories.py).
    enabled: bool = True
    # Jaccard of name-like words at or above which two articles report one story: on the 181
    # unrelated benchmark pages every pair above 0.2 is one story or one narrow topic; the seeds'
    # pairs are 0.21-0.41.
    threshold: float = 0.2
    # Name sets are small (20-50 words), so 64 permutations estimate them well enough (±0.06).
    num_perm: int = 64
    seed: int = 1
    # An article with fewer name-like words than this is in no story (too little to tell).
    min_features: int = 5


@dataclass(slots=True)
class Config:
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    input: InputConfig = field(default_factory=InputConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    mt_glitches: MtGlitchConfig = field(default_factory=MtGlitchConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    stories: StoryConfig = field(default_factory=StoryConfig)

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Refuse settings that cannot work, with a one-line reason (also after overriding a field)."""
        validate_cleaner_names(self.pipeline.cleaners)
        if self.pipeline.batch_size < 1:
            raise ConfigError("pipeline.batch_size must be at least 1")
        if self.pipeline.spool_chunk < 1:
            raise ConfigError("pipeline.spool_chunk must be at least 1")
        if self.pipeline.workers < 0:
            raise ConfigError("pipeline.workers must be 0 or more")
        if self.pipeline.dask_address and not self.pipeline.dask_address.startswith(("tcp://", "tls://",
                                                                                    "inproc://")):
            raise ConfigError(f"pipeline.dask_address {self.pipeline.dask_address!r} must look like tcp://host:8786")
        # Imported here, not with this module: datasketch brings in scipy (~0.5 s), and the command
        # imports this module before it starts Prefect's server.
        from datasketch import MinHashLSH

        for name, section in (("dedup", self.dedup), ("stories", self.stories)):
            if not 0.0 < section.threshold < 1.0:
                raise ConfigError(f"{name}.threshold must be between 0 and 1 (exclusive)")
            try:  # datasketch's own check of threshold against num_perm (it needs at least two bands)
                MinHashLSH(threshold=section.threshold, num_perm=section.num_perm)
            except ValueError as exc:
                raise ConfigError(f"{name}.threshold {section.threshold} with {name}.num_perm "
                                  f"{section.num_perm}: {exc}") from None


def _override(section: Any, values: dict[str, Any], where: str) -> Any:
    valid = {f.name: f for f in dataclasses.fields(section)}
    changes = {}
    for key, value in values.items():
        if key not in valid:
            raise ConfigError(f"unknown config key '{where}.{key}'; valid keys: {', '.join(valid)}")
        default = getattr(section, key)
        expected = float if isinstance(default, float) else type(default)
        ok = isinstance(value, expected) or (expected is float and isinstance(value, int))
        if not ok or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"config key '{where}.{key}' must be {expected.__name__}, got {value!r}")
        changes[key] = float(value) if expected is float else value
    return dataclasses.replace(section, **changes)


def config_from_dict(data: dict[str, Any]) -> Config:
    """Build a Config from defaults plus the sections and keys in ``data``."""
    base = Config()
    sections = {f.name for f in dataclasses.fields(Config)}
    changes = {}
    for name, values in data.items():
        if name not in sections:
            raise ConfigError(f"unknown config section '[{name}]'; valid sections: {', '.join(sorted(sections))}")
        if not isinstance(values, dict):
            raise ConfigError(f"config section '[{name}]' must be a table")
        changes[name] = _override(getattr(base, name), values, name)
    return dataclasses.replace(base, **changes)


def load_config(path: str | Path | None) -> Config:
    """Defaults, overridden by the TOML file at ``path`` when one is given."""
    if path is None:
        return Config()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return config_from_dict(data)


def config_to_dict(config: Config) -> dict[str, Any]:
    return dataclasses.asdict(config)


def scale_out(config: Config, workers: int | None, dask_address: str | None) -> Config:
    """``config`` with the run's own ``workers`` and ``dask_address`` (None: the config's), checked."""
    if workers is not None:
        config.pipeline.workers = workers
    if dask_address is not None:
        config.pipeline.dask_address = dask_address
    config.check()
    return config


def on_dask(config: Config) -> bool:
    """Whether batches are cleaned on Dask: a cluster address, or more than one local worker."""
    return bool(config.pipeline.dask_address) or config.pipeline.workers > 1
