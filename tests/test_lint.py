"""ruff lint runs with the tests, so CI (which runs the README's test command) enforces it."""

from __future__ import annotations

import shutil
import subprocess

from .conftest import ROOT


def test_ruff_clean():
    ruff = shutil.which("ruff")
    assert ruff, "ruff is a test dependency: pip install -e '.[test]'"
    done = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
