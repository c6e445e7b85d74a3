from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cleaners.config import Config
from cleaners.corpus import clean_article
from cleaners.io import iter_records
from cleaners.registry import CleanerContext

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CASES = Path(__file__).parent / "cases"


def load_case(name: str):
    return json.loads((CASES / name).read_text(encoding="utf-8"))


def clean_file(path: Path, config: Config | None = None):
    (record,) = list(iter_records([str(path)], (config or Config()).input))
    return clean_article(record, config or Config())


@pytest.fixture(scope="session")
def config() -> Config:
    return Config()


@pytest.fixture
def ctx() -> CleanerContext:
    return CleanerContext(language="en")


@pytest.fixture(scope="session")
def cleaned_seeds():
    return {p.stem: clean_file(p) for p in sorted(SEEDS.glob("*.txt"))}


# CI replays the same examples every run (no flaky failures); locally hypothesis explores at random.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
